/** IPv6 stacks on FakeEnvs joined by a frame pump that plays a hub (with each NIC's unicast filter), on one clock. */
import { IFF_RUNNING, IFF_UP, type Ifnet } from '../../stack/net/if';
import { NetStack } from '../../stack/net/stack';
import { macEquals, macIsGroup } from '../../stack/net/wire/addr';
import { EthernetFrame } from '../../stack/net/wire/ethernet';
import { FakeEnv, fakeEther } from './harness';

export interface Node6 {
  env: FakeEnv;
  s: NetStack;
  en0: Ifnet;
  /** Every frame this node sent, with the time. */
  sent: { t: number; data: Uint8Array }[];
}

/** A v6-hc stack with en0 up (link-local address, DAD and RS started), seeded `seed`. */
export function makeStack6(mac: string, seed = 0x2545f491, up = true): Node6 {
  const env = new FakeEnv();
  env.seed = seed;
  const s = new NetStack(env, { inet6: true });
  const en0 = fakeEther('en0', mac);
  s.attachInterface(en0, 'ether');
  if (up) {
    en0.flags |= IFF_UP | IFF_RUNNING;
    s.ip6!.ifUp(en0);
  }
  return { env, s, en0, sent: [] };
}

/** Frames out of every node onto the "wire" until nothing moves, then timers, until `untilNs`. */
export function run(nodes: Node6[], untilNs: number, drop?: (from: Node6, frame: Uint8Array) => boolean): void {
  for (;;) {
    let moved = true;
    while (moved) {
      moved = false;
      for (const n of nodes) {
        n.s.drainLoopback();
        for (const m of n.en0.snd.splice(0)) {
          moved = true;
          n.sent.push({ t: n.env.t, data: m.data.slice() });
          if (drop?.(n, m.data)) continue;
          const dst = new EthernetFrame(m.data).dst;
          for (const o of nodes) {
            if (o === n) continue;
            if (!macIsGroup(dst) && !macEquals(dst, o.en0.lladdr)) continue;
            o.s.input(o.en0, { data: m.data.slice(), pktId: m.pktId });
            o.s.drainLoopback();
          }
        }
      }
    }
    let next: number | null = null;
    for (const n of nodes) {
      const t = n.s.callouts.next();
      if (t !== null && (next === null || t < next)) next = t;
    }
    if (next === null || next > untilNs) {
      for (const n of nodes) n.env.t = Math.max(n.env.t, untilNs);
      return;
    }
    for (const n of nodes) {
      n.env.t = Math.max(n.env.t, next);
      n.s.runTimers();
    }
  }
}

export const MS = 1_000_000;
export const S = 1_000_000_000;
