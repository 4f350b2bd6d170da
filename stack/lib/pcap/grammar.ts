/**
 * pcap_compile's parser (libpcap grammar.y) over the scanner's tokens: `and`/`or` of equal precedence, left
 * to right; `not`; parentheses; a qualified primitive (`[proto] [dir] [type] id`) whose qualifiers carry over
 * to bare ids after and/or (`host a or b`, `port 53 or 123`); protocol abbreviations; `less`/`greater`;
 * `broadcast`/`multicast`; and relations between arithmetic expressions over `proto[off:size]` loads. The
 * semantic actions are gencode's gen_ncode/gen_mcode/gen_scode/gen_ecode.
 */
import { BPF_ADD, BPF_AND, BPF_DIV, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_LSH, BPF_MOD, BPF_MUL, BPF_OR, BPF_RSH, BPF_SUB, BPF_XOR } from '../../include/net/bpf';
import { parseMac } from '../../net/wire/addr';
import { Block, PcapCompileError, genAnd, genNot, genOr } from './blocks';
import { host6, mcode, ncode, portrange, scode } from './grammar-ids';
import { Gen, type Arth, type Dir, type Proto } from './gencode';
import { scan, type Tok } from './scanner';

/** The qualifiers of a primitive (struct qual). `addr` 'err' is qerr: a bare id cannot follow. */
export interface Qual {
  proto: Proto;
  dir: Dir;
  addr: 'default' | 'host' | 'net' | 'port' | 'portrange' | 'proto' | 'gateway' | 'err';
}

const QDEFAULT: Qual = { proto: 'default', dir: 'default', addr: 'default' };
const PQUAL: Record<string, Proto> = {
  ether: 'link', link: 'link', ip: 'ip', ip6: 'ip6', arp: 'arp', rarp: 'rarp', tcp: 'tcp', udp: 'udp', sctp: 'sctp',
  icmp: 'icmp', icmp6: 'icmp6', igmp: 'igmp',
};
const AQUAL = new Set(['host', 'net', 'port', 'portrange', 'gateway']);
const UNSUPPORTED = new Set(['vlan', 'mpls', 'protochain', 'inbound', 'outbound']);
const RELOP: Record<string, [number, boolean]> = {
  '>': [BPF_JGT, false], '>=': [BPF_JGE, false], '=': [BPF_JEQ, false], '==': [BPF_JEQ, false],
  '<=': [BPF_JGT, true], '<': [BPF_JGE, true], '!=': [BPF_JEQ, true],
};
/** Binary arithmetic operators by precedence level (grammar.y's %left lines, loosest first). */
const ARITH_LEVELS: Record<string, number>[] = [
  { '|': BPF_OR }, { '&': BPF_AND }, { '^': BPF_XOR }, { '<<': BPF_LSH, '>>': BPF_RSH }, { '+': BPF_ADD, '-': BPF_SUB },
  { '*': BPF_MUL, '/': BPF_DIV, '%': BPF_MOD },
];

interface Res {
  b: Block;
  q: Qual;
}

/** Host names the compiler may resolve (the node's /etc/hosts as tcpdump's resolver would read it). */
export type HostTable = ReadonlyMap<string, number[]>;

export class Parser {
  private readonly toks: Tok[];
  private pos = 0;

  constructor(text: string, private readonly g: Gen, private readonly hosts: HostTable = new Map()) {
    this.toks = scan(text);
  }

  private peek(n = 0): Tok {
    return this.toks[Math.min(this.pos + n, this.toks.length - 1)]!;
  }

  private next(): Tok {
    return this.toks[this.pos++] ?? { t: 'end' };
  }

  private isKw(v: string, n = 0): boolean {
    const t = this.peek(n);
    return t.t === 'kw' && t.v === v;
  }

  private isOp(v: string, n = 0): boolean {
    const t = this.peek(n);
    return t.t === 'op' && t.v === v;
  }

  private expectOp(v: string): void {
    if (!this.isOp(v)) throw new PcapCompileError('syntax error');
    this.pos++;
  }

  /** The whole expression, or null for an empty one (accept everything). */
  parse(): Block | null {
    if (this.peek().t === 'end') return null;
    // The qualifiers before the first primitive are qerr: a bare id cannot start an expression.
    const r = this.expr({ ...QDEFAULT, addr: 'err' });
    if (this.peek().t !== 'end') throw new PcapCompileError('syntax error');
    return r.b;
  }

