/**
 * Checks of a node that the board or v86 would otherwise make only when the run starts (and report as a crash):
 * - `ram:` of a simulated QNX node: the board's RAM is a 32-bit physical address space
 *   (emulator/machine/board/ram.ts PhysicalMemory accepts 1 byte … 4 GiB);
 * - PCI slots: one function 0 per device number on bus 0 (PCI Local Bus spec. 2.3 §3.2.2.3.5: a device number
 *   selects one IDSEL line), so two NICs cannot share a `slot`; in a guest, v86's own devices hold some numbers;
 * - the files a guest names (`kernel`, `initrd`, `bios`, `vga-bios`) must exist and be readable.
 * Each error is located at the field.
 */
import * as fs from 'node:fs';
import type { NodeSpec } from './types';

type Locate = (path: (string | number)[], problem: string) => Error;

/** Largest RAM the board takes: the 32-bit physical address space (PhysicalMemory's bound). */
export const MAX_RAM_BYTES = 0x1_0000_0000;

/** PCI device numbers v86 gives its own devices (emulator/app/assembly/guest-node.ts FREE_SLOTS avoids them). */
export const V86_PCI_SLOTS: readonly number[] = [0, 1, 5, 7, 10, 11, 12, 18, 30];

export function checkRam(name: string, raw: string | number | undefined, bytes: number, locate: Locate): void {
  if (raw === undefined) return;
  if (bytes <= 0) throw locate(['nodes', name, 'ram'], `nodes.${name}.ram: ${raw} is no memory at all (give a size such as 64M)`);
  if (bytes > MAX_RAM_BYTES)
    throw locate(['nodes', name, 'ram'], `nodes.${name}.ram: ${raw} is more than the board's 32-bit physical address space holds (at most 4G)`);
}

export function checkPciSlots(node: Pick<NodeSpec, 'name' | 'kind' | 'nics'>, locate: Locate): void {
  const taken = new Map<number, number>();
  node.nics.forEach((nic, i) => {
    const r = nic.resources;
    if (r.bus !== 'pci' || r.slot === null) return;
    const at = ['nodes', node.name, 'nics', i, 'slot'];
    const other = taken.get(r.slot);
    if (other !== undefined) throw locate(at, `${at.join('.')}: PCI slot ${r.slot} is already nics[${other}]'s (one device per slot)`);
    if (node.kind === 'guest' && V86_PCI_SLOTS.includes(r.slot))
      throw locate(at, `${at.join('.')}: PCI slot ${r.slot} holds one of v86's own devices (free: any of 2–31 but ${V86_PCI_SLOTS.join(', ')})`);
    taken.set(r.slot, i);
  });
}

export function checkGuestFiles(node: NodeSpec, locate: Locate): void {
  const g = node.guest;
  if (!g) return;
  const files: [string, string | null][] = [['kernel', g.kernel], ['initrd', g.initrd], ['bios', g.bios], ['vga-bios', g.vgaBios]];
  for (const [field, file] of files) {
    if (file === null) continue;
    const at = ['nodes', node.name, field];
    let problem: string | null = null;
    try {
      if (!fs.statSync(file).isFile()) problem = 'is not a file';
      else fs.accessSync(file, fs.constants.R_OK);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      problem = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (e as Error).message})`;
    }
    if (problem) throw locate(at, `${at.join('.')}: ${file} ${problem}`);
  }
}
