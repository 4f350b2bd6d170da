/**
 * Structure-aware mutation operators for QNX mkifs buildfiles (firmware/buildfile.ts; QNX utilities reference,
 * "mkifs"). They edit the places the scanner gives meaning to:
 *
 *   attribute       inside a `[...]` list: a hostile attribute added (fuzz/parser/values.ts), one removed, or
 *                   the `]` dropped; or a new attribute line (`[type=link]` alone applies to later files)
 *   brace           a `{`, `}` or `\` added or removed (inline bodies nest braces; `\` escapes one)
 *   entry           a file specification added or broken: `name=` with no source, a link with no target,
 *                   a quoted name left open, a second `[+script]` file, a second bootstrap file
 *   script-arg      a command line of an inline body (the boot script: io-pkt's `-d`/`-p` options and a
 *                   driver's `ioport=…,irq=…` list, ifconfig's arguments) gets a word dropped, doubled,
 *                   inserted, or an option's value replaced by one a driver must refuse
 */
import type { Rng } from '../../emulator/machine/sim/rng';
import { insertAt, pick, type Mutator } from './text-ops';
import { BUILD_ATTRIBUTES, OPTION_VALUES, SCRIPT_WORDS } from './values';

function occurrences(text: string, re: RegExp): RegExpExecArray[] {
  return [...text.matchAll(new RegExp(re.source, re.flags.includes('g') ? re.flags : re.flags + 'g'))];
}

const attribute: Mutator = {
  name: 'attribute',
  apply(text, rng) {
    const lists = occurrences(text, /\[[^\]\n]*\]/);
    const attr = pick(rng, BUILD_ATTRIBUTES);
    if (lists.length === 0 || rng.chance(0.2)) {
      // A line of attributes alone: they apply to every later file.
      const lines = text.split('\n');
      lines.splice(rng.below(lines.length + 1), 0, `[${attr}]`);
      return lines.join('\n');
    }
    const m = pick(rng, lists);
    const start = m.index;
    const end = start + m[0].length; // just past ']'
    const items = m[0].slice(1, -1).split(/\s+/).filter((x) => x !== '');
    switch (rng.below(4)) {
      case 0: return text.slice(0, end - 1) + text.slice(end); // no ']'
      case 1: {
        if (items.length === 0) return null;
        items.splice(rng.below(items.length), 1);
        break;
      }
      default: items.splice(rng.below(items.length + 1), 0, attr);
    }
    return text.slice(0, start) + `[${items.join(' ')}]` + text.slice(end);
  },
};

const brace: Mutator = {
  name: 'brace',
  apply(text, rng) {
    const braces = occurrences(text, /[{}]/);
    if (braces.length > 0 && rng.chance(0.5)) {
      const at = pick(rng, braces).index;
      return text.slice(0, at) + text.slice(at + 1);
    }
    const lines = text.split('\n');
    const i = rng.below(lines.length);
    const line = lines[i]!;
    lines[i] = insertAt(line, rng.chance(0.5) ? line.length : rng.below(line.length + 1), pick(rng, ['{', '}', '\\', '\\}', '${', '= {']));
    return lines.join('\n');
  },
};

const ENTRIES = [
  'ping=', '/usr/bin/ping =', '[type=link] /tmp', '[type=link] /tmp=', '"unterminated', '/etc/x = "open',
  '[+script] .script = {\n    ifconfig lo0 up\n}', '[virtual=x86,bios] boot2 = {\n    startup-bios\n    procnto\n}',
  '[+script] .script = nosuch', '= x', '{', '}', 'a b', 'x = { y } z', '[type=dir] /var', '/etc/empty = {}',
  '"quoted name"=ping', 'devnp-nosuch.so', '[prefix=] ping', '/proc/boot/../../x = { . }',
];

const entry: Mutator = {
  name: 'entry',
  apply(text, rng) {
    const lines = text.split('\n');
    lines.splice(rng.below(lines.length + 1), 0, pick(rng, ENTRIES));
    return lines.join('\n');
  },
};

/** Lines inside `= { … }` bodies (depth ≥ 1), where command lines live. */
function bodyLines(lines: readonly string[]): number[] {
  const out: number[] = [];
  let depth = 0;
  lines.forEach((line, i) => {
    if (depth > 0 && line.trim() !== '' && !line.includes('{') && !line.includes('}')) out.push(i);
    for (const c of line) {
      if (c === '{') depth++;
      else if (c === '}') depth = Math.max(0, depth - 1);
    }
  });
  return out;
}

function mutateCommand(line: string, rng: Rng): string {
  const lead = /^\s*/.exec(line)![0];
  const words = line.trim().split(/\s+/);
  const i = rng.below(words.length);
  switch (rng.below(5)) {
    case 0: words.splice(i, 1); break;
    case 1: words.splice(i, 0, words[i]!); break;
    case 2: words.splice(rng.below(words.length + 1), 0, pick(rng, SCRIPT_WORDS)); break;
    default: {
      // An option value: `ioport=0x300,irq=5` → one value replaced; `-dne2000` → the driver name.
      const w = words[i]!;
      const opts = occurrences(w, /=([^,=]*)/);
      if (opts.length > 0) {
        const m = pick(rng, opts);
        words[i] = w.slice(0, m.index + 1) + pick(rng, OPTION_VALUES) + w.slice(m.index + m[0].length);
      } else if (/^-[a-zA-Z]./.test(w)) words[i] = w.slice(0, 2) + pick(rng, OPTION_VALUES);
      else words[i] = pick(rng, SCRIPT_WORDS);
    }
  }
  return lead + words.join(' ');
}

const scriptArg: Mutator = {
  name: 'script-arg',
  apply(text, rng) {
    const lines = text.split('\n');
    const body = bodyLines(lines);
    if (body.length === 0) return null;
    // The io-pkt line is the one worth most: pick it half the time when there is one.
    const iopkt = body.filter((i) => /\bio-pkt/.test(lines[i]!));
    const i = iopkt.length > 0 && rng.chance(0.5) ? pick(rng, iopkt) : pick(rng, body);
    lines[i] = mutateCommand(lines[i]!, rng);
    return lines.join('\n');
  },
};

/** The buildfile operators, in the order tests and docs list them. */
export const BUILDFILE_MUTATORS: readonly Mutator[] = [attribute, brace, entry, scriptArg];
