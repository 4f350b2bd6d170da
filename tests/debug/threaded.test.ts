/**
 * `qnxemu debug --threads N` (issue 17): the scenario runs once with its guests in worker threads, recorded (what each
 * guest sent the main thread), and the session steps through replays of that run on one thread
 * (emulator/app/assembly/guest-recording.ts, emulator/app/debug/threaded.ts). The replay is the threaded run: the same
 * trace-hash, events and consoles, through a plain run and through the debugger (continue, back, continue again); a
 * guest's NICs are not here and `show nic` says so; a recording that lost a message no longer gives the run, and the
 * session's end says so. The CLI runs a command file on it (continue, back, continue).
 *
 * One guest (docs/examples/guest-ne2k-pci.yaml to 8 s: its boot, the QNX node's pings to it at 4 s and its own pings
 * after) runs live twice, in-process and through the CLI, side by side; then the BCM5701 and RT2560 guests' examples
 * through the CLI, side by side: tens of seconds each.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadScenarioFile } from '../../emulator/app/scenario/load';
import { runTimeline } from '../../emulator/app/testing/execute';
import { PreparedGuests } from '../../emulator/app/assembly/guest-node';
import { RecordedWorkers } from '../../emulator/app/assembly/guest-recording';
import { isCausal } from '../../emulator/machine/parallel/messages';
import { recordThreadedRun, type ThreadedRecording } from '../../emulator/app/debug/threaded';
import { DebugSession } from '../../emulator/app/debug/session';
import type { LookaheadProgress } from '../../emulator/app/debug/timeline';
import { DebugRepl } from '../../emulator/app/debug/commands';
import { runScript } from '../../emulator/app/cli/debug-cmd';
import { ensureGuestImage } from '../../emulator/app/guest-image';
import { cliAsync, CLI, tmpdir, type CliResult } from '../system/helpers';
import { REPO } from './cli-helpers';

const FILE = path.join(REPO, 'docs/examples/guest-ne2k-pci.yaml');
const UNTIL = 8_000_000_000;
const RUN_MS = 600_000;

let rec: ThreadedRecording;
const progress: LookaheadProgress[] = [];
let cli: CliResult;
/** `debug --threads 2` of the BCM5701 guest (auto-negotiation through its worker) and of the RT2560 one (the air). */
let others: Map<string, CliResult>;

beforeAll(async () => {
  await ensureGuestImage({ progress: false });
  const commands = path.join(tmpdir('threaded-debug'), 'cmds.debug');
  fs.writeFileSync(commands, ['continue', 'back 3', 'continue'].join('\n') + '\n');
  const sc = loadScenarioFile(FILE);
  const viaCli = cliAsync(['debug', FILE, '--until', '8s', '--threads', '2', '--commands', commands]);
  rec = await recordThreadedRun(sc, { threads: 2, seed: sc.seed, until: UNTIL, script: CLI, onProgress: (p) => progress.push(p) });
  cli = await viaCli;
  const cont = path.join(tmpdir('threaded-debug'), 'continue.debug');
  fs.writeFileSync(cont, 'continue\n');
  const names = ['guest-tg3', 'guest-rt2500pci'];
  const runs = await Promise.all(names.map((n) => cliAsync(['debug', path.join(REPO, `docs/examples/${n}.yaml`), '--threads', '2', '--commands', cont])));
  others = new Map(names.map((n, i) => [n, runs[i]!]));
}, RUN_MS);

