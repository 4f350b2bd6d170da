/**
 * Loads v86 (npm `v86`, `build/libv86.js`) once per process inside a pinned scope, and creates instances.
 *
 * v86 reads four things from its host that would make two runs differ (facts/v86-guest.md): its clock
 * (`performance.now`, captured as the static `microtick` and handed to the wasm core when an instance is
 * created), the RTC's `Date`, `crypto.getRandomValues` (RDRAND, random MACs) and `Math.random`. Instead of
 * patching globals, the module text is evaluated with those four names bound to our own objects, so every
 * read v86 makes of them goes to the guest that is currently executing (`V86Host`), and nothing outside v86
 * is affected. Timer functions (`setTimeout`, `setImmediate`) are left alone: the adapter never lets v86
 * schedule itself (guest-machine.ts replaces its `next_tick`), and they are used only while an instance is
 * being constructed, which is outside simulated time.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chooseWasmTiers, withDefaultTiers } from './wasm-tiers';
import { Wasm, type V86Constructor, type V86Cpu, type V86Machine, type V86Options, type V86Starter, type WasmModule } from './v86-types';

/** What a running guest supplies to v86 in place of the host's clock and entropy. */
export interface V86Host {
  /** v86 `microtick`: guest time in milliseconds (fractional). */
  microtick(): number;
  /** `Date.now()` as v86 sees it (the RTC): a fixed epoch plus guest time, in ms. */
  dateNow(): number;
  /** `Math.random()` as v86 sees it. */
  random(): number;
  /** `crypto.getRandomValues` as v86 sees it. */
  fillRandom(view: ArrayBufferView): void;
}

/** Epoch the guests' RTC starts at (2024-01-01T00:00:00Z): fixed, so a guest's `date` is reproducible. */
export const GUEST_EPOCH_MS = Date.UTC(2024, 0, 1);

let current: V86Host | null = null;
/** Reads v86 made with no guest executing (a bug in the adapter if non-zero; shown by tests). */
export let unpinnedReads = 0;

function host(): V86Host | null {
  if (!current) unpinnedReads++;
  return current;
}

/** Run `fn` with `h` as the guest v86 is executing for. Re-entrant (restores the previous host). */
export function withHost<T>(h: V86Host, fn: () => T): T {
  const prev = current;
  current = h;
  try {
    return fn();
  } finally {
    current = prev;
  }
}

/** `performance` as v86 sees it. Pinned: the only clock v86 reads (`microtick`). */
const pinnedPerformance = {
  now: (): number => host()?.microtick() ?? 0,
};

const RealDate = Date;
/** `Date` as v86 sees it: `Date.now()` and `new Date()` read the guest's RTC clock; all else is Date. */
class PinnedDate extends RealDate {
  constructor(...args: unknown[]) {
    if (args.length === 0) super(host()?.dateNow() ?? GUEST_EPOCH_MS);
    else super(...(args as [string]));
  }
  static override now(): number {
    return host()?.dateNow() ?? GUEST_EPOCH_MS;
  }
}

/** `Math` as v86 sees it: `random` from the guest's seeded stream; everything else inherited from Math. */
const pinnedMath: Math = Object.create(Math, {
  random: { value: (): number => host()?.random() ?? 0.5 },
}) as Math;

/**
 * Built-in objects v86's code names, handed to it as its own variables: the same objects its global names give.
 * Where globals are served through interceptors (a `node:vm` context: jest runs every test file in one), each
 * global load would be a call into C++ (docs/testing.md "Globals under jest"); a variable is a plain load.
 */
const INTRINSICS = ['Object', 'Array', 'Number', 'String', 'Symbol', 'JSON', 'Reflect', 'Map', 'Set', 'WeakMap', 'ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Uint8Array', 'Uint8ClampedArray', 'Int8Array', 'Uint16Array', 'Int16Array', 'Uint32Array', 'Int32Array', 'Float32Array', 'Float64Array', 'BigInt', 'BigInt64Array', 'BigUint64Array', 'Error', 'TypeError', 'RangeError', 'isNaN', 'isFinite', 'parseInt', 'parseFloat'] as const;

/** `crypto` as v86 sees it. */
const pinnedCrypto = {
  getRandomValues<T extends ArrayBufferView>(view: T): T {
    const h = host();
    if (h) h.fillRandom(view);
    else new Uint8Array(view.buffer, view.byteOffset, view.byteLength).fill(0);
    return view;
  },
};

