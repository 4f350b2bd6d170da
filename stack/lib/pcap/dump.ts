/**
 * Printing a compiled program as tcpdump -d/-dd/-ddd does (libpcap bpf_image.c and bpf_dump.c): `-d` one
 * mnemonic line per instruction, `-dd` C array initialisers, `-ddd` the count then decimal quadruples.
 */
import {
  BPF_A, BPF_ABS, BPF_ALU, BPF_B, BPF_CLASS, BPF_H, BPF_IMM, BPF_IND, BPF_JMP, BPF_LD, BPF_LDX, BPF_LEN, BPF_MEM, BPF_MISC,
  BPF_MISCOP, BPF_MODE, BPF_MSH, BPF_OP, BPF_RET, BPF_RVAL, BPF_SIZE, BPF_SRC, BPF_ST, BPF_STX, BPF_TAX, BPF_X, type BpfInsn,
} from '../../include/net/bpf';

const ALU_OPS: Record<number, string> = { 0x00: 'add', 0x10: 'sub', 0x20: 'mul', 0x30: 'div', 0x40: 'or', 0x50: 'and', 0x60: 'lsh', 0x70: 'rsh', 0x80: 'neg', 0x90: 'mod', 0xa0: 'xor' };
const JMP_OPS: Record<number, string> = { 0x00: 'ja', 0x10: 'jeq', 0x20: 'jgt', 0x30: 'jge', 0x40: 'jset' };
const hex = (k: number) => `0x${(k >>> 0).toString(16)}`;

/** bpf_image: the mnemonic and operand of one instruction at index `n`. */
export function bpfImage(p: BpfInsn, n: number): string {
  let op = 'unimp';
  let operand = `0x${p.code.toString(16)}`;
  const k = p.k >>> 0;
  const sz = (s: number) => (s === BPF_B ? 'b' : s === BPF_H ? 'h' : '');
  switch (BPF_CLASS(p.code)) {
    case BPF_RET:
      op = 'ret';
      operand = BPF_RVAL(p.code) === BPF_A ? 'a' : BPF_RVAL(p.code) === BPF_X ? 'x' : `#${k}`;
      break;
    case BPF_LD:
    case BPF_LDX: {
      const isX = BPF_CLASS(p.code) === BPF_LDX;
      const mode = BPF_MODE(p.code);
      op = (isX ? 'ldx' : 'ld') + (mode === BPF_ABS || mode === BPF_IND || mode === BPF_MSH ? sz(BPF_SIZE(p.code)) : '');
      if (mode === BPF_IMM) operand = `#${hex(k)}`;
      else if (mode === BPF_LEN) operand = '#pktlen';
      else if (mode === BPF_MEM) operand = `M[${k}]`;
      else if (mode === BPF_ABS) operand = `[${k}]`;
      else if (mode === BPF_IND) operand = `[x + ${k}]`;
      else if (mode === BPF_MSH) operand = `4*([${k}]&0xf)`;
      break;
    }
    case BPF_ST:
    case BPF_STX:
      op = BPF_CLASS(p.code) === BPF_ST ? 'st' : 'stx';
      operand = `M[${k}]`;
      break;
    case BPF_ALU:
      op = ALU_OPS[BPF_OP(p.code)] ?? 'unimp';
      // bpf_image prints the bitwise operands in hex, the arithmetic ones in decimal.
      operand = BPF_OP(p.code) === 0x80 ? '' : BPF_SRC(p.code) === BPF_X ? 'x'
        : [0x40, 0x50, 0xa0].includes(BPF_OP(p.code)) ? `#${hex(k)}` : `#${k | 0}`;
      break;
    case BPF_JMP: {
      op = JMP_OPS[BPF_OP(p.code)] ?? 'unimp';
      if (BPF_OP(p.code) === 0x00) {
        operand = `${n + 1 + k}`;
        return `(${pad3(n)}) ${op.padEnd(8)} ${operand}`;
      }
      operand = BPF_SRC(p.code) === BPF_X ? 'x' : `#${hex(k)}`;
      return `(${pad3(n)}) ${op.padEnd(8)} ${operand.padEnd(16)} jt ${n + 1 + p.jt}\tjf ${n + 1 + p.jf}`;
    }
    case BPF_MISC:
      op = BPF_MISCOP(p.code) === BPF_TAX ? 'tax' : 'txa';
      operand = '';
      break;
  }
  return `(${pad3(n)}) ${op.padEnd(8)} ${operand}`;
}

const pad3 = (n: number) => String(n).padStart(3, '0');

/** bpf_dump: option 1 (-d), 2 (-dd) or 3 (-ddd). */
export function bpfDump(prog: readonly BpfInsn[], option: number): string {
  if (option > 2) return `${prog.length}\n${prog.map((p) => `${p.code} ${p.jt} ${p.jf} ${p.k >>> 0}`).join('\n')}\n`;
  if (option > 1) return prog.map((p) => `{ 0x${p.code.toString(16)}, ${p.jt}, ${p.jf}, 0x${(p.k >>> 0).toString(16).padStart(8, '0')} },\n`).join('');
  return prog.map((p, i) => bpfImage(p, i) + '\n').join('');
}
