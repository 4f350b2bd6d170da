/**
 * Bridging in a running io-pkt: three simulated QNX nodes on two test wires, the middle one an io-pkt-v4-hc bridge
 * of its two NICs; ARP and ICMP cross it, brconfig shows what it learned, and io-pkt-v4 refuses to create a bridge.
 */
import { connect } from '../io-pkt/fake-net';
import { makeNode, newSim, type TestNode } from '../io-pkt/rig';

const S = 1_000_000_000;

function threeNodes(variant = 'io-pkt-v4-hc') {
  const sim = newSim(5);
  const alpha = makeNode(sim, 'alpha', { macBase: 0x10 });
  const beta = makeNode(sim, 'beta', { macBase: 0x20, nics: 2 });
  const gamma = makeNode(sim, 'gamma', { macBase: 0x30 });
  connect(alpha.nics[0]!, beta.nics[0]!, 100_000);
  connect(beta.nics[1]!, gamma.nics[0]!, 100_000);
  beta.run([
    `${variant} -dfake`, 'waitfor /dev/socket', 'ifconfig bridge0 create', 'brconfig bridge0 add en0 add en1 up',
    'ifconfig en0 up', 'ifconfig en1 up', 'ifconfig -C', 'ifconfig bridge0',
  ]);
  gamma.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.3/24']);
  return { sim, alpha, beta, gamma };
}

const lines = (n: TestNode) => n.console().split('\n');

