/**
 * What the dynamic loader needs to start a program: its interpreter (PT_INTERP) and the shared objects it
 * names (DT_NEEDED), read from an executable's or shared object's program headers. This is what
 * `readelf -l -d` prints, read here so the image builder needs no host tool and can collect a program's
 * libraries for the guest (emulator/app/guest-image/userland.ts).
 *
 * ELF layout (System V ABI, "Program Header" and "Dynamic Section"): the program header table is at
 * e_phoff with e_phnum entries of e_phentsize bytes. PT_INTERP's bytes are the interpreter's path,
 * NUL-terminated. PT_DYNAMIC holds (d_tag, d_val) pairs up to DT_NULL; DT_NEEDED and DT_SONAME are offsets
 * into the string table, whose *virtual address* DT_STRTAB gives — mapped to a file offset through the
 * PT_LOAD segment that contains it.
 */
import { ElfError } from './modinfo';

/** e_machine values the builder names in messages (System V ABI "ELF Header"). */
export const EM_386 = 3;
export const EM_X86_64 = 62;

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const DT_NULL = 0;
const DT_NEEDED = 1;
const DT_STRTAB = 5;
const DT_STRSZ = 10;
const DT_SONAME = 14;

export interface ElfDynamicInfo {
  /** ELFCLASS32 (32) or ELFCLASS64 (64). */
  bits: 32 | 64;
  /** e_machine: EM_386 = 3 for the guest's i386 userland. */
  machine: number;
  /** The interpreter's absolute path ("/lib/ld-linux.so.2"); undefined for a shared library or a static program. */
  interp: string | undefined;
  /** DT_NEEDED names in the order the file lists them (the loader's breadth-first order starts from it). */
  needed: string[];
  soname: string | undefined;
}

interface Segment {
  type: number;
  offset: number;
  vaddr: number;
  filesz: number;
}

function cstringAt(elf: Uint8Array, off: number, end: number): string {
  let e = off;
  while (e < end && elf[e] !== 0) e++;
  if (e >= end) throw new ElfError('unterminated string');
  return new TextDecoder().decode(elf.subarray(off, e));
}

/** Reads PT_INTERP and the dynamic section. A file without PT_DYNAMIC (a static program) needs nothing. */
export function readElfDynamic(elf: Uint8Array): ElfDynamicInfo {
  if (elf.length < 52 || elf[0] !== 0x7f || elf[1] !== 0x45 || elf[2] !== 0x4c || elf[3] !== 0x46) throw new ElfError('not an ELF file');
  const cls = elf[4];
  const data = elf[5];
  if ((cls !== 1 && cls !== 2) || (data !== 1 && data !== 2)) throw new ElfError('unknown ELF class or byte order');
  const is64 = cls === 2;
  const le = data === 1;
  const dv = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  const u16 = (o: number): number => dv.getUint16(o, le);
  const u32 = (o: number): number => dv.getUint32(o, le);
  const word = (o: number): number => (is64 ? Number(dv.getBigUint64(o, le)) : u32(o));
  const sword = (o: number): number => (is64 ? Number(dv.getBigInt64(o, le)) : dv.getInt32(o, le));
  if (elf.length < (is64 ? 64 : 52)) throw new ElfError('ELF header past end of file');

  const machine = u16(18);
  const phoff = word(is64 ? 0x20 : 0x1c);
  const phentsize = u16(is64 ? 0x36 : 0x2a);
  const phnum = u16(is64 ? 0x38 : 0x2c);
  if (phnum > 0 && (phentsize < (is64 ? 56 : 32) || phoff + phnum * phentsize > elf.length)) throw new ElfError('program header table past end of file');
  const segs: Segment[] = [];
  for (let i = 0; i < phnum; i++) {
    const b = phoff + i * phentsize;
    // Elf32_Phdr: type@0 offset@4 vaddr@8 filesz@16; Elf64_Phdr: type@0 offset@8 vaddr@16 filesz@32.
    segs.push(
      is64
        ? { type: u32(b), offset: word(b + 8), vaddr: word(b + 16), filesz: word(b + 32) }
        : { type: u32(b), offset: u32(b + 4), vaddr: u32(b + 8), filesz: u32(b + 16) },
    );
  }
  const inFile = (s: Segment): Segment => {
    if (s.offset + s.filesz > elf.length) throw new ElfError('segment past end of file');
    return s;
  };

  const interpSeg = segs.find((s) => s.type === PT_INTERP);
  const interp = interpSeg === undefined ? undefined : cstringAt(elf, inFile(interpSeg).offset, interpSeg.offset + interpSeg.filesz);
  const bits: 32 | 64 = is64 ? 64 : 32;
  const dyn = segs.find((s) => s.type === PT_DYNAMIC);
  if (dyn === undefined) return { bits, machine, interp, needed: [], soname: undefined };
  inFile(dyn);

  const entSize = is64 ? 16 : 8;
  const tags: { tag: number; val: number }[] = [];
  for (let o = dyn.offset; o + entSize <= dyn.offset + dyn.filesz; o += entSize) {
    const tag = sword(o);
    if (tag === DT_NULL) break;
    tags.push({ tag, val: word(o + (is64 ? 8 : 4)) });
  }
  const strtabAddr = tags.find((t) => t.tag === DT_STRTAB)?.val;
  const strsz = tags.find((t) => t.tag === DT_STRSZ)?.val;
  const named = tags.filter((t) => t.tag === DT_NEEDED || t.tag === DT_SONAME);
  if (named.length > 0 && (strtabAddr === undefined || strsz === undefined)) throw new ElfError('dynamic section names libraries but has no string table');
  let strOff = 0;
  if (strtabAddr !== undefined) {
    const load = segs.find((s) => s.type === PT_LOAD && strtabAddr >= s.vaddr && strtabAddr < s.vaddr + s.filesz);
    if (load === undefined) throw new ElfError('string table outside every loadable segment');
    strOff = inFile(load).offset + (strtabAddr - load.vaddr);
  }
  const str = (v: number): string => {
    if (strsz === undefined || v >= strsz || strOff + strsz > elf.length) throw new ElfError('string offset past the string table');
    return cstringAt(elf, strOff + v, strOff + strsz);
  };
  return {
    bits,
    machine,
    interp,
    needed: named.filter((t) => t.tag === DT_NEEDED).map((t) => str(t.val)),
    soname: named.filter((t) => t.tag === DT_SONAME).map((t) => str(t.val))[0],
  };
}
