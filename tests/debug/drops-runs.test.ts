/**
 * `drops` on real runs: the groups and counts equal what the chip's counters, nicinfo, netstat and ping say, and
 * a ring overrun's reason names the thread, priority, blocker and lateness the kernel records show (computed
 * here from the records); a clean run has none; the debugger's `drops` gives the file's answer.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadScenarioFile } from '../../emulator/app/scenario/load';
import { runTimeline, type TimelineRun } from '../../emulator/app/testing/execute';
import type { TraceRecord } from '../../emulator/machine/sim/trace';
import { dropsOfFile } from '../../emulator/app/debug/drops/file-drops';
import { formatDrops } from '../../emulator/app/debug/drops/format';
import type { DropReport } from '../../emulator/app/debug/drops/analyze';
import { DebugSession } from '../../emulator/app/debug/session';
import { DebugRepl } from '../../emulator/app/debug/commands';
import { durationText, timeText } from '../../emulator/app/debug/records';
import { REPO, tmpdir } from './cli-helpers';

const dir = tmpdir('drops');

interface Run {
  res: TimelineRun;
  recs: TraceRecord[];
  rep: DropReport;
  file: string;
}

function run(example: string): Run {
  const file = path.join(dir, `${example}.jsonl`);
  const res = runTimeline(loadScenarioFile(path.join(REPO, 'docs/examples', `${example}.yaml`)), { traceFile: file });
  const recs = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TraceRecord);
  return { res, recs, rep: dropsOfFile(file).report, file };
}

/** A nicinfo/netstat counter from a node's console: the last line matching `re` (group 1). */
function counter(r: Run, node: string, re: RegExp): number {
  const m = [...(r.res.consoles.get(node) ?? '').matchAll(new RegExp(re.source, 'gm'))].at(-1);
  if (!m) throw new Error(`${node}: no line matches ${re}`);
  return Number(m[1]);
}

const group = (r: Run, record: string, cause: string) => r.rep.groups.find((g) => g.record === record && g.cause === cause);

/** The starvation the kernel recorded on `node`, and the reason line it should give, computed from the records. */
function expectedStarvation(r: Run, node: string): string {
  const starved = r.recs.filter((x) => x.node === node && x.layer === 'kernel' && x.probe === 'starved');
  const late = r.recs.filter((x) => x.node === node && x.layer === 'kernel' && x.probe === 'ran-late');
  expect(starved).toHaveLength(1);
  expect(late).toHaveLength(1);
  const s = starved[0]!.f!;
  const ranAt = late[0]!.t;
  // The pulse that made it ready: the interrupt's kernel/event to io-pkt's channel at the starved record's instant.
  const pulse = r.recs.filter((x) => x.node === node && x.layer === 'kernel' && x.probe === 'event' && x.f?.['pid'] === s['pid'] && x.t <= starved[0]!.t).at(-1)!;
  expect(pulse.t).toBe(starved[0]!.t);
  expect(late[0]!.f!['latency']).toBe(ranAt - pulse.t);
  // What held the CPU: the spin started at priority 40; it ran until io-pkt's thread got the CPU back.
  const spin = r.recs.find((x) => x.node === node && x.layer === 'kernel' && x.probe === 'spawn' && x.f?.['name'] === 'spin')!;
  const exit = r.recs.find((x) => x.node === node && x.layer === 'kernel' && x.probe === 'exit' && x.f?.['pid'] === spin.f!['pid'])!;
  expect(spin.f!['prio']).toBe(40);
  expect(spin.t).toBeLessThan(pulse.t);
  expect(exit.t).toBe(ranAt);
  const io = r.recs.find((x) => x.node === node && x.layer === 'kernel' && x.probe === 'spawn' && x.f?.['pid'] === s['pid'])!;
  return `${String(io.f!['name'])} thread ${String(s['tid'])} (prio 21), made ready by irq 5 at ${timeText(pulse.t)}, ran ${durationText(ranAt - pulse.t)} late behind spin (pid ${String(spin.f!['pid'])} tid 1 prio 40) on CPU 0`;
}

