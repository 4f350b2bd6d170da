/**
 * IPv6 between io-pkt-v6-hc nodes on test wires: link-local addresses on `ifconfig up`, ping6 over a scope
 * zone, ndp -a, a router advertising with rtadvd and a host configuring a global address from it (SLAAC),
 * UDP over IPv6 between two programs, and io-pkt-v4 refusing AF_INET6.
 */
import { Errno, type Co, type ProgramMain, type ThreadCtx } from '../../stack/kernel/api';
import { sockaddrIn6, type SockAddrIn6 } from '../../stack/include/netinet/in';
import { AF_INET6, SOCK_DGRAM } from '../../stack/include/sys/socket';
import { bind, close, errno, recvfrom, sendto, socket } from '../../stack/lib/socket';
import { ipv6ToString, parseIpv6 } from '../../stack/net/wire/addr6';
import { connect } from './fake-net';
import { makeNode, newSim } from './rig';

/** udp6 test programs: `u6recv PORT` prints one datagram; `u6send ADDR%IF PORT TEXT`. */
const u6recv: ProgramMain = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
  const s = yield* socket(ctx, AF_INET6, SOCK_DGRAM, 0);
  if (s < 0) return 1;
  if ((yield* bind(ctx, s, sockaddrIn6(new Uint8Array(16), Number(argv[1])))) < 0) return 1;
  const r = yield* recvfrom(ctx, s, 2048);
  const from = r.from as SockAddrIn6;
  ctx.print(`u6recv: ${r.n} bytes from [${ipv6ToString(from.addr)}]:${from.port} "${new TextDecoder().decode(r.data)}"\n`);
  yield* close(ctx, s);
  return 0;
};
const u6send: ProgramMain = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
  const s = yield* socket(ctx, AF_INET6, SOCK_DGRAM, 0);
  if (s < 0) {
    ctx.print(`u6send: socket: errno ${errno(ctx)}\n`);
    return 1;
  }
  const [a, zone] = argv[1]!.split('%');
  const n = yield* sendto(ctx, s, new TextEncoder().encode(argv[3]!), 0, sockaddrIn6(parseIpv6(a!)!, Number(argv[2]), zone ? 2 : 0));
  ctx.print(`u6send: ${n}\n`);
  yield* close(ctx, s);
  return 0;
};
const programs = { u6recv, u6send };

function setup(seed = 5) {
  const sim = newSim(seed);
  const a = makeNode(sim, 'alpha', { macBase: 1, programs });
  const b = makeNode(sim, 'beta', { macBase: 2, programs });
  connect(a.nics[0]!, b.nics[0]!, 200_000);
  return { sim, a, b };
}

