/**
 * Reads a Linux kernel module's `.modinfo` ELF section: NUL-separated "key=value" strings such as
 * `name=ne2k_pci`, `depends=8390`, `alias=pci:v000010ECd00008029…`, `firmware=tigon/tg3.bin`, `softdep=pre: crc32c`.
 * This is what `modinfo` (kmod) prints, read here directly so the builder needs no host tool; and the symbols a
 * module exports (for modules.symbols, depmod.ts).
 *
 * ELF layout (System V ABI, "ELF header" and "Sections"): e_ident[EI_CLASS] is 1 for 32-bit and 2 for
 * 64-bit, e_ident[EI_DATA] 1 for little-endian and 2 for big-endian; the section header table is at
 * e_shoff with e_shnum entries of e_shentsize bytes; e_shstrndx names the section holding section names.
 */

export type ModInfo = Map<string, string[]>;

export class ElfError extends Error {}

interface Section {
  nameOff: number;
  /** sh_type: SHT_SYMTAB (2) for the symbol table. */
  type: number;
  offset: number;
  size: number;
  /** sh_link: for a symbol table, the index of its string table. */
  link: number;
  entsize: number;
}

/** Section header type of a symbol table (System V ABI, "Sections"). */
const SHT_SYMTAB = 2;

function sections(elf: Uint8Array): { list: Section[]; shstrndx: number; le: boolean; is64: boolean } {
  if (elf.length < 52 || elf[0] !== 0x7f || elf[1] !== 0x45 || elf[2] !== 0x4c || elf[3] !== 0x46) {
    throw new ElfError('not an ELF file');
  }
  const cls = elf[4];
  const data = elf[5];
  if ((cls !== 1 && cls !== 2) || (data !== 1 && data !== 2)) throw new ElfError('unknown ELF class or byte order');
  const le = data === 1;
  const dv = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  const u16 = (o: number): number => dv.getUint16(o, le);
  const u32 = (o: number): number => dv.getUint32(o, le);
  const uword = (o: number): number => (cls === 1 ? u32(o) : Number(dv.getBigUint64(o, le)));
  const is64 = cls === 2;
  const shoff = uword(is64 ? 0x28 : 0x20);
  const shentsize = u16(is64 ? 0x3a : 0x2e);
  const shnum = u16(is64 ? 0x3c : 0x30);
  const shstrndx = u16(is64 ? 0x3e : 0x32);
  if (shoff + shnum * shentsize > elf.length) throw new ElfError('section header table past end of file');
  const list: Section[] = [];
  for (let i = 0; i < shnum; i++) {
    const b = shoff + i * shentsize;
    // Elf32_Shdr: name@0 type@4 flags@8 addr@12 offset@16 size@20 link@24 info@28 addralign@32 entsize@36;
    // Elf64_Shdr: name@0 type@4 flags@8 addr@16 offset@24 size@32 link@40 info@44 addralign@48 entsize@56.
    const offset = is64 ? uword(b + 24) : u32(b + 16);
    const size = is64 ? uword(b + 32) : u32(b + 20);
    const link = u32(is64 ? b + 40 : b + 24);
    const entsize = is64 ? uword(b + 56) : u32(b + 36);
    list.push({ nameOff: u32(b), type: u32(b + 4), offset, size, link, entsize });
  }
  return { list, shstrndx, le, is64 };
}

function cstring(elf: Uint8Array, off: number): string {
  let end = off;
  while (end < elf.length && elf[end] !== 0) end++;
  return new TextDecoder().decode(elf.subarray(off, end));
}

/** The raw bytes of the named section, or undefined if the file has none. */
export function elfSection(elf: Uint8Array, name: string): Uint8Array | undefined {
  const { list, shstrndx } = sections(elf);
  const strtab = list[shstrndx];
  if (strtab === undefined) throw new ElfError('no section name table');
  for (const s of list) {
    if (cstring(elf, strtab.offset + s.nameOff) !== name) continue;
    if (s.offset + s.size > elf.length) throw new ElfError(`section ${name} past end of file`);
    return elf.subarray(s.offset, s.offset + s.size);
  }
  return undefined;
}

/** Parses the NUL-separated "key=value" strings of a .modinfo section; repeated keys keep every value. */
export function parseModInfoStrings(bytes: Uint8Array): ModInfo {
  const info: ModInfo = new Map();
  for (const s of new TextDecoder().decode(bytes).split('\0')) {
    const eq = s.indexOf('=');
    if (eq <= 0) continue;
    const key = s.slice(0, eq);
    const list = info.get(key) ?? [];
    list.push(s.slice(eq + 1));
    info.set(key, list);
  }
  return info;
}

/**
 * The symbols a module exports (EXPORT_SYMBOL*), as kmod's depmod finds them for modules.symbols: with
 * CONFIG_MODVERSIONS (Debian's kernels) every export has a `__crc_<symbol>` entry in .symtab
 * (libkmod-elf.c kmod_elf_get_symbols); without it, the names listed in `__ksymtab_strings`. In .symtab order.
 */
export function moduleExports(elf: Uint8Array): string[] {
  const { list, le, is64 } = sections(elf);
  const dv = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  const out: string[] = [];
  const symtab = list.find((s) => s.type === SHT_SYMTAB);
  const strtab = symtab === undefined ? undefined : list[symtab.link];
  if (symtab !== undefined && strtab !== undefined && symtab.offset + symtab.size <= elf.length) {
    // Elf32_Sym and Elf64_Sym both begin with st_name (u32); entry 0 is the undefined symbol.
    const ent = symtab.entsize > 0 ? symtab.entsize : is64 ? 24 : 16;
    for (let o = symtab.offset + ent; o + ent <= symtab.offset + symtab.size; o += ent) {
      const name = cstring(elf, strtab.offset + dv.getUint32(o, le));
      if (name.startsWith('__crc_')) out.push(name.slice('__crc_'.length));
    }
  }
  if (out.length > 0) return out;
  const strings = elfSection(elf, '__ksymtab_strings');
  return strings === undefined ? [] : new TextDecoder().decode(strings).split('\0').filter((s) => s !== '');
}

/** `alias=` values (`pci:v000010ECd00008029sv*sd*bc*sc*i*`, `crypto-ccm`): what modules.alias maps to the module. */
export function moduleAliases(info: ModInfo): string[] {
  return [...(info.get('alias') ?? [])];
}

/** `softdep=` values as the module declares them (`pre: crc32c post: foo`): what modules.softdep lists. */
export function moduleSoftdeps(info: ModInfo): string[] {
  return [...(info.get('softdep') ?? [])];
}

/** The .modinfo of a module file (uncompressed .ko bytes). */
export function readModInfo(ko: Uint8Array): ModInfo {
  const sec = elfSection(ko, '.modinfo');
  if (sec === undefined) throw new ElfError('no .modinfo section (not a kernel module?)');
  return parseModInfoStrings(sec);
}

/** `depends=` as a list of module names (empty when the module depends on nothing). */
export function moduleDepends(info: ModInfo): string[] {
  return (info.get('depends') ?? []).flatMap((v) => v.split(',')).map((s) => s.trim()).filter((s) => s !== '');
}

/** Modules named by `softdep=pre: a b post: c` that must be loaded before this one. */
export function moduleSoftPre(info: ModInfo): string[] {
  const out: string[] = [];
  for (const v of info.get('softdep') ?? []) {
    let inPre = false;
    for (const tok of v.split(/\s+/)) {
      if (tok === 'pre:') inPre = true;
      else if (tok === 'post:') inPre = false;
      else if (tok !== '' && inPre) out.push(tok);
    }
  }
  return out;
}
