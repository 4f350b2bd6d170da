/**
 * `show events` (emulator/app/debug/show.ts) says where the run really ends, as the session's `end` stop does:
 * at `until`, or — when the scenario reads interface counters at the end (netstat, started at `until`) — later,
 * while those tools run (SimInstance.limit, run-end.ts runLimit), and it marks pending events accordingly.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DebugRepl } from '../../emulator/app/debug/commands';
import { DebugSession } from '../../emulator/app/debug/session';
import { loadScenarioFile, parseScenario } from '../../emulator/app/scenario/load';

const UNTIL = 3_000_000_000;
const FILE = 'docs/examples/ping.yaml';
const AFTER_END = '  (after the end of the run)';
const WHILE_TOOLS = '  (after until: runs only while the end-of-run tools run)';

/** The pending events' lines of `show events` and their times (seconds, as printed). */
function events(repl: DebugRepl): { header: string; rows: { t: number; line: string }[] } {
  const [header, ...rest] = repl.execute('show events 1000');
  const rows = rest.filter((l) => !l.startsWith('  …')).map((line) => ({ t: Math.round(Number(/^ +\d+ +(\d+\.\d{9})/.exec(line)![1]) * 1e9), line }));
  return { header: header!, rows };
}

describe('show events: where the run ends', () => {
  test('no end-of-run tools: the run ends at until; later events are after the end', () => {
    // Ends at 1.5 s, in the middle of alpha's ping: its next timer tick is pending when the run ends.
    const until = 1_500_000_000;
    const s = new DebugSession(loadScenarioFile(FILE), { lookahead: false, until });
    const repl = new DebugRepl(s);
    s.untilTime(1_000_000_000);
    const mid = events(repl);
    expect(mid.header).toMatch(/^\d+ pending event\(s\) at \d\.\d{9} \(after event #\d+\); run ends at 1\.500000000$/);
    expect(mid.rows.some((r) => r.t <= until)).toBe(true);
    for (const r of mid.rows) expect(r.line.endsWith(AFTER_END)).toBe(r.t > until);
    const end = s.continue();
    expect(end.reason).toBe('end');
    expect(end.message).toBe('end of the run: no event left before the time limit 1.500000000');
    const after = events(repl);
    expect(after.header).toMatch(/; run ends at 1\.500000000$/);
    expect(after.rows.length).toBeGreaterThan(0);
    expect(after.rows.every((r) => r.t > until && r.line.endsWith(AFTER_END))).toBe(true);
  });

  test('netstat read at the end: the run goes on while it runs, and `show events` says so', () => {
    // ping.yaml with an interface counter checked at the end: `qnxemu run` starts netstat on beta at `until`.
    const text = `${fs.readFileSync(FILE, 'utf8')}expect:\n  - { name: "beta received", node: beta, iface: en0, counter: ipackets, op: ">=", value: 1 }\n`;
    const sc = parseScenario(text, FILE, path.dirname(FILE));
    const s = new DebugSession(sc, { lookahead: false });
    const repl = new DebugRepl(s);
    s.untilTime(2_000_000_000);
    expect(events(repl).header).toMatch(/; run ends at 3\.000000000, or later while the end-of-run tools run \(at the latest 4\.000000000\)$/);
    // Step into the grace: past `until` with netstat still running.
    s.untilTime(UNTIL);
    while (s.inst.now <= UNTIL) expect(s.step(1).reason).not.toBe('end');
    expect(s.inst.observer.busy).toBe(1);
    const busy = events(repl);
    expect(busy.header).toMatch(/; run ends at 3\.000000000 \+ the end-of-run tools' grace while they run \(1 running; at the latest 4\.000000000\)$/);
    for (const r of busy.rows) expect(r.line.endsWith(r.t > UNTIL + 1_000_000_000 ? AFTER_END : WHILE_TOOLS)).toBe(true);
    expect(busy.rows.some((r) => r.line.endsWith(WHILE_TOOLS))).toBe(true);
    const end = s.continue();
    expect(end.reason).toBe('end');
    const finished = /the end-of-run tools finished at (\d+\.\d{9})$/.exec(end.message ?? '')?.[1];
    expect(Number(finished)).toBeGreaterThan(3);
    const after = events(repl);
    expect(after.header).toMatch(new RegExp(`; run ended: the end-of-run tools finished at ${finished!.replace('.', '\\.')} \\(time limit 3\\.000000000\\)$`));
    expect(after.rows.every((r) => r.line.endsWith(AFTER_END))).toBe(true);
  });
});
