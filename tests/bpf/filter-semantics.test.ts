/**
 * The filter machine against NetBSD bpf_filter.c / bpf_validate semantics, one rule per test: what a
 * program may not do is refused when BIOCSETF installs it, and what only the packet decides (a load past its
 * end, a division by a zero X) rejects that packet (returns 0) instead of failing.
 */
import {
  BPF_A, BPF_ABS, BPF_ALU, BPF_B, BPF_DIV, BPF_H, BPF_IMM, BPF_IND, BPF_JA, BPF_JEQ, BPF_JMP, BPF_JUMP, BPF_K, BPF_LD, BPF_LDX,
  BPF_LEN, BPF_LSH, BPF_MAXINSNS, BPF_MEM, BPF_MISC, BPF_MOD, BPF_MSH, BPF_RET, BPF_ST, BPF_STMT, BPF_STX, BPF_TXA, BPF_W, BPF_X,
  type BpfInsn,
} from '../../stack/include/net/bpf';
import { bpfFilter, bpfValidate } from '../../stack/net/bpf-filter';

const RET_K = (k: number) => BPF_STMT(BPF_RET | BPF_K, k);
const pkt = (n: number) => new Uint8Array(n).map((_, i) => i);
const run = (p: BpfInsn[], b: Uint8Array) => {
  expect(bpfValidate(p)).toBeNull();
  return bpfFilter(p, b, b.length);
};

describe('bpf_filter: the packet decides', () => {
  it('an absolute word load ending past the packet returns 0', () => {
    const p = [BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 8), RET_K(1)];
    expect(run(p, pkt(12))).toBe(1); // bytes 8..11: inside
    expect(run(p, pkt(11))).toBe(0); // byte 11 missing
  });
  it('an indirect load at X + k past the packet returns 0', () => {
    const p = [BPF_STMT(BPF_LDX | BPF_IMM, 10), BPF_STMT(BPF_LD | BPF_H | BPF_IND, 4), RET_K(1)];
    expect(run(p, pkt(16))).toBe(1); // 14..15
    expect(run(p, pkt(15))).toBe(0);
  });
  it('an indirect load whose X + k wraps past 2^32 returns 0', () => {
    const p = [BPF_STMT(BPF_LDX | BPF_IMM, 0xffffffff), BPF_STMT(BPF_LD | BPF_B | BPF_IND, 2), RET_K(1)];
    expect(run(p, pkt(64))).toBe(0);
  });
  it('ldx 4*([k]&0xf) past the packet returns 0', () => {
    const p = [BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 14), BPF_STMT(BPF_MISC | BPF_TXA, 0), BPF_STMT(BPF_RET | BPF_A, 0)];
    const f = pkt(15);
    f[14] = 0x46;
    expect(run(p, f)).toBe(24); // txa: A = X = 4 * 6
    expect(run(p, pkt(14))).toBe(0);
  });
  it('division by a zero X returns 0', () => {
    const p = [BPF_STMT(BPF_LD | BPF_IMM, 100), BPF_STMT(BPF_LDX | BPF_W | BPF_LEN, 0), BPF_STMT(BPF_ALU | BPF_DIV | BPF_X, 0), BPF_STMT(BPF_RET | BPF_A, 0)];
    expect(run(p, pkt(7))).toBe(14); // 100 / 7
    expect(run(p, pkt(0))).toBe(0);
  });
  it('modulo by a zero X returns 0', () => {
    const p = [BPF_STMT(BPF_LD | BPF_IMM, 100), BPF_STMT(BPF_LDX | BPF_W | BPF_LEN, 0), BPF_STMT(BPF_ALU | BPF_MOD | BPF_X, 0), BPF_STMT(BPF_RET | BPF_A, 0)];
    expect(run(p, pkt(7))).toBe(2);
    expect(run(p, pkt(0))).toBe(0);
  });
  it('ret A returns the accumulator, ret K the constant (the snapshot length asked for)', () => {
    expect(run([BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0), BPF_STMT(BPF_RET | BPF_A, 0)], pkt(77))).toBe(77);
    expect(run([RET_K(96)], pkt(1500))).toBe(96);
    expect(run([RET_K(0xffffffff)], pkt(10))).toBe(0xffffffff);
  });
  it('scratch memory holds words between instructions (st/stx, ld/ldx M[k])', () => {
    const p = [BPF_STMT(BPF_LD | BPF_IMM, 5), BPF_STMT(BPF_ST, 15), BPF_STMT(BPF_LDX | BPF_IMM, 9), BPF_STMT(BPF_STX, 0),
      BPF_STMT(BPF_LD | BPF_MEM, 0), BPF_STMT(BPF_LDX | BPF_MEM, 15), BPF_STMT(BPF_ALU | 0x00 | BPF_X, 0), BPF_STMT(BPF_RET | BPF_A, 0)];
    expect(run(p, pkt(1))).toBe(14);
  });
  it('shift counts act modulo 32 as the i386 shift instruction does', () => {
    const p = [BPF_STMT(BPF_LD | BPF_IMM, 1), BPF_STMT(BPF_ALU | BPF_LSH | BPF_K, 33), BPF_STMT(BPF_RET | BPF_A, 0)];
    expect(run(p, pkt(1))).toBe(2);
  });
  it('a jump is relative to the next instruction; jt/jf skip forward only', () => {
    const p = [BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 0), BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0), RET_K(10), RET_K(20)];
    expect(run(p, pkt(1))).toBe(20); // byte 0 is 0: skip one
    expect(run([BPF_STMT(BPF_JMP | BPF_JA, 1), RET_K(1), RET_K(2)], pkt(1))).toBe(2);
  });
});

