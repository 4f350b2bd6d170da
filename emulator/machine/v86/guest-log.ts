import { b64ToBytes, bytesToB64, readState, stateVersions } from '../sim/snapshot';
import type { Time } from '../sim/time';

/**
 * Everything a guest did to the rest of the simulation, in order, so the simulation can be rebuilt without
 * running the guest (docs/guest-time-model.md, "Snapshots"). Between a guest and the world there are only:
 *
 * - register accesses from the guest (port I/O, PCI configuration), all made inside CPU quanta;
 * - serial output, also inside quanta;
 * - the points where the queue caught up to the guest's clock inside a quantum (GuestMachine.sync);
 * - where its next quantum was scheduled: at the end of each quantum, and when an interrupt or serial input
 *   ("a poke") woke the halted CPU early;
 * - data it supplied to bus-master DMA reads.
 *
 * Replaying this log against the same scenario and seed reproduces every event, frame and trace record of
 * the original run; only the guest's CPU and RAM are missing, and those come from v86's own snapshot.
 */
export interface GuestQuantum {
  /**
   * Register accesses (pairs: code, value — see `accessCode`), catch-ups (pairs: -1, time), the CPU's clock at
   * console text in a worker thread (pairs: -2, time; guest-machine.ts STAMP) and console text, in the order they
   * happened.
   */
  ops: (number | string)[];
  /** When the next quantum was scheduled. */
  next: Time;
}

export interface GuestWake {
  /** Index of the poke (interrupt-line change or serial input, counted from power-on) that woke the CPU. */
  poke: number;
  /** The time the quantum was moved to. */
  at: Time;
}

/**
 * Access code: target (register window id) × 2²⁰ + offset × 16 + size × 2 + write. Offsets are 16 bits: a
 * memory BAR is up to 64 KiB (BCM5701 BAR0); port windows and configuration space use the low 8 bits.
 */
export function accessCode(target: number, offset: number, size: number, write: boolean): number {
  return target * ACCESS_TARGET + (offset & 0xffff) * 16 + size * 2 + (write ? 1 : 0);
}

const ACCESS_TARGET = 2 ** 20;

export function decodeAccess(code: number): { target: number; offset: number; size: 1 | 2 | 4; write: boolean } {
  return {
    target: Math.floor(code / ACCESS_TARGET),
    offset: (code >>> 4) & 0xffff,
    size: ((code >>> 1) & 7) as 1 | 2 | 4,
    write: (code & 1) === 1,
  };
}

export interface GuestLogState {
  v: 2;
  quanta: GuestQuantum[];
  wakes: GuestWake[];
  dma: string[];
}

/**
 * Version 2 widened the access code's offset from 8 to 16 bits (memory BARs); a version-1 log (port and
 * configuration accesses only: target × 4096 + offset × 16 + size × 2 + write) is re-encoded.
 */
export const GUEST_LOG_STATE = stateVersions('guest log', 2, {
  minimum: 1,
  upgrades: { 1: (old) => ({ ...old, quanta: (old['quanta'] as GuestQuantum[]).map((q) => ({ ops: recodeV1(q.ops), next: q.next })) }) },
});

/** A version-1 quantum's ops with its access codes re-encoded (ops: console text, or pairs code/-1, value). */
function recodeV1(ops: readonly (number | string)[]): (number | string)[] {
  const out = [...ops];
  for (let i = 0; i < out.length; ) {
    const op = out[i]!;
    if (typeof op === 'string') {
      i++;
      continue;
    }
    if (op !== -1) out[i] = accessCode(Math.floor(op / 4096), (op >>> 4) & 0xff, (op >>> 1) & 7, (op & 1) === 1);
    i += 2;
  }
  return out;
}

export class GuestLog {
  quanta: GuestQuantum[] = [];
  wakes: GuestWake[] = [];
  dma: Uint8Array[] = [];

  /** Replay cursors. */
  private qi = 0;
  private wi = 0;
  private di = 0;

  nextQuantum(): GuestQuantum | undefined {
    return this.quanta[this.qi++];
  }

  /** The wake recorded for poke number `poke`, if any (consumed). */
  wakeAt(poke: number): GuestWake | undefined {
    const w = this.wakes[this.wi];
    if (w && w.poke === poke) {
      this.wi++;
      return w;
    }
    return undefined;
  }

  nextDma(): Uint8Array | undefined {
    return this.dma[this.di++];
  }

  /** Everything was consumed (a replay that ends at the snapshot point must have used the whole log). */
  get exhausted(): boolean {
    return this.qi === this.quanta.length && this.wi === this.wakes.length && this.di === this.dma.length;
  }

  get position(): string {
    return `quantum ${this.qi}/${this.quanta.length}, wake ${this.wi}/${this.wakes.length}, dma ${this.di}/${this.dma.length}`;
  }

  saveState(): GuestLogState {
    return { v: 2, quanta: this.quanta.map((q) => ({ ops: [...q.ops], next: q.next })), wakes: this.wakes.map((w) => ({ ...w })), dma: this.dma.map(bytesToB64) };
  }

  /** A saved log (version 1 or 2). */
  static load(saved: { v: number }): GuestLog {
    const s = readState<GuestLogState>('guest log', GUEST_LOG_STATE, saved);
    const l = new GuestLog();
    l.quanta = s.quanta.map((q) => ({ ops: [...q.ops], next: q.next }));
    l.wakes = s.wakes.map((w) => ({ ...w }));
    l.dma = s.dma.map((d) => b64ToBytes(d));
    return l;
  }
}
