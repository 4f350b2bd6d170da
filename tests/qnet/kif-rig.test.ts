/**
 * QnetKif in the whole system: two rig nodes (real kernels, io-pkt with lsm-qnet.so, fake NICs on a hub).
 * A program on alpha ConnectAttach()es to a channel of a server on beta by ND and exchanges messages with it
 * (raw _IO_MSG, MsgError, pulses, ConnectDetach); the server sees the remote client's identity; a server that
 * dies fails the client with ESRCH; a node whose cable is pulled fails a blocked client with EHOSTDOWN.
 */
import { Errno, KernelError, _NTO_CHF_DISCONNECT, _PULSE_CODE_DISCONNECT, type Co, type ProgramMain, type ThreadCtx } from '../../stack/kernel/api';
import { type RawIoMsg } from '../../stack/include/sys/iomsg';
import { IO_MSG } from '../../stack/io-pkt/msg';
import { lsmQnet } from '../../stack/io-pkt/lsm-qnet';
import { netmgr_strtond } from '../../stack/lib/netmgr';
import { QnetL4Packet, QnetL4Repr, QnetL4Type, QnetLayer } from '../../stack/net/wire/qnet';
import { QnetKifPacket, QnetKifRepr } from '../../stack/net/wire/qnet-kif';
import { WireError } from '../../stack/net/wire/view';
import { makeNode, newSim, type TestNode } from '../io-pkt/rig';
import type { Simulation } from '../../emulator/machine/sim/simulation';
import { QNET_DEFAULTS } from '../../stack/net/qnet/defaults';
import type { FakeNic, WireFrame } from '../io-pkt/fake-net';

interface Shared {
  pid: number;
  chid: number;
  seen: string[];
  /** The server exits when it receives a message whose first byte is 0xdd. */
}

const raw = (bytes: number[]): RawIoMsg => ({ type: IO_MSG, mgrid: 0x5445, subtype: 1, data: Uint8Array.from(bytes), bytes: 8 + bytes.length });

/** On beta: answers _IO_MSG with the payload reversed; 0xee → MsgError(EINVAL); 0xdd → exits; 0xcc → never answered. */
function server(sh: Shared): ProgramMain {
  return function* (ctx: ThreadCtx): Co<number> {
    sh.chid = ctx.ChannelCreate(_NTO_CHF_DISCONNECT);
    sh.pid = ctx.pid;
    for (;;) {
      const r = yield* ctx.MsgReceive(sh.chid);
      if (r.kind === 'pulse') {
        sh.seen.push(r.code === _PULSE_CODE_DISCONNECT ? 'disconnect' : `pulse code ${r.code} value ${r.value} prio ${r.priority}`);
        continue;
      }
      const d = (r.msg as RawIoMsg).data;
      sh.seen.push(`msg ${r.msg.type} [${d.length > 16 ? `${d.length} bytes` : [...d].join(',')}] nd ${r.info.nd} pid ${r.info.pid} tid ${r.info.tid} prio ${r.info.priority} self ${ctx.getPriority()}`);
      if (d[0] === 0xdd) yield* ctx.exit(0);
      if (d[0] === 0xcc) continue; // held: never answered
      if (d[0] === 0xee) ctx.MsgError(r.rcvid, Errno.EINVAL);
      else ctx.MsgReply(r.rcvid, { status: d.length, data: d.slice().reverse(), bytes: d.length });
    }
  };
}

/** On alpha, at priority 15: sends the given payloads to the server on beta, then a pulse, then detaches. */
function client(sh: Shared, payloads: number[][], out: string[]): ProgramMain {
  return function* (ctx: ThreadCtx): Co<number> {
    ctx.setPriority(15);
    const nd = netmgr_strtond(ctx, 'beta');
    const coid = ctx.ConnectAttach(sh.pid, sh.chid, nd);
    out.push(`nd ${nd} coid ${coid >= 0}`);
    for (const p of payloads) {
      const t0 = ctx.now();
      try {
        const r = yield* ctx.MsgSend(coid, raw(p));
        const data = !(r.data instanceof Uint8Array) ? '-'
          : r.data.length > 16 ? `${r.data.length} bytes, first ${r.data[0]} last ${r.data.at(-1)}` : [...r.data].join(',');
        out.push(`reply status ${r.status} errno ${r.errno ?? 0} data ${data} in ${ctx.now() - t0} ns`);
      } catch (e) {
        if (!(e instanceof KernelError)) throw e;
        out.push(`error ${e.errno} at ${ctx.now()}`);
      }
    }
    ctx.MsgSendPulse(coid, 12, 3, 77);
    yield* ctx.sleep(50_000_000);
    ctx.ConnectDetach(coid);
    return 0;
  };
}

/** A hub: every frame a NIC sends reaches the other attached NICs 50 µs later. */
function hub(nics: FakeNic[]): void {
  for (const n of nics) {
    n.latencyNs = 50_000;
    n.peer = { receive: (f: WireFrame) => { for (const o of nics) if (o !== n && o.attached) o.receive(f); } } as unknown as FakeNic;
  }
}

