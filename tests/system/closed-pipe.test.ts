/**
 * `qnxemu … | head`: the reader of standard output goes away while the command still prints. The command winds
 * down as on a signal — SIGPIPE, what a shell would have seen (emulator/app/cli/signals.ts `stdoutClosed`): no stack
 * trace, nothing on stderr, its files whole (the pcap record by record, the trace line by line), exit 141. The fuzz
 * runner does the same.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { REPO, tmpdir } from './helpers';
import { checkPcap, checkTrace, startCli } from './interrupt-helpers';

test('qnxemu run: the reader goes after the first line; the run stops with 141, its pcap and trace whole', async () => {
  const dir = tmpdir('closed-pipe');
  const cli = startCli(['run', 'scripts/scenarios/bench-flood.yaml', '--until', '20s', '--pcap', dir, '--trace', path.join(dir, 't.jsonl'), '--no-color']);
  await cli.waitFor(/PING/);
  cli.child.stdout!.destroy();
  const { code } = await cli.exit;
  expect(cli.stderr()).toBe('');
  expect(code).toBe(141);
  expect(checkPcap(path.join(dir, 'hub0.pcap'))).toBeGreaterThan(0);
  expect(checkTrace(path.join(dir, 't.jsonl'))).toBeGreaterThan(0);
}, 60_000);

test('the fuzz runner: the reader goes after the first line; 141, nothing on stderr', async () => {
  const child = spawn(process.execPath, [path.join(REPO, 'dist/fuzz.js'), '--quick', '--out', tmpdir('closed-pipe-fuzz'), 'nic/ne2000-detached', 'stack/ipv4'], { cwd: REPO });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  await new Promise<void>((ok) => child.stdout.once('data', () => ok()));
  child.stdout.destroy();
  const code = await new Promise<number | null>((ok) => child.on('close', (c) => ok(c)));
  expect(err).toBe('');
  expect(code).toBe(141);
}, 60_000);
