/**
 * Remote connections going away (net-rig.ts: two kernels and a fake manager): disconnect pulses on detach and
 * client exit, server death (ESRCH to the remote client), a node declared down (EHOSTDOWN to blocked clients,
 * server-side connections detached), a client killed while NET_REPLY (late reply ignored), manager death.
 */
import { Errno, KernelError, _NTO_CHF_DISCONNECT, _PULSE_CODE_DISCONNECT, type ProgramMain } from '../../stack/kernel/api';
import { BETA_ND, WIRE_NS, at, netRig, stateOf } from './net-rig';

const srv = { pid: 0, chid: 0 };

/** A server on beta with _NTO_CHF_DISCONNECT that records everything and never replies to 'hold'. */
function holdServer(log: string[], rcvids: number[] = []): ProgramMain {
  return function* (ctx) {
    srv.pid = ctx.pid;
    srv.chid = ctx.ChannelCreate(_NTO_CHF_DISCONNECT);
    for (;;) {
      const r = yield* ctx.MsgReceive(srv.chid);
      if (r.kind === 'pulse') {
        log.push(r.code === _PULSE_CODE_DISCONNECT ? `disconnect scoid=${r.value}` : `pulse ${r.code}`);
        continue;
      }
      log.push(`msg ${r.msg.type} scoid=${r.info.scoid}`);
      if (r.msg.type === 'hold') rcvids.push(r.rcvid);
      else ctx.MsgReply(r.rcvid, { status: 0 });
    }
  };
}

function errnoOf(e: unknown): number | string {
  return e instanceof KernelError ? e.errno : String(e);
}