/** The KIF messages each node's NIC sent, in time order ("alpha connectMsgSend"); whole (unfragmented) ones. */
function kifOnWire(nodes: TestNode[]): string[] {
  const all = nodes.flatMap((n) => n.nics[0]!.sent.map((f) => ({ n: n.name, f })));
  all.sort((x, y) => x.f.t - y.f.t);
  const out: string[] = [];
  for (const { n, f } of all) {
    if (f.data[12] !== 0x82 || f.data[13] !== 0x04) continue;
    const l4 = QnetL4Repr.parse(new QnetL4Packet(f.data.subarray(14)));
    if (l4 instanceof WireError) throw new Error(`${n} sent a bad LwL4 frame: ${l4.reason}`);
    if (l4.type !== QnetL4Type.Data || l4.layer !== QnetLayer.KIF) continue;
    const k = QnetKifRepr.parse(new QnetKifPacket(l4.payload));
    if (k instanceof WireError) throw new Error(`${n} sent a bad KIF message: ${k.reason}`);
    out.push(`${n} ${k.kind}`);
  }
  return out;
}

function twoNodes(programs: Record<string, ProgramMain>): { sim: Simulation; a: TestNode; b: TestNode } {
  const sim = newSim(3);
  const a = makeNode(sim, 'alpha', { macBase: 1, extraModules: { 'lsm-qnet.so': lsmQnet }, programs });
  const b = makeNode(sim, 'beta', { macBase: 2, extraModules: { 'lsm-qnet.so': lsmQnet }, programs });
  hub([a.nics[0]!, b.nics[0]!]);
  // alpha first: beta's start-up advertisement (auto_add) tells alpha about beta.
  a.run(['hostname alpha', 'io-pkt-v4 -dfake -pqnet']);
  b.run(['hostname beta', 'sleep 0.1', 'io-pkt-v4 -dfake -pqnet', 'srv &']);
  return { sim, a, b };
}