  private andOr(): 'and' | 'or' | null {
    if (this.isKw('and') || this.isOp('&&')) return 'and';
    if (this.isKw('or') || this.isOp('||')) return 'or';
    return null;
  }

  private expr(q: Qual): Res {
    let left = this.term(q);
    for (let op = this.andOr(); op; op = this.andOr()) {
      this.pos++;
      const right = this.term(left.q);
      if (op === 'and') genAnd(left.b, right.b);
      else genOr(left.b, right.b);
      left = right;
    }
    return left;
  }

  private term(q: Qual): Res {
    if (this.isKw('not') || this.isOp('!')) {
      this.pos++;
      const r = this.term(q);
      genNot(r.b);
      return r;
    }
    return this.rterm(q);
  }

  private rterm(q: Qual): Res {
    const t = this.peek();
    if (t.t === 'op' && t.v === '(') {
      this.pos++;
      const r = this.expr(q);
      this.expectOp(')');
      return r;
    }
    if (t.t === 'kw') {
      if (t.v === 'less' || t.v === 'greater') {
        this.pos++;
        const n = this.next();
        if (n.t !== 'num') throw new PcapCompileError('syntax error');
        return { b: this.g.len(t.v === 'less' ? BPF_JGT : BPF_JGE, n.v), q: { ...QDEFAULT, addr: 'err' } };
      }
      if (t.v === 'len' || (t.v in PQUAL && this.isOp('[', 1))) return { b: this.relation(), q: { ...QDEFAULT, addr: 'err' } };
      if (t.v in PQUAL || t.v === 'src' || t.v === 'dst' || AQUAL.has(t.v) || t.v === 'proto' || t.v === 'broadcast' || t.v === 'multicast') {
        return this.qualified();
      }
      // Primitives of libpcap this subset leaves out (VLAN/MPLS tags, protochain, packet direction).
      if (UNSUPPORTED.has(t.v)) throw new PcapCompileError(`'${t.v}' not supported in this configuration`);
      throw new PcapCompileError('syntax error');
    }
    if (t.t === 'num' && this.isRelationAhead()) return { b: this.relation(), q: { ...QDEFAULT, addr: 'err' } };
    if (t.t === 'end' || t.t === 'op') throw new PcapCompileError('syntax error');
    return { b: this.id(q), q };
  }

  /** A number followed by an arithmetic or relational operator starts a relation (`5 < len`). */
  private isRelationAhead(): boolean {
    const n = this.peek(1);
    return n.t === 'op' && (n.v in RELOP || ARITH_LEVELS.some((l) => n.v in l));
  }

  /** head id, or a protocol abbreviation, or proto broadcast/multicast. */
  private qualified(): Res {
    const q: Qual = { proto: 'default', dir: 'default', addr: 'default' };
    let any = false;
    const t0 = this.peek();
    if (t0.t === 'kw' && t0.v in PQUAL) {
      q.proto = PQUAL[t0.v]!;
      this.pos++;
      const n = this.peek();
      const more = n.t === 'kw' && (n.v === 'src' || n.v === 'dst' || AQUAL.has(n.v) || n.v === 'proto' || n.v === 'broadcast' || n.v === 'multicast');
      if (!more) {
        // pname: a bare protocol, unless an id follows (`ether 1:2:3:4:5:6`, `ip 10.0.0.1`).
        if (n.t === 'end' || n.t === 'op' || (n.t === 'kw' && (n.v === 'and' || n.v === 'or' || n.v === 'not'))) {
          if (q.proto === 'link') throw new PcapCompileError('syntax error');
          return { b: this.g.protoAbbrev(q.proto), q: { ...QDEFAULT, addr: 'err' } };
        }
      }
    }
    if (this.isKw('broadcast') || this.isKw('multicast')) {
      const multi = this.isKw('multicast');
      this.pos++;
      return { b: this.g.cast(q.proto, multi), q: { ...QDEFAULT, addr: 'err' } };
    }
    if (this.isKw('src') || this.isKw('dst')) {
      q.dir = (this.next() as { v: string }).v as Dir;
      any = true;
      if ((this.isKw('or') || this.isKw('and')) && (this.isKw('src', 1) || this.isKw('dst', 1))) {
        q.dir = this.isKw('or') ? 'or' : 'and';
        this.pos += 2;
      }
    }
    const a = this.peek();
    if (a.t === 'kw' && (AQUAL.has(a.v) || a.v === 'proto')) {
      q.addr = a.v as Qual['addr'];
      this.pos++;
      any = true;
    }
    if (!any && q.proto === 'default') throw new PcapCompileError('syntax error');
    if (this.isOp('(')) {
      this.pos++;
      const r = this.expr(q);
      this.expectOp(')');
      return r;
    }
    return { b: this.id(q), q };
  }

