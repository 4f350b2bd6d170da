/**
 * How a target's generator picks each frame: a weighted table of valid, targeted and random case makers (a data
 * table per target, as the datasheet-style register tables elsewhere), with the first frame of every episode an
 * ARP request from the peer so our ARP cache knows it and answers leave at once.
 */
import type { Rng } from '../../emulator/machine/sim/rng';
import { ArpOp } from '../../stack/net/wire/arp';
import { ETHER_BROADCAST } from '../../stack/net/wire/addr';
import { arp, ether, EtherType } from './build';
import type { FrameCase } from './check';
import { PEER, PEER_MAC, US } from './env';
import type { FrameGen, GenCtx } from './episode';
import { drawAdvance } from './mutate';

/** A case maker: returns a frame case for the current state, or null when it cannot (the next row is tried). */
export interface CaseRow {
  w: number;
  make: (g: GenCtx) => FrameCase | null;
}

/** The frame a peer announces itself with (who-has US tell PEER, broadcast). */
export function peerArpRequest(adv = 0): FrameCase {
  const pl = arp({ op: ArpOp.Request, sha: PEER_MAC, spa: PEER, tha: new Uint8Array(6), tpa: US });
  return { kind: 'valid', label: 'arp/peer-request', frame: ether(ETHER_BROADCAST as Uint8Array, PEER_MAC, EtherType.ARP, pl), adv };
}

/** A generator drawing rows by weight (rows that return null are skipped). */
export function weighted(rows: readonly CaseRow[], first?: (g: GenCtx) => FrameCase | null): FrameGen {
  const total = rows.reduce((n, r) => n + r.w, 0);
  return (g) => {
    if (g.i === 0) return first?.(g) ?? peerArpRequest();
    for (let tries = 0; tries < 16; tries++) {
      let x = g.rng.float() * total;
      for (const r of rows) {
        x -= r.w;
        if (x < 0) {
          const c = r.make(g);
          if (c) return c;
          break;
        }
      }
    }
    return peerArpRequest(drawAdvance(g.rng));
  };
}

/** Draw one of `xs`. */
export function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.below(xs.length)]!;
}
