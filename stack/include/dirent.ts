/**
 * struct dirent as a QNX resource manager returns it from `_IO_READ` on a directory (<dirent.h>, 32-bit
 * ino_t/off_t): d_ino u32, d_offset u32, d_reclen i16, d_namelen i16, d_name NUL-terminated, each record
 * padded to a multiple of 4 (d_reclen). Little-endian (x86).
 */
const HDR = 12;

export interface Dirent {
  ino: number;
  /** The entry's index in the directory (what a later read continues from). */
  offset: number;
  name: string;
}

function reclen(name: string): number {
  return (HDR + name.length + 1 + 3) & ~3;
}

/** Records for `entries` from index `start` while they fit in `nbytes`: the bytes and how many went in. */
export function encodeDirents(entries: readonly Dirent[], start: number, nbytes: number): { bytes: Uint8Array; count: number } {
  let len = 0;
  let n = 0;
  for (let i = start; i < entries.length; i++) {
    const r = reclen(entries[i]!.name);
    if (len + r > nbytes) break;
    len += r;
    n++;
  }
  const out = new Uint8Array(len);
  const dv = new DataView(out.buffer);
  let at = 0;
  for (let i = start; i < start + n; i++) {
    const e = entries[i]!;
    const r = reclen(e.name);
    dv.setUint32(at, e.ino >>> 0, true);
    dv.setUint32(at + 4, e.offset >>> 0, true);
    dv.setInt16(at + 8, r, true);
    dv.setInt16(at + 10, e.name.length, true);
    for (let k = 0; k < e.name.length; k++) out[at + HDR + k] = e.name.charCodeAt(k) & 0xff;
    at += r;
  }
  return { bytes: out, count: n };
}

/** The records in `bytes`; a record whose d_reclen is impossible ends the list (what readdir would do). */
export function decodeDirents(bytes: Uint8Array): Dirent[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Dirent[] = [];
  let at = 0;
  while (at + HDR <= bytes.length) {
    const r = dv.getInt16(at + 8, true);
    const nl = dv.getInt16(at + 10, true);
    if (r < HDR || at + r > bytes.length || nl < 0 || HDR + nl >= r + 1) break;
    let name = '';
    for (let k = 0; k < nl; k++) name += String.fromCharCode(bytes[at + HDR + k]!);
    out.push({ ino: dv.getUint32(at, true), offset: dv.getUint32(at + 4, true), name });
    at += r;
  }
  return out;
}
