/**
 * What the commands do when they are interrupted (Ctrl-C: SIGINT, a CI timeout or `kill`: SIGTERM; the reader of
 * standard output going away, `| head`: SIGPIPE, as `stdoutClosed`).
 *
 * The first signal only asks: the command notices it at its next safe point (between events of the
 * simulation, between worker messages), writes what it has (pcaps end at a record, the trace at a line,
 * JUnit, the summary line) and exits 128 + the signal number, as a shell reports a process a signal ended
 * (bash "EXIT STATUS": 128+n; SIGINT is 2, SIGTERM 15 → 130, 143). A second signal while it cleans up
 * exits at once, still leaving the terminal usable. The terminal is restored on every way out: the cursor
 * shown again and line wrap re-enabled (cli-progress hides the one and disables the other: ESC[?25l,
 * ESC[?7l) and raw mode left (console).
 *
 * This file is outside the simulated world: it reacts to the operating system.
 */
import * as os from 'node:os';

export type InterruptSignal = 'SIGINT' | 'SIGTERM' | 'SIGPIPE';

/** 128 + the signal's number (130 for SIGINT, 143 for SIGTERM, 141 for SIGPIPE). */
export function interruptStatus(sig: InterruptSignal): number {
  return 128 + os.constants.signals[sig];
}

/** Put the terminal back as it was: cursor visible, line wrap on (DECTCEM, DECAWM), stdin out of raw mode. */
export function restoreTerminal(): void {
  if (process.stdin.isTTY && process.stdin.isRaw) process.stdin.setRawMode(false);
  if (process.stdout.isTTY) process.stdout.write('\x1b[?25h\x1b[?7h');
}

export interface Interrupts {
  /** The signal that arrived first, or null. */
  readonly signal: InterruptSignal | null;
  /** Stop listening (the command finished normally). */
  dispose(): void;
}

/** The handlers of the commands listening now (onInterrupt): what `stdoutClosed` tells. */
const listening = new Set<(sig: InterruptSignal) => void>();

/**
 * `qnxemu … | head`: whoever read our standard output went away (EPIPE). Nothing more is printed there, and the
 * command winds down as on a signal — SIGPIPE, what a shell would have seen: its files end complete (pcaps at a
 * record, the trace at a line) and it exits 141. A command that listens for no signal (help, a short command)
 * exits 141 at once. Any other error on standard output is reported like any error (`fail`).
 */
export function stdoutClosed(): void {
  process.stdout.write = (() => true) as typeof process.stdout.write;
  process.exitCode = interruptStatus('SIGPIPE');
  if (listening.size === 0) process.exit(interruptStatus('SIGPIPE'));
  for (const h of [...listening]) h('SIGPIPE');
}

/**
 * Listen for SIGINT and SIGTERM. The first one calls `onFirst` (which makes the command wind down; it must
 * not exit itself); a second one restores the terminal, runs `onSecond` (kill what must not outlive us) and
 * exits at once with 128 + its number.
 */
export function onInterrupt(onFirst: (sig: InterruptSignal) => void, onSecond: (sig: InterruptSignal) => void = () => undefined): Interrupts {
  let first: InterruptSignal | null = null;
  const handler = (sig: InterruptSignal): void => {
    if (first === null) {
      first = sig;
      onFirst(sig);
      return;
    }
    try {
      onSecond(sig);
    } finally {
      restoreTerminal();
      process.exit(interruptStatus(sig));
    }
  };
  const sigs = ['SIGINT', 'SIGTERM'] as const;
  for (const s of sigs) process.on(s, handler);
  listening.add(handler);
  return {
    get signal() {
      return first;
    },
    dispose() {
      for (const s of sigs) process.removeListener(s, handler);
      listening.delete(handler);
    },
  };
}

/** Let pending signal handlers run: Node delivers signals between macrotasks, never inside synchronous code. */
export function yieldToSignals(): Promise<void> {
  // wall clock: none; setImmediate only hands the CLI's event loop a turn between simulation slices (outside the
  // simulated world: the slices run the same events in the same order).
  return new Promise((r) => setImmediate(r));
}
