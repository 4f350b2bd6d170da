/**
 * A writer for the "newc" cpio format (SVR4 portable ASCII without checksums), the only archive format
 * the Linux kernel unpacks as an initramfs (Documentation/driver-api/early-userspace/buffer-format.rst).
 *
 * Each member is a 110-byte ASCII header — the magic "070701" and thirteen 8-digit hexadecimal fields —
 * then the NUL-terminated name padded so that header + name end on a multiple of 4, then the data padded
 * to a multiple of 4. The archive ends with a member named "TRAILER!!!". Times and owners are fixed
 * (mtime 0, uid/gid 0) so the same entries always give the same bytes.
 */

/** One member. `path` is relative to the archive root, without a leading slash ("bin/busybox"). */
export type CpioEntry =
  | { type: 'dir'; path: string; mode?: number }
  | { type: 'file'; path: string; data: Uint8Array; mode?: number }
  | { type: 'symlink'; path: string; target: string }
  | { type: 'chardev'; path: string; major: number; minor: number; mode?: number };

/** File type bits of st_mode (POSIX <sys/stat.h>). */
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;
export const S_IFCHR = 0o020000;

const MAGIC = '070701';
const HEADER_LEN = 110;
export const TRAILER_NAME = 'TRAILER!!!';

function hex8(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`cpio field out of range: ${n}`);
  return n.toString(16).toUpperCase().padStart(8, '0');
}

function pad4(n: number): number {
  return (4 - (n % 4)) % 4;
}

interface HeaderFields {
  ino: number;
  mode: number;
  nlink: number;
  filesize: number;
  rdevmajor: number;
  rdevminor: number;
  namesize: number;
}

function header(f: HeaderFields): string {
  // Field order: ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor rdevminor namesize check.
  return (
    MAGIC +
    hex8(f.ino) +
    hex8(f.mode) +
    hex8(0) +
    hex8(0) +
    hex8(f.nlink) +
    hex8(0) +
    hex8(f.filesize) +
    hex8(0) +
    hex8(0) +
    hex8(f.rdevmajor) +
    hex8(f.rdevminor) +
    hex8(f.namesize) +
    hex8(0)
  );
}

function entryBody(e: CpioEntry): { mode: number; data: Uint8Array; rdevmajor: number; rdevminor: number; nlink: number } {
  switch (e.type) {
    case 'dir':
      return { mode: S_IFDIR | (e.mode ?? 0o755), data: new Uint8Array(0), rdevmajor: 0, rdevminor: 0, nlink: 2 };
    case 'file':
      return { mode: S_IFREG | (e.mode ?? 0o644), data: e.data, rdevmajor: 0, rdevminor: 0, nlink: 1 };
    case 'symlink':
      return { mode: S_IFLNK | 0o777, data: new TextEncoder().encode(e.target), rdevmajor: 0, rdevminor: 0, nlink: 1 };
    case 'chardev':
      return { mode: S_IFCHR | (e.mode ?? 0o600), data: new Uint8Array(0), rdevmajor: e.major, rdevminor: e.minor, nlink: 1 };
  }
}

/**
 * Serializes the entries, in the given order, followed by the trailer. Parents must come before their
 * children (the kernel creates members in archive order); `checkOrder` enforces that.
 */
export function writeCpio(entries: readonly CpioEntry[]): Uint8Array {
  checkOrder(entries);
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  let total = 0;
  const push = (b: Uint8Array): void => {
    parts.push(b);
    total += b.length;
  };
  const member = (name: string, f: Omit<HeaderFields, 'namesize' | 'filesize'>, data: Uint8Array): void => {
    const nameBytes = enc.encode(name);
    const namesize = nameBytes.length + 1;
    push(enc.encode(header({ ...f, namesize, filesize: data.length })));
    const nameBlock = new Uint8Array(namesize + pad4(HEADER_LEN + namesize));
    nameBlock.set(nameBytes, 0);
    push(nameBlock);
    if (data.length > 0) {
      push(data);
      const p = pad4(data.length);
      if (p > 0) push(new Uint8Array(p));
    }
  };
  let ino = 1;
  for (const e of entries) {
    const b = entryBody(e);
    member(e.path, { ino: ino++, mode: b.mode, nlink: b.nlink, rdevmajor: b.rdevmajor, rdevminor: b.rdevminor }, b.data);
  }
  member(TRAILER_NAME, { ino: 0, mode: 0, nlink: 1, rdevmajor: 0, rdevminor: 0 }, new Uint8Array(0));
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Throws if a path is malformed, repeated, or appears before the directory that holds it. */
export function checkOrder(entries: readonly CpioEntry[]): void {
  const dirs = new Set<string>(['']);
  const seen = new Set<string>();
  for (const e of entries) {
    if (e.path === '' || e.path.startsWith('/') || e.path.endsWith('/') || e.path.split('/').some((s) => s === '' || s === '.' || s === '..')) {
      throw new Error(`cpio: bad member path "${e.path}"`);
    }
    if (seen.has(e.path)) throw new Error(`cpio: "${e.path}" appears twice`);
    seen.add(e.path);
    const parent = e.path.includes('/') ? e.path.slice(0, e.path.lastIndexOf('/')) : '';
    if (!dirs.has(parent)) throw new Error(`cpio: "${e.path}" comes before its directory "${parent}"`);
    if (e.type === 'dir') dirs.add(e.path);
  }
}
