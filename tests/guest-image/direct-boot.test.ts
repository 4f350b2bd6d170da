/**
 * The direct-boot kernel (emulator/app/guest-image/direct-boot.ts): the bzImage's payload decompressed, its segments
 * laid out behind a trampoline that moves them to their physical addresses; and a clear error for every kernel it
 * cannot take apart. The real kernel boots through it in every guest test (tests/guest/*).
 */
import { spawnSync } from 'node:child_process';
import { decompressKernel, DirectBootError, directBootImage, elfLoadSegments, PROTECTED_MODE_BASE, TRAMPOLINE_BYTES } from '../../emulator/app/guest-image/direct-boot';
import { fakeBzImage, fakeVmlinux } from './fake-kernel';

const MiB16 = 0x1000000;

describe('direct boot image', () => {
  test('two segments with a gap: the setup part as it was, the trampoline, the segments at their offsets from the lowest', () => {
    const vm = fakeVmlinux(MiB16 + 4, [
      { paddr: MiB16 + 0x20, bytes: 'DATA', bss: 100 },
      { paddr: MiB16, bytes: 'TEXT!' },
    ]);
    const bz = fakeBzImage(vm);
    expect(Buffer.from(decompressKernel(bz))).toEqual(vm);
    const out = Buffer.from(directBootImage(bz, vm));
    const setup = 1024;
    // Setup part unchanged but for syssize (0x1f4): (32 + 0x24) bytes in 16-byte paragraphs.
    expect(out.subarray(0, 0x1f4)).toEqual(bz.subarray(0, 0x1f4));
    expect(out.subarray(0x1f8, setup)).toEqual(bz.subarray(0x1f8, setup));
    expect(out.readUInt32LE(0x1f4)).toBe(Math.ceil((32 + 0x24) / 16));
    const size = 0x24; // 0x20 + "DATA", a multiple of 4
    expect(out.length).toBe(setup + TRAMPOLINE_BYTES + size);
    expect(out.toString('latin1', setup + 32, setup + 37)).toBe('TEXT!');
    expect(out.subarray(setup + 37, setup + 64)).toEqual(Buffer.alloc(27)); // the gap
    expect(out.toString('latin1', setup + 64, setup + 68)).toBe('DATA');
    // The trampoline, instruction by instruction (Intel SDM vol. 2 encodings).
    const src = PROTECTED_MODE_BASE + TRAMPOLINE_BYTES;
    const t = out.subarray(setup, setup + TRAMPOLINE_BYTES);
    const expected = Buffer.alloc(TRAMPOLINE_BYTES, 0x90);
    Buffer.from([
      0x89, 0xf5, // mov %esi,%ebp
      0xfd, // std
      0xbe, ...le32(src + size - 4), // mov $src_last,%esi
      0xbf, ...le32(MiB16 + size - 4), // mov $dst_last,%edi
      0xb9, ...le32(size / 4), // mov $words,%ecx
      0xf3, 0xa5, // rep movsl
      0xfc, // cld
      0x89, 0xee, // mov %ebp,%esi
      0xb8, ...le32(MiB16 + 4), // mov $entry,%eax
      0xff, 0xe0, // jmp *%eax
    ]).copy(expected);
    expect(Buffer.from(t)).toEqual(expected);
  });

  test('a payload that is XZ is decompressed with the host xz (as Debian ships its kernels)', () => {
    const vm = fakeVmlinux(MiB16, [{ paddr: MiB16, bytes: 'KERNEL' }]);
    const xz = spawnSync('xz', ['-c', '--check=crc32'], { input: vm });
    expect(xz.status).toBe(0);
    expect(Buffer.from(decompressKernel(fakeBzImage(vm, { payload: xz.stdout })))).toEqual(vm);
  });

  test('what it cannot take apart is one clear error each', () => {
    const vm = fakeVmlinux(MiB16, [{ paddr: MiB16, bytes: 'KERNEL' }]);
    const err = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(DirectBootError);
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    expect(err(() => decompressKernel(Buffer.alloc(4096)))).toBe('the kernel is not a bzImage (no Linux boot protocol header)');
    expect(err(() => decompressKernel(fakeBzImage(vm, { version: 0x206 })))).toBe("the kernel's boot protocol is 2.6; 2.08 or later names its payload");
    expect(err(() => decompressKernel(fakeBzImage(vm, { payload: Buffer.from('BZh91AY&SY') })))).toBe(
      "the kernel's payload is neither XZ nor gzip (it starts 425a6839): a kernel built with another compression is not supported",
    );
    const moved = fakeBzImage(vm);
    moved.writeUInt32LE(0x200000, 0x214);
    expect(err(() => decompressKernel(moved))).toBe('the kernel moves its 32-bit entry (code32_start is not 1 MiB)');
    const cut = fakeBzImage(vm).subarray(0, 1100);
    expect(err(() => decompressKernel(cut))).toBe('the kernel is cut short: its payload runs past the end of the file');
    expect(err(() => elfLoadSegments(Buffer.from('not an elf at all, not at all, not at all, not at all, no')))).toBe('the decompressed kernel is not an ELF file');
    expect(err(() => elfLoadSegments(fakeVmlinux(MiB16, [{ paddr: MiB16, bytes: 'K' }], 62)))).toBe('the decompressed kernel is not a 32-bit x86 ELF');
    expect(err(() => elfLoadSegments(fakeVmlinux(MiB16, [])))).toBe('the decompressed kernel has nothing to load');
    const bz = fakeBzImage(vm);
    expect(err(() => directBootImage(bz, fakeVmlinux(0x2000000, [{ paddr: MiB16, bytes: 'KERNEL' }])))).toBe("the kernel's entry 0x2000000 is outside what it loads (0x1000000–0x1000008)");
    expect(err(() => directBootImage(bz, fakeVmlinux(PROTECTED_MODE_BASE, [{ paddr: PROTECTED_MODE_BASE, bytes: 'KERNEL' }])))).toBe(
      'the kernel loads at 0x100000, below its bytes at 0x100020',
    );
  });
});

function le32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}
