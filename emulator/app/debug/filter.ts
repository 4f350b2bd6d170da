/**
 * The packet filter language of the debugger and `qnxemu trace --filter`: a subset of tcpdump/pcap-filter
 * syntax, parsed into an AST (evaluated by filter-eval.ts). Grammar:
 *
 *   expr    := and ( ('or' | '||') and )*
 *   and     := unary ( ('and' | '&&') unary )*
 *   unary   := ('not' | '!') unary | '(' expr ')' | prim
 *   prim    := 'ip' | 'arp' | 'udp' | 'tcp' | 'ether' | 'broadcast'
 *            | 'icmp' [ icmp-name ]                      icmp-name: echo-request, echo-reply, unreach, …
 *            | [ 'ip' | 'arp' ] [ 'src' | 'dst' ] 'host' IPV4
 *            | 'ether' [ 'src' | 'dst' ] 'host' MAC  |  'ether' 'broadcast'
 *            | [ 'udp' | 'tcp' ] [ 'src' | 'dst' ] 'port' N
 *            | 'pkt' N                                    (extension: the trace's packet id)
 *            | value cmp value                            cmp: = == != < <= > >=
 *   value   := N | constant | 'len' | proto '[' off [ ':' size ] ']'   proto: ether ip arp icmp udp
 *
 * Constants: icmptype (0), icmpcode (1), icmp-echoreply (0), icmp-unreach (3), icmp-echo (8), icmp-timxceed (11)…
 * Errors carry the 1-based column of the offending token.
 */
import { ICMP_TYPE_NAMES, IcmpType } from '../../../stack/net/wire/icmp';

export type Dir = 'src' | 'dst' | 'any';
export type Proto = 'ip' | 'arp' | 'icmp' | 'udp' | 'tcp' | 'ether';
export type CmpOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export type Value =
  | { kind: 'num'; value: number }
  | { kind: 'len' }
  | { kind: 'bytes'; proto: Exclude<Proto, 'tcp'>; off: number; size: 1 | 2 | 4 };

export type FilterNode =
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; expr: FilterNode }
  | { kind: 'proto'; proto: Proto }
  | { kind: 'icmp-type'; type: number }
  | { kind: 'broadcast' }
  | { kind: 'host'; via: 'ip' | 'arp' | 'any'; dir: Dir; addr: number }
  | { kind: 'ether-host'; dir: Dir; mac: Uint8Array }
  | { kind: 'port'; via: 'udp' | 'tcp' | 'any'; dir: Dir; port: number }
  | { kind: 'pkt'; id: number }
  | { kind: 'cmp'; op: CmpOp; left: Value; right: Value };

export class FilterError extends Error {
  constructor(readonly col: number, readonly problem: string, readonly text: string) {
    super(`bad filter at column ${col}: ${problem}`);
    this.name = 'FilterError';
  }
  /** The expression with a caret under the column. */
  pointer(): string {
    return `  ${this.text}\n  ${' '.repeat(Math.max(0, this.col - 1))}^`;
  }
}

/** ICMP type names accepted after `icmp` (the names the stack's trace probes use) and as constants. */
/** ICMP message names a filter takes (the wire library's names, and `echo` as tcpdump spells it). */
export const ICMP_TYPES: Record<string, number> = {
  ...Object.fromEntries(Object.entries(ICMP_TYPE_NAMES).map(([t, name]) => [name, Number(t)])),
  echo: IcmpType.Echo,
};
const CONSTANTS: Record<string, number> = {
  icmptype: 0, icmpcode: 1, 'icmp-echoreply': 0, 'icmp-unreach': 3, 'icmp-sourcequench': 4, 'icmp-redirect': 5,
  'icmp-echo': 8, 'icmp-routeradvert': 9, 'icmp-routersolicit': 10, 'icmp-timxceed': 11, 'icmp-paramprob': 12,
  'icmp-tstamp': 13, 'icmp-tstampreply': 14, 'icmp-ireq': 15, 'icmp-ireqreply': 16, 'icmp-maskreq': 17,
  'icmp-maskreply': 18,
};

