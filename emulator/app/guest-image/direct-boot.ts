/**
 * The guest's kernel, decompressed once when the image is built instead of at every boot.
 *
 * A Debian i386 `vmlinuz` is a bzImage (Linux's x86 boot protocol, Documentation/arch/x86/boot.rst): a real-mode
 * setup part, then a protected-mode part that is a small decompressor with the kernel (an ELF `vmlinux`) as an
 * XZ-compressed payload. The loader — v86 here, QEMU's `-kernel`, GRUB — copies the protected-mode part to 1 MiB and
 * starts the setup part, which switches to 32-bit protected mode and jumps to the header's `code32_start` (1 MiB)
 * with %esi pointing at the boot parameters. The decompressor then unpacks vmlinux and copies its loadable segments
 * to their physical addresses (16 MiB on, `CONFIG_PHYSICAL_START`) and jumps to its entry, %esi unchanged.
 *
 * Under v86 that decompression was two thirds of a boot: 2.3 s of the 3.58 s of guest time to the shell (XZ's
 * range decoder, sampled at quantum ends), about 4 s of a 12.5 s boot in wall time. So the image builder does it
 * once: `directBootImage` keeps the setup part as it is and replaces the protected-mode part with the kernel's
 * segments already laid out, behind a 32-byte trampoline at 1 MiB that moves them to their physical addresses (a
 * backwards `rep movsd`, right even if the two ranges overlapped) and jumps to the entry with %esi restored: what
 * the decompressor does after decompressing, as in arch/x86/boot/compressed/misc.c (`parse_elf`: copy each PT_LOAD
 * segment's file bytes to its p_paddr; the kernel clears its own BSS in head_32.S). The kernel runs at the address
 * it was linked for, so it needs none of its relocations (the decompressor applies them only when it moved the
 * kernel: KASLR, which therefore does not happen). The file is still a bzImage by the boot protocol (the header is
 * unchanged but for `syssize`), so v86, QEMU and any bzImage loader boot it the same way. (`payload_offset` and
 * `payload_length` still name where the compressed payload was: only tools that extract a kernel from a bzImage read
 * them, and there is no payload to extract now.)
 */
import { spawnSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';

/** Where a bzImage's protected-mode part is loaded (boot.rst: "the protected-mode kernel ... loaded at 0x100000"). */
export const PROTECTED_MODE_BASE = 0x100000;
/** The trampoline's length: the kernel's bytes follow it, 4-aligned. */
export const TRAMPOLINE_BYTES = 32;

export class DirectBootError extends Error {}

/** Boot-protocol header fields (boot.rst "THE REAL-MODE KERNEL HEADER"; offsets from the start of the file). */
const HDR = { setupSects: 0x1f1, syssize: 0x1f4, bootFlag: 0x1fe, header: 0x202, version: 0x206, code32Start: 0x214, payloadOffset: 0x248, payloadLength: 0x24c } as const;

/** The header's parts this module needs, checked. */
function bootHeader(bz: Uint8Array): { setupBytes: number; payloadOffset: number; payloadLength: number } {
  const dv = new DataView(bz.buffer, bz.byteOffset, bz.byteLength);
  if (bz.length < 0x250 || dv.getUint16(HDR.bootFlag, true) !== 0xaa55 || dv.getUint32(HDR.header, true) !== 0x53726448 /* "HdrS" */)
    throw new DirectBootError('the kernel is not a bzImage (no Linux boot protocol header)');
  const version = dv.getUint16(HDR.version, true);
  // payload_offset/payload_length came with protocol 2.08.
  if (version < 0x208) throw new DirectBootError(`the kernel's boot protocol is ${version >> 8}.${version & 0xff}; 2.08 or later names its payload`);
  if (dv.getUint32(HDR.code32Start, true) !== PROTECTED_MODE_BASE) throw new DirectBootError('the kernel moves its 32-bit entry (code32_start is not 1 MiB)');
  const setupBytes = ((bz[HDR.setupSects] || 4) + 1) * 512;
  const payloadOffset = setupBytes + dv.getUint32(HDR.payloadOffset, true);
  const payloadLength = dv.getUint32(HDR.payloadLength, true);
  if (payloadOffset + payloadLength > bz.length) throw new DirectBootError('the kernel is cut short: its payload runs past the end of the file');
  return { setupBytes, payloadOffset, payloadLength };
}

/**
 * The bzImage's payload, decompressed: XZ (Debian's kernels, with the host's `xz`, as modules.ts reads .ko.xz) or gzip
 * (node:zlib). The payload may be followed by other bytes (the 32-bit kernel's relocation table rides behind it:
 * arch/x86/boot/compressed/Makefile), which a single-stream read leaves alone.
 */
export function decompressKernel(bz: Uint8Array): Uint8Array {
  const { payloadOffset, payloadLength } = bootHeader(bz);
  const payload = bz.subarray(payloadOffset, payloadOffset + payloadLength);
  if (payload[0] === 0x1f && payload[1] === 0x8b) return new Uint8Array(gunzipSync(payload));
  if (Buffer.from(payload.subarray(0, 6)).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) {
    const r = spawnSync('xz', ['-dc', '--single-stream'], { input: payload, maxBuffer: 1 << 30 });
    if (r.error !== undefined) throw new DirectBootError(`decompressing the kernel needs the host tool "xz" (apt-get install xz-utils): ${r.error.message}`);
    if (r.status !== 0) throw new DirectBootError(`xz could not decompress the kernel: ${String(r.stderr).trim()}`);
    return new Uint8Array(r.stdout);
  }
  const magic = Buffer.from(payload.subarray(0, 4)).toString('hex');
  throw new DirectBootError(`the kernel's payload is neither XZ nor gzip (it starts ${magic}): a kernel built with another compression is not supported`);
}

interface LoadSegment {
  paddr: number;
  bytes: Uint8Array;
}

/** An i386 ELF's entry and loadable segments (PT_LOAD with file bytes), by physical address. */
export function elfLoadSegments(elf: Uint8Array): { entry: number; segments: LoadSegment[] } {
  const dv = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  if (elf.length < 52 || dv.getUint32(0, false) !== 0x7f454c46) throw new DirectBootError('the decompressed kernel is not an ELF file');
  // EI_CLASS 1 (32-bit), EI_DATA 1 (little-endian), e_machine 3 (EM_386).
  if (elf[4] !== 1 || elf[5] !== 1 || dv.getUint16(18, true) !== 3) throw new DirectBootError('the decompressed kernel is not a 32-bit x86 ELF');
  const entry = dv.getUint32(24, true);
  const phoff = dv.getUint32(28, true);
  const phentsize = dv.getUint16(42, true);
  const phnum = dv.getUint16(44, true);
  const segments: LoadSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (at + 32 > elf.length) throw new DirectBootError('the decompressed kernel is cut short (its program headers)');
    if (dv.getUint32(at, true) !== 1 /* PT_LOAD */) continue;
    const offset = dv.getUint32(at + 4, true);
    const filesz = dv.getUint32(at + 16, true);
    if (offset + filesz > elf.length) throw new DirectBootError('the decompressed kernel is cut short (a segment)');
    if (filesz > 0) segments.push({ paddr: dv.getUint32(at + 12, true), bytes: elf.subarray(offset, offset + filesz) });
  }
  if (segments.length === 0) throw new DirectBootError('the decompressed kernel has nothing to load');
  segments.sort((a, b) => a.paddr - b.paddr);
  return { entry, segments };
}

