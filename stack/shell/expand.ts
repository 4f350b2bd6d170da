/**
 * Parameter expansion and field splitting of parsed words. Unquoted expansions split on blanks (IFS is not
 * configurable); quoted ones never split; a word with nothing but an empty unquoted expansion disappears.
 */
import type { Word } from './parse';

export type Lookup = (name: string) => string;

/** Expand a word into fields (argv entries). */
export function expandFields(w: Word, lookup: Lookup): string[] {
  const fields: string[] = [];
  let cur = '';
  let have = false;
  for (const p of w) {
    if (p.t === 'lit') {
      cur += p.s;
      have = have || p.q || p.s.length > 0;
      continue;
    }
    const v = lookup(p.name);
    if (p.q) {
      cur += v;
      have = true;
      continue;
    }
    const pieces = v.split(/[ \t\n]+/);
    pieces.forEach((piece, k) => {
      if (k > 0) {
        if (have) fields.push(cur);
        cur = '';
        have = false;
      }
      if (piece.length > 0) {
        cur += piece;
        have = true;
      }
    });
  }
  if (have) fields.push(cur);
  return fields;
}

/** Expand without splitting (assignment values, redirection targets). */
export function expandString(w: Word, lookup: Lookup): string {
  return w.map((p) => (p.t === 'lit' ? p.s : lookup(p.name))).join('');
}