describe('drops on real runs', () => {
  const dc = run('drop-causes');

  test('drop-causes.yaml: CNTR2 missed packets, socket-buffer and no-port drops equal the counters', () => {
    const missed = counter(dc, 'beta', /Packets Dropped on receive \.+ (\d+)/);
    expect(group(dc, 'nic/rx-reject', 'overflow')!.count).toBe(missed);
    expect(counter(dc, 'beta', /Receive Overruns \.+ (\d+)/)).toBe(dc.recs.filter((x) => x.node === 'beta' && x.layer === 'driver' && x.probe === 'overrun').length);
    expect(group(dc, 'socket/drop', 'so_rcvbuf full')!.count).toBe(counter(dc, 'gamma', /(\d+) dropped due to full socket buffers/));
    expect(group(dc, 'udp/noport', 'no socket on port 7777')!.count).toBe(counter(dc, 'gamma', /(\d+) dropped due to no socket$/));
    // Every echo request the flood lost is one of beta's chip drops (the replies are never lost).
    const sent = counter(dc, 'alpha', /(\d+) packets transmitted/);
    const got = counter(dc, 'alpha', /packets transmitted, (\d+) packets received/);
    const chip = dc.rep.groups.filter((g) => g.node === 'beta').reduce((n, g) => n + g.count, 0);
    expect(sent - got).toBe(chip);
    expect(dc.rep.groups.map((g) => `${g.node} ${g.record} ${g.cause}`)).toEqual([
      'beta nic/rx-reject overflow', 'beta nic/rx-reject stopped', 'beta nic/rx-reject loopback', 'gamma socket/drop so_rcvbuf full', 'gamma udp/noport no socket on port 7777',
    ]);
    expect(dc.rep.frames).toBe(missed + 2 + group(dc, 'socket/drop', 'so_rcvbuf full')!.count + 3);
    expect(dc.rep.undelivered).toEqual([]);
  });

  test('drop-causes.yaml: the overrun reason names the starved thread, its priority, the spin and the lateness', () => {
    const g = group(dc, 'nic/rx-reject', 'overflow')!;
    expect(g.why).toBe(`beta.nic0 (en0) RX ring overflow (${g.count} frames): ${expectedStarvation(dc, 'beta')}`);
    // The missed frames arrived while the thread was kept off the CPU.
    const s = dc.recs.find((x) => x.probe === 'starved')!;
    const late = dc.recs.find((x) => x.probe === 'ran-late')!;
    expect(g.first).toBeGreaterThan(s.t);
    expect(g.last).toBeLessThan(late.t);
    // The socket's reason names its reader and the priority-15 spin that kept it from reading.
    const sock = group(dc, 'socket/drop', 'so_rcvbuf full')!;
    const spin = dc.recs.find((x) => x.node === 'gamma' && x.probe === 'spawn' && x.f?.['name'] === 'spin')!;
    expect(sock.why).toContain(`the reader udpsink (pid ${String(dc.recs.find((x) => x.node === 'gamma' && x.probe === 'spawn' && x.f?.['name'] === 'udpsink')!.f!['pid'])}, prio 10) had not read them`);
    expect(sock.why).toContain(`spin (pid ${String(spin.f!['pid'])}, prio 15, ${timeText(spin.t)}..`);
  });

  test('overrun.yaml: the groups equal CNTR2 and the overrun count, and the reason names the spin', () => {
    const r = run('overrun');
    const g = group(r, 'nic/rx-reject', 'overflow')!;
    expect(g.count).toBe(counter(r, 'beta', /Packets Dropped on receive \.+ (\d+)/));
    expect(counter(r, 'beta', /Receive Overruns \.+ (\d+)/)).toBe(1);
    expect(g.why).toBe(`beta.nic0 (en0) RX ring overflow (${g.count} frames): ${expectedStarvation(r, 'beta')}`);
    expect(r.rep.groups.map((x) => x.cause)).toEqual(['overflow', 'stopped', 'loopback']);
  });

  test('link-faults.yaml: the lost pings are the link-down and fault-loss drops', () => {
    const r = run('link-faults');
    const sent = counter(r, 'alpha', /(\d+) packets transmitted/);
    const got = counter(r, 'alpha', /packets transmitted, (\d+) packets received/);
    expect(r.rep.frames).toBe(sent - got);
    expect(group(r, 'wire/drop', 'link-down')!.count).toBe(r.recs.filter((x) => x.layer === 'wire' && x.probe === 'drop' && x.f?.['reason'] === 'link-down').length);
    const loss = r.rep.groups.filter((g) => g.record === 'fault/loss');
    expect(loss.reduce((n, g) => n + g.count, 0)).toBe(r.recs.filter((x) => x.layer === 'fault' && x.probe === 'loss').length);
    expect(loss.every((g) => /^hub0 port \w+\.nic0 lost by an injected fault \(\d+ frames?\): fault fault1 on hub0 discarded them/.test(g.why))).toBe(true);
  });

  test('ping.yaml: a clean run drops nothing, and its kernel emits no starvation record', () => {
    const r = run('ping');
    expect(r.rep.groups).toEqual([]);
    expect(r.rep.undelivered).toEqual([]);
    expect(formatDrops(r.rep, 'x')[0]).toMatch(/^no frame was dropped/);
    expect(r.recs.some((x) => x.probe === 'starved' || x.probe === 'ran-late')).toBe(false);
  });

  test('the debugger’s drops (lookahead: the whole run) gives the file’s answer; drops so-far the part run', () => {
    const s = new DebugSession(loadScenarioFile(path.join(REPO, 'docs/examples/drop-causes.yaml')));
    const repl = new DebugRepl(s);
    const whole = repl.execute('drops');
    expect(whole[0]).toBe(`${dc.rep.frames} frames dropped, 5 causes (the whole run, from the lookahead, ${dc.rep.records} records to ${timeText(dc.rep.end)})`);
    expect(whole.slice(1)).toEqual(formatDrops(dc.rep, 'x').slice(1));
    repl.execute('until 1.25s');
    const part = repl.execute('drops so-far');
    expect(part[0]).toMatch(new RegExp(`^\\d+ frames? dropped, 1 cause \\(up to the cursor at ${timeText(s.now).replace('.', '\\.')}, `));
    expect(s.now).toBeLessThan(1_250_000_000);
    const g = dc.rep.groups[0]!;
    const sofar = dc.recs.filter((x) => x.t <= s.now && x.probe === 'rx-reject' && x.f?.['reason'] === 'overflow').length;
    expect(part[1]).toContain(`nic/rx-reject overflow  ${sofar} frames  ${timeText(g.first)}`);
    // Starved and not yet run at the cursor.
    expect(part[2]).toMatch(/had not run when the records end/);
    expect(repl.execute('drops later')).toEqual(['error: usage: drops [so-far]']);
  });

  test('without a lookahead `drops` covers what has run and says so', () => {
    const s = new DebugSession(loadScenarioFile(path.join(REPO, 'docs/examples/ping.yaml')), { lookahead: false });
    const repl = new DebugRepl(s);
    repl.execute('set console off');
    repl.execute('continue');
    expect(repl.execute('drops')).toEqual([`no frame was dropped (up to the cursor at ${timeText(s.now)}; no lookahead, ${s.records.length} records to ${timeText(s.records.at(-1)!.t)})`]);
  });
});
