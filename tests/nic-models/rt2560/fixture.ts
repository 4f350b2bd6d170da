/**
 * One fixture for the RT2560 tests: a board with RAM and RT2560s plugged into PCI slots (real bus-master DMA into
 * board RAM, INTA# through the PIIX3), BAR0 programmed as start-up would, optionally on a real wireless medium
 * (emulator/machine/net/wireless) at chosen positions. `Chip` acts as a driver on a simulated thread would: every
 * config cycle and MMIO access costs the time the board's bus says; delays advance virtual time; polls read until a
 * condition holds and fail the test where the driver would have given up. The helpers follow rt2500pci /
 * eeprom_93cx6.c and NetBSD rt2560.c step by step (EEPROM bit-bang, BBP/RF serial access, set_state, ring set-up).
 */
import { Simulation, componentContext, type TraceRecord } from '../../../emulator/machine/sim';
import { Board } from '../../../emulator/machine/board/board';
import { WirelessChannel, type WirelessConfig } from '../../../emulator/machine/net/wireless/medium';
import type { Position, WifiRate } from '../../../emulator/machine/net/wireless/radio';
import { Rt2560Pci } from '../../../nic-models/rt2560/rt2560-pci';
import type { Rt2560Core } from '../../../nic-models/rt2560/core';
import { CSR } from '../../../nic-models/rt2560/regs';
import { r2Word } from '../../../nic-models/rt2560/bbp-rf';
import { txSignal, isOfdm } from '../../../nic-models/rt2560/phy';
import { POWER_TRANSITION_NS } from '../../../nic-models/rt2560/timing';
import { BSD_DEF_BBP, BSD_DEF_MAC, BSD_IRQS, LINUX_BBP, LINUX_IRQS, LINUX_REGS_AFTER_AWAKE, LINUX_REGS_BEFORE_AWAKE } from './drivers';

export const US = 1000;
export const MS = 1_000_000;
export const MAC_A = [0x00, 0x0c, 0x43, 0x25, 0x60, 0x0a];
export const MAC_B = [0x00, 0x0c, 0x43, 0x25, 0x60, 0x0b];

export interface BedOptions {
  seed?: number;
  /** One chip per entry (MAC, position); all on one medium when `air` is given. */
  chips?: { mac: number[]; pos?: Position }[];
  air?: Partial<WirelessConfig> | null;
  noMaster?: boolean;
  verbose?: boolean;
  ramBytes?: number;
}

/** A board, its chips and (optionally) the air between them. */
export class Bed {
  readonly sim: Simulation;
  readonly board: Board;
  readonly chips: Chip[] = [];
  readonly air: WirelessChannel | null;
  readonly recs: TraceRecord[] = [];
  heap = 0x100000;

  constructor(o: BedOptions = {}) {
    this.sim = new Simulation(o.seed ?? 1);
    this.sim.tracer.verbose = o.verbose ?? false;
    this.sim.tracer.addSink((r) => this.recs.push(r));
    this.board = new Board(componentContext(this.sim, 'alpha', 'alpha.board'), { ramBytes: o.ramBytes ?? 16 * 1024 * 1024, cpus: 1, interruptController: '8259' });
    this.air = o.air === undefined || o.air === null ? null : new WirelessChannel(componentContext(this.sim, '', 'air0'), o.air);
    (o.chips ?? [{ mac: MAC_A }]).forEach((spec, i) => {
      const slot = 3 + i;
      const bar = 0xe0000000 + i * 0x10000;
      const nic = new Rt2560Pci(componentContext(this.sim, 'alpha', `alpha.ral${i}`), { mac: spec.mac });
      const { dma } = this.board.addPciDevice(nic.fn, slot);
      nic.attachDma(dma);
      const cs = this.board.pci.get(slot)!;
      cs.write(0x10, 4, bar);
      cs.write(0x04, 2, o.noMaster ? 0x0002 : 0x0006);
      const pos = spec.pos ?? { x: 10 * i, y: 0, z: 0 };
      if (this.air) nic.connectRadio(this.air, () => pos);
      this.chips.push(new Chip(this, nic, slot, bar));
    });
  }

