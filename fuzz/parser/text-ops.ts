/**
 * Mutation operators that know lines and bytes only, shared by the scenario and buildfile fuzzers: delete,
 * duplicate or swap lines, change a line's indentation, tabs, CRLF and lone CR line ends, a byte order mark,
 * truncation at a random byte, and byte-level flips, insertions and deletions. Byte operators work on the
 * UTF-8 encoding and decode the result as `fs.readFileSync(file, 'utf8')` would (invalid sequences become
 * U+FFFD), so the text handed to the parser is exactly what the CLI would read from a file with those bytes.
 *
 * Every choice comes from the seeded `Rng` (emulator/machine/sim/rng.ts): same stream, same mutation.
 */
import type { Rng } from '../../emulator/machine/sim/rng';

/** One mutation operator: the mutated text, or null when it does not apply to this text (nothing to change). */
export interface Mutator {
  readonly name: string;
  apply(text: string, rng: Rng): string | null;
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.below(items.length)]!;
}

function lineOp(name: string, f: (lines: string[], rng: Rng) => boolean): Mutator {
  return {
    name,
    apply(text, rng) {
      const lines = text.split('\n');
      return f(lines, rng) ? lines.join('\n') : null;
    },
  };
}

/** A line index, biased away from blank lines (they carry little structure). */
function someLine(lines: readonly string[], rng: Rng): number {
  for (let tries = 0; tries < 4; tries++) {
    const i = rng.below(lines.length);
    if (lines[i]!.trim() !== '') return i;
  }
  return rng.below(lines.length);
}

const deleteLine = lineOp('delete-line', (lines, rng) => {
  if (lines.length < 2) return false;
  lines.splice(someLine(lines, rng), 1 + (rng.chance(0.2) ? rng.below(4) : 0));
  return true;
});

const duplicateLine = lineOp('duplicate-line', (lines, rng) => {
  const i = someLine(lines, rng);
  const n = rng.chance(0.9) ? 1 : 2 + rng.below(50);
  lines.splice(i, 0, ...Array<string>(n).fill(lines[i]!));
  return true;
});

const swapLines = lineOp('swap-lines', (lines, rng) => {
  if (lines.length < 2) return false;
  const i = someLine(lines, rng);
  const j = rng.chance(0.5) ? Math.min(lines.length - 1, i + 1) : rng.below(lines.length);
  if (i === j) return false;
  [lines[i], lines[j]] = [lines[j]!, lines[i]!];
  return true;
});

const indent = lineOp('indent', (lines, rng) => {
  const i = someLine(lines, rng);
  const line = lines[i]!;
  const lead = /^[ \t]*/.exec(line)![0].length;
  const delta = pick(rng, [-4, -2, -1, 1, 2, 4, -lead]);
  const width = Math.max(0, lead + delta);
  if (width === lead) return false;
  lines[i] = ' '.repeat(width) + line.slice(lead);
  return true;
});

const tabs = lineOp('tab', (lines, rng) => {
  const i = someLine(lines, rng);
  const line = lines[i]!;
  const lead = /^[ \t]*/.exec(line)![0];
  lines[i] = rng.chance(0.5) && lead.length > 0 ? '\t' + line.slice(lead.length) : insertAt(line, rng.below(line.length + 1), '\t');
  return true;
});

const crlf: Mutator = {
  name: 'crlf',
  apply(text, rng) {
    if (!text.includes('\n')) return null;
    switch (rng.below(3)) {
      case 0: return text.replace(/\r?\n/g, '\r\n');
      case 1: return text.replace(/\r?\n/g, '\r'); // classic Mac line ends: no '\n' at all
      default: {
        const at = nthIndex(text, '\n', rng.below(count(text, '\n')));
        return text.slice(0, at) + '\r' + text.slice(at);
      }
    }
  },
};

const bom: Mutator = {
  name: 'bom',
  apply(text, rng) {
    return rng.chance(0.8) ? '\uFEFF' + text : insertAt(text, rng.below(text.length + 1), '\uFEFF');
  },
};

const truncate: Mutator = {
  name: 'truncate',
  apply(text, rng) {
    const bytes = Buffer.from(text, 'utf8');
    if (bytes.length === 0) return null;
    return bytes.subarray(0, rng.below(bytes.length)).toString('utf8');
  },
};

/** Bytes worth inserting: structure characters of YAML and buildfiles, controls, UTF-8 lead/continuation bytes. */
const INTERESTING = [0x00, 0x09, 0x0a, 0x0d, 0x20, 0x22, 0x23, 0x26, 0x27, 0x2a, 0x2c, 0x2d, 0x3a, 0x3d, 0x3e, 0x3f,
  0x40, 0x5b, 0x5c, 0x5d, 0x60, 0x7b, 0x7c, 0x7d, 0x7f, 0x80, 0xbf, 0xc0, 0xe2, 0xef, 0xf0, 0xff];

const byteFlip: Mutator = {
  name: 'byte-flip',
  apply(text, rng) {
    const bytes = Buffer.from(text, 'utf8');
    if (bytes.length === 0) return null;
    for (let n = 1 + rng.below(4); n > 0; n--) {
      const i = rng.below(bytes.length);
      bytes[i] = bytes[i]! ^ (1 << rng.below(8));
    }
    return bytes.toString('utf8');
  },
};

const byteInsert: Mutator = {
  name: 'byte-insert',
  apply(text, rng) {
    const bytes = Buffer.from(text, 'utf8');
    const at = rng.below(bytes.length + 1);
    const add = Buffer.alloc(1 + rng.below(8));
    for (let i = 0; i < add.length; i++) add[i] = rng.chance(0.7) ? pick(rng, INTERESTING) : rng.below(256);
    return Buffer.concat([bytes.subarray(0, at), add, bytes.subarray(at)]).toString('utf8');
  },
};

const byteDelete: Mutator = {
  name: 'byte-delete',
  apply(text, rng) {
    const bytes = Buffer.from(text, 'utf8');
    if (bytes.length === 0) return null;
    const at = rng.below(bytes.length);
    const n = 1 + rng.below(16);
    return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + n)]).toString('utf8');
  },
};

/** The line/byte operators, in the order tests and docs list them. */
export const TEXT_MUTATORS: readonly Mutator[] = [
  deleteLine, duplicateLine, swapLines, indent, tabs, crlf, bom, truncate, byteFlip, byteInsert, byteDelete,
];

export function insertAt(s: string, at: number, what: string): string {
  return s.slice(0, at) + what + s.slice(at);
}

function count(s: string, c: string): number {
  return s.split(c).length - 1;
}

function nthIndex(s: string, c: string, n: number): number {
  let at = -1;
  for (let k = 0; k <= n; k++) at = s.indexOf(c, at + 1);
  return at;
}

/**
 * Applies 1…`max` operators drawn from `ops` (an operator that does not apply is skipped; its name is not
 * recorded): one operator most often, so that more inputs get past the first check and reach deeper ones.
 * Returns the text and the names of the operators that changed it, in order.
 */
export function mutate(text: string, rng: Rng, ops: readonly Mutator[], max: number): { text: string; ops: string[] } {
  const applied: string[] = [];
  let out = text;
  const n = rng.chance(0.6) ? 1 : 2 + rng.below(Math.max(1, max - 1));
  for (let k = 0; k < n; k++) {
    const op = pick(rng, ops);
    const next = op.apply(out, rng);
    if (next === null || next === out) continue;
    out = next;
    applied.push(op.name);
  }
  return { text: out, ops: applied };
}
