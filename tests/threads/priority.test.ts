/**
 * Priorities in io-pkt's threads:
 * - the drivers' `priority=` option (nic_config_t.priority → interrupt_entry_init): the interrupt pulse, so the
 *   thread servicing that source, runs at N (default tcpip rx_prio, 21), with interrupt.c's rules for invalid
 *   values and for more sources than handling threads;
 * - floating priority for client requests: the io-pkt thread that receives a client's message runs at the
 *   client's priority (the kernel's priority inheritance on MsgReceive), so a priority-30 client's request is
 *   served while a priority-20 CPU hog runs, and a priority-10 client's waits for the hog.
 */
import type { Co, ProgramMain, ThreadCtx } from '../../stack/kernel/api';
import { AF_INET, SOCK_DGRAM } from '../../stack/include/sys/socket';
import { sockaddrIn } from '../../stack/include/netinet/in';
import { socket, sendto } from '../../stack/lib/socket';
import type { BridgePath } from '../../stack/net/stack';
import { PULSE_INTR } from '../../stack/io-pkt/msg';
import { connect } from '../io-pkt/fake-net';
import { makeNode, newSim, type TestNode } from '../io-pkt/rig';

/** The effective priority of thread `tid` of the io-pkt process on node `n` now (the kernel's view, as pidin's). */
function prioOf(n: TestNode, tid: number): number {
  for (const proc of n.k.procs.list()) {
    if (!proc.name.startsWith('io-pkt')) continue;
    const t = proc.threads.find((x) => x.tid === tid);
    if (t) return t.prio;
  }
  return -1;
}

/** Interrupt pulses the kernel delivered on node `node` (kernel/event records), with their priorities. */
function intrPulsePrios(recs: { node: string; layer: string; probe: string; f?: Record<string, unknown> }[], node: string): number[] {
  return recs.filter((r) => r.node === node && r.layer === 'kernel' && r.probe === 'event' && r.f?.code === PULSE_INTR).map((r) => r.f!.prio as number);
}

/**
 * alpha (io-pkt with devnp-fake and `opts`) and beta pinging it; returns the priorities of alpha's interrupt
 * pulses and the priorities of the threads that ran layer 2 for its frames (seen from a recording FastPath).
 */
function pingInto(opts: { cpus?: number; nics?: number; dOpts: string; tcpip?: string }) {
  const sim = newSim(7);
  const a = makeNode(sim, 'alpha', { cpus: opts.cpus ?? 1, nics: opts.nics ?? 1, macBase: 1 });
  const b = makeNode(sim, 'beta', { macBase: 0x21 });
  connect(a.nics[0]!, b.nics[0]!, 100_000);
  const recs: { node: string; layer: string; probe: string; f?: Record<string, unknown> }[] = [];
  sim.tracer.addSink((r) => recs.push({ node: r.node, layer: r.layer, probe: r.probe, f: r.f as Record<string, unknown> | undefined }));
  const tcpip = opts.tcpip ? ` -ptcpip ${opts.tcpip}` : '';
  a.run([`io-pkt-v4${tcpip} -d fake ${opts.dOpts}`, 'waitfor /dev/socket', 'ifconfig en0 10.0.0.1/24']);
  b.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.2/24', 'sleep 1', 'ping -c 2 10.0.0.1']);
  sim.queue.runUntil(500_000_000);
  const p = a.iopkt();
  const l2prios: number[] = [];
  const fp: BridgePath = {
    output: () => null,
    ifDetach: () => undefined,
    input(): boolean {
      l2prios.push(prioOf(a, p.stack.env.thread!().tid));
      return false;
    },
  };
  p.stack.bridge = fp;
  sim.queue.runUntil(4_000_000_000);
  expect([a, b].flatMap((n) => n.k.crashes)).toEqual([]);
  expect(b.console()).toContain('2 packets transmitted, 2 packets received');
  return { pulses: intrPulsePrios(recs, 'alpha'), l2prios, slog: p.slog };
}