  get now(): number {
    return this.sim.queue.now;
  }

  delay(ns: number): void {
    this.sim.queue.runUntil(this.now + Math.max(0, Math.round(ns)));
  }

  alloc(bytes: number, align = 64): number {
    this.heap = Math.ceil(this.heap / align) * align;
    const a = this.heap;
    this.heap += bytes;
    return a;
  }

  memW(addr: number, bytes: Uint8Array): void {
    this.board.ram.write(addr, bytes);
  }

  memR(addr: number, len: number): Uint8Array {
    const b = new Uint8Array(len);
    this.board.ram.read(addr, b);
    return b;
  }

  mem32(addr: number): number {
    const b = this.memR(addr, 4);
    return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
  }

  setMem32(addr: number, v: number): void {
    this.memW(addr, Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24));
  }

  traced(probe: string, nic?: string, reason?: string): TraceRecord[] {
    return this.recs.filter((r) => r.probe === probe && (nic === undefined || r.f?.['nic'] === nic || r.f?.['radio'] === nic)
      && (reason === undefined || r.f?.['reason'] === reason));
  }
}

export interface Rings {
  stride: number;
  tx: { base: number; count: number };
  atim: { base: number; count: number };
  prio: { base: number; count: number };
  beacon: { base: number; count: number };
  rx: { base: number; count: number; bufs: number[] };
}

/** One RT2560 as its driver sees it. */
export class Chip {
  readonly core: Rt2560Core;
  rings: Rings | null = null;
  /** Driver-side ring indices (next descriptor to fill / to complete). */
  readonly cur = { tx: 0, prio: 0, rx: 0 };

  constructor(readonly bed: Bed, readonly nic: Rt2560Pci, readonly slot: number, readonly bar: number) {
    this.core = nic.core;
  }

  get name(): string {
    return this.core.ctx.name;
  }

  get irq(): boolean {
    return this.core.irqAsserted;
  }

  r(off: number): number {
    const b = this.bed.board;
    this.bed.delay(b.mmio.cycleNs(this.bar + off, 4, false));
    return b.mmio.read(this.bar + off, 4);
  }

  w(off: number, v: number): void {
    const b = this.bed.board;
    this.bed.delay(b.mmio.cycleNs(this.bar + off, 4, true));
    b.mmio.write(this.bar + off, 4, v >>> 0);
  }

  cr(off: number, size: 1 | 2 | 4 = 4): number {
    const b = this.bed.board;
    b.io.write(0xcf8, 4, (0x80000000 | (this.slot << 11) | (off & 0xfc)) >>> 0);
    return b.io.read(0xcfc + (off & 3), size);
  }

  /** Read until (value & mask) === until, every `everyNs`, at most `max` reads; returns the reads it took. */
  poll(read: () => number, mask: number, until: number, everyNs: number, max: number, what = 'poll'): number {
    for (let i = 1; i <= max; i++) {
      if (((read() & mask) >>> 0) === until >>> 0) return i;
      this.bed.delay(everyNs);
    }
    throw new Error(`${what}: timed out after ${max} reads`);
  }

  // ---- EEPROM (eeprom_93cx6.c through rt2500pci_eepromregister_read/write) ----

  private eeCtl(cs: boolean, sk: boolean, di: boolean): void {
    this.w(CSR.CSR21, (cs ? 4 : 0) | (sk ? 2 : 0) | (di ? 8 : 0));
    this.bed.delay(1 * US);
  }

  /** eeprom_93cx6_read: start bit and READ opcode (0b110) then 8 address bits, 16 data bits, cleanup. */
  eeRead(word: number): number {
    this.eeCtl(true, false, false);
    this.eeCtl(true, true, false);
    this.eeCtl(true, false, false);
    const cmd = (0b110 << 8) | (word & 0xff);
    for (let i = 10; i >= 0; i--) {
      const bit = ((cmd >>> i) & 1) === 1;
      this.eeCtl(true, false, bit);
      this.eeCtl(true, true, bit);
      this.eeCtl(true, false, bit);
    }
    let v = 0;
    for (let i = 15; i >= 0; i--) {
      this.eeCtl(true, true, false);
      if (this.r(CSR.CSR21) & 0x10) v |= 1 << i;
      this.eeCtl(true, false, false);
    }
    this.eeCtl(false, false, false);
    this.eeCtl(false, true, false);
    this.eeCtl(false, false, false);
    return v;
  }

