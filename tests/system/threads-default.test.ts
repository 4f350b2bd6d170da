/**
 * Threads by default (issue 17; emulator/app/assembly/guest-threads.ts): a scenario with two or more guests runs them
 * in worker threads, as many at once as the machine has cores, in every command that runs a scenario — `run`,
 * `console`, `debug` (and `test`: threads-actions.test.ts) — so all of them make the same run, and it is the run of
 * any `--threads N`; `--no-threads` picks the single-threaded engine (another run). Two milliseconds of the collision
 * fixture are enough to tell the engines apart: the guests are powered on and their BIOS runs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cliAsync, REPO, tmpdir } from './helpers';

const TWO = path.join(REPO, 'tests/fixtures/threads/two-guests-collide.yaml');
const SHORT = ['--until', '2ms'];
const hashOf = (stdout: string): string => /^trace-hash ([0-9a-f]{64})$/m.exec(stdout)?.[1] ?? `no trace-hash in: ${stdout}`;

describe('two guests, no --threads', () => {
  test('run, console and debug make the threaded run (that of --threads 1); --no-threads another', async () => {
    const commands = path.join(tmpdir('threads-default'), 'cmds.txt');
    fs.writeFileSync(commands, 'show nic linux1.nic0\nquit\n');
    const single = path.join(path.dirname(commands), 'single.txt');
    fs.writeFileSync(single, 'show nic linux1.nic0\nquit\n');
    const [byDefault, one, none, consoleRun, debugRun, debugSingle] = await Promise.all([
      cliAsync(['run', TWO, ...SHORT, '--no-color']),
      cliAsync(['run', TWO, ...SHORT, '--threads', '1', '--no-color']),
      cliAsync(['run', TWO, ...SHORT, '--no-threads', '--no-color']),
      cliAsync(['console', TWO, 'linux1', ...SHORT], 480_000, { input: '' }),
      cliAsync(['debug', TWO, ...SHORT, '--commands', commands]),
      cliAsync(['debug', TWO, ...SHORT, '--no-threads', '--commands', single]),
    ]);
    for (const r of [byDefault, one, none, consoleRun, debugRun, debugSingle]) expect(r.stderr).toBe('');
    // The scenario's expectations need its whole 5 s: a 2 ms run fails them (exit 1) the same way in every engine.
    expect([byDefault.status, one.status, none.status]).toEqual([1, 1, 1]);
    expect(byDefault.stdout).toBe(one.stdout);
    expect(hashOf(none.stdout)).not.toBe(hashOf(byDefault.stdout));
    expect(hashOf(consoleRun.stdout)).toBe(hashOf(byDefault.stdout));
    // The debugger records the threaded run and replays it: the same trace-hash; the guests' NICs stayed in workers.
    expect(debugRun.stdout).toMatch(new RegExp(`^guests linux1, linux2 ran in worker threads in the recording run .*trace-hash ${hashOf(byDefault.stdout).slice(0, 16)}…$`, 'm'));
    expect(debugRun.stdout).toMatch(/error: linux1 is a Linux guest that ran in a worker thread .* debug with --no-threads/);
    // --no-threads: the single-threaded engine, whose guests' registers the debugger shows.
    expect(debugSingle.stdout).toMatch(/^guests linux1, linux2 ran live in the recording run/m);
    expect(debugSingle.stdout).toMatch(/^linux1\.nic0: rtl8029 \[PCI\] PROM 52:54:00:00:00:03, link hub0, stopped/m);
    expect(debugSingle.stdout).toMatch(/^ {4}CR=0x21\[STP RD=4 PS=0\]/m);
    expect(debugSingle.stdout).not.toMatch(/^error:/m);
  }, 300_000);
});
