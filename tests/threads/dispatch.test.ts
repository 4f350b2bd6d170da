/**
 * io-pkt's layer-2 dispatch on the receiving thread (stack/io-pkt/layer2.ts): a frame a driver hands up is offered
 * to NetStack.fastInput on the io-pkt thread that serviced the interrupt, without the stack context; CPU, traces
 * and if_start go to that thread; frames the fast path declines reach the stack, which the same thread then takes
 * itself, with no POKE pulse. The FastPath here is a recording test double in the bridge slot (it moves frames
 * for 10.0.2.0/24 to en1 the way a forwarder queues on if_snd), so these tests are about io-pkt's threads,
 * not about forwarding (tests/threads/router-smp.test.ts uses the real ipflow).
 */
import { countBy } from 'lodash';
import type { BridgePath } from '../../stack/net/stack';
import type { Ifnet } from '../../stack/net/if';
import type { Mbuf } from '../../stack/net/mbuf';
import { EtherType, EthernetFrame, IpProto, Ipv4Packet } from '../../stack/net/wire';
import { connect } from '../io-pkt/fake-net';
import { makeNode, newSim, type TestNode } from '../io-pkt/rig';

/** CPU the double charges per consumed frame (ns): enough to see on the thread that ran it. */
const DOUBLE_COST_NS = 7_000;

interface Seen {
  tid: number;
  name: string;
  stack: boolean;
  consumed: boolean;
}

function topology() {
  const sim = newSim(5);
  const a = makeNode(sim, 'alpha', { macBase: 1 });
  const r = makeNode(sim, 'router', { nics: 2, macBase: 0x11 });
  const c = makeNode(sim, 'gamma', { macBase: 0x21 });
  connect(a.nics[0]!, r.nics[0]!, 100_000);
  connect(r.nics[1]!, c.nics[0]!, 100_000);
  return { sim, a, r, c };
}

/** The double in the ipflow slot of `r`'s stack: frames to 10.0.2.x go out en1 to gamma's NIC. */
function installDouble(r: TestNode, gammaMac: Uint8Array): Seen[] {
  const p = r.iopkt();
  const stack = p.stack;
  const seen: Seen[] = [];
  const fp: BridgePath = {
    output: () => null,
    ifDetach: () => undefined,
    input(ifp: Ifnet, m: Mbuf): boolean {
      const t = stack.env.thread!();
      const eth = new EthernetFrame(m.data);
      let consumed = false;
      if (ifp.name === 'en0' && eth.ethertype === EtherType.IPv4) {
        const ip = new Ipv4Packet(eth.payload);
        if ((ip.dst >>> 8) === ((10 << 16) | (0 << 8) | 2)) {
          const out = stack.ifs.list.find((i) => i.name === 'en1')!;
          const data = m.data.slice();
          data.set(gammaMac, 0);
          data.set(out.lladdr, 6);
          stack.env.charge(DOUBLE_COST_NS);
          out.snd.push({ data, pktId: m.pktId });
          stack.env.kick(out);
          consumed = true;
        }
      }
      seen.push({ tid: t.tid, name: t.name, stack: t.stack, consumed });
      return consumed;
    },
  };
  stack.bridge = fp;
  return seen;
}

function udpTo(frame: Uint8Array): boolean {
  const eth = new EthernetFrame(frame);
  return eth.ethertype === EtherType.IPv4 && new Ipv4Packet(eth.payload).protocol === IpProto.UDP;
}

describe('the layer-2 fast path runs on the receiving thread', () => {
  test('forwarded frames: consumed on the pool thread without the stack context, sent by that thread', () => {
    const { sim, a, r, c } = topology();
    r.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.1.1/24', 'ifconfig en1 10.0.2.1/24']);
    c.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.2.2/24']);
    a.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.1.2/24', 'route add default 10.0.1.1',
      'sleep 1', 'udpgen -c 5 -i 0.1 -p 9 10.0.2.2']);
    sim.queue.runUntil(200_000_000);
    const seen = installDouble(r, c.nics[0]!.mac);
    const p = r.iopkt();
    const totals = () => p.threads.list().reduce((t, w) => ({ consumed: t.consumed + w.fastConsumed, starts: t.starts + w.fastStarts }), { consumed: 0, starts: 0 });
    const before = totals();
    const cpuBefore = new Map(p.threads.list().map((w) => [w.tid, cpuOf(r, w.tid)]));
    sim.queue.runUntil(3_000_000_000);
    expect([a, r, c].flatMap((n) => n.k.crashes)).toEqual([]);
    const fwd = seen.filter((s) => s.consumed);
    expect(fwd.length).toBe(5);
    // Every consumed frame ran on an io-pkt thread (whichever received the interrupt pulse: the main thread and
    // io-pkt#1 both wait on the channel), never with the stack context.
    const names = new Map(p.threads.list().map((w) => [w.tid, w.name]));
    for (const s of fwd) {
      expect(s.stack).toBe(false);
      expect(s.name).toBe(names.get(s.tid));
    }
    expect(totals().consumed - before.consumed).toBe(5);
    // if_start for en1 ran on the receiving thread: one per interrupt here (each datagram arrives alone).
    expect(totals().starts - before.starts).toBe(5);
    expect(r.nics[1]!.sent.filter((f) => udpTo(f.data))).toHaveLength(5);
    expect(c.nics[0]!.rxFrames).toBeGreaterThanOrEqual(5);
    // The double's charge went to the threads that ran it: per thread, at least 7 µs per frame it consumed.
    for (const [tid, n] of Object.entries(countBy(fwd, (s) => s.tid))) {
      expect(cpuOf(r, Number(tid)) - (cpuBefore.get(Number(tid)) ?? 0)).toBeGreaterThanOrEqual(n * DOUBLE_COST_NS);
    }
  });
});

