import type { Time } from '../sim/time';
import { readState, stateVersions } from '../sim/snapshot';

/**
 * A guest's virtual clock (docs/guest-time-model.md). Guest time, in integer nanoseconds on the simulation's
 * time axis, is
 *
 *     start + instructions × NS_PER_INSTRUCTION + reads × NS_PER_CLOCK_READ + idle + stall
 *
 * (NS_PER_INSTRUCTION = 1: a 1000-MIPS CPU; `setSpeed` changes the rate from a point on.)
 *
 * - `instructions`: v86's retired-instruction counter (a u32 in wasm memory that wraps; accumulated here).
 * - `reads`: how often v86 read this clock. v86's JIT keeps the instruction count in a local and stores it
 *   only when compiled code exits, so two reads inside one compiled loop would see the same count; charging
 *   each read keeps the clock strictly increasing (by ≥ 2 ns, so `rdtsc`, which v86 computes as
 *   floor(ms × 10⁶), never returns the same value twice and v86's "imprecise browser clock" extrapolation,
 *   whose state is not in its snapshots, never engages).
 * - `idle`: time skipped while the CPU was halted (HLT), added when the simulation resumes it.
 * - `stall`: time the CPU spent waiting on bus cycles to our devices (port I/O, configuration cycles), as the
 *   bus computes it (emulator/machine/board/isa-bus.ts, pci-bus.ts): v86 retires an IN or OUT in one
 *   instruction, a real CPU waits for the ISA or PCI cycle to finish, so a guest driver sees the same chip
 *   timing as a simulated one.
 *
 * Nothing here reads a host clock.
 */
export const NS_PER_INSTRUCTION = 1;
export const NS_PER_CLOCK_READ = 2;

export interface GuestClockState {
  v: 2;
  start: Time;
  instructions: number;
  reads: number;
  idle: Time;
  /** Guest ns per instruction since `rateFrom` instructions (a slowed CPU: setSpeed). */
  nsPerInstruction: number;
  rateFrom: number;
  /** Time the instructions before `rateFrom` took. */
  rateBase: Time;
  /** Bus stall time so far. */
  stall: Time;
}

/** Version 2 added `stall`; a version-1 clock (saved before bus timing) had none. */
const CLOCK_STATE = stateVersions('guest clock', 2, { minimum: 1, upgrades: { 1: (old) => ({ ...old, stall: 0 }) } });

export class GuestClock {
  private start: Time = 0;
  private instructions = 0;
  private reads = 0;
  private idle: Time = 0;
  private lastRaw = 0;
  private nsPerInstruction = NS_PER_INSTRUCTION;
  private rateFrom = 0;
  private rateBase: Time = 0;
  private stalled: Time = 0;

  /** `counter` reads v86's instruction counter (u32). */
  constructor(private readonly counter: () => number) {}

  /** Power-on at simulation time `t` (the counter is whatever v86 holds now). */
  powerOn(t: Time): void {
    this.start = t;
    this.instructions = 0;
    this.reads = 0;
    this.idle = 0;
    this.nsPerInstruction = NS_PER_INSTRUCTION;
    this.rateFrom = 0;
    this.rateBase = 0;
    this.stalled = 0;
    this.lastRaw = this.counter() >>> 0;
  }

  /** The CPU waited `ns` for a bus cycle (an access to one of our devices). */
  stall(ns: Time): void {
    if (ns > 0) this.stalled += Math.round(ns);
  }

  /** Total bus stall time so far. */
  get stallNs(): Time {
    return this.stalled;
  }

  /**
   * Change the CPU's speed from now on: `ns` guest nanoseconds per instruction (1 = the default 1000 MIPS;
   * 100 = a 10 MIPS machine). A stress knob: a slow guest falls behind its NIC.
   */
  setSpeed(ns: number): void {
    if (!Number.isInteger(ns) || ns < 1) throw new RangeError(`guest speed: ${ns} ns per instruction`);
    this.poll();
    this.rateBase += (this.instructions - this.rateFrom) * this.nsPerInstruction;
    this.rateFrom = this.instructions;
    this.nsPerInstruction = ns;
  }

  private poll(): void {
    const raw = this.counter() >>> 0;
    this.instructions += (raw - this.lastRaw) >>> 0;
    this.lastRaw = raw;
  }

  /** Guest time now (ns). Does not count as a guest clock read. */
  now(): Time {
    this.poll();
    const busy = this.rateBase + (this.instructions - this.rateFrom) * this.nsPerInstruction;
    return this.start + busy + this.reads * NS_PER_CLOCK_READ + this.idle + this.stalled;
  }

  /** A read by v86 (microtick): charges one read and returns the time in ns (v86 wants ms: divide by 1e6). */
  readNs(): Time {
    this.reads++;
    return this.now();
  }

  /** Instructions retired since power-on. */
  get retired(): number {
    this.poll();
    return this.instructions;
  }

  /** Total idle time skipped so far. */
  get idleNs(): Time {
    return this.idle;
  }

  /** The halted CPU resumes at simulation time `t`: the time in between was idle. No effect if t <= now. */
  skipTo(t: Time): void {
    const n = this.now();
    if (t > n) this.idle += t - n;
  }

  saveState(): GuestClockState {
    this.poll();
    return {
      v: 2,
      start: this.start,
      instructions: this.instructions,
      reads: this.reads,
      idle: this.idle,
      nsPerInstruction: this.nsPerInstruction,
      rateFrom: this.rateFrom,
      rateBase: this.rateBase,
      stall: this.stalled,
    };
  }

  /**
   * Restore (version 1 or 2; a version-1 state had no stall term); the instruction counter of the (restored)
   * v86 is re-read as the new reference.
   */
  loadState(saved: { v: number }): void {
    const s = readState<GuestClockState>('guest clock', CLOCK_STATE, saved);
    this.start = s.start;
    this.instructions = s.instructions;
    this.reads = s.reads;
    this.idle = s.idle;
    this.nsPerInstruction = s.nsPerInstruction;
    this.rateFrom = s.rateFrom;
    this.rateBase = s.rateBase;
    this.stalled = s.stall;
    this.lastRaw = this.counter() >>> 0;
  }
}
