import type { ProgramMain } from '../../stack/kernel/api';
import { rig, run } from './helpers';

function workload(seed: number): string {
  const shared = { pid: 0, chid: 0 };
  const server: ProgramMain = function* (ctx) {
    shared.pid = ctx.pid;
    shared.chid = ctx.ChannelCreate();
    const t = ctx.TimerCreate({ notify: 'pulse', coid: ctx.ConnectAttach(0, shared.chid), priority: 12, code: 9, value: 0 });
    ctx.TimerSettime(t, 30_000, 70_000);
    for (let i = 0; i < 40; i++) {
      const r = yield* ctx.MsgReceive(shared.chid);
      ctx.trace('app', 'rx', 0, { kind: r.kind, prio: ctx.getPriority() });
      yield* ctx.work(3000);
      if (r.kind === 'msg') ctx.MsgReply(r.rcvid, { status: 0, bytes: 64 });
    }
    return 0;
  };
  const client = (n: number): ProgramMain =>
    function* (ctx) {
      const coid = ctx.ConnectAttach(shared.pid, shared.chid);
      for (let i = 0; i < 10; i++) {
        yield* ctx.MsgSend(coid, { type: 'req', bytes: 100 * n });
        yield* ctx.sleep(10_000 * n);
      }
      return 0;
    };
  const r = rig({ server, c1: client(1), c2: client(2), c3: client(3) }, {
    cpus: 2,
    seed,
    costs: { kernelCall: 150, msgPassBase: 800, msgPerByte: 0.5, contextSwitch: 600, interruptEntry: 400, timerFire: 500 },
  });
  r.k.spawn({ argv: ['server'], priority: 10 });
  r.k.spawn({ argv: ['c1'], priority: 8 });
  r.k.spawn({ argv: ['c2'], priority: 15 });
  r.k.spawn({ argv: ['c3'], priority: 11 });
  run(r);
  return r.sim.tracer.digest();
}

test('the same programs run twice give the same trace digest', () => {
  const a = workload(1);
  const b = workload(1);
  expect(a).toBe(b);
  expect(a).toMatch(/^[0-9a-f]{64}$/);
});
