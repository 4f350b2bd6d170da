/**
 * What a driver reports about its hardware (QNX <hw/nicinfo.h>: nic_config_t, nic_stats_t, reduced), read
 * by `nicinfo` through SIOCGDRVCOM (DRVCOM_CONFIG / DRVCOM_STATS). Labels are rendered by the utility.
 */

/**
 * The medium connector the driver has active or assumes (nicinfo "Active Interface Type"): UTP (10BaseT),
 * BNC (10Base2), AUI (10Base5), MII (a MAC talking to a PHY through MII/GMII, the PHY at `phyAddress`), or
 * unknown (none, or nothing tells).
 */
export type NicConnector = 'UTP' | 'BNC' | 'AUI' | 'MII' | 'unknown';

export interface NicConfig {
  description: string;            // "NE-2000 Ethernet Controller"
  mac: Uint8Array;                // current
  permanentMac: Uint8Array;       // from PROM
  mediaRateKbps: number;          // 10000
  fullDuplex: boolean;
  connector: NicConnector;
  /** MII address of the active PHY (nicinfo "Active PHY address"), for MII parts. */
  phyAddress?: number;
  mtu: number;                    // 1514 (frame, as nicinfo shows)
  irq: number[];
  ioPorts: { base: number; length: number }[];
  memWindows: { base: number; length: number }[];
  promiscuous: boolean;
  multicast: boolean;
  /**
   * A crypto offload engine on the NIC registered with the hc stack's crypto API (stack/crypto/api.ts): the
   * framework's counters for it, shown by nicinfo. Absent: the NIC has none, or it is not registered.
   */
  crypto?: { engine: string; algs: string[]; requests: number; encrypts: number; decrypts: number; bytes: number; errors: number; micFailures: number };
}

export interface NicStats {
  txOk: number; txBytes: number; rxOk: number; rxBytes: number;
  txSingleCollisions: number; txMultiCollisions: number; txExcessiveCollisions: number;
  txDeferred: number; txLateCollisions: number; txCarrierLost: number; txUnderruns: number;
  rxCrcErrors: number; rxAlignErrors: number; rxMissed: number; rxOverruns: number; rxRunts: number;
  txBroadcast: number; txMulticast: number; rxBroadcast: number; rxMulticast: number;
  /** Buffer allocations that failed (nic_stats_t tx_failed_allocs / rx_failed_allocs): the packet was dropped. */
  txFailedAllocs: number; rxFailedAllocs: number;
}
