/**
 * pfctl -s: the rulesets (pfctl_show_rules, pfctl_show_nat: DIOCGETRULES then DIOCGETRULE per number, with -v
 * each rule's counters), the state table (pfctl_show_states), pf_status (print_status: the status line padded to
 * 44 columns with the debug level right-aligned in 15, the loginterface's counters, the state table and the
 * reason counters with per-second rates over the time pf has been running), the timeouts and the tables.
 */
import type { Co, ThreadCtx } from '../../kernel/api';
import type { PfRule, PfRuleCounters, PfRuleset, PfStateInfo, PfStatus, PfTable, PfTimeoutName } from '../../include/net/pfvar';
import { strerror } from '../../lib/errno';
import { pfIoctl } from '../../lib/pf';
import { errno } from '../../lib/socket';
import { printRule, printRuleCounters, printState, TIMEOUT_ORDER } from './print';

export interface ShowOpts {
  readonly verbose: number;
  /** -s all: section titles. */
  readonly showall: boolean;
}

/** Section titles of -s all (pfctl_print_title: a blank line before every title but the first). */
export class Titles {
  private first = true;
  constructor(private readonly print: (t: string) => void) {}
  title(t: string): void {
    if (!this.first) this.print('\n');
    this.first = false;
    this.print(`${t}\n`);
  }
}

/** warn("DIOC…"): `pfctl: DIOCGETRULES: Operation not supported by device`. */
export function warnIoctl(ctx: ThreadCtx, what: string): void {
  ctx.print(`pfctl: ${what}: ${strerror(errno(ctx))}\n`);
}

function* showRuleset(ctx: ThreadCtx, dev: number, ruleset: PfRuleset, o: ShowOpts, onFirst: () => void): Co<boolean> {
  const head = yield* pfIoctl(ctx, dev, 'DIOCGETRULES', { ruleset });
  if (!head) {
    warnIoctl(ctx, 'DIOCGETRULES');
    return false;
  }
  const nr = head.nr as number;
  for (let i = 0; i < nr; i++) {
    const r = yield* pfIoctl(ctx, dev, 'DIOCGETRULE', { ticket: head.ticket, ruleset, nr: i });
    if (!r) {
      warnIoctl(ctx, 'DIOCGETRULE');
      return false;
    }
    if (i === 0) onFirst();
    const counters = r.counters as PfRuleCounters;
    ctx.print(`${printRule(r.rule as PfRule, o.verbose >= 2 ? counters.nr : null)}\n`);
    if (o.verbose) ctx.print(printRuleCounters(counters));
  }
  return true;
}

/** pfctl_show_rules (filter). */
export function* showRules(ctx: ThreadCtx, dev: number, o: ShowOpts, titles: Titles): Co<boolean> {
  return yield* showRuleset(ctx, dev, 'filter', o, () => o.showall && titles.title('FILTER RULES:'));
}

/** pfctl_show_rules in label form (-s labels): `label evaluations packets bytes` for each labelled rule. */
export function* showLabels(ctx: ThreadCtx, dev: number, o: ShowOpts, titles: Titles): Co<boolean> {
  const head = yield* pfIoctl(ctx, dev, 'DIOCGETRULES', { ruleset: 'filter' });
  if (!head) {
    warnIoctl(ctx, 'DIOCGETRULES');
    return false;
  }
  let dotitle = o.showall;
  for (let i = 0; i < (head.nr as number); i++) {
    const r = yield* pfIoctl(ctx, dev, 'DIOCGETRULE', { ticket: head.ticket, ruleset: 'filter', nr: i });
    if (!r) {
      warnIoctl(ctx, 'DIOCGETRULE');
      return false;
    }
    const rule = r.rule as PfRule;
    const c = r.counters as PfRuleCounters;
    if (!rule.label) continue;
    if (dotitle) titles.title('LABEL COUNTERS:');
    dotitle = false;
    ctx.print(`${rule.label} ${c.evaluations} ${c.packets[0] + c.packets[1]} ${c.bytes[0] + c.bytes[1]}\n`);
  }
  return true;
}

/** pfctl_show_nat: nat, rdr, binat in that order, one title. */
export function* showNat(ctx: ThreadCtx, dev: number, o: ShowOpts, titles: Titles): Co<boolean> {
  let dotitle = o.showall;
  for (const rs of ['nat', 'rdr', 'binat'] as const) {
    const ok = yield* showRuleset(ctx, dev, rs, o, () => {
      if (dotitle) titles.title('TRANSLATION RULES:');
      dotitle = false;
    });
    if (!ok) return false;
  }
  return true;
}

export function* showStates(ctx: ThreadCtx, dev: number, o: ShowOpts, titles: Titles): Co<boolean> {
  const r = yield* pfIoctl(ctx, dev, 'DIOCGETSTATES', {});
  if (!r) {
    warnIoctl(ctx, 'DIOCGETSTATES');
    return false;
  }
  const states = r.states as PfStateInfo[];
  if (o.showall && states.length > 0) titles.title('STATES:');
  for (const s of states) ctx.print(printState(s, o.verbose > 0));
  return true;
}

const pad = (s: string | number, w: number) => `${s}`.padEnd(w);
const rpad = (s: string | number, w: number) => `${s}`.padStart(w);

