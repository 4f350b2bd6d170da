/**
 * The classic BPF filter machine (NetBSD sys/net/bpf_filter.c): `bpf_validate` checks a program once when
 * BIOCSETF installs it, `bpf_filter` runs it over a packet and returns how many bytes to capture (0: reject).
 * 32-bit unsigned arithmetic; loads are big-endian (network order); a load outside the packet or a division
 * by a zero X rejects the packet, as the kernel does. The program cannot loop (jumps go forward only), so a
 * run is at most BPF_MAXINSNS steps.
 */
import {
  BPF_A, BPF_ABS, BPF_ADD, BPF_ALU, BPF_AND, BPF_B, BPF_CLASS, BPF_DIV, BPF_H, BPF_IMM, BPF_IND, BPF_JA, BPF_JEQ, BPF_JGE,
  BPF_JGT, BPF_JMP, BPF_JSET, BPF_K, BPF_LD, BPF_LDX, BPF_LEN, BPF_LSH, BPF_MAXINSNS, BPF_MEM, BPF_MEMWORDS, BPF_MISC,
  BPF_MISCOP, BPF_MOD, BPF_MODE, BPF_MSH, BPF_MUL, BPF_NEG, BPF_OP, BPF_OR, BPF_RET, BPF_RSH, BPF_RVAL, BPF_SIZE, BPF_SRC,
  BPF_ST, BPF_STX, BPF_SUB, BPF_TAX, BPF_TXA, BPF_W, BPF_X, BPF_XOR, type BpfInsn,
} from '../include/net/bpf';

/** Why a program is refused (bpf_validate returns 0 → EINVAL), or null when it is valid. */
export function bpfValidate(p: readonly BpfInsn[]): string | null {
  if (p.length < 1 || p.length > BPF_MAXINSNS) return `program length ${p.length} outside 1…${BPF_MAXINSNS}`;
  for (let pc = 0; pc < p.length; pc++) {
    const i = p[pc]!;
    if (![i.code, i.jt, i.jf, i.k].every((v) => Number.isInteger(v))) return `instruction ${pc}: not integers`;
    const k = i.k >>> 0;
    switch (BPF_CLASS(i.code)) {
      case BPF_LD:
      case BPF_LDX: {
        const mode = BPF_MODE(i.code);
        if (mode === BPF_MEM && k >= BPF_MEMWORDS) return `instruction ${pc}: scratch memory index ${k}`;
        if (BPF_CLASS(i.code) === BPF_LDX && ![BPF_IMM, BPF_MEM, BPF_LEN, BPF_MSH].includes(mode))
          return `instruction ${pc}: bad ldx mode`;
        if (BPF_CLASS(i.code) === BPF_LD && ![BPF_IMM, BPF_ABS, BPF_IND, BPF_MEM, BPF_LEN].includes(mode)) return `instruction ${pc}: bad ld mode`;
        if ((mode === BPF_ABS || mode === BPF_IND) && ![BPF_W, BPF_H, BPF_B].includes(BPF_SIZE(i.code))) return `instruction ${pc}: bad size`;
        break;
      }
      case BPF_ST:
      case BPF_STX:
        if (k >= BPF_MEMWORDS) return `instruction ${pc}: scratch memory index ${k}`;
        break;
      case BPF_ALU: {
        const op = BPF_OP(i.code);
        if (![BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND, BPF_LSH, BPF_RSH, BPF_NEG, BPF_MOD, BPF_XOR].includes(op))
          return `instruction ${pc}: bad ALU operation`;
        if ((op === BPF_DIV || op === BPF_MOD) && BPF_SRC(i.code) === BPF_K && k === 0) return `instruction ${pc}: division by constant 0`;
        break;
      }
      case BPF_JMP: {
        const op = BPF_OP(i.code);
        if (op === BPF_JA) {
          if (k >= p.length - pc - 1) return `instruction ${pc}: jump beyond the program`;
        } else if (![BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET].includes(op)) return `instruction ${pc}: bad jump`;
        else if (pc + 1 + i.jt >= p.length || pc + 1 + i.jf >= p.length) return `instruction ${pc}: jump beyond the program`;
        break;
      }
      case BPF_RET:
        break;
      case BPF_MISC:
        if (BPF_MISCOP(i.code) !== BPF_TAX && BPF_MISCOP(i.code) !== BPF_TXA) return `instruction ${pc}: bad misc operation`;
        break;
    }
  }
  return BPF_CLASS(p[p.length - 1]!.code) === BPF_RET ? null : 'program does not end in a return';
}

