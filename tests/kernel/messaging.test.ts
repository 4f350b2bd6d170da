import { Errno, KernelError, type ProgramMain, type Received, type Reply } from '../../stack/kernel/api';
import { rig, run } from './helpers';

describe('message passing', () => {
  test('MsgSend/MsgReceive/MsgReply round trip costs kernel calls, copies and context switches', () => {
    const shared = { pid: 0, chid: 0 };
    const log: [string, number][] = [];
    let got: Received | null = null;
    let reply: Reply | null = null;
    const server: ProgramMain = function* (ctx) {
      shared.pid = ctx.pid;
      shared.chid = ctx.ChannelCreate();
      for (;;) {
        const r = yield* ctx.MsgReceive(shared.chid);
        log.push(['server-got', ctx.now()]);
        got = r;
        if (r.kind === 'msg') ctx.MsgReply(r.rcvid, { status: 7, data: 'pong', bytes: 100 });
      }
    };
    const client: ProgramMain = function* (ctx) {
      log.push(['client-start', ctx.now()]);
      const coid = ctx.ConnectAttach(shared.pid, shared.chid);
      reply = yield* ctx.MsgSend(coid, { type: 'ping', bytes: 1000 });
      log.push(['client-replied', ctx.now()]);
      return 0;
    };
    const r = rig({ server, client }, { costs: { kernelCall: 100, msgPassBase: 1000, msgPerByte: 1, msgReplyBase: 500, contextSwitch: 700 } });
    r.k.spawn({ argv: ['server'], priority: 10 });
    r.k.spawn({ argv: ['client'], priority: 10 });
    run(r);
    // server: switch 700, ChannelCreate + MsgReceive 200 → RECEIVE-blocked at 900.
    // client: switch → 1600; ConnectAttach 100 + MsgSend (100 + 1000 + 1000 bytes) = 2200 → message at 3800.
    // server: switch → 4500; MsgReply 100 + 500 + 100 bytes → reply at 5200; next MsgReceive blocks at 5300.
    // client: switch → 6000.
    expect(log).toEqual([
      ['client-start', 1600],
      ['server-got', 4500],
      ['client-replied', 6000],
    ]);
    expect(reply).toEqual({ status: 7, data: 'pong', bytes: 100 });
    expect(got).toMatchObject({ kind: 'msg', msg: { type: 'ping', bytes: 1000 }, info: { pid: 3, tid: 1, priority: 10 } });
  });

  test('the server thread runs at the client priority while serving it (priority inheritance)', () => {
    const shared = { pid: 0, chid: 0 };
    const log: string[] = [];
    const server: ProgramMain = function* (ctx) {
      shared.pid = ctx.pid;
      shared.chid = ctx.ChannelCreate();
      for (;;) {
        const r = yield* ctx.MsgReceive(shared.chid);
        log.push(`server-prio-${ctx.getPriority()}@${ctx.now()}`);
        yield* ctx.work(1000);
        if (r.kind === 'msg') ctx.MsgReply(r.rcvid, { status: 0 });
      }
    };
    const hog: ProgramMain = function* (ctx) {
      yield* ctx.sleep(10);
      yield* ctx.work(1_000_000);
      log.push(`hog-done@${ctx.now()}`);
      return 0;
    };
    const client: ProgramMain = function* (ctx) {
      yield* ctx.sleep(100_000);
      const coid = ctx.ConnectAttach(shared.pid, shared.chid);
      yield* ctx.MsgSend(coid, { type: 'q' });
      log.push(`client-replied@${ctx.now()}`);
      return 0;
    };
    const r = rig({ server, hog, client });
    r.k.spawn({ argv: ['server'], priority: 5 });
    r.k.spawn({ argv: ['hog'], priority: 15 });
    r.k.spawn({ argv: ['client'], priority: 20 });
    run(r);
    expect(log).toEqual(['server-prio-20@100000', 'client-replied@101000', 'hog-done@1001010']);
    // Back in MsgReceive, the server thread is at its own priority again.
    expect(r.k.processes.find((p) => p.name === 'server')!.threads[0]).toMatchObject({ state: 'RECEIVE', priority: 5 });
  });

  test('pulses are queued by priority together with sends: higher before, lower after', () => {
    const shared = { pid: 0, chid: 0 };
    const order: string[] = [];
    const server: ProgramMain = function* (ctx) {
      shared.pid = ctx.pid;
      shared.chid = ctx.ChannelCreate();
      yield* ctx.sleep(1_000_000); // let the queue fill
      for (let i = 0; i < 3; i++) {
        const r = yield* ctx.MsgReceive(shared.chid);
        if (r.kind === 'pulse') order.push(`pulse${r.code}/p${r.priority}/run${ctx.getPriority()}`);
        else {
          order.push(`msg/p${r.info.priority}/run${ctx.getPriority()}`);
          ctx.MsgReply(r.rcvid, { status: 0 });
        }
      }
      return 0;
    };
    const client: ProgramMain = function* (ctx) {
      const coid = ctx.ConnectAttach(shared.pid, shared.chid);
      yield* ctx.MsgSend(coid, { type: 'x' });
      return 0;
    };
    const pulser: ProgramMain = function* (ctx) {
      const coid = ctx.ConnectAttach(shared.pid, shared.chid);
      ctx.MsgSendPulse(coid, 5, 1, 100);
      ctx.MsgSendPulse(coid, 20, 2, 200);
      yield* ctx.work(10);
      return 0;
    };
    const r = rig({ server, client, pulser });
    r.k.spawn({ argv: ['server'], priority: 30 });
    r.k.spawn({ argv: ['client'], priority: 10 });
    r.k.spawn({ argv: ['pulser'], priority: 10 });
    run(r);
    expect(order).toEqual(['pulse2/p20/run20', 'msg/p10/run10', 'pulse1/p5/run5']);
  });

  test('a client REPLY-blocked on a server that dies gets ESRCH; later sends and attaches fail too', () => {
    const shared = { pid: 0, chid: 0 };
    const errors: string[] = [];
    const server: ProgramMain = function* (ctx) {
      shared.pid = ctx.pid;
      shared.chid = ctx.ChannelCreate();
      yield* ctx.MsgReceive(shared.chid); // never replies
      yield* ctx.work(5000);
      return 3;
    };
    const client: ProgramMain = function* (ctx) {
      const coid = ctx.ConnectAttach(shared.pid, shared.chid);
      try {
        yield* ctx.MsgSend(coid, { type: 'x' });
      } catch (e) {
        errors.push(`send1:${(e as KernelError).errno}@${ctx.now()}`);
      }
      try {
        yield* ctx.MsgSend(coid, { type: 'x' });
      } catch (e) {
        errors.push(`send2:${(e as KernelError).errno}`);
      }
      try {
        ctx.ConnectAttach(shared.pid, shared.chid);
      } catch (e) {
        errors.push(`attach:${(e as KernelError).errno}`);
      }
      return 0;
    };
    const r = rig({ server, client });
    r.k.spawn({ argv: ['server'], priority: 10 });
    r.k.spawn({ argv: ['client'], priority: 10 });
    run(r);
    expect(errors).toEqual([`send1:${Errno.ESRCH}@5000`, `send2:${Errno.ESRCH}`, `attach:${Errno.ESRCH}`]);
  });

  test('MsgError comes back as status -1 with errno; a SEND-blocked client of a killed server gets ESRCH', () => {
    const shared = { pid: 0, chid: 0, busyPid: 0, busyChid: 0 };
    const results: string[] = [];
    const server: ProgramMain = function* (ctx) {
      shared.pid = ctx.pid;
      shared.chid = ctx.ChannelCreate();
      const r = yield* ctx.MsgReceive(shared.chid);
      if (r.kind === 'msg') ctx.MsgError(r.rcvid, Errno.EINVAL);
      yield* ctx.work(1);
      return 0;
    };
    const busy: ProgramMain = function* (ctx) {
      shared.busyPid = ctx.pid;
      shared.busyChid = ctx.ChannelCreate();
      yield* ctx.sleep(1_000_000_000); // never receives
      return 0;
    };
    const client: ProgramMain = function* (ctx) {
      const reply = yield* ctx.MsgSend(ctx.ConnectAttach(shared.pid, shared.chid), { type: 'bad' });
      results.push(`reply:${reply.status}/${reply.errno}`);
      try {
        yield* ctx.MsgSend(ctx.ConnectAttach(shared.busyPid, shared.busyChid), { type: 'x' });
      } catch (e) {
        results.push(`busy:${(e as KernelError).errno}@${ctx.now()}`);
      }
      return 0;
    };
    const killer: ProgramMain = function* (ctx) {
      yield* ctx.sleep(50_000);
      results.push(`client-state:${ctx.processes().find((p) => p.name === 'client')!.threads[0]!.state}`);
      results.push(`kill:${ctx.kill(shared.busyPid)}`);
      yield* ctx.work(1);
      return 0;
    };
    const r = rig({ server, busy, client, killer });
    for (const n of ['server', 'busy', 'client', 'killer']) r.k.spawn({ argv: [n], priority: 10 });
    run(r);
    expect(results).toEqual([`reply:-1/${Errno.EINVAL}`, 'client-state:SEND', 'kill:true', `busy:${Errno.ESRCH}@50001`]);
  });

  test('MsgSend on a connection that is not the caller\'s is EBADF', () => {
    const errors: number[] = [];
    const p: ProgramMain = function* (ctx) {
      try {
        yield* ctx.MsgSend(9999, { type: 'x' });
      } catch (e) {
        errors.push((e as KernelError).errno);
      }
      return 0;
    };
    const r = rig({ p });
    r.k.spawn({ argv: ['p'] });
    run(r);
    expect(errors).toEqual([Errno.EBADF]);
  });
});
