/**
 * Checks a scenario's expectations against a finished run. Each outcome says what was expected and what was
 * found, in words a CI log reader can act on ("expected: console shows "0.0% packet loss"; actual: not found;
 * closest line at 7.104s: "4 packets transmitted, 1 packets received, 75.0% packet loss"").
 */
import { sortBy } from 'lodash';
import { compare, fmt } from '../scenario/actions-util';
import type { Expectation } from '../scenario/expect';
import { NICINFO_COUNTERS } from '../scenario/expect';
import { formatTime, type Time } from '../../machine/sim/time';
import { nicKey, toolArgv, toolKey } from './collect';
import type { TimelineRun } from './execute';

export interface ExpectationOutcome {
  index: number;
  label: string;
  ok: boolean;
  expected: string;
  actual: string;
  /**
   * Virtual time the outcome was decided at: when a console_not line showed; else the expectation's `at`, or the
   * scenario's end (`until`) for one checked at the end of the run. A failure bundle opens stopped there.
   */
  t: number;
}

/** The first failure of a run as a failure bundle carries it (emulator/app/web/artifacts.ts). */
export interface FirstFailure {
  t: number;
  /** "expect[1] name", or "actions[0]" for an action that never ran. */
  expectation: string;
  message: string;
}

type Line = { t: number; text: string };

export function evaluate(run: TimelineRun): ExpectationOutcome[] {
  return (run.scenario.expect ?? []).map((e) => {
    const r = check(run, e);
    return { index: e.index, label: e.label, ok: r.ok, expected: r.expected, actual: r.actual, t: r.t ?? e.at ?? run.until };
  });
}

/**
 * The failure that happened first in virtual time (ties: the first in the file); an action that never ran counts at
 * the scenario's end. Null when the run passed.
 */
export function firstFailure(outcomes: ExpectationOutcome[], problems: string[], until: number): FirstFailure | null {
  const failed = sortBy(outcomes.filter((o) => !o.ok), ['t', 'index'])[0];
  if (failed) return { t: failed.t, expectation: `expect[${failed.index}] ${failed.label}`, message: `expected ${failed.expected}; actual ${failed.actual}` };
  const p = problems[0];
  if (p === undefined) return null;
  const m = /^(actions\[\d+\]) (.*)$/.exec(p);
  return { t: until, expectation: m?.[1] ?? 'actions', message: m?.[2] ?? p };
}

/** One line per failed expectation: `expect[2] <label>: expected …; actual …`. */
export function failureText(outcomes: ExpectationOutcome[]): string[] {
  return outcomes.filter((o) => !o.ok).map((o) => `expect[${o.index}] ${o.label}: expected ${o.expected}; actual ${o.actual}`);
}

function linesUpTo(run: TimelineRun, node: string, at: Time | null): Line[] {
  const limit = at ?? run.until;
  return (run.consoleLines.get(node) ?? []).filter((l) => l.t <= limit);
}

function check(run: TimelineRun, e: Expectation): { ok: boolean; expected: string; actual: string; t?: number } {
  switch (e.kind) {
    case 'console':
      return checkConsole(linesUpTo(run, e.node, e.at), e.mode, e.text, e.node);
    case 'iface-counter': {
      const tool = run.observer.tools.get(toolKey(e.at, e.node, toolArgv(e)));
      const expected = `${e.iface} ${e.counter} ${e.op} ${e.value} (${toolArgv(e).join(' ')} on ${e.node})`;
      if (!tool) return { ok: false, expected, actual: 'the tool was never run' };
      if (tool.error) return { ok: false, expected, actual: tool.error };
      const v = counterValue(e, tool.output);
      if (v === null) return { ok: false, expected, actual: `no ${e.counter} for ${e.iface} in the output: ${JSON.stringify(firstLine(tool.output))}` };
      return { ok: compare(v, e.op, e.value), expected, actual: String(v) };
    }
    case 'nic-counter': {
      const v = run.observer.nicCounts.get(nicKey(e.at, e.node, e.nic, e.counter)) ?? 0;
      return { ok: compare(v, e.op, e.value), expected: `${e.node}.nics[${e.nic}] ${e.counter} ${e.op} ${e.value} (NIC model records)`, actual: String(v) };
    }
    case 'udp-delivered': {
      const sums = sinkSummaries(linesUpTo(run, e.node, null), e.port);
      const expected = `udp port ${e.port} delivered ${e.op} ${e.value} on ${e.node}`;
      if (sums.length === 0) return { ok: false, expected, actual: `no udpsink summary for port ${e.port} on ${e.node} (was a sink running?)` };
      const got = sums.reduce((s, x) => s + x.received, 0);
      const missing = sums.reduce((s, x) => s + x.missing, 0);
      return { ok: compare(got, e.op, e.value), expected, actual: `${got} delivered (${missing} missing by sequence)` };
    }
    case 'latency':
      return checkLatency(run, e);
  }
}

