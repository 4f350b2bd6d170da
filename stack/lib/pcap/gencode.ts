/**
 * The code generator the parser drives (libpcap gencode.c): the primitives (gencode-prims.ts) on the shared
 * loads and comparisons (gencode-base.ts), plus the arithmetic of `proto[expr:size]` relations — gen_loadi,
 * gen_loadlen, gen_load, gen_arth, gen_relation — with scratch registers allocated as libpcap does.
 */
import { BPF_ADD, BPF_ALU, BPF_IMM, BPF_IND, BPF_JEQ, BPF_JMP, BPF_K, BPF_LD, BPF_LDX, BPF_LEN, BPF_MEM, BPF_MISC, BPF_ST, BPF_SUB, BPF_TAX, BPF_X } from '../../include/net/bpf';
import { Block, PcapCompileError, genAnd, genNot } from './blocks';
import { ETHERTYPE_IPV6, IPPROTO, sizeCode, st, type Arth, type Proto } from './gencode-base';
import { GenPrims } from './gencode-prims';

export { DLT_PFLOG_TYPE, type Arth, type Dir, type OffRel, type Proto } from './gencode-base';

export class Gen extends GenPrims {
  /** gen_loadi: a constant into a fresh register. */
  loadi(v: number): Arth {
    const reg = this.regs.alloc();
    return { s: [st(BPF_LD | BPF_IMM, v), st(BPF_ST, reg)], regno: reg, b: null };
  }

  /** gen_loadlen: the packet length into a fresh register. */
  loadlen(): Arth {
    const reg = this.regs.alloc();
    return { s: [st(BPF_LD | BPF_LEN), st(BPF_ST, reg)], regno: reg, b: null };
  }

  /** gen_load: proto[inst : size], relative to the link header, the network header or the transport header. */
  load(proto: Proto, inst: Arth, size: number): Arth {
    if (![1, 2, 4].includes(size)) throw new PcapCompileError('data size must be 1, 2, or 4');
    const sz = sizeCode(size);
    // gen_load takes its result register first, before any the offsets need.
    const reg = this.regs.alloc();
    const x = st(BPF_LDX | BPF_MEM, inst.regno);
    switch (proto) {
      case 'link':
        inst.s.push(x, st(BPF_LD | BPF_IND | sz, 0));
        break;
      case 'ip': case 'arp': case 'rarp': case 'ip6': {
        const v = this.varpart();
        if (v) inst.s.push(...v, st(BPF_LD | BPF_MEM, inst.regno), st(BPF_ALU | BPF_ADD | BPF_X), st(BPF_MISC | BPF_TAX), st(BPF_LD | BPF_IND | sz, 0));
        else inst.s.push(x, st(BPF_LD | BPF_IND | sz, this.linkpl));
        inst.b = this.protoAbbrev(proto);
        break;
      }
      case 'tcp': case 'udp': case 'sctp': case 'icmp': case 'igmp': {
        inst.s.push(...this.loadxIphdrlen(), st(BPF_LD | BPF_MEM, inst.regno), st(BPF_ALU | BPF_ADD | BPF_X), st(BPF_MISC | BPF_TAX),
          st(BPF_LD | BPF_IND | sz, this.linkpl));
        const b = this.ipfrag();
        genAnd(this.protoAbbrev(proto), b);
        if (inst.b) genAnd(inst.b, b);
        genAnd(this.protoAbbrev('ip'), b);
        inst.b = b;
        break;
      }
      case 'icmp6': {
        // Relative to a fixed 40-byte IPv6 header (libpcap: "XXX - what about IPv6 extension headers?").
        inst.s.push(x, st(BPF_LD | BPF_IND | sz, this.linkpl + 40));
        const b0 = this.linktype(ETHERTYPE_IPV6);
        const b1 = this.cmp('linkpl', 6, 1, IPPROTO.ICMPV6);
        genAnd(b0, b1);
        inst.b = b1;
        break;
      }
      default:
        throw new PcapCompileError('unsupported index operation');
    }
    inst.s.push(st(BPF_ST, reg));
    inst.regno = reg;
    return inst;
  }

  /** gen_arth: a0 op a1 into a fresh register. */
  arth(op: number, a0: Arth, a1: Arth): Arth {
    if ((op === 0x30 || op === 0x90) && a1.s.length === 2 && a1.s[0]!.code === (BPF_LD | BPF_IMM) && a1.s[0]!.k === 0) {
      throw new PcapCompileError(op === 0x30 ? 'division by zero' : 'modulus by zero');
    }
    a0.s.push(...a1.s, st(BPF_LDX | BPF_MEM, a1.regno), st(BPF_LD | BPF_MEM, a0.regno), st(BPF_ALU | BPF_X | op));
    this.regs.free(a0.regno);
    this.regs.free(a1.regno);
    a0.regno = this.regs.alloc();
    a0.s.push(st(BPF_ST, a0.regno));
    // As gen_arth: the result keeps a0's protocol checks; a1's are not carried (libpcap's behaviour).
    return a0;
  }

  /** gen_relation: a0 code a1 (jeq as a subtraction compared with 0), reversed for <, <= and !=. */
  relation(code: number, a0: Arth, a1: Arth, reversed: boolean): Block {
    const tail = [st(BPF_LDX | BPF_MEM, a1.regno), st(BPF_LD | BPF_MEM, a0.regno)];
    let b: Block;
    if (code === BPF_JEQ) {
      tail.push(st(BPF_ALU | BPF_SUB | BPF_X));
      b = new Block(BPF_JMP | code | BPF_K, 0);
    } else b = new Block(BPF_JMP | code | BPF_X, 0);
    if (reversed) genNot(b);
    b.stmts = [...a0.s, ...a1.s, ...tail];
    this.regs.free(a0.regno);
    this.regs.free(a1.regno);
    let tmp: Block | null;
    if (a0.b) {
      if (a1.b) {
        genAnd(a0.b, a1.b);
        tmp = a1.b;
      } else tmp = a0.b;
    } else tmp = a1.b;
    if (tmp) genAnd(tmp, b);
    return b;
  }
}
