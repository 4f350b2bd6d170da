import { type ProgramMain, type Received } from '../../stack/kernel/api';
import { _NTO_CHF_DISCONNECT, _PULSE_CODE_DISCONNECT } from '../../stack/kernel/messaging';
import { rig, run } from './helpers';

/** A server that records every pulse it receives as "code/value@time" and answers messages. */
function server(shared: { pid: number; chid: number }, flags: number, log: string[]): ProgramMain {
  return function* (ctx) {
    shared.pid = ctx.pid;
    shared.chid = ctx.ChannelCreate(flags);
    for (;;) {
      const r: Received = yield* ctx.MsgReceive(shared.chid);
      if (r.kind === 'pulse') log.push(`pulse ${r.code}/${r.value}@${ctx.now()}`);
      else ctx.MsgReply(r.rcvid, { status: r.info.scoid });
    }
  };
}

describe('_NTO_CHF_DISCONNECT: the server hears of connections that go away', () => {
  test('a client that exits without detaching: one _PULSE_CODE_DISCONNECT per connection, value = scoid', () => {
    const shared = { pid: 0, chid: 0 };
    const log: string[] = [];
    const scoids: number[] = [];
    const client: ProgramMain = function* (ctx) {
      const a = ctx.ConnectAttach(shared.pid, shared.chid);
      const b = ctx.ConnectAttach(shared.pid, shared.chid);
      scoids.push((yield* ctx.MsgSend(a, { type: 'hello' })).status, (yield* ctx.MsgSend(b, { type: 'hello' })).status);
      return 0; // exits with both connections attached
    };
    const r = rig({ server: server(shared, _NTO_CHF_DISCONNECT, log), client });
    r.k.spawn({ argv: ['server'], priority: 10 });
    r.k.spawn({ argv: ['client'], priority: 10 });
    run(r);
    expect(scoids).toHaveLength(2);
    expect(log.map((l) => l.replace(/@.*/, ''))).toEqual(scoids.map((s) => `pulse ${_PULSE_CODE_DISCONNECT}/${s}`));
  });

  test('ConnectDetach delivers the pulse at its point on the client timeline; a channel without the flag hears nothing', () => {
    const shared = { pid: 0, chid: 0 };
    const quiet = { pid: 0, chid: 0 };
    const log: string[] = [];
    const quietLog: string[] = [];
    let detachedAt = 0;
    const client: ProgramMain = function* (ctx) {
      yield* ctx.sleep(1000); // the servers (lower priority) create their channels first
      const a = ctx.ConnectAttach(shared.pid, shared.chid);
      const q = ctx.ConnectAttach(quiet.pid, quiet.chid);
      yield* ctx.MsgSend(a, { type: 'hello' });
      yield* ctx.sleep(1000);
      detachedAt = ctx.now();
      ctx.ConnectDetach(a);
      ctx.ConnectDetach(q);
      yield* ctx.sleep(1000);
      return 0;
    };
    const r = rig({ server: server(shared, _NTO_CHF_DISCONNECT, log), quiet: server(quiet, 0, quietLog), client }, { costs: { kernelCall: 100, pulse: 300 } });
    r.k.spawn({ argv: ['server'], priority: 10 });
    r.k.spawn({ argv: ['quiet'], priority: 10 });
    r.k.spawn({ argv: ['client'], priority: 11 });
    run(r);
    expect(quietLog).toEqual([]);
    expect(log).toHaveLength(1);
    // The first detach costs a kernel call (100) plus the pulse (300): the pulse is queued at +400 and wakes
    // the lower-priority server, which runs once the client blocks: second detach (100, no pulse: no flag)
    // and the sleep's kernel call (100) → +600.
    expect(log[0]).toMatch(new RegExp(`^pulse ${_PULSE_CODE_DISCONNECT}/\\d+@${detachedAt + 600}$`));
  });

  test('the server\'s own connection to itself never produces the pulse', () => {
    const log: string[] = [];
    const self: ProgramMain = function* (ctx) {
      const chid = ctx.ChannelCreate(_NTO_CHF_DISCONNECT);
      const c = ctx.ConnectAttach(0, chid);
      ctx.ConnectDetach(c);
      ctx.MsgSendPulse(ctx.ConnectAttach(0, chid), 10, 5, 0);
      const r = yield* ctx.MsgReceive(chid);
      if (r.kind === 'pulse') log.push(`pulse ${r.code}`);
      return 0;
    };
    const r = rig({ self });
    r.k.spawn({ argv: ['self'], priority: 10 });
    run(r);
    expect(log).toEqual(['pulse 5']);
  });
});
