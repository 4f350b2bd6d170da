/**
 * Structure-aware mutation operators for scenario YAML (docs/formats/scenario.md). The current text is parsed
 * with the `yaml` package (the loader's own parser, tolerant of errors) only to find where its scalars, keys and
 * pairs are; the mutation is then a text edit at those source ranges, so comments, flow style and every other
 * byte stay as they were:
 *
 *   scalar-type     a scalar becomes another type (number, string, list, map, null, huge, negative, NaN-like,
 *                   unicode, very long, tagged: fuzz/parser/values.ts)
 *   scalar-swap     a scalar takes the text of another scalar of the same file (a node name where a link name
 *                   goes, a duration where a count goes): plausible values, so more inputs load and run
 *   number-edge     a number moves to an edge: 0, ±1 away, negated, ×1000, 2^31, 2^32 (same notation kept)
 *   time-compress   every duration with a unit (`at: 2s`, `interval: 200ms`, `until: 6s`) is divided by 100–1000,
 *                   in order: the actions, faults and timed expectations then fall inside a short fuzz run
 *   key-near-miss   a key is misspelt (dropped, doubled or swapped letter, case, '-'/'_', plural) or renamed
 *   drop-key        a key and its value go
 *   drop-required   a key the schema requires (nodes, links, nics, model, link, type) goes
 *   duplicate-key   a key appears twice in its map
 *   anchor-alias    an anchor on one node and an alias to it in another place (also unresolved, self and merge)
 *   alias-bomb      a billion-laughs chain of aliases (YAML 1.2 §3.2.2.2; the `yaml` package's maxAliasCount)
 *   unclosed        an unclosed quote or flow collection opened at a scalar
 */
import { isScalar, parseDocument, visit, type Pair, type Scalar } from 'yaml';
import type { Rng } from '../../emulator/machine/sim/rng';
import { insertAt, pick, type Mutator } from './text-ops';
import { generatedValue, KEY_NAMES, YAML_VALUES } from './values';

type Range = [number, number, number];
interface Located { range?: Range | null }

/** The fields docs/formats/scenario.md (schema.ts) marks as required. */
const REQUIRED = new Set(['nodes', 'links', 'nics', 'model', 'link', 'type']);

interface Shape {
  /** Value scalars (not keys), with source ranges. */
  scalars: Scalar[];
  /** Key scalars. */
  keys: Scalar[];
  /** Pairs whose key and value both have ranges; `flow` when the pair sits in a flow map. */
  pairs: { pair: Pair<Scalar, Located>; flow: boolean }[];
  /** Flow collections (anchorable where they start). */
  flows: Located[];
}

/**
 * Shapes of texts seen recently: an input's first operator works on an unmutated example, so the corpus's
 * shapes are parsed once (the `yaml` parser costs a few ms per example; the mutation is a text edit).
 */
const shapes = new Map<string, Shape>();
const SHAPE_CACHE = 64;

function shape(text: string): Shape {
  const hit = shapes.get(text);
  if (hit) return hit;
  const s = parseShape(text);
  if (shapes.size >= SHAPE_CACHE) shapes.delete(shapes.keys().next().value!);
  shapes.set(text, s);
  return s;
}

function parseShape(text: string): Shape {
  const doc = parseDocument(text, { keepSourceTokens: false, uniqueKeys: false });
  const s: Shape = { scalars: [], keys: [], pairs: [], flows: [] };
  visit(doc, {
    Map(_k, node) {
      if (node.flow && node.range) s.flows.push(node);
      for (const it of node.items) {
        const key = it.key;
        const value = it.value as Located | null;
        if (isScalar(key) && key.range) {
          s.keys.push(key);
          if (value?.range) s.pairs.push({ pair: it as Pair<Scalar, Located>, flow: !!node.flow });
        }
      }
    },
    Seq(_k, node) {
      if (node.flow && node.range) s.flows.push(node);
    },
    Pair(_k, pair) {
      if (isScalar(pair.value) && pair.value.range) s.scalars.push(pair.value);
    },
    Scalar(key, node) {
      if (typeof key === 'number' && node.range) s.scalars.push(node); // a sequence item
    },
  });
  return s;
}

function replaceRange(text: string, from: number, to: number, what: string): string {
  return text.slice(0, from) + what + text.slice(to);
}

function hostileValue(rng: Rng): string {
  return rng.chance(0.9) ? pick(rng, YAML_VALUES) : generatedValue(rng.below(5), rng.u32());
}

