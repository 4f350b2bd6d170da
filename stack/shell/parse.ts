/**
 * Parsing of one shell line into and-or lists of simple commands, the subset of ksh that QNX boot scripts and
 * simple scripts use: words with '…' and "…" quoting and backslash escapes, $VAR ${VAR} $? $$ $!, VAR=value
 * prefixes, `;` `&` `&&` `||`, redirections (> >> < 2> 2>&1), `#` comments, and the buildfile script's
 * per-command attributes (`[pri=10f +session] cmd`). No pipes, subshells, functions or control flow.
 * Expansion happens later (expand.ts), when each command runs, so `false; echo $?` sees the new status.
 */

export type WordPart = { t: 'lit'; s: string; q: boolean } | { t: 'var'; name: string; q: boolean };
export type Word = WordPart[];

export interface Redirect {
  fd: number;
  op: '>' | '>>' | '<' | '>&';
  target: Word;
}

export interface SimpleCommand {
  /** The text of a leading `[...]` attribute block, without brackets, or null. */
  attrs: string | null;
  assigns: { name: string; value: Word }[];
  words: Word[];
  redirects: Redirect[];
}

export interface AndOr {
  first: SimpleCommand;
  rest: { op: '&&' | '||'; cmd: SimpleCommand }[];
  background: boolean;
  /** Source text of this list (for running it in a subshell when backgrounded). */
  text: string;
}

export class ShellSyntaxError extends Error {
  constructor(message: string, readonly col: number) {
    super(message);
  }
}

type Op = ';' | '&' | '&&' | '||' | '|' | '>' | '>>' | '<' | '>&';
type Tok = { k: 'word'; w: Word; col: number; fd?: number } | { k: 'op'; op: Op; col: number; fd?: number } | { k: 'attrs'; s: string; col: number };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const SPECIAL = new Set(['?', '$', '!', '#', '0']);

function lex(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  let cmdStart = true;
  const n = src.length;
  while (i < n) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#') break;
    if (cmdStart && c === '[' && i + 1 < n && src[i + 1] !== ' ') {
      const end = src.indexOf(']', i);
      if (end < 0) throw new ShellSyntaxError("unterminated '[' attribute block", i + 1);
      toks.push({ k: 'attrs', s: src.slice(i + 1, end).trim(), col: i + 1 });
      i = end + 1;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === '&&' || two === '||' || two === '>>' || two === '>&') {
      toks.push({ k: 'op', op: two, col: i + 1 });
      i += 2;
      cmdStart = two === '&&' || two === '||';
      continue;
    }
    if (c === ';' || c === '&' || c === '|' || c === '>' || c === '<') {
      toks.push({ k: 'op', op: c, col: i + 1 });
      i++;
      cmdStart = c === ';' || c === '&' || c === '|';
      continue;
    }
    const start = i;
    const w: Word = [];
    const lit = (s: string, q: boolean): void => {
      const last = w[w.length - 1];
      if (last && last.t === 'lit' && last.q === q) last.s += s;
      else w.push({ t: 'lit', s, q });
    };
    const dollar = (q: boolean): void => {
      // at src[i] === '$'
      const next = src[i + 1];
      if (next === '{') {
        const end = src.indexOf('}', i + 2);
        if (end < 0) throw new ShellSyntaxError("unterminated '${'", i + 1);
        const name = src.slice(i + 2, end);
        if (!NAME.test(name) && !SPECIAL.has(name)) throw new ShellSyntaxError(`bad substitution '\${${name}}'`, i + 1);
        w.push({ t: 'var', name, q });
        i = end + 1;
        return;
      }
      if (next !== undefined && SPECIAL.has(next)) {
        w.push({ t: 'var', name: next, q });
        i += 2;
        return;
      }
      const m = NAME.exec(src.slice(i + 1));
      if (m) {
        w.push({ t: 'var', name: m[0], q });
        i += 1 + m[0].length;
        return;
      }
      lit('$', q);
      i++;
    };
    while (i < n) {
      const ch = src[i]!;
      if (' \t\r;&|<>'.includes(ch)) break;
      if (ch === "'") {
        const end = src.indexOf("'", i + 1);
        if (end < 0) throw new ShellSyntaxError('unterminated single quote', i + 1);
        lit(src.slice(i + 1, end), true);
        if (end === i + 1) w.push({ t: 'lit', s: '', q: true });
        i = end + 1;
      } else if (ch === '"') {
        const open = i;
        i++;
        let empty = true;
        for (;;) {
          if (i >= n) throw new ShellSyntaxError('unterminated double quote', open + 1);
          const d = src[i]!;
          if (d === '"') break;
          empty = false;
          if (d === '\\' && i + 1 < n && '"\\$`'.includes(src[i + 1]!)) {
            lit(src[i + 1]!, true);
            i += 2;
          } else if (d === '$') dollar(true);
          else {
            lit(d, true);
            i++;
          }
        }
        if (empty) w.push({ t: 'lit', s: '', q: true });
        i++;
      } else if (ch === '\\') {
        if (i + 1 < n) lit(src[i + 1]!, true);
        i += 2;
      } else if (ch === '$') dollar(false);
      else {
        lit(ch, false);
        i++;
      }
    }
    // "2>" / "2>&1": a word made only of digits right before a redirection is its file descriptor.
    const nextCh = src[i];
    const digits = w.length === 1 && w[0]!.t === 'lit' && !w[0]!.q && /^\d$/.test(w[0]!.s);
    if (digits && (nextCh === '>' || nextCh === '<')) {
      const fd = Number((w[0] as { s: string }).s);
      const op: Op = src.slice(i, i + 2) === '>>' ? '>>' : src.slice(i, i + 2) === '>&' ? '>&' : (nextCh as Op);
      toks.push({ k: 'op', op, col: start + 1, fd });
      i += op.length;
      continue;
    }
    toks.push({ k: 'word', w, col: start + 1 });
    cmdStart = false;
  }
  return toks;
}

