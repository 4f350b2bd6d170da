/**
 * The network interface as the stack and its drivers share it (NetBSD net/if.h): `struct ifnet` with its
 * flags, counters (`if_data`) and the driver's half (if_init/if_start/if_stop/if_ioctl). io-pkt's driver
 * contract (stack/io-pkt/driver-api.ts) builds on these types; the protocols in stack/net use them without
 * knowing io-pkt.
 */
import type { Co, ThreadCtx } from '../kernel/api';
import type { NicConfig, NicStats } from './hw-nicinfo';
import type { Mbuf } from './mbuf';

/** if_flags (net/if.h). */
export const IFF_UP = 0x1;
export const IFF_BROADCAST = 0x2;
export const IFF_LOOPBACK = 0x8;
export const IFF_RUNNING = 0x40;
export const IFF_PROMISC = 0x100;
export const IFF_ALLMULTI = 0x200;
export const IFF_OACTIVE = 0x400;
export const IFF_SIMPLEX = 0x800;
export const IFF_MULTICAST = 0x8000;

/** if_capabilities / if_capenable: checksum offload (NetBSD net/if.h IFCAP_CSUM_*). */
export const IFCAP_CSUM_IPv4_Rx = 0x00100;
export const IFCAP_CSUM_IPv4_Tx = 0x00200;
export const IFCAP_CSUM_TCPv4_Rx = 0x00400;
export const IFCAP_CSUM_TCPv4_Tx = 0x00800;
export const IFCAP_CSUM_UDPv4_Rx = 0x01000;
export const IFCAP_CSUM_UDPv4_Tx = 0x02000;

/** Interface counters (struct if_data). */
export interface IfData {
  ipackets: number; ierrors: number; opackets: number; oerrors: number; collisions: number;
  ibytes: number; obytes: number; imcasts: number; omcasts: number; iqdrops: number; noproto: number;
}

export function newIfData(): IfData {
  return { ipackets: 0, ierrors: 0, opackets: 0, oerrors: 0, collisions: 0, ibytes: 0, obytes: 0, imcasts: 0, omcasts: 0, iqdrops: 0, noproto: 0 };
}

/** The driver's half of an interface (if_init/if_start/if_stop/if_ioctl). All run in stack context. */
export interface IfnetOps {
  /** Bring the hardware up (IFF_RUNNING), program the address filter. Return errno (0 = ok). */
  init(ifp: Ifnet): Co<number>;
  /**
   * Drain ifp.snd onto the hardware as far as resources allow. `ctx` is the io-pkt thread calling it: the stack
   * context's holder, or a thread that received a frame and forwards it without the stack context (bridge,
   * ipflow); register accesses go on that thread's timeline. Absent: the stack context's thread.
   */
  start(ifp: Ifnet, ctx?: ThreadCtx): Co<void>;
  /** Quiesce; `disable` also releases hardware resources. */
  stop(ifp: Ifnet, disable: boolean): Co<void>;
  /** Reprogram the multicast filter / promiscuous mode after ifp.flags or multicast list changed. */
  setFilter?(ifp: Ifnet): Co<void>;
  /** SIOCIFDESTROY: detach the device. Absent → EOPNOTSUPP. */
  detach?(ifp: Ifnet): Co<number>;
  config(ifp: Ifnet): NicConfig;
  stats(ifp: Ifnet): NicStats;
  /**
   * Bring the driver's statistics up to date from the hardware before `stats()` is read (what a QNX driver
   * does on DRVCOM_STATS: read the chip's counters). Optional: drivers that count in software need none.
   */
  refreshStats?(ifp: Ifnet): Co<void>;
}

export interface Ifnet {
  readonly name: string;          // "en0", "ne0"
  readonly unit: number;
  readonly driver: string;        // module base name ("ne2000", "shim")
  flags: number;
  mtu: number;
  lladdr: Uint8Array;
  /** Media state as the driver reports it. */
  media: { subtype: string; fullDuplex: boolean; linkUp: boolean };
  /** Output queue (if_snd); io-pkt appends, driver's start() drains. */
  snd: Mbuf[];
  sndMax: number;
  data: IfData;
  multicast: Uint8Array[];
  ops: IfnetOps;
  /** Private driver state. */
  softc: unknown;
  /** What the hardware can offload (IFCAP_*), and what is enabled; absent = nothing. */
  capabilities?: number;
  capenable?: number;
  /** The link type BPF listeners see (BIOCGDLT): DLT_EN10MB when absent; pflog0 is DLT_PFLOG. */
  dlt?: number;
}
