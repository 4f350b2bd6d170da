/**
 * <net/bpf.h> as programs and io-pkt share it (NetBSD sys/net/bpf.h): the instruction encoding of the
 * classic BPF filter machine, the ioctls of /dev/bpf by name, the record header read() returns, and the
 * limits. Programs build filters with `BPF_STMT`/`BPF_JUMP` as in C.
 */

/** struct bpf_insn. */
export interface BpfInsn {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

export const BPF_STMT = (code: number, k: number): BpfInsn => ({ code, jt: 0, jf: 0, k: k >>> 0 });
export const BPF_JUMP = (code: number, k: number, jt: number, jf: number): BpfInsn => ({ code, jt, jf, k: k >>> 0 });

// Instruction classes.
export const BPF_LD = 0x00;
export const BPF_LDX = 0x01;
export const BPF_ST = 0x02;
export const BPF_STX = 0x03;
export const BPF_ALU = 0x04;
export const BPF_JMP = 0x05;
export const BPF_RET = 0x06;
export const BPF_MISC = 0x07;
export const BPF_CLASS = (code: number) => code & 0x07;
// ld/ldx sizes and modes.
export const BPF_W = 0x00;
export const BPF_H = 0x08;
export const BPF_B = 0x10;
export const BPF_SIZE = (code: number) => code & 0x18;
export const BPF_IMM = 0x00;
export const BPF_ABS = 0x20;
export const BPF_IND = 0x40;
export const BPF_MEM = 0x60;
export const BPF_LEN = 0x80;
export const BPF_MSH = 0xa0;
export const BPF_MODE = (code: number) => code & 0xe0;
// alu/jmp operations.
export const BPF_ADD = 0x00;
export const BPF_SUB = 0x10;
export const BPF_MUL = 0x20;
export const BPF_DIV = 0x30;
export const BPF_OR = 0x40;
export const BPF_AND = 0x50;
export const BPF_LSH = 0x60;
export const BPF_RSH = 0x70;
export const BPF_NEG = 0x80;
export const BPF_MOD = 0x90;
export const BPF_XOR = 0xa0;
export const BPF_JA = 0x00;
export const BPF_JEQ = 0x10;
export const BPF_JGT = 0x20;
export const BPF_JGE = 0x30;
export const BPF_JSET = 0x40;
export const BPF_OP = (code: number) => code & 0xf0;
export const BPF_K = 0x00;
export const BPF_X = 0x08;
export const BPF_SRC = (code: number) => code & 0x08;
// ret.
export const BPF_A = 0x10;
export const BPF_RVAL = (code: number) => code & 0x18;
// misc.
export const BPF_TAX = 0x00;
export const BPF_TXA = 0x80;
export const BPF_MISCOP = (code: number) => code & 0xf8;

/** Scratch memory words (BPF_MEMWORDS) and the longest program bpf_validate accepts (BPF_MAXINSNS). */
export const BPF_MEMWORDS = 16;
export const BPF_MAXINSNS = 512;
/** Buffer sizes: default (BPF_BUFSIZE), and BIOCSBLEN's clamp (BPF_MINBUFSIZE … bpf_maxbufsize). */
export const BPF_BUFSIZE = 32768;
export const BPF_MINBUFSIZE = 32;
export const BPF_MAXBUFSIZE = 1024 * 1024 * 16;
/** Record alignment (BPF_ALIGNMENT = sizeof(long) on i386) and BPF_WORDALIGN. */
export const BPF_ALIGNMENT = 4;
export const BPF_WORDALIGN = (x: number) => (x + (BPF_ALIGNMENT - 1)) & ~(BPF_ALIGNMENT - 1);
/** struct bpf_hdr on i386: bh_tstamp {tv_sec, tv_usec} (2 × 4), bh_caplen, bh_datalen (4 each), bh_hdrlen (2). */
export const SIZEOF_BPF_HDR = 18;
/** BIOCVERSION. */
export const BPF_MAJOR_VERSION = 1;
export const BPF_MINOR_VERSION = 1;
/** Data-link types (BIOCGDLT). */
export const DLT_EN10MB = 1;

/**
 * The ioctls of /dev/bpf, sent by name as the stack's other ioctls are: BIOCSETIF {ifname}, BIOCGETIF →
 * {ifname}, BIOCSETF {insns: BpfInsn[] | null}, BIOCIMMEDIATE {on}, BIOCGBLEN → {len}, BIOCSBLEN {len} →
 * {len} (before BIOCSETIF only), BIOCFLUSH, BIOCPROMISC, BIOCGDLT → {dlt}, BIOCGSTATS → {recv, drop},
 * BIOCVERSION → {major, minor}, BIOCSRTIMEOUT {ns}, BIOCGRTIMEOUT → {ns}, BIOCGHDRCMPLT/BIOCSHDRCMPLT
 * {on}, BIOCGSEESENT/BIOCSSEESENT {on}, FIONREAD → {n}.
 */
export type BpfIoctl =
  | 'BIOCSETIF' | 'BIOCGETIF' | 'BIOCSETF' | 'BIOCIMMEDIATE' | 'BIOCGBLEN' | 'BIOCSBLEN' | 'BIOCFLUSH' | 'BIOCPROMISC'
  | 'BIOCGDLT' | 'BIOCGSTATS' | 'BIOCVERSION' | 'BIOCSRTIMEOUT' | 'BIOCGRTIMEOUT' | 'BIOCGHDRCMPLT' | 'BIOCSHDRCMPLT'
  | 'BIOCGSEESENT' | 'BIOCSSEESENT' | 'FIONREAD';

/** One record of a read() buffer (struct bpf_hdr followed by the captured bytes). */
export interface BpfRecord {
  tstampSec: number;
  tstampUsec: number;
  caplen: number;
  datalen: number;
  hdrlen: number;
  data: Uint8Array;
}

/** Walk a read() buffer as bpf(4) describes: header, data at bh_hdrlen, next at BPF_WORDALIGN(hdrlen + caplen). */
export function bpfRecords(buf: Uint8Array): BpfRecord[] {
  const out: BpfRecord[] = [];
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (let o = 0; o + SIZEOF_BPF_HDR <= buf.length; ) {
    const caplen = dv.getUint32(o + 8, true);
    const hdrlen = dv.getUint16(o + 16, true);
    if (hdrlen < SIZEOF_BPF_HDR || o + hdrlen + caplen > buf.length) break;
    out.push({
      tstampSec: dv.getUint32(o, true), tstampUsec: dv.getUint32(o + 4, true), caplen, datalen: dv.getUint32(o + 12, true),
      hdrlen, data: buf.subarray(o + hdrlen, o + hdrlen + caplen),
    });
    o += BPF_WORDALIGN(hdrlen + caplen);
  }
  return out;
}
