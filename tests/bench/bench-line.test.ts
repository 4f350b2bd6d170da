/**
 * The line format of `npm run bench` (scripts/bench-line.ts): `bench <name>: <value> <unit> (<context>)`, the
 * not-measured line, parsing back, and the summary of issue 15's targets judged over parsed lines.
 */
import { benchLine, judgeTargets, median, notMeasured, parseBenchLine, rssGiB, summaryTable, type BenchFigure } from '../../scripts/bench-line';

describe('bench line format', () => {
  test('a figure: name, value with its decimals, unit, context in parentheses', () => {
    expect(benchLine('ne2000-flood', 104.2345, 'virtual s per wall s', 'bench-flood.yaml to 20 s')).toBe(
      'bench ne2000-flood: 104.23 virtual s per wall s (bench-flood.yaml to 20 s)',
    );
    expect(benchLine('router-1cpu', 164600.4, 'packets per virtual s', 'x', 0)).toBe('bench router-1cpu: 164600 packets per virtual s (x)');
  });

  test('a context with parentheses and a newline stays one line and parses back', () => {
    const line = benchLine('guest-pings', 0.2412, 'ratio', 'ours (RTL8029) 3.86 s\nbuilt-in (v86) 16.10 s');
    expect(line.split('\n')).toHaveLength(1);
    expect(parseBenchLine(line)).toEqual({ name: 'guest-pings', value: 0.24, text: '0.24', unit: 'ratio', context: 'ours (RTL8029) 3.86 s; built-in (v86) 16.10 s' });
  });

  test('round trip of units with symbols', () => {
    for (const unit of ['M events/s', 'µs', '% of line rate', 's wall', 'Mb/s goodput']) {
      const f = parseBenchLine(benchLine('x-y', 1.5, unit, 'c'));
      expect(f).toMatchObject({ name: 'x-y', value: 1.5, unit, context: 'c' });
    }
  });

  test('not measured: no number, the reason as context', () => {
    const line = notMeasured('guest-restore', 'scripts/bench-guest-restore.ts is not in this build yet');
    expect(line).toBe('bench guest-restore: not measured (scripts/bench-guest-restore.ts is not in this build yet)');
    expect(parseBenchLine(line)).toEqual({ name: 'guest-restore', value: null, unit: '', context: 'scripts/bench-guest-restore.ts is not in this build yet' });
  });

  test('a value that is not finite is printed as not measured, never as a number', () => {
    expect(benchLine('tcp-ne2000', NaN, 'Mb/s goodput', 'no bytes')).toBe('bench tcp-ne2000: not measured (the measurement gave NaN; no bytes)');
    expect(benchLine('q', Infinity, 'x', 'zero wall time')).toMatch(/^bench q: not measured \(the measurement gave Infinity/);
  });

  test('names are kebab-case; units have no parentheses', () => {
    expect(() => benchLine('Queue Hold', 1, 'x', 'c')).toThrow(/kebab-case/);
    expect(() => benchLine('queue_hold', 1, 'x', 'c')).toThrow(/kebab-case/);
    expect(() => notMeasured('-x', 'c')).toThrow(/kebab-case/);
    expect(() => benchLine('q', 1, 'x (y)', 'c')).toThrow(/unit/);
    expect(() => benchLine('q', 1, '', 'c')).toThrow(/unit/);
  });

  test('lines that are not figures do not parse', () => {
    for (const l of ['', 'bench: crashed: x', 'bench x: 1.0 unit', 'event queue: 2000000 events', '| `queue-hold` | 1 | ≥ 1.3× | met |', 'bench X: 1 u (c)']) {
      expect(parseBenchLine(l)).toBeNull();
    }
  });

  test('RSS in a context', () => {
    expect(rssGiB('1000 QNX nodes, 40 switches; RSS 2.3 GiB; assembly 12 s wall')).toBe(2.3);
    expect(rssGiB('RSS 3 GiB')).toBe(3);
    expect(rssGiB('peak RSS 2300 MiB')).toBeNull();
  });
});

describe("issue 15's targets", () => {
  const fig = (name: string, value: number | null, unit = 'u', context = 'c'): BenchFigure =>
    value === null ? { name, value: null, unit: '', context } : { name, value, unit, context };

  test('every target met', () => {
    const out = judgeTargets([
      fig('queue-hold', 10, 'M events/s'),
      fig('queue-hold-floor', 7.6, 'M events/s'),
      fig('ne2000-flood', 100),
      fig('ne2000-flood-trace', 30),
      fig('nodes-1000', 1.0, 'virtual s per wall s', 'RSS 3.9 GiB'),
      fig('guest-restore', 1.0),
      fig('guest-pings', 0.24),
    ]);
    expect(out.map((o) => [o.name, o.verdict])).toEqual([
      ['queue-hold', 'met'],
      ['queue-hold-floor', 'reference'],
      ['ne2000-flood', 'met'],
      ['ne2000-flood-trace', 'met'],
      ['nodes-1000', 'met'],
      ['guest-restore', 'met'],
      ['guest-pings', 'met'],
    ]);
    expect(out[0]!.shown).toBe('10 M events/s = 1.32× floor');
  });

  test('each target missed just past its bound', () => {
    const out = judgeTargets([
      fig('queue-hold', 9.87, 'M events/s'),
      fig('queue-hold-floor', 7.6, 'M events/s'),
      fig('ne2000-flood', 99.99),
      fig('ne2000-flood-trace', 29.9),
      fig('nodes-1000', 1.2, 'virtual s per wall s', 'RSS 4.0 GiB'),
      fig('guest-restore', 1.01),
      fig('guest-pings', 1.01),
    ]);
    expect(out.filter((o) => o.verdict !== 'reference').every((o) => o.verdict === 'not met')).toBe(true);
  });

  test('nodes-1000 needs both its speed and its RSS; an RSS not reported is not met', () => {
    expect(judgeTargets([fig('nodes-1000', 0.9, 'x', 'RSS 1.0 GiB')])[4]!.verdict).toBe('not met');
    expect(judgeTargets([fig('nodes-1000', 5, 'x', 'no memory figure')])[4]).toMatchObject({ verdict: 'not met', shown: '5 x, RSS not reported' });
  });

  test('figures missing or not measured are reported so, not judged; the value shows as printed', () => {
    const parsed = ['bench guest-pings: 0.50 ratio (x)', 'bench ne2000-flood: not measured (the bench failed: boom)'].map((l) => parseBenchLine(l)!);
    const out = judgeTargets(parsed);
    expect(out.find((o) => o.name === 'ne2000-flood')).toMatchObject({ verdict: 'not measured', shown: 'not measured (the bench failed: boom)' });
    expect(out.find((o) => o.name === 'guest-restore')).toMatchObject({ verdict: 'not measured', shown: 'not printed' });
    expect(out.find((o) => o.name === 'guest-pings')).toMatchObject({ verdict: 'met', shown: '0.50 ratio' });
    // The ratio the queue bench printed (from unrounded rates) wins over the rounded values' quotient.
    const q = judgeTargets([fig('queue-hold', 1.34, 'M events/s', '5 M events; 1.29× queue-hold-floor'), fig('queue-hold-floor', 1.03)]);
    expect(q[0]).toMatchObject({ shown: '1.34 M events/s = 1.29× floor', verdict: 'not met' });
    // queue-hold without its floor cannot be judged.
    expect(judgeTargets([fig('queue-hold', 9)])[0]!.verdict).toBe('not measured');
  });

  test('the summary is a Markdown table with one row per target, in the issue order', () => {
    const rows = summaryTable(judgeTargets([fig('guest-pings', 0.24, 'ratio')]));
    expect(rows[0]).toBe('| name | value | target | met |');
    expect(rows).toHaveLength(2 + 7);
    expect(rows.slice(2).map((r) => /^\| `([a-z0-9-]+)`/.exec(r)?.[1])).toEqual([
      'queue-hold',
      'queue-hold-floor',
      'ne2000-flood',
      'ne2000-flood-trace',
      'nodes-1000',
      'guest-restore',
      'guest-pings',
    ]);
    expect(rows[8]).toBe('| `guest-pings` | 0.24 ratio | ≤ 1.0 | met |');
  });
});

describe('median', () => {
  test('the middle of an odd count, the mean of the middle two of an even one, whatever the order', () => {
    expect(median([5, 1, 3, 4, 2])).toBe(3);
    expect(median([12.24, 9.78])).toBeCloseTo(11.01, 10);
    expect(median([7])).toBe(7);
  });
});