function checkConsole(lines: Line[], mode: 'contains' | 'regex' | 'absent', text: string, node: string) {
  const re = mode === 'regex' ? new RegExp(text, 'm') : null;
  const hit = lines.find((l) => (re ? re.test(l.text) : l.text.includes(text)));
  // A regular expression may also span lines.
  const whole = re && !hit ? re.exec(lines.map((l) => l.text).join('\n')) : null;
  const found = hit !== undefined || whole !== null;
  if (mode === 'absent') {
    return {
      ok: !found,
      expected: `${node} console does not show ${JSON.stringify(text)}`,
      actual: found ? `shown at ${formatTime(hit!.t)}: ${JSON.stringify(hit!.text)}` : 'not shown',
      ...(hit ? { t: hit.t } : {}),
    };
  }
  const expected = `${node} console ${mode === 'regex' ? 'matches' : 'shows'} ${JSON.stringify(text)}`;
  if (found) return { ok: true, expected, actual: hit ? `at ${formatTime(hit.t)}: ${JSON.stringify(hit.text)}` : 'matched' };
  const near = closest(lines, text);
  return {
    ok: false,
    expected,
    actual: near ? `not found; closest line at ${formatTime(near.t)}: ${JSON.stringify(near.text)}` : `not found (${lines.length} console lines)`,
  };
}

/** The console line sharing the most words with `text` (the likely "what happened instead"). */
function closest(lines: Line[], text: string): Line | null {
  const words = new Set(text.toLowerCase().split(/[^a-z0-9%.]+/).filter((w) => w.length > 1));
  let best: Line | null = null;
  let score = 0;
  for (const l of lines) {
    const s = l.text.toLowerCase().split(/[^a-z0-9%.]+/).filter((w) => words.has(w)).length;
    if (s > score) {
      score = s;
      best = l;
    }
  }
  return best;
}

function checkLatency(run: TimelineRun, e: Extract<Expectation, { kind: 'latency' }>) {
  const lines = linesUpTo(run, e.node, e.at);
  const bounds = [e.max !== null ? `max <= ${fmt(e.max)}` : '', e.avg !== null ? `avg <= ${fmt(e.avg)}` : ''].filter(Boolean).join(', ');
  let max: number;
  let avg: number;
  let n: number;
  let expected: string;
  if (e.from === 'ping') {
    expected = `${e.node} ping round trips ${bounds}`;
    const rtts = lines.flatMap((l) => {
      const m = /bytes from .*time=(\d+(?:\.\d+)?) ms/.exec(l.text);
      return m ? [Math.round(Number(m[1]) * 1e6)] : [];
    });
    if (rtts.length === 0) return { ok: false, expected, actual: `no ping replies on ${e.node}` };
    n = rtts.length;
    max = Math.max(...rtts);
    avg = rtts.reduce((s, x) => s + x, 0) / n;
  } else {
    expected = `${e.node} udp${e.port ? ` port ${e.port}` : ''} latency ${bounds}`;
    const sums = sinkSummaries(lines, e.port).filter((s) => s.latMax !== null);
    if (sums.length === 0) return { ok: false, expected, actual: `no udpsink latency summary on ${e.node}` };
    n = sums.reduce((s, x) => s + x.received, 0);
    max = Math.max(...sums.map((s) => s.latMax!));
    avg = sums.reduce((s, x) => s + x.latAvg! * x.received, 0) / Math.max(1, n);
  }
  const ok = (e.max === null || max <= e.max) && (e.avg === null || avg <= e.avg);
  return { ok, expected, actual: `max ${fmt(Math.round(max))}, avg ${fmt(Math.round(avg))} over ${n} sample(s)` };
}