describe('IPv6 between two io-pkt-v6-hc nodes', () => {
  test('ifconfig up gives a link-local address; ping6 over %en0 both ways; ndp -a shows the neighbour', () => {
    const { sim, a, b } = setup();
    b.run(['io-pkt-v6-hc -dfake', 'waitfor /dev/socket', 'ifconfig en0 up', 'sleep 4', 'ping6 -c 2 fe80::250:c2ff:fe00:1%en0']);
    a.run(['io-pkt-v6-hc -dfake', 'waitfor /dev/socket', 'ifconfig en0 up', 'sleep 3', 'ifconfig en0', 'ping6 -c 3 fe80::250:c2ff:fe00:2%en0', 'ndp -a']);
    sim.queue.runUntil(12_000_000_000);
    expect(a.k.crashes).toEqual([]);
    expect(b.k.crashes).toEqual([]);
    const out = a.console();
    expect(out).toContain('\tinet6 fe80::250:c2ff:fe00:1%en0 prefixlen 64 scopeid 0x2\n');
    expect(out).toContain('PING6(56=40+8+8 bytes) fe80::250:c2ff:fe00:1%en0 --> fe80::250:c2ff:fe00:2%en0\n');
    for (let seq = 0; seq < 3; seq++) expect(out).toMatch(new RegExp(`16 bytes from fe80::250:c2ff:fe00:2%en0, icmp_seq=${seq} hlim=64 time=\\d+\\.\\d{3} ms\\n`));
    expect(out).toContain('--- fe80::250:c2ff:fe00:2%en0 ping6 statistics ---\n3 packets transmitted, 3 packets received, 0.0% packet loss\n');
    expect(out).toMatch(/round-trip min\/avg\/max\/std-dev = [\d.]+\/[\d.]+\/[\d.]+\/[\d.]+ ms\n/);
    expect(out).toMatch(/Neighbor {29}Linklayer Address  Netif Expire    S Flags\nfe80::250:c2ff:fe00:2%en0 +00:50:c2:00:00:02 +en0 \d+s +R\n/);
    expect(b.console()).toContain('--- fe80::250:c2ff:fe00:1%en0 ping6 statistics ---\n2 packets transmitted, 2 packets received, 0.0% packet loss\n');
  });

  test('a router with rtadvd: the host forms 2001:db8:1::/64 + EUI-64 and pings the router\'s global address', () => {
    const { sim, a, b } = setup();
    a.run(['io-pkt-v6-hc -dfake', 'waitfor /dev/socket', 'sleep 1', 'ifconfig en0 up', 'ifconfig en0 inet6 2001:db8:1::1 prefixlen 64', 'sleep 2', 'rtadvd en0']);
    b.run(['io-pkt-v6-hc -dfake', 'waitfor /dev/socket', 'ifconfig en0 up', 'sleep 8', 'ifconfig en0', 'ndp -r', 'ndp -p', 'ping6 -c 2 2001:db8:1::1']);
    // net.inet6.ip6.forwarding=1 (`sysctl -w` in a scenario; set on the stack here, before alpha's interface comes up).
    sim.queue.runUntil(500_000_000);
    a.iopkt().stack.ip6!.setForwarding(true);
    sim.queue.runUntil(16_000_000_000);
    expect(a.k.crashes).toEqual([]);
    expect(b.k.crashes).toEqual([]);
    const out = b.console();
    expect(out).toContain('\tinet6 2001:db8:1:0:250:c2ff:fe00:2 prefixlen 64 autoconf\n');
    expect(out).toMatch(/fe80::250:c2ff:fe00:1%en0 if=en0, flags=, pref=medium, expire=29m\d+s\n/);
    expect(out).toContain('2001:db8:1::/64 if=en0\nflags=LAO vltime=2592000, pltime=604800, expire=29d23h');
    expect(out).toContain('PING6(56=40+8+8 bytes) 2001:db8:1:0:250:c2ff:fe00:2 --> 2001:db8:1::1\n');
    expect(out).toContain('2 packets transmitted, 2 packets received, 0.0% packet loss');
  });

  test('ifconfig inet6: add (tentative until DAD), -L lifetimes, alias, delete; ping6 ::1 over lo0', () => {
    const { sim, a } = setup();
    a.run(['io-pkt-v6-hc -dfake', 'waitfor /dev/socket', 'ifconfig en0 inet6 2001:db8::1 prefixlen 64', 'ifconfig en0',
      'sleep 3', 'ifconfig en0 inet6 2001:db8:5::1/48 alias pltime 100 vltime 200', 'sleep 3', 'ifconfig -L en0',
      'ifconfig en0 inet6 2001:db8::1 delete', 'ifconfig en0', 'ifconfig lo0', 'ping6 -c 1 ::1']);
    sim.queue.runUntil(10_000_000_000);
    expect(a.k.crashes).toEqual([]);
    const blocks = a.console().split(/(?=en0: flags|lo0: flags)/);
    // Right after the ioctl: the global address is tentative; the interface came up with its link-local.
    expect(blocks[0]).toContain('\tinet6 2001:db8::1 prefixlen 64 tentative\n');
    expect(blocks[0]).toContain('\tinet6 fe80::250:c2ff:fe00:1%en0 prefixlen 64 tentative scopeid 0x2\n');
    // -L: what is left of the lifetimes, 3 s after they were set.
    expect(blocks[1]).toContain('\tinet6 2001:db8::1 prefixlen 64 pltime infty vltime infty\n');
    expect(blocks[1]).toContain('\tinet6 2001:db8:5::1 prefixlen 48 pltime 96 vltime 196\n');
    expect(blocks[2]).not.toContain('2001:db8::1 ');
    expect(blocks[2]).toContain('\tinet6 2001:db8:5::1 prefixlen 48\n');
    expect(blocks[3]).toContain('\tinet6 ::1 prefixlen 128\n');
    expect(blocks[3]).toContain('\tinet6 fe80::1%lo0 prefixlen 64 scopeid 0x1\n');
    expect(a.console()).toContain('PING6(56=40+8+8 bytes) ::1 --> ::1\n');
    expect(a.console()).toContain('1 packets transmitted, 1 packets received, 0.0% packet loss');
  });

  test('UDP over IPv6 between two programs', () => {
    const { sim, a, b } = setup();
    b.run(['io-pkt-v6-hc -dfake', 'waitfor /dev/socket', 'ifconfig en0 up', 'u6recv 7000']);
    a.run(['io-pkt-v6-hc -dfake', 'waitfor /dev/socket', 'ifconfig en0 up', 'sleep 3', 'u6send fe80::250:c2ff:fe00:2%en0 7000 hello6']);
    sim.queue.runUntil(6_000_000_000);
    expect(a.console()).toContain('u6send: 6\n');
    expect(b.console()).toMatch(/u6recv: 6 bytes from \[fe80::250:c2ff:fe00:1\]:\d+ "hello6"\n/);
  });

  test('io-pkt-v4 has no IPv6: AF_INET6 sockets fail, IPv6 frames are dropped', () => {
    const { sim, a, b } = setup();
    b.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.2/24']);
    a.run(['io-pkt-v6-hc -dfake', 'waitfor /dev/socket', 'ifconfig en0 up', 'sleep 3', 'ping6 -c 1 fe80::250:c2ff:fe00:2%en0']);
    sim.queue.runUntil(1_000_000_000);
    b.run(['u6send fe80::1%en0 7000 x', 'ping6 -c 1 ::1']);
    sim.queue.runUntil(16_000_000_000);
    expect(b.iopkt().stack.ip6).toBeNull();
    expect(b.iopkt().stack.ifs.byName('en0')!.data.noproto).toBeGreaterThan(0); // alpha's NS, RS and echo
    expect(b.console()).toContain(`u6send: socket: errno ${Errno.EAFNOSUPPORT}\n`);
    expect(b.console()).toContain('ping6: socket: Address family not supported by protocol family\n');
    expect(a.console()).toContain('1 packets transmitted, 0 packets received, 100.0% packet loss');
  });

  test('deterministic: the same seed gives the same console and trace; DAD delays follow the node\'s stream', () => {
    const once = (seed: number) => {
      const { sim, a, b } = setup(seed);
      const dad: string[] = [];
      sim.tracer.addSink((r) => {
        if (r.layer === 'nd6' && r.probe === 'dad-start') dad.push(`${r.node} ${String(r.f?.['delay_ms'])}`);
      });
      b.run(['io-pkt-v6-hc -dfake', 'waitfor /dev/socket', 'ifconfig en0 up']);
      a.run(['io-pkt-v6-hc -dfake', 'waitfor /dev/socket', 'ifconfig en0 up', 'sleep 3', 'ping6 -c 2 fe80::250:c2ff:fe00:2%en0']);
      sim.queue.runUntil(8_000_000_000);
      return { out: a.console(), digest: sim.tracer.digest(), dad: dad.join(',') };
    };
    const x = once(5);
    const y = once(5);
    expect(y.out).toBe(x.out);
    expect(y.digest).toBe(x.digest);
    expect(once(6).dad).not.toBe(x.dad);
  });

  test('netstat -i: one row per IPv6 address (masked prefix, scoped address cut to the column) beside the IPv4 ones; -f picks a family', () => {
    const { sim, a } = setup();
    a.run(['io-pkt-v6-hc -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.1/24', 'ifconfig en0 inet6 2001:db8::1 prefixlen 64',
      'sleep 3', 'netstat -i', 'netstat -i -f inet6', 'netstat -i -f inet']);
    sim.queue.runUntil(5_000_000_000);
    const [all, six, four] = a.console().split(/(?=Name  Mtu)/);
    const row = (net: string, addr: string) => new RegExp(`\\n${'en0   1500  '}${net.padEnd(13).replace(/[.*/]/g, '\\$&')} ${addr.padEnd(17).replace(/[.*/]/g, '\\$&')} +\\d+`);
    expect(all).toMatch(row('10.0.0/24', '10.0.0.1'));
    expect(all).toMatch(row('2001:db8::/64', '2001:db8::1'));
    expect(all).toMatch(row('fe80::/64', 'fe80::250:c2ff:fe')); // fe80::250:c2ff:fe00:1%en0, cut at 17 as NetBSD's %-17.17s
    expect(all).toMatch(/\nlo0 +33192 ::1\/128 +::1 +\d+/);
    expect(six).not.toContain('10.0.0.1');
    expect(six).toContain('2001:db8::1');
    expect(four).toContain('10.0.0.1');
    expect(four).not.toContain('2001:db8::1');
  });
});