function load(pkt: Uint8Array, off: number, size: number): number | null {
  const n = size === BPF_W ? 4 : size === BPF_H ? 2 : 1;
  if (off < 0 || off + n > pkt.length) return null;
  if (n === 1) return pkt[off]!;
  if (n === 2) return (pkt[off]! << 8) | pkt[off + 1]!;
  return ((pkt[off]! << 24) | (pkt[off + 1]! << 16) | (pkt[off + 2]! << 8) | pkt[off + 3]!) >>> 0;
}

/**
 * Run a validated program (bpf_filter). `wirelen` is the packet's length on the wire, `pkt` the bytes at
 * hand (the same here: io-pkt hands BPF whole frames). Returns the snapshot length the program asked for.
 * `steps`, when given, counts the instructions executed (what the tap's CPU charge is made of).
 */
export function bpfFilter(p: readonly BpfInsn[], pkt: Uint8Array, wirelen: number, steps?: { n: number }): number {
  let A = 0;
  let X = 0;
  const mem = new Uint32Array(BPF_MEMWORDS);
  for (let pc = 0; pc < p.length; pc++) {
    const i = p[pc]!;
    if (steps) steps.n++;
    const k = i.k >>> 0;
    switch (BPF_CLASS(i.code)) {
      case BPF_RET:
        return (BPF_RVAL(i.code) === BPF_A ? A : k) >>> 0;
      case BPF_LD: {
        const mode = BPF_MODE(i.code);
        if (mode === BPF_IMM) A = k;
        else if (mode === BPF_LEN) A = wirelen;
        else if (mode === BPF_MEM) A = mem[k]!;
        else {
          const v = load(pkt, mode === BPF_IND ? X + k : k, BPF_SIZE(i.code));
          if (v === null) return 0;
          A = v;
        }
        break;
      }
      case BPF_LDX: {
        const mode = BPF_MODE(i.code);
        if (mode === BPF_IMM) X = k;
        else if (mode === BPF_LEN) X = wirelen;
        else if (mode === BPF_MEM) X = mem[k]!;
        else {
          // BPF_MSH: X = 4 * (P[k] & 0xf), the IP header length idiom.
          const v = load(pkt, k, BPF_B);
          if (v === null) return 0;
          X = (v & 0xf) << 2;
        }
        break;
      }
      case BPF_ST:
        mem[k] = A;
        break;
      case BPF_STX:
        mem[k] = X;
        break;
      case BPF_ALU: {
        const v = BPF_SRC(i.code) === BPF_X ? X : k;
        switch (BPF_OP(i.code)) {
          case BPF_ADD: A = (A + v) >>> 0; break;
          case BPF_SUB: A = (A - v) >>> 0; break;
          case BPF_MUL: A = Math.imul(A, v) >>> 0; break;
          case BPF_DIV: if (v === 0) return 0; A = Math.floor(A / v) >>> 0; break;
          case BPF_MOD: if (v === 0) return 0; A = (A % v) >>> 0; break;
          case BPF_OR: A = (A | v) >>> 0; break;
          case BPF_AND: A = (A & v) >>> 0; break;
          case BPF_XOR: A = (A ^ v) >>> 0; break;
          // C's `A <<= k` on i386: the shift instruction uses the count modulo 32.
          case BPF_LSH: A = (A << (v & 31)) >>> 0; break;
          case BPF_RSH: A = A >>> (v & 31); break;
          case BPF_NEG: A = -A >>> 0; break;
        }
        break;
      }
      case BPF_JMP: {
        const v = BPF_SRC(i.code) === BPF_X ? X : k;
        let taken: boolean;
        switch (BPF_OP(i.code)) {
          case BPF_JA: pc += k; continue;
          case BPF_JEQ: taken = A === v; break;
          case BPF_JGT: taken = A > v; break;
          case BPF_JGE: taken = A >= v; break;
          default: taken = (A & v) !== 0; break;
        }
        pc += taken ? i.jt : i.jf;
        break;
      }
      case BPF_MISC:
        if (BPF_MISCOP(i.code) === BPF_TAX) X = A;
        else A = X;
        break;
    }
  }
  return 0;
}