function lineStart(text: string, at: number): number {
  return text.lastIndexOf('\n', at - 1) + 1;
}

function lineEnd(text: string, at: number): number {
  const e = text.indexOf('\n', at);
  return e < 0 ? text.length : e;
}

const scalarType: Mutator = {
  name: 'scalar-type',
  apply(text, rng) {
    const { scalars } = shape(text);
    if (scalars.length === 0) return null;
    const r = pick(rng, scalars).range!;
    return replaceRange(text, r[0], r[1], hostileValue(rng));
  },
};

const scalarSwap: Mutator = {
  name: 'scalar-swap',
  apply(text, rng) {
    const { scalars } = shape(text);
    if (scalars.length < 2) return null;
    const to = pick(rng, scalars).range!;
    const from = pick(rng, scalars).range!;
    const value = text.slice(from[0], from[1]);
    // A block scalar (`script: |`) keeps its line breaks only where it came from: take its first line.
    return replaceRange(text, to[0], to[1], value.includes('\n') ? value.split('\n')[0]! : value);
  },
};

const numberEdge: Mutator = {
  name: 'number-edge',
  apply(text, rng) {
    const numbers = shape(text).scalars.filter((x) => typeof x.value === 'number');
    if (numbers.length === 0) return null;
    const sc = pick(rng, numbers);
    const v = sc.value as number;
    const r = sc.range!;
    const hex = /^0x/i.test(text.slice(r[0], r[1]));
    const next = pick(rng, [0, v - 1, v + 1, -v, v * 1000, 2 ** 31, 2 ** 32, 2 ** 32 - 1, 2 ** 53, 1, 255, 256, 65536]);
    return replaceRange(text, r[0], r[1], hex && next >= 0 && Number.isInteger(next) ? `0x${next.toString(16)}` : String(next));
  },
};

const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(ns|us|ms|s|m)\s*$/;
const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, ms: 1e6, s: 1e9, m: 60e9 };

const timeCompress: Mutator = {
  name: 'time-compress',
  apply(text, rng) {
    const durations = shape(text).scalars.filter((x) => typeof x.value === 'string' && DURATION.test(x.value));
    if (durations.length === 0) return null;
    const factor = pick(rng, [100, 300, 1000]);
    let out = text;
    for (const d of [...durations].sort((a, b) => b.range![0] - a.range![0])) {
      const m = DURATION.exec(d.value as string)!;
      const ns = Math.round((Number(m[1]) * UNIT_NS[m[2]!]!) / factor);
      out = replaceRange(out, d.range![0], d.range![1], `${ns}ns`);
    }
    return out;
  },
};

function nearMiss(key: string, rng: Rng): string {
  const i = rng.below(Math.max(1, key.length));
  switch (rng.below(8)) {
    case 0: return key.slice(0, i) + key.slice(i + 1);
    case 1: return key.slice(0, i) + key[i] + key.slice(i);
    case 2: return i + 1 < key.length ? key.slice(0, i) + key[i + 1] + key[i] + key.slice(i + 2) : key + 'x';
    case 3: return key.toUpperCase() === key ? key.toLowerCase() : key.charAt(0).toUpperCase() + key.slice(1);
    case 4: return key.includes('-') ? key.replace('-', '_') : key.replace(/_/, '-') + (key.includes('_') ? '' : '-');
    case 5: return key.endsWith('s') ? key.slice(0, -1) : key + 's';
    case 6: return `"${key} "`; // a quoted trailing blank is part of the key
    default: {
      const other = pick(rng, KEY_NAMES);
      return other === key ? `${key}_` : other;
    }
  }
}

const keyNearMiss: Mutator = {
  name: 'key-near-miss',
  apply(text, rng) {
    const { keys } = shape(text);
    if (keys.length === 0) return null;
    const k = pick(rng, keys);
    const r = k.range!;
    return replaceRange(text, r[0], r[1], nearMiss(text.slice(r[0], r[1]), rng));
  },
};

/** Remove one pair: in a flow map with its comma, in a block map its lines (key line through value end). */
function dropPair(text: string, p: { pair: Pair<Scalar, Located>; flow: boolean }): string {
  const from = p.pair.key.range![0];
  const to = p.pair.value!.range![1];
  if (p.flow) {
    const after = /^\s*,/.exec(text.slice(to));
    return replaceRange(text, from, after ? to + after[0].length : to, '');
  }
  return replaceRange(text, lineStart(text, from), Math.min(text.length, lineEnd(text, Math.max(from, to - 1)) + 1), '');
}

