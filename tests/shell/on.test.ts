/**
 * `on` as the shell runs it on one node (stack/shell/utils/on.ts): the command's output and exit status
 * through procnto's _PROC_SPAWN session, the error lines of on.c, -d, -p, and slay of `on` ending the child.
 * Across nodes: tests/qnet/on-remote.test.ts.
 */
import type { ProgramMain } from '../../stack/kernel/api';
import { defaultPrograms } from '../../stack/programs';
import { rig, run, type Rig } from '../kernel/helpers';

const MS = 1_000_000;

/** Prints its arguments and its priority, sleeps 5 ms, prints again, exits with argv[1] (default 0). */
const talker: ProgramMain = function* (ctx, argv) {
  ctx.print(`talker ${argv.slice(1).join(' ')} at ${ctx.now()}\n`);
  yield* ctx.sleep(5 * MS);
  ctx.print(`talker done at ${ctx.now()}\n`);
  return Number(argv[1] ?? 0);
};
/** Prints once, then runs until killed. */
const forever: ProgramMain = function* (ctx) {
  ctx.print('forever started\n');
  for (;;) yield* ctx.sleep(1000 * MS);
};

function shell(script: string): Rig {
  const r = rig({ ...Object.fromEntries(defaultPrograms()), talker, forever }, { hostname: 'alpha' });
  r.k.spawn({ argv: ['sh', '-c', script] });
  run(r, 10_000_000_000);
  return r;
}

describe('on (this node)', () => {
  test("runs the command here: its output, then on's status is the command's", () => {
    const r = shell('on talker 7; echo status=$?');
    expect(r.k.crashes).toEqual([]);
    // Zero kernel costs (the shell's own fork/exec time puts the start at some t0): the child's second line
    // is 5 ms after its first.
    const m = /^talker 7 at (\d+)\ntalker done at (\d+)\nstatus=7\n$/.exec(r.console());
    expect(m).not.toBeNull();
    expect(Number(m![2]) - Number(m![1])).toBe(5 * MS);
  });

  test('unknown command, unreachable node, bad options: one line each and a non-zero status', () => {
    const r = shell('on nosuch; echo status=$?; on -n beta talker; echo status=$?; on; echo status=$?; on -p 0 talker; echo status=$?; on -x talker; echo status=$?');
    expect(r.console()).toBe(
      // on.c: fprintf(stderr, "%s: %s (%s)\n", __progname, strerror(status = errno), argv[0]); return status (ENOENT 2).
      'on: No such file or directory (nosuch)\nstatus=2\n' +
        // No Qnet here: /net/beta does not exist (on.c: "Invalid node" from netmgr_strtond).
        'on: Invalid node "beta" (No such file or directory).\nstatus=1\n' +
        'on: Need arguments\nusage: on [-d] [-n node | -f node] [-p prio] command [arg ...]\nstatus=1\n' +
        'on: invalid priority -- 0\nusage: on [-d] [-n node | -f node] [-p prio] command [arg ...]\nstatus=1\n' +
        'on: illegal option -- x\nusage: on [-d] [-n node | -f node] [-p prio] command [arg ...]\nstatus=1\n',
    );
  });

  test('-d: on returns at once with 0; the detached child prints on the console itself', () => {
    const r = shell('on -d talker 4; echo status=$?');
    // on has exited (status=0 printed) before the child's second line.
    expect(r.console()).toMatch(/^talker 4 at (\d+)\nstatus=0\ntalker done at (\d+)\n$/);
  });

  test('-p: the child runs at the given priority', () => {
    let seen = 0;
    const prio: ProgramMain = function* (ctx) {
      seen = ctx.getPriority();
      return 0;
    };
    const r = rig({ ...Object.fromEntries(defaultPrograms()), prio }, { hostname: 'alpha' });
    r.k.spawn({ argv: ['sh', '-c', 'on -p 21 prio'] });
    run(r, 1_000_000_000);
    expect(r.k.crashes).toEqual([]);
    expect(seen).toBe(21);
  });

  test('slay on: the session ends and procnto kills the child', () => {
    const r = rig({ ...Object.fromEntries(defaultPrograms()), forever }, { hostname: 'alpha' });
    r.k.spawn({ argv: ['sh', '-c', 'on forever'] });
    run(r, 10 * MS);
    const names = (): string[] => r.k.processes.map((p) => p.name);
    expect(names()).toEqual(expect.arrayContaining(['on', 'forever']));
    r.k.kill(r.k.processes.find((p) => p.name === 'on')!.pid);
    run(r, 20 * MS);
    expect(names()).not.toContain('forever');
    expect(r.console()).toBe('forever started\n');
  });
});
