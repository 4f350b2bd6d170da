/**
 * Which of V8's WebAssembly compilers run v86 in this process: Liftoff only (the baseline compiler), unless node
 * was started with a tiering flag of its own.
 *
 * v86 runs guest code as WebAssembly twice over: its core (build/v86.wasm, the interpreter and the helpers) and
 * the modules its JIT generates for hot guest code, one function per 4 KiB guest page and up to ≈ 200 KiB of wasm
 * each. V8 compiles every function with Liftoff first and, once it has run enough, again with TurboFan on
 * background threads (dynamic tiering). For the JIT's functions that second compile costs far more than it
 * returns: one TurboFan compile of such a function takes 0.4–0.8 s of CPU (`node --trace-wasm-compilation-times`),
 * the JIT replaces its modules as the guest's code changes, and one Linux boot to its shell spent ≈ 20 s of CPU in
 * TurboFan for 12.3 s of wall time (18.9 s user) on a 2-core machine, where Liftoff alone ran the same boot in
 * 11.2 s wall on one core (11.4 s user). The second core is then free for a second guest (`--threads`), another
 * jest worker, or the OS. Which compiler ran changes no result: v86 counts guest instructions, not host time, so
 * traces, consoles and pcaps are bit-identical either way (tests/guest-clock/wasm-tiers.test.ts). Measured side by
 * side by `npm run bench` (`guest-boot-liftoff`); the reasoning is in docs/performance.md "V8's wasm tiers".
 *
 * A browser (the web page) decides its own tiers: node:v8 is a no-op shim there.
 */
import * as v8 from 'node:v8';

/** The V8 flag this module sets. */
export const LIFTOFF_ONLY = '--liftoff-only';

/** node's own command-line flags that choose wasm tiers: given any of them, the user's choice stands. */
const TIER_FLAG = /^--(no-)?(liftoff|liftoff-only|wasm-tier-up|wasm-dynamic-tiering)(=|$)/;

let decided: boolean | null = null;

/** node's command-line flags, or null in a browser (no `process`). */
function nodeExecArgv(): readonly string[] | null {
  return typeof process === 'object' && Array.isArray(process.execArgv) ? process.execArgv : null;
}

/**
 * Set V8 to Liftoff only for the rest of this process (worker threads included: V8's flags are per process),
 * before v86's first module is compiled. Returns whether Liftoff-only is in force by this module's doing.
 */
export function chooseWasmTiers(execArgv: readonly string[] | null = nodeExecArgv()): boolean {
  if (decided !== null) return decided;
  decided = execArgv !== null && !execArgv.some((a) => TIER_FLAG.test(a));
  if (decided) v8.setFlagsFromString(LIFTOFF_ONLY);
  return decided;
}