/** The pfres names (PFRES_NAMES) in counter order. */
const REASONS = ['match', 'bad-offset', 'fragment', 'short', 'normalize', 'memory', 'bad-timestamp', 'congestion', 'ip-option', 'proto-cksum', 'state-mismatch', 'state-insert', 'state-limit', 'src-limit', 'synproxy'];

/** print_status. */
export function printStatus(s: PfStatus, verbose: boolean): string {
  const runtime = s.running ? s.since : 0;
  let statline = `Status: ${s.running ? 'Enabled' : 'Disabled'}`;
  if (s.running) {
    const day = Math.floor(runtime / 86400);
    const two = (n: number) => `${n}`.padStart(2, '0');
    statline += ` for ${day} days ${two(Math.floor(runtime / 3600) % 24)}:${two(Math.floor(runtime / 60) % 60)}:${two(runtime % 60)}`;
  }
  const debug = { none: 'Debug: None', urgent: 'Debug: Urgent', misc: 'Debug: Misc', loud: 'Debug: Loud' }[s.debug];
  let out = `${pad(statline, 44)}${rpad(debug, 15)}\n\n`;
  if (verbose) out += `Hostid: 0x${(s.hostid >>> 0).toString(16).padStart(8, '0')}\n\n`;
  if (s.ifname) {
    const pc = (dir: number, act: number) => s.pcounters[dir]?.[act] ?? 0;
    out += `Interface Stats for ${pad(s.ifname, 16)} ${rpad('IPv4', 5)} ${rpad('IPv6', 16)}\n`;
    out += `  ${pad('Bytes In', 25)} ${rpad(s.bcounters[0] ?? 0, 14)} ${rpad(0, 16)}\n`;
    out += `  ${pad('Bytes Out', 25)} ${rpad(s.bcounters[1] ?? 0, 14)} ${rpad(0, 16)}\n`;
    out += '  Packets In\n';
    out += `    ${pad('Passed', 23)} ${rpad(pc(0, 0), 14)} ${rpad(0, 16)}\n`;
    out += `    ${pad('Blocked', 23)} ${rpad(pc(0, 1), 14)} ${rpad(0, 16)}\n`;
    out += '  Packets Out\n';
    out += `    ${pad('Passed', 23)} ${rpad(pc(1, 0), 14)} ${rpad(0, 16)}\n`;
    out += `    ${pad('Blocked', 23)} ${rpad(pc(1, 1), 14)} ${rpad(0, 16)}\n\n`;
  }
  const rate = (v: number) => (runtime > 0 ? `${rpad((v / runtime).toFixed(1), 14)}/s` : rpad('', 14));
  out += `${pad('State Table', 27)} ${rpad('Total', 14)} ${rpad('Rate', 16)}\n`;
  out += `  ${pad('current entries', 25)} ${rpad(s.states, 14)} ${rpad('', 14)}\n`;
  for (const [name, v] of [['searches', s.fcounters.searches], ['inserts', s.fcounters.inserts], ['removals', s.fcounters.removals]] as const) {
    out += `  ${pad(name, 25)} ${rpad(v, 14)} ${rate(v)}\n`;
  }
  out += 'Counters\n';
  for (const name of REASONS) {
    const v = s.counters[name] ?? 0;
    out += `  ${pad(name, 25)} ${rpad(v, 14)} ${rate(v)}\n`;
  }
  return out;
}

export function* showStatus(ctx: ThreadCtx, dev: number, o: ShowOpts, titles: Titles): Co<boolean> {
  const r = yield* pfIoctl(ctx, dev, 'DIOCGETSTATUS', {});
  if (!r) {
    warnIoctl(ctx, 'DIOCGETSTATUS');
    return false;
  }
  if (o.showall) titles.title('INFO:');
  ctx.print(printStatus(r as unknown as PfStatus, o.verbose > 0));
  return true;
}

/** pfctl_show_timeouts: `%-20s %10ds`. */
export function* showTimeouts(ctx: ThreadCtx, dev: number, o: ShowOpts, titles: Titles): Co<boolean> {
  if (o.showall) titles.title('TIMEOUTS:');
  for (const name of TIMEOUT_ORDER as readonly PfTimeoutName[]) {
    const r = yield* pfIoctl(ctx, dev, 'DIOCGETTIMEOUT', { name });
    if (!r) {
      warnIoctl(ctx, 'DIOCGETTIMEOUT');
      return false;
    }
    ctx.print(`${pad(name, 20)} ${rpad(r.seconds as number, 10)}s\n`);
  }
  return true;
}

/** pfctl_show_tables: names; -v adds the flag letters (c const, p persist, a active). */
export function* showTables(ctx: ThreadCtx, dev: number, o: ShowOpts, titles: Titles): Co<boolean> {
  const r = yield* pfIoctl(ctx, dev, 'DIOCRGETTABLES', {});
  if (!r) {
    warnIoctl(ctx, 'DIOCRGETTABLES');
    return false;
  }
  const tables = r.tables as PfTable[];
  if (o.showall && tables.length > 0) titles.title('TABLES:');
  for (const t of tables) ctx.print(o.verbose ? `${t.constant ? 'c' : '-'}${t.persist ? 'p' : '-'}a---\t${t.name}\n` : `${t.name}\n`);
  return true;
}
