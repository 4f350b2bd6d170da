/**
 * The parser fuzzers' mutation operators (fuzz/parser/text-ops.ts, yaml-ops.ts, buildfile-ops.ts): each one
 * does what its name says to a shipped example, the same way for the same random stream, and the input
 * generators of both targets use every one of them.
 */
import { parseDocument, visit } from 'yaml';
import { Rng } from '../../emulator/machine/sim/rng';
import { parseScenario } from '../../emulator/app/scenario/load';
import { LocatedError } from '../../emulator/app/scenario/errors';
import { corpus } from '../../fuzz/parser/corpus';
import { TEXT_MUTATORS, type Mutator } from '../../fuzz/parser/text-ops';
import { YAML_MUTATORS, aliasBomb } from '../../fuzz/parser/yaml-ops';
import { BUILDFILE_MUTATORS } from '../../fuzz/parser/buildfile-ops';
import { scenarioInput } from '../../fuzz/parser/scenario';
import { buildfileInput } from '../../fuzz/parser/buildfile';

const ping = () => corpus().scenarios.find((s) => s.rel === 'docs/examples/ping.yaml')!;
const alpha = () => corpus().buildfiles.find((s) => s.rel === 'docs/examples/default/alpha.build')!;
const op = (ops: readonly Mutator[], name: string) => ops.find((m) => m.name === name)!;

/** The operator applied with stream `k` (the first stream on which it applies). */
function applied(m: Mutator, text: string, k = 0): string {
  for (let i = k; i < k + 50; i++) {
    const out = m.apply(text, new Rng(i, m.name));
    if (out !== null && out !== text) return out;
  }
  throw new Error(`${m.name} never applied`);
}

function loadError(text: string): LocatedError {
  const s = ping();
  try {
    parseScenario(text, s.file, '/work/nowhere');
  } catch (e) {
    if (e instanceof LocatedError) return e;
    throw e;
  }
  throw new Error('expected a located error');
}

const lines = (t: string) => t.split('\n');

describe('every operator changes each shipped example, the same way for the same stream', () => {
  const all = [...YAML_MUTATORS, ...TEXT_MUTATORS];
  test.each(all.map((m) => m.name))('scenario operator %s', (name) => {
    const m = op(all, name);
    for (const s of corpus().scenarios) {
      const a = applied(m, s.text, 3);
      expect(a).not.toBe(s.text);
      expect(applied(m, s.text, 3)).toBe(a);
    }
  });
  test.each([...BUILDFILE_MUTATORS, ...TEXT_MUTATORS].map((m) => m.name))('buildfile operator %s', (name) => {
    const m = op([...BUILDFILE_MUTATORS, ...TEXT_MUTATORS], name);
    for (const s of corpus().buildfiles) {
      const a = applied(m, s.text, 5);
      expect(a).not.toBe(s.text);
      expect(applied(m, s.text, 5)).toBe(a);
    }
  });
});

describe('line and byte operators', () => {
  const t = () => ping().text;
  test('delete-line, duplicate-line, swap-lines', () => {
    expect(lines(applied(op(TEXT_MUTATORS, 'delete-line'), t())).length).toBeLessThan(lines(t()).length);
    expect(lines(applied(op(TEXT_MUTATORS, 'duplicate-line'), t())).length).toBeGreaterThan(lines(t()).length);
    const swapped = lines(applied(op(TEXT_MUTATORS, 'swap-lines'), t()));
    expect([...swapped].sort()).toEqual([...lines(t())].sort());
  });
  test('indent and tab change only leading whitespace or add a tab', () => {
    const ind = lines(applied(op(TEXT_MUTATORS, 'indent'), t()));
    expect(ind.map((l) => l.trim())).toEqual(lines(t()).map((l) => l.trim()));
    expect(applied(op(TEXT_MUTATORS, 'tab'), t())).toContain('\t');
  });
  test('crlf, bom, truncate, byte-flip, byte-insert, byte-delete', () => {
    expect(applied(op(TEXT_MUTATORS, 'crlf'), t())).toContain('\r');
    expect(applied(op(TEXT_MUTATORS, 'bom'), t())).toContain('\uFEFF');
    const cut = applied(op(TEXT_MUTATORS, 'truncate'), t());
    expect(t().startsWith(cut)).toBe(true); // ping.yaml is ASCII: a byte cut is a character cut
    const bytes = Buffer.byteLength(t());
    expect(Buffer.byteLength(applied(op(TEXT_MUTATORS, 'byte-insert'), t()))).toBeGreaterThan(bytes);
    expect(Buffer.byteLength(applied(op(TEXT_MUTATORS, 'byte-delete'), t()))).toBeLessThan(bytes);
    const flipped = Buffer.from(applied(op(TEXT_MUTATORS, 'byte-flip'), t()));
    expect(flipped.equals(Buffer.from(t()))).toBe(false);
  });
});

