/**
 * The parts of v86's internals the adapter touches, typed. These names survive v86's minification (they are
 * property names, not locals) and are the ones its own devices use (`src/pci.js`, `src/io.js`, `src/cpu.js`,
 * `src/main.js`, `src/browser/starter.js` in the v86 repository). Nothing outside emulator/machine/v86 sees them.
 */

/** v86 maps memory-mapped I/O in blocks of 128 KiB (`MMAP_BLOCK_BITS` in `src/const.js`; `addr >>> 17`). */
export const V86_MMAP_BLOCK_BITS = 17;
export const V86_MMAP_BLOCK = 1 << V86_MMAP_BLOCK_BITS;

/** One I/O port's handlers (v86 `IO.create_empty_entry`). */
export interface V86PortEntry {
  read8: (this: unknown) => number;
  read16: (this: unknown) => number;
  read32: (this: unknown) => number;
  write8: (this: unknown, v: number) => void;
  write16: (this: unknown, v: number) => void;
  write32: (this: unknown, v: number) => void;
  device: unknown;
}

export interface V86Io {
  ports: V86PortEntry[];
  create_empty_entry(): V86PortEntry;
  register_read(port: number, device: object, r8?: () => number, r16?: () => number, r32?: () => number): void;
  register_write(port: number, device: object, w8?: (v: number) => void, w16?: (v: number) => void, w32?: (v: number) => void): void;
}

/** The memory-mapped side of v86's `IO` object. */
export interface V86MmapIo {
  /**
   * Claim physical memory [addr, addr + size) for memory-mapped I/O: both multiples of `V86_MMAP_BLOCK`
   * (`src/io.js`). Missing 32-bit handlers become shims that make four byte calls. There is no unregister.
   */
  mmap_register(addr: number, size: number, r8: V86MmapRead, w8: V86MmapWrite, r32?: V86MmapRead, w32?: V86MmapWrite): void;
}

/**
 * A memory-mapped I/O handler as v86 calls it: with the physical address, `this` unbound (v86 calls them as
 * elements of its handler arrays). 8-bit reads return 0–255, 32-bit reads an int32; 32-bit writes pass an
 * int32 (sign included), 8-bit writes 0–255.
 */
export type V86MmapRead = (addr: number) => number;
export type V86MmapWrite = (addr: number, value: number) => void;

/** What `PCI.register_device` takes. `pci_bars` empty: the adapter maps BARs itself. */
export interface V86PciDevice {
  pci_id: number;
  pci_space: number[];
  pci_bars: unknown[];
  name: string;
}

export interface V86Pci {
  /** Config spaces by bus/device/function number (64 dwords each). */
  device_spaces: (Int32Array | undefined)[];
  devices: (V86PciDevice | undefined)[];
  pci_addr: Uint8Array;
  pci_addr32: Int32Array;
  pci_response32: Int32Array;
  pci_status32: Int32Array;
  register_device(dev: V86PciDevice): Int32Array;
  raise_irq(pciId: number): void;
  lower_irq(pciId: number): void;
  pci_query(): void;
  pci_write8(address: number, value: number): void;
  pci_write16(address: number, value: number): void;
  pci_write32(address: number, value: number): void;
}

export interface V86Rtc {
  rtc_time: number;
  last_update: number;
}

export interface V86Cpu {
  main_loop(): number;
  io: V86Io & V86MmapIo;
  devices: { pci: V86Pci; rtc: V86Rtc; net?: unknown };
  mem8: Uint8Array;
  /** Guest RAM size in bytes (a view of one u32 in wasm memory). */
  memory_size: Uint32Array;
  /**
   * Handlers per `V86_MMAP_BLOCK` of physical address space (index: addr >>> 17), for addresses v86 sends to
   * memory-mapped I/O (`in_mapped_range`: 0xa0000–0xbffff and everything from the end of RAM up, except its
   * VGA linear frame buffer and the local/IO APIC, which its core handles first). 16-bit reads and writes
   * reach the 8-bit handlers twice; 64- and 128-bit writes the 32-bit handler two or four times.
   */
  memory_map_read8: (V86MmapRead | undefined)[];
  memory_map_write8: (V86MmapWrite | undefined)[];
  memory_map_read32: (V86MmapRead | undefined)[];
  memory_map_write32: (V86MmapWrite | undefined)[];
  /**
   * Drop compiled code for guest-physical [start, end) (wasm export `jit_dirty_cache`): what v86 does itself
   * before it writes RAM from outside the CPU (`CPU.write_blob`), so code the JIT compiled from those pages is
   * not run after a device overwrote them.
   */
  jit_dirty_cache(start: number, end: number): void;
  wasm_memory: WasmMemory;
  wm: { wasm_table: WasmTable; exports: Record<string, unknown> };
  jit_imports: object;
  /** `CPU.set_state` (src/cpu.js), called by `restore_state` with the CPU's part of the state. */
  set_state(state: unknown[]): void;
  /** `CPU.unpack_memory` (src/cpu.js): guest RAM from the state's page bitmap and packed pages (set_state calls it). */
  unpack_memory(bitmap: unknown, packed: Uint8Array): void;
  /** Wasm export `is_memory_zeroed`: whether guest RAM [addr, addr + length) is all zero. */
  is_memory_zeroed(addr: number, length: number): boolean | number;
  /** Registers in wasm memory (views; see v86-runtime.ts LOSSY_REGISTERS for why they are here). */
  last_result: Int32Array;
  fpu_status_word: Uint16Array;
  mxcsr: Int32Array;
  fpu_control_word: Uint16Array;
  codegen_finalize(index: number, start: number, stateFlags: number, ptr: number, len: number): void;
  codegen_finalize_finished(index: number, start: number, stateFlags: number): void;
  device_raise_irq(irq: number): void;
  device_lower_irq(irq: number): void;
}

/** The internal emulator (`src/main.js` `v86`). */
export interface V86Machine {
  cpu: V86Cpu;
  running: boolean;
  idle: boolean;
  next_tick(t: number): void;
  save_state(): ArrayBuffer;
  restore_state(state: ArrayBuffer): void;
}

/** The public starter object (`src/browser/starter.js` `V86`). */
export interface V86Starter {
  v86: V86Machine | undefined;
  bus: { send(name: string, value?: unknown): void; register(name: string, fn: (v: never) => void, self: object): void };
  add_listener(event: string, fn: (v: never) => void): void;
  serial0_send(text: string): void;
  destroy(): Promise<void>;
}

export interface V86Options {
  wasm_fn: (env: object) => Promise<Record<string, unknown>>;
  memory_size: number;
  vga_memory_size?: number;
  bios: { buffer: ArrayBuffer };
  vga_bios?: { buffer: ArrayBuffer };
  bzimage?: { buffer: ArrayBuffer };
  initrd?: { buffer: ArrayBuffer };
  cmdline?: string;
  autostart: false;
  disable_jit?: boolean;
  disable_keyboard: true;
  disable_mouse: true;
  disable_speaker: true;
  acpi?: boolean;
  net_device?: { type: 'ne2k' | 'virtio' | 'none' };
  log_level?: number;
}

export type V86Constructor = new (opts: V86Options) => V86Starter;

/** The WebAssembly API as used here (the project compiles without the DOM lib, which declares it). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
export interface WasmTable {
  set(index: number, value: unknown): void;
}
export type WasmModule = object;
export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
export interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => WasmInstance;
}
export const Wasm: WasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
