/**
 * Issue 14: the debugger's lookahead stays within a memory bound and shows progress (emulator/app/debug/
 * timeline.ts, docs/debugger.md "The lookahead"). A small record cap on docs/examples/ping.yaml: the lookahead
 * stops at its horizon, keeps a prefix of the full run's records, and the session still finds every hop of a
 * packet (past the horizon from its own run). Progress: reported every PROGRESS_EVERY events and drawn on a
 * terminal only.
 */
import * as path from 'node:path';
import { loadScenarioFile } from '../../emulator/app/scenario/load';
import { DebugSession } from '../../emulator/app/debug/session';
import { DebugRepl } from '../../emulator/app/debug/commands';
import { formatPath, pathOf } from '../../emulator/app/debug/path';
import { PROGRESS_EVERY, Timeline, type LookaheadProgress } from '../../emulator/app/debug/timeline';
import { PacketIndex } from '../../emulator/app/debug/packet-index';
import type { DebugRecord } from '../../emulator/app/debug/records';
import { lookaheadProgress } from '../../emulator/app/cli/lookahead-progress';
import { qnxemu, REPO } from './cli-helpers';

const scenario = loadScenarioFile(path.join(REPO, 'docs/examples/ping.yaml'));
const plain = (r: DebugRecord) => ({ t: r.t, node: r.node, layer: r.layer, probe: r.probe, pkt: r.pkt, f: r.f });
const CAP = 200;

const full = new DebugSession(scenario);
const capped = new DebugSession(scenario, { lookaheadRecords: CAP });

/** Stop both sessions at the first echo request leaving alpha's IP layer. */
function atEchoRequest(s: DebugSession): DebugRepl {
  const repl = new DebugRepl(s);
  repl.execute('break probe ip/output if icmp echo-request and dst host 10.0.0.2');
  repl.execute('continue');
  return repl;
}

describe('the lookahead keeps at most its record cap', () => {
  test('it stops at the horizon: a prefix of the whole run, whole events only', () => {
    const tl = capped.timeline!;
    const all = full.timeline!;
    expect(all.complete).toBe(true);
    expect(all.records.length).toBeGreaterThan(CAP + 100); // 320 records in the whole run
    expect(tl.complete).toBe(false);
    expect(tl.horizon).toMatchObject({ limit: CAP });
    // At least the cap, and no more than the records of the event that reached it.
    const h = tl.horizon!;
    const lastEvent = all.records.filter((r) => r.ev === h.events).length;
    expect(tl.records.length).toBeGreaterThanOrEqual(CAP);
    expect(tl.records.length).toBeLessThan(CAP + lastEvent);
    expect(tl.records.map(plain)).toEqual(all.records.filter((r) => r.ev <= h.events).map(plain));
    expect(tl.events).toBe(h.events);
    expect(tl.endTime).toBe(h.t);
    expect(tl.endTime).toBeLessThan(all.endTime);
  });

  test('the banner says where the lookahead stopped and why', () => {
    const banner = new DebugRepl(capped).banner();
    const h = capped.timeline!.horizon!;
    expect(banner).toContain(
      `note: the lookahead stopped at its cap of ${CAP} records (--lookahead-records) at ${(h.t / 1e9).toFixed(9)}, event #${h.events}: past that, path, next and filters know only what the session has run`,
    );
    expect(new DebugRepl(full).banner().some((l) => l.startsWith('note: the lookahead stopped'))).toBe(false);
  });

  test('path knows the hops up to the horizon, and the rest once the session has run them', () => {
    const s = new DebugSession(scenario, { lookaheadRecords: CAP });
    const f = new DebugSession(scenario);
    atEchoRequest(s);
    atEchoRequest(f);
    const pkt = s.currentPkt;
    expect(pkt).toBe(f.currentPkt);
    const whole = pathOf(f, pkt).hops.map((h) => plain(h.rec));
    const early = pathOf(s, pkt);
    expect(early.complete).toBe(false);
    expect(early.hops.length).toBeLessThan(whole.length);
    expect(early.hops.map((h) => plain(h.rec))).toEqual(whole.slice(0, early.hops.length));
    expect(formatPath(s, early).join('\n')).toContain("(path known up to the lookahead's horizon at ");
    // Past the horizon the session's own run fills in the rest.
    s.untilTime(2_000_000_000);
    expect(pathOf(s, pkt).hops.map((h) => plain(h.rec))).toEqual(whole);
  });

  test('next follows the packet past the horizon as with the whole lookahead', () => {
    const s = new DebugSession(scenario, { lookaheadRecords: CAP });
    const f = new DebugSession(scenario);
    const rs = atEchoRequest(s);
    const rf = atEchoRequest(f);
    const hops = pathOf(f, f.currentPkt).hops;
    const remaining = hops.length - 1 - hops.findIndex((h) => h.state === 'cursor');
    expect(remaining).toBeGreaterThan(hops.length - pathOf(s, s.currentPkt).hops.length); // some hops lie past the horizon
    for (let i = 0; i < remaining; i++) {
      const a = rs.execute('next');
      const b = rf.execute('next');
      expect(a).toEqual(b);
    }
    // The whole lookahead knows the last hop has no successor; the capped session says the same once it has run it.
    expect(rf.execute('next').join('\n')).toMatch(/has no further hop/);
    expect(s.cursorRecord && plain(s.cursorRecord)).toEqual(f.cursorRecord && plain(f.cursorRecord));
  });

  test('the session run is the same run with or without a cap (same records and hash at the end)', () => {
    const s = new DebugSession(scenario, { lookaheadRecords: CAP });
    s.continue();
    const f = new DebugSession(scenario, { lookaheadRecords: 0 });
    f.continue();
    expect(f.timeline!.complete).toBe(true);
    expect(s.records.map(plain)).toEqual(f.records.map(plain));
    expect(s.inst.a.sim.tracer.digest()).toBe(f.inst.a.sim.tracer.digest());
  });
});

