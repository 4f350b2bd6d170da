/**
 * POSIX getopt(3) for the utilities: options before operands ("--" ends them), clustered flags, option
 * arguments attached or in the next word. Errors use the BSD wording ("illegal option -- x").
 */
export interface GetoptResult {
  opts: { opt: string; arg: string | null }[];
  operands: string[];
  errors: string[];
}

export function getopt(argv: readonly string[], optstring: string): GetoptResult {
  const takesArg = new Map<string, boolean>();
  for (let i = 0; i < optstring.length; i++) {
    const c = optstring[i]!;
    if (c === ':') continue;
    takesArg.set(c, optstring[i + 1] === ':');
  }
  const res: GetoptResult = { opts: [], operands: [], errors: [] };
  let i = 1;
  for (; i < argv.length; i++) {
    const w = argv[i]!;
    if (w === '--') {
      i++;
      break;
    }
    if (!w.startsWith('-') || w === '-') break;
    for (let j = 1; j < w.length; j++) {
      const c = w[j]!;
      const ta = takesArg.get(c);
      if (ta === undefined) {
        res.errors.push(`illegal option -- ${c}`);
        continue;
      }
      if (!ta) {
        res.opts.push({ opt: c, arg: null });
        continue;
      }
      if (j + 1 < w.length) res.opts.push({ opt: c, arg: w.slice(j + 1) });
      else if (i + 1 < argv.length) res.opts.push({ opt: c, arg: argv[++i]! });
      else res.errors.push(`option requires an argument -- ${c}`);
      break;
    }
  }
  res.operands = argv.slice(i);
  return res;
}

/** strtol with base 0 (decimal, 0x hex, 0 octal); null when the whole word is not a number. */
export function strtol(s: string): number | null {
  const t = s.trim();
  const neg = t.startsWith('-');
  const u = neg ? t.slice(1) : t;
  let n: number;
  if (/^0[xX][0-9a-fA-F]+$/.test(u)) n = parseInt(u.slice(2), 16);
  else if (/^0[0-7]*$/.test(u)) n = parseInt(u, 8);
  else if (/^[1-9][0-9]*$/.test(u)) n = parseInt(u, 10);
  else return null;
  return neg ? -n : n;
}

/** strtod for option values like "0.2"; null when malformed. */
export function strtod(s: string): number | null {
  return /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(s) ? Number(s) : null;
}
