/**
 * The WpaHost a program hands its state machine: sends, keys, port control and deauthentication become
 * driver_bsd calls queued on the event loop (run in order after the callback), timers are the loop's, random
 * octets come from the node's /dev/random, and log lines go to the program's output.
 */
import type { ThreadCtx } from '../../kernel/api';
import type { BsdDriver } from './driver-bsd';
import type { Eloop } from './eloop';
import type { WpaHost } from './sm-host';

/** CPU a state-machine step costs beyond its crypto (parsing, bookkeeping): order of magnitude for ~1 GHz. */
export const WPA_EVENT_NS = 20_000;
/** PBKDF2-HMAC-SHA1 with 4096 iterations: 2 × 4096 × 2 HMAC-SHA1 ≈ 16 k SHA-1 blocks at ~1 µs each. */
export const PBKDF2_PSK_NS = 16_000_000;
/** One PRF-384 (3 HMAC-SHA1) or one EAPOL-Key MIC: a few SHA-1 blocks. */
export const PRF_NS = 15_000;

export function programHost(ctx: ThreadCtx, loop: Eloop, drv: BsdDriver, print: (t: string) => void): WpaHost {
  return {
    now: () => ctx.now(),
    sendEapol: (dst, frame) => {
      ctx.charge(WPA_EVENT_NS + PRF_NS);
      loop.defer(() => drv.sendEapol(ctx, dst, frame));
    },
    installKey: (k) => loop.defer(function* () {
      yield* drv.setKey(ctx, k);
    }),
    authorize: (a, on) => loop.defer(function* () {
      yield* drv.authorize(ctx, a, on);
    }),
    deauth: (a, reason) => loop.defer(function* () {
      yield* drv.deauth(ctx, a, reason);
    }),
    timeout: (ns, fn) => loop.timeout(ns, fn),
    random: (n) => {
      if (!ctx.getrandom) throw new Error('no /dev/random on this kernel');
      return ctx.getrandom(n);
    },
    log: (t) => print(`${t}\n`),
  };
}