describe('lookahead progress', () => {
  test('reported every PROGRESS_EVERY events and once at the end', () => {
    const udp = loadScenarioFile(path.join(REPO, 'docs/examples/udp-latency.yaml'));
    const seen: LookaheadProgress[] = [];
    const rec = Timeline.record(udp, udp.seed, 1_500_000_000, new PacketIndex(), undefined, { onProgress: (p) => seen.push({ ...p }) });
    const last = seen.at(-1)!;
    expect(last).toEqual({ now: rec.inst.now, until: 1_500_000_000, events: rec.inst.executed, records: rec.inst.records.length, done: true });
    const mid = seen.slice(0, -1);
    expect(mid.length).toBe(Math.floor(rec.inst.executed / PROGRESS_EVERY));
    expect(mid.map((p) => p.events)).toEqual(mid.map((_, i) => (i + 1) * PROGRESS_EVERY));
    expect(mid.every((p, i) => !p.done && p.now <= last.now && (i === 0 || p.now >= mid[i - 1]!.now))).toBe(true);
  });

  test('drawn in place on a terminal after half a second, erased at the end; nothing when not a terminal', () => {
    let wall = 0;
    const out: string[] = [];
    const report = lookaheadProgress({ isTTY: true, write: (s: string) => out.push(s) }, () => wall);
    const p = (events: number, now: number, done = false): LookaheadProgress => ({ now, until: 4_000_000_000, events, records: events * 3, done });
    report(p(4096, 100_000_000)); // 0 ms: too early
    wall = 600;
    report(p(8192, 1_000_000_000));
    wall = 650;
    report(p(12288, 1_100_000_000)); // 50 ms after the last draw: skipped
    wall = 800;
    report(p(16384, 2_000_000_000));
    report(p(20480, 4_000_000_000, true));
    expect(out).toEqual([
      '\r\x1b[Klookahead: 25% 1.000000 s of 4.000000 s virtual, 8192 events, 24576 records',
      '\r\x1b[Klookahead: 50% 2.000000 s of 4.000000 s virtual, 16384 events, 49152 records',
      '\r\x1b[K',
    ]);
    // `debug --threads` reports its threaded recording run first, under its own label (debug/threaded.ts).
    wall = 1000;
    report({ ...p(100, 500_000_000), what: 'threaded run (recording)' });
    expect(out.at(-1)).toBe('\r\x1b[Kthreaded run (recording): 12% 0.500000 s of 4.000000 s virtual, 100 events, 300 records');
    out.pop();
    const piped: string[] = [];
    const quiet = lookaheadProgress({ isTTY: false, write: (s: string) => piped.push(s) }, () => (wall += 1000));
    quiet(p(4096, 1_000_000_000));
    quiet(p(8192, 4_000_000_000, true));
    expect(piped).toEqual([]);
  });
});

describe('qnxemu debug --lookahead-records', () => {
  test('a scripted session with a small cap: the note in the banner, the session works, no progress in a pipe', () => {
    const r = qnxemu(['debug', 'docs/examples/ping.yaml', '--commands', 'docs/examples/ping.debug', '--lookahead-records', String(CAP)]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^note: the lookahead stopped at its cap of 200 records \(--lookahead-records\) at 1\.\d{9}, event #\d+/m);
    expect(r.stdout).toContain('breakpoint 2 (probe nic/rx-accept on beta if icmp echo-request)');
  });

  test('a bad value is refused', () => {
    const r = qnxemu(['debug', 'docs/examples/ping.yaml', '--lookahead-records', 'lots']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--lookahead-records <n>' argument 'lots' is invalid\. a number of records \(0: no cap\)/);
  });
});
