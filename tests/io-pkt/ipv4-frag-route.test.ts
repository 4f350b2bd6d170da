/**
 * IPv4 fragments, routes with gateways and path MTU discovery between simulated QNX nodes (real kernel,
 * io-pkt, fake NICs on test wires): ping -s 4000, a router with -ptcpip forward and a 576-byte link.
 */
import { EtherType, EthernetFrame, Ipv4Packet } from '../../stack/net/wire';
import { connect, type FakeNic } from './fake-net';
import { makeNode, newSim } from './rig';

function ipFrames(nic: FakeNic): Ipv4Packet[] {
  return nic.sent.map((f) => new EthernetFrame(f.data)).filter((e) => e.ethertype === EtherType.IPv4).map((e) => new Ipv4Packet(e.payload));
}

test('ping -s 4000 and -s 65467: requests and replies travel as fragments and are reassembled', () => {
  // ARP holds one packet per unresolved neighbour (la_hold): a datagram cut into fragments before the
  // neighbour is known loses all but its last fragment. A small ping resolves both sides first.
  const sim = newSim(5);
  const a = makeNode(sim, 'alpha', { macBase: 1 });
  const b = makeNode(sim, 'beta', { macBase: 2 });
  connect(a.nics[0]!, b.nics[0]!);
  b.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.2/24']);
  a.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.1/24', 'sleep 0.2', 'ping -c 1 -q 10.0.0.2', 'ping -c 2 -s 4000 10.0.0.2', 'ping -c 1 -s 65467 10.0.0.2', 'ping -c 1 -s 65468 10.0.0.2']);
  sim.queue.runUntil(8_000_000_000);
  expect(a.k.crashes).toEqual([]);
  const out = a.console();
  expect(out).toContain('PING 10.0.0.2 (10.0.0.2): 4000 data bytes\n');
  expect(out).toMatch(/4008 bytes from 10\.0\.0\.2: icmp_seq=0 ttl=255 time=\d+\.\d{3} ms\n/);
  expect(out).toMatch(/4008 bytes from 10\.0\.0\.2: icmp_seq=1 ttl=255 time=\d+\.\d{3} ms\n/);
  expect(out).toContain('2 packets transmitted, 2 packets received, 0.0% packet loss\n');
  // The largest NetBSD ping sends (IP_MAXPACKET - 60 - 8): 65495 bytes in 45 fragments each way.
  expect(out).toContain('PING 10.0.0.2 (10.0.0.2): 65467 data bytes\n');
  expect(out).toMatch(/65475 bytes from 10\.0\.0\.2: icmp_seq=0 ttl=255 time=\d+\.\d{3} ms\n/);
  expect(out).toContain('ping: packet size is too large\n');
  // 4008 bytes of ICMP: 1480 + 1480 + 1048, each side, per echo.
  for (const n of [a, b]) {
    const frags = ipFrames(n.nics[0]!).filter((p) => p.protocol === 1 && p.totalLen > 84);
    expect(frags.slice(0, 6).map((p) => p.totalLen)).toEqual([1500, 1500, 1068, 1500, 1500, 1068]);
    expect(frags.slice(0, 6).map((p) => p.fragOffset)).toEqual([0, 1480, 2960, 0, 1480, 2960]);
    expect(frags.slice(6).map((p) => p.fragOffset)).toEqual(Array.from({ length: 45 }, (_, i) => i * 1480));
    const st = n.iopkt().stack.stats.ip;
    expect([st.fragmented, st.ofragments, st.fragments, st.reassembled]).toEqual([3, 51, 51, 3]);
  }
});