interface Token {
  t: 'word' | 'op' | 'end';
  v: string;
  col: number;
}

function lex(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const col = i + 1;
    const two = text.slice(i, i + 2);
    if (['&&', '||', '==', '!=', '<=', '>='].includes(two)) {
      out.push({ t: 'op', v: two, col });
      i += 2;
    } else if ('()[]!<>=:'.includes(c)) {
      out.push({ t: 'op', v: c, col });
      i++;
    } else {
      const m = /^[A-Za-z0-9_.\-:]+/.exec(text.slice(i));
      if (!m) throw new FilterError(col, `unexpected character '${c}'`, text);
      out.push({ t: 'word', v: m[0], col });
      i += m[0].length;
    }
  }
  out.push({ t: 'end', v: '', col: text.length + 1 });
  return out;
}

const PROTOS = new Set(['ip', 'arp', 'icmp', 'udp', 'tcp', 'ether']);
const CMP_OPS = new Set(['=', '==', '!=', '<', '<=', '>', '>=']);

class Parser {
  private pos = 0;
  constructor(private readonly toks: Token[], private readonly text: string) {}

  private get cur(): Token {
    return this.toks[this.pos]!;
  }
  private peek(n = 1): Token {
    return this.toks[Math.min(this.pos + n, this.toks.length - 1)]!;
  }
  private fail(tok: Token, problem: string): never {
    throw new FilterError(tok.col, problem, this.text);
  }
  private describe(tok: Token): string {
    return tok.t === 'end' ? 'the end of the expression' : `'${tok.v}'`;
  }
  private isWord(v: string, tok = this.cur): boolean {
    return tok.t === 'word' && tok.v.toLowerCase() === v;
  }
  private isOp(v: string, tok = this.cur): boolean {
    return tok.t === 'op' && tok.v === v;
  }
  private next(): Token {
    const t = this.cur;
    if (t.t !== 'end') this.pos++;
    return t;
  }

  parse(): FilterNode {
    if (this.cur.t === 'end') this.fail(this.cur, 'empty expression');
    const e = this.or();
    const last: Token = this.cur;
    if (last.t !== 'end') this.fail(last, `expected 'and', 'or' or the end, got ${this.describe(last)}`);
    return e;
  }

