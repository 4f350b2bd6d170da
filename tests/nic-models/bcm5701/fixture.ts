/**
 * One fixture for the BCM5701 tests (design §6): a board with RAM and the chip plugged into PCI slot 3 (real
 * bus-master DMA into board RAM, INTA# through the PIIX3), BAR0 programmed as start-up would, and a `Host` that
 * acts as a driver on a simulated thread would: every config cycle and MMIO access costs the time the board's
 * bus says and takes effect at the end of it; delays advance virtual time; polls read until a condition holds
 * and fail the test when the driver would have timed out. `replay(steps)` runs the design's §2.0 step format.
 */
import { Simulation, componentContext, type TraceRecord } from '../../../emulator/machine/sim';
import { Board } from '../../../emulator/machine/board/board';
import type { Medium } from '../../../emulator/machine/net/link';
import type { PciSegmentConfig } from '../../../emulator/machine/bus/types';
import { Bcm5701Pci } from '../../../nic-models/bcm5701/bcm5701-pci';
import type { Bcm5701Core } from '../../../nic-models/bcm5701/core';

export const MAC = [0x00, 0x10, 0x18, 0x01, 0x57, 0x01];
export const SLOT = 3;
export const BAR = 0xe0000000;
export const US = 1000;
export const MS = 1_000_000;

export type Step =
  | { op: 'cr' | 'cw'; off: number; size: 1 | 2 | 4; value?: number; expect?: number; mask?: number }
  | { op: 'r'; off: number; expect?: number; mask?: number }
  | { op: 'w' | 'wr'; off: number; value: number }
  | { op: 'poll'; off: number; mask: number; until: number; everyNs: number; max: number; via?: 'mmio' | 'cfg' }
  | { op: 'sram-r' | 'sram-w'; addr: number; value?: number; expect?: number; via: 'tg3' | 'bge-cfg' | 'bge-win' }
  | { op: 'mii-r' | 'mii-w'; reg: number; value?: number; expect?: number; mask?: number }
  | { op: 'ee-r'; addr: number; expect?: number; style: 'tg3' | 'bge' }
  | { op: 'delay'; ns: number }
  | { op: 'irq'; level: boolean };

export interface HostOptions {
  seed?: number;
  mac?: number[];
  phyTimeScale?: number;
  verbose?: boolean;
  medium?: (sim: Simulation) => Medium;
  /** Leave bus mastering off (hostile tests). */
  noMaster?: boolean;
  ramBytes?: number;
  /** The board's PCI segment (default 33 MHz, 32 bits). */
  pci?: PciSegmentConfig;
}

export class Host {
  readonly sim: Simulation;
  readonly board: Board;
  readonly nic: Bcm5701Pci;
  readonly core: Bcm5701Core;
  readonly recs: TraceRecord[] = [];
  private heap = 0x100000;

  constructor(o: HostOptions = {}) {
    this.sim = new Simulation(o.seed ?? 1);
    this.sim.tracer.verbose = o.verbose ?? false;
    this.sim.tracer.addSink((r) => this.recs.push(r));
    const ctx = (name: string) => componentContext(this.sim, 'alpha', `alpha.${name}`);
    this.board = new Board(ctx('board'), { ramBytes: o.ramBytes ?? 16 * 1024 * 1024, cpus: 1, interruptController: '8259', ...(o.pci ? { pci: o.pci } : {}) });
    this.nic = new Bcm5701Pci(ctx('nic0'), { mac: o.mac ?? MAC, phyTimeScale: o.phyTimeScale ?? 0.001 });
    this.core = this.nic.core;
    const { dma } = this.board.addPciDevice(this.nic.fn, SLOT);
    this.nic.attachDma(dma);
    if (o.medium) this.nic.connect(o.medium(this.sim));
    // Start-up: BAR0 at 0xe0000000, memory decode and bus mastering on (the driver's pci_enable/pci_set_master).
    const cs = this.board.pci.get(SLOT)!;
    cs.write(0x10, 4, BAR);
    cs.write(0x04, 2, o.noMaster ? 0x0002 : 0x0006);
  }

