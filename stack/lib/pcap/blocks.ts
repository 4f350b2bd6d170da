/**
 * libpcap's intermediate code (gencode.c, optimize.c): a filter is a graph of blocks, each a list of
 * statements ending in one conditional jump. Expressions are combined as libpcap does, by threading the
 * still-open exits of a block list through the blocks' true/false edges and flipping a block's "sense"
 * (backpatch, merge, gen_and, gen_or, gen_not), so the graph and the instruction order that
 * icode_to_fcode/convert_code_r lays out match libpcap's unoptimised output (`tcpdump -O -d`).
 * Scratch registers are allocated round-robin as alloc_reg/free_reg do.
 */
import { BPF_JA, BPF_JMP, BPF_MEMWORDS, BPF_RET, BPF_K, type BpfInsn } from '../../include/net/bpf';

/** A statement: one non-jump instruction (struct stmt). */
export interface Stmt {
  code: number;
  k: number;
}

/** struct block: statements, the final jump (code/k), the true and false successors, sense and head. */
export class Block {
  stmts: Stmt[] = [];
  jt: Block | null = null;
  jf: Block | null = null;
  sense = false;
  head: Block = this;
  constructor(public code: number, public k: number) {}
}

/** A compile error as libpcap reports it through bpf_error (the text pcap_geterr returns). */
export class PcapCompileError extends Error {}

/** The compiler's register file (regused/curreg in compiler_state_t). */
export class Registers {
  private readonly used = new Array<boolean>(BPF_MEMWORDS).fill(false);
  private cur = 0;

  /** alloc_reg: the next free scratch word, searching round-robin from the last one handed out. */
  alloc(): number {
    for (let n = BPF_MEMWORDS; n > 0; n--) {
      if (this.used[this.cur]) this.cur = (this.cur + 1) % BPF_MEMWORDS;
      else {
        this.used[this.cur] = true;
        return this.cur;
      }
    }
    throw new PcapCompileError('too many registers needed to evaluate expression');
  }

  free(n: number): void {
    this.used[n] = false;
  }
}

/** backpatch: point every open exit of `list` (JT for sense 0, JF for sense 1) at `target`. */
function backpatch(list: Block | null, target: Block): void {
  while (list) {
    let next: Block | null;
    if (!list.sense) {
      next = list.jt;
      list.jt = target;
    } else {
      next = list.jf;
      list.jf = target;
    }
    list = next;
  }
}

/** merge: append list b1 to the end of list b0 (walking each block's open edge by its sense). */
function merge(b0: Block, b1: Block): void {
  let p = b0;
  for (;;) {
    const next = !p.sense ? p.jt : p.jf;
    if (!next) break;
    p = next;
  }
  if (!p.sense) p.jt = b1;
  else p.jf = b1;
}

export function genAnd(b0: Block, b1: Block): void {
  backpatch(b0, b1.head);
  b0.sense = !b0.sense;
  b1.sense = !b1.sense;
  merge(b1, b0);
  b1.sense = !b1.sense;
  b1.head = b0.head;
}

export function genOr(b0: Block, b1: Block): void {
  b0.sense = !b0.sense;
  backpatch(b0, b1.head);
  b0.sense = !b0.sense;
  merge(b1, b0);
  b1.head = b0.head;
}

export function genNot(b: Block): void {
  b.sense = !b.sense;
}

/** A return block (gen_retblk): ret #v, no successors. */
export function retBlock(v: number): Block {
  return new Block(BPF_RET | BPF_K, v >>> 0);
}

/**
 * finish_parse + icode_to_fcode without the optimiser: the accept and reject returns are patched onto the
 * open exits, then blocks are laid out as convert_code_r does (a block, then its true subtree, then its false
 * subtree; a shared block where the false-first walk first reaches it) and jumps become relative offsets.
 */
export function finish(root: Block, snaplen: number): BpfInsn[] {
  backpatch(root, retBlock(snaplen));
  root.sense = !root.sense;
  backpatch(root, retBlock(0));
  const order: Block[] = [];
  const seen = new Set<Block>();
  const visit = (b: Block | null) => {
    if (!b || seen.has(b)) return;
    seen.add(b);
    visit(b.jf);
    visit(b.jt);
    order.push(b);
  };
  visit(root.head);
  order.reverse();
  // A conditional jump reaches at most 255 instructions ahead; a farther target gets a `ja` right after the
  // jump (longjt/longjf in convert_code_r), which moves everything before it: lay out until nothing changes.
  const long = new Map<Block, { jt: number; jf: number }>(order.map((b) => [b, { jt: 0, jf: 0 }]));
  const offset = new Map<Block, number>();
  const isJmp = (b: Block) => (b.code & 0x07) === BPF_JMP;
  for (;;) {
    let pc = 0;
    for (const b of order) {
      offset.set(b, pc);
      const l = long.get(b)!;
      pc += b.stmts.length + 1 + l.jt + l.jf;
    }
    let changed = false;
    for (const b of order) {
      if (!isJmp(b)) continue;
      const at = offset.get(b)! + b.stmts.length;
      const l = long.get(b)!;
      const far = (t: Block | null) => t !== null && offset.get(t)! - at - 1 >= 256;
      if (!l.jt && far(b.jt)) {
        l.jt = 1;
        changed = true;
      }
      if (!l.jf && far(b.jf)) {
        l.jf = 1;
        changed = true;
      }
    }
    if (!changed) break;
  }
  const out: BpfInsn[] = [];
  for (const b of order) {
    for (const x of b.stmts) out.push({ code: x.code, jt: 0, jf: 0, k: x.k >>> 0 });
    const at = offset.get(b)! + b.stmts.length;
    if (!isJmp(b)) {
      out.push({ code: b.code, jt: 0, jf: 0, k: b.k >>> 0 });
      continue;
    }
    const l = long.get(b)!;
    const extra: BpfInsn[] = [];
    const edge = (t: Block | null, isLong: number): number => {
      const off = t ? offset.get(t)! - at - 1 : 0;
      if (!isLong) return off;
      // Branch to the following `ja`, which jumps the rest of the way.
      const n = extra.length;
      extra.push({ code: BPF_JMP | BPF_JA, jt: 0, jf: 0, k: off - (n + 1) });
      return n;
    };
    const jt = edge(b.jt, l.jt);
    const jf = edge(b.jf, l.jf);
    out.push({ code: b.code, jt, jf, k: b.k >>> 0 }, ...extra);
  }
  return out;
}
