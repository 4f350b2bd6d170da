/** Test helper: a minimal relocatable ELF with a null section, .shstrtab and .modinfo (built here from the ELF spec). */
export function fakeKo(modinfo: string[], bits: 32 | 64 = 32, le = true): Uint8Array {
  const shstr = Buffer.from('\0.shstrtab\0.modinfo\0', 'latin1');
  const info = Buffer.from(modinfo.map((s) => s + '\0').join(''), 'latin1');
  const ehsize = bits === 32 ? 52 : 64;
  const shentsize = bits === 32 ? 40 : 64;
  const shstrOff = ehsize;
  const infoOff = shstrOff + shstr.length;
  const shoff = Math.ceil((infoOff + info.length) / 8) * 8;
  const buf = Buffer.alloc(shoff + 3 * shentsize);
  buf.set([0x7f, 0x45, 0x4c, 0x46, bits === 32 ? 1 : 2, le ? 1 : 2, 1], 0);
  const w16 = (o: number, v: number): number => (le ? buf.writeUInt16LE(v, o) : buf.writeUInt16BE(v, o));
  const w32 = (o: number, v: number): number => (le ? buf.writeUInt32LE(v, o) : buf.writeUInt32BE(v, o));
  const w64 = (o: number, v: number): number => (le ? buf.writeBigUInt64LE(BigInt(v), o) : buf.writeBigUInt64BE(BigInt(v), o));
  w16(16, 1); // ET_REL
  if (bits === 32) {
    w32(0x20, shoff); w16(0x2e, shentsize); w16(0x30, 3); w16(0x32, 1);
  } else {
    w64(0x28, shoff); w16(0x3a, shentsize); w16(0x3c, 3); w16(0x3e, 1);
  }
  buf.set(shstr, shstrOff);
  buf.set(info, infoOff);
  const sh = (i: number, name: number, off: number, size: number): void => {
    const b = shoff + i * shentsize;
    w32(b, name);
    w32(b + 4, 3);
    if (bits === 32) { w32(b + 16, off); w32(b + 20, size); } else { w64(b + 24, off); w64(b + 32, size); }
  };
  sh(1, 1, shstrOff, shstr.length);
  sh(2, 11, infoOff, info.length);
  return buf;
}

/**
 * Test helper: a minimal executable or shared object (System V ABI "Program Header", "Dynamic Section"): one
 * PT_LOAD mapping the whole file at 0x08048000, an optional PT_INTERP, and a PT_DYNAMIC naming `needed` and
 * `soname` through a string table given by its virtual address. e_machine defaults to EM_386 (3).
 */
export function fakeDynElf(o: { interp?: string; needed?: string[]; soname?: string; bits?: 32 | 64; le?: boolean; machine?: number }): Uint8Array {
  const bits = o.bits ?? 32;
  const le = o.le ?? true;
  const is64 = bits === 64;
  const ehsize = is64 ? 64 : 52;
  const phentsize = is64 ? 56 : 32;
  const base = 0x08048000;
  const names = [...(o.needed ?? []), ...(o.soname !== undefined ? [o.soname] : [])];
  let strtab = '\0';
  const off = new Map<string, number>();
  for (const n of names) {
    off.set(n, strtab.length);
    strtab += n + '\0';
  }
  const interp = o.interp !== undefined ? Buffer.from(o.interp + '\0', 'latin1') : undefined;
  const phnum = 2 + (interp ? 1 : 0);
  const interpOff = ehsize + phnum * phentsize;
  const strOff = interpOff + (interp?.length ?? 0);
  const dynOff = Math.ceil((strOff + strtab.length) / 8) * 8;
  const tags: [number, number][] = [
    ...(o.needed ?? []).map((n): [number, number] => [1, off.get(n)!]),
    ...(o.soname !== undefined ? [[14, off.get(o.soname)!] as [number, number]] : []),
    [5, base + strOff],
    [10, strtab.length],
    [0, 0],
  ];
  const dsz = is64 ? 16 : 8;
  const buf = Buffer.alloc(dynOff + tags.length * dsz);
  const w16 = (p: number, v: number): number => (le ? buf.writeUInt16LE(v, p) : buf.writeUInt16BE(v, p));
  const w32 = (p: number, v: number): number => (le ? buf.writeUInt32LE(v, p) : buf.writeUInt32BE(v, p));
  const w64 = (p: number, v: number): number => (le ? buf.writeBigUInt64LE(BigInt(v), p) : buf.writeBigUInt64BE(BigInt(v), p));
  const wword = (p: number, v: number): number => (is64 ? w64(p, v) : w32(p, v));
  buf.set([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, le ? 1 : 2, 1], 0);
  w16(16, interp ? 2 : 3); // ET_EXEC or ET_DYN
  w16(18, o.machine ?? (is64 ? 62 : 3));
  wword(is64 ? 0x20 : 0x1c, ehsize);
  w16(is64 ? 0x36 : 0x2a, phentsize);
  w16(is64 ? 0x38 : 0x2c, phnum);
  const ph = (i: number, type: number, offset: number, size: number): void => {
    const b = ehsize + i * phentsize;
    w32(b, type);
    if (is64) {
      w64(b + 8, offset); w64(b + 16, base + offset); w64(b + 32, size); w64(b + 40, size);
    } else {
      w32(b + 4, offset); w32(b + 8, base + offset); w32(b + 16, size); w32(b + 20, size);
    }
  };
  let i = 0;
  if (interp) ph(i++, 3, interpOff, interp.length);
  ph(i++, 1, 0, buf.length);
  ph(i++, 2, dynOff, tags.length * dsz);
  if (interp) buf.set(interp, interpOff);
  buf.write(strtab, strOff, 'latin1');
  tags.forEach(([t, v], k) => {
    const p = dynOff + k * dsz;
    if (is64) { w64(p, t); w64(p + 8, v); } else { w32(p, t); w32(p + 4, v); }
  });
  return buf;
}