  get now(): number {
    return this.sim.queue.now;
  }

  /** Let virtual time pass (events run). */
  delay(ns: number): void {
    this.sim.queue.runUntil(this.now + Math.max(0, Math.round(ns)));
  }

  /** INTA# of the chip as driven now. */
  get irq(): boolean {
    return this.core.irq.asserted;
  }

  // ---- bus accesses, timed as the board charges them ----

  r(off: number): number {
    this.delay(this.board.mmio.cycleNs(BAR + off, 4, false));
    return this.board.mmio.read(BAR + off, 4);
  }

  w(off: number, v: number): void {
    this.delay(this.board.mmio.cycleNs(BAR + off, 4, true));
    this.board.mmio.write(BAR + off, 4, v >>> 0);
  }

  /** tg3 `tw32_f` on 5701: write, then read back. */
  wr(off: number, v: number): number {
    this.w(off, v);
    return this.r(off);
  }

  private cfgSelect(off: number): void {
    const a = (0x80000000 | (SLOT << 11) | (off & 0xfc)) >>> 0;
    this.delay(this.board.io.cycleNs(0xcf8, 4, true));
    this.board.io.write(0xcf8, 4, a);
  }

  cr(off: number, size: 1 | 2 | 4 = 4): number {
    this.cfgSelect(off);
    const port = 0xcfc + (off & 3);
    this.delay(this.board.io.cycleNs(port, size, false));
    return this.board.io.read(port, size);
  }

  cw(off: number, v: number, size: 1 | 2 | 4 = 4): void {
    this.cfgSelect(off);
    const port = 0xcfc + (off & 3);
    this.delay(this.board.io.cycleNs(port, size, true));
    this.board.io.write(port, size, v >>> 0);
  }

  /** Read until (value & mask) === until, every `everyNs`, at most `max` reads; returns the reads it took. */
  poll(read: () => number, mask: number, until: number, everyNs: number, max: number, what = 'poll'): number {
    for (let i = 1; i <= max; i++) {
      if (((read() & mask) >>> 0) === until >>> 0) return i;
      this.delay(everyNs);
    }
    throw new Error(`${what}: timed out after ${max} reads`);
  }

  // ---- SRAM, as the drivers reach it ----

  /** tg3_read_mem on conventional PCI: MMIO 0x7c, 0x84, then 0x7c = 0. */
  sramR(addr: number, via: 'tg3' | 'bge-cfg' | 'bge-win' = 'tg3'): number {
    if (via === 'bge-win') return this.r(0x8000 + addr);
    if (via === 'bge-cfg') {
      this.cw(0x7c, addr);
      const v = this.cr(0x84);
      this.cw(0x7c, 0);
      return v;
    }
    this.wr(0x7c, addr);
    const v = this.r(0x84);
    this.wr(0x7c, 0);
    return v;
  }

  sramW(addr: number, v: number, via: 'tg3' | 'bge-cfg' | 'bge-win' = 'tg3'): void {
    if (via === 'bge-win') return this.w(0x8000 + addr, v);
    if (via === 'bge-cfg') {
      this.cw(0x7c, addr);
      this.cw(0x84, v);
      this.cw(0x7c, 0);
      return;
    }
    this.wr(0x7c, addr);
    this.wr(0x84, v);
    this.wr(0x7c, 0);
  }

  // ---- MII management and EEPROM, as the drivers do them ----

  /** tg3 __tg3_readphy (auto-poll off): MI_COM read frame, poll BUSY every 10 µs, 5 µs, read again. */
  miiR(reg: number): { value: number; failed: boolean } {
    this.wr(0x44c, (1 << 21) | (reg << 16) | 0x08000000 | 0x20000000);
    this.poll(() => this.r(0x44c), 0x20000000, 0, 10 * US, 5000, `MI read ${reg}`);
    this.delay(5 * US);
    const v = this.r(0x44c);
    return { value: v & 0xffff, failed: (v & 0x10000000) !== 0 };
  }

