/** IPv6 stacks on FakeEnvs joined by a frame pump that plays a hub (with each NIC's unicast filter), on one clock. */
import { IFF_RUNNING, IFF_UP, type Ifnet } from '../../stack/net/if';
import { NetStack } from '../../stack/net/stack';
import { macEquals, macIsGroup } from '../../stack/net/wire/addr';
import { EthernetFrame } from '../../stack/net/wire/ethernet';
import { udp6Checksum } from '../../stack/net/ip6/udp6';
import type { Ipv6Addr } from '../../stack/net/wire/addr6';
import { Ipv6Packet, Ipv6Repr } from '../../stack/net/wire/ipv6';
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

/** The link-layer address of the peer the input tests play (fe80::9 and its other addresses). */
export const PEER_MAC = [0x00, 0x50, 0xc2, 0, 0, 9];
/** The host's link-layer address in those tests (makeStack6's first argument). */
export const HOST_MAC = [0x00, 0x50, 0xc2, 0, 0, 2];

/** A host (HOST_MAC) with `addr`/64 on en0, DAD over, `neighbours` known at PEER_MAC; nothing queued or traced. */
export function hostWithNeighbours(addr: Ipv6Addr, neighbours: Ipv6Addr[]): Node6 {
  const n = makeStack6('00:50:c2:00:00:02', 5);
  n.s.ip6!.in6.add(n.en0, addr, 64);
  run([n], 3 * S);
  // Known neighbours, so that answers go out at once.
  for (const a of neighbours) n.s.ip6!.nd6.cacheLladdr(n.en0, a, Uint8Array.from(PEER_MAC), false);
  return quiet(n);
}

/** `n` with nothing queued on en0, sent or traced so far (a test's start after its set-up). */
export function quiet(n: Node6): Node6 {
  n.en0.snd.length = 0;
  n.sent.length = 0;
  n.env.traces.length = 0;
  return n;
}

/** An Ethernet frame from PEER_MAC to `toMac` carrying an IPv6 packet (src, dst, nxt, hlim) with `body` after its fixed header. */
export function peerFrame(toMac: number[], src: Ipv6Addr, dst: Ipv6Addr, nxt: number, body: Uint8Array, hlim = 64): Uint8Array {
  const f = new Uint8Array(14 + 40 + body.length);
  f.set([...toMac, ...PEER_MAC, 0x86, 0xdd]);
  Ipv6Repr.emit({ src, dst, nxt, hlim, trafficClass: 0, flowLabel: 0, payloadLen: body.length }, new Ipv6Packet(f.subarray(14)));
  f.set(body, 54);
  return f;
}

/** A UDP datagram from port 12345 to `dport` carrying `payload`, its checksum filled (left 0 with `zeroSum`). */
export function udp6Datagram(src: Ipv6Addr, dst: Ipv6Addr, dport: number, payload: number[], zeroSum = false): Uint8Array {
  const u = new Uint8Array(8 + payload.length);
  u.set([0x30, 0x39, dport >> 8, dport & 0xff, u.length >> 8, u.length & 0xff]);
  u.set(payload, 8);
  if (!zeroSum) {
    const c = udp6Checksum(u, src, dst);
    u.set([c >> 8, c & 0xff], 6);
  }
  return u;
}