describe('an io-pkt-v4-hc node bridging en0 and en1', () => {
  test('alpha pings gamma through the bridge; brconfig shows both stations learned', () => {
    const { sim, alpha, beta, gamma } = threeNodes();
    alpha.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.1/24', 'sleep 1', 'ping -c 3 10.0.0.3']);
    beta.run(['sleep 5', 'brconfig bridge0']);
    sim.queue.runUntil(8 * S);
    for (const n of [alpha, beta, gamma]) expect(n.k.crashes).toEqual([]);
    const a = lines(alpha);
    expect(a).toContain('3 packets transmitted, 3 packets received, 0.0% packet loss');
    const b = beta.console();
    expect(b).toContain('bridge\n');
    expect(b).toContain('bridge0: flags=41<UP,RUNNING> mtu 1500\n');
    // brconfig bridge0 at 5 s: en1 was added last, so it heads the member list; gamma (learned last, on en1)
    // heads the cache. Ports are if_index: lo0 1, en0 2, en1 3. Both stations were learned within the first
    // two seconds, so 1200 s minus (5 - learned) seconds, rounded down to whole seconds of uptime, is 1196–1199.
    const st = b.slice(b.indexOf('bridge0: flags=41<UP,RUNNING>\n'));
    const m = /^bridge0: flags=41<UP,RUNNING>\n\tConfiguration:\n\t\tpriority 32768 hellotime 2 fwddelay 15 maxage 20\n\t\tipfilter disabled flags 0x0\n\tInterfaces:\n\t\ten1 flags=3<LEARNING,DISCOVER>\n\t\t\tport 3 priority 128\n\t\ten0 flags=3<LEARNING,DISCOVER>\n\t\t\tport 2 priority 128\n\tAddress cache \(max cache: 100, timeout: 1200\):\n\t\t0:50:c2:0:0:30 en1 (\d+) flags=0<>\n\t\t0:50:c2:0:0:10 en0 (\d+) flags=0<>\n$/.exec(st);
    expect(m).not.toBeNull();
    for (const v of [Number(m![1]), Number(m![2])]) expect(v).toBeGreaterThanOrEqual(1196);
    // The echo requests crossed beta without its stack context: forwarded by the receiving thread.
    const p = beta.iopkt();
    const sc = (p.stack.bridge as unknown as { list: { stats: { forwarded: number; flooded: number } }[] }).list[0]!;
    expect(sc.stats.forwarded).toBeGreaterThanOrEqual(6); // 3 requests + 3 replies (+ the ARP reply)
    expect(sc.stats.flooded).toBeGreaterThanOrEqual(1); // alpha's ARP request
    // The frames went out beta's NICs unchanged: gamma's NIC got exactly what alpha's sent.
    const icmp = (n: TestNode, i = 0) => n.nics[i]!.sent.filter((f) => f.data[12] === 0x08 && f.data[13] === 0x00 && f.data[23] === 1);
    expect(icmp(alpha).map((f) => Buffer.from(f.data).toString('hex'))).toEqual(icmp(beta, 1).map((f) => Buffer.from(f.data).toString('hex')));
  });

  test('the trace names the thread that forwarded each frame and that it did not hold the stack context', () => {
    const { sim, alpha } = threeNodes();
    const recs: { probe: string; f: Record<string, unknown> }[] = [];
    sim.tracer.addSink((r) => {
      const rec = r as unknown as { layer: string; probe: string; f?: Record<string, unknown>; fields?: Record<string, unknown> };
      if (rec.layer === 'bridge') recs.push({ probe: rec.probe, f: rec.f ?? rec.fields ?? {} });
    });
    alpha.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.1/24', 'sleep 1', 'ping -c 1 10.0.0.3']);
    sim.queue.runUntil(4 * S);
    const fwd = recs.filter((r) => r.probe === 'forward');
    expect(fwd.length).toBeGreaterThanOrEqual(2);
    for (const r of fwd) {
      expect(r.f.stk).toBe(false);
      // Every io-pkt thread receives on the channel: a pool thread (io-pkt#N) or the main one (the process name).
      expect(String(r.f.thread)).toMatch(/^(io-pkt#\d+|io-pkt-v4-hc)$/);
    }
    const learn = recs.filter((r) => r.probe === 'learn');
    expect(learn.map((r) => r.f.if).sort()).toEqual(['en0', 'en1']);
    for (const r of learn) expect(r.f.stk).toBe(true);
  });

  test('io-pkt-v4 has no bridging: ifconfig bridge0 create fails with EINVAL and io-pkt logs why', () => {
    const { sim, beta } = threeNodes('io-pkt-v4');
    sim.queue.runUntil(2 * S);
    const b = beta.console();
    expect(b).toContain('ifconfig: SIOCIFCREATE: Invalid argument\n');
    expect(b).toContain('brconfig: unable to get interface flags: No such device or address\n');
    expect(beta.iopkt().slog).toContain('SIOCIFCREATE bridge0: no "bridge" cloner: io-pkt-v4 has no bridging (hc variants only)');
  });

  test('two io-pkt-v4-hc bridges cabled in a loop with stp: brconfig shows one port blocking after 30 s', () => {
    const sim = newSim(11);
    const b1 = makeNode(sim, 'b1', { macBase: 0x40, nics: 2 });
    const b2 = makeNode(sim, 'b2', { macBase: 0x50, nics: 2 });
    connect(b1.nics[0]!, b2.nics[0]!);
    connect(b1.nics[1]!, b2.nics[1]!);
    for (const n of [b1, b2]) {
      n.run(['io-pkt-v4-hc -dfake', 'waitfor /dev/socket', 'ifconfig bridge0 create', 'ifconfig en0 up', 'ifconfig en1 up',
        'brconfig bridge0 add en0 add en1 stp en0 stp en1 up', 'sleep 35', 'brconfig bridge0']);
    }
    sim.queue.runUntil(40 * S);
    for (const n of [b1, b2]) expect(n.k.crashes).toEqual([]);
    // b1 (00:50:c2:00:00:40) is root: both its ports forward. b2's root port is en0 (a's port id 0x8002 < 0x8003).
    expect(b1.console()).toContain('\t\ten1 flags=7<LEARNING,DISCOVER,STP>\n\t\t\tport 3 priority 128 path cost 55 forwarding\n\t\ten0 flags=7<LEARNING,DISCOVER,STP>\n\t\t\tport 2 priority 128 path cost 55 forwarding\n');
    expect(b2.console()).toContain('\t\ten1 flags=7<LEARNING,DISCOVER,STP>\n\t\t\tport 3 priority 128 path cost 55 blocking\n\t\ten0 flags=7<LEARNING,DISCOVER,STP>\n\t\t\tport 2 priority 128 path cost 55 forwarding\n');
  });

  test('the bridge host itself: an address on en0, pinged from gamma on the en1 side (bridge_output answers via en1)', () => {
    const { sim, beta, gamma } = threeNodes();
    beta.run(['sleep 1', 'ifconfig en0 10.0.0.2/24']);
    gamma.run(['sleep 2', 'ping -c 2 10.0.0.2']);
    sim.queue.runUntil(5 * S);
    expect(gamma.console()).toContain('2 packets transmitted, 2 packets received, 0.0% packet loss');
    // beta's replies left through en1 (gamma's side), though the stack sent them out en0, which holds the address.
    const replies = (i: number) => beta.nics[i]!.sent.filter((f) => f.data[12] === 0x08 && f.data[13] === 0x00 && f.data[23] === 1 && f.data[34] === 0);
    expect(replies(1)).toHaveLength(2);
    expect(replies(0)).toHaveLength(0);
  });
});
