/**
 * Message passing across two kernels through a fake network manager (net-rig.ts): remote MsgSend/MsgReply
 * with NET_SEND → NET_REPLY and priority inheritance on the server's node, MsgError, pulses, MsgRead/MsgWrite.
 */
import { Errno, KernelError, type MsgInfo, type ProgramMain, type Received, type Reply } from '../../stack/kernel/api';
import { formatPidin } from '../../stack/shell/utils/procs';
import { rig, run } from './helpers';
import { ALPHA_ND, BETA_ND, WIRE_NS, at, netRig, stateOf } from './net-rig';

const K = 100;
const P = 1000;
const R = 500;
const COSTS = { kernelCall: K, msgPassBase: P, msgReplyBase: R };
/** Where the server on beta publishes its channel (pid, chid) for the client on alpha. */
const srv = { pid: 0, chid: 0 };

/** A server on beta: receives, records, works 5 µs, replies {status: 42, data: 'pong'}. */
function echoServer(log: string[], infos: MsgInfo[]): ProgramMain {
  return function* (ctx) {
    srv.pid = ctx.pid;
    srv.chid = ctx.ChannelCreate();
    for (;;) {
      const r = yield* ctx.MsgReceive(srv.chid);
      if (r.kind === 'pulse') {
        log.push(`pulse code=${r.code} value=${r.value} prio=${r.priority} run-prio=${ctx.getPriority()}`);
        continue;
      }
      infos.push(r.info);
      log.push(`server got ${r.msg.type} at prio ${ctx.getPriority()} @${ctx.now()}`);
      if (r.msg.type === 'bad') ctx.MsgError(r.rcvid, Errno.EINVAL);
      else ctx.MsgReply(r.rcvid, { status: 42, data: 'pong' });
    }
  };
}

