/** IPV6_JOIN_GROUP / IPV6_LEAVE_GROUP on AF_INET6 datagram sockets (ip6_setmoptions, RFC 3493 §5.2; sock6.ts). */
import { IPPROTO_IPV6, IPV6_JOIN_GROUP, IPV6_LEAVE_GROUP } from '../../stack/include/netinet/in';
import { AF_INET6, SOCK_DGRAM } from '../../stack/include/sys/socket';
import { Errno } from '../../stack/kernel/api';
import type { Ipv6Mreq } from '../../stack/net/ip6/sock6';
import type { Socket } from '../../stack/net/socket';
import type { NetStack } from '../../stack/net/stack';
import { macToString } from '../../stack/net/wire';
import { parseIpv6 } from '../../stack/net/wire/addr6';
import { makeStack6, run, S, type Node6 } from './ip6-harness';

const GROUP = new Uint8Array([0xff, 0x12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34]); // ff12::1234

function sock(s: NetStack): Socket {
  const so = s.sockets.create(AF_INET6, SOCK_DGRAM, 0);
  if (typeof so === 'number') throw new Error(`errno ${so}`);
  return so;
}
const opt = (s: NetStack, so: Socket, name: number, mreq: Ipv6Mreq): number =>
  s.sockets.setsockopt(so, IPPROTO_IPV6, name, mreq as unknown as number);
/** MLD messages (type, group's last byte) the node sent since the last call. */
function mld(n: Node6): number[] {
  const out = n.sent.filter((f) => f.data[20] === 0 && f.data[54] === 58).map((f) => f.data[62]!);
  n.sent.length = 0;
  return out;
}

describe('IPV6_JOIN_GROUP / IPV6_LEAVE_GROUP', () => {
  test('argument checks: not multicast → EINVAL, unknown index → ENXIO, twice → EADDRINUSE, leave unjoined → EADDRNOTAVAIL', () => {
    const n = makeStack6('00:50:c2:00:00:02', 3);
    const so = sock(n.s);
    expect(opt(n.s, so, IPV6_JOIN_GROUP, { multiaddr: parseIpv6('2001:db8::1')!, interface: 2 })).toBe(Errno.EINVAL);
    expect(n.s.sockets.setsockopt(so, IPPROTO_IPV6, IPV6_JOIN_GROUP, 5)).toBe(Errno.EINVAL);
    expect(opt(n.s, so, IPV6_JOIN_GROUP, { multiaddr: GROUP, interface: 9 })).toBe(Errno.ENXIO);
    expect(opt(n.s, so, IPV6_LEAVE_GROUP, { multiaddr: GROUP, interface: 2 })).toBe(Errno.EADDRNOTAVAIL);
    expect(opt(n.s, so, IPV6_JOIN_GROUP, { multiaddr: GROUP, interface: 2 })).toBe(0);
    expect(opt(n.s, so, IPV6_JOIN_GROUP, { multiaddr: GROUP, interface: 2 })).toBe(Errno.EADDRINUSE);
    // Interface 0: the kernel picks the interface the group routes to (en0, the only multicast one).
    const other = sock(n.s);
    expect(opt(n.s, other, IPV6_JOIN_GROUP, { multiaddr: parseIpv6('ff1e::77')!, interface: 0 })).toBe(0);
    expect(n.s.ip6!.sock.memberships(other).map((m) => m.ifp.name)).toEqual(['en0']);
  });

  test('two sockets, one in6_multi: one MAC filter entry, one MLD report; Done only when the last leaves (close included)', () => {
    const n = makeStack6('00:50:c2:00:00:02', 3);
    run([n], 12 * S);
    n.sent.length = 0;
    const a = sock(n.s);
    const b = sock(n.s);
    expect(opt(n.s, a, IPV6_JOIN_GROUP, { multiaddr: GROUP, interface: 2 })).toBe(0);
    expect(opt(n.s, b, IPV6_JOIN_GROUP, { multiaddr: GROUP, interface: 2 })).toBe(0);
    run([n], n.env.t);
    expect(mld(n)).toEqual([131]);
    expect(n.en0.multicast.map(macToString)).toContain('33:33:00:00:12:34');
    expect(n.s.ip6!.in6.isMember(n.en0, GROUP)).toBe(true);
    expect(opt(n.s, a, IPV6_LEAVE_GROUP, { multiaddr: GROUP, interface: 2 })).toBe(0);
    run([n], n.env.t);
    expect(mld(n)).toEqual([]);
    n.s.sockets.close(b); // ip6_freemoptions
    run([n], n.env.t);
    expect(mld(n)).toEqual([132]);
    expect(n.en0.multicast.map(macToString)).not.toContain('33:33:00:00:12:34');
    expect(n.s.ip6!.in6.isMember(n.en0, GROUP)).toBe(false);
  });
});