function cpuOf(n: TestNode, tid: number): number {
  for (const proc of n.k.procs.list()) {
    for (const t of proc.threads) if (t.tid === tid && proc.name.startsWith('io-pkt')) return t.cpuTime;
  }
  return 0;
}

describe('locally terminated traffic: the receiving thread takes the stack context itself', () => {
  test('ping to the router: stack input on the thread that serviced the interrupt, no POKE, no switch', () => {
    const { sim, a, r, c } = topology();
    r.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.1.1/24', 'ifconfig en1 10.0.2.1/24']);
    c.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.2.2/24']);
    a.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.1.2/24', 'sleep 1', 'ping -c 3 10.0.1.1']);
    sim.queue.runUntil(200_000_000);
    const seen = installDouble(r, c.nics[0]!.mac);
    const p = r.iopkt();
    const atInput: { tid: number; stack: boolean; pkt: number }[] = [];
    const orig = p.stack.input.bind(p.stack);
    p.stack.input = (ifp: Ifnet, m: Mbuf): void => {
      const t = p.stack.env.thread!();
      atInput.push({ tid: t.tid, stack: t.stack, pkt: m.pktId });
      orig(ifp, m);
    };
    const pokes = p.pokes;
    const afterIntr = p.threads.list().reduce((n, w) => n + w.stackAfterIntr, 0);
    // Kernel dispatch records (verbose) on the router: which threads got a CPU while the echo requests came in.
    sim.tracer.verbose = true;
    const recs: { t: number; layer: string; probe: string; pkt: number; f: Record<string, unknown> }[] = [];
    sim.tracer.addSink((rec) => {
      if (rec.node === 'router') recs.push({ t: rec.t, layer: rec.layer, probe: rec.probe, pkt: rec.pkt, f: (rec.f ?? {}) as Record<string, unknown> });
    });
    sim.queue.runUntil(5_000_000_000);
    expect([a, r, c].flatMap((n) => n.k.crashes)).toEqual([]);
    expect(a.console()).toContain('3 packets transmitted, 3 packets received, 0.0% packet loss');
    // Each frame the fast path declined reached ether_input on the same thread, which held the stack context.
    const declined = seen.filter((s) => !s.consumed);
    expect(declined.length).toBeGreaterThanOrEqual(4); // alpha's ARP request and three echo requests
    expect(declined.length).toBe(atInput.length);
    declined.forEach((s, i) => {
      expect(s.stack).toBe(false);
      expect(atInput[i]).toMatchObject({ tid: s.tid, stack: true });
    });
    expect(p.pokes).toBe(pokes);
    const after = p.threads.list().reduce((n, w) => n + w.stackAfterIntr, 0);
    expect(after - afterIntr).toBeGreaterThanOrEqual(declined.length);
    // Between each echo request's interrupt and its icmp input, the router's CPU dispatched at most one thread:
    // the io-pkt thread that received the interrupt pulse (none when it was already running).
    const echoIn = recs.filter((x) => x.layer === 'icmp' && x.probe === 'echo-request-in');
    expect(echoIn).toHaveLength(3);
    for (const e of echoIn) {
      const intr = recs.filter((x) => x.layer === 'kernel' && x.probe === 'interrupt' && x.t <= e.t).pop()!;
      const switches = recs.filter((x) => x.layer === 'kernel' && x.probe === 'dispatch' && x.t >= intr.t && x.t <= e.t);
      expect(switches.length).toBeLessThanOrEqual(1);
      const inputTid = atInput.find((x) => x.pkt === e.pkt)!.tid;
      if (switches.length === 1) expect(switches[0]!.f.tid).toBe(inputTid);
    }
  });
});
