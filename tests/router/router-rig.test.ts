/**
 * A router in io-pkt (real kernel, io-pkt, fake NICs on test wires): alpha — router — gamma. udpgen through the
 * router: the first datagram of each direction is forwarded by ip_forward in the stack context and makes a flow,
 * the rest are fast-forwarded by the thread that received them; `netstat -s -p ip` prints NetBSD's line;
 * `sysctl` reaches net.inet.ip.forwarding, .redirect and .maxflows; pings are never fast-forwarded.
 */
import { connect } from '../io-pkt/fake-net';
import { makeNode, newSim } from '../io-pkt/rig';

function net(routerLines: string[], cpus = 2) {
  const sim = newSim(21);
  const a = makeNode(sim, 'alpha', { macBase: 1 });
  const r = makeNode(sim, 'router', { macBase: 0x10, nics: 2, cpus });
  const c = makeNode(sim, 'gamma', { macBase: 3 });
  connect(a.nics[0]!, r.nics[0]!);
  connect(r.nics[1]!, c.nics[0]!);
  r.run(routerLines);
  a.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.1.1/24', 'route add -net 10.0.2.0/24 10.0.1.254']);
  c.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.2.3/24', 'route add -net 10.0.1.0/24 10.0.2.254']);
  return { sim, a, r, c };
}

const ROUTER = ['io-pkt-v4-hc -dfake -ptcpip forward', 'waitfor /dev/socket', 'ifconfig en0 10.0.1.254/24', 'ifconfig en1 10.0.2.254/24'];

test('udpgen and ping through the router: one datagram per direction by ip_forward, the rest fast-forwarded; netstat -s -p ip', () => {
  const { sim, a, r, c } = net(ROUTER);
  // Pings first: they resolve ARP on every hop (ipflow_create wants resolved next hops) and are never cached.
  c.run(['sleep 0.3', 'udpsink -p 9000 -c 20']);
  a.run(['sleep 0.3', 'udpsink -p 9001 -c 20']);
  a.run(['sleep 0.5', 'ping -c 2 10.0.2.3', 'udpgen -c 20 -i 0.01 -s 64 -p 9000 10.0.2.3']);
  c.run(['sleep 0.5', 'udpgen -c 20 -i 0.01 -s 64 -p 9001 10.0.1.1']);
  r.run(['sleep 3', 'netstat -s -p ip', 'sysctl net.inet.ip.forwarding net.inet.ip.redirect net.inet.ip.maxflows']);
  sim.queue.runUntil(4_000_000_000);
  for (const n of [a, r, c]) expect(n.k.crashes).toEqual([]);
  expect(a.console()).toContain('2 packets transmitted, 2 packets received, 0.0% packet loss\n');
  expect(c.console()).toMatch(/udpsink: port 9000: 20 datagrams received, 1280 bytes, 0 duplicates, 0 out of order, 0 missing\n/);
  expect(a.console()).toMatch(/udpsink: port 9001: 20 datagrams received, 1280 bytes, 0 duplicates, 0 out of order, 0 missing\n/);
  // What the router forwarded, from the trace of this run:
  //   alpha → gamma: 2 echo requests (ICMP never makes a flow: ip_forward both), then 20 datagrams: the first by
  //     ip_forward (ipflow_create), 19 fast.
  //   gamma → alpha: 20 datagrams from 0.5 s: the first by ip_forward, 19 fast; the 2 echo replies (0.5 s, 1.5 s)
  //     come after that flow exists and match it — flows are keyed by (dst, src, tos), not by protocol — so both
  //     are fast-forwarded.
  // forward = 4 + 40 = 44, fastforward = 19 + 19 + 2 = 40; ip_input saw the 4, ipflow_slowtimo added the 40 to
  // ips_total.
  const out = r.console();
  expect(out).toContain('\t44 packets forwarded (40 packets fast forwarded)\n');
  expect(out).toContain('\t44 total packets received\n');
  expect(out).toContain('net.inet.ip.forwarding = 1\nnet.inet.ip.redirect = 0\nnet.inet.ip.maxflows = 256\n');
  const st = r.iopkt().stack.stats.ip;
  expect([st.forward, st.fastforward, st.cantforward]).toEqual([44, 40, 0]);
});

test('forwarding turned on with sysctl enables ipflow too; redirect and maxflows set with sysctl -w', () => {
  const { sim, a, r, c } = net(['io-pkt-v4-hc -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.1.254/24', 'ifconfig en1 10.0.2.254/24',
    'sysctl -w net.inet.ip.forwarding=1', 'sysctl -w net.inet.ip.redirect=1', 'sysctl -w net.inet.ip.maxflows=-1', 'sysctl -w net.inet.ip.maxflows=16']);
  c.run(['sleep 0.3', 'udpsink -p 9000 -c 10']);
  a.run(['sleep 0.5', 'ping -c 1 10.0.2.3', 'udpgen -c 10 -i 0.01 -s 32 -p 9000 10.0.2.3']);
  r.run(['sleep 2', 'netstat -s -p ip']);
  sim.queue.runUntil(3_000_000_000);
  const out = r.console();
  expect(out).toContain('net.inet.ip.forwarding: 0 -> 1\n');
  expect(out).toContain('net.inet.ip.redirect: 0 -> 1\n');
  expect(out).toContain('sysctl: net.inet.ip.maxflows: Invalid argument\n');
  expect(out).toContain('net.inet.ip.maxflows: 256 -> 16\n');
  expect(c.console()).toMatch(/udpsink: port 9000: 10 datagrams received/);
  // 1 echo + 1 reply + 10 datagrams forwarded; 9 of the datagrams fast.
  expect(out).toContain('\t12 packets forwarded (9 packets fast forwarded)\n');
});

test('fast forwarding runs on the thread that received the frame, without the stack context; ip_forward with it', () => {
  const { sim, a, r, c } = net(ROUTER);
  c.run(['sleep 0.3', 'udpsink -p 9000 -c 5']);
  a.run(['sleep 0.5', 'ping -c 1 10.0.2.3', 'udpgen -c 5 -i 0.01 -s 32 -p 9000 10.0.2.3']);
  const recs: { probe: string; thread: string; stk: unknown }[] = [];
  sim.tracer.addSink((rec) => {
    const f = rec.f as Record<string, unknown> | undefined;
    if (rec.node === 'router' && rec.layer === 'ip' && (rec.probe === 'fastforward' || rec.probe === 'flowcreate')) {
      recs.push({ probe: rec.probe, thread: String(f?.thread), stk: f?.stk });
    }
  });
  sim.queue.runUntil(2_000_000_000);
  expect(c.console()).toMatch(/udpsink: port 9000: 5 datagrams received/);
  expect(r.iopkt().stack.ipflow.inuse).toBe(1);
  // One flow made in the stack context, then 4 datagrams fast-forwarded by an io-pkt pool thread.
  expect(recs.map((x) => x.probe)).toEqual(['flowcreate', 'fastforward', 'fastforward', 'fastforward', 'fastforward']);
  expect(recs.slice(1).every((x) => x.stk === false && /^io-pkt/.test(x.thread))).toBe(true);
});
