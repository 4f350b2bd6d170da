/**
 * The shared part of libpcap's code generator (gencode.c) for two link types: DLT_EN10MB (a fixed 14-byte
 * header, ethertype at 12) and DLT_PFLOG, whose header length is read from its first byte (a variable-length
 * link-layer header: loads go through a register a prologue sets, gen_load_pflog_llprefixlen) and whose
 * ip/ip6 test is the pfloghdr `af` byte. Offsets (off_linkpl, gen_abs_offset_varpart, gen_loadx_iphdrlen),
 * loads (gen_load_a), comparisons (gen_ncmp, gen_cmp, gen_mcmp), gen_linktype and gen_ipfrag.
 */
import {
  BPF_ABS, BPF_ADD, BPF_ALU, BPF_AND, BPF_B, BPF_H, BPF_IMM, BPF_IND, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JMP, BPF_JSET, BPF_K,
  BPF_LD, BPF_LDX, BPF_LSH, BPF_MEM, BPF_MISC, BPF_MSH, BPF_ST, BPF_TAX, BPF_W, BPF_X, DLT_EN10MB,
} from '../../include/net/bpf';
import { Block, PcapCompileError, Registers, genNot, type Stmt } from './blocks';

export const DLT_PFLOG_TYPE = 117;
export const ETHERTYPE_IP = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_REVARP = 0x8035;
export const ETHERTYPE_IPV6 = 0x86dd;
export const IPPROTO = { ICMP: 1, IGMP: 2, TCP: 6, UDP: 17, FRAGMENT: 44, ICMPV6: 58, SCTP: 132 } as const;
/** AF_INET / AF_INET6 as QNX's <sys/socket.h> numbers them (the pfloghdr af byte). */
export const AF_INET = 2;
export const AF_INET6 = 24;
/** offsetof(struct pfloghdr, af). */
const PFLOG_AF_OFF = 1;

/** Where a load is relative to (enum e_offrel). */
export type OffRel = 'packet' | 'linkhdr' | 'linktype' | 'linkpl' | 'tran4' | 'tran6';
/** Protocol qualifiers (Q_*) the primitives take. */
export type Proto = 'default' | 'link' | 'ip' | 'arp' | 'rarp' | 'ip6' | 'tcp' | 'udp' | 'sctp' | 'icmp' | 'icmp6' | 'igmp';
export type Dir = 'default' | 'src' | 'dst' | 'or' | 'and';

/** struct arth: statements leaving a value in scratch register `regno`, and the protocol checks it needs. */
export interface Arth {
  s: Stmt[];
  regno: number;
  b: Block | null;
}

export const st = (code: number, k = 0): Stmt => ({ code, k: k >>> 0 });
export const sizeCode = (n: number) => (n === 1 ? BPF_B : n === 2 ? BPF_H : BPF_W);

export class GenBase {
  readonly regs = new Registers();
  /** The register holding the variable part of the link-payload offset (off_linkpl.reg), -1 until used. */
  private linkplReg = -1;

  constructor(readonly dlt: number) {
    if (dlt !== DLT_EN10MB && dlt !== DLT_PFLOG_TYPE) throw new PcapCompileError(`unknown data link type ${dlt}`);
  }

  protected get variable(): boolean {
    return this.dlt === DLT_PFLOG_TYPE;
  }

  /** off_linkpl.constant_part: 14 behind an Ethernet header, 0 (plus the register) behind pflog. */
  protected get linkpl(): number {
    return this.variable ? 0 : 14;
  }

  /** gen_abs_offset_varpart: load X with the variable part of the payload offset, or nothing. */
  protected varpart(): Stmt[] | null {
    if (!this.variable) return null;
    if (this.linkplReg === -1) this.linkplReg = this.regs.alloc();
    return [st(BPF_LDX | BPF_MEM, this.linkplReg)];
  }

  /** insert_compute_vloffsets (gen_load_pflog_llprefixlen): the prologue computing the pflog header length. */
  prologue(): Stmt[] {
    if (this.linkplReg === -1) return [];
    return [st(BPF_LD | BPF_B | BPF_ABS, 0), st(BPF_ALU | BPF_ADD | BPF_K, 3), st(BPF_ALU | BPF_AND | BPF_K, 0xfffffffc),
      st(BPF_ST, this.linkplReg), st(BPF_MISC | BPF_TAX)];
  }

