/**
 * Ctrl-C of a threaded run whose main thread hosts a guest (`--threads 2`, two guests: one in a worker, one on the
 * main thread; docs/guest-time-model.md "The main thread hosts one guest"). The hosted guest's events run inside the
 * main thread's waits, which give the CLI's event loop its turn after each slice of them, so SIGINT is seen between
 * two slices as without guests: the run stops, the pcap ends at a record and the trace at a line, and the summary says
 * where it stopped.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tmpdir } from './helpers';
import { checkPcap, checkTrace, startCli } from './interrupt-helpers';

const ACTIONS = 'tests/fixtures/threads/guest-actions.yaml';

describe('qnxemu run --threads 2, interrupted', () => {
  test('SIGINT while both guests run: exit 130, the time reached, valid pcap and trace', async () => {
    const dir = tmpdir('int-threads');
    const cli = startCli(['run', ACTIONS, '--threads', '2', '--pcap', dir, '--trace', path.join(dir, 't.jsonl'), '--no-color']);
    // linux1 typed its first command (the guests are booted and running), long before the scenario's 6 s.
    await cli.waitFor(/linux1 +\| guest# sleep 1/);
    cli.child.kill('SIGINT');
    const { code } = await cli.exit;
    expect(cli.stderr()).toBe('');
    expect(code).toBe(130);
    const m = /^simulated (\d+\.\d{6}) s of virtual time in (\d+) events \(seed 1\), interrupted at (\d+\.\d{6}) s \(SIGINT\)$/m.exec(cli.stdout());
    expect(m).not.toBeNull();
    const t = Number(m![3]);
    // Past the guests' boot (their shells are up at ≈ 0.34 s of guest time).
    expect(t).toBeGreaterThan(0.3);
    expect(t).toBeLessThan(6);
    checkPcap(path.join(dir, 'hub0.pcap'));
    expect(checkTrace(path.join(dir, 't.jsonl'))).toBeGreaterThan(10);
    // Nothing of a guest after the stop reached the trace. The summary prints the time reached rounded to the
    // microsecond (run-cmd.ts: toFixed(6)), so the reached time is at most 500 ns past the printed one; records may
    // sit at it + 1 ns (the flush bound).
    const last = JSON.parse(fs.readFileSync(path.join(dir, 't.jsonl'), 'utf8').trim().split('\n').pop()!) as { t: number };
    expect(last.t).toBeLessThanOrEqual(Math.round(t * 1e9) + 500 + 1);
  }, 120_000);
});