interface Loaded {
  V86: V86Constructor;
  wasm: WasmModule;
  dir: string;
}
let loaded: Loaded | null = null;

/** Folder of the installed v86 package (its `build/` holds libv86.js and v86.wasm). */
export function v86PackageDir(): string {
  return path.dirname(require.resolve('v86/package.json'));
}

/** v86's build handed over by a host without node:fs (the web page fetches it: emulator/app/web-page/core/guest-files.ts). */
let provided: { text: string; wasm: Uint8Array; dir: string } | null = null;

/**
 * Use `text` (build/libv86.js) and `wasm` (build/v86.wasm) instead of reading them from node_modules: the same
 * files, evaluated the same way (load), so the page's guests run the code `qnxemu run`'s do. `dir` names where
 * they came from (messages only).
 */
export function provideV86Build(text: string, wasm: Uint8Array, dir: string): void {
  if (loaded) return;
  provided = { text, wasm, dir };
}

/** v86's core module compiled by another thread (a guest's worker gets the main thread's: v86Core). */
let providedCore: WasmModule | null = null;

/** Use `core`, compiled elsewhere in this process, as v86's core module instead of compiling build/v86.wasm. */
export function provideV86Core(core: WasmModule): void {
  if (loaded) return;
  providedCore = core;
}

/**
 * v86's core module as this thread compiled it, for a worker thread (compiled code and its tier-ups are shared by
 * every thread that instantiates the module; wasm-tiers.ts says why the main thread compiles it).
 */
export function v86Core(): WasmModule {
  return load().wasm;
}

function load(): Loaded {
  if (loaded) return loaded;
  // Before v86's JIT compiles anything: Liftoff only for its modules, V8's default tiers for the core (wasm-tiers.ts).
  chooseWasmTiers();
  const dir = provided ? provided.dir : v86PackageDir();
  const text = provided ? provided.text : fs.readFileSync(path.join(dir, 'build', 'libv86.js'), 'utf8');
  const mod: { exports: Record<string, unknown> } = { exports: {} };
  // Evaluate v86's CommonJS build with the four nondeterministic host objects bound to pinned ones.
  const factory = new Function('module', 'exports', 'require', '__dirname', 'performance', 'Date', 'Math', 'crypto', ...INTRINSICS, text) as (
    ...a: unknown[]
  ) => void;
  // A browser has no `require`: v86 then takes its browser paths, none of which it reaches with our options.
  const req = typeof require === 'function' ? require : undefined;
  const intrinsics = INTRINSICS.map((n) => (globalThis as Record<string, unknown>)[n]);
  factory.call(globalThis, mod, mod.exports, req, path.join(dir, 'build'), pinnedPerformance, PinnedDate, pinnedMath, pinnedCrypto, ...intrinsics);
  const V86 = mod.exports['V86'] as V86Constructor | undefined;
  if (typeof V86 !== 'function') throw new Error(`v86: ${dir}/build/libv86.js did not export V86`);
  const bytes = providedCore ? null : provided ? provided.wasm : fs.readFileSync(path.join(dir, 'build', 'v86.wasm'));
  const wasm = providedCore ?? withDefaultTiers(() => new Wasm.Module(bytes!));
  providedCore = null;
  provided = null;
  loaded = { V86, wasm, dir };
  return loaded;
}

/** Offset of the JIT's function table entries in v86's wasm table (`WASM_TABLE_OFFSET` in src/const.js). */
const WASM_TABLE_OFFSET = 1024;

export interface V86Instance {
  starter: V86Starter;
  machine: V86Machine;
  /**
   * Install the code the JIT generated during the last `main_loop` (v86 cannot take it back while it is still
   * generating: its JIT state is locked then). The guest machine calls this right after each quantum.
   */
  finishJit(): void;
}

/**
 * CPU registers v86's `set_state` restores lossily (src/cpu.js; v86 0.5.462): `last_result` (the result the lazy
 * ZF/SF/PF are computed from, state[86]), `fpu_status_word` (state[87]) and `mxcsr` (state[88]) are assigned to the
 * CPU object's properties (`this.mxcsr = state[88]`) instead of being written into wasm memory, where the core keeps
 * them: a fresh instance keeps its power-on values, an instance restored in place keeps its live ones, and either way
 * the property then holds a detached copy that a later `save_state` saves instead of the live register. And the x87
 * control word is stored directly (`fpu_control_word[0] = state[70]`) rather than through the core's
 * `set_control_word`, so the rounding mode and precision the core's softfloat uses stay whatever the instance last
 * loaded (a fresh instance: round to nearest, 64-bit mantissa), not what the saved control word says.
 * Offsets: src/rust/cpu/global_pointers.rs.
 */
