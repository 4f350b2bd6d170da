import type { ProgramMain, ScriptLine } from '../../stack/kernel/api';
import { defaultPrograms } from '../../stack/programs';
import { rig, run, type Rig } from '../kernel/helpers';
import { parseBuildfile } from '../../firmware/buildfile';

/** A resource manager like io-pkt: daemonizes at once, registers argv[1] after argv[2] ms, then serves. */
const srv: ProgramMain = function* (ctx, argv) {
  ctx.daemonize();
  const chid = ctx.ChannelCreate();
  yield* ctx.sleep(Number(argv[2] ?? '0') * 1e6);
  ctx.pathAttach(argv[1] ?? '/dev/x', chid);
  for (;;) yield* ctx.MsgReceive(chid);
};

/** Prints its argv and the environment variable named by argv[1] (if any), exits with argv[2]. */
const show: ProgramMain = function* (ctx, argv) {
  ctx.print(`show[${argv.slice(1).join('|')}] env=${ctx.env[argv[1] ?? ''] ?? '-'} @${ctx.now()}\n`);
  yield* ctx.work(1000);
  return Number(argv[2] ?? '0');
};

function shell(script: string, opts: { boot?: boolean; hostname?: string; until?: number } = {}): Rig {
  const programs = Object.fromEntries(defaultPrograms());
  const r = rig({ ...programs, srv, show }, { hostname: opts.hostname ?? 'alpha' });
  if (opts.boot) {
    const lines: ScriptLine[] = script.split('\n').map((text, i) => ({ text, line: i + 10, file: 'x.build' }));
    r.k.spawn({ argv: ['sh'], script: lines });
  } else {
    r.k.spawn({ argv: ['sh', '-c', script] });
  }
  run(r, opts.until ?? 60_000_000_000);
  return r;
}

describe('sh', () => {
  test('echo, variables, quotes, $?, && and ||', () => {
    const r = shell(`
# a comment
NAME="big world"
echo hello $NAME '$NAME' "[$NAME]"
false; echo status=$?
true && echo and-yes
false && echo and-no
false || echo or-yes
true || echo or-no
echo -n no-newline; echo
`);
    expect(r.console()).toBe('hello big world $NAME [big world]\nstatus=1\nand-yes\nor-yes\nno-newline\n');
  });

  test('unknown command: QNX-style message, status 127', () => {
    const r = shell('nosuchcmd -x; echo status=$?');
    expect(r.console()).toBe('sh: nosuchcmd: cannot execute - No such file or directory\nstatus=127\n');
  });

  test('external commands get argv, exported variables and exit status; `&` does not wait', () => {
    const r = shell(`
FOO=plain
export BAR=exported
show FOO; show BAR
BAZ=once show BAZ 3; echo st=$?
show bg 0 &
echo after-bg pid=$!
sleep 0.5
echo done
`);
    const out = r.console().split('\n');
    expect(out[0]).toMatch(/^show\[FOO\] env=- @/);
    expect(out[1]).toMatch(/^show\[BAR\] env=exported @/);
    expect(out[2]).toMatch(/^show\[BAZ\|3\] env=once @/);
    expect(out[3]).toBe('st=3');
    // The background job prints after the shell has moved on.
    expect(out[4]).toMatch(/^after-bg pid=\d+$/);
    expect(out[5]).toMatch(/^show\[bg\|0\] env=- @/);
    expect(out[6]).toBe('done');
  });

  test('boot-script mode exports every assignment, like procnto\'s script interpreter; [pri=] sets priority', () => {
    const prio: ProgramMain = function* (ctx) {
      ctx.print(`prio=${ctx.getPriority()} SOCK=${ctx.env.SOCK}\n`);
      yield* ctx.work(1);
      return 0;
    };
    const programs = Object.fromEntries(defaultPrograms());
    const r = rig({ ...programs, prio });
    r.k.spawn({ argv: ['sh'], script: [{ text: 'SOCK=/alt', line: 3 }, { text: '[pri=27f] prio', line: 4 }, { text: 'prio', line: 5 }] });
    run(r);
    expect(r.console()).toBe('prio=27 SOCK=/alt\nprio=10 SOCK=/alt\n');
  });

  test('waitfor returns once a daemonized server registers the path (polling every 100 ms)', () => {
    const r = shell(`
srv /dev/socket 250
waitfor /dev/socket 10
echo ok $? at
`);
    expect(r.console()).toBe('ok 0 at\n');
    const line = r.trace.map((l) => JSON.parse(l)).find((t) => t.probe === 'exit' && t.f.name === 'sh');
    // Registered at ~250 ms; waitfor polls at 0, 100, 200, 300 ms: sees it at the 300 ms poll.
    expect(line.t).toBeGreaterThanOrEqual(300_000_000);
    expect(line.t).toBeLessThan(301_000_000);
  });

  test('waitfor times out with "Unable to access" and status 1; default 5 s; directories of registered paths count', () => {
    const r = shell(`
waitfor /dev/nothing 0.3
echo status=$?
srv /dev/io-net/en0 0
waitfor /dev/io-net
echo dir=$?
waitfor /dev/never
echo default=$?
`);
    expect(r.console()).toBe('Unable to access /dev/nothing\nstatus=1\ndir=0\nUnable to access /dev/never\ndefault=1\n');
    const exit = r.trace.map((l) => JSON.parse(l)).find((t) => t.probe === 'exit' && t.f.name === 'sh');
    expect(exit.t).toBeGreaterThan(5_300_000_000);
    expect(exit.t).toBeLessThan(5_500_000_000);
  });

  test('syntax errors are reported with the script file and line; the script goes on', () => {
    const r = shell('echo one\necho "unterminated\necho two', { boot: true });
    expect(r.console()).toBe('one\nsh: x.build:11:6: syntax error: unterminated double quote\ntwo\n');
  });

  test('exit stops the script with a status', () => {
    const programs = Object.fromEntries(defaultPrograms());
    const r = rig({ ...programs });
    const parent: ProgramMain = function* (ctx) {
      const pid = ctx.spawn({ argv: ['sh', '-c', 'echo a; exit 4; echo b'] });
      ctx.print(`status=${yield* ctx.waitpid(pid)}\n`);
      return 0;
    };
    r.k.programs.set('parent', parent);
    r.k.spawn({ argv: ['parent'] });
    run(r);
    expect(r.console()).toBe('a\nstatus=4\n');
  });

  test('each external command costs a spawn', () => {
    const programs = Object.fromEntries(defaultPrograms());
    const r = rig({ ...programs, show }, { costs: { processSpawn: 300_000 } });
    r.k.spawn({ argv: ['sh', '-c', 'show a; show b'] });
    run(r);
    const times = [...r.console().matchAll(/@(\d+)/g)].map((m) => Number(m[1]));
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(300_000 + 1000);
  });
});

