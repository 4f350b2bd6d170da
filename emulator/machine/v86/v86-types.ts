/**
 * The parts of v86's internals the adapter touches, typed. These names survive v86's minification (they are
 * property names, not locals) and are the ones its own devices use (`src/pci.js`, `src/io.js`, `src/cpu.js`,
 * `src/main.js`, `src/browser/starter.js` in the v86 repository). Nothing outside emulator/machine/v86 sees them.
 */

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
  io: V86Io;
  devices: { pci: V86Pci; rtc: V86Rtc; net?: unknown };
  mem8: Uint8Array;
  wasm_memory: WasmMemory;
  wm: { wasm_table: WasmTable };
  jit_imports: object;
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