describe('the receive thread priority driver option', () => {
  test('default: interrupt pulses at rx_prio 21, the servicing thread runs at 21', () => {
    const r = pingInto({ dOpts: '' });
    expect(r.pulses.length).toBeGreaterThan(0);
    expect(new Set(r.pulses)).toEqual(new Set([21]));
    expect(r.l2prios.length).toBeGreaterThanOrEqual(2);
    expect(new Set(r.l2prios)).toEqual(new Set([21]));
  });

  test('priority=30: the pulse and the thread servicing the source run at 30', () => {
    const r = pingInto({ dOpts: 'priority=30' });
    expect(new Set(r.pulses)).toEqual(new Set([30]));
    expect(new Set(r.l2prios)).toEqual(new Set([30]));
  });

  test('tcpip rx_prio=25 moves the default', () => {
    const r = pingInto({ dOpts: '', tcpip: 'rx_prio=25' });
    expect(new Set(r.pulses)).toEqual(new Set([25]));
    expect(new Set(r.l2prios)).toEqual(new Set([25]));
  });

  test('an invalid priority is logged and ignored (rx_prio)', () => {
    const r = pingInto({ dOpts: 'priority=300' });
    expect(r.slog).toContain('invalid prio: 300, ignored');
    expect(new Set(r.pulses)).toEqual(new Set([21]));
    const g = pingInto({ dOpts: 'priority=abc' });
    expect(g.slog).toContain('invalid prio: 0, ignored');
  });

  test('two sources on a 1-CPU node share one handling thread: overrides are defaulted (interrupt.c)', () => {
    const r = pingInto({ nics: 2, dOpts: 'priority=30' });
    expect(r.slog).toContain('More interrupt sources than handling threads.  Defaulting all previous priority overrides.');
    expect(new Set(r.pulses)).toEqual(new Set([21]));
    expect(new Set(r.l2prios)).toEqual(new Set([21]));
  });

  test('two sources on a 2-CPU node get a thread each and keep priority 30', () => {
    const r = pingInto({ cpus: 2, nics: 2, dOpts: 'priority=30' });
    expect(r.slog.some((l) => l.startsWith('More interrupt sources'))).toBe(false);
    expect(new Set(r.pulses)).toEqual(new Set([30]));
    expect(new Set(r.l2prios)).toEqual(new Set([30]));
  });
});

/** The instant both programs aim at (ns): well after io-pkt is up. */
const T = 1_000_000_000;
/**
 * The hog becomes ready this long after T: the client's sendto has reached io-pkt by then (its wake-up from the
 * clock interrupt, the kernel call and message pass take a few µs) and io-pkt is inside the request, which takes
 * ~35 µs of io-pkt CPU (copy-in, udp_output, fragmentation, lo0, reassembly, udp_input, the reply).
 */
const HOG_DELAY_NS = 15_000;
/** The hog's CPU burst. */
const HOG_NS = 20_000_000;
/**
 * The client's datagram: 9000 bytes (under udp_sendspace, 9216): 4.5 µs of copying alone (NetCost.copyPerByte
 * 0.5 ns) before udp_output, then 7 fragments through lo0 and their reassembly.
 */
const DGRAM = 9_000;

const hog: ProgramMain = function* (ctx: ThreadCtx): Co<number> {
  ctx.setPriority(20);
  yield* ctx.sleep(T + HOG_DELAY_NS - ctx.now());
  yield* ctx.work(HOG_NS);
  ctx.print(`hog done ${ctx.now()}\n`);
  return 0;
};

const client: ProgramMain = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
  ctx.setPriority(Number(argv[1]));
  const s = yield* socket(ctx, AF_INET, SOCK_DGRAM, 0);
  yield* ctx.sleep(T - ctx.now());
  const n = yield* sendto(ctx, s, new Uint8Array(DGRAM), 0, sockaddrIn(0x7f000001, 9));
  ctx.print(`client ${argv[1]} sent ${n} at ${ctx.now()}\n`);
  return 0;
};

function floating(clientPrio: number) {
  const sim = newSim(9);
  const n = makeNode(sim, 'alpha', { programs: { hog, client } });
  n.run(['io-pkt-v4', 'waitfor /dev/socket', 'hog &', `client ${clientPrio} &`]);
  sim.queue.runUntil(T + HOG_DELAY_NS + 1);
  // io-pkt's thread working for the client (the one not waiting in MsgReceive), and its priority now.
  const busy = n.k.procs.list().filter((x) => x.name.startsWith('io-pkt')).flatMap((x) => x.threads).filter((t) => t.alive && t.state !== 'RECEIVE');
  expect(busy).toHaveLength(1);
  const prio = busy[0]!.prio;
  sim.queue.runUntil(T + 100_000_000);
  expect(n.k.crashes).toEqual([]);
  const m = /client \d+ sent (\d+) at (\d+)/.exec(n.console());
  if (!m) throw new Error(n.console());
  const hogDone = Number(/hog done (\d+)/.exec(n.console())![1]);
  return { sent: Number(m![1]), at: Number(m![2]), hogDone, prio };
}

describe('floating priority for client requests', () => {
  test('a priority-30 client is served while a priority-20 hog runs; a priority-10 client waits for it', () => {
    const hi = floating(30);
    const lo = floating(10);
    expect(hi.sent).toBe(DGRAM);
    expect(lo.sent).toBe(DGRAM);
    // At T + 15 µs io-pkt's thread is inside the client's request, at the client's priority.
    expect(hi.prio).toBe(30);
    expect(lo.prio).toBe(10);
    // 30 > 20: the request finishes before the hog gets the CPU (the hog's 20 ms burst ends after the reply).
    expect(hi.at).toBeLessThan(T + HOG_DELAY_NS + HOG_NS);
    expect(hi.hogDone).toBeGreaterThan(hi.at + HOG_NS - 1);
    // 10 < 20: the hog preempts io-pkt's thread; the reply comes only after the hog's burst.
    expect(lo.at).toBeGreaterThan(lo.hogDone);
  });
});
