/**
 * A small PCI function with a 64 KiB memory BAR and a bus-master copy engine, for testing the v86 adapter's
 * MMIO windows and DMA without a NIC model. It uses the ID of QEMU's PCI test device (1b36:0005, class 0x00ff00),
 * which no Linux driver claims, so the guest reaches it only with `devmem` and sysfs.
 *
 * BAR0 (memory, 64 KiB, non-prefetchable):
 *   0x0000 ID        RO  0x1b360005
 *   0x0004 SCRATCH   RW  any width
 *   0x0010 DMA_SRC   RW  bus address the engine reads from
 *   0x0014 DMA_DST   RW  bus address it writes to
 *   0x0018 DMA_LEN   RW  bytes (1–4096)
 *   0x001c DMA_CTRL  W: bit 0 starts a copy; R: bit 0 busy, bit 1 done, bit 2 a master abort happened
 *   0x0020 DMA_SUM   RO  sum of the bytes the last copy read (the engine's own view: replay must agree)
 *   0x0024 ACCESSES  RO  accesses to the BAR so far, this one included
 *   0x8000–0xffff    32 KiB of RAM, any width
 * Target timing: medium DEVSEL#, 4 wait states on registers, 6 on the RAM (what the BCM5701 design assumes).
 */
import type { AccessSize, DmaMemory, IrqLine, PciFunction, PciFunctionSpec, RegisterHandler } from '../../emulator/machine/bus/types';
import type { PciTargetTiming } from '../../emulator/machine/bus/timing';
import type { ComponentContext } from '../../emulator/machine/sim/context';
import { SimEvent } from '../../emulator/machine/sim/event';
import { Priority } from '../../emulator/machine/sim/priority';
import type { Time } from '../../emulator/machine/sim/time';

export const TEST_DEV_ID = 0x1b360005;
export const RAM_WINDOW = 0x8000;
export const REG = { ID: 0x00, SCRATCH: 0x04, DMA_SRC: 0x10, DMA_DST: 0x14, DMA_LEN: 0x18, DMA_CTRL: 0x1c, DMA_SUM: 0x20, ACCESSES: 0x24 } as const;

export const TEST_DEV_TIMING: PciTargetTiming = {
  devsel: 'medium',
  waitClocks: (_bar, offset) => (offset >= RAM_WINDOW ? 6 : 4),
};

export interface TestAccess {
  t: Time;
  offset: number;
  size: AccessSize;
  write: boolean;
  value: number;
}

export interface CopyRecord {
  start: Time;
  done: Time;
  src: number;
  dst: number;
  len: number;
  readNs: number;
  writeNs: number;
  aborted: boolean;
}

export class MmioTestDevice implements PciFunction {
  readonly spec: PciFunctionSpec;
  readonly ram = new Uint8Array(0x8000);
  readonly accesses: TestAccess[] = [];
  readonly copies: CopyRecord[] = [];
  scratch = 0;
  src = 0;
  dst = 0;
  len = 0;
  busy = false;
  done = false;
  aborted = false;
  sum = 0;
  private dma: DmaMemory | null = null;
  /** Device-specific configuration reads (none: a test may watch them). */
  configRead: ((offset: number, size: AccessSize) => number | undefined) | undefined = undefined;
  private readonly doneEv: SimEvent;

  constructor(private readonly ctx: ComponentContext) {
    const handler: RegisterHandler = { read: (o, s) => this.read(o, s), write: (o, s, v) => this.write(o, s, v) };
    this.spec = {
      vendorId: 0x1b36,
      deviceId: 0x0005,
      revision: 0,
      classCode: 0x00ff00,
      interruptPin: 0,
      timing: TEST_DEV_TIMING,
      bars: [{ kind: 'mem32', size: 0x10000, handler }],
    };
    this.doneEv = new SimEvent(`${ctx.name}.copyDone`, () => this.finish(), Priority.Device);
  }

  attachIntx(_line: IrqLine): void {}

  attachDma(dma: DmaMemory): void {
    this.dma = dma;
  }

  /** What a replay must rebuild identically. */
  state(): object {
    return { scratch: this.scratch, src: this.src, dst: this.dst, len: this.len, busy: this.busy, done: this.done, aborted: this.aborted, sum: this.sum, ram: Array.from(this.ram.subarray(0, 64)), accesses: this.accesses.length, copies: this.copies };
  }

  private read(offset: number, size: AccessSize): number {
    this.accesses.push({ t: this.ctx.queue.now, offset, size, write: false, value: 0 });
    let v: number;
    if (offset >= RAM_WINDOW) {
      v = 0;
      for (let i = 0; i < size; i++) v += (this.ram[(offset - RAM_WINDOW + i) & 0x7fff] ?? 0) * 2 ** (8 * i);
    } else {
      const reg = this.reg(offset & ~3);
      v = size === 4 ? reg : (reg >>> (8 * (offset & 3))) & (size === 2 ? 0xffff : 0xff);
    }
    this.accesses[this.accesses.length - 1]!.value = v;
    return v >>> 0;
  }

  private reg(off: number): number {
    switch (off) {
      case REG.ID: return TEST_DEV_ID;
      case REG.SCRATCH: return this.scratch;
      case REG.DMA_SRC: return this.src;
      case REG.DMA_DST: return this.dst;
      case REG.DMA_LEN: return this.len;
      case REG.DMA_CTRL: return (this.busy ? 1 : 0) | (this.done ? 2 : 0) | (this.aborted ? 4 : 0);
      case REG.DMA_SUM: return this.sum;
      case REG.ACCESSES: return this.accesses.length;
      default: return 0;
    }
  }

  private write(offset: number, size: AccessSize, value: number): void {
    this.accesses.push({ t: this.ctx.queue.now, offset, size, write: true, value });
    if (offset >= RAM_WINDOW) {
      for (let i = 0; i < size; i++) this.ram[(offset - RAM_WINDOW + i) & 0x7fff] = (value >>> (8 * i)) & 0xff;
      return;
    }
    const off = offset & ~3;
    const shift = 8 * (offset & 3);
    const mask = (size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff) * 2 ** shift;
    const merge = (old: number): number => ((old & ~mask) | ((value * 2 ** shift) & mask)) >>> 0;
    switch (off) {
      case REG.SCRATCH: this.scratch = merge(this.scratch); break;
      case REG.DMA_SRC: this.src = merge(this.src); break;
      case REG.DMA_DST: this.dst = merge(this.dst); break;
      case REG.DMA_LEN: this.len = merge(this.len); break;
      case REG.DMA_CTRL: if (value & 1) this.start(); break;
      default: break;
    }
  }

  /** A copy: one burst read of the source, one burst write of the destination, done when both took place. */
  private start(): void {
    const dma = this.dma;
    if (this.busy || !dma || this.len < 1 || this.len > 4096) return;
    const buf = new Uint8Array(this.len);
    const before = dma.aborts ?? 0;
    const now = this.ctx.queue.now;
    const readNs = dma.read(this.src, buf);
    const writeNs = dma.write(this.dst, buf);
    this.sum = buf.reduce((a, b) => a + b, 0);
    this.aborted = (dma.aborts ?? 0) !== before;
    this.busy = true;
    this.done = false;
    this.copies.push({ start: now, done: now + readNs + writeNs, src: this.src, dst: this.dst, len: this.len, readNs, writeNs, aborted: this.aborted });
    this.ctx.queue.schedule(this.doneEv, now + readNs + writeNs);
  }

  private finish(): void {
    this.busy = false;
    this.done = true;
  }
}
