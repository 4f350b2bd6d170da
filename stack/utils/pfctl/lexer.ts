/**
 * pf.conf's lexer, as OpenBSD 3.7's pfctl/parse.y (the pf generation NetBSD 4 imported and QNX io-pkt's lsm-pf
 * carries: pfvar.h 1.213) does it in lgetc/yylex: `\` + newline continues a line (and counts it), blanks
 * collapse, `#` comments run to the end of the line, `$name` pushes the macro's text back into the input
 * (undefined: "macro 'x' not defined", the rest of the line dropped and an ERROR token returned), quoted
 * strings (either quote) are never keywords, `<>` and `><` are the range operators, `->` the arrow, and a word
 * is a run of alphanumerics and punctuation other than ( ) { } < > ! = / # , .
 */

export type Tok =
  | { readonly t: 'str'; readonly v: string; readonly quoted: boolean; readonly line: number }
  | { readonly t: 'punct'; readonly v: string; readonly line: number }
  | { readonly t: 'portbinary'; readonly v: 'irg' | 'xrg'; readonly line: number }
  | { readonly t: 'arrow'; readonly line: number }
  | { readonly t: 'nl'; readonly line: number }
  | { readonly t: 'error'; readonly line: number }
  | { readonly t: 'eof'; readonly line: number };

/** parse.y lookup(): the words that are keywords (the rest are STRING). */
export const KEYWORDS: ReadonlySet<string> = new Set([
  'all', 'allow-opts', 'altq', 'anchor', 'antispoof', 'any', 'bandwidth', 'binat', 'binat-anchor', 'bitmask',
  'block', 'block-policy', 'cbq', 'code', 'crop', 'debug', 'drop', 'drop-ovl', 'dup-to', 'fastroute', 'file',
  'fingerprints', 'flags', 'floating', 'for', 'fragment', 'from', 'global', 'group', 'group-bound', 'hfsc',
  'hostid', 'icmp-type', 'icmp6-type', 'if-bound', 'in', 'inet', 'inet6', 'keep', 'label', 'limit', 'linkshare',
  'load', 'log', 'log-all', 'loginterface', 'max', 'max-mss', 'max-src-nodes', 'max-src-states', 'min-ttl',
  'modulate', 'nat', 'nat-anchor', 'no', 'no-df', 'no-route', 'no-sync', 'on', 'optimization', 'os', 'out',
  'pass', 'port', 'priority', 'priq', 'proto', 'qlimit', 'queue', 'quick', 'random', 'random-id', 'rdr',
  'rdr-anchor', 'realtime', 'reassemble', 'reply-to', 'require-order', 'return', 'return-icmp', 'return-icmp6',
  'return-rst', 'round-robin', 'route-to', 'rule', 'scrub', 'set', 'skip', 'source-hash', 'source-track',
  'state', 'state-policy', 'static-port', 'sticky-address', 'synproxy', 'table', 'tag', 'tagged', 'tbrsize',
  'timeout', 'to', 'tos', 'ttl', 'upperlimit', 'user',
]);

