/**
 * Random mutations of a valid frame (the conservation cases of check.ts): bit flips biased toward the headers,
 * truncation, bytes set to 0x00/0xff/random, random bytes appended, a 16-bit field overwritten. Whatever comes
 * out, the stack must deliver, answer, forward or count it. Every choice is drawn from the episode's Rng.
 */
import type { Rng } from '../../emulator/machine/sim/rng';
import { ETHER_HDR_LEN } from '../../stack/net/wire/ethernet';
import type { FrameCase } from './check';

const KINDS = ['bitflip', 'truncate', 'setbyte', 'append', 'field16', 'multi'] as const;

/** A position inside the first `span` bytes after the Ethernet header most of the time, anywhere otherwise. */
function pos(rng: Rng, n: number, span: number): number {
  if (n <= 0) return 0;
  if (rng.chance(0.8)) return Math.min(n - 1, ETHER_HDR_LEN + rng.below(Math.max(1, Math.min(span, n - ETHER_HDR_LEN))));
  return rng.below(n);
}

export function mutate(rng: Rng, frame: Uint8Array, span = 64): { frame: Uint8Array; how: string } {
  const kind = KINDS[rng.below(KINDS.length)]!;
  let b = frame.slice();
  switch (kind) {
    case 'bitflip': {
      const flips = 1 + rng.below(4);
      for (let k = 0; k < flips; k++) {
        const i = pos(rng, b.length, span);
        b[i] = b[i]! ^ (1 << rng.below(8));
      }
      break;
    }
    case 'truncate':
      b = b.subarray(0, rng.below(b.length + 1)).slice();
      break;
    case 'setbyte': {
      const i = pos(rng, b.length, span);
      const v = [0x00, 0xff, rng.u32() & 0xff, 0x7f, 0x80][rng.below(5)]!;
      b[i] = v;
      break;
    }
    case 'append': {
      const extra = new Uint8Array(1 + rng.below(64));
      for (let i = 0; i < extra.length; i++) extra[i] = rng.u32() & 0xff;
      const out = new Uint8Array(b.length + extra.length);
      out.set(b);
      out.set(extra, b.length);
      b = out;
      break;
    }
    case 'field16': {
      const i = pos(rng, b.length - 1, span);
      const v = [0x0000, 0xffff, rng.u32() & 0xffff, 0x8000, 0x0001][rng.below(5)]!;
      if (i + 1 < b.length) {
        b[i] = v >> 8;
        b[i + 1] = v & 0xff;
      }
      break;
    }
    case 'multi': {
      const n = 2 + rng.below(6);
      for (let k = 0; k < n; k++) b[pos(rng, b.length, span)] = rng.u32() & 0xff;
      break;
    }
  }
  return { frame: b, how: kind };
}

/** A random case from a valid frame. */
export function randomCase(rng: Rng, layer: string, frame: Uint8Array, adv: number, span = 64): FrameCase {
  const m = mutate(rng, frame, span);
  return { kind: 'random', label: `${layer}/random-${m.how}`, frame: m.frame, adv };
}

/** Virtual time before a frame: mostly back to back, sometimes timer-scale gaps (ms, s, tens of s). */
export function drawAdvance(rng: Rng): number {
  const r = rng.float();
  if (r < 0.55) return rng.below(1_000_000); // < 1 ms
  if (r < 0.85) return rng.below(200_000_000); // < 200 ms (delayed ACK, fast timer)
  if (r < 0.97) return rng.below(3_000_000_000); // < 3 s (RTO, ARP retry)
  return 5_000_000_000 + rng.below(60_000_000_000); // 5..65 s (reassembly timeouts, TIME_WAIT, keepalive)
}