describe('remote connections going away', () => {
  test('ConnectDetach and the client process ending each give the server a disconnect pulse for its scoid', () => {
    const log: string[] = [];
    const detacher: ProgramMain = function* (ctx) {
      yield* ctx.sleep(1000);
      const coid = ctx.ConnectAttach(srv.pid, srv.chid, BETA_ND);
      yield* ctx.MsgSend(coid, { type: 'hello' });
      ctx.ConnectDetach(coid);
      yield* ctx.sleep(1_000_000);
      return 0;
    };
    const leaver: ProgramMain = function* (ctx) {
      yield* ctx.sleep(500_000);
      const coid = ctx.ConnectAttach(srv.pid, srv.chid, BETA_ND);
      ctx.MsgSendPulse(coid, 10, 3, 0);
      yield* ctx.sleep(200_000);
      return 0; // ends without ConnectDetach
    };
    const r = netRig({ alpha: { detacher, leaver }, beta: { server: holdServer(log) } });
    r.k.beta.spawn({ argv: ['server'] });
    r.k.alpha.spawn({ argv: ['detacher'] });
    r.k.alpha.spawn({ argv: ['leaver'] });
    r.run();
    // Each remote client process got its own vconnect'ed connection (scoid) on beta.
    const scoids = log.map((l) => /scoid=(\d+)/.exec(l)?.[1]).filter((x) => x !== undefined);
    expect(log).toEqual([`msg hello scoid=${scoids[0]}`, `disconnect scoid=${scoids[0]}`, 'pulse 3', `disconnect scoid=${scoids[2]}`]);
    expect(scoids[0]).not.toBe(scoids[2]);
  });

  test('the server dying with a remote client REPLY-blocked on it gives the client ESRCH', () => {
    let err: unknown = null;
    const mortal: ProgramMain = function* (ctx) {
      srv.pid = ctx.pid;
      srv.chid = ctx.ChannelCreate();
      yield* ctx.MsgReceive(srv.chid);
      return 0; // ends without replying
    };
    const client: ProgramMain = function* (ctx) {
      yield* ctx.sleep(1000);
      const coid = ctx.ConnectAttach(srv.pid, srv.chid, BETA_ND);
      try {
        yield* ctx.MsgSend(coid, { type: 'q' });
      } catch (e) {
        err = e;
      }
      return 0;
    };
    const r = netRig({ alpha: { client }, beta: { mortal } });
    r.k.beta.spawn({ argv: ['mortal'] });
    r.k.alpha.spawn({ argv: ['client'] });
    r.run();
    expect(errnoOf(err)).toBe(Errno.ESRCH);
  });

  test('nodeDown: the blocked client fails with EHOSTDOWN; on beta the connection goes and the held send is dropped', () => {
    const log: string[] = [];
    const rcvids: number[] = [];
    let err: unknown = null;
    let failedAt = 0;
    const client: ProgramMain = function* (ctx) {
      yield* ctx.sleep(1000);
      const coid = ctx.ConnectAttach(srv.pid, srv.chid, BETA_ND);
      try {
        yield* ctx.MsgSend(coid, { type: 'hold' });
      } catch (e) {
        err = e;
        failedAt = ctx.now();
      }
      return 0;
    };
    const r = netRig({ alpha: { client }, beta: { server: holdServer(log, rcvids) } });
    r.k.beta.spawn({ argv: ['server'] });
    r.k.alpha.spawn({ argv: ['client'] });
    const DOWN = 1_000_000;
    let mid: unknown = null;
    at(r, DOWN - 1, () => (mid = stateOf(r.k.alpha, 'client')));
    // Both managers declare the other node down at DOWN (as Qnet's liveness check would); the cable is cut.
    at(r, DOWN - 1, () => (r.cut = true));
    r.inject('alpha', { kind: 'nodedown' }, DOWN);
    r.inject('beta', { kind: 'nodedown' }, DOWN);
    r.run();
    expect(mid).toEqual({ state: 'NET_REPLY', priority: 10, blockedOn: srv.pid });
    expect(errnoOf(err)).toBe(Errno.EHOSTDOWN);
    // Zero costs: the manager's nodeDown takes effect at DOWN and the client runs there.
    expect(failedAt).toBe(DOWN);
    expect(log).toEqual([expect.stringMatching(/^msg hold scoid=\d+$/), expect.stringMatching(/^disconnect scoid=\d+$/)]);
    expect(r.trace.some((l) => l.includes('node-down'))).toBe(true);
    // The held vsend was dropped with the connection (a later MsgReply to it would be stale: next test).
    expect(rcvids).toHaveLength(1);
    expect(r.trace.filter((l) => l.includes('vsend-dropped'))).toEqual([expect.stringContaining('beta')]);
    expect(r.frames.filter((f) => f.includes('reply'))).toEqual([]);
  });

  test('a client killed while NET_REPLY: the late reply is ignored (reply-stale) and its connection is detached', () => {
    const log: string[] = [];
    const rcvids: number[] = [];
    const client: ProgramMain = function* (ctx) {
      yield* ctx.sleep(1000);
      const coid = ctx.ConnectAttach(srv.pid, srv.chid, BETA_ND);
      yield* ctx.MsgSend(coid, { type: 'hold' });
      return 0;
    };
    // A second thread in the server process replies later (a rcvid belongs to the process).
    const server: ProgramMain = function* (ctx) {
      ctx.ThreadCreate('replier', 10, function* (c) {
        yield* c.sleep(2_000_000);
        // The server answers the held message long after the client died.
        c.MsgReply(rcvids[0]!, { status: 0 });
        yield* c.work(0);
      });
      yield* holdServer(log, rcvids)(ctx, []);
      return 0;
    };
    const r = netRig({ alpha: { client }, beta: { server } });
    r.k.beta.spawn({ argv: ['server'] });
    const cpid = r.k.alpha.spawn({ argv: ['client'] });
    at(r, 1_000_000, () => r.k.alpha.kill(cpid));
    r.run();
    // The kill's 'detach' reaches beta first: the server hears the disconnect; the held vsend was dropped,
    // so its MsgReply at 2 ms is stale on beta and nothing goes back to alpha.
    expect(log).toEqual([expect.stringMatching(/^msg hold/), expect.stringMatching(/^disconnect/)]);
    expect(r.frames).toEqual(['alpha>beta send', 'beta>alpha sent', 'alpha>beta detach']);
    expect(r.trace.filter((l) => l.includes('reply-stale'))).toEqual([expect.stringContaining('beta')]);
  });

  test('a late reply for a client killed in NET_REPLY is traced reply-stale on the client node', () => {
    const client: ProgramMain = function* (ctx) {
      yield* ctx.sleep(1000);
      const coid = ctx.ConnectAttach(srv.pid, srv.chid, BETA_ND);
      yield* ctx.MsgSend(coid, { type: 'slow' });
      return 0;
    };
    const slow: ProgramMain = function* (ctx) {
      srv.pid = ctx.pid;
      srv.chid = ctx.ChannelCreate();
      const m = yield* ctx.MsgReceive(srv.chid);
      yield* ctx.work(500_000);
      if (m.kind === 'msg') ctx.MsgReply(m.rcvid, { status: 0 });
      yield* ctx.sleep(1_000_000);
      return 0;
    };
    const r = netRig({ alpha: { client }, beta: { slow } });
    r.k.beta.spawn({ argv: ['slow'] });
    const cpid = r.k.alpha.spawn({ argv: ['client'] });
    // Killed after the message reached beta (t ≈ 1000 + 2 × WIRE_NS) and before the reply is back.
    at(r, 1000 + 2 * WIRE_NS + 10_000, () => r.k.alpha.kill(cpid));
    r.run();
    // The detach reaches beta at kill + WIRE_NS, but beta's qnetd is woken at the frame's priority (10), the
    // server's own, and the server is running its 500 µs: FIFO, so qnetd handles the detach only after the
    // server replied. The reply crosses and alpha finds no client for it: 'reply-stale' there.
    expect(r.frames).toEqual(['alpha>beta send', 'beta>alpha sent', 'alpha>beta detach', 'beta>alpha reply']);
    expect(r.trace.filter((l) => l.includes('reply-stale'))).toEqual([expect.stringContaining('alpha')]);
    expect(r.trace.filter((l) => l.includes('vsend-dropped'))).toEqual([]);
  });

  test('the manager dying fails blocked remote clients with EHOSTDOWN and drops remote clients here', () => {
    let err: unknown = null;
    const client: ProgramMain = function* (ctx) {
      yield* ctx.sleep(1000);
      const coid = ctx.ConnectAttach(srv.pid, srv.chid, BETA_ND);
      try {
        yield* ctx.MsgSend(coid, { type: 'hold' });
      } catch (e) {
        err = e;
      }
      // Sending again with no manager: EHOSTDOWN at once.
      try {
        yield* ctx.MsgSend(coid, { type: 'again' });
      } catch (e) {
        err = [err, e];
      }
      return 0;
    };
    const log: string[] = [];
    const r = netRig({ alpha: { client }, beta: { server: holdServer(log) } });
    r.k.beta.spawn({ argv: ['server'] });
    r.k.alpha.spawn({ argv: ['client'] });
    at(r, 1_000_000, () => r.k.alpha.kill(r.mgr.alpha!.pid));
    at(r, 1_000_000, () => r.k.beta.kill(r.mgr.beta!.pid));
    r.run();
    expect((err as unknown[]).map(errnoOf)).toEqual([Errno.EHOSTDOWN, Errno.EHOSTDOWN]);
    // beta's manager going dropped alpha's client connection there: the server heard the disconnect.
    expect(log).toEqual([expect.stringMatching(/^msg hold/), expect.stringMatching(/^disconnect/)]);
  });
});
