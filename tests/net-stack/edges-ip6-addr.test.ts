/**
 * Edges of IPv6 interface addresses and route selection (stack/net/ip6/in6.ts, in6_src.ts): an address given a
 * preferred lifetime of 0 is deprecated from the moment it is added (RFC 4862 §5.5.4) so source selection avoids
 * it at once (RFC 6724 §5 rule 3); an address whose valid lifetime runs out is removed with an ip6 addr-delete
 * record; a link-local destination is "ours" only in its own zone (RFC 4007 §6, KAME's embedded scope), so an
 * address of en1 named with en0's scope goes out on en0; and a tentative address is not ours until DAD ends
 * (RFC 4862 §5.4), so a datagram to it is resolved on the link instead of looping back.
 */
import { AF_INET6, SOCK_DGRAM } from '../../stack/include/sys/socket';
import { sockaddrIn6 } from '../../stack/include/netinet/in';
import { IFF_RUNNING, IFF_UP } from '../../stack/net/if';
import { IN6_IFF_DEPRECATED, IN6_IFF_TENTATIVE } from '../../stack/net/ip6/in6';
import type { Socket } from '../../stack/net/socket';
import { ipv6ToString, parseIpv6 } from '../../stack/net/wire/addr6';
import { Icmp6Type } from '../../stack/net/wire/icmpv6';
import { fakeEther } from './harness';
import { makeStack6, run, S, type Node6 } from './ip6-harness';

function udpSock(n: Node6, port: number): Socket {
  const so = n.s.sockets.create(AF_INET6, SOCK_DGRAM, 0) as Socket;
  if (port) expect(n.s.sockets.bindAddr(so, sockaddrIn6(new Uint8Array(16), port))).toBe(0);
  return so;
}

describe('address lifetimes (RFC 4862 §5.5.4)', () => {
  test('an address added with a preferred lifetime of 0 is deprecated at once and not chosen as a source', () => {
    const n = makeStack6('00:50:c2:00:00:02', 5);
    run([n], 3 * S);
    const in6 = n.s.ip6!.in6;
    in6.add(n.en0, parseIpv6('2001:db8::2')!, 64);
    n.env.traces.length = 0;
    // 2001:db8::9 shares 127 bits with the destination 2001:db8::8 (rule 8 would pick it), but it is deprecated
    // (rule 3 comes first) from the start: no timer has to run for that.
    const dep = in6.add(n.en0, parseIpv6('2001:db8::9')!, 64, { vltime: 3600, pltime: 0 });
    expect(dep.flags & IN6_IFF_DEPRECATED).toBe(IN6_IFF_DEPRECATED);
    expect(n.env.traces.find((r) => r.probe === 'addr')!.f!.flags).toBe(IN6_IFF_DEPRECATED);
    const sel = n.s.ip6!.selectSource(parseIpv6('2001:db8::8')!);
    expect(typeof sel === 'number' ? sel : ipv6ToString(sel.src)).toBe('2001:db8::2');
    // Later it stays deprecated, and it never "becomes" deprecated (it always was).
    run([n], n.env.t + 10 * S);
    expect(dep.flags & IN6_IFF_DEPRECATED).toBe(IN6_IFF_DEPRECATED);
    expect(n.env.traces.filter((r) => r.probe === 'addr-deprecated')).toEqual([]);
  });

  test('an address whose valid lifetime runs out is removed, with an ip6 addr-delete record', () => {
    const n = makeStack6('00:50:c2:00:00:02', 5);
    run([n], 3 * S);
    const a = parseIpv6('2001:db8::9')!;
    n.s.ip6!.in6.add(n.en0, a, 64, { vltime: 2, pltime: 1 });
    const t0 = n.env.t;
    n.env.traces.length = 0;
    run([n], t0 + 2 * S - 1);
    expect(n.s.ip6!.in6.find(n.en0, a)).toBeDefined();
    run([n], t0 + 3 * S);
    expect(n.s.ip6!.in6.find(n.en0, a)).toBeUndefined();
    const recs = n.env.traces.filter((r) => r.layer === 'ip6' && r.probe.startsWith('addr'));
    expect(recs.map((r) => [r.probe, r.f])).toEqual([
      ['addr-deprecated', { if: 'en0', addr: '2001:db8::9' }],
      ['addr-delete', { if: 'en0', addr: '2001:db8::9' }],
    ]);
  });
});