  // ---- BBP and RF (rt2500pci_bbp_read/_write, rt2500pci_rf_write: 100 × 100 µs BUSY polls) ----

  bbpWrite(reg: number, value: number): void {
    this.poll(() => this.r(CSR.BBPCSR), 0x8000, 0, 100 * US, 100, 'BBPCSR busy');
    this.w(CSR.BBPCSR, (value & 0xff) | (reg << 8) | 0x8000 | 0x10000);
  }

  bbpRead(reg: number): number {
    this.poll(() => this.r(CSR.BBPCSR), 0x8000, 0, 100 * US, 100, 'BBPCSR busy');
    this.w(CSR.BBPCSR, (reg << 8) | 0x8000);
    let v = 0;
    this.poll(() => (v = this.r(CSR.BBPCSR)), 0x8000, 0, 100 * US, 100, 'BBPCSR read');
    return v & 0xff;
  }

  rfWrite(word: number): void {
    this.poll(() => this.r(CSR.RFCSR), 0x80000000, 0, 100 * US, 100, 'RFCSR busy');
    this.w(CSR.RFCSR, (0x80000000 | (20 << 24) | (word & 0xffffff)) >>> 0);
  }

  /** rt2500pci_config_channel on an RF2525: R1, R2 (half-band-higher first, then the channel), R3 with TX power, R4. */
  tune(channel: number, txPowerDbm = 18): void {
    this.rfWrite((0x08808 << 2) | 0);
    this.rfWrite(r2Word(channel));
    this.rfWrite((((0x18044 | (txPowerDbm << 7)) & 0x3ffff) << 2) | 1);
    this.rfWrite((0x00281 << 2) | 3);
  }

  // ---- power (rt2500pci_set_state) ----

  setAwake(): number {
    const v = 0x1 | (3 << 1) | (3 << 3);
    this.w(CSR.PWRCSR1, v);
    return this.poll(() => {
      const r = this.r(CSR.PWRCSR1);
      if (((r >>> 5) & 3) !== 3 || ((r >>> 7) & 3) !== 3) this.w(CSR.PWRCSR1, v);
      return r;
    }, 0x1e0, 0x1e0, 10 * MS, 100, 'Device failed to enter state 3');
  }