describe('three nodes: alpha — router — gamma', () => {
  function net(opts: { mtu1?: number; forward?: boolean } = {}) {
    const sim = newSim(11);
    const a = makeNode(sim, 'alpha', { macBase: 1 });
    const r = makeNode(sim, 'router', { macBase: 0x10, nics: 2 });
    const c = makeNode(sim, 'gamma', { macBase: 3 });
    connect(a.nics[0]!, r.nics[0]!);
    connect(r.nics[1]!, c.nics[0]!);
    r.run([`io-pkt-v4 -dfake${opts.forward === false ? '' : ' -ptcpip forward'}`, 'waitfor /dev/socket', 'ifconfig en0 10.0.1.254/24',
      `ifconfig en1 10.0.2.254/24${opts.mtu1 ? ` mtu ${opts.mtu1}` : ''}`]);
    c.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.2.3/24', 'route add -net 10.0.1.0/24 10.0.2.254']);
    return { sim, a, r, c };
  }

  test('route add -net / -host with a gateway, route get, route delete', () => {
    const { sim, a, c } = net();
    a.run([
      'io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.1.1/24',
      'route add -net 10.0.2.0/24 10.0.1.254', 'route get 10.0.2.3', 'sleep 0.2', 'ping -c 1 10.0.2.3',
      'route delete -net 10.0.2.0/24', 'ping -c 1 -w 1 10.0.2.3', 'route delete -net 10.0.2.0/24',
      'route add -host 10.0.2.3 10.0.1.254', 'netstat -rn', 'ping -c 1 10.0.2.3',
    ]);
    sim.queue.runUntil(10_000_000_000);
    expect(a.k.crashes).toEqual([]);
    expect(c.k.crashes).toEqual([]);
    const out = a.console();
    expect(out).toContain('add net 10.0.2.0/24: gateway 10.0.1.254\n');
    expect(out).toContain('   route to: 10.0.2.3\ndestination: 10.0.2.0\n       mask: 255.255.255.0\n    gateway: 10.0.1.254\n  interface: en0\n      flags: <UP,GATEWAY,DONE,STATIC>\n');
    expect(out).toMatch(/64 bytes from 10\.0\.2\.3: icmp_seq=0 ttl=254 time=/);
    expect(out).toContain('delete net 10.0.2.0/24\n');
    expect(out).toContain('ping: sendto: No route to host\n');
    expect(out).toContain('delete net 10.0.2.0/24: not in table\n');
    expect(out).toContain('add host 10.0.2.3: gateway 10.0.1.254\n');
    expect(out).toMatch(/\n10\.0\.2\.3 +10\.0\.1\.254 +UGHS /);
    expect(out.match(/64 bytes from 10\.0\.2\.3/g)).toHaveLength(2);
  });

  test('path MTU: a 576-byte hop answers DF with need-fragment; alpha learns it and fragments to fit', () => {
    const { sim, a, r, c } = net({ mtu1: 576 });
    a.run([
      'io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.1.1/24', 'route add default 10.0.1.254', 'sleep 0.2',
      'ping -c 1 -q 10.0.2.3', 'ping -c 1 -w 1 -D -s 1000 10.0.2.3', 'netstat -rn', 'ping -c 1 -w 1 -D -s 1000 10.0.2.3', 'ping -c 1 -s 1000 10.0.2.3',
    ]);
    sim.queue.runUntil(12_000_000_000);
    expect(a.k.crashes).toEqual([]);
    const out = a.console();
    // The router's error: unreachable, need fragment, next-hop MTU 576 (RFC 1191).
    expect(out).toContain('36 bytes from 10.0.1.254: Frag needed and DF set (MTU 576) for icmp_seq=0\n');
    // The cloned host route with the MTU (netstat -rn's Mtu column) ...
    expect(out).toMatch(/\n10\.0\.2\.3 +10\.0\.1\.254 +UGHD +\d+ +\d+ +576  en0\n/);
    // ... makes the next DF echo fail locally, and a plain one leaves alpha already cut to 576.
    expect(out).toContain('ping: sendto: Message too long\n');
    expect(out).toMatch(/1008 bytes from 10\.0\.2\.3: icmp_seq=0 ttl=254 time=/);
    const big = ipFrames(a.nics[0]!).filter((p) => p.protocol === 1 && p.dst === 0x0a000203 && p.totalLen > 84);
    expect(big.map((p) => [p.totalLen, p.dontFrag, p.fragOffset])).toEqual([[1028, true, 0], [572, false, 0], [476, false, 552]]);
    expect(a.iopkt().stack.stats.icmp.pmtuchg).toBe(1);
    expect(r.iopkt().stack.stats.ip.cantfrag).toBe(1);
    // gamma reassembles the request; its 1028-byte reply leaves over gamma's own 1500-byte interface whole
    // (the 576-byte MTU is the router's), and the router forwards it unchanged onto alpha's link.
    expect(c.iopkt().stack.stats.ip.reassembled).toBe(1);
    expect(r.iopkt().stack.stats.ip.fragmented).toBe(0);
  });
});
