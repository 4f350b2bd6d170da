/**
 * Which of V8's WebAssembly compilers run v86 in this process: v86's core with V8's default tiering, the modules
 * its JIT generates with Liftoff alone, unless node was started with a tiering flag of its own.
 *
 * v86 runs guest code as WebAssembly twice over: its core (build/v86.wasm, the interpreter and the helpers) and
 * the modules its JIT generates for hot guest code, one function per 4 KiB guest page and up to ≈ 200 KiB of wasm
 * each. V8 compiles every function with Liftoff (its baseline compiler) first and, once it has run enough, again
 * with TurboFan on background threads (dynamic tiering). For the JIT's functions that second compile costs far
 * more than it returns: one TurboFan compile of such a function takes 0.4–0.8 s of CPU (`node
 * --trace-wasm-compilation-times`), the JIT replaces its modules as the guest's code changes, and one Linux boot to
 * its shell spent ≈ 18 s of CPU in TurboFan for the JIT's modules (≈ 2 s for the core's 348 hot functions). The
 * core's TurboFan code pays for itself: it runs the whole run, and above all right after a start or restore, before
 * the JIT has compiled anything.
 *
 * V8 fixes a module's tiers when the module is created (`--liftoff-only` turns dynamic tiering off by implication),
 * so the core is compiled with V8's defaults and everything after it with `--liftoff-only` in force. Which compiler
 * ran changes no result: v86 counts guest instructions, not host time, so traces, consoles and pcaps are
 * bit-identical either way (tests/v86/wasm-tiers.test.ts). Measured side by side by `npm run bench`
 * (`guest-boot-liftoff`); docs/performance.md "V8's wasm tiers" has the figures.
 *
 * A browser (the web page) decides its own tiers: node:v8 is a no-op shim there.
 */
import * as v8 from 'node:v8';

/** The V8 flag this module sets. */
export const LIFTOFF_ONLY = '--liftoff-only';
/** V8's defaults, which `--liftoff-only` turns off by implication and `--no-liftoff-only` does not turn back on. */
const V8_DEFAULT_TIERS = ['--no-liftoff-only', '--wasm-tier-up', '--wasm-dynamic-tiering'];

/** node's own command-line flags that choose wasm tiers (V8 reads `_` as `-`): given any of them, the user's choice stands. */
const TIER_FLAG = /^--(no[-_])?(liftoff|liftoff[-_]only|wasm[-_]tier[-_]up|wasm[-_]dynamic[-_]tiering)(=|$)/;

let decided: boolean | null = null;

/** node's command-line flags, or null in a browser (no `process`). */
function nodeExecArgv(): readonly string[] | null {
  return typeof process === 'object' && Array.isArray(process.execArgv) ? process.execArgv : null;
}

/**
 * Set V8 to Liftoff only for the rest of this process (worker threads included: V8's flags are per process),
 * before v86's JIT compiles its first module. Returns whether Liftoff-only is in force by this module's doing.
 */
export function chooseWasmTiers(execArgv: readonly string[] | null = nodeExecArgv()): boolean {
  if (decided !== null) return decided;
  decided = execArgv !== null && !execArgv.some((a) => TIER_FLAG.test(a));
  if (decided) v8.setFlagsFromString(LIFTOFF_ONLY);
  return decided;
}

/**
 * `compile()` (creating v86's core module) with V8's default tiers, Liftoff-only again afterwards, when this module
 * chose Liftoff-only; otherwise just `compile()`. V8's flags are per process: a worker thread's JIT module created
 * in between would tier up too (a cost, never a different result), so the main thread compiles the core once and
 * hands it to the guests' workers (emulator/app/assembly/guest-workers.ts).
 */
export function withDefaultTiers<T>(compile: () => T): T {
  if (!chooseWasmTiers()) return compile();
  for (const f of V8_DEFAULT_TIERS) v8.setFlagsFromString(f);
  try {
    return compile();
  } finally {
    v8.setFlagsFromString(LIFTOFF_ONLY);
  }
}
