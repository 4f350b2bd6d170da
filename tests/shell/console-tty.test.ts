/**
 * The console's long-lived shell (stack/shell/console-tty.ts): a prompt, the typed line echoed, and every
 * line run in ONE shell — cd, variables and background jobs carry over — as QNX's sh on /dev/con1.
 */
import type { ProgramMain } from '../../stack/kernel/api';
import { defaultPrograms } from '../../stack/programs';
import { ConsoleTty, CONSOLE_SHELL, ROOT_PS1, startConsoleShell, TTY_POLL_NS } from '../../stack/shell/console-tty';
import { rig, type Rig } from '../kernel/helpers';

/** Prints its pid and argv[1], then sleeps argv[2] seconds. */
const job: ProgramMain = function* (ctx, argv) {
  yield* ctx.sleep(Number(argv[2] ?? '0') * 1e9);
  ctx.print(`job ${argv[1]} pid=${ctx.pid} done\n`);
  return 0;
};

function consoleRig(): { r: Rig; tty: ConsoleTty; pid: number } {
  const r = rig({ ...Object.fromEntries(defaultPrograms()), job }, { hostname: 'alpha' });
  const tty = new ConsoleTty();
  const pid = startConsoleShell(r.k, tty, { PATH: '/proc/boot:/bin:/usr/bin' });
  return { r, tty, pid };
}

/** Type `line` once the shell waits for input, and run until it waits again (or `limit` ns pass). */
function type(c: { r: Rig; tty: ConsoleTty }, line: string, limit = 10_000_000_000): void {
  const q = c.r.sim.queue;
  q.runUntil(q.now + limit, () => c.tty.idle);
  expect(c.tty.idle).toBe(true);
  c.tty.push(line);
  q.runUntil(q.now + limit, () => c.tty.idle && c.tty.pending === 0);
}

describe('the console shell', () => {
  test('prompts with "# ", echoes the line and runs it', () => {
    const c = consoleRig();
    type(c, 'echo hello');
    expect(c.r.console()).toBe(`${ROOT_PS1}echo hello\nhello\n${ROOT_PS1}`);
    expect(c.r.k.processes.find((p) => p.pid === c.pid)!.name).toBe(CONSOLE_SHELL);
  });

  test('cd, variables and $? persist from one line to the next (one shell, not sh -c per line)', () => {
    const c = consoleRig();
    type(c, 'X=kept; cd /proc/boot');
    type(c, 'echo $X $PWD');
    type(c, 'false');
    type(c, 'echo status=$?');
    expect(c.r.console().split('\n')).toEqual([
      '# X=kept; cd /proc/boot',
      '# echo $X $PWD',
      'kept /proc/boot',
      '# false',
      '# echo status=$?',
      'status=1',
      '# ',
    ]);
    // One shell process for the whole session: nothing else named sh was ever spawned.
    expect(c.r.trace.filter((l) => l.includes('"probe":"spawn"') && l.includes('"name":"sh"'))).toEqual([]);
  });

  test('a background job started on one line is $! on the next and finishes while the prompt waits', () => {
    const c = consoleRig();
    type(c, 'job bg 1 &');
    type(c, 'echo last=$!');
    const bgPid = /"pid":(\d+),"ppid":\d+,"name":"job"/.exec(c.r.trace.join('\n'))![1];
    expect(c.r.console()).toContain(`# echo last=$!\nlast=${bgPid}\n# `);
    // The job prints while the shell sits at its prompt; the shell reads on.
    const q = c.r.sim.queue;
    q.runUntil(q.now + 2_000_000_000);
    expect(c.r.console()).toContain(`job bg pid=${bgPid} done\n`);
    // As on a terminal, the job's line lands after the prompt already shown, and the next line is typed below it.
    type(c, 'echo still here');
    expect(c.r.console().endsWith(`# job bg pid=${bgPid} done\necho still here\nstill here\n# `)).toBe(true);
  });

  test('typed-ahead lines run one after the other; end of file ends the shell', () => {
    const c = consoleRig();
    const q = c.r.sim.queue;
    q.runUntil(q.now + 1_000_000_000, () => c.tty.idle);
    c.tty.push('job a 0.5');
    c.tty.push('echo after');
    c.tty.close();
    q.runUntil(q.now + 5_000_000_000);
    expect(c.r.console()).toMatch(/^# job a 0\.5\njob a pid=\d+ done\n# echo after\nafter\n# \n$/);
    expect(c.r.k.processes.some((p) => p.pid === c.pid)).toBe(false);
  });

  test('exit ends the shell with its status; PS1 set in the session is the next prompt', () => {
    const c = consoleRig();
    type(c, "PS1='alpha> '");
    expect(c.r.console().endsWith('alpha> ')).toBe(true);
    c.tty.push('exit 3');
    const q = c.r.sim.queue;
    q.runUntil(q.now + TTY_POLL_NS * 3);
    expect(c.r.k.processes.some((p) => p.pid === c.pid)).toBe(false);
    expect(c.r.trace.join('\n')).toContain(`"probe":"exit","pkt":0,"f":{"pid":${c.pid},"name":"${CONSOLE_SHELL}","status":3}`);
  });
});