describe('bpf_validate: what BIOCSETF refuses (EINVAL)', () => {
  it('an empty program', () => expect(bpfValidate([])).toMatch(/length 0/));
  it(`more than BPF_MAXINSNS (${BPF_MAXINSNS}) instructions; exactly ${BPF_MAXINSNS} is accepted`, () => {
    expect(bpfValidate(new Array(BPF_MAXINSNS).fill(RET_K(0)))).toBeNull();
    expect(bpfValidate(new Array(BPF_MAXINSNS + 1).fill(RET_K(0)))).toMatch(/length 513/);
  });
  it('a program that does not end in a return', () => expect(bpfValidate([BPF_STMT(BPF_LD | BPF_IMM, 0)])).toMatch(/return/));
  it('a conditional jump whose true or false target is past the end', () => {
    expect(bpfValidate([BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0), RET_K(0)])).toMatch(/jump beyond/);
    expect(bpfValidate([BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1), RET_K(0)])).toMatch(/jump beyond/);
    expect(bpfValidate([BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0), RET_K(0)])).toBeNull();
  });
  it('ja past the end, including a "backward" offset (k is unsigned, so -1 is 2^32 - 1)', () => {
    expect(bpfValidate([BPF_STMT(BPF_JMP | BPF_JA, 1), RET_K(0)])).toMatch(/jump beyond/);
    expect(bpfValidate([RET_K(0), BPF_STMT(BPF_JMP | BPF_JA, -1), RET_K(0)])).toMatch(/jump beyond/);
  });
  it('scratch memory index BPF_MEMWORDS (16) or more in st, stx, ld and ldx', () => {
    for (const code of [BPF_ST, BPF_STX, BPF_LD | BPF_MEM, BPF_LDX | BPF_MEM]) {
      expect(bpfValidate([BPF_STMT(code, 16), RET_K(0)])).toMatch(/scratch memory index 16/);
      expect(bpfValidate([BPF_STMT(code, 15), RET_K(0)])).toBeNull();
    }
  });
  it('division or modulo by a constant 0', () => {
    expect(bpfValidate([BPF_STMT(BPF_ALU | BPF_DIV | BPF_K, 0), RET_K(0)])).toMatch(/division/);
    expect(bpfValidate([BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, 0), RET_K(0)])).toMatch(/division/);
  });
  it('unknown opcodes, load modes and sizes', () => {
    expect(bpfValidate([{ code: BPF_LD | 0x18 | BPF_ABS, jt: 0, jf: 0, k: 0 }, RET_K(0)])).toMatch(/bad size/);
    expect(bpfValidate([{ code: BPF_LDX | BPF_W | BPF_ABS, jt: 0, jf: 0, k: 0 }, RET_K(0)])).toMatch(/bad ldx mode/);
    expect(bpfValidate([{ code: BPF_ALU | 0xf0, jt: 0, jf: 0, k: 0 }, RET_K(0)])).toMatch(/bad ALU/);
    expect(bpfValidate([{ code: BPF_JMP | 0x70, jt: 0, jf: 0, k: 0 }, RET_K(0)])).toMatch(/bad jump/);
    expect(bpfValidate([{ code: BPF_MISC | 0x40, jt: 0, jf: 0, k: 0 }, RET_K(0)])).toMatch(/bad misc/);
  });
  it('ld/ldx BPF_H via BPF_MSH is refused as a load mode of ld', () => {
    expect(bpfValidate([BPF_STMT(BPF_LD | BPF_H | BPF_MSH, 14), RET_K(0)])).toMatch(/bad ld mode/);
  });
});