describe('remote message passing (kernel side)', () => {
  test('MsgSend to beta: NET_SEND then NET_REPLY (pidin shows them), the server runs at the client priority, times from the costs', () => {
    const log: string[] = [];
    const infos: MsgInfo[] = [];
    let start = 0;
    let cpid = 0;
    let reply: Reply | null = null;
    const client: ProgramMain = function* (ctx) {
      cpid = ctx.pid;
      yield* ctx.sleep(1_000_000);
      start = ctx.now();
      const coid = ctx.ConnectAttach(srv.pid, srv.chid, BETA_ND);
      reply = yield* ctx.MsgSend(coid, { type: 'ping' });
      log.push(`client replied @${ctx.now()}`);
      return 0;
    };
    const r = netRig({ alpha: { client }, beta: { server: echoServer(log, infos) } }, COSTS);
    r.k.beta.spawn({ argv: ['server'], priority: 10 });
    r.k.alpha.spawn({ argv: ['client'], priority: 25 });
    // The client wakes from its sleep at 1_000_100 (sleep's kernel call 100, then 1 ms).
    // t0 = start + ConnectAttach K + MsgSend K + P = start + 1200: NET_SEND, a 'send' op, alpha's qnetd woken.
    // alpha qnetd: takeOps K → frame leaves at t0 + 100, arrives at beta t1 = t0 + 100 + 50_000.
    // beta qnetd: vconnect K, vsend K + P → the message reaches the server at t1 + 1200; 'sent' leaves then.
    // beta qnetd's MsgReceive K → the server runs at t1 + 1300 (at prio 25), MsgReply K + R → vreply at
    // t1 + 1900, server's MsgReceive K → qnetd runs at t1 + 2000, takeOps K → reply leaves t1 + 2100.
    // 'sent' reaches alpha at t1 + 1200 + 50_000; clientSent K → NET_REPLY at t1 + 51_300.
    // reply reaches alpha t3 = t1 + 52_100; clientReply K + R → client woken at t3 + 600; qnetd's
    // MsgReceive K → the client runs at t3 + 700.
    const t0 = 1_000_100 + 1200;
    const t1 = t0 + K + WIRE_NS;
    const t3 = t1 + 2100 + WIRE_NS;
    const seen: Record<string, unknown> = {};
    at(r, t0 + 1, () => (seen.send = stateOf(r.k.alpha, 'client')));
    at(r, t1 + 51_300 + 1, () => (seen.reply = stateOf(r.k.alpha, 'client')));
    at(r, t1 + 51_300 + 1, () => (seen.pidin = formatPidin(r.k.alpha.processes).split('\n').find((l) => l.includes('client'))));
    r.run();
    expect(start).toBe(1_000_100);
    expect(seen.send).toEqual({ state: 'NET_SEND', priority: 25, blockedOn: srv.pid });
    expect(seen.reply).toEqual({ state: 'NET_REPLY', priority: 25, blockedOn: srv.pid });
    // pidin's Blocked column names the remote server's pid, as for REPLY.
    expect(seen.pidin).toBe(`${String(cpid).padStart(8)}   1 proc/boot/client    25f NET_REPLY   ${srv.pid}`);
    expect(log).toEqual([`server got ping at prio 25 @${t1 + 1300}`, `client replied @${t3 + 700}`]);
    expect(reply).toEqual({ status: 42, data: 'pong' });
    // _msg_info on beta: beta's ND for alpha, the client's alpha pid/tid/priority.
    expect(infos[0]).toMatchObject({ nd: ALPHA_ND, pid: cpid, tid: 1, priority: 25 });
    // Back in MsgReceive the server is at its own priority again.
    expect(stateOf(r.k.beta, 'server')).toEqual({ state: 'RECEIVE', priority: 10, blockedOn: srv.chid });
    expect(r.frames).toEqual(['alpha>beta send', 'beta>alpha sent', 'beta>alpha reply', 'alpha>beta detach']);
  });

  test('MsgError on beta comes back as the reply status -1 with its errno, as for a local server', () => {
    let reply: Reply | null = null;
    const client: ProgramMain = function* (ctx) {
      yield* ctx.sleep(1000);
      const coid = ctx.ConnectAttach(srv.pid, srv.chid, BETA_ND);
      reply = yield* ctx.MsgSend(coid, { type: 'bad' });
      return 0;
    };
    const r = netRig({ alpha: { client }, beta: { server: echoServer([], []) } }, COSTS);
    r.k.beta.spawn({ argv: ['server'], priority: 10 });
    r.k.alpha.spawn({ argv: ['client'], priority: 10 });
    r.run();
    expect(reply).toEqual({ status: -1, errno: Errno.EINVAL });
  });

  test('pulses cross with their priority (MsgSendPulse and a pulse sigevent); without a manager ConnectAttach is ENOTSUP', () => {
    const log: string[] = [];
    const client: ProgramMain = function* (ctx) {
      yield* ctx.sleep(1000);
      const coid = ctx.ConnectAttach(srv.pid, srv.chid, BETA_ND);
      ctx.MsgSendPulse(coid, 30, 5, 77);
      ctx.MsgDeliverEvent({ notify: 'pulse', coid, priority: 12, code: 6, value: 88 });
      yield* ctx.sleep(1_000_000);
      return 0;
    };
    const r = netRig({ alpha: { client }, beta: { server: echoServer(log, []) } }, COSTS);
    r.k.beta.spawn({ argv: ['server'], priority: 10 });
    r.k.alpha.spawn({ argv: ['client'], priority: 10 });
    r.run();
    // The server thread runs at each pulse's priority while handling it.
    expect(log).toEqual(['pulse code=5 value=77 prio=30 run-prio=30', 'pulse code=6 value=88 prio=12 run-prio=12']);

    let err: unknown = null;
    const lonely: ProgramMain = function* (ctx) {
      try {
        ctx.ConnectAttach(2, 1, BETA_ND);
      } catch (e) {
        err = e;
      }
      yield* ctx.work(0);
      return 0;
    };
    const r2 = netRig({ alpha: { lonely }, beta: {} }, {}, false);
    r2.k.alpha.spawn({ argv: ['lonely'] });
    r2.run();
    expect(err).toBeInstanceOf(KernelError);
    expect((err as KernelError).errno).toBe(Errno.ENOTSUP);
  });

  test('a second network manager is refused with EEXIST; the first stays', () => {
    let st = -1;
    const second: ProgramMain = function* (ctx) {
      const chid = ctx.ChannelCreate();
      st = ctx.kif!.register({ coid: ctx.ConnectAttach(0, chid), pulseCode: 1, ndToName: () => null, nameToNd: () => -1 });
      yield* ctx.work(0);
      return 0;
    };
    let name: string | null = null;
    const asker: ProgramMain = function* (ctx) {
      yield* ctx.sleep(10);
      name = ctx.netmgr!()?.ndToName(BETA_ND) ?? null;
      return 0;
    };
    const r = netRig({ alpha: { second, asker }, beta: {} });
    r.k.alpha.spawn({ argv: ['second'] });
    r.k.alpha.spawn({ argv: ['asker'] });
    r.run();
    expect(st).toBe(Errno.EEXIST);
    expect(name).toBe('beta');
  });

  test('MsgRead and MsgWrite work on a remote client message as on a local one', () => {
    const got: string[] = [];
    let reply: Reply | null = null;
    const server: ProgramMain = function* (ctx) {
      srv.pid = ctx.pid;
      srv.chid = ctx.ChannelCreate();
      const m: Received = yield* ctx.MsgReceive(srv.chid);
      if (m.kind !== 'msg') return 1;
      got.push(String.fromCharCode(...ctx.MsgRead!(m.rcvid, 2, 3)));
      got.push(String(ctx.MsgRead!(m.rcvid, 5, 100).length));
      expect(ctx.MsgWrite!(m.rcvid, Uint8Array.of(9, 9, 9, 9, 9, 9), 2)).toBe(6);
      ctx.MsgReply(m.rcvid, { status: 0, data: Uint8Array.of(1, 2, 3) });
      yield* ctx.work(0);
      expect(() => ctx.MsgRead!(m.rcvid, 0, 1)).toThrow(KernelError);
      return 0;
    };
    const client: ProgramMain = function* (ctx) {
      yield* ctx.sleep(1000);
      const coid = ctx.ConnectAttach(srv.pid, srv.chid, BETA_ND);
      reply = yield* ctx.MsgSend(coid, { type: '_IO_MSG', data: new TextEncoder().encode('abcdefg'), bytes: 7 });
      return 0;
    };
    const r = netRig({ alpha: { client }, beta: { server } });
    r.k.beta.spawn({ argv: ['server'] });
    r.k.alpha.spawn({ argv: ['client'] });
    r.run();
    expect(got).toEqual(['cde', '2']);
    // MsgWrite filled bytes 2..7 with 9s; MsgReply's data [1, 2, 3] laid over it from offset 0.
    expect(reply!.data).toEqual(Uint8Array.of(1, 2, 3, 9, 9, 9, 9, 9));
    expect(reply!.bytes).toBe(8);
  });

  test('the manager is woken once per batch, again only for an op of higher priority; ops come in order', () => {
    const wakes: string[] = [];
    const mgr: ProgramMain = function* (ctx) {
      const chid = ctx.ChannelCreate();
      ctx.kif!.register({ coid: ctx.ConnectAttach(0, chid), pulseCode: 7, ndToName: () => null, nameToNd: () => -1 });
      yield* ctx.sleep(1_000_000); // busy elsewhere while three clients send
      for (let i = 0; i < 2; i++) {
        const r = yield* ctx.MsgReceive(chid);
        if (r.kind !== 'pulse') return 1;
        const ops = ctx.kif!.takeOps();
        wakes.push(`pulse prio=${r.priority}: ${ops.map((o) => (o.kind === 'send' ? `${o.msg.type}@${o.prio}` : o.kind)).join(' ')}`);
      }
      return 0;
    };
    const sender = (type: string, delay: number): ProgramMain =>
      function* (ctx) {
        yield* ctx.sleep(delay);
        yield* ctx.MsgSend(ctx.ConnectAttach(2, 1, BETA_ND), { type });
        return 0;
      };
    const r = rig({ mgr, a: sender('a', 1000), b: sender('b', 2000), c: sender('c', 3000) });
    r.k.spawn({ argv: ['mgr'], priority: 21 });
    r.k.spawn({ argv: ['a'], priority: 10 });
    r.k.spawn({ argv: ['b'], priority: 10 });
    r.k.spawn({ argv: ['c'], priority: 20 });
    run(r, 5_000_000);
    // 'a' sends the first wake (prio 10); 'b' (10) adds none; 'c' (20) sends another. The channel hands out
    // the prio-20 pulse first: all three ops; the prio-10 pulse then finds none.
    expect(wakes).toEqual(['pulse prio=20: a@10 b@10 c@20', 'pulse prio=10: ']);
    // Nobody answered; the manager then ended, so the three clients failed with EHOSTDOWN (unhandled here).
    expect(r.console()).toBe('c: MsgSend: Host is down\na: MsgSend: Host is down\nb: MsgSend: Host is down\n');
  });

  test('a kif object kept from one thread charges the thread that calls it', () => {
    const seen: number[] = [];
    const mgr: ProgramMain = function* (ctx) {
      const kif = ctx.kif!;
      const chid = ctx.ChannelCreate();
      kif.register({ coid: ctx.ConnectAttach(0, chid), pulseCode: 7, ndToName: () => null, nameToNd: () => -1 });
      ctx.ThreadCreate('worker', 10, function* (w) {
        const before = w.clockNow!();
        kif.clientSent(12345); // unknown id: traced 'reply-stale', but the kernel call is paid
        seen.push(w.clockNow!() - before);
        yield* w.work(0);
      });
      yield* ctx.sleep(1_000_000);
      return 0;
    };
    const r = rig({ mgr }, { costs: { kernelCall: 100 } });
    r.k.spawn({ argv: ['mgr'] });
    run(r);
    // The worker's clock moved by the kernel call: it, not the main thread, was charged.
    expect(seen).toEqual([100]);
    expect(r.trace.filter((l) => l.includes('reply-stale'))).toHaveLength(1);
  });
});
