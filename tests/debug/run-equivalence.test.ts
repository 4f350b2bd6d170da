/**
 * Issue 16: the debugger's run is `qnxemu run`'s run, end-of-run work included (docs/debugger.md "How it
 * works"). For every shipped example without guest nodes, the lookahead's trace digest and record count equal
 * runTimeline's trace-hash and record count (so udpsinks' end-of-run summaries and the expectations' end-of-run
 * tools are in both), and a session that `continue`s to the end runs the same events and ends with the same
 * digest, after `until` when the end-of-run tools ran on. The web page's core reports the same trace-hash.
 * In-process (no CLI spawn): one runTimeline and one DebugSession (lookahead + its own run) per example.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadScenarioFile } from '../../emulator/app/scenario/load';
import { runTimeline, type TimelineRun } from '../../emulator/app/testing/execute';
import { END_GRACE_NS } from '../../emulator/app/testing/run-end';
import { DebugSession } from '../../emulator/app/debug/session';
import type { SimInstance } from '../../emulator/app/debug/instance';
import { bundleScenario } from '../../emulator/app/web-page/core/bundle';
import { openSession } from '../../emulator/app/web-page/core/session';
import { REPO } from './cli-helpers';

const EXAMPLES = path.join(REPO, 'docs/examples');
const files = fs
  .readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => path.join(EXAMPLES, f))
  .filter((f) => !loadScenarioFile(f).nodes.some((n) => n.kind === 'guest'));

/** `qnxemu run`'s run of `file` (runTimeline), once per file. */
const cliRuns = new Map<string, TimelineRun>();
function cliRun(file: string): TimelineRun {
  let r = cliRuns.get(file);
  if (!r) cliRuns.set(file, (r = runTimeline(loadScenarioFile(file))));
  return r;
}

/** The lookahead's instance (the recording run) and the session, continued to the end. */
function debuggerRun(file: string): { lookahead: SimInstance; session: DebugSession } {
  let lookahead: SimInstance | null = null;
  const session = new DebugSession(loadScenarioFile(file), { lookaheadRecords: 0, onInstance: (inst, role) => role === 'lookahead' && (lookahead = inst) });
  const stop = session.continue();
  expect(stop.reason).toBe('end');
  return { lookahead: lookahead!, session };
}

describe('the debugger runs `qnxemu run`s run', () => {
  test('the examples without guests are many, and include ones with end-of-run work', () => {
    const names = files.map((f) => path.basename(f));
    expect(names.length).toBeGreaterThanOrEqual(15);
    expect(names).toEqual(expect.arrayContaining(['pf-firewall.yaml', 'udp-latency.yaml', 'ping.yaml']));
  });

  test.each(files.map((f) => [path.basename(f), f]))('%s: same trace digest, record count and events', (_name, file) => {
    const run = cliRun(file);
    const { lookahead, session } = debuggerRun(file);
    const tracer = run.assembled.sim.tracer;
    // The lookahead (what the page's trace-hash and the REPL's lookahead are).
    expect(lookahead.a.sim.tracer.digest()).toBe(run.traceHash);
    expect(lookahead.records.length).toBe(tracer.count);
    expect(session.timeline!.records.length).toBe(tracer.count);
    // The session's own run, continued to its end stop.
    expect(session.inst.a.sim.tracer.digest()).toBe(run.traceHash);
    expect(session.records.length).toBe(tracer.count);
    expect(session.executed).toBe(lookahead.executed);
    expect(session.timeline!.events).toBe(lookahead.executed);
    expect(session.now).toBe(lookahead.now);
    expect(session.now).toBeLessThanOrEqual(run.until + END_GRACE_NS);
    expect(session.inst.ended).toBe(true);
  });
});

describe('end-of-run work under the debugger', () => {
  const pf = path.join(EXAMPLES, 'pf-firewall.yaml');

  test("pf-firewall: beta's udpsink is SIGTERMed at `until` and prints its summary, as in `qnxemu run`", () => {
    const run = cliRun(pf);
    const { session } = debuggerRun(pf);
    const atEnd = session.records.filter((r) => r.t === run.until && r.node === 'beta');
    expect(atEnd.length).toBeGreaterThan(0);
    // The session's console at the end holds udpsink's summary, as the CLI's console does.
    const text = session.records.filter((r) => r.layer === 'console' && r.node === 'beta').map((r) => String(r.f?.['text'] ?? '')).join('\n');
    const cli = run.consoles.get('beta') ?? '';
    const lastCli = cli.trimEnd().split('\n').at(-1)!;
    expect(lastCli.length).toBeGreaterThan(0);
    expect(text).toContain(lastCli.trim());
  });

  test('a scenario whose end-of-run tools run past `until`: the end stop comes after them, with the same digest', () => {
    // Find, among the examples, the runs that went on past `until` (expectations read by netstat/nicinfo at the end).
    const past = files.map((f) => ({ f, run: cliRun(f) })).filter(({ run }) => run.virtualTime > run.until);
    expect(past.length).toBeGreaterThan(0);
    const { f, run } = past[0]!;
    const { session } = debuggerRun(f);
    expect(session.now).toBe(run.virtualTime);
    expect(session.now).toBeGreaterThan(session.until);
    expect(session.inst.observer.busy).toBe(0);
    expect(session.inst.a.sim.tracer.digest()).toBe(run.traceHash);
  });

  test('the web core reports `qnxemu run`s trace-hash for pf-firewall', async () => {
    const run = cliRun(pf);
    const web = await openSession(bundleScenario(pf));
    expect(web.info().traceHash).toBe(run.traceHash);
    expect(web.info().records).toBe(run.assembled.sim.tracer.count);
  });
});
