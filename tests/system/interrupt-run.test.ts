/**
 * `qnxemu run` interrupted (issue 14, "Interruptions"): SIGINT or SIGTERM, sent once the run has printed an
 * echo reply, stops the simulation between two events; the pcap ends at a record, the trace at a line, the
 * summary line says where it stopped, and the exit status is 128 + the signal (130, 143).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultScenario, tmpdir } from './helpers';
import { runScenario } from '../../emulator/app/assembly/run';
import { loadScenarioFile } from '../../emulator/app/scenario/load';
import { evaluate } from '../../emulator/app/testing/evaluate';
import { runTimeline, runTimelineAsync, SLICE_EVENTS } from '../../emulator/app/testing/execute';
import { checkPcap, checkTrace, startCli } from './interrupt-helpers';

const LONG = 'tests/system/fixtures/interrupt/long-ping.yaml';

async function interruptRun(sig: 'SIGINT' | 'SIGTERM') {
  const dir = tmpdir(`int-run-${sig}`);
  const cli = startCli(['run', LONG, '--pcap', dir, '--trace', path.join(dir, 't.jsonl'), '--no-color']);
  await cli.waitFor(/icmp_seq=20 /);
  cli.child.kill(sig);
  const { code } = await cli.exit;
  return { dir, code, out: cli.stdout(), err: cli.stderr() };
}

describe('qnxemu run, interrupted', () => {
  test('SIGINT: summary line with the time reached, valid pcap and trace, exit 130', async () => {
    const r = await interruptRun('SIGINT');
    expect(r.err).toBe('');
    expect(r.code).toBe(130);
    const m = /^simulated (\d+\.\d{6}) s of virtual time in (\d+) events \(seed 1\), interrupted at (\d+\.\d{6}) s \(SIGINT\)$/m.exec(r.out);
    expect(m).not.toBeNull();
    // It stopped where it was told to: after the 20th reply, long before the scenario's hour.
    const t = Number(m![3]);
    expect(t).toBe(Number(m![1]));
    expect(t).toBeGreaterThan(1);
    expect(t).toBeLessThan(3600);
    expect(r.out).toMatch(/^trace-hash [0-9a-f]{64}$/m);
    expect(r.out).toContain(`pcap ${path.join(r.dir, 'hub0.pcap')}`);
    // Every echo printed went over the wire before the stop: the pcap holds at least the 21 requests and 21 replies.
    const frames = checkPcap(path.join(r.dir, 'hub0.pcap'));
    expect(frames).toBeGreaterThanOrEqual(42);
    const records = checkTrace(path.join(r.dir, 't.jsonl'));
    expect(records).toBeGreaterThan(1000);
    // The trace's last record is no later than the time the run stopped at, which the summary prints rounded to the
    // microsecond (run-cmd.ts: toFixed(6)): up to 500 ns past the printed time.
    const last = JSON.parse(fs.readFileSync(path.join(r.dir, 't.jsonl'), 'utf8').trim().split('\n').pop()!) as { t: number };
    expect(last.t).toBeLessThanOrEqual(Math.round(t * 1e9) + 500 + 1);
  });

  test('SIGTERM (a CI timeout) does the same and exits 143', async () => {
    const r = await interruptRun('SIGTERM');
    expect(r.code).toBe(143);
    expect(r.out).toMatch(/, interrupted at \d+\.\d{6} s \(SIGTERM\)$/m);
    checkPcap(path.join(r.dir, 'hub0.pcap'));
    checkTrace(path.join(r.dir, 't.jsonl'));
  });
});

describe('the sliced timeline behind qnxemu run', () => {
  test('slicing changes nothing: runTimeline hashes as runScenario, runTimelineAsync as runTimeline (actions, faults, expectations)', async () => {
    expect(runTimeline(defaultScenario()).traceHash).toBe(runScenario(defaultScenario()).traceHash);
    const s = loadScenarioFile('tests/scenarios/udp-stream-long.yaml');
    const sync = runTimeline(s);
    let turns = 0;
    const turn = async (): Promise<void> => void turns++;
    const slow = await runTimelineAsync(loadScenarioFile('tests/scenarios/udp-stream-long.yaml'), {}, turn, () => false);
    expect(turns).toBeGreaterThan(0);
    expect(slow.traceHash).toBe(sync.traceHash);
    expect(slow.events).toBe(sync.events);
    expect(slow.virtualTime).toBe(sync.virtualTime);
    expect(slow.interruptedAt).toBeNull();
    expect(evaluate(slow).map((o) => o.ok)).toEqual(evaluate(sync).map((o) => o.ok));
  });

  test('a stop request is seen between slices: the run ends after exactly that many events, before its end', async () => {
    let turns = 0;
    const r = await runTimelineAsync(loadScenarioFile('tests/scenarios/udp-stream-long.yaml'), {}, async () => void turns++, () => turns >= 1);
    // One slice (20 000 events) of udp-stream-long's 43 800: the stop is seen at the first turn.
    expect(r.events).toBe(SLICE_EVENTS);
    expect(r.interruptedAt).toBe(r.virtualTime);
    expect(r.virtualTime).toBeLessThan(r.until);
  });
});