const dropKey: Mutator = {
  name: 'drop-key',
  apply(text, rng) {
    const { pairs } = shape(text);
    return pairs.length === 0 ? null : dropPair(text, pick(rng, pairs));
  },
};

const dropRequired: Mutator = {
  name: 'drop-required',
  apply(text, rng) {
    const pairs = shape(text).pairs.filter((p) => REQUIRED.has(String(p.pair.key.value)));
    return pairs.length === 0 ? null : dropPair(text, pick(rng, pairs));
  },
};

const duplicateKey: Mutator = {
  name: 'duplicate-key',
  apply(text, rng) {
    const { pairs } = shape(text);
    if (pairs.length === 0) return null;
    const p = pick(rng, pairs);
    const from = p.pair.key.range![0];
    const to = p.pair.value!.range![1];
    const body = text.slice(from, to);
    if (p.flow) return insertAt(text, to, `, ${body}`);
    const start = lineStart(text, from);
    const indent = text.slice(start, from).replace(/[^ \t]/g, ' ');
    // A one-line pair is repeated below itself; a pair with a nested block value gets a scalar twin above it.
    if (!body.includes('\n')) return insertAt(text, lineEnd(text, to), `\n${indent}${body}`);
    return insertAt(text, start, `${indent}${text.slice(from, p.pair.key.range![1])}: ${hostileValue(rng)}\n`);
  },
};

const anchorAlias: Mutator = {
  name: 'anchor-alias',
  apply(text, rng) {
    const s = shape(text);
    const targets: Located[] = [...s.scalars, ...s.flows];
    if (targets.length === 0 || s.scalars.length === 0) return null;
    const name = pick(rng, ['a', 'x', 'node', 'a1']);
    const use = pick(rng, s.scalars).range!;
    switch (rng.below(4)) {
      case 0: // unresolved: an alias with no anchor anywhere
        return replaceRange(text, use[0], use[1], `*nosuch`);
      case 1: { // merge key into a block map pair's line
        const p = s.pairs.filter((x) => !x.flow);
        if (p.length === 0) return null;
        const from = pick(rng, p).pair.key.range![0];
        const start = lineStart(text, from);
        return insertAt(text, start, `${text.slice(start, from).replace(/[^ \t]/g, ' ')}<<: *${name}\n`);
      }
      default: { // an anchor on one node, an alias to it elsewhere (before it: unresolved; inside it: itself)
        const def = pick(rng, targets).range!;
        if (use[0] === def[0]) return null;
        const edits: [number, number, string][] = [[def[0], def[0], `&${name} `], [use[0], use[1], `*${name}`]];
        edits.sort((a, b) => b[0] - a[0]);
        let out = text;
        for (const [f, t, w] of edits) out = replaceRange(out, f, t, w);
        return out;
      }
    }
  },
};

/** A chain of `depth` levels, each a list of `width` aliases to the level below: width^depth values when expanded. */
export function aliasBomb(depth: number, width: number): string {
  const lines = [`lol0: &l0 [${Array<string>(width).fill('lol').join(', ')}]`];
  for (let d = 1; d <= depth; d++) lines.push(`lol${d}: &l${d} [${Array<string>(width).fill(`*l${d - 1}`).join(', ')}]`);
  return lines.join('\n') + '\n';
}

const aliasBombOp: Mutator = {
  name: 'alias-bomb',
  apply(text, rng) {
    const bomb = aliasBomb(1 + rng.below(9), 2 + rng.below(9));
    const s = shape(text);
    if (rng.chance(0.5) || s.scalars.length === 0) return bomb + text;
    // Defined at the top, used deep inside the scenario in place of one value.
    const use = pick(rng, s.scalars).range!;
    const last = /lol(\d+): &l\d+ \[[^\n]*\]\n$/.exec(bomb)![1];
    return bomb + replaceRange(text, use[0], use[1], `*l${last}`);
  },
};

const unclosed: Mutator = {
  name: 'unclosed',
  apply(text, rng) {
    const s = shape(text);
    const at = s.scalars.length > 0 ? pick(rng, s.scalars).range![0] : rng.below(text.length + 1);
    return insertAt(text, at, pick(rng, ['"', "'", '[', '{', '[{', '"\\', '{ a: "']));
  },
};

/** The structure-aware operators, in the order tests and docs list them. */
export const YAML_MUTATORS: readonly Mutator[] = [
  scalarType, scalarSwap, numberEdge, timeCompress, keyNearMiss, dropKey, dropRequired, duplicateKey, anchorAlias, aliasBombOp, unclosed,
];
