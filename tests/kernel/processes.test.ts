import { Errno, KernelError, type ProgramMain } from '../../stack/kernel/api';
import { LocalKey } from '../../stack/kernel/local';
import { PathSpace } from '../../stack/kernel/pathspace';
import { rig, run } from './helpers';

describe('processes', () => {
  test('spawn of an unknown program is ENOENT; waitpid returns the exit status; argv and env are passed', () => {
    const log: string[] = [];
    const child: ProgramMain = function* (ctx, argv) {
      log.push(`child ${argv.join(' ')} FOO=${ctx.env.FOO} prio=${ctx.getPriority()}`);
      yield* ctx.work(1000);
      return 42;
    };
    const parent: ProgramMain = function* (ctx) {
      try {
        ctx.spawn({ argv: ['/bin/nope'] });
      } catch (e) {
        log.push(`spawn nope: ${(e as KernelError).errno === Errno.ENOENT}`);
      }
      const pid = ctx.spawn({ argv: ['/proc/boot/child', 'a', 'b'], env: { FOO: 'bar' } });
      const st = yield* ctx.waitpid(pid);
      log.push(`status ${st}@${ctx.now()}`);
      try {
        yield* ctx.waitpid(12345);
      } catch (e) {
        log.push(`waitpid unknown: ${(e as KernelError).errno === Errno.ECHILD}`);
      }
      return 0;
    };
    const r = rig({ parent, child }, { costs: { processSpawn: 300_000 } });
    r.k.spawn({ argv: ['parent'], priority: 12 });
    run(r);
    expect(log).toEqual(['spawn nope: true', 'child /proc/boot/child a b FOO=bar prio=12', 'status 42@601000', 'waitpid unknown: true']);
  });

  test('daemonize releases the waiting parent with 0 while the child keeps running', () => {
    const log: string[] = [];
    const daemon: ProgramMain = function* (ctx) {
      yield* ctx.work(1000);
      ctx.daemonize();
      yield* ctx.sleep(10_000);
      log.push(`daemon still running@${ctx.now()}`);
      return 0;
    };
    const parent: ProgramMain = function* (ctx) {
      const pid = ctx.spawn({ argv: ['daemon'] });
      log.push(`waitpid=${yield* ctx.waitpid(pid)}@${ctx.now()}`);
      log.push(`again=${yield* ctx.waitpid(pid)}`);
      return 0;
    };
    const r = rig({ parent, daemon });
    r.k.spawn({ argv: ['parent'] });
    run(r);
    expect(log).toEqual(['waitpid=0@1000', 'again=0', 'daemon still running@11000']);
  });

  test('kill runs onTerminate hooks, ends every thread, removes paths and channels, wakes waiters', () => {
    const log: string[] = [];
    const shared = { pid: 0, chid: 0 };
    const server: ProgramMain = function* (ctx) {
      shared.pid = ctx.pid;
      shared.chid = ctx.ChannelCreate();
      ctx.pathAttach('/dev/thing', shared.chid);
      ctx.onTerminate(() => log.push('hook'));
      ctx.ThreadCreate('worker', 10, function* (w) {
        yield* w.sleep(1_000_000_000);
      });
      for (;;) yield* ctx.MsgReceive(shared.chid);
    };
    const client: ProgramMain = function* (ctx) {
      yield* ctx.sleep(100);
      log.push(`resolved=${ctx.pathResolve('/dev/thing')?.pid === shared.pid}`);
      const coid = ctx.ConnectAttach(shared.pid, shared.chid);
      try {
        yield* ctx.MsgSend(coid, { type: 'x' }); // the server receives but never replies
      } catch (e) {
        log.push(`client errno=${(e as KernelError).errno}`);
      }
      log.push(`after kill resolved=${ctx.pathResolve('/dev/thing') !== null}`);
      return 0;
    };
    const waiter: ProgramMain = function* (ctx) {
      yield* ctx.sleep(50);
      log.push(`waited status=${yield* ctx.waitpid(shared.pid)}`);
      return 0;
    };
    const r = rig({ server, client, waiter });
    r.k.spawn({ argv: ['server'] });
    r.k.spawn({ argv: ['client'] });
    r.k.spawn({ argv: ['waiter'] });
    run(r, 5000);
    const srv = r.k.processes.find((p) => p.name === 'server')!;
    expect(srv.threads.map((t) => [t.tid, t.name, t.state])).toEqual([[1, 'server', 'RECEIVE'], [2, 'worker', 'NANOSLEEP']]);
    expect(r.k.kill(shared.pid)).toBe(true);
    run(r);
    expect(log).toEqual(['resolved=true', 'hook', `client errno=${Errno.ESRCH}`, 'after kill resolved=false', 'waited status=143']);
    expect(r.k.processes.map((p) => p.name)).toEqual(['procnto-smp-instr']);
    expect(r.sim.queue.pending).toBe(0);
  });

  test('an exception escaping a program ends it and is reported on the console', () => {
    const bad: ProgramMain = function* (ctx) {
      yield* ctx.work(10);
      throw new TypeError('boom');
    };
    const r = rig({ bad });
    r.k.spawn({ argv: ['bad'] });
    run(r);
    expect(r.console()).toContain('Process 2 (bad) terminated SIGSEGV');
    expect(r.k.crashes).toHaveLength(1);
  });

  test('allocPhys is a bump allocator over the free memory of the system page', () => {
    const got: (number | string)[] = [];
    const p: ProgramMain = function* (ctx) {
      got.push(ctx.allocPhys(100));
      got.push(ctx.allocPhys(16, 16));
      got.push(ctx.allocPhys(8192));
      try {
        ctx.allocPhys(0x400000);
      } catch (e) {
        got.push((e as KernelError).errno === Errno.ENOMEM ? 'ENOMEM' : 'other');
      }
      yield* ctx.work(1);
      return 0;
    };
    const r = rig({ p });
    r.k.spawn({ argv: ['p'] });
    run(r);
    expect(got).toEqual([0x100000, 0x100070, 0x101000, 'ENOMEM']);
  });

  test('hostname is _CS_HOSTNAME; threads of one process share `local`', () => {
    const seen: string[] = [];
    const K = new LocalKey<string>('k');
    const p: ProgramMain = function* (ctx) {
      ctx.local.set(K, 'v');
      seen.push(ctx.confstr('_CS_HOSTNAME')!);
      ctx.ThreadCreate('t2', 10, function* (t) {
        seen.push(String(t.local.get(K)));
        yield* t.work(1);
      });
      yield* ctx.sleep(10);
      return 0;
    };
    const r = rig({ p }, { hostname: 'alpha' });
    r.k.spawn({ argv: ['p'] });
    run(r);
    expect(seen).toEqual(['alpha', 'v']);
  });
});