/**
 * The trampoline at 1 MiB: move `words` dwords from `src` to `dst` (both the first byte), last one first, and jump
 * to `entry` with %esi (the boot parameters) as the setup code left it. Entered in flat 32-bit protected mode with
 * interrupts off (arch/x86/boot/pmjump.S); uses %ebp to keep %esi, no stack.
 */
function trampoline(src: number, dst: number, words: number, entry: number): Uint8Array {
  const code: number[] = [];
  const imm32 = (v: number): void => void code.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  code.push(0x89, 0xf5); // mov %esi, %ebp
  code.push(0xfd); // std: copy downwards
  code.push(0xbe); // mov $last source dword, %esi
  imm32(src + (words - 1) * 4);
  code.push(0xbf); // mov $last destination dword, %edi
  imm32(dst + (words - 1) * 4);
  code.push(0xb9); // mov $words, %ecx
  imm32(words);
  code.push(0xf3, 0xa5); // rep movsl
  code.push(0xfc); // cld: the kernel expects the direction flag clear
  code.push(0x89, 0xee); // mov %ebp, %esi
  code.push(0xb8); // mov $entry, %eax
  imm32(entry);
  code.push(0xff, 0xe0); // jmp *%eax
  while (code.length < TRAMPOLINE_BYTES) code.push(0x90);
  return Uint8Array.from(code);
}

/**
 * A bzImage that boots `vmlinux` (the decompressed payload of `bz`) without decompressing: `bz`'s setup part, then the
 * trampoline, then the kernel's loadable segments laid out from the lowest physical address (gaps zero-filled,
 * padded to a dword), which the trampoline moves there.
 */
export function directBootImage(bz: Uint8Array, vmlinux: Uint8Array): Uint8Array {
  const { setupBytes } = bootHeader(bz);
  const { entry, segments } = elfLoadSegments(vmlinux);
  const base = segments[0]!.paddr;
  const last = segments[segments.length - 1]!;
  const size = (last.paddr + last.bytes.length - base + 3) & ~3;
  // Copying downwards is right when the destination is at or above the source (the trampoline, below both, is never
  // overwritten while it runs); the kernel's own address is 16 MiB.
  if (base < PROTECTED_MODE_BASE + TRAMPOLINE_BYTES) throw new DirectBootError(`the kernel loads at ${hex(base)}, below its bytes at ${hex(PROTECTED_MODE_BASE + TRAMPOLINE_BYTES)}`);
  if (entry < base || entry >= base + size) throw new DirectBootError(`the kernel's entry ${hex(entry)} is outside what it loads (${hex(base)}–${hex(base + size)})`);
  const out = new Uint8Array(setupBytes + TRAMPOLINE_BYTES + size);
  out.set(bz.subarray(0, setupBytes), 0);
  const image = setupBytes + TRAMPOLINE_BYTES;
  out.set(trampoline(PROTECTED_MODE_BASE + TRAMPOLINE_BYTES, base, size / 4, entry), setupBytes);
  for (const s of segments) out.set(s.bytes, image + s.paddr - base);
  // syssize: the protected-mode part's size in 16-byte paragraphs (loaders that read it load all of it).
  new DataView(out.buffer).setUint32(HDR.syssize, Math.ceil((TRAMPOLINE_BYTES + size) / 16), true);
  return out;
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}