describe('a threaded run, recorded and replayed on one thread', () => {
  test('the recording holds each guest\'s messages and its events; a plain run replayed from it is the threaded run', () => {
    expect(rec.guests.map((g) => g.name)).toEqual(['linux1']);
    const g = rec.guests[0]!;
    expect(g.messages.some((m) => m.k === 'tx')).toBe(true);
    expect(g.messages.some((m) => m.k === 'recs')).toBe(true);
    expect(g.messages.every((m) => m.k !== 'safe' && m.k !== 'end')).toBe(true);
    expect(g.events).toBeGreaterThan(1000);
    const sc = loadScenarioFile(FILE);
    const replay = runTimeline(sc, { workers: new RecordedWorkers(rec.guests), guests: new PreparedGuests(), until: UNTIL });
    expect(replay.traceHash).toBe(rec.traceHash);
    expect(replay.events).toBe(rec.events);
    expect([...replay.consoles]).toEqual([...rec.consoles]);
    expect(rec.consoles.get('linux1')).toMatch(/64 bytes from 10\.0\.0\.1: seq=0/);
  });

  test('the recording run reports how far it is, labelled as what it is, and once at its end', () => {
    expect(progress.length).toBeGreaterThan(10);
    expect(progress.every((p) => p.what === 'threaded run (recording)' && p.until === UNTIL)).toBe(true);
    expect(progress.filter((p) => p.done)).toHaveLength(1);
    expect(progress.at(-1)!.done).toBe(true);
    expect(progress.at(-1)!.now).toBe(UNTIL);
    const nows = progress.map((p) => p.now);
    expect(nows).toEqual([...nows].sort((a, b) => a - b));
  });

  test('the debugger steps through it: continue to the end, back, continue again: the threaded run\'s trace-hash each time', () => {
    const s = new DebugSession(loadScenarioFile(FILE), { until: UNTIL, recording: rec.guests, threaded: rec });
    const end = s.continue();
    expect(end.reason).toBe('end');
    expect(end.message).toContain(`the same trace-hash as the threaded run (${rec.traceHash.slice(0, 16)}…)`);
    expect(s.inst.a.sim.tracer.digest()).toBe(rec.traceHash);
    // The guest's records and console lines are in the session's trace, merged by time as in the threaded run.
    const mine = s.records.filter((r) => r.node === 'linux1');
    expect(mine.some((r) => r.layer === 'console')).toBe(true);
    expect(mine.some((r) => r.layer === 'nic')).toBe(true);
    expect(s.records.map((r) => r.t)).toEqual([...s.records.map((r) => r.t)].sort((a, b) => a - b));
    expect(s.timeline?.records.length).toBe(s.records.length);
    const at = s.executed;
    const back = s.back(10);
    expect(back.reason).toBe('back');
    expect(s.executed).toBe(at - 10);
    expect(s.continue().message).toContain('the same trace-hash as the threaded run');
    expect(s.inst.a.sim.tracer.digest()).toBe(rec.traceHash);
  });

  test("show events lists the guests' messages the gate holds until they are due", () => {
    const repl = new DebugRepl(new DebugSession(loadScenarioFile(FILE), { until: UNTIL, recording: rec.guests, threaded: rec, lookahead: false }));
    const out: string[] = [];
    runScript(repl, ['step', 'show events 100000'], (t) => out.push(t));
    const lines = out.join('').split('\n');
    const held = lines.filter((l) => / linux1\.msg  \(a guest's message, held by the gate until it is due\)/.test(l));
    // Every causal message of the guest (all of them are due after the first event).
    expect(held.length).toBe(rec.guests[0]!.messages.filter(isCausal).length);
    const times = lines.map((l) => /^\s+\d+\s+(\d+\.\d{9})\s/.exec(l)?.[1]).filter((t): t is string => t !== undefined).map(Number);
    expect(times.length).toBeGreaterThan(held.length);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  test("a guest's NIC is not in this thread: show nic and show arp say so in one line", () => {
    const repl = new DebugRepl(new DebugSession(loadScenarioFile(FILE), { until: UNTIL, recording: rec.guests, threaded: rec, lookahead: false }));
    const out: string[] = [];
    runScript(repl, ['show nic linux1.nic0', 'show arp linux1'], (t) => out.push(t));
    const text = out.join('');
    expect(text).toMatch(/linux1 is a Linux guest that ran in a worker thread \(the threaded engine: two or more guests, or --threads\): its NIC models stayed there/);
    expect(text).toMatch(/linux1 is a Linux guest that ran in a worker thread \(the threaded engine: two or more guests, or --threads\): its state \(show arp is for simulated QNX nodes\) stayed there/);
  });

  test('with register records on (a register breakpoint), the end does not compare the trace-hash', () => {
    const repl = new DebugRepl(new DebugSession(loadScenarioFile(FILE), { until: UNTIL, recording: rec.guests, threaded: rec, lookahead: false }));
    const out: string[] = [];
    runScript(repl, ['break reg alpha.nic0.ISR write', 'delete 1', 'continue'], (t) => out.push(t));
    const text = out.join('');
    expect(text).toMatch(/end of the run: .*; register records were on, so its trace-hash is not compared with the threaded run's/);
    expect(text).not.toContain('DIVERGED');
  });

  test('a recording that lost a transmission is another run, and the end says so', () => {
    const g = rec.guests[0]!;
    const i = g.messages.findIndex((m) => m.k === 'tx');
    const lossy = [{ ...g, messages: [...g.messages.slice(0, i), ...g.messages.slice(i + 1)] }];
    const s = new DebugSession(loadScenarioFile(FILE), { until: UNTIL, recording: lossy, threaded: rec, lookahead: false });
    const end = s.continue();
    expect(end.reason).toBe('end');
    expect(end.message).toMatch(/DIVERGED: this replay's trace-hash [0-9a-f]{16}… is not the threaded run's/);
  });
});

describe('qnxemu debug <scenario> --threads 2 --commands FILE', () => {
  test('runs the session on the threaded run: the banner says how, each end names its trace-hash, back works', () => {
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);
    const out = cli.stdout.split('\n');
    expect(out[1]).toMatch(/^guests linux1 ran in worker threads in the recording run \(--threads\); the session replays what they sent the main thread .*, \d+ events in all, trace-hash [0-9a-f]{16}…$/);
    expect(out[1]).toContain(rec.traceHash.slice(0, 16));
    const ends = out.filter((l) => l.startsWith('end of the run:'));
    expect(ends).toHaveLength(2);
    for (const e of ends) expect(e).toContain(`the same trace-hash as the threaded run (${rec.traceHash.slice(0, 16)}…)`);
    expect(out.some((l) => /^back at \d+\.\d{9} after event #\d+ /.test(l))).toBe(true);
    expect(out.some((l) => /^linux1 \| 64 bytes from 10\.0\.0\.1: seq=0 ttl=255 time=0\.44\d ms$/.test(l))).toBe(true);
  });

  test.each(['guest-tg3', 'guest-rt2500pci'])('%s: a BCM5701 negotiating, an RT2560 on the air: the replay is the threaded run', (name) => {
    const r = others.get(name)!;
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const banner = /^guests linux1 ran in worker threads .*trace-hash ([0-9a-f]{16})…$/m.exec(r.stdout);
    expect(banner).not.toBeNull();
    expect(r.stdout).toMatch(/^linux1 \| 3 packets transmitted, 3 packets received, 0% packet loss$/m);
    expect(r.stdout).toContain(`end of the run: no event left before the time limit`);
    expect(r.stdout).toContain(`; the same trace-hash as the threaded run (${banner![1]}…)`);
  });
});
