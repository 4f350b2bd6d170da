/**
 * Test scaffolding for the NE2000 model: a tiny port bus over a RegisterHandler, an IRQ recorder, a trace
 * collector and a Linux-8390-style driver (lib8390.c / ne.c / ne2k-pci.c sequences, written from their
 * documented register order in facts/ne2000.md, not copied).
 */
import { Simulation, componentContext, type TraceRecord } from '../../emulator/machine/sim';
import type { AccessSize, IrqLine, RegisterHandler } from '../../emulator/machine/bus/types';
import type { Frame } from '../../emulator/machine/net/link';
import { Ne2000Isa } from '../../nic-models/ne2000/ne2000-isa';
import { Rtl8029Pci } from '../../nic-models/ne2000/rtl8029-pci';

// Linux 8390.h register names (page 0 unless noted).
export const CMD = 0x00;
export const PSTART = 0x01;
export const PSTOP = 0x02;
export const BNRY = 0x03;
export const TSR_TPSR = 0x04;
export const NCR_TBCR0 = 0x05;
export const TBCR1 = 0x06;
export const ISR_ = 0x07;
export const RSAR0 = 0x08;
export const RSAR1 = 0x09;
export const RBCR0 = 0x0a;
export const RBCR1 = 0x0b;
export const RSR_RCR = 0x0c;
export const CNTR0_TCR = 0x0d;
export const CNTR1_DCR = 0x0e;
export const CNTR2_IMR = 0x0f;
export const P1_CURR = 0x07;
export const DATA = 0x10;
export const RESET = 0x1f;

export class TestBus {
  accesses = 0;
  constructor(private readonly h: RegisterHandler) {}
  private rd(off: number, size: AccessSize): number {
    this.accesses++;
    return this.h.read(off, size);
  }
  private wr(off: number, size: AccessSize, v: number): void {
    this.accesses++;
    this.h.write(off, size, v);
  }
  inb(off: number): number {
    return this.rd(off, 1);
  }
  inw(off: number): number {
    return this.rd(off, 2);
  }
  inl(off: number): number {
    return this.rd(off, 4);
  }
  outb(off: number, v: number): void {
    this.wr(off, 1, v & 0xff);
  }
  outw(off: number, v: number): void {
    this.wr(off, 2, v & 0xffff);
  }
  outl(off: number, v: number): void {
    this.wr(off, 4, v >>> 0);
  }
  insb(off: number, n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.inb(off);
    return out;
  }
  /** n words into 2n bytes, little-endian. */
  insw(off: number, n: number): Uint8Array {
    const out = new Uint8Array(2 * n);
    for (let i = 0; i < n; i++) {
      const w = this.inw(off);
      out[2 * i] = w & 0xff;
      out[2 * i + 1] = w >> 8;
    }
    return out;
  }
  insl(off: number, n: number): Uint8Array {
    const out = new Uint8Array(4 * n);
    const dv = new DataView(out.buffer);
    for (let i = 0; i < n; i++) dv.setUint32(4 * i, this.inl(off), true);
    return out;
  }
  outsb(off: number, b: Uint8Array): void {
    for (const x of b) this.outb(off, x);
  }
  outsw(off: number, b: Uint8Array): void {
    for (let i = 0; i < b.length; i += 2) this.outw(off, b[i]! | ((b[i + 1] ?? 0) << 8));
  }
  outsl(off: number, b: Uint8Array): void {
    for (let i = 0; i < b.length; i += 4) {
      this.outl(off, (b[i]! | ((b[i + 1] ?? 0) << 8) | ((b[i + 2] ?? 0) << 16) | ((b[i + 3] ?? 0) << 24)) >>> 0);
    }
  }
}

export class IrqRecorder implements IrqLine {
  level = false;
  readonly edges: { t: number; level: boolean }[] = [];
  constructor(private readonly clock: { now: number }) {}
  set(level: boolean): void {
    if (level === this.level) return;
    this.level = level;
    this.edges.push({ t: this.clock.now, level });
  }
  get rises(): number {
    return this.edges.filter((e) => e.level).length;
  }
}

export function collect(sim: Simulation): TraceRecord[] {
  const recs: TraceRecord[] = [];
  sim.tracer.addSink((r) => recs.push(r));
  return recs;
}

export const MAC_A = [0x00, 0x00, 0xe8, 0x11, 0x22, 0x33];
export const MAC_B = [0x00, 0x00, 0xe8, 0x44, 0x55, 0x66];

export function isaCard(sim: Simulation, name = 'n0', mac = MAC_A, variant: 'ne2000' | 'ne1000' = 'ne2000') {
  const nic = new Ne2000Isa(componentContext(sim, 'alpha', `alpha.${name}`), { mac, variant });
  const irq = new IrqRecorder(sim.queue);
  nic.attachIrq(irq);
  return { nic, irq, bus: new TestBus(nic), core: nic.core };
}

export function pciCard(sim: Simulation, name = 'p0', mac = MAC_B) {
  const nic = new Rtl8029Pci(componentContext(sim, 'beta', `beta.${name}`), { mac });
  const irq = new IrqRecorder(sim.queue);
  nic.attachIntx(irq);
  const handler = nic.spec.bars[0]!.handler;
  return { nic, irq, bus: new TestBus(handler), core: nic.core };
}

/** Ethernet frame of `len` bytes (no FCS): dst, src, type 0x0800, payload pattern seeded by `tag`. */
export function makeFrame(dst: number[], src: number[], len: number, tag = 0): Uint8Array {
  const f = new Uint8Array(len);
  f.set(dst.slice(0, 6), 0);
  f.set(src.slice(0, 6), 6);
  f[12] = 0x08;
  f[13] = 0x00;
  for (let i = 14; i < len; i++) f[i] = (i * 7 + tag * 13) & 0xff;
  return f;
}

export function frameOf(data: Uint8Array, pktId = 0, extra: Partial<Frame> = {}): Frame {
  return { data, pktId, ...extra };
}

export { Simulation };
