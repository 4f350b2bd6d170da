/**
 * A stand-in for the parts of a v86 CPU the adapter's memory side touches (its memory map and RAM), built the
 * way v86's `IO` constructor builds them (`src/io.js`): every 128 KiB block from the end of RAM to 4 GiB gets
 * an "unmapped" handler that reads 0xff and drops writes, and 32-bit handlers default to shims that make four
 * byte calls. Enough to test mmio-window.ts and guest-dma.ts without booting anything.
 */
import type { V86Cpu, V86MmapRead, V86MmapWrite, V86PortEntry } from '../../emulator/machine/v86/v86-types';
import type { V86Instance } from '../../emulator/machine/v86/v86-runtime';

export interface FakeCpu {
  cpu: V86Cpu;
  /** Calls of the "unmapped" handlers v86 installed, as "r8 addr" / "w8 addr=value". */
  unmapped: string[];
  /** jit_dirty_cache calls as [start, end). */
  dirtied: [number, number][];
}

export function fakeCpu(ramBytes: number): FakeCpu {
  const unmapped: string[] = [];
  const dirtied: [number, number][] = [];
  const mem = { buffer: new ArrayBuffer(ramBytes + 4096) };
  const r8: (V86MmapRead | undefined)[] = [];
  const w8: (V86MmapWrite | undefined)[] = [];
  const r32: (V86MmapRead | undefined)[] = [];
  const w32: (V86MmapWrite | undefined)[] = [];
  const shimR32: V86MmapRead = (a) => {
    const f = r8[a >>> 17]!;
    return f(a) | (f(a + 1) << 8) | (f(a + 2) << 16) | (f(a + 3) << 24);
  };
  const shimW32: V86MmapWrite = (a, v) => {
    const f = w8[a >>> 17]!;
    for (let k = 0; k < 4; k++) f(a + k, (v >>> (8 * k)) & 0xff);
  };
  const io = {
    ports: [] as V86PortEntry[],
    create_empty_entry: () => {
      throw new Error('not in the fake');
    },
    register_read: () => undefined,
    register_write: () => undefined,
    mmap_register(addr: number, size: number, fr8: V86MmapRead, fw8: V86MmapWrite, fr32?: V86MmapRead, fw32?: V86MmapWrite): void {
      if (addr % (1 << 17) !== 0 || size % (1 << 17) !== 0) throw new Error(`mmap_register ${addr.toString(16)}+${size.toString(16)}: not block aligned`);
      for (let b = addr / (1 << 17); b < (addr + size) / (1 << 17); b++) {
        r8[b] = fr8;
        w8[b] = fw8;
        r32[b] = fr32 ?? shimR32;
        w32[b] = fw32 ?? shimW32;
      }
    },
  };
  io.mmap_register(
    ramBytes,
    0x1_0000_0000 - ramBytes,
    (a) => {
      unmapped.push(`r8 ${a.toString(16)}`);
      return 0xff;
    },
    (a, v) => {
      unmapped.push(`w8 ${a.toString(16)}=${v.toString(16)}`);
    },
  );
  const addr = new Uint8Array(4);
  const pci = {
    device_spaces: [],
    devices: [],
    pci_addr: addr,
    pci_addr32: new Int32Array(addr.buffer),
    pci_response32: new Int32Array(1),
    pci_status32: new Int32Array(1),
    register_device: () => new Int32Array(64),
    raise_irq: () => undefined,
    lower_irq: () => undefined,
    pci_query: () => undefined,
    pci_write8: () => undefined,
    pci_write16: () => undefined,
    pci_write32: () => undefined,
  };
  // CONFIG_DATA as v86 registers it (src/pci.js: register_read_consecutive over pci_response).
  const resp = new Uint8Array(pci.pci_response32.buffer);
  const none = (): number => 0xff;
  for (let k = 0; k < 4; k++) {
    io.ports[0xcfc + k] = {
      read8: () => resp[k]!,
      read16: k % 2 === 0 ? () => resp[k]! | (resp[k + 1]! << 8) : none,
      read32: k === 0 ? () => pci.pci_response32[0]! : none,
      write8: () => undefined,
      write16: () => undefined,
      write32: () => undefined,
      device: pci,
    };
  }
  const cpu = {
    io,
    devices: { pci },
    mem8: new Uint8Array(mem.buffer, 4096, ramBytes),
    wasm_memory: mem,
    memory_size: Uint32Array.of(ramBytes),
    memory_map_read8: r8,
    memory_map_write8: w8,
    memory_map_read32: r32,
    memory_map_write32: w32,
    jit_dirty_cache: (s: number, e: number) => {
      dirtied.push([s, e]);
    },
  } as unknown as V86Cpu;
  return { cpu, unmapped, dirtied };
}

/** A `V86Instance` around a fake CPU, for GuestMachine.bind (it never runs a quantum). */
export function fakeInstance(cpu: V86Cpu): V86Instance {
  return {
    starter: { add_listener: () => undefined } as unknown as V86Instance['starter'],
    machine: { cpu } as unknown as V86Instance['machine'],
    finishJit: () => undefined,
  };
}

/** A configuration write as the guest's CONFIG_DATA write reaches v86 (`pci_write32(bdf << 8 | reg, v)`). */
export function configWrite(c: V86Cpu, device: number, reg: number, size: 1 | 2 | 4, value: number): void {
  const pci = c.devices.pci;
  const addr = (device << 11) | reg;
  pci.pci_addr32[0] = (0x80000000 | (device << 11) | (reg & 0xfc)) | 0;
  pci.pci_query();
  if (size === 4) pci.pci_write32(addr, value);
  else if (size === 2) pci.pci_write16(addr, value);
  else pci.pci_write8(addr, value);
}

/** A configuration read as the guest makes it: CONFIG_ADDRESS (v86 runs `pci_query`), then CONFIG_DATA. */
export function configRead(c: V86Cpu, device: number, reg: number, size: 1 | 2 | 4): number {
  const pci = c.devices.pci;
  pci.pci_addr32[0] = (0x80000000 | (device << 11) | (reg & 0xfc)) | 0;
  pci.pci_query();
  const e = c.io.ports[0xcfc + (reg & 3)]!;
  const f = size === 4 ? e.read32 : size === 2 ? e.read16 : e.read8;
  return f.call(e.device) >>> 0;
}

/** Read/write through the memory map as v86's core does for an address in its mapped range. */
export const via = {
  r8: (c: V86Cpu, a: number): number => c.memory_map_read8[a >>> 17]!(a),
  w8: (c: V86Cpu, a: number, v: number): void => c.memory_map_write8[a >>> 17]!(a, v),
  r32: (c: V86Cpu, a: number): number => c.memory_map_read32[a >>> 17]!(a),
  w32: (c: V86Cpu, a: number, v: number): void => c.memory_map_write32[a >>> 17]!(a, v),
  /** v86 has no 16-bit MMIO read: two byte reads (`read16` in src/rust/cpu/memory.rs). */
  r16: (c: V86Cpu, a: number): number => via.r8(c, a) | (via.r8(c, a + 1) << 8),
  /** `mmap_write16` (src/cpu.js): two byte writes. */
  w16: (c: V86Cpu, a: number, v: number): void => {
    via.w8(c, a, v & 0xff);
    via.w8(c, a + 1, (v >>> 8) & 0xff);
  },
};