  /** An id under qualifiers: gen_ncode (numbers, dotted), gen_mcode (/len, mask), IPv6, gen_ecode, gen_scode. */
  private id(q: Qual): Block {
    if (q.addr === 'err') throw new PcapCompileError('syntax error');
    const t = this.next();
    if (q.addr === 'gateway') throw new PcapCompileError("'gateway' not supported in this configuration");
    switch (t.t) {
      case 'num':
        if (q.addr === 'portrange' && this.isOp('-')) {
          this.pos++;
          const hi = this.next();
          if (hi.t !== 'num') throw new PcapCompileError('syntax error');
          return portrange(this.g, t.v, hi.v, q);
        }
        return ncode(this.g, null, t.v, q);
      case 'hid': {
        if (this.isOp('/')) {
          this.pos++;
          const n = this.next();
          if (n.t !== 'num') throw new PcapCompileError('syntax error');
          return mcode(this.g, t.v, null, n.v, q);
        }
        if (this.isKw('mask')) {
          this.pos++;
          const m = this.next();
          if (m.t !== 'hid') throw new PcapCompileError('syntax error');
          return mcode(this.g, t.v, m.v, 0, q);
        }
        return ncode(this.g, t.v, 0, q);
      }
      case 'hid6': {
        let len = 128;
        if (this.isOp('/')) {
          this.pos++;
          const n = this.next();
          if (n.t !== 'num' || n.v > 128) throw new PcapCompileError('mask length must be <= 128');
          len = n.v;
        }
        return host6(this.g, t.v, len, q);
      }
      case 'eid': {
        if ((q.addr === 'host' || q.addr === 'default') && q.proto === 'link') return this.g.ehostop(parseMac(t.v)!, q.dir);
        throw new PcapCompileError('ethernet address used in non-ether expression');
      }
      case 'id':
        return scode(this.g, this.hosts, t.v, q);
      default:
        throw new PcapCompileError('syntax error');
    }
  }

  /** arth relop arth (gen_relation). */
  private relation(): Block {
    const a0 = this.arth(0);
    const op = this.peek();
    if (op.t !== 'op' || !(op.v in RELOP)) throw new PcapCompileError('syntax error');
    this.pos++;
    const a1 = this.arth(0);
    const [code, rev] = RELOP[op.v]!;
    return this.g.relation(code, a0, a1, rev);
  }

  private arth(level: number): Arth {
    if (level >= ARITH_LEVELS.length) return this.arthAtom();
    let a = this.arth(level + 1);
    for (;;) {
      const t = this.peek();
      const code = t.t === 'op' ? ARITH_LEVELS[level]![t.v] : undefined;
      if (code === undefined) return a;
      this.pos++;
      a = this.g.arth(code, a, this.arth(level + 1));
    }
  }

  private arthAtom(): Arth {
    const t = this.next();
    if (t.t === 'num') return this.g.loadi(t.v);
    if (t.t === 'kw' && t.v === 'len') return this.g.loadlen();
    if (t.t === 'op' && t.v === '(') {
      const a = this.arth(0);
      this.expectOp(')');
      return a;
    }
    if (t.t === 'kw' && t.v in PQUAL && this.isOp('[')) {
      this.pos++;
      const inst = this.arth(0);
      let size = 1;
      if (this.isOp(':')) {
        this.pos++;
        const n = this.next();
        if (n.t !== 'num') throw new PcapCompileError('syntax error');
        size = n.v;
      }
      this.expectOp(']');
      return this.g.load(PQUAL[t.v]!, inst, size);
    }
    throw new PcapCompileError('syntax error');
  }
}
