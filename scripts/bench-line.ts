/**
 * The one line format of `npm run bench` (docs/performance.md): every figure is
 *
 *     bench <name>: <value> <unit> (<context>)
 *
 * with a kebab-case name that stays the same from run to run, a number, its unit (words, no parentheses) and the
 * context in parentheses (what was run, the raw counts behind the figure). A figure that could not be taken is
 * `bench <name>: not measured (<why>)`, never a made-up number. This file formats and parses such lines and
 * judges the issue-15 targets over them (the summary table printed at the end of the run).
 */

/** One figure as printed: `value` is null when it was not measured (then `context` says why). */
export interface BenchFigure {
  name: string;
  value: number | null;
  /** The value as printed ("1.00"), when parsed from a line. */
  text?: string;
  unit: string;
  context: string;
}

const NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

function checkName(name: string): void {
  if (!NAME.test(name)) throw new Error(`bench figure name ${JSON.stringify(name)} is not kebab-case`);
}

/** One line for a number (`digits` decimals). A value that is not finite is printed as not measured. */
export function benchLine(name: string, value: number, unit: string, context: string, digits = 2): string {
  checkName(name);
  if (!Number.isFinite(value)) return notMeasured(name, `the measurement gave ${value}; ${context}`);
  if (unit.length === 0 || /[()]/.test(unit)) throw new Error(`bench ${name}: the unit ${JSON.stringify(unit)} must be words without parentheses`);
  return `bench ${name}: ${value.toFixed(digits)} ${unit} (${oneLine(context)})`;
}

/** The line for a figure nobody measured in this run, and why. */
export function notMeasured(name: string, why: string): string {
  checkName(name);
  return `bench ${name}: not measured (${oneLine(why)})`;
}

/** The median of `xs` (the mean of the middle two for an even count); the benchmarks' rounds are medians. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, '; ');
}

const LINE = /^bench ([a-z0-9]+(?:-[a-z0-9]+)*): (?:not measured|(-?\d+(?:\.\d+)?) ([^()]+?)) \((.*)\)$/;

/** A bench line back into its parts, or null if the line is not one. */
export function parseBenchLine(line: string): BenchFigure | null {
  const m = LINE.exec(line);
  if (!m) return null;
  const [, name, value, unit, context] = m;
  if (name === undefined || context === undefined) return null;
  return value === undefined ? { name, value: null, unit: '', context } : { name, value: Number(value), text: value, unit: unit ?? '', context };
}

/** How one target of the issue came out. */
export interface TargetOutcome {
  name: string;
  /** The figure as the table shows it. */
  shown: string;
  target: string;
  verdict: 'met' | 'not met' | 'not measured' | 'reference';
}

/** A figure's value as the table shows it: as printed when known. */
function shownValue(f: BenchFigure & { value: number }): string {
  return `${f.text ?? String(f.value)} ${f.unit}`;
}

interface Target {
  name: string;
  target: string;
  judge(f: BenchFigure & { value: number }, figure: (name: string) => BenchFigure | undefined): { shown?: string; met: boolean | null };
}

const atLeast = (min: number) => (f: { value: number }) => ({ met: f.value >= min });
const atMost = (max: number) => (f: { value: number }) => ({ met: f.value <= max });

/** "RSS 2.3 GiB" in a figure's context. */
export function rssGiB(context: string): number | null {
  const m = /\bRSS (\d+(?:\.\d+)?) GiB\b/.exec(context);
  return m ? Number(m[1]) : null;
}

/** The table of issue 15 ("Performance"), in its order. */
export const ISSUE_TARGETS: readonly Target[] = [
  {
    name: 'queue-hold',
    target: '≥ 1.3× queue-hold-floor',
    judge: (f, figure) => {
      const floor = figure('queue-hold-floor');
      if (!floor || floor.value === null || floor.value <= 0) return { shown: `${shownValue(f)} (no floor measured)`, met: null };
      // The ratio as the queue bench printed it from unrounded rates ("1.62× queue-hold-floor"), else from the lines.
      const printed = /(\d+(?:\.\d+)?)× queue-hold-floor/.exec(f.context);
      const ratio = printed ? Number(printed[1]) : f.value / floor.value;
      return { shown: `${shownValue(f)} = ${ratio.toFixed(2)}× floor`, met: ratio >= 1.3 };
    },
  },
  { name: 'queue-hold-floor', target: '(reference)', judge: () => ({ met: null }) },
  { name: 'ne2000-flood', target: '≥ 100', judge: atLeast(100) },
  { name: 'ne2000-flood-trace', target: '≥ 30', judge: atLeast(30) },
  {
    name: 'nodes-1000',
    target: '≥ 1.0, RSS < 4 GiB',
    judge: (f) => {
      const rss = rssGiB(f.context);
      if (rss === null) return { shown: `${shownValue(f)}, RSS not reported`, met: false };
      return { shown: `${shownValue(f)}, RSS ${rss} GiB`, met: f.value >= 1.0 && rss < 4 };
    },
  },
  { name: 'guest-restore', target: '≤ 1.0', judge: atMost(1.0) },
  { name: 'guest-pings', target: '≤ 1.0', judge: atMost(1.0) },
];

/** Judge the issue's targets over the figures of one run (the last line of a name counts). */
export function judgeTargets(figures: readonly BenchFigure[], targets: readonly Target[] = ISSUE_TARGETS): TargetOutcome[] {
  const byName = new Map(figures.map((f) => [f.name, f]));
  return targets.map((t) => {
    const f = byName.get(t.name);
    if (!f || f.value === null) return { name: t.name, shown: f ? `not measured (${f.context})` : 'not printed', target: t.target, verdict: 'not measured' };
    const j = t.judge({ ...f, value: f.value }, (n) => byName.get(n));
    const verdict = j.met === null ? (t.target === '(reference)' ? 'reference' : 'not measured') : j.met ? 'met' : 'not met';
    return { name: t.name, shown: j.shown ?? shownValue({ ...f, value: f.value }), target: t.target, verdict };
  });
}

/** The summary as a Markdown table (pasteable into the README's performance section). */
export function summaryTable(outcomes: readonly TargetOutcome[]): string[] {
  return [
    '| name | value | target | met |',
    '|---|---|---|---|',
    ...outcomes.map((o) => `| \`${o.name}\` | ${o.shown.replace(/\|/g, '\\|')} | ${o.target} | ${o.verdict} |`),
  ];
}
