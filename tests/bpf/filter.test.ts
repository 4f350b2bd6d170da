/** The classic BPF machine (bpf_filter.c semantics) and bpf_validate, with programs as tcpdump -d prints them. */
import {
  BPF_ABS, BPF_ALU, BPF_AND, BPF_B, BPF_DIV, BPF_H, BPF_IND, BPF_JA, BPF_JEQ, BPF_JGT, BPF_JMP, BPF_JUMP, BPF_K, BPF_LD, BPF_LDX,
  BPF_LEN, BPF_MEM, BPF_MISC, BPF_MSH, BPF_RET, BPF_ST, BPF_STMT, BPF_TAX, BPF_W, BPF_X, type BpfInsn,
} from '../../stack/include/net/bpf';
import { bpfFilter, bpfValidate } from '../../stack/net/bpf-filter';

/** `tcpdump -dd ether proto 0x888e` (what l2_packet installs for EAPOL). */
const EAPOL: BpfInsn[] = [
  BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x888e, 0, 1),
  BPF_STMT(BPF_RET | BPF_K, 262144),
  BPF_STMT(BPF_RET | BPF_K, 0),
];

/** `tcpdump -dd udp dst port 7` on Ethernet: the IP header length through BPF_MSH. */
const UDP7: BpfInsn[] = [
  BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x0800, 0, 8),
  BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 23),
  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 17, 0, 6),
  BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 20),
  BPF_JUMP(BPF_JMP | BPF_JSET_K(), 0x1fff, 4, 0),
  BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 14),
  BPF_STMT(BPF_LD | BPF_H | BPF_IND, 16),
  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 7, 0, 1),
  BPF_STMT(BPF_RET | BPF_K, 96),
  BPF_STMT(BPF_RET | BPF_K, 0),
];
function BPF_JSET_K(): number {
  return 0x40 | BPF_K;
}

function frame(type: number, body: number[]): Uint8Array {
  const f = new Uint8Array(14 + body.length);
  f.fill(0xff, 0, 6);
  f[12] = type >> 8;
  f[13] = type & 0xff;
  f.set(body, 14);
  return f;
}

function udp(dport: number, ihl = 5, frag = 0): Uint8Array {
  const ip = new Array(ihl * 4 + 8).fill(0);
  ip[0] = 0x40 | ihl;
  ip[6] = frag >> 8;
  ip[7] = frag & 0xff;
  ip[9] = 17;
  ip[ihl * 4 + 2] = dport >> 8;
  ip[ihl * 4 + 3] = dport & 0xff;
  return frame(0x0800, ip);
}

describe('bpf_filter', () => {
  it('ether proto 0x888e accepts EAPOL and rejects IP', () => {
    expect(bpfValidate(EAPOL)).toBeNull();
    expect(bpfFilter(EAPOL, frame(0x888e, [2, 3, 0, 0]), 18)).toBe(262144);
    expect(bpfFilter(EAPOL, frame(0x0800, [0x45]), 15)).toBe(0);
  });
  it('udp dst port 7 follows the IP header length (BPF_MSH) and skips fragments', () => {
    expect(bpfValidate(UDP7)).toBeNull();
    expect(bpfFilter(UDP7, udp(7), 42)).toBe(96);
    expect(bpfFilter(UDP7, udp(7, 6), 46)).toBe(96);
    expect(bpfFilter(UDP7, udp(8), 42)).toBe(0);
    expect(bpfFilter(UDP7, udp(7, 5, 0x0010), 42)).toBe(0);
  });
  it('a load past the end of the packet rejects it instead of throwing', () => {
    expect(bpfFilter(EAPOL, new Uint8Array(10), 10)).toBe(0);
  });
  it('scratch memory, X, ALU and BPF_LEN', () => {
    const p: BpfInsn[] = [
      BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0),
      BPF_STMT(BPF_ST, 3),
      BPF_STMT(BPF_LDX | BPF_W | BPF_MEM, 3),
      BPF_STMT(BPF_LD | BPF_W | 0x00, 1000), // BPF_IMM
      BPF_STMT(BPF_ALU | BPF_DIV | BPF_X, 0),
      BPF_STMT(BPF_MISC | BPF_TAX, 0),
      BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xff),
      BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 10, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, 1),
      BPF_STMT(BPF_RET | 0x10, 0), // BPF_A
    ];
    expect(bpfValidate(p)).toBeNull();
    expect(bpfFilter(p, new Uint8Array(50), 50)).toBe(20);
    expect(bpfFilter(p, new Uint8Array(200), 200)).toBe(1);
    // division by X = 0 rejects
    expect(bpfFilter(p, new Uint8Array(0), 0)).toBe(0);
  });
  it('bpf_validate refuses what the kernel refuses', () => {
    expect(bpfValidate([])).toMatch(/length/);
    expect(bpfValidate([BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12)])).toMatch(/return/);
    expect(bpfValidate([BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 5, 0), BPF_STMT(BPF_RET | BPF_K, 0)])).toMatch(/jump beyond/);
    expect(bpfValidate([BPF_STMT(BPF_JMP | BPF_JA, 1), BPF_STMT(BPF_RET | BPF_K, 0)])).toMatch(/jump beyond/);
    expect(bpfValidate([BPF_STMT(BPF_ST, 16), BPF_STMT(BPF_RET | BPF_K, 0)])).toMatch(/scratch/);
    expect(bpfValidate([BPF_STMT(BPF_ALU | BPF_DIV | BPF_K, 0), BPF_STMT(BPF_RET | BPF_K, 0)])).toMatch(/division/);
    expect(bpfValidate(new Array(513).fill(BPF_STMT(BPF_RET | BPF_K, 0)))).toMatch(/length/);
    expect(bpfValidate([{ code: 0xffff, jt: 0, jf: 0, k: 0 }, BPF_STMT(BPF_RET | BPF_K, 0)])).not.toBeNull();
  });
});
