/**
 * An independent reader of "newc" cpio archives for the tests (written from the format description,
 * not from emulator/app/guest-image/cpio.ts): it checks magic, alignment and the trailer as it goes.
 */
export interface NewcMember {
  name: string;
  ino: number;
  mode: number;
  nlink: number;
  mtime: number;
  rdevmajor: number;
  rdevminor: number;
  data: Buffer;
  /** Offset of the member's header in the archive. */
  offset: number;
}

export function readNewc(buf: Buffer): NewcMember[] {
  const out: NewcMember[] = [];
  let off = 0;
  for (;;) {
    if (off % 4 !== 0) throw new Error(`header at ${off} is not 4-aligned`);
    const magic = buf.toString('latin1', off, off + 6);
    if (magic !== '070701') throw new Error(`bad magic ${JSON.stringify(magic)} at ${off}`);
    const field = (i: number): number => parseInt(buf.toString('latin1', off + 6 + i * 8, off + 14 + i * 8), 16);
    const namesize = field(11);
    const filesize = field(6);
    const nameStart = off + 110;
    const name = buf.toString('latin1', nameStart, nameStart + namesize - 1);
    if (buf[nameStart + namesize - 1] !== 0) throw new Error(`name of ${name} is not NUL-terminated`);
    const dataStart = Math.ceil((nameStart + namesize) / 4) * 4;
    for (let i = nameStart + namesize; i < dataStart; i++) if (buf[i] !== 0) throw new Error(`non-zero name padding after ${name}`);
    const data = buf.subarray(dataStart, dataStart + filesize);
    const m = { name, ino: field(0), mode: field(1), nlink: field(4), mtime: field(5), rdevmajor: field(9), rdevminor: field(10), data, offset: off };
    const next = Math.ceil((dataStart + filesize) / 4) * 4;
    for (let i = dataStart + filesize; i < next; i++) if (buf[i] !== 0) throw new Error(`non-zero data padding after ${name}`);
    off = next;
    if (name === 'TRAILER!!!') {
      if (off !== buf.length) throw new Error(`${buf.length - off} bytes after the trailer`);
      return out;
    }
    out.push(m);
    if (off >= buf.length) throw new Error('archive ends without TRAILER!!!');
  }
}