describe('pathname space', () => {
  test('longest prefix on component boundaries; files match exactly; later attach wins; links followed', () => {
    const ps = new PathSpace();
    ps.attach('/dev/socket', 10, 1, true);
    ps.attach('/dev/socket/2', 11, 1, false);
    ps.attach('/dev/sock', 12, 1, true);
    ps.attach('/dev/null', 1, 0, false);
    expect(ps.resolve('/dev/socket/2')).toEqual({ pid: 11, chid: 1, prefix: '/dev/socket/2', rest: '' });
    expect(ps.resolve('/dev/socket/17')).toEqual({ pid: 10, chid: 1, prefix: '/dev/socket', rest: '17' });
    expect(ps.resolve('/dev/socketx')).toBeNull();
    expect(ps.resolve('/dev/sock/a/b')).toEqual({ pid: 12, chid: 1, prefix: '/dev/sock', rest: 'a/b' });
    expect(ps.resolve('/dev/null/x')).toBeNull();
    expect(ps.resolve('//dev/./socket/')).toMatchObject({ pid: 10, rest: '' });
    ps.attach('/dev/socket', 20, 3, true);
    expect(ps.resolve('/dev/socket/17')).toMatchObject({ pid: 20, chid: 3 });
    ps.detachAll(20);
    expect(ps.resolve('/dev/socket/17')).toMatchObject({ pid: 10 });
    ps.symlink('/tmp', '/dev/sock');
    expect(ps.resolve('/tmp/x')).toEqual({ pid: 12, chid: 1, prefix: '/dev/sock', rest: 'x' });
    expect(ps.exists('/dev')).toBe(true);
    expect(ps.exists('/de')).toBe(false);
    expect(ps.list('/dev/socket')).toEqual(['/dev/socket', '/dev/socket/2']);
  });
});
