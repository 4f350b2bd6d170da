/** A router between two links: h1 — r — h2, with static addresses and default routes through r. */
import { AF_INET6, SOCK_RAW } from '../../stack/include/sys/socket';
import { IPPROTO_ICMPV6, IPV6_UNICAST_HOPS, sockaddrIn6 } from '../../stack/include/netinet/in';
import { IFF_RUNNING, IFF_UP, type Ifnet } from '../../stack/net/if';
import { RTF } from '../../stack/net/route';
import type { Socket } from '../../stack/net/socket';
import type { NetStack } from '../../stack/net/stack';
import { macEquals, macIsGroup } from '../../stack/net/wire/addr';
import { parseIpv6 } from '../../stack/net/wire/addr6';
import { EthernetFrame } from '../../stack/net/wire/ethernet';
import { Icmp6Type, Icmpv6Packet } from '../../stack/net/wire/icmpv6';
import { Ipv6Packet } from '../../stack/net/wire/ipv6';
import { fakeEther } from './harness';
import { makeStack6, S, type Node6 } from './ip6-harness';

type End = { n: Node6; ifp: Ifnet };

function pump(nodes: Node6[], links: [End, End][], until: number, seen: Uint8Array[]): void {
  const all = (n: Node6) => n.s.ifs.list.filter((i) => i.name !== 'lo0');
  for (;;) {
    let moved = true;
    while (moved) {
      moved = false;
      for (const n of nodes) {
        n.s.drainLoopback();
        for (const ifp of all(n)) {
          for (const m of ifp.snd.splice(0)) {
            moved = true;
            seen.push(m.data.slice());
            for (const [a, b] of links) {
              const [from, to] = a.ifp === ifp ? [a, b] : b.ifp === ifp ? [b, a] : [null, null];
              if (!from || !to) continue;
              const dst = new EthernetFrame(m.data).dst;
              if (!macIsGroup(dst) && !macEquals(dst, to.ifp.lladdr)) continue;
              to.n.s.input(to.ifp, { data: m.data.slice(), pktId: m.pktId });
              to.n.s.drainLoopback();
            }
          }
        }
      }
    }
    let next: number | null = null;
    for (const n of nodes) {
      const t = n.s.callouts.next();
      if (t !== null && (next === null || t < next)) next = t;
    }
    if (next === null || next > until) {
      for (const n of nodes) n.env.t = Math.max(n.env.t, until);
      return;
    }
    for (const n of nodes) {
      n.env.t = next;
      n.s.runTimers();
    }
  }
}

function addr(s: NetStack, ifp: Ifnet, a: string, plen = 64): void {
  s.ip6!.in6.add(ifp, parseIpv6(a)!, plen);
}

function setup() {
  const h1 = makeStack6('00:50:c2:00:00:11', 1);
  const h2 = makeStack6('00:50:c2:00:00:22', 2);
  const r = makeStack6('00:50:c2:00:00:01', 3);
  const en1 = fakeEther('en1', '00:50:c2:00:01:01');
  r.s.attachInterface(en1, 'ether');
  en1.flags |= IFF_UP | IFF_RUNNING;
  r.s.ip6!.ifUp(en1);
  r.s.ip6!.setForwarding(true);
  addr(r.s, r.en0, '2001:db8:1::1');
  addr(r.s, en1, '2001:db8:2::1');
  addr(h1.s, h1.en0, '2001:db8:1::11');
  addr(h2.s, h2.en0, '2001:db8:2::22');
  h1.s.ip6!.routes.add({ dst: new Uint8Array(16), plen: 0, gateway: parseIpv6('fe80::250:c2ff:fe00:1')!, ifp: h1.en0, flags: RTF.UP | RTF.GATEWAY, origin: 'static' });
  h2.s.ip6!.routes.add({ dst: new Uint8Array(16), plen: 0, gateway: parseIpv6('fe80::250:c2ff:fe00:101')!, ifp: h2.en0, flags: RTF.UP | RTF.GATEWAY, origin: 'static' });
  const nodes = [h1, h2, r];
  const links: [End, End][] = [[{ n: h1, ifp: h1.en0 }, { n: r, ifp: r.en0 }], [{ n: h2, ifp: h2.en0 }, { n: r, ifp: en1 }]];
  const seen: Uint8Array[] = [];
  pump(nodes, links, 3 * S, seen);
  return { h1, h2, r, en1, run: (t: number) => pump(nodes, links, t, seen), seen };
}

function echo(seq: number): Uint8Array {
  const m = new Uint8Array(16);
  m[0] = Icmp6Type.EchoRequest;
  m[7] = seq;
  return m;
}

describe('ip6_forward', () => {
  test('h1 pings h2 through r: the hop limit drops by one each way', () => {
    const { h1, r, run, seen } = setup();
    const so = h1.s.sockets.create(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6) as Socket;
    expect(h1.s.sockets.send(so, echo(1), sockaddrIn6(parseIpv6('2001:db8:2::22')!), 1)).toBe(16);
    run(h1.env.t + 100_000_000);
    const rep = so.rcv.records.find((x) => x.data[0] === Icmp6Type.EchoReply);
    expect(rep).toBeDefined();
    expect((rep as unknown as { hlim: number }).hlim).toBe(63);
    expect(r.s.ip6!.stats.ip6.forward).toBe(2);
    const fwd = seen.filter((f) => f[12] === 0x86 && f[54] === Icmp6Type.EchoRequest).map((f) => new Ipv6Packet(f.subarray(14)).hlim);
    expect(fwd).toEqual([64, 63]);
  });

  test('hop limit 1 → Time Exceeded from the router; no route → Destination Unreachable (no route)', () => {
    const { h1, r, run } = setup();
    const so = h1.s.sockets.create(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6) as Socket;
    h1.s.ip6!.sock.setsockopt(so, IPV6_UNICAST_HOPS, 1);
    h1.s.sockets.send(so, echo(2), sockaddrIn6(parseIpv6('2001:db8:2::22')!), 1);
    run(h1.env.t + 100_000_000); // (one packet waits for the router's address; a second would replace it)
    h1.s.ip6!.sock.setsockopt(so, IPV6_UNICAST_HOPS, -1);
    h1.s.sockets.send(so, echo(3), sockaddrIn6(parseIpv6('2001:db8:9::9')!), 2);
    run(h1.env.t + 100_000_000);
    const errs = so.rcv.records.filter((x) => x.data[0]! < 128).map((x) => new Icmpv6Packet(x.data));
    expect(errs.map((p) => [p.type, p.code])).toEqual([[Icmp6Type.TimeExceeded, 0], [Icmp6Type.DstUnreach, 0]]);
    expect(r.s.ip6!.stats.ip6.cantforward).toBe(2);
  });
});
