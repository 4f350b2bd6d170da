/**
 * A simulated CPU as the scheduler (scheduler.ts) sees it: what it is doing, the thread on it, its one CPU event,
 * its interrupt continuation and its busy counters. Split from scheduler.ts for size.
 */
import { SimEvent } from '../../emulator/machine/sim/event';
import { Priority } from '../../emulator/machine/sim/priority';
import type { Thread } from './types';

/** What a CPU is doing. 'intr': handling an interrupt (its thread, if any, is paused and stays RUNNING). */
export type CpuMode = 'idle' | 'switch' | 'run' | 'intr';

export class Cpu {
  mode: CpuMode = 'idle';
  thread: Thread | null = null;
  /** The thread whose context is loaded (no switch cost to resume it). */
  lastThread: Thread | null = null;
  /** When the current timed piece started. */
  pieceStart = 0;
  /** Continuation of the current interrupt phase. */
  intrNext: (() => void) | null = null;
  /** Vectors delivered by the I/O APIC and not yet taken (the local APIC's IRR). */
  readonly apicPending: number[] = [];
  busyNs = 0;
  intrNs = 0;
  readonly ev: SimEvent;
  constructor(readonly id: number, onEvent: (cpu: Cpu) => void, nodeName: string) {
    this.ev = new SimEvent(`${nodeName}.cpu${id}`, () => onEvent(this), Priority.Cpu);
  }
}

/**
 * Internal switch for tests (not a user option): false = every piece of a thread's CPU time ends at its own CPU
 * event, as before pieces ran inline (the reference path tests compare the inline path with).
 */
export const cpuPieces = { inline: true };