interface SinkSummary {
  port: number;
  received: number;
  missing: number;
  latAvg: number | null;
  latMax: number | null;
}

/** udpsink summaries on a console (stack/utils/udpsink.ts formatSinkSummary), for one port or all. */
export function sinkSummaries(lines: Line[], port: number | null): SinkSummary[] {
  const out: SinkSummary[] = [];
  for (const l of lines) {
    const m = /^udpsink: port (\d+): (\d+) datagrams received, \d+ bytes, \d+ duplicates, \d+ out of order, (\d+) missing$/.exec(l.text);
    if (m && (port === null || Number(m[1]) === port)) {
      out.push({ port: Number(m[1]), received: Number(m[2]), missing: Number(m[3]), latAvg: null, latMax: null });
      continue;
    }
    const lat = /^udpsink: port (\d+): latency min\/avg\/max = [\d.]+\/([\d.]+)\/([\d.]+) ms$/.exec(l.text);
    const last = out[out.length - 1];
    if (lat && last && last.port === Number(lat[1])) {
      last.latAvg = Math.round(Number(lat[2]) * 1e6);
      last.latMax = Math.round(Number(lat[3]) * 1e6);
    }
  }
  return out;
}

/** The counter an iface expectation reads, from its tool's output (null: not in it). */
export function counterValue(e: Extract<Expectation, { kind: 'iface-counter' }>, output: string): number | null {
  switch (e.tool) {
    case 'netstat':
      return netstatValue(output, e.iface, e.counter);
    case 'nicinfo':
      return nicinfoValue(output, e.counter);
    case 'proc-net-dev':
      return procNetDevValue(output, e.iface, e.counter);
  }
}

/**
 * A counter from a Linux guest's /proc/net/dev, by its netstat -i name: the interface's row has 8 receive
 * columns (bytes packets errs drop fifo frame compressed multicast) and 8 transmit columns (bytes packets errs
 * drop fifo colls carrier compressed).
 */
export function procNetDevValue(output: string, iface: string, counter: string): number | null {
  const cols: Record<string, number> = { ipackets: 1, ierrors: 2, opackets: 9, oerrors: 10, collisions: 13 };
  for (const line of output.split('\n')) {
    const m = /^\s*([^:\s]+):(.*)$/.exec(line);
    if (!m || m[1] !== iface) continue;
    const nums = m[2]!.trim().split(/\s+/).map(Number);
    const v = nums[cols[counter] ?? -1];
    return nums.length < 16 || v === undefined || Number.isNaN(v) ? null : v;
  }
  return null;
}

/** A counter from `netstat -i` output: the interface's <Link> row. */
export function netstatValue(output: string, iface: string, counter: string): number | null {
  const cols: Record<string, number> = { ipackets: 0, ierrors: 1, opackets: 2, oerrors: 3, collisions: 4 };
  for (const line of output.split('\n')) {
    const f = line.trim().split(/\s+/);
    if ((f[0] === iface || f[0] === `${iface}*`) && f[2] === '<Link>') {
      const nums = f.slice(-5).map(Number);
      const v = nums[cols[counter] ?? -1];
      return v === undefined || Number.isNaN(v) ? null : v;
    }
  }
  return null;
}

/** A counter from `nicinfo` output ("  Receive Overruns ......... 3"). */
export function nicinfoValue(output: string, counter: string): number | null {
  const label = NICINFO_COUNTERS[counter];
  if (!label) return null;
  const esc = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`^\\s*${esc} \\.+ (\\d+)\\s*$`, 'm').exec(output);
  return m ? Number(m[1]) : null;
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? '';
}
