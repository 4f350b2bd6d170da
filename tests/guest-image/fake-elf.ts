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