describe('YAML operators', () => {
  const t = () => ping().text;
  /** [removed, inserted]: what differs between a and b once their common prefix and suffix are taken off. */
  const middle = (a: string, b: string): [string, string] => {
    let p = 0;
    while (p < a.length && p < b.length && a[p] === b[p]) p++;
    let q = 0;
    while (q < a.length - p && q < b.length - p && a[a.length - 1 - q] === b[b.length - 1 - q]) q++;
    return [a.slice(p, a.length - q), b.slice(p, b.length - q)];
  };
  const keys = (text: string) => {
    const out: string[] = [];
    visit(parseDocument(text), { Pair: (_k, pair) => void out.push(String((pair.key as { value?: unknown } | null)?.value ?? pair.key)) });
    return out;
  };
  test('scalar-swap puts in a value the file already holds; number-edge changes a number', () => {
    for (let k = 0; k < 20; k++) {
      const [, put] = middle(t(), applied(op(YAML_MUTATORS, 'scalar-swap'), t(), k));
      expect(t()).toContain(put);
      const [, num] = middle(t(), applied(op(YAML_MUTATORS, 'number-edge'), t(), k));
      expect(num).toMatch(/^[-0-9a-fx.e+]*$/i);
    }
  });
  test('time-compress divides every duration', () => {
    const doc = parseDocument(applied(op(YAML_MUTATORS, 'time-compress'), t())).toJS() as { until: string };
    expect(doc.until).toMatch(/^\d+ns$/);
    expect(Number(doc.until.slice(0, -2))).toBeLessThanOrEqual(3e9 / 100);
  });
  test('key-near-miss renames a key; drop-key and drop-required remove one', () => {
    for (let k = 0; k < 10; k++) {
      const near = keys(applied(op(YAML_MUTATORS, 'key-near-miss'), t(), k));
      expect(near).not.toEqual(keys(t()));
      expect(keys(applied(op(YAML_MUTATORS, 'drop-key'), t(), k)).length).toBeLessThan(keys(t()).length);
    }
    expect(loadError(applied(op(YAML_MUTATORS, 'drop-required'), t())).problem).toMatch(/missing required field/);
  });
  test('duplicate-key and unclosed are refused by the loader, located', () => {
    expect(loadError(applied(op(YAML_MUTATORS, 'duplicate-key'), t())).problem).toMatch(/Map keys must be unique/);
    expect(loadError(applied(op(YAML_MUTATORS, 'unclosed'), t())).problem).toMatch(/^YAML: /);
  });
  test('scalar-type puts in a value from the hostile table; anchor-alias adds an alias', () => {
    const [, put] = middle(t(), applied(op(YAML_MUTATORS, 'scalar-type'), t()));
    expect(put).not.toBe('');
    expect(applied(op(YAML_MUTATORS, 'anchor-alias'), t())).toMatch(/\*[a-z]/);
  });
  test('alias-bomb: the loader refuses the chain at an alias before it expands', () => {
    expect(aliasBomb(2, 3)).toBe('lol0: &l0 [lol, lol, lol]\nlol1: &l1 [*l0, *l0, *l0]\nlol2: &l2 [*l1, *l1, *l1]\n');
    const e = loadError(aliasBomb(9, 10) + t());
    expect([e.line, e.problem]).toEqual([2, expect.stringMatching(/^YAML: Excessive alias count/) as unknown]);
    expect(applied(op(YAML_MUTATORS, 'alias-bomb'), t())).toMatch(/^lol0: &l0 \[/);
  });
});

describe('buildfile operators', () => {
  const t = () => alpha().text;
  test('attribute, brace, entry, script-arg', () => {
    expect(applied(op(BUILDFILE_MUTATORS, 'attribute'), t())).not.toBe(t());
    const braces = (s: string) => (s.match(/[{}\\]/g) ?? []).length;
    expect(braces(applied(op(BUILDFILE_MUTATORS, 'brace'), t()))).not.toBe(braces(t()));
    expect(lines(applied(op(BUILDFILE_MUTATORS, 'entry'), t())).length).toBeGreaterThan(lines(t()).length - 1);
    // script-arg edits one command line inside a `{ … }` body and nothing else.
    const a = lines(applied(op(BUILDFILE_MUTATORS, 'script-arg'), t()));
    const changed = a.map((l, i) => (l !== lines(t())[i] ? i : -1)).filter((i) => i >= 0);
    expect(changed).toHaveLength(1);
    expect(lines(t()).slice(0, changed[0]).join('\n')).toMatch(/\{[^}]*$/);
  });
});

test('the input generators use every operator', () => {
  const seen = new Set<string>();
  for (let e = 0; e < 400; e++) for (const o of scenarioInput(1, e).ops) seen.add(o);
  expect([...seen].sort()).toEqual([...new Set([...YAML_MUTATORS, ...TEXT_MUTATORS].map((m) => m.name))].sort());
  seen.clear();
  for (let e = 0; e < 400; e++) for (const o of buildfileInput(1, e).ops) seen.add(o);
  expect([...seen].sort()).toEqual([...new Set([...BUILDFILE_MUTATORS, ...TEXT_MUTATORS].map((m) => m.name))].sort());
});