  private or(): FilterNode {
    let left = this.and();
    while (this.isWord('or') || this.isOp('||')) {
      this.next();
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): FilterNode {
    let left = this.unary();
    while (this.isWord('and') || this.isOp('&&')) {
      this.next();
      left = { kind: 'and', left, right: this.unary() };
    }
    return left;
  }

  private unary(): FilterNode {
    if (this.isWord('not') || this.isOp('!')) {
      this.next();
      return { kind: 'not', expr: this.unary() };
    }
    if (this.isOp('(')) {
      const open = this.next();
      if (this.isOp(')')) this.fail(this.cur, 'empty parentheses');
      const e = this.or();
      if (!this.isOp(')')) this.fail(this.cur, `expected ')' to close the '(' at column ${open.col}, got ${this.describe(this.cur)}`);
      this.next();
      return e;
    }
    return this.primitive();
  }

  private primitive(): FilterNode {
    const tok = this.cur;
    if (tok.t !== 'word' || ['and', 'or'].includes(tok.v.toLowerCase())) {
      this.fail(tok, `expected a primitive (icmp, arp, udp, ip, host, port, …), got ${this.describe(tok)}`);
    }
    // A comparison: something followed by a comparison operator, or a byte access.
    if (this.isOp('[', this.peek()) || (this.peek().t === 'op' && CMP_OPS.has(this.peek().v))) return this.comparison();
    const w = tok.v.toLowerCase();
    if (w === 'pkt') {
      this.next();
      return { kind: 'pkt', id: this.number('a packet id') };
    }
    if (w === 'broadcast') {
      this.next();
      return { kind: 'broadcast' };
    }
    if ((w === 'src' || w === 'dst') && this.isWord('port', this.peek())) return this.port('any');
    if (w === 'src' || w === 'dst' || w === 'host') return this.host('any');
    if (w === 'port') return this.port('any');
    if (PROTOS.has(w)) {
      this.next();
      const nx = this.cur;
      const nw = nx.t === 'word' ? nx.v.toLowerCase() : '';
      if (w === 'ether') {
        if (nw === 'broadcast') {
          this.next();
          return { kind: 'broadcast' };
        }
        if (nw === 'src' || nw === 'dst' || nw === 'host') return this.etherHost();
        return { kind: 'proto', proto: 'ether' };
      }
      if ((w === 'ip' || w === 'arp') && (nw === 'src' || nw === 'dst' || nw === 'host')) return this.host(w);
      if ((w === 'udp' || w === 'tcp') && (nw === 'src' || nw === 'dst' || nw === 'port')) return this.port(w);
      if (w === 'icmp' && nx.t === 'word' && ICMP_TYPES[nw] !== undefined && !this.keyword(nw)) {
        this.next();
        return { kind: 'and', left: { kind: 'proto', proto: 'icmp' }, right: { kind: 'icmp-type', type: ICMP_TYPES[nw]! } };
      }
      if (w === 'icmp' && nx.t === 'word' && /^[a-z][a-z-]*$/.test(nw) && !this.keyword(nw)) {
        this.fail(nx, `unknown ICMP message '${nx.v}' (known: ${Object.keys(ICMP_TYPES).join(', ')})`);
      }
      return { kind: 'proto', proto: w as Proto };
    }
    this.fail(tok, `unknown primitive '${tok.v}' (expected icmp, arp, udp, ip, ether, host, src, dst, port, pkt, len, …)`);
  }

  private keyword(w: string): boolean {
    return ['and', 'or', 'not', 'host', 'src', 'dst', 'port', 'pkt', 'len', 'broadcast'].includes(w) || PROTOS.has(w);
  }

  private dir(): Dir {
    if (this.isWord('src')) {
      this.next();
      return 'src';
    }
    if (this.isWord('dst')) {
      this.next();
      return 'dst';
    }
    return 'any';
  }

  private host(via: 'ip' | 'arp' | 'any'): FilterNode {
    const dir = this.dir();
    if (!this.isWord('host')) this.fail(this.cur, `expected 'host' after '${dir}', got ${this.describe(this.cur)}`);
    this.next();
    const t = this.cur;
    if (t.t !== 'word') this.fail(t, `expected an IPv4 address after 'host', got ${this.describe(t)}`);
    const addr = parseDotted(t.v);
    if (addr === null) {
      if (/^[0-9a-f]{1,2}(:[0-9a-f]{1,2}){5}$/i.test(t.v)) this.fail(t, `'${t.v}' is a MAC address: use 'ether host ${t.v}'`);
      this.fail(t, `'${t.v}' is not an IPv4 address (a.b.c.d)`);
    }
    this.next();
    return { kind: 'host', via, dir, addr };
  }

  private etherHost(): FilterNode {
    const dir = this.dir();
    if (!this.isWord('host')) this.fail(this.cur, `expected 'host' after 'ether ${dir}', got ${this.describe(this.cur)}`);
    this.next();
    const t = this.cur;
    const parts = t.t === 'word' ? t.v.split(/[:-]/) : [];
    if (parts.length !== 6 || !parts.every((p) => /^[0-9a-fA-F]{1,2}$/.test(p))) {
      this.fail(t, `expected a MAC address (xx:xx:xx:xx:xx:xx) after 'ether host', got ${this.describe(t)}`);
    }
    this.next();
    return { kind: 'ether-host', dir, mac: Uint8Array.from(parts.map((p) => parseInt(p, 16))) };
  }

  private port(via: 'udp' | 'tcp' | 'any'): FilterNode {
    const dir = this.dir();
    if (!this.isWord('port')) this.fail(this.cur, `expected 'port' after '${dir}', got ${this.describe(this.cur)}`);
    this.next();
    const port = this.number('a port number');
    if (port > 0xffff) this.fail(this.toks[this.pos - 1]!, `port ${port} is out of range (0..65535)`);
    return { kind: 'port', via, dir, port };
  }

  private number(what: string): number {
    const t = this.cur;
    const n = t.t === 'word' ? parseNumber(t.v) : null;
    if (n === null) this.fail(t, `expected ${what}, got ${this.describe(t)}`);
    this.next();
    return n;
  }

  private comparison(): FilterNode {
    const left = this.value();
    const opTok = this.cur;
    if (opTok.t !== 'op' || !CMP_OPS.has(opTok.v)) this.fail(opTok, `expected a comparison (==, !=, <, <=, >, >=), got ${this.describe(opTok)}`);
    this.next();
    const right = this.value();
    return { kind: 'cmp', op: (opTok.v === '=' ? '==' : opTok.v) as CmpOp, left, right };
  }

  private value(): Value {
    const t = this.cur;
    if (t.t !== 'word') this.fail(t, `expected a number, 'len' or proto[offset], got ${this.describe(t)}`);
    const w = t.v.toLowerCase();
    if (this.isOp('[', this.peek())) {
      if (!PROTOS.has(w) || w === 'tcp') this.fail(t, `byte access needs one of ether, ip, arp, icmp, udp, got '${t.v}'`);
      this.next();
      this.next();
      const offTok = this.cur;
      if (offTok.t !== 'word') this.fail(offTok, `expected an offset, got ${this.describe(offTok)}`);
      const [offText, sizeText] = offTok.v.split(':');
      const off = parseNumber(offText!) ?? CONSTANTS[offText!.toLowerCase()];
      if (off === undefined || off === null) this.fail(offTok, `'${offText}' is not an offset`);
      this.next();
      let size = 1;
      let sizeCol = offTok.col;
      let st = sizeText;
      if (st === undefined && this.isOp(':')) {
        this.next();
        sizeCol = this.cur.col;
        st = this.cur.t === 'word' ? this.cur.v : '';
        this.next();
      }
      if (st !== undefined) {
        const n = parseNumber(st);
        if (n !== 1 && n !== 2 && n !== 4) this.fail({ t: 'word', v: st, col: sizeCol }, `size must be 1, 2 or 4, got '${st}'`);
        size = n;
      }
      if (!this.isOp(']')) this.fail(this.cur, `expected ']', got ${this.describe(this.cur)}`);
      this.next();
      return { kind: 'bytes', proto: w as Exclude<Proto, 'tcp'>, off, size: size as 1 | 2 | 4 };
    }
    this.next();
    if (w === 'len') return { kind: 'len' };
    const n = parseNumber(t.v) ?? CONSTANTS[w];
    if (n === undefined || n === null) this.fail(t, `'${t.v}' is not a number or a known constant (icmp-echo, icmptype, …)`);
    return { kind: 'num', value: n };
  }
}

function parseNumber(s: string): number | null {
  if (/^0x[0-9a-f]+$/i.test(s)) return parseInt(s.slice(2), 16);
  if (/^\d+$/.test(s)) return Number(s);
  return null;
}

function parseDotted(s: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const b = m.slice(1, 5).map(Number);
  if (b.some((x) => x > 255)) return null;
  return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
}

/** Parse a filter expression. Throws FilterError (with the column) when it is malformed. */
export function parseFilter(text: string): FilterNode {
  return new Parser(lex(text), text).parse();
}