const isAlnum = (c: string) => /^[A-Za-z0-9]$/.test(c);
const isPunct = (c: string) => /^[!-/:-@[-`{-~]$/.test(c);
const allowedInString = (c: string) => isAlnum(c) || (isPunct(c) && !'(){}<>!=/#,'.includes(c));

export interface LexError {
  readonly line: number;
  readonly msg: string;
}

export class Lexer {
  private pos = 0;
  private lineno = 1;
  /** Macro text being read (parsebuf) and the position in it. */
  private parsebuf: string | null = null;
  private parseindex = 0;
  private pushback: string[] = [];
  /** Line of the last token returned (yylval.lineno), for messages raised by the parser. */
  lastLine = 1;

  constructor(
    private readonly text: string,
    private readonly symget: (name: string) => string | null,
    private readonly yyerror: (e: LexError) => void,
  ) {}

  /** lgetc: '' is EOF. */
  private lgetc(): string {
    if (this.parsebuf !== null) {
      const c = this.parsebuf[this.parseindex++];
      if (c !== undefined) return c;
      this.parsebuf = null;
    }
    const pb = this.pushback.pop();
    if (pb !== undefined) return pb;
    let c = this.getc();
    while (c === '\\') {
      const next = this.getc();
      if (next !== '\n') {
        if (next === ' ' || next === '\t') this.yyerror({ line: this.lineno, msg: 'whitespace after \\' });
        if (next !== '') this.pos--;
        break;
      }
      this.lineno++;
      c = this.getc();
    }
    if (c === '\t' || c === ' ') {
      let d: string;
      do d = this.getc();
      while (d === '\t' || d === ' ');
      if (d !== '') this.pos--;
      c = ' ';
    }
    return c;
  }

  private getc(): string {
    return this.pos < this.text.length ? this.text[this.pos++]! : '';
  }

  private lungetc(c: string): void {
    if (c === '') return;
    if (this.parsebuf !== null && this.parseindex > 0) {
      this.parseindex--;
      return;
    }
    this.pushback.push(c);
  }

  /** findeol: drop the rest of the line (and its newline). */
  private findeol(): Tok {
    this.parsebuf = null;
    this.pushback = [];
    for (;;) {
      const c = this.lgetc();
      if (c === '\n') {
        this.lineno++;
        break;
      }
      if (c === '') break;
    }
    return { t: 'error', line: this.lastLine };
  }

  next(): Tok {
    for (;;) {
      let c: string;
      do c = this.lgetc();
      while (c === ' ');
      this.lastLine = this.lineno;
      const line = this.lineno;
      if (c === '#') {
        do c = this.lgetc();
        while (c !== '\n' && c !== '');
      }
      if (c === '$' && this.parsebuf === null) {
        let name = '';
        for (;;) {
          const d = this.lgetc();
          if (d === '') return { t: 'eof', line };
          if (isAlnum(d) || d === '_') {
            name += d;
            continue;
          }
          this.lungetc(d);
          break;
        }
        const val = this.symget(name);
        if (val === null) {
          this.yyerror({ line, msg: `macro '${name}' not defined` });
          return this.findeol();
        }
        this.parsebuf = val;
        this.parseindex = 0;
        continue;
      }
      if (c === "'" || c === '"') {
        const endc = c;
        let s = '';
        for (;;) {
          const d = this.lgetc();
          if (d === '') return { t: 'eof', line };
          if (d === endc) break;
          if (d === '\n') {
            this.lineno++;
            continue;
          }
          s += d;
        }
        return { t: 'str', v: s, quoted: true, line };
      }
      if (c === '<' || c === '>' || c === '-') {
        const next = this.lgetc();
        if (c === '<' && next === '>') return { t: 'portbinary', v: 'xrg', line };
        if (c === '>' && next === '<') return { t: 'portbinary', v: 'irg', line };
        if (c === '-' && next === '>') return { t: 'arrow', line };
        this.lungetc(next);
      }
      if (isAlnum(c) || c === ':' || c === '_') {
        let s = '';
        let d = c;
        do {
          s += d;
          d = this.lgetc();
        } while (d !== '' && allowedInString(d));
        this.lungetc(d);
        return { t: 'str', v: s, quoted: false, line };
      }
      if (c === '\n') {
        this.lineno++;
        return { t: 'nl', line };
      }
      if (c === '') return { t: 'eof', line };
      return { t: 'punct', v: c, line };
    }
  }
}

/** A word token that is the keyword `k` (quoted strings never are). */
export function isKw(tok: Tok, k: string): boolean {
  return tok.t === 'str' && !tok.quoted && tok.v === k;
}

/** A STRING in the grammar's sense: quoted, or a word that is not a keyword. */
export function isString(tok: Tok): tok is Extract<Tok, { t: 'str' }> {
  return tok.t === 'str' && (tok.quoted || !KEYWORDS.has(tok.v));
}