describe('QnetKif between two nodes', () => {
  it('MsgSend/MsgReply, MsgError, a pulse and ConnectDetach reach the server on beta as from alpha\'s thread', () => {
    const sh: Shared = { pid: 0, chid: 0, seen: [] };
    const out: string[] = [];
    const { sim, a, b } = twoNodes({ srv: server(sh), cli: client(sh, [[1, 2, 3], [0xee], [4]], out) });
    a.run(['sleep 0.5', 'cli']);
    sim.queue.runUntil(2_000_000_000);
    expect([a.k.crashes, b.k.crashes]).toEqual([[], []]);
    expect(out[0]).toBe('nd 1 coid true');
    expect(out.slice(1).map((l) => l.replace(/ in \d+ ns$/, ''))).toEqual([
      'reply status 3 errno 0 data 3,2,1',
      'reply status -1 errno 22 data -',
      'reply status 1 errno 0 data 4',
    ]);
    // beta's ND for alpha is 1 (alpha is the first node beta learned of); the server runs at the client's 15.
    const pid = sh.seen[0]!.match(/pid (\d+)/)![1];
    expect(sh.seen).toEqual([
      `msg _IO_MSG [1,2,3] nd 1 pid ${pid} tid 1 prio 15 self 15`,
      `msg _IO_MSG [238] nd 1 pid ${pid} tid 1 prio 15 self 15`,
      `msg _IO_MSG [4] nd 1 pid ${pid} tid 1 prio 15 self 15`,
      'pulse code 3 value 77 prio 12',
      'disconnect',
    ]);
    expect(kifOnWire([a, b])).toEqual([
      'alpha connectMsgSend', 'beta connectSuccess', 'beta msgReply',
      'alpha msgSend', 'beta msgError',
      'alpha msgSend', 'beta msgReply',
      'alpha pulse', 'alpha disconnect',
    ]);
    // Every exchange after the first is a MsgSend on the connection the first one set up.
    // Each exchange crosses the hub twice (the MsgSend, then the reply; 50 µs each in hub()), so no round trip
    // is under 100 µs; the CPU work on both nodes keeps them well under a millisecond.
    const rtts = out.slice(1).map((l) => Number(l.match(/in (\d+) ns/)![1]));
    for (const t of rtts) expect([t >= 2 * 50_000, t < 1_000_000]).toEqual([true, true]);
  });

  it('a server that exits while the client waits: the client gets ESRCH, and its next send fails with ESRCH too', () => {
    const sh: Shared = { pid: 0, chid: 0, seen: [] };
    const out: string[] = [];
    const { sim, a, b } = twoNodes({ srv: server(sh), cli: client(sh, [[1], [0xdd], [2]], out) });
    a.run(['sleep 0.5', 'cli']);
    sim.queue.runUntil(2_000_000_000);
    expect([a.k.crashes, b.k.crashes]).toEqual([[], []]);
    expect(out.slice(1).map((l) => l.replace(/ in \d+ ns$/, ''))).toEqual([
      'reply status 1 errno 0 data 1',
      `reply status -1 errno ${Errno.ESRCH} data -`,
      expect.stringMatching(new RegExp(`^error ${Errno.ESRCH} at `)),
    ]);
    // The dead server's connection: MsgError then Connect Death; the next send connects again and is refused.
    expect(kifOnWire([a, b])).toEqual([
      'alpha connectMsgSend', 'beta connectSuccess', 'beta msgReply',
      'alpha msgSend', 'beta msgError', 'beta connectDeath',
      'alpha connectMsgSend', 'beta connectFail',
      'alpha connect', 'beta connectFail',
    ]);
  });

  it('pulling the cable while a client waits for its reply: the client fails with EHOSTDOWN, beta\'s server hears the disconnect', () => {
    const sh: Shared = { pid: 0, chid: 0, seen: [] };
    const out: string[] = [];
    const { sim, a, b } = twoNodes({ srv: server(sh), cli: client(sh, [[1], [0xcc]], out) });
    a.run(['sleep 0.5', 'cli']);
    sim.queue.runUntil(1_000_000_000);
    expect(sh.seen.map((l) => l.split(' ').slice(0, 3).join(' '))).toEqual(['msg _IO_MSG [1]', 'msg _IO_MSG [204]']);
    // The cable goes at 1 s: nothing reaches the other side any more.
    const cutAt = 1_000_000_000;
    for (const n of [a, b]) n.nics[0]!.peer = { receive: () => {} } as unknown as FakeNic;
    sim.queue.runUntil(cutAt + 30_000_000_000);
    expect([a.k.crashes, b.k.crashes]).toEqual([[], []]);
    const failed = out.find((l) => l.startsWith('error'));
    expect(failed).toMatch(new RegExp(`^error ${Errno.EHOSTDOWN} at \\d+$`));
    const at = Number(failed!.split(' ')[3]);
    // Nothing is in flight while the client waits (its MsgSend was acknowledged at ≈0.5 s): the transport finds
    // the node gone through its idle poll, conn_up_idle (50) ticks after the last traffic, and the poll's
    // tx_retries (10) retransmissions one tick apart, then one more timeout: with 200 ms ticks
    // 0.5 s + (50 + 10 + 1) × 0.2 s ≈ 12.7 s (+ up to a tick of alignment). Bounds: after 0.5 s + 60 ticks
    // = 12.5 s, no later than the cut + 62 ticks = 13.4 s.
    const tick = QNET_DEFAULTS.tickNs;
    expect(at).toBeGreaterThan(500_000_000 + (QNET_DEFAULTS.connUpIdle + QNET_DEFAULTS.txRetries) * tick);
    expect(at).toBeLessThanOrEqual(cutAt + (QNET_DEFAULTS.connUpIdle + QNET_DEFAULTS.txRetries + 2) * tick);
    expect(sh.seen.at(-1)).toBe('disconnect');
  });

  it('a message and a reply larger than a frame travel whole (the transport fragments them at mtu_en)', () => {
    const sh: Shared = { pid: 0, chid: 0, seen: [] };
    const out: string[] = [];
    // 4000 payload bytes 0, 1, … 249, 0, 1, …: more than two 1500-byte frames each way.
    const payload = Array.from({ length: 4000 }, (_, i) => i % 250);
    const { sim, a, b } = twoNodes({ srv: server(sh), cli: client(sh, [payload], out) });
    a.run(['sleep 0.5', 'cli']);
    sim.queue.runUntil(2_000_000_000);
    expect([a.k.crashes, b.k.crashes]).toEqual([[], []]);
    expect(sh.seen[0]).toMatch(/^msg _IO_MSG \[4000 bytes\] nd 1 /);
    // Reversed: the first byte is the last sent (3999 % 250 = 249), the last is the first (0).
    expect(out[1]).toMatch(/^reply status 4000 errno 0 data 4000 bytes, first 249 last 0 in \d+ ns$/);
    // The first send is a Connect MsgSend: 72-byte fixed part + 8 (_io_msg) + 4000 = 4080 KIF bytes; the reply
    // a MsgReply: 20 + 4000 = 4020. mtu_en 1500 holds the 2-byte pad and 36-byte LwL4 header, so 1462 KIF bytes
    // per frame: 1462 + 1462 + the rest, each framed in 14 (Ethernet) + 38 bytes.
    const per = QNET_DEFAULTS.mtuEn - 38;
    const frames = (kif: number) => [per, per, kif - 2 * per].map((n) => 14 + 38 + n);
    const big = (n: TestNode) => n.nics[0]!.sent.map((f) => f.data.length).filter((len) => len > 200);
    expect([big(a), big(b)]).toEqual([frames(72 + 8 + 4000), frames(20 + 4000)]);
  });
});
