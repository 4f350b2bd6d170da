/**
 * On a terminal (a pseudo-terminal driven by tests/system/pty-driver.py): the interactive console of a QNX
 * node shows the shell's `# ` prompt and runs every line in one shell, the terminal echoing what is typed
 * (the node's echo is not printed twice); Ctrl-D ends it. And Ctrl-C on `qnxemu test` with its progress bar
 * gives the terminal back with the cursor shown and line wrap on (cli-progress hid the one, disabled the other).
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { REPO, tmpdir } from './helpers';
import { CLI } from './interrupt-helpers';

type Step = { wait: string; send: string } | { wait: string; signal: 'INT' | 'TERM' };

function onPty(steps: Step[], args: string[]): { out: string; status: number } {
  const r = spawnSync('python3', [path.join(__dirname, 'pty-driver.py'), JSON.stringify(steps), process.execPath, CLI, ...args], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as { out: string; status: number };
}

describe('on a terminal', () => {
  test('the QNX console prompts with "# " and keeps one shell; Ctrl-D leaves', () => {
    const r = onPty(
      [
        { wait: 'Short packets[^\\n]*\\n(.|\\n)*# $', send: 'cd /proc/boot\r' },
        { wait: 'cd /proc/boot\\r\\n# $', send: 'echo pwd=$PWD\r' },
        { wait: 'pwd=/proc/boot\\r\\n# $', send: '\x04' },
      ],
      ['console', 'docs/examples/default/default.yaml', 'alpha', '--speed', '1000'],
    );
    expect(r.status).toBe(0);
    const session = r.out.slice(r.out.indexOf('# cd')).replace(/\r/g, '');
    // The typed lines appear once each (the terminal's echo), the output of the second shows the first's cd.
    expect(session.startsWith('# cd /proc/boot\n# echo pwd=$PWD\npwd=/proc/boot\n# \n')).toBe(true);
    expect(session).toMatch(/simulated \d+\.\d{6} s of virtual time \(seed 1\)\ntrace-hash [0-9a-f]{64}\n$/);
  });

  test('Ctrl-C on qnxemu test with its progress bar restores the cursor and line wrap, exits 130', () => {
    const dir = tmpdir('pty-test');
    // Ctrl-C typed on the terminal: the line discipline sends SIGINT to the whole foreground process group,
    // the workers too (they leave the decision to the runner).
    const r = onPty([{ wait: 'PASS ', send: '\x03' }], ['test', 'tests/system/fixtures/interrupt/suite', '--jobs', '2', '--junit', path.join(dir, 'j.xml')]);
    expect(r.status).toBe(130);
    // cli-progress hid the cursor and turned line wrap off while the bar was up...
    const hid = r.out.lastIndexOf('\x1b[?25l');
    expect(hid).toBeGreaterThanOrEqual(0);
    // ...and both are back on after the last time it did.
    expect(r.out.indexOf('\x1b[?25h', hid)).toBeGreaterThan(hid);
    expect(r.out.lastIndexOf('\x1b[?7h')).toBeGreaterThan(r.out.lastIndexOf('\x1b[?7l'));
    expect(r.out).toMatch(/4 scenarios: 1 passed, 0 failed, 3 errors in \d+\.\d s \(2 workers\), interrupted \(SIGINT\)/);
  });
});