  /**
   * Bring the chip up the way rt2500pci_enable_radio does (init_queues, init_registers with set_state and the soft
   * reset, init_bbp, toggle_irq, then mac80211's ERP/interface/filter config), or NetBSD rt2560_init (48-byte
   * descriptors, RT2560_DEF_MAC, the ASIC reset, RT2560_DEF_BBP, set_chan, the RX filter, RT2560_INTR_MASK).
   */
  open(o: { style: 'linux' | 'bsd'; channel?: number; counts?: Partial<Record<'tx' | 'atim' | 'prio' | 'rx', number>> }): void {
    const stride = o.style === 'linux' ? 44 : 48;
    const n = { tx: o.style === 'linux' ? 32 : 48, atim: o.style === 'linux' ? 8 : 4, prio: o.style === 'linux' ? 32 : 16, rx: 32, ...o.counts };
    const ring = (count: number) => ({ base: this.bed.alloc(Math.max(1, count) * stride), count });
    const rx = { ...ring(n.rx), bufs: [] as number[] };
    this.rings = { stride, tx: ring(n.tx), atim: ring(n.atim), prio: ring(n.prio), beacon: ring(1), rx };
    for (let i = 0; i < n.rx; i++) {
      const buf = this.bed.alloc(2432, 4);
      rx.bufs.push(buf);
      const d = rx.base + i * stride;
      this.bed.setMem32(d + 4, buf);
      this.bed.setMem32(d, 1); // OWNER_NIC
    }
    const R = this.rings;
    // rt2500pci_init_queues / rt2560_init: "rings _must_ be initialized in this _exact_ order".
    this.w(CSR.TXCSR2, stride | (n.tx << 8) | (n.atim << 16) | (n.prio << 24));
    this.w(CSR.TXCSR3, R.tx.base);
    this.w(CSR.TXCSR5, R.prio.base);
    this.w(CSR.TXCSR4, R.atim.base);
    this.w(CSR.TXCSR6, R.beacon.base);
    this.w(CSR.RXCSR1, stride | (n.rx << 8));
    this.w(CSR.RXCSR2, R.rx.base);
    const bbpReady = (): void => {
      this.poll(() => {
        const v = this.bbpRead(0);
        return v === 0 || v === 0xff ? 1 : 0;
      }, 1, 0, o.style === 'linux' ? 100 * US : US, 100, 'BBP register access failed');
    };
    if (o.style === 'linux') {
      for (const [off, v] of LINUX_REGS_BEFORE_AWAKE) this.w(off, v);
      this.setAwake();
      for (const [off, v] of LINUX_REGS_AFTER_AWAKE) this.w(off, v);
      this.w(CSR.CSR1, 1);
      this.w(CSR.CSR1, 4);
      this.r(CSR.CNT0);
      this.r(CSR.CNT4);
      bbpReady();
      for (const [reg, v] of LINUX_BBP) this.bbpWrite(reg, v);
      this.w(CSR.CSR7, this.r(CSR.CSR7));
      this.w(CSR.CSR8, (this.r(CSR.CSR8) & ~LINUX_IRQS) >>> 0);
      // mac80211 configuration (rt2500pci_config_erp, _config_intf, _config_filter): DCF timing, MAC, auto-responder.
      this.w(CSR.TXCSR1, 0x162 | (0xa2 << 9) | (24 << 18) | 0x01000000);
      this.w(CSR.CSR11, (this.r(CSR.CSR11) & ~0x1f00) | (20 << 8));
      this.w(CSR.CSR18, 10 | (30 << 16));
      this.w(CSR.CSR19, 50 | (364 << 16));
      this.setMac(this.mac);
      this.tune(o.channel ?? 6);
      this.w(CSR.RXCSR0, 0x02 | 0x04 | 0x08 | 0x10 | 0x20 | 0x40);
    } else {
      for (const [off, v] of BSD_DEF_MAC) this.w(off, v);
      this.setMac(this.mac);
      // rt2560_update_slot: SIFS and DIFS less the reference driver's 10 µs turnaround.
      this.w(CSR.CSR18, 0 | (20 << 16));
      this.w(CSR.CSR19, 40 | (364 << 16));
      this.w(CSR.CSR1, 1);
      this.w(CSR.CSR1, 4);
      bbpReady();
      for (const [reg, v] of BSD_DEF_BBP) this.bbpWrite(reg, v);
      this.tune(o.channel ?? 6);
      this.w(CSR.RXCSR0, 0x02 | 0x04 | 0x08 | 0x10 | 0x20 | 0x40);
      this.r(CSR.CNT0);
      this.r(CSR.CNT4);
      this.w(CSR.CSR7, 0xffffffff);
      this.w(CSR.CSR8, ~BSD_IRQS >>> 0);
      // PWRCSR1 = 0x1ff in RT2560_DEF_MAC: NetBSD never polls; the radio is awake after the transition.
      this.bed.delay(POWER_TRANSITION_NS);
    }
  }

  get mac(): number[] {
    return Array.from(this.core.macAddress);
  }