function assignment(w: Word): { name: string; value: Word } | null {
  const first = w[0];
  if (!first || first.t !== 'lit' || first.q) return null;
  const eq = first.s.indexOf('=');
  if (eq <= 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(first.s.slice(0, eq))) return null;
  const rest = first.s.slice(eq + 1);
  const value: Word = rest.length > 0 ? [{ t: 'lit', s: rest, q: false }, ...w.slice(1)] : w.slice(1);
  return { name: first.s.slice(0, eq), value };
}

/** Parse one line. Returns [] for blank lines and comments. */
export function parseLine(src: string): AndOr[] {
  const toks = lex(src);
  const lists: AndOr[] = [];
  let i = 0;
  const endCol = src.length + 1;
  const parseCommand = (): SimpleCommand => {
    const cmd: SimpleCommand = { attrs: null, assigns: [], words: [], redirects: [] };
    const t0 = toks[i];
    if (t0 && t0.k === 'attrs') {
      cmd.attrs = t0.s;
      i++;
    }
    for (;;) {
      const t = toks[i];
      if (!t || t.k === 'attrs') break;
      if (t.k === 'op') {
        if (t.op === '>' || t.op === '>>' || t.op === '<' || t.op === '>&') {
          const target = toks[i + 1];
          if (!target || target.k !== 'word') throw new ShellSyntaxError(`missing target after '${t.op}'`, t.col);
          cmd.redirects.push({ fd: t.fd ?? (t.op === '<' ? 0 : 1), op: t.op, target: target.w });
          i += 2;
          continue;
        }
        break;
      }
      const a = cmd.words.length === 0 ? assignment(t.w) : null;
      if (a) cmd.assigns.push(a);
      else cmd.words.push(t.w);
      i++;
    }
    return cmd;
  };
  while (i < toks.length) {
    const startTok = toks[i]!;
    const first = parseCommand();
    if (first.words.length === 0 && first.assigns.length === 0 && first.attrs === null) {
      const t = toks[i];
      throw new ShellSyntaxError(`'${t && t.k === 'op' ? t.op : '?'}' unexpected`, t?.col ?? endCol);
    }
    const list: AndOr = { first, rest: [], background: false, text: '' };
    for (;;) {
      const t = toks[i];
      if (!t || t.k !== 'op' || (t.op !== '&&' && t.op !== '||')) break;
      i++;
      const cmd = parseCommand();
      if (cmd.words.length === 0 && cmd.assigns.length === 0) throw new ShellSyntaxError(`missing command after '${t.op}'`, t.col);
      list.rest.push({ op: t.op, cmd });
    }
    const t = toks[i];
    let endAt = endCol - 1;
    if (t && t.k === 'op') {
      if (t.op === '|') throw new ShellSyntaxError('pipes are not supported', t.col);
      if (t.op !== ';' && t.op !== '&') throw new ShellSyntaxError(`'${t.op}' unexpected`, t.col);
      list.background = t.op === '&';
      endAt = t.col - 1;
      i++;
    } else if (t) {
      throw new ShellSyntaxError('unexpected attribute block', t.col);
    }
    list.text = src.slice(startTok.col - 1, endAt).trim();
    lists.push(list);
  }
  return lists;
}
