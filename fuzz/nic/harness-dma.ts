/**
 * The NIC harness's view of bus-master DMA (docs/fuzzing.md "DMA stays inside what the driver gave the chip"):
 * the rig's bus master is wrapped (`DmaTap`) so that every transfer the device makes — address, length, read or
 * write — passes a `DmaWatch` before (writes) or after (reads) it reaches host memory. The watch keeps the host
 * regions the driver has given the chip so far (`GivenRegions`: sorted, merged intervals, so a transfer is one
 * binary search) and fails a transfer that lies outside all of them: a real chip only touches what its registers
 * and descriptors name (PCI 3.0 §3.2: a bus master addresses only what it was programmed with; e.g. tg3/bge give
 * the BCM5701 its rings through RCBs and its buffers through BDs, rt2500pci the RT2560 its rings through
 * TXCSR2–6/RXCSR1–2 and its buffers through descriptor W1).
 *
 * Which regions are given is the model's knowledge (`NicDmaModel`): `named` reads the registers as they stand
 * (rings, status blocks, engine descriptors) — after every register write and again whenever a transfer falls
 * outside what was given — and `fetched` reads the descriptors the chip fetched from a given ring (their buffers). Regions stay given
 * for the rest of the episode (a driver that moved a ring does not take the old memory back from the chip).
 */
import type { DmaMemory } from '../../emulator/machine/bus/types';
import type { NicOp, NicRig } from './harness';

/**
 * Declares a host region the driver gave the chip. `what` names it in failure lines; a `%` in it stands for `index`
 * (in hex after `0x`; formatted only when the region is new: descriptors are fetched far more often than they name new memory).
 */
export type GiveFn = (addr: number, len: number, what: string, index?: number) => void;

/** A model's side of the DMA invariant (NicFuzzModel.dma). */
export interface NicDmaModel {
  /** Host regions the chip's registers name now (rings, status and statistics blocks, engine descriptors). */
  named(rig: NicRig, give: GiveFn): void;
  /** A read the chip made inside a given region: the descriptors in it name more (their buffers). Optional. */
  fetched?(rig: NicRig, addr: number, bytes: Uint8Array, give: GiveFn): void;
}

/** A chip with no bus-master DMA (the NE2000 family: remote DMA is chip-internal): any host transfer fails. */
export const NO_HOST_DMA: NicDmaModel = { named: () => undefined };

/** Labelled regions kept for failure lines (the merged intervals carry no names). */
const MAX_LABELS = 4096;

const hex = (n: number): string => `0x${n.toString(16)}`;

/** Host regions given so far: disjoint sorted intervals [start, end), merged as they are added. */
export class GivenRegions {
  private starts: number[] = [];
  private ends: number[] = [];
  private readonly labels: { start: number; end: number; what: string }[] = [];

  get intervals(): number {
    return this.starts.length;
  }

  /** Index of the last interval starting at or below `addr`, or −1. */
  private find(addr: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid]! <= addr) {
        at = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return at;
  }

  covers(addr: number, len: number): boolean {
    const i = this.find(addr);
    return i >= 0 && addr + len <= this.ends[i]!;
  }

  give(addr: number, len: number, what: string, index = 0): void {
    if (!Number.isFinite(addr) || !Number.isFinite(len) || len <= 0 || this.covers(addr, len)) return;
    let start = addr;
    let end = addr + len;
    // Merge with every interval that overlaps or touches [start, end).
    let i = this.find(start);
    if (i >= 0 && this.ends[i]! >= start) start = this.starts[i]!;
    else i++;
    let j = i;
    while (j < this.starts.length && this.starts[j]! <= end) {
      end = Math.max(end, this.ends[j]!);
      j++;
    }
    this.starts.splice(i, j - i, start);
    this.ends.splice(i, j - i, end);
    if (this.labels.length < MAX_LABELS) this.labels.push({ start: addr, end: addr + len, what: what.replace('%', what.includes('0x%') ? index.toString(16) : String(index)) });
  }

  /** The named region nearest to [addr, addr + len), for a failure line. */
  nearest(addr: number, len: number): string {
    let best: { start: number; end: number; what: string } | undefined;
    let gap = Infinity;
    for (const l of this.labels) {
      const d = addr >= l.end ? addr - l.end : addr + len <= l.start ? l.start - (addr + len) : 0;
      if (d < gap) [best, gap] = [l, d];
    }
    if (!best) return 'none given';
    const where = addr >= best.end ? (gap === 0 ? 'just past its end' : `${gap} bytes past its end`) : addr + len <= best.start ? (gap === 0 ? 'just before it' : `${gap} bytes before it`) : 'overlapping it';
    return `${best.what} ${hex(best.start)}–${hex(best.end - 1)}, ${where}`;
  }
}

/** The bus master the device is attached to, reporting every transfer to `observer`. */
export class DmaTap implements DmaMemory {
  observer: ((dir: 'read' | 'write', addr: number, bytes: Uint8Array) => void) | null = null;
  transfers = 0;

  constructor(private readonly inner: DmaMemory) {}

  get aborts(): number {
    return this.inner.aborts ?? 0;
  }

  read(addr: number, dst: Uint8Array): number {
    const t = this.inner.read(addr, dst);
    this.transfers++;
    this.observer?.('read', addr, dst);
    return t;
  }

  write(addr: number, src: Uint8Array): number {
    this.transfers++;
    this.observer?.('write', addr, src);
    return this.inner.write(addr, src);
  }
}

/** Checks each transfer against the given regions; the first violation of an op is its failure line. */
export class DmaWatch {
  readonly given = new GivenRegions();
  private violation: string | null = null;
  private readonly give: GiveFn = (a, l, w, i) => this.given.give(a, l, w, i);

  constructor(
    private readonly rig: NicRig,
    private readonly model: NicDmaModel,
    tap: DmaTap,
  ) {
    tap.observer = (dir, addr, bytes) => this.transfer(dir, addr, bytes);
  }

  /** The registers as they stand name these regions (after every op, and on a miss). */
  refresh(): void {
    this.model.named(this.rig, this.give);
  }

  private transfer(dir: 'read' | 'write', addr: number, bytes: Uint8Array): void {
    const len = bytes.length;
    if (len === 0) return;
    if (!this.given.covers(addr, len)) {
      this.refresh();
      if (!this.given.covers(addr, len)) {
        this.violation ??= `DMA ${dir} of ${len} bytes at ${hex(addr)} outside what the driver gave the chip (nearest: ${this.given.nearest(addr, len)})`;
        return;
      }
    }
    if (dir === 'read') this.model.fetched?.(this.rig, addr, bytes, this.give);
  }

  /**
   * The op's first violation (cleared). After a register write the registers are read again (a one-shot queued
   * there may run only later, when nothing names it any more); other ops change no register a driver wrote.
   */
  take(op?: NicOp): string | null {
    const v = this.violation;
    this.violation = null;
    if (op === undefined || op.op === 'wr') this.refresh();
    return v;
  }
}