describe('utilities', () => {
  test('uname, hostname', () => {
    const r = shell('uname; uname -a; uname -sn; hostname; hostname beta; hostname; uname -n');
    expect(r.console()).toBe('QNX\nQNX alpha 6.6.0 2014/02/22-18:29:33EST x86pc x86\nQNX alpha\nalpha\nbeta\nbeta\n');
  });

  test('pidin lists procnto, the shell (SIGSUSPEND while waiting) and servers with their states', () => {
    const r = shell('srv /dev/socket 0 ; sleep 0.1; pidin');
    const lines = r.console().split('\n');
    expect(lines[0]).toBe('     pid tid name               prio STATE       Blocked');
    expect(lines[1]).toBe('       1   1 procnto-smp-instr    0f READY');
    expect(lines.find((l) => l.includes('proc/boot/sh'))).toBe('       2   1 proc/boot/sh        10f SIGSUSPEND');
    expect(lines.find((l) => l.includes('proc/boot/srv'))).toBe('       3   1 proc/boot/srv       10f RECEIVE     1');
    expect(lines.find((l) => l.includes('proc/boot/pidin'))).toMatch(/^\s+\d+   1 proc\/boot\/pidin\s+10f RUNNING$/);
  });

  test('slay kills by name (the server\'s path disappears); unknown names fail', () => {
    const r = shell(`
srv /dev/socket 0
sleep 0.1
waitfor /dev/socket 1 && echo up
slay srv; echo slay=$?
waitfor /dev/socket 0.2; echo gone=$?
slay srv; echo again=$?
`);
    expect(r.console()).toBe('up\nslay=0\nUnable to access /dev/socket\ngone=1\nslay: Unable to find process(es) srv\nagain=1\n');
  });

  test('ls shows the pathname space', () => {
    const r = shell(`
srv /dev/socket/2 0
srv /dev/bpf 0
sleep 0.01
ls /dev
ls -1 /dev/socket
ls /nonexistent
ls /dev/null
`);
    expect(r.console()).toBe('bpf     null    shmem   socket  text    zero\n2\nls: No such file or directory (/nonexistent)\n/dev/null\n');
  });

  test('sleep utility and builtin reject bad intervals', () => {
    const r = shell('sleep x; echo $?; /proc/boot/sleep 1.5x; echo $?');
    expect(r.console()).toBe("sleep: invalid time interval 'x'\n1\nsleep: invalid time interval '1.5x'\n1\n");
  });
});

describe('a boot script from a buildfile', () => {
  test('system services start in the background, waitfor sees them, missing programs are reported with their line', () => {
    const bf = parseBuildfile(
      `[virtual=x86,bios +compress] .bootstrap = {
    startup-bios
    PATH=/proc/boot procnto-smp-instr
}
[+script] .script = {
    display_msg Welcome to QNX Neutrino 6.6 on an x86 PC
    pci-bios &
    waitfor /dev/pci
    slogger &
    devc-con -n2 &
    waitfor /dev/con2
    reopen /dev/con1
    uname -a
    devb-eide &
    echo PATH=$PATH
}
`,
      'pc.build',
    );
    const programs = Object.fromEntries(defaultPrograms());
    const r = rig(programs, { hostname: 'alpha' });
    r.k.spawn({ argv: ['sh'], env: bf.bootEnv, script: bf.script.map((l) => ({ ...l, file: bf.file })) });
    run(r);
    expect(r.console()).toBe(
      'Welcome to QNX Neutrino 6.6 on an x86 PC\n' +
        'QNX alpha 6.6.0 2014/02/22-18:29:33EST x86pc x86\n' +
        'sh: devb-eide: cannot execute - No such file or directory\n' +
        'PATH=/proc/boot\n',
    );
    expect(r.k.processes.map((p) => p.name)).toEqual(['procnto-smp-instr', 'pci-bios', 'slogger', 'devc-con']);
  });
});