const LOSSY_REGISTERS: readonly { key: 'last_result' | 'fpu_status_word' | 'mxcsr'; index: number; offset: number; kind: Int32ArrayConstructor | Uint16ArrayConstructor }[] = [
  { key: 'last_result', index: 86, offset: 112, kind: Int32Array },
  { key: 'fpu_status_word', index: 87, offset: 1040, kind: Uint16Array },
  { key: 'mxcsr', index: 88, offset: 824, kind: Int32Array },
];

/** `instruction_counter` in wasm memory (src/rust/cpu/global_pointers.rs): read by the guest clock, kept across a reset. */
const INSTRUCTION_COUNTER_OFFSET = 664;

/**
 * The wasm core's own memory outside guest RAM as it is when an instance has been created (before the guest runs):
 * its statics and heap (the JIT's state — hash maps and their hasher keys, the free list of wasm table slots — the
 * TLB, the allocator, the TSC extrapolation state). v86's `restore_state` resets only part of that (it drops the JIT
 * cache and the TLB), and what it leaves depends on the instance's history: the JIT's hash sets iterate in an order
 * that depends on how many the instance has created, so an instance that booted the guest and one created for a
 * restore compile different code from the same entry points (observed: the first module compiled after the
 * snapshot of the WPA2 test differs in size), exit compiled code at different instructions and so take interrupts
 * elsewhere. Putting this copy back before each restore makes every restore start from the same core state.
 */
interface CoreImage {
  /** The core's non-zero 4 KiB pages (page index → its bytes); every other page outside guest RAM was zero. */
  pages: Map<number, Uint8Array>;
  /** Bytes of wasm memory the image covers (memory may grow later; what lies beyond was never part of it). */
  length: number;
  ramStart: number;
  ramEnd: number;
}

const CORE_PAGE = 4096;

/** Whether wasm memory page `p` (4 KiB, 4-byte aligned) is all zero. */
function zeroPage(words: Int32Array, p: number): boolean {
  for (let i = p * (CORE_PAGE / 4), end = i + CORE_PAGE / 4; i < end; i++) if (words[i] !== 0) return false;
  return true;
}

/** The core's pages outside guest RAM, as [first, end) page ranges. */
function corePages(image: Pick<CoreImage, 'length' | 'ramStart' | 'ramEnd'>): [number, number][] {
  return [
    [0, image.ramStart / CORE_PAGE],
    [image.ramEnd / CORE_PAGE, Math.ceil(image.length / CORE_PAGE)],
  ];
}

/**
 * Sparse: a fresh core is almost all zero (19 non-zero pages of about 2 900 with v86 0.5.462 and a 128 MiB guest),
 * so only its non-zero pages are copied — a full copy wrote 18 MiB into fresh buffers at every creation, and wrote
 * it all back over untouched pages (page faults) at every restore.
 */
function captureCore(cpu: V86Cpu): CoreImage {
  const buf = cpu.wasm_memory.buffer;
  const ramStart = cpu.mem8.byteOffset;
  const ramEnd = ramStart + cpu.mem8.byteLength;
  if (ramStart % CORE_PAGE !== 0 || ramEnd % CORE_PAGE !== 0 || buf.byteLength % CORE_PAGE !== 0) throw new Error('v86: guest RAM is not page-aligned in wasm memory');
  const image: CoreImage = { pages: new Map(), length: buf.byteLength, ramStart, ramEnd };
  const words = new Int32Array(buf);
  for (const [first, end] of corePages(image))
    for (let p = first; p < end; p++) if (!zeroPage(words, p)) image.pages.set(p, new Uint8Array(buf.slice(p * CORE_PAGE, (p + 1) * CORE_PAGE)));
  return image;
}

