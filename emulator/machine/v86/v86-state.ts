/**
 * Restore a v86 instance from its `save_state()` bytes held in parts (a snapshot file keeps them cut in pieces that
 * decompress in parallel: emulator/app/assembly/snapshot-file.ts), without joining the parts and without v86's own
 * copies of the state.
 *
 * v86's `restore_state` (v86 0.5.462, `restore_state` in src/state.js) wants one ArrayBuffer, copies every buffer out
 * of it (`buffer.slice`), and its `CPU.unpack_memory` zeroes all of guest RAM before it copies the saved pages back
 * in: for a 128 MiB guest with 60 MiB of non-zero pages that is a join (60 MiB), a slice (60 MiB), 128 MiB of zeroes
 * (page faults on the untouched RAM of a fresh instance) and the copy into RAM — the largest part of a restore.
 *
 * This does what v86's uncompressed branch does, step for step, with the same result: the header (magic, version 6,
 * length) and its JSON info block, the state tree revived with v86's typed-array types (its `restore_object`), then
 * the same `cpu.set_state` (so v86-runtime.ts's repaired set_state, and every device's set_state, run as before).
 * The differences are only in how bytes move: small buffers are sliced out of the parts; the packed guest memory (the
 * CPU state's entry 77, a run of 4 KiB pages in the order of the bitmap in entry 78) is never materialised — while
 * set_state runs, the CPU's `unpack_memory` is replaced for that one call by one that copies each run of saved pages
 * from the parts straight into guest RAM and zeroes only the pages outside the bitmap that are not already zero (v86's
 * `is_memory_zeroed`). Guest RAM ends up byte for byte as v86's unpack_memory leaves it
 * (tests/v86/state-restore.test.ts compares the two on one state).
 */
import type { V86Cpu } from './v86-types';

/** `STATE_MAGIC` and `STATE_VERSION` of v86's src/state.js. */
const STATE_MAGIC = 0x86768676 | 0;
const STATE_VERSION = 6;
/** `STATE_INDEX_MAGIC` … `STATE_INDEX_INFO_LEN` of the 16-byte header (Int32 words). */
const HEADER_BYTES = 16;
/** Entries of the CPU's get_state array (src/cpu.js): packed non-zero pages, and the bitmap of which pages they are. */
const CPU_PACKED_MEMORY = 77;
const CPU_MEMORY_BITMAP = 78;
const PAGE_BYTES = 4096;

/** v86's `restore_object` constructors by `__state_type__` (src/state.js `CONSTRUCTOR_TABLE`). */
const CONSTRUCTORS: Record<string, new (a: ArrayBuffer) => ArrayBufferView> = {
  Uint8Array,
  Int8Array,
  Uint16Array,
  Int16Array,
  Uint32Array,
  Int32Array,
  Float32Array,
  Float64Array,
};

/** A byte string cut in parts, read without joining them. */
export class PartedBytes {
  readonly length: number;
  private readonly starts: number[] = [];

  constructor(readonly parts: readonly Uint8Array[]) {
    let at = 0;
    for (const p of parts) {
      this.starts.push(at);
      at += p.byteLength;
    }
    this.length = at;
  }

  /** Copy `len` bytes from `from` into `dst` at `to`. */
  copyTo(dst: Uint8Array, to: number, from: number, len: number): void {
    if (from < 0 || len < 0 || from + len > this.length) throw new Error(`v86 state: bytes ${from}+${len} past its end (${this.length})`);
    let i = this.partAt(from);
    while (len > 0) {
      const p = this.parts[i]!;
      const off = from - this.starts[i]!;
      const n = Math.min(len, p.byteLength - off);
      dst.set(p.subarray(off, off + n), to);
      to += n;
      from += n;
      len -= n;
      i++;
    }
  }

  /** `len` bytes from `from` as an ArrayBuffer of their own (what v86's `buffer.slice` gives). */
  slice(from: number, len: number): ArrayBuffer {
    const out = new Uint8Array(len);
    this.copyTo(out, 0, from, len);
    return out.buffer;
  }

  private partAt(at: number): number {
    let lo = 0;
    let hi = this.parts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

interface StateInfo {
  buffer_infos: { offset: number; length: number }[];
  state: unknown[];
}

/** v86's `restore_object`: typed arrays (views of their own buffers) and Maps from the JSON tree. */
function revive(node: unknown, buffers: ArrayBuffer[]): unknown {
  if (typeof node !== 'object' || node === null) return node;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) node[i] = revive(node[i], buffers);
    return node;
  }
  const o = node as { __state_type__: string; args?: unknown; buffer_id?: number };
  if (o.__state_type__ === 'Map') return new Map(o.args as [unknown, unknown][]);
  const C = CONSTRUCTORS[o.__state_type__];
  const b = buffers[o.buffer_id ?? -1];
  if (!C || !b) throw new Error(`v86 state: unknown object ${JSON.stringify(o).slice(0, 80)}`);
  return new C(b);
}