  miiW(reg: number, value: number): void {
    this.wr(0x44c, (1 << 21) | (reg << 16) | (value & 0xffff) | 0x04000000 | 0x20000000);
    this.poll(() => this.r(0x44c), 0x20000000, 0, 10 * US, 5000, `MI write ${reg}`);
    this.delay(5 * US);
  }

  /** One EEPROM dword: tg3 style returns the big-endian word (swab32 of DATA); bge style returns byte `addr`. */
  eeR(addr: number, style: 'tg3' | 'bge' = 'tg3'): number {
    if (style === 'tg3') {
      const t = this.r(0x6838) & ~(0xffff | 0x1c000000 | 0x80000000);
      this.wr(0x6838, (t | addr | 0x80000000 | 0x02000000) >>> 0);
      this.poll(() => this.r(0x6838), 0x40000000, 0x40000000, MS, 1000, `EEPROM read ${addr}`);
      const v = this.r(0x683c);
      return (((v & 0xff) << 24) | (((v >>> 8) & 0xff) << 16) | (((v >>> 16) & 0xff) << 8) | (v >>> 24)) >>> 0;
    }
    this.w(0x6838, 0x20000000 | (384 << 16));
    this.delay(20 * US);
    this.w(0x6838, (0xc3800000 | addr) >>> 0);
    this.poll(() => this.r(0x6838), 0x40000000, 0x40000000, 10 * US, 100000, `EEPROM byte ${addr}`);
    return (this.r(0x683c) >>> (8 * (addr % 4))) & 0xff;
  }

  // ---- host memory ----

  alloc(bytes: number, align = 4096): number {
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

  /** Trace records on layer nic with this probe (and reason). */
  traced(probe: string, reason?: string): TraceRecord[] {
    return this.recs.filter((r) => r.layer === 'nic' && r.probe === probe && (reason === undefined || r.f?.['reason'] === reason));
  }

  // ---- the design's replay format ----

  replay(steps: readonly Step[]): void {
    steps.forEach((s, i) => {
      const at = `step ${i} (${JSON.stringify(s)})`;
      const check = (got: number, want: number | undefined, mask = 0xffffffff): void => {
        if (want !== undefined && ((got & mask) >>> 0) !== ((want & mask) >>> 0)) {
          throw new Error(`${at}: read 0x${(got >>> 0).toString(16)}, expected 0x${(want >>> 0).toString(16)} (mask 0x${(mask >>> 0).toString(16)})`);
        }
      };
      switch (s.op) {
        case 'cr': return check(this.cr(s.off, s.size), s.expect, s.mask);
        case 'cw': return this.cw(s.off, s.value ?? 0, s.size);
        case 'r': return check(this.r(s.off), s.expect, s.mask);
        case 'w': return this.w(s.off, s.value);
        case 'wr': return void this.wr(s.off, s.value);
        case 'poll': {
          const read = s.via === 'cfg' ? () => this.cr(s.off) : () => this.r(s.off);
          this.poll(read, s.mask, s.until, s.everyNs, s.max, at);
          return;
        }
        case 'sram-r': return check(this.sramR(s.addr, s.via), s.expect);
        case 'sram-w': return this.sramW(s.addr, s.value ?? 0, s.via);
        case 'mii-r': return check(this.miiR(s.reg).value, s.expect, s.mask ?? 0xffff);
        case 'mii-w': return this.miiW(s.reg, s.value ?? 0);
        case 'ee-r': return check(this.eeR(s.addr, s.style), s.expect);
        case 'delay': return this.delay(s.ns);
        case 'irq':
          if (this.irq !== s.level) throw new Error(`${at}: INTA# is ${this.irq ? 'asserted' : 'low'}`);
          return;
      }
    });
  }
}

/** A 32-bit little-endian view helper for host structures. */
export function le32(b: Uint8Array, off: number): number {
  return (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24)) >>> 0;
}