/** The core outside guest RAM back to `image` (the bytes a full copy of it would write), the instruction counter kept. */
function resetCore(cpu: V86Cpu, image: CoreImage): void {
  const buf = cpu.wasm_memory.buffer;
  if (cpu.mem8.byteOffset !== image.ramStart) throw new Error('v86: guest RAM moved in wasm memory');
  const counter = new Uint32Array(buf, INSTRUCTION_COUNTER_OFFSET, 1)[0]!;
  const mem = new Uint8Array(buf);
  const words = new Int32Array(buf);
  for (const [first, end] of corePages(image))
    for (let p = first; p < end; p++) {
      const saved = image.pages.get(p);
      if (saved) mem.set(saved, p * CORE_PAGE);
      else if (!zeroPage(words, p)) mem.fill(0, p * CORE_PAGE, (p + 1) * CORE_PAGE);
    }
  new Uint32Array(buf, INSTRUCTION_COUNTER_OFFSET, 1)[0] = counter;
}

/**
 * Make `cpu.set_state` (called by `restore_state`) a complete restore, the same whether the instance booted the guest
 * or was just created (restore = continue; tests/guest/restore-continue.test.ts): first the core is put back to its
 * image from creation (CoreImage; guest RAM and the retired-instruction counter are kept), then v86's own set_state
 * runs, then what it restores lossily (LOSSY_REGISTERS) is written into wasm memory, the CPU's properties get their
 * live views back, and the control word goes through the core's `set_control_word`. Deterministic: it uses only the
 * image and the state being restored.
 */
function repairSetState(cpu: V86Cpu): void {
  const image = captureCore(cpu);
  const views = { last_result: cpu.last_result, fpu_status_word: cpu.fpu_status_word, mxcsr: cpu.mxcsr };
  const exports = cpu.wm.exports;
  const setControlWord = exports['set_control_word'];
  if (typeof setControlWord !== 'function') throw new Error('v86: the wasm core exports no set_control_word');
  const setState = cpu.set_state.bind(cpu);
  cpu.set_state = (state: unknown[]): void => {
    resetCore(cpu, image);
    setState(state);
    for (const r of LOSSY_REGISTERS) {
      Object.assign(cpu, { [r.key]: views[r.key] });
      const saved = state[r.index] as ArrayLike<number> | undefined;
      if (saved !== undefined) new r.kind(cpu.wasm_memory.buffer, r.offset, 1)[0] = saved[0]!;
    }
    (setControlWord as (cw: number) => void)(cpu.fpu_control_word[0]!);
  };
}

/**
 * Create a v86 instance for `h` and wait until it is initialised (BIOS, kernel and initrd loaded, devices
 * built), without starting it. Afterwards:
 * - v86 never schedules itself: `next_tick` (which would call setTimeout/setImmediate, including from the
 *   wake-up path when an interrupt ends a HLT) does nothing; the caller drives `cpu.main_loop()`.
 * - JIT code is installed at a fixed point: at the end of the quantum in which v86 generated it
 *   (`finishJit`). v86 normally instantiates each compiled block with an asynchronous
 *   `WebAssembly.instantiate`, so when compiled code starts being used would depend on the host's event loop
 *   and compile threads, and with it where timer interrupts land in the instruction stream.
 */
export async function createV86(opts: Omit<V86Options, 'wasm_fn'>, h: V86Host): Promise<V86Instance> {
  const { V86, wasm } = load();
  const prev = current;
  current = h;
  try {
    const starter = new V86({
      ...opts,
      wasm_fn: (env) => Promise.resolve(new Wasm.Instance(wasm, env).exports),
    });
    await new Promise<void>((resolve) => starter.add_listener('emulator-loaded', () => resolve()));
    const machine = starter.v86;
    if (!machine) throw new Error('v86: emulator-loaded without an emulator');
    machine.next_tick = () => undefined;
    const cpu = machine.cpu;
    const pending: { index: number; start: number; flags: number; code: Uint8Array }[] = [];
    cpu.codegen_finalize = (index, start, flags, ptr, len) => {
      pending.push({ index, start, flags, code: new Uint8Array(cpu.wasm_memory.buffer, ptr >>> 0, len >>> 0).slice() });
    };
    const finishJit = (): void => {
      while (pending.length > 0) {
        const p = pending.shift()!;
        const inst = new Wasm.Instance(new Wasm.Module(p.code), { e: cpu.jit_imports });
        cpu.wm.wasm_table.set(p.index + WASM_TABLE_OFFSET, inst.exports['f']);
        cpu.codegen_finalize_finished(p.index, p.start, p.flags);
      }
    };
    repairSetState(cpu);
    return { starter, machine, finishJit };
  } finally {
    current = prev;
  }
}
