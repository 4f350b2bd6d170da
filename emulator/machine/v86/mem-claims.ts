import type { GuestLayout, GuestMachine } from './guest-machine';

/**
 * Where a memory BAR of one of our functions may be decoded in a v86 guest (design risk R9).
 *
 * v86 owns parts of the physical address space whatever the guest's PCI configuration says, and its core
 * answers some of them before any memory-mapped I/O handler is asked (`src/rust/cpu/memory.rs`, `src/cpu.js`
 * `load_bios`, `src/vga.js`):
 * - RAM, [0, memory_size): never sent to MMIO handlers at all (except the legacy VGA window 0xa0000–0xbffff);
 * - the VGA linear frame buffer, [0xe0000000, 0xe0000000 + vga_memory_size): served from VGA memory by the core;
 *   v86 keeps it there even when firmware moves its VGA's BAR0 ("Changing memory bar not supported");
 * - the VGA BIOS, which its VGA function declares as a 64 KiB expansion ROM at 0xfeb00000 (v86 registers a
 *   whole MiB there, but past the ROM image that handler reads 0 and ignores writes);
 * - 0xfec00000 up: the I/O APIC (0xfec00000), the local APIC (0xfee00000, in the core) and the system BIOS
 *   (0xfff00000, an alias of the top of the first MiB of RAM).
 * A BAR over any of those would never see its accesses, or break v86; it is refused and left undecoded (traced
 * `bar-conflict`, reason `v86-owned`), as is a BAR overlapping another of our windows (reason `overlap`: on a
 * real bus both targets would claim and the cycle's result would be garbage). A guest that reassigns the BAR
 * elsewhere (Linux does when a resource conflicts) gets it decoded there.
 *
 * Where it lands (risk R9, measured: tests/guest/mmio-guest.test.ts): SeaBIOS allocates 32-bit PCI memory
 * downwards from 0xfec00000 and puts a 64 KiB BAR at 0xfebe0000, inside v86's VGA-ROM MiB but clear of the
 * ROM itself; v86's own VGA BAR0 and ROM BAR, which it sizes too, stay where v86 keeps them.
 */
export const V86_VGA_LFB = 0xe000_0000;
/** v86's VGA expansion ROM: `pci_rom_address` and `pci_rom_size` of its VGA function (src/vga.js). */
export const V86_VGA_ROM = 0xfeb0_0000;
export const V86_VGA_ROM_BYTES = 0x1_0000;
/** From here to 4 GiB: I/O APIC, local APIC, system BIOS. */
export const V86_APIC_BIOS = 0xfec0_0000;
const TOP = 0x1_0000_0000;

export interface BarRefusal {
  reason: 'v86-owned' | 'overlap';
  /** What is there: ram, vga-lfb, vga-rom, apic-bios, or the label of the other window. */
  holder: string;
}

/** v86's own regions a window at [base, base + size) would hit (null: none). */
export function memoryBarConflict(layout: GuestLayout, base: number, size: number): BarRefusal | null {
  const end = base + size;
  const hit = (lo: number, hi: number): boolean => base < hi && end > lo;
  if (hit(0, layout.ramBytes)) return { reason: 'v86-owned', holder: 'ram' };
  if (hit(V86_VGA_LFB, V86_VGA_LFB + layout.vgaBytes)) return { reason: 'v86-owned', holder: 'vga-lfb' };
  if (hit(V86_VGA_ROM, V86_VGA_ROM + V86_VGA_ROM_BYTES)) return { reason: 'v86-owned', holder: 'vga-rom' };
  if (hit(V86_APIC_BIOS, TOP) || end > TOP) return { reason: 'v86-owned', holder: 'apic-bios' };
  return null;
}

interface Claim {
  owner: object;
  bar: number;
  base: number;
  size: number;
  label: string;
}

const claimsByGuest = new WeakMap<GuestMachine, MemoryClaims>();

/** The memory ranges our functions decode in one guest (kept with or without a CPU, so a replay decides alike). */
export class MemoryClaims {
  private readonly claims: Claim[] = [];

  static of(guest: GuestMachine): MemoryClaims {
    let c = claimsByGuest.get(guest);
    if (!c) {
      c = new MemoryClaims();
      claimsByGuest.set(guest, c);
    }
    return c;
  }

  /** Another window already decoding part of [base, base + size). */
  overlapping(owner: object, bar: number, base: number, size: number): string | null {
    const c = this.claims.find((x) => !(x.owner === owner && x.bar === bar) && base < x.base + x.size && base + size > x.base);
    return c ? c.label : null;
  }

  claim(owner: object, bar: number, base: number, size: number, label: string): void {
    this.release(owner, bar);
    this.claims.push({ owner, bar, base, size, label });
  }

  release(owner: object, bar: number): void {
    const i = this.claims.findIndex((x) => x.owner === owner && x.bar === bar);
    if (i >= 0) this.claims.splice(i, 1);
  }
}
