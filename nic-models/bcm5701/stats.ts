/**
 * The statistics block (design §1.13): counters named after tg3.h `struct tg3_hw_stats`, kept as numbers
 * (exact to 2^53) and written as {high, low} dword pairs into SRAM 0x300–0xaff only when someone looks — before
 * each statistics-block DMA and when a host read touches that SRAM range (bge's `bge_stats_update` reads it
 * through the BAR window) — never per frame.
 *
 * Enables: MAC RX counters count while MAC_MODE.RXSTAT_ENABLE, MAC TX while TXSTAT_ENABLE; the receive-list
 * placement counters (0x800–0x8b0) need RCVLPC_STATSCTRL.ENABLE, the send-data-initiator ones (0x900–0x990)
 * SNDDATAI_STATSCTRL.ENABLE *(I)*; host-coalescing counters always count.
 */
import type { Sram } from './sram';

/** SRAM offsets of the counters (block at 0x300; host copy offset = SRAM offset − 0x300). */
export const STAT = {
  rx_octets: 0x400,
  rx_fragments: 0x410,
  rx_ucast_packets: 0x418,
  rx_mcast_packets: 0x420,
  rx_bcast_packets: 0x428,
  rx_fcs_errors: 0x430,
  rx_align_errors: 0x438,
  rx_xon_pause_rcvd: 0x440,
  rx_xoff_pause_rcvd: 0x448,
  rx_mac_ctrl_rcvd: 0x450,
  rx_xoff_entered: 0x458,
  rx_frame_too_long_errors: 0x460,
  rx_jabbers: 0x468,
  rx_undersize_packets: 0x470,
  rx_64_or_less_octet_packets: 0x488,
  tx_octets: 0x600,
  tx_collisions: 0x610,
  tx_xon_sent: 0x618,
  tx_xoff_sent: 0x620,
  tx_flow_control: 0x628,
  tx_mac_errors: 0x630,
  tx_single_collisions: 0x638,
  tx_mult_collisions: 0x640,
  tx_deferred: 0x648,
  tx_excessive_collisions: 0x658,
  tx_late_collisions: 0x660,
  tx_collide_2times: 0x668,
  tx_ucast_packets: 0x6d8,
  tx_mcast_packets: 0x6e0,
  tx_bcast_packets: 0x6e8,
  tx_carrier_sense_errors: 0x6f0,
  tx_discards: 0x6f8,
  tx_errors: 0x700,
  COS_rx_packets: 0x800,
  COS_rx_filter_dropped: 0x880,
  rxbds_empty: 0x898,
  rx_discards: 0x8a0,
  rx_errors: 0x8a8,
  COS_out_packets: 0x900,
  ring_set_send_prod_index: 0x998,
  ring_status_update: 0x9a0,
  nic_irqs: 0x9a8,
  nic_avoided_irqs: 0x9b0,
  nic_tx_threshold_hit: 0x9b8,
} as const;
export type StatName = keyof typeof STAT;

const BASE = 0x300;
const SLOTS = 0x800 / 8;
/** Frame-size buckets by wire length incl. FCS (rx_64_or_less … rx_8192_to_9022). */
const BUCKETS = [64, 127, 255, 511, 1023, 1522, 2047, 4095, 8191, 9022];

export type StatGroup = 'macRx' | 'macTx' | 'rlp' | 'sdi' | 'hc';

export class Stats {
  private readonly c = new Float64Array(SLOTS);
  /** Whether each group counts now (the core keeps these in step with the enable registers). */
  enabled: Record<StatGroup, boolean> = { macRx: false, macTx: false, rlp: false, sdi: false, hc: true };

  constructor(private readonly sram: Sram) {}

  add(name: StatName, group: StatGroup, n = 1): void {
    if (this.enabled[group]) this.c[(STAT[name] - BASE) >> 3]! += n;
  }

  /** The size bucket of a received frame of `wireLen` bytes (FCS included). */
  addRxSize(wireLen: number): void {
    if (!this.enabled.macRx) return;
    const i = BUCKETS.findIndex((b) => wireLen <= b);
    if (i >= 0) this.c[((STAT.rx_64_or_less_octet_packets - BASE) >> 3) + i]! += 1;
  }

  /** tx_collide_2times … tx_collide_15times (n = 2..15). */
  addTxCollide(n: number): void {
    if (this.enabled.macTx && n >= 2 && n <= 15) this.c[((STAT.tx_collide_2times - BASE) >> 3) + n - 2]! += 1;
  }

  /** MAC TX collision statistics of one transmit outcome (half duplex). */
  countTxOutcome(o: { ok: boolean; collisions: number; deferred: boolean; lateCollision: boolean }): void {
    if (o.collisions === 1 && o.ok) this.add('tx_single_collisions', 'macTx');
    if (o.collisions > 1 && o.ok) this.add('tx_mult_collisions', 'macTx');
    this.addTxCollide(o.collisions);
    if (o.collisions > 0) this.add('tx_collisions', 'macTx', o.collisions);
    if (o.deferred) this.add('tx_deferred', 'macTx');
    if (o.lateCollision) this.add('tx_late_collisions', 'macTx');
  }

  get(name: StatName): number {
    return this.c[(STAT[name] - BASE) >> 3]!;
  }

  /** Zero one group (MAC_MODE.RXSTAT_CLEAR/TXSTAT_CLEAR, STATSCTRL.CLEAR) or all (core reset). */
  clear(group?: 'macRx' | 'macTx' | 'rlp' | 'sdi'): void {
    const [lo, hi] = group === 'macRx' ? [0x400, 0x600] : group === 'macTx' ? [0x600, 0x800] : group === 'rlp' ? [0x800, 0x900] : group === 'sdi' ? [0x900, 0x998] : [BASE, 0xb00];
    this.c.fill(0, (lo - BASE) >> 3, (hi - BASE) >> 3);
  }

  /** Write the counters into SRAM [nicAddr, nicAddr + 0x800) as {high, low} pairs. */
  materialise(nicAddr: number): void {
    for (let i = 0; i < SLOTS; i++) {
      const v = this.c[i]!;
      if (v === 0 && this.sram.read32(nicAddr + i * 8 + 4) === 0 && this.sram.read32(nicAddr + i * 8) === 0) continue;
      this.sram.write32(nicAddr + i * 8, Math.floor(v / 0x1_0000_0000));
      this.sram.write32(nicAddr + i * 8 + 4, v % 0x1_0000_0000);
    }
  }

  /** Every non-zero counter by SRAM offset (inspect, snapshot). */
  nonZero(): [number, number][] {
    const out: [number, number][] = [];
    for (let i = 0; i < SLOTS; i++) if (this.c[i] !== 0) out.push([BASE + i * 8, this.c[i]!]);
    return out;
  }

  load(values: readonly (readonly [number, number])[]): void {
    this.c.fill(0);
    for (const [off, v] of values) if (off >= BASE && off < BASE + 0x800) this.c[(off - BASE) >> 3] = v;
  }
}
