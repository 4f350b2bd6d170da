/**
 * The progress line of a run made before a session starts (`qnxemu debug`'s lookahead, a threaded run recorded by
 * `debug` or `web`), on stderr when it is a terminal. Used by debug-cmd.ts and emulator/app/web/web-cmd.ts.
 */
import { performance } from 'node:perf_hooks';
import type { LookaheadProgress } from '../debug/timeline';

/** A terminal line to draw on: process.stderr, or a test's stand-in. */
export interface ProgressStream {
  isTTY?: boolean;
  write(s: string): unknown;
}

/** Wall time before the progress line appears (a short lookahead prints nothing), and between redraws. */
const PROGRESS_AFTER_MS = 500;
const PROGRESS_EVERY_MS = 100;

/**
 * The lookahead's progress line: `lookahead: 42% 2.100000 s of 5.000000 s virtual, 81920 events, 612345 records`,
 * redrawn in place on a terminal, erased when the lookahead ends; nothing at all when `stream` is not a TTY.
 * `clock` is the wall clock in ms: reporting only (when to draw), never the simulation's time.
 * wall clock: performance.now decides only when the terminal line is redrawn (outside the simulated world).
 */
export function lookaheadProgress(stream: ProgressStream, clock: () => number = () => performance.now()): (p: LookaheadProgress) => void {
  if (!stream.isTTY) return () => undefined;
  const t0 = clock();
  let last = -Infinity;
  let drawn = false;
  return (p) => {
    if (p.done) {
      if (drawn) stream.write('\r\x1b[K');
      return;
    }
    const now = clock();
    if (now - t0 < PROGRESS_AFTER_MS || now - last < PROGRESS_EVERY_MS) return;
    last = now;
    drawn = true;
    const pct = p.until > 0 ? Math.min(100, Math.floor((p.now / p.until) * 100)) : 0;
    stream.write(`\r\x1b[K${p.what ?? 'lookahead'}: ${pct}% ${(p.now / 1e9).toFixed(6)} s of ${(p.until / 1e9).toFixed(6)} s virtual, ${p.events} events, ${p.records} records`);
  };
}
