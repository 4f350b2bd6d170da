import type { ProgramMain } from '../../kernel/api';

/** CPU time `spin` burns per work() call: small enough that preemption points stay fine-grained. */
const SLICE_NS = 100_000;

/**
 * `spin seconds` — a test utility (not a QNX program): burn CPU for that much virtual time, in slices, at the
 * priority it was started with (`[pri=40] spin 0.2 &` in a boot script). It reproduces the classic QNX
 * situation of an application at a higher priority than io-pkt's receive threads starving the network stack.
 */
export const spin: ProgramMain = function* (ctx, argv) {
  const s = argv[1];
  if (s === undefined || !/^\d+(\.\d*)?$|^\.\d+$/.test(s)) {
    ctx.print(`spin: usage: spin seconds\n`);
    return 1;
  }
  let left = Math.round(Number(s) * 1e9);
  while (left > 0) {
    const n = Math.min(SLICE_NS, left);
    yield* ctx.work(n);
    left -= n;
  }
  return 0;
};