/** The packed-memory buffer id in the CPU's state (entry 77), or -1. */
function packedMemoryId(state: unknown[]): number {
  const e = state[CPU_PACKED_MEMORY] as { __state_type__?: string; buffer_id?: number } | undefined;
  return e?.__state_type__ === 'Uint8Array' && typeof e.buffer_id === 'number' ? e.buffer_id : -1;
}

/** Whether page `i` is in v86's bitmap (its `BitMap.get`: bit i & 7 of byte i >> 3). */
function inBitmap(bits: Uint8Array, i: number): boolean {
  return ((bits[i >> 3]! >> (i & 7)) & 1) !== 0;
}

/**
 * Guest RAM as v86's `unpack_memory(bitmap, packed)` leaves it (zero everywhere, then page k of `packed` at the k-th
 * page set in the bitmap), with the packed pages read from `bytes` at `packedAt` and writes only where RAM changes.
 */
function unpackMemory(cpu: V86Cpu, bits: Uint8Array, bytes: PartedBytes, packedAt: number, packedLength: number): void {
  const pages = cpu.memory_size[0]! >>> 12;
  const mem = cpu.mem8;
  let k = 0;
  for (let f = 0; f < pages; ) {
    const saved = inBitmap(bits, f);
    let e = f + 1;
    while (e < pages && inBitmap(bits, e) === saved) e++;
    if (saved) {
      const len = (e - f) * PAGE_BYTES;
      if ((k + e - f) * PAGE_BYTES > packedLength) throw new Error(`v86 state: the memory bitmap lists more pages than the ${packedLength / PAGE_BYTES} saved`);
      bytes.copyTo(mem, f * PAGE_BYTES, packedAt + k * PAGE_BYTES, len);
      k += e - f;
    } else {
      for (let p = f; p < e; p++) if (!cpu.is_memory_zeroed(p * PAGE_BYTES, PAGE_BYTES)) mem.fill(0, p * PAGE_BYTES, (p + 1) * PAGE_BYTES);
    }
    f = e;
  }
  if (k * PAGE_BYTES !== packedLength) throw new Error(`v86 state: ${packedLength / PAGE_BYTES} pages saved, the memory bitmap lists ${k}`);
}

/**
 * `restore_state` of `state` (v86 `save_state()` bytes, uncompressed, in parts) into `cpu`. Call in the guest's
 * pinned host scope (v86 reads its clock while restoring).
 */
export function restoreV86State(cpu: V86Cpu, state: PartedBytes): void {
  if (state.length < HEADER_BYTES) throw new Error(`v86 state: ${state.length} bytes, shorter than its header`);
  const head = new Int32Array(state.slice(0, HEADER_BYTES));
  if (head[0] !== STATE_MAGIC) throw new Error(`v86 state: bad magic ${(head[0]! >>> 0).toString(16)}`);
  if (head[1] !== STATE_VERSION) throw new Error(`v86 state: version ${head[1]}, this v86 reads ${STATE_VERSION}`);
  if (head[2] !== state.length) throw new Error(`v86 state: the header says ${head[2]} bytes, there are ${state.length}`);
  const infoLen = head[3]!;
  if (infoLen < 0 || HEADER_BYTES + infoLen > state.length) throw new Error(`v86 state: info block of ${infoLen} bytes`);
  const info = JSON.parse(new TextDecoder().decode(new Uint8Array(state.slice(HEADER_BYTES, infoLen)))) as StateInfo;
  const base = (HEADER_BYTES + infoLen + 3) & ~3;
  const memId = packedMemoryId(info.state);
  const mem = info.buffer_infos[memId];
  if (!mem) throw new Error('v86 state: no packed guest memory (CPU state entry 77)');
  const buffers = info.buffer_infos.map((b, id) => (id === memId ? new ArrayBuffer(0) : state.slice(base + b.offset, b.length)));
  const cpuState = revive(info.state, buffers) as unknown[];
  const bitmap = cpuState[CPU_MEMORY_BITMAP];
  if (!(bitmap instanceof Uint8Array)) throw new Error('v86 state: no memory bitmap (CPU state entry 78)');
  const own = Object.prototype.hasOwnProperty.call(cpu, 'unpack_memory');
  const previous = cpu.unpack_memory;
  cpu.unpack_memory = () => unpackMemory(cpu, bitmap, state, base + mem.offset, mem.length);
  try {
    cpu.set_state(cpuState);
  } finally {
    if (own) cpu.unpack_memory = previous;
    else delete (cpu as Partial<V86Cpu>).unpack_memory;
  }
}