  /** gen_loadx_iphdrlen: X = IPv4 header length (+ the variable payload offset). */
  protected loadxIphdrlen(): Stmt[] {
    const s = this.varpart();
    if (!s) return [st(BPF_LDX | BPF_MSH | BPF_B, this.linkpl)];
    return [...s, st(BPF_LD | BPF_IND | BPF_B, this.linkpl), st(BPF_ALU | BPF_AND | BPF_K, 0xf), st(BPF_ALU | BPF_LSH | BPF_K, 2),
      st(BPF_ALU | BPF_ADD | BPF_X), st(BPF_MISC | BPF_TAX)];
  }

  /** gen_load_a: A = the `size`-byte field at `offset` relative to `rel`. */
  protected loadA(rel: OffRel, offset: number, size: number): Stmt[] {
    const sz = sizeCode(size);
    switch (rel) {
      case 'packet':
      case 'linkhdr':
        return [st(BPF_LD | BPF_ABS | sz, offset)];
      case 'linktype':
        return [st(BPF_LD | BPF_ABS | sz, 12 + offset)];
      case 'linkpl': {
        const v = this.varpart();
        return v ? [...v, st(BPF_LD | BPF_IND | sz, offset)] : [st(BPF_LD | BPF_ABS | sz, this.linkpl + offset)];
      }
      case 'tran4':
        return [...this.loadxIphdrlen(), st(BPF_LD | BPF_IND | sz, this.linkpl + offset)];
      case 'tran6':
        return this.loadA('linkpl', 40 + offset, size);
    }
  }

  /** gen_ncmp: (field & mask) jtype v, optionally reversed (for the <= and < forms). */
  ncmp(rel: OffRel, offset: number, size: number, mask: number, jtype: number, reverse: boolean, v: number): Block {
    const s = this.loadA(rel, offset, size);
    if (mask >>> 0 !== 0xffffffff) s.push(st(BPF_ALU | BPF_AND | BPF_K, mask));
    const b = new Block(BPF_JMP | jtype | BPF_K, v >>> 0);
    b.stmts = s;
    if (reverse && (jtype === BPF_JGT || jtype === BPF_JGE)) genNot(b);
    return b;
  }

  cmp(rel: OffRel, offset: number, size: number, v: number): Block {
    return this.ncmp(rel, offset, size, 0xffffffff, BPF_JEQ, false, v);
  }

  mcmp(rel: OffRel, offset: number, size: number, v: number, mask: number): Block {
    return this.ncmp(rel, offset, size, mask, BPF_JEQ, false, v);
  }

  /** gen_false (gen_uncond(0)): ld #1; jeq #0. */
  genFalse(): Block {
    const b = new Block(BPF_JMP | BPF_JEQ | BPF_K, 0);
    b.stmts = [st(BPF_LD | BPF_IMM, 1)];
    return b;
  }

  /** gen_linktype: the link-layer type test (ethertype at 12; the pfloghdr af byte for DLT_PFLOG). */
  linktype(proto: number): Block {
    if (this.dlt === DLT_PFLOG_TYPE) {
      if (proto === ETHERTYPE_IP) return this.cmp('linkhdr', PFLOG_AF_OFF, 1, AF_INET);
      if (proto === ETHERTYPE_IPV6) return this.cmp('linkhdr', PFLOG_AF_OFF, 1, AF_INET6);
      return this.genFalse();
    }
    if (proto <= 1500) throw new PcapCompileError(`802.3 length/LLC protocol ${proto} not supported`);
    return this.cmp('linktype', 0, 2, proto);
  }

  /** gen_ipfrag: not a fragment other than the first (ip[6:2] & 0x1fff == 0). */
  ipfrag(): Block {
    const b = new Block(BPF_JMP | BPF_JSET | BPF_K, 0x1fff);
    b.stmts = this.loadA('linkpl', 6, 2);
    genNot(b);
    return b;
  }
}
