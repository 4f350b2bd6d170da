/**
 * The byte layouts of the `_IO_*` messages and replies Qnet's codec (iomsg.ts) carries, as <sys/iomsg.h>,
 * <sys/stat.h>, <sys/ftype.h> and <share.h> of QNX 6 define them (32-bit ints, little-endian on x86; the
 * headers are packed with <_pack64.h>, and every field here is naturally aligned so no padding appears).
 * Field tables are data (offset, width); iomsg.ts reads and writes through `getField`/`setField`.
 *
 * Values that libc's _connect_ctrl() (lib/c/support/_connect_ctrl.c) puts in an `_IO_CONNECT` for open():
 * file_type _FTYPE_ANY, ioflag = (oflag + 1) & O_ACCMODE (O_RDONLY → _IO_FLAG_RD), sflag SH_DENYNO,
 * entry_max SYMLOOP_MAX (16), reply_max = a link reply, SYMLOOP_MAX entries and PATH_MAX + 1 path bytes,
 * path_len = strlen(path) + 1 (the NUL counts).
 */
import type { FieldSpec } from '../wire/view';

interface IoField extends FieldSpec {
  readonly signed?: true;
}
const u8 = (offset: number): IoField => ({ offset, length: 1 });
const u16 = (offset: number): IoField => ({ offset, length: 2 });
const u32 = (offset: number): IoField => ({ offset, length: 4 });
const i32 = (offset: number): IoField => ({ offset, length: 4, signed: true });
/** A 64-bit field read as a JS number (sizes and offsets below 2^53). */
const u64 = (offset: number): IoField => ({ offset, length: 8 });

/** struct _io_connect: a 40-byte head, then `path_len` path bytes (NUL included), then `extra_len` bytes. */
export const IoConnectField = {
  type: u16(0), subtype: u16(2), file_type: u32(4), reply_max: u16(8), entry_max: u16(10), key: u32(12),
  handle: u32(16), ioflag: u32(20), mode: u32(24), sflag: u16(28), access: u16(30), zero: u16(32),
  path_len: u16(34), eflag: u8(36), extra_type: u8(37), extra_len: u16(38),
} as const satisfies Record<string, IoField>;
export const IO_CONNECT_HDR_LEN = 40;

/** struct _io_read / _io_write (16 bytes; a write's data follows). */
export const IoReadWriteField = { type: u16(0), combine_len: u16(2), nbytes: i32(4), xtype: u32(8), zero: u32(12) } as const;
export const IO_READ_LEN = 16;
/** struct _io_stat (8 bytes). */
export const IoStatField = { type: u16(0), combine_len: u16(2), zero: u32(4) } as const;
export const IO_STAT_LEN = 8;
/** struct _io_msg (8 bytes), the manager's payload behind it. */
export const IoMsgField = { type: u16(0), combine_len: u16(2), mgrid: u16(4), subtype: u16(6) } as const;
export const IO_MSG_LEN = 8;
/** struct _io_close (4 bytes). */
export const IoCloseField = { type: u16(0), combine_len: u16(2) } as const;
export const IO_CLOSE_LEN = 4;

/** struct _io_connect_link_reply (20 bytes), then `nentries` struct _io_connect_entry, then `path_len` bytes. */
export const IoLinkReplyField = {
  reserved1: u32(0), file_type: u32(4), eflag: u8(8), reserved2: u8(9), chroot_len: u16(10), umask: u32(12),
  nentries: u16(16), path_len: u16(18),
} as const;
export const IO_LINK_REPLY_LEN = 20;
/** struct _io_connect_entry (32 bytes: prefix_len then zero[3]). */
export const IoConnectEntryField = {
  nd: u32(0), pid: i32(4), chid: i32(8), handle: u32(12), key: u32(16), file_type: u32(20), prefix_len: u16(24),
} as const;
export const IO_CONNECT_ENTRY_LEN = 32;