describe('route selection for our own addresses (in6_selectroute)', () => {
  test('the link-local address of en1 named with the scope of en0 is not ours: it goes out on en0', () => {
    const n = makeStack6('00:50:c2:00:00:02', 5);
    const en1 = fakeEther('en1', '00:50:c2:00:00:03');
    n.s.attachInterface(en1, 'ether');
    en1.flags |= IFF_UP | IFF_RUNNING;
    n.s.ip6!.ifUp(en1);
    run([n], 3 * S);
    const ll1 = n.s.ip6!.in6.linkLocal(en1)!.addr;
    expect(ipv6ToString(ll1)).toBe('fe80::250:c2ff:fe00:3');
    const rx = udpSock(n, 7000);
    const tx = udpSock(n, 0);
    n.en0.snd.length = 0;
    n.sent.length = 0;
    en1.snd.length = 0;
    // RFC 4007 §6: fe80::250:c2ff:fe00:3%en0 and %en1 are different addresses; only the en1 one is ours.
    const scope0 = n.s.ip6!.indexOf(n.en0);
    expect(n.s.sockets.send(tx, Uint8Array.of(1), sockaddrIn6(ll1, 7000, scope0), 3)).toBe(1);
    run([n], n.env.t + 1);
    expect(rx.rcv.records).toHaveLength(0);
    // Address resolution for it starts on en0: a multicast NS for the target.
    const ns = n.sent.filter((f) => f.data[54] === Icmp6Type.NeighborSolicit);
    expect(ns).toHaveLength(1);
    expect(ipv6ToString(ns[0]!.data.slice(62, 78))).toBe('fe80::250:c2ff:fe00:3');
    // Named in its own zone it is ours, and the datagram loops back.
    expect(n.s.sockets.send(tx, Uint8Array.of(2), sockaddrIn6(ll1, 7000, n.s.ip6!.indexOf(en1)), 4)).toBe(1);
    run([n], n.env.t + 1);
    expect(rx.rcv.records.map((r) => [...r.data])).toEqual([[2]]);
  });

  test('a datagram to our own tentative address loops through lo0 and is dropped there until DAD ends', () => {
    const n = makeStack6('00:50:c2:00:00:02', 5);
    n.s.ip6!.in6.add(n.en0, parseIpv6('2001:db8::2')!, 64);
    run([n], 3 * S);
    const x = parseIpv6('2001:db8::5')!;
    const ia = n.s.ip6!.in6.add(n.en0, x, 64, { flags: IN6_IFF_TENTATIVE });
    n.s.ip6!.nd6.dadStart(ia);
    const rx = udpSock(n, 7000);
    const tx = udpSock(n, 0);
    n.sent.length = 0;
    // The address's loopback route exists from the moment it is added (KAME in6_ifinit), so the datagram goes
    // to lo0, not to address resolution on en0; ip6_input then drops it: RFC 4862 §5.4, "A tentative address
    // is not considered 'assigned to an interface'", and such packets are silently discarded.
    n.env.traces.length = 0;
    expect(n.s.sockets.send(tx, Uint8Array.of(1), sockaddrIn6(x, 7000), 3)).toBe(1);
    run([n], n.env.t + 1);
    expect(n.s.ip6!.nd6.lookup(n.en0, x)).toBeUndefined();
    expect(n.sent.filter((f) => f.data[54] === Icmp6Type.NeighborSolicit && ipv6ToString(f.data.slice(62, 78)) === '2001:db8::5')).toHaveLength(0);
    expect(n.env.traces.filter((t) => t.probe === 'drop').map((t) => t.f?.['reason'])).toEqual(['destination 2001:db8::5 is tentative or duplicated']);
    expect(rx.rcv.records).toHaveLength(0);
    // Once DAD has passed the address is ours and the datagram loops back through lo0.
    run([n], n.env.t + 3 * S);
    expect(ia.flags & IN6_IFF_TENTATIVE).toBe(0);
    expect(n.s.sockets.send(tx, Uint8Array.of(2), sockaddrIn6(x, 7000), 4)).toBe(1);
    run([n], n.env.t + 1);
    expect(rx.rcv.records.map((r) => [...r.data])).toEqual([[2]]);
  });

  test('an address refreshed by a second in6_update_ifa (an RA renewing its lifetimes) keeps one prefix route', () => {
    const n = makeStack6('00:50:c2:00:00:02', 5);
    run([n], 3 * S);
    const in6 = n.s.ip6!.in6;
    const routes = () => n.s.ip6!.routes.routes.filter((r) => r.origin === 'ifa' && r.ifp === n.en0 && r.plen === 64 && ipv6ToString(r.dst) === '2001:db8::');
    in6.add(n.en0, parseIpv6('2001:db8::2')!, 64, { vltime: 3600, pltime: 1800 });
    in6.add(n.en0, parseIpv6('2001:db8::2')!, 64, { vltime: 7200, pltime: 3600 });
    // A second address in the same prefix needs the same connected route, not another.
    in6.add(n.en0, parseIpv6('2001:db8::3')!, 64);
    expect(routes()).toHaveLength(1);
    expect(n.env.traces.filter((t) => t.probe === 'route-add' && t.f?.['dst'] === '2001:db8::/64')).toHaveLength(1);
  });
});
