/**
 * procnto's `_PROC_SPAWN` sessions (stack/kernel/procnto-spawn.ts): start → pid, `_IO_READ` of the child's
 * output (deferred while it has printed nothing and runs), wait → exit status (deferred), the session ending
 * with its connection (the child killed); locally (a REPLY-blocked MsgSend woken later) and from another node
 * through the network manager (the deferred answer goes as a vreply).
 */
import { Errno, type Co, type Message, type ProgramMain, type Reply, type ThreadCtx } from '../../stack/kernel/api';
import { PROCNTO_CHID, PROCNTO_PID } from '../../stack/kernel/kif';
import { KILLED_STATUS } from '../../stack/kernel/processes';
import { rig, run } from './helpers';
import { BETA_ND, WIRE_NS, at, netRig, stateOf } from './net-rig';

const MS = 1_000_000;
const start = (argv: string[], extra: Record<string, unknown> = {}): Message => ({ type: '_PROC_SPAWN', subtype: 'start', argv, bytes: 32, ...extra });
const wait: Message = { type: '_PROC_SPAWN', subtype: 'wait', bytes: 12 };
const read = (nbytes: number): Message => ({ type: '_IO_READ', nbytes, flags: 0, bytes: 16 });
const text = (r: Reply): string => new TextDecoder().decode(r.data as Uint8Array);

/** Prints, sleeps 5 ms, prints, exits 3. */
const talker: ProgramMain = function* (ctx) {
  ctx.print('first\n');
  yield* ctx.sleep(5 * MS);
  ctx.print('second\n');
  return 3;
};
/** Never ends on its own. */
const forever: ProgramMain = function* (ctx) {
  for (;;) yield* ctx.sleep(1000 * MS);
};

interface Got { t: number; r: Reply }

/** start, then reads until 0 bytes (each with its arrival time), then wait. */
function* session(ctx: ThreadCtx, coid: number, argv: string[], got: Got[]): Co<void> {
  const send = function* (m: Message): Co<Reply> {
    const r = yield* ctx.MsgSend(coid, m);
    got.push({ t: ctx.now(), r });
    return r;
  };
  const s = yield* send(start(argv));
  if (s.status < 0) return;
  for (;;) {
    const r = yield* send(read(4096));
    if (r.status <= 0) break;
  }
  yield* send(wait);
}