/**
 * struct stat with 32-bit `_FILE_OFFSET_BITS` on a little-endian CPU: st_ino and st_size as lo/hi pairs,
 * then dev, rdev, uid, gid, the three times, st_mode at 44, nlink, blocksize, nblocks, blksize, st_blocks
 * lo/hi; 72 bytes.
 */
export const StatField = {
  st_ino: u64(0), st_size: u64(8), st_dev: u32(16), st_rdev: u32(20), st_uid: i32(24), st_gid: i32(28),
  st_mtime: u32(32), st_atime: u32(36), st_ctime: u32(40), st_mode: u32(44), st_nlink: u32(48),
  st_blocksize: u32(52), st_nblocks: i32(56), st_blksize: u32(60), st_blocks: u64(64),
} as const;
export const STAT_LEN = 72;

/** <sys/iomsg.h> enum _io_connect_subtypes. */
export const _IO_CONNECT_OPEN = 2;
/** <sys/iomsg.h> _IO_FLAG_RD: what open(O_RDONLY) sends in ioflag. */
export const _IO_FLAG_RD = 0x1;
/** <sys/ftype.h> _FTYPE_ANY. */
export const _FTYPE_ANY = 0;
/** <share.h> SH_DENYNO: open()'s share mode. */
export const SH_DENYNO = 0x40;
/** <limits.h> SYMLOOP_MAX and PATH_MAX (QNX 6). */
export const SYMLOOP_MAX = 16;
export const PATH_MAX = 1024;
/** reply_max of an open: room for a link reply, SYMLOOP_MAX entries and a path (_connect_ctrl's MIN_FILLER_SIZE). */
export const IO_CONNECT_REPLY_MAX = IO_LINK_REPLY_LEN + IO_CONNECT_ENTRY_LEN * SYMLOOP_MAX + PATH_MAX + 1;

/** Connect return codes (<sys/iomsg.h>): the reply status of a redirect is RET_FLAG | RET_LINK. */
export const _IO_CONNECT_RET_FLAG = 0x80000000;
export const _IO_CONNECT_RET_TYPE_MASK = 0x0001e000;
export const _IO_CONNECT_RET_LINK = 0x00010000;
/** _IO_SET_CONNECT_RET(ctp, _IO_CONNECT_RET_LINK) as the signed 32-bit status MsgReply carries. */
export const IO_CONNECT_RET_LINK_STATUS = (_IO_CONNECT_RET_FLAG | _IO_CONNECT_RET_LINK) | 0;

/** <sys/iomsg.h> _IO_XTYPE_NONE (the only xtype we carry) and the xtype field's type mask. */
export const _IO_XTYPE_NONE = 0;
export const _IO_XTYPE_MASK = 0xff;

export function getField(dv: DataView, f: IoField): number {
  switch (f.length) {
    case 1: return dv.getUint8(f.offset);
    case 2: return dv.getUint16(f.offset, true);
    case 8: return dv.getUint32(f.offset, true) + dv.getUint32(f.offset + 4, true) * 2 ** 32;
    default: return f.signed ? dv.getInt32(f.offset, true) : dv.getUint32(f.offset, true);
  }
}

export function setField(dv: DataView, f: IoField, v: number): void {
  switch (f.length) {
    case 1: dv.setUint8(f.offset, v & 0xff); break;
    case 2: dv.setUint16(f.offset, v & 0xffff, true); break;
    case 8:
      dv.setUint32(f.offset, v % 2 ** 32, true);
      dv.setUint32(f.offset + 4, Math.floor(v / 2 ** 32), true);
      break;
    default: dv.setUint32(f.offset, v >>> 0, true);
  }
}

/** Write `values` (missing ones stay 0) through `table`. */
export function setFields<T extends Record<string, IoField>>(dv: DataView, table: T, values: Partial<Record<keyof T, number>>): void {
  for (const [name, f] of Object.entries(table)) setField(dv, f, values[name as keyof T] ?? 0);
}
