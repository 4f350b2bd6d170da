/**
 * The packet filter language of the debugger and `qnxemu trace --filter`: a subset of tcpdump/pcap-filter
 * syntax, parsed into an AST (evaluated by filter-eval.ts). Grammar:
 *
 *   expr    := and ( ('or' | '||') and )*
 *   and     := unary ( ('and' | '&&') unary )*
 *   unary   := ('not' | '!') unary | '(' expr ')' | prim
 *   prim    := 'ip' | 'ip6' | 'arp' | 'udp' | 'tcp' | 'ether' | 'broadcast'
 *            | 'icmp' [ icmp-name ]                      icmp-name: echo-request, echo-reply, unreach, …
 *            | 'icmp6' [ icmp6-name ]                    icmp6-name: echo-request, neighbor-solicitation, …
 *            | [ 'ip' | 'arp' ] [ 'src' | 'dst' ] 'host' IPV4
 *            | [ 'ip6' ] [ 'src' | 'dst' ] 'host' IPV6
 *            | 'ether' [ 'src' | 'dst' ] 'host' MAC  |  'ether' 'broadcast'
 *            | [ 'udp' | 'tcp' ] [ 'src' | 'dst' ] 'port' N
 *            | 'pkt' N                                    (extension: the trace's packet id)
 *            | value cmp value                            cmp: = == != < <= > >=
 *   value   := term ( ('&' | '|') term )*               (left to right, as pcap-filter's bit operators)
 *   term    := N | constant | 'len' | proto '[' off [ ':' size ] ']'
 *                                                        proto: ether ip ip6 arp icmp icmp6 udp tcp
 *
 * Constants: icmptype (0), icmpcode (1), icmp-echoreply (0), icmp-unreach (3), icmp-echo (8), icmp-timxceed (11)…,
 * icmp6type (0), icmp6code (1), icmp6-echo (128), icmp6-neighborsolicit (135)…, tcpflags (13), tcp-fin (1),
 * tcp-syn (2), tcp-rst (4), tcp-push (8), tcp-ack (16), tcp-urg (32), tcp-ece (64), tcp-cwr (128).
 * Errors carry the 1-based column of the offending token.
 */
import { parseIpv6, type Ipv6Addr } from '../../../stack/net/wire/addr6';
import { ICMP_TYPE_NAMES, IcmpType } from '../../../stack/net/wire/icmp';
import { ICMP6_TYPE_NAMES } from '../../../stack/net/wire/icmpv6';

export type Dir = 'src' | 'dst' | 'any';
export type Proto = 'ip' | 'ip6' | 'arp' | 'icmp' | 'icmp6' | 'udp' | 'tcp' | 'ether';
export type CmpOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export type Value =
  | { kind: 'num'; value: number }
  | { kind: 'len' }
  | { kind: 'bytes'; proto: Proto; off: number; size: 1 | 2 | 4 }
  | { kind: 'bits'; op: '&' | '|'; left: Value; right: Value };