describe("procnto's _PROC_SPAWN", () => {
  test('locally: pid, output as it is printed (a read waits for it), then the status', () => {
    const got: Got[] = [];
    const client: ProgramMain = function* (ctx) {
      yield* session(ctx, ctx.ConnectAttach(PROCNTO_PID, PROCNTO_CHID), ['talker', 'x'], got);
      return 0;
    };
    const r = rig({ client, talker });
    r.k.spawn({ argv: ['client'] });
    run(r);
    expect(r.k.crashes).toEqual([]);
    expect(got.map((g) => g.r.status)).toEqual([3, 6, 7, 0, 3]); // pid 3 (client is 2), "first\n", "second\n", end, exit 3
    expect(text(got[1]!.r)).toBe('first\n');
    expect(text(got[2]!.r)).toBe('second\n');
    // Zero costs: the first read is answered at t=0 (the child printed at once); the second waited 5 ms
    // for the child's sleep, and the end of output and the status come at the same point.
    expect(got.map((g) => g.t)).toEqual([0, 0, 5 * MS, 5 * MS, 5 * MS]);
    // The child was not in the client's console: its output went to the session only.
    expect(r.console()).toBe('');
  });

  test('locally: a client blocked in a read is REPLY-blocked on procnto; killing it kills the child', () => {
    const client: ProgramMain = function* (ctx) {
      const coid = ctx.ConnectAttach(PROCNTO_PID, PROCNTO_CHID);
      yield* ctx.MsgSend(coid, start(['forever']));
      yield* ctx.MsgSend(coid, read(100));
      return 0;
    };
    const r = rig({ client, forever });
    const cpid = r.k.spawn({ argv: ['client'] });
    run(r, 10 * MS);
    const t = r.k.processes.find((p) => p.name === 'client')!.threads[0]!;
    expect([t.state, t.blockedOn]).toEqual(['REPLY', PROCNTO_PID]);
    expect(r.k.processes.some((p) => p.name === 'forever')).toBe(true);
    r.k.kill(cpid);
    run(r, 20 * MS);
    expect(r.k.processes.some((p) => p.name === 'forever' || p.name === 'client')).toBe(false);
    expect(r.trace.some((l) => l.includes('spawn-hangup'))).toBe(true);
  });

  test('locally: unknown program ENOENT, empty argv EINVAL, a second start EBUSY, wait without a session ECHILD', () => {
    const got: Reply[] = [];
    const client: ProgramMain = function* (ctx) {
      const c = (): number => ctx.ConnectAttach(PROCNTO_PID, PROCNTO_CHID);
      got.push(yield* ctx.MsgSend(c(), start(['nosuch'])));
      got.push(yield* ctx.MsgSend(c(), start([])));
      got.push(yield* ctx.MsgSend(c(), wait));
      const coid = c();
      got.push(yield* ctx.MsgSend(coid, start(['talker'])));
      got.push(yield* ctx.MsgSend(coid, start(['talker'])));
      got.push(yield* ctx.MsgSend(coid, wait));
      return 0;
    };
    const r = rig({ client, talker });
    r.k.spawn({ argv: ['client'] });
    run(r);
    expect(got).toEqual([
      { status: -1, errno: Errno.ENOENT }, { status: -1, errno: Errno.EINVAL }, { status: -1, errno: Errno.ECHILD },
      { status: 3 }, { status: -1, errno: Errno.EBUSY }, { status: 3 },
    ]);
  });

  test('from another node: output reaches the client before the child prints again; vdetach kills the child', () => {
    const got: Got[] = [];
    const remote: ProgramMain = function* (ctx) {
      yield* session(ctx, ctx.ConnectAttach(PROCNTO_PID, PROCNTO_CHID, BETA_ND), ['talker'], got);
      const coid = ctx.ConnectAttach(PROCNTO_PID, PROCNTO_CHID, BETA_ND);
      yield* ctx.MsgSend(coid, start(['forever']));
      yield* ctx.MsgSend(coid, read(100));
      return 0;
    };
    const r = netRig({ alpha: { remote }, beta: { talker, forever } });
    const rpid = r.k.alpha.spawn({ argv: ['remote'] });
    let foreverAlive = false;
    at(r, 50 * MS, () => {
      foreverAlive = r.k.beta.processes.some((p) => p.name === 'forever');
      expect(stateOf(r.k.alpha, 'remote')?.state).toBe('NET_REPLY');
      r.k.alpha.kill(rpid);
    });
    r.run(200 * MS);
    expect(r.k.alpha.crashes).toEqual([]);
    expect(r.k.beta.crashes).toEqual([]);
    expect(got.map((g) => g.r.status)).toEqual([expect.any(Number), 6, 7, 0, 3]);
    expect(text(got[1]!.r)).toBe('first\n');
    // With zero CPU costs each exchange is the wire both ways: the first line arrives one round trip after
    // the start's reply (2 × WIRE_NS later), long before the child's second line (5 ms after it started,
    // which was one wire crossing after alpha sent the start).
    expect(got[1]!.t - got[0]!.t).toBe(2 * WIRE_NS);
    expect(got[1]!.t).toBeLessThan(WIRE_NS + 5 * MS);
    // The second line: printed at WIRE_NS + 5 ms on beta, a wire crossing to alpha.
    expect(got[2]!.t).toBe(WIRE_NS + 5 * MS + WIRE_NS);
    expect(foreverAlive).toBe(true);
    expect(r.k.beta.processes.some((p) => p.name === 'forever')).toBe(false);
    expect(r.trace.some((l) => l.includes('spawn-hangup'))).toBe(true);
    // Killed as slay kills (SIGTERM: 128 + 15).
    expect(r.trace.filter((l) => /exit/.test(l) && /forever/.test(l)).join('\n')).toContain(String(KILLED_STATUS));
  });

  test("alpha declared down on beta (nodeDown): beta's procnto kills the child of alpha's session", () => {
    const remote: ProgramMain = function* (ctx) {
      const coid = ctx.ConnectAttach(PROCNTO_PID, PROCNTO_CHID, BETA_ND);
      yield* ctx.MsgSend(coid, start(['forever']));
      yield* ctx.MsgSend(coid, read(100));
      return 0;
    };
    const r = netRig({ alpha: { remote }, beta: { forever } });
    r.k.alpha.spawn({ argv: ['remote'] });
    let before = false;
    at(r, 10 * MS, () => {
      before = r.k.beta.processes.some((p) => p.name === 'forever');
      r.cut = true; // the cable goes; beta's manager then declares alpha down
    });
    r.inject('beta', { kind: 'nodedown' }, 20 * MS);
    r.run(50 * MS);
    expect(before).toBe(true);
    expect(r.k.beta.processes.some((p) => p.name === 'forever')).toBe(false);
    expect(r.k.beta.crashes).toEqual([]);
  });

  test("the child's priority: the requester's by default, the message's prio if given", () => {
    const seen: number[] = [];
    const prio: ProgramMain = function* (ctx) {
      seen.push(ctx.getPriority());
      return 0;
    };
    const client: ProgramMain = function* (ctx) {
      for (const extra of [{}, { prio: 30 }]) {
        const coid = ctx.ConnectAttach(PROCNTO_PID, PROCNTO_CHID);
        yield* ctx.MsgSend(coid, start(['prio'], extra));
        yield* ctx.MsgSend(coid, wait);
        ctx.ConnectDetach(coid);
      }
      return 0;
    };
    const r = rig({ client, prio });
    r.k.spawn({ argv: ['client'], priority: 15 });
    run(r);
    expect(seen).toEqual([15, 30]);
  });
});