  /** Queue one frame on a ring (PRIO or TX) and kick, as rt2500pci_write_tx_desc + kick_queue do. */
  send(ring: 'prio' | 'tx', mpdu: Uint8Array, o: { rate?: WifiRate; ack?: boolean; timestamp?: boolean; retryMode?: 'short' | 'long'; kick?: boolean } = {}): { desc: number; buf: number } {
    const R = this.rings!;
    const rr = R[ring];
    const idx = this.cur[ring];
    this.cur[ring] = (idx + 1) % rr.count;
    const desc = rr.base + idx * R.stride;
    const buf = this.bed.alloc(mpdu.length, 4);
    this.bed.memW(buf, mpdu);
    const rate = o.rate ?? 1;
    this.fillDesc(desc, buf, mpdu.length, rate, o);
    if (o.kick !== false) this.w(CSR.TXCSR0, ring === 'prio' ? 4 : 1);
    return { desc, buf };
  }

  fillDesc(desc: number, buf: number, len: number, rate: WifiRate, o: { ack?: boolean; timestamp?: boolean; retryMode?: 'short' | 'long'; ifs?: number }): void {
    this.bed.setMem32(desc + 4, buf);
    this.bed.setMem32(desc + 8, (2 << 6) | (4 << 8) | (10 << 12));
    this.bed.setMem32(desc + 12, txSignal(rate) | ((len + 4) << 16));
    const w0 = 0x1 | 0x2 | (o.ack ? 0x200 : 0) | (o.timestamp ? 0x400 : 0) | (isOfdm(rate) ? 0x800 : 0) | 0x1000
      | ((o.ifs ?? 0) << 13) | (o.retryMode === 'long' ? 0x8000 : 0) | (len << 16);
    this.bed.setMem32(desc, w0 >>> 0);
  }

  /** The RX descriptor `i` as the driver reads it. */
  rxDesc(i: number): { w0: number; len: number; signal: number; rssi: number; ta: number[]; data: Uint8Array; owner: boolean } {
    const R = this.rings!;
    const d = R.rx.base + i * R.stride;
    const w0 = this.bed.mem32(d);
    const w2 = this.bed.memR(d + 8, 8);
    const len = (w0 >>> 16) & 0xfff;
    return { w0, len, signal: w2[0]!, rssi: w2[1]!, ta: Array.from(w2.subarray(2, 8)), data: this.bed.memR(this.bed.mem32(d + 4), len), owner: (w0 & 1) === 1 };
  }

  /** Hand RX descriptor `i` back to the chip. */
  rxReturn(i: number): void {
    const d = this.rings!.rx.base + i * this.rings!.stride;
    this.bed.setMem32(d, 1);
  }

  txW0(ring: 'prio' | 'tx' | 'beacon', i: number): number {
    const R = this.rings!;
    return this.bed.mem32(R[ring].base + i * R.stride);
  }

  setMac(mac: number[], off: number = CSR.CSR3): void {
    this.w(off, (mac[0]! | (mac[1]! << 8) | (mac[2]! << 16) | (mac[3]! << 24)) >>> 0);
    this.w(off + 4, mac[4]! | (mac[5]! << 8));
  }
}

/** An 802.11 frame: frame control, duration, three addresses, sequence control, body. */
export function frame(fc: number, a1: number[], a2: number[], a3: number[], body: number[] = [], dur = 0, flags = 0): Uint8Array {
  return Uint8Array.from([fc, flags, dur & 0xff, dur >>> 8, ...a1, ...a2, ...a3, 0x10, 0x00, ...body]);
}

export const BCAST = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];

/** A third station's address (the tests' bystander). */
export const MAC_C = [0x00, 0x0c, 0x43, 0x25, 0x60, 0x0c];

/** Two chips 10 m apart on one quiet air (A at the origin), both opened by the driver `style`. */
export function openPair(style: 'linux' | 'bsd', counts?: Partial<Record<'tx' | 'prio' | 'rx', number>>): { bed: Bed; a: Chip; b: Chip } {
  const bed = new Bed({ chips: [{ mac: MAC_A, pos: { x: 0, y: 0, z: 0 } }, { mac: MAC_B, pos: { x: 10, y: 0, z: 0 } }], air: {} });
  const [a, b] = [bed.chips[0]!, bed.chips[1]!];
  a.open({ style, ...(counts ? { counts } : {}) });
  b.open({ style, ...(counts ? { counts } : {}) });
  return { bed, a, b };
}
