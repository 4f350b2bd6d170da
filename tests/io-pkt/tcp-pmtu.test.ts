/**
 * TCP and path MTU discovery (RFC 1191; NetBSD tcp_output sets IP_DF while net.inet.ip.mtudisc is on, and
 * tcp_ctlinput/tcp_mtudisc lower t_maxseg on "fragmentation needed"): alpha — router — gamma, the router's
 * link to gamma with a 576-byte MTU. 64 KiB with nc from alpha to gamma cross it with no IP fragment anywhere.
 */
import { EtherType, EthernetFrame, Ipv4Packet } from '../../stack/net/wire';
import { connect, type FakeNic } from './fake-net';
import { makeNode, newSim } from './rig';

function ipFrames(nic: FakeNic): Ipv4Packet[] {
  return nic.sent.map((f) => new EthernetFrame(f.data)).filter((e) => e.ethertype === EtherType.IPv4).map((e) => new Ipv4Packet(e.payload));
}

function net() {
  const sim = newSim(11);
  const a = makeNode(sim, 'alpha', { macBase: 1 });
  const r = makeNode(sim, 'router', { macBase: 0x10, nics: 2 });
  const c = makeNode(sim, 'gamma', { macBase: 3 });
  connect(a.nics[0]!, r.nics[0]!);
  connect(r.nics[1]!, c.nics[0]!);
  r.run(['io-pkt-v4 -dfake -ptcpip forward', 'waitfor /dev/socket', 'ifconfig en0 10.0.1.254/24', 'ifconfig en1 10.0.2.254/24 mtu 576']);
  c.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.2.3/24', 'route add -net 10.0.1.0/24 10.0.2.254',
    'nc -v -l -p 5001 -o /dev/null']);
  a.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.1.1/24', 'route add default 10.0.1.254', 'sleep 0.5',
    'nc -v -N -c 65536 10.0.2.3 5001', 'netstat -rn']);
  return { sim, a, r, c };
}

test('64 KiB over a 576-byte hop: DF segments, one need-fragment, t_maxseg 536, no IP fragmentation', () => {
  const { sim, a, r, c } = net();
  sim.queue.runUntil(10_000_000_000);
  for (const n of [a, r, c]) expect(n.k.crashes).toEqual([]);
  expect(a.console()).toContain('nc: 65536 bytes sent, 0 bytes received');
  expect(c.console()).toContain('nc: 0 bytes sent, 65536 bytes received');
  const tcpOut = ipFrames(a.nics[0]!).filter((p) => p.protocol === 6);
  // Every TCP segment alpha sent had DF and was whole.
  expect(tcpOut.every((p) => p.dontFrag && !p.moreFrags && p.fragOffset === 0)).toBe(true);
  // The first full-sized segment (MSS 1460: 1500 bytes of IP) drew the router's error; after it alpha's segments
  // fit 576 bytes: t_maxseg = 576 − 40 = 536, of which the timestamp option takes 12 (524 bytes of data).
  const sizes = tcpOut.map((p) => p.totalLen);
  expect(sizes.filter((n) => n > 576).length).toBeGreaterThan(0);
  const last1500 = sizes.lastIndexOf(1500);
  expect(sizes.slice(last1500 + 1).every((n) => n <= 576)).toBe(true);
  expect(Math.max(...sizes.slice(last1500 + 1))).toBe(576);
  const ast = a.iopkt().stack;
  expect(ast.stats.icmp.pmtuchg).toBe(1);
  expect(ast.tcp.stats.mturesent).toBeGreaterThanOrEqual(1);
  // The router dropped the oversized DF segments (cantfrag) and cut nothing; gamma reassembled nothing.
  const rst = r.iopkt().stack.stats.ip;
  expect(rst.cantfrag).toBeGreaterThanOrEqual(1);
  expect(rst.fragmented).toBe(0);
  const cst = c.iopkt().stack.stats.ip;
  expect([cst.fragments, cst.reassembled]).toEqual([0, 0]);
  // The learned path MTU sits on the cloned host route (netstat -rn's Mtu column).
  expect(a.console()).toMatch(/\n10\.0\.2\.3 +10\.0\.1\.254 +UGHD +\d+ +\d+ +576  en0\n/);
  // The data gamma received: every byte once in order (rcvbyte) — retransmissions were the dropped big ones.
  expect(c.iopkt().stack.tcp.stats.rcvbyte).toBe(65536);
});

test('with net.inet.ip.mtudisc off: no DF, the router fragments, gamma reassembles, t_maxseg stays 1460', () => {
  const { sim, a, r, c } = net();
  sim.queue.runUntil(300_000_000); // io-pkt is up, nc not started yet
  a.iopkt().stack.ip.mtudisc = false;
  sim.queue.runUntil(10_000_000_000);
  expect(c.console()).toContain('nc: 0 bytes sent, 65536 bytes received');
  const tcpOut = ipFrames(a.nics[0]!).filter((p) => p.protocol === 6);
  expect(tcpOut.some((p) => p.dontFrag)).toBe(false);
  expect(Math.max(...tcpOut.map((p) => p.totalLen))).toBe(1500);
  expect(a.iopkt().stack.tcp.stats.mturesent).toBe(0);
  expect(r.iopkt().stack.stats.ip.fragmented).toBeGreaterThan(40);
  expect(c.iopkt().stack.stats.ip.reassembled).toBe(r.iopkt().stack.stats.ip.fragmented);
});