export type FilterNode =
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; expr: FilterNode }
  | { kind: 'proto'; proto: Proto }
  | { kind: 'icmp-type'; type: number }
  | { kind: 'icmp6-type'; type: number }
  | { kind: 'broadcast' }
  | { kind: 'host'; via: 'ip' | 'arp' | 'any'; dir: Dir; addr: number }
  | { kind: 'host6'; dir: Dir; addr: Ipv6Addr }
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
/** ICMPv6 message names after `icmp6` (the wire library's names, which the stack's icmp6 probes print). */
export const ICMP6_TYPES: Record<string, number> = Object.fromEntries(Object.entries(ICMP6_TYPE_NAMES).map(([t, name]) => [name, Number(t)]));
const CONSTANTS: Record<string, number> = {
  icmptype: 0, icmpcode: 1, 'icmp-echoreply': 0, 'icmp-unreach': 3, 'icmp-sourcequench': 4, 'icmp-redirect': 5,
  'icmp-echo': 8, 'icmp-routeradvert': 9, 'icmp-routersolicit': 10, 'icmp-timxceed': 11, 'icmp-paramprob': 12,
  'icmp-tstamp': 13, 'icmp-tstampreply': 14, 'icmp-ireq': 15, 'icmp-ireqreply': 16, 'icmp-maskreq': 17,
  'icmp-maskreply': 18,
  // pcap-filter's ICMPv6 and TCP names (pcap-filter(7)).
  icmp6type: 0, icmp6code: 1, 'icmp6-destinationunreach': 1, 'icmp6-packettoobig': 2, 'icmp6-timeexceeded': 3,
  'icmp6-parameterproblem': 4, 'icmp6-echo': 128, 'icmp6-echoreply': 129, 'icmp6-multicastlistenerquery': 130,
  'icmp6-multicastlistenerreportv1': 131, 'icmp6-multicastlistenerdone': 132, 'icmp6-routersolicit': 133,
  'icmp6-routeradvert': 134, 'icmp6-neighborsolicit': 135, 'icmp6-neighboradvert': 136, 'icmp6-redirect': 137,
  'icmp6-multicastlistenerreportv2': 143,
  tcpflags: 13, 'tcp-fin': 0x01, 'tcp-syn': 0x02, 'tcp-rst': 0x04, 'tcp-push': 0x08, 'tcp-ack': 0x10, 'tcp-urg': 0x20,
  'tcp-ece': 0x40, 'tcp-cwr': 0x80,
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
    } else if ('()[]!<>=&|'.includes(c) || (c === ':' && text[i + 1] !== ':')) {
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

const PROTOS = new Set(['ip', 'ip6', 'arp', 'icmp', 'icmp6', 'udp', 'tcp', 'ether']);
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
    const after = this.peek();
    if (this.isOp('[', after) || (after.t === 'op' && (CMP_OPS.has(after.v) || after.v === '&' || after.v === '|'))) return this.comparison();
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
      if ((w === 'ip' || w === 'arp' || w === 'ip6') && (nw === 'src' || nw === 'dst' || nw === 'host')) return this.host(w);
      if ((w === 'udp' || w === 'tcp') && (nw === 'src' || nw === 'dst' || nw === 'port')) return this.port(w);
      if (w === 'icmp' && nx.t === 'word' && ICMP_TYPES[nw] !== undefined && !this.keyword(nw)) {
        this.next();
        return { kind: 'and', left: { kind: 'proto', proto: 'icmp' }, right: { kind: 'icmp-type', type: ICMP_TYPES[nw]! } };
      }
      if (w === 'icmp' && nx.t === 'word' && /^[a-z][a-z-]*$/.test(nw) && !this.keyword(nw)) {
        this.fail(nx, `unknown ICMP message '${nx.v}' (known: ${Object.keys(ICMP_TYPES).join(', ')})`);
      }
      if (w === 'icmp6' && nx.t === 'word' && ICMP6_TYPES[nw] !== undefined && !this.keyword(nw)) {
        this.next();
        return { kind: 'and', left: { kind: 'proto', proto: 'icmp6' }, right: { kind: 'icmp6-type', type: ICMP6_TYPES[nw]! } };
      }
      if (w === 'icmp6' && nx.t === 'word' && /^[a-z][a-z-]*$/.test(nw) && !this.keyword(nw)) {
        this.fail(nx, `unknown ICMPv6 message '${nx.v}' (known: ${Object.keys(ICMP6_TYPES).join(', ')})`);
      }
      return { kind: 'proto', proto: w as Proto };
    }
    this.fail(tok, `unknown primitive '${tok.v}' (expected icmp, icmp6, arp, udp, tcp, ip, ip6, ether, host, src, dst, port, pkt, len, …)`);
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

  private host(via: 'ip' | 'ip6' | 'arp' | 'any'): FilterNode {
    const dir = this.dir();
    if (!this.isWord('host')) this.fail(this.cur, `expected 'host' after '${dir}', got ${this.describe(this.cur)}`);
    this.next();
    const t = this.cur;
    if (t.t !== 'word') this.fail(t, `expected an IPv4 or IPv6 address after 'host', got ${this.describe(t)}`);
    if (/^[0-9a-f]{1,2}(:[0-9a-f]{1,2}){5}$/i.test(t.v)) this.fail(t, `'${t.v}' is a MAC address: use 'ether host ${t.v}'`);
    const addr = parseDotted(t.v);
    if (addr !== null && via !== 'ip6') {
      this.next();
      return { kind: 'host', via, dir, addr };
    }
    const addr6 = t.v.includes(':') ? parseIpv6(t.v) : null;
    if (addr6 !== null && (via === 'ip6' || via === 'any')) {
      this.next();
      return { kind: 'host6', dir, addr: addr6 };
    }
    if (via === 'ip6') this.fail(t, `'${t.v}' is not an IPv6 address`);
    if (addr6 !== null) this.fail(t, `'${t.v}' is an IPv6 address: use 'ip6 host' or 'host'`);
    this.fail(t, t.v.includes(':') ? `'${t.v}' is not an IPv6 address` : `'${t.v}' is not an IPv4 address (a.b.c.d)`);
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

  /** A term, then pcap-filter's '&' and '|' on it, left to right. */
  private value(): Value {
    let left = this.term();
    while (this.isOp('&') || this.isOp('|')) {
      const op = this.next().v as '&' | '|';
      left = { kind: 'bits', op, left, right: this.term() };
    }
    return left;
  }

  private term(): Value {
    const t = this.cur;
    if (t.t !== 'word') this.fail(t, `expected a number, 'len' or proto[offset], got ${this.describe(t)}`);
    const w = t.v.toLowerCase();
    if (this.isOp('[', this.peek())) {
      if (!PROTOS.has(w)) this.fail(t, `byte access needs one of ether, ip, ip6, arp, icmp, icmp6, udp, tcp, got '${t.v}'`);
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
      return { kind: 'bytes', proto: w as Proto, off, size: size as 1 | 2 | 4 };
    }
    this.next();
    if (w === 'len') return { kind: 'len' };
    const n = parseNumber(t.v) ?? CONSTANTS[w];
    if (n === undefined || n === null) this.fail(t, `'${t.v}' is not a number or a known constant (icmp-echo, icmptype, tcpflags, tcp-syn, …)`);
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
