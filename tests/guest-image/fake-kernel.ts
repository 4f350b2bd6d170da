/**
 * Test helper: a minimal bzImage (Linux x86 boot protocol, Documentation/arch/x86/boot.rst) whose payload is a gzip'd
 * i386 ELF "vmlinux" with the given loadable segments — what emulator/app/guest-image/direct-boot.ts takes apart.
 */
import { gzipSync } from 'node:zlib';

export interface FakeSegment {
  paddr: number;
  bytes: Uint8Array | string;
  /** Bytes in memory beyond the file's (BSS); the default is none. */
  bss?: number;
}

/** An ELF32 little-endian EM_386 executable with one PT_LOAD per segment (file bytes after the headers). */
export function fakeVmlinux(entry: number, segments: FakeSegment[], machine = 3): Buffer {
  const datas = segments.map((s) => Buffer.from(s.bytes));
  const phoff = 52;
  let off = phoff + 32 * segments.length;
  const buf = Buffer.alloc(off + datas.reduce((n, d) => n + d.length, 0));
  buf.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1], 0);
  buf.writeUInt16LE(2, 16); // ET_EXEC
  buf.writeUInt16LE(machine, 18);
  buf.writeUInt32LE(1, 20);
  buf.writeUInt32LE(entry, 24);
  buf.writeUInt32LE(phoff, 28);
  buf.writeUInt16LE(52, 40);
  buf.writeUInt16LE(32, 42);
  buf.writeUInt16LE(segments.length, 44);
  segments.forEach((s, i) => {
    const ph = phoff + 32 * i;
    const d = datas[i]!;
    buf.writeUInt32LE(1, ph); // PT_LOAD
    buf.writeUInt32LE(off, ph + 4);
    buf.writeUInt32LE(0xc0000000 + s.paddr, ph + 8);
    buf.writeUInt32LE(s.paddr, ph + 12);
    buf.writeUInt32LE(d.length, ph + 16);
    buf.writeUInt32LE(d.length + (s.bss ?? 0), ph + 20);
    buf.writeUInt32LE(5, ph + 24);
    buf.writeUInt32LE(0x1000, ph + 28);
    d.copy(buf, off);
    off += d.length;
  });
  return buf;
}

/**
 * A bzImage: one setup sector after the boot sector (setup_sects = 1), protocol `version`, then the protected-mode
 * part: 16 bytes of stand-in decompressor, the payload (gzip'd `vmlinux` unless given), 8 trailing bytes.
 */
export function fakeBzImage(vmlinux: Uint8Array, o: { version?: number; payload?: Uint8Array } = {}): Buffer {
  const setup = Buffer.alloc(1024, 0x11);
  setup[0x1f1] = 1;
  setup.writeUInt16LE(0xaa55, 0x1fe);
  setup.write('HdrS', 0x202, 'latin1');
  setup.writeUInt16LE(o.version ?? 0x20f, 0x206);
  setup.writeUInt32LE(0x100000, 0x214);
  const payload = Buffer.from(o.payload ?? gzipSync(vmlinux));
  setup.writeUInt32LE(16, 0x248);
  setup.writeUInt32LE(payload.length, 0x24c);
  return Buffer.concat([setup, Buffer.alloc(16, 0xee), payload, Buffer.alloc(8, 0x77)]);
}
