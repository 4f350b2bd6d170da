/**
 * Qnet's kernel interface messages (LwL4 layer 0) as packet-qnet6.c's `dissect_qnet6_kif` decodes them
 * (docs/design/qnet-wire.md §6): a type word and a size, then a fixed body per type, then for some types
 * trailing bytes (the MsgSend message, checked by `dissect_qnet6_kif_msgsend_msg`; MsgWrite/Reply data).
 *
 * Fixed by the dissector: the type numbers, the low 7 bits as the type, 0x0100 as the credential bit and
 * 0x8080 as the big-endian bits; every body field's offset and width (32-bit handles and pointers); field
 * order as tshark names it (Connect Success: server_id before client_id); the `_IO_*` fixed parts that must
 * be whole when a MsgSend message starts with one of their types, and a MsgSend message of at least 2 bytes.
 * Our choices: `size` = type word + fixed body (the dissector never reads it; its struct comments say the
 * fixed size); `nbytes` of MsgSend and of the write/reply family = the trailing bytes, derived on emit and
 * required on parse; we never send a credential block and refuse one on parse; the 0x8080 bits must agree
 * with the LwL4 byte order (also in Connect MsgSend's inner MsgSend word, which must say MsgSend).
 */
import { WireError, viewOf, type FieldSpec } from './view';

interface KifFieldSpec extends FieldSpec {
  readonly signed?: true;
}
const u32 = (offset: number): KifFieldSpec => ({ offset, length: 4 });
const i32 = (offset: number): KifFieldSpec => ({ offset, length: 4, signed: true });

/** `_vtid_info` (32 bytes) at `at`, as it appears in MsgSend and Pulse. */
const vinfo = (at: number) => ({
  tid: i32(at), coid: i32(at + 4), priority: i32(at + 8), srcmsglen: i32(at + 12), keydata: i32(at + 16),
  srcnd: i32(at + 20), dstmsglen: i32(at + 24), vinfoZero: i32(at + 28),
});

export const QnetKifField = {
  type: { offset: 0, length: 2 },
  size: { offset: 2, length: 2 },
} as const satisfies Record<string, FieldSpec>;
export const QNET_KIF_HDR_LEN = 4;

const writeFamily = (type: number) => ({
  type, trailing: 'data', fields: { status: i32(4), handle: i32(8), offset: u32(12), nbytes: u32(16) },
}) as const;

/** Per message: the type number, the body's field table (offsets from the type word), what follows it. */
export const QnetKifLayout = {
  connect: { type: 0, trailing: 'none', fields: { version: u32(4), serverPid: u32(8), serverChid: u32(12), clientId: u32(16), clientPid: u32(20) } },
  /** A Connect and the first MsgSend in one message: the MsgSend's own type word and size sit at 24. */
  connectMsgSend: {
    type: 1, trailing: 'msg', fields: {
      version: u32(4), serverPid: u32(8), serverChid: u32(12), clientId: u32(16), clientPid: u32(20),
      innerType: { offset: 24, length: 2 }, innerSize: { offset: 26, length: 2 },
      serverId: i32(28), clientHandle: i32(32), ...vinfo(36), nbytes: u32(68),
    },
  },
  connectSuccess: { type: 2, trailing: 'none', fields: { version: u32(4), serverId: i32(8), clientId: i32(12), scoid: i32(16), nbytes: u32(20) } },
  connectFail: { type: 3, trailing: 'none', fields: { version: u32(4), clientId: i32(8), status: i32(12) } },
  unblock: { type: 4, trailing: 'none', fields: { serverId: i32(4), clientHandle: i32(8), tid: i32(12) } },
  msgSend: { type: 5, trailing: 'msg', fields: { serverId: i32(4), clientHandle: i32(8), ...vinfo(12), nbytes: u32(44) } },
  msgRead: { type: 6, trailing: 'none', fields: { msgreadHandle: i32(4), clientHandle: i32(8), offset: u32(12), nbytes: u32(16) } },
  msgReadXfer: writeFamily(7),
  msgWrite: writeFamily(8),
  msgReply: writeFamily(9),
  msgError: writeFamily(10),
  event: { type: 11, trailing: 'none', fields: { clientHandle: i32(4), sigevNotify: i32(8), sigevUnion1: i32(12), sigevValue: i32(16), sigevUnion2: i32(20) } },
  pulse: {
    type: 12, trailing: 'none', fields: {
      serverId: i32(4), clientHandle: i32(8), ...vinfo(12),
      pulseType: { offset: 44, length: 2 }, pulseSubtype: { offset: 46, length: 2 },
      pulseCode: { offset: 48, length: 1, signed: true }, pulseReserved: { offset: 49, length: 3 },
      pulseValue: u32(52), pulseScoid: i32(56), pulsePriority: i32(60),
    },
  },
  signal: { type: 13, trailing: 'none', fields: { clientHandle: i32(4), pid: i32(8), tid: i32(12), signo: i32(16), code: i32(20), value: i32(24) } },
  disconnect: { type: 14, trailing: 'none', fields: { serverId: i32(4) } },
  connectDeath: { type: 15, trailing: 'none', fields: { clientId: i32(4) } },
  msgReadError: writeFamily(16),
  connectPulse: { type: 17, trailing: 'none', fields: {} },
} as const satisfies Record<string, { type: number; trailing: 'none' | 'msg' | 'data'; fields: Record<string, KifFieldSpec> }>;

export type QnetKifKind = keyof typeof QnetKifLayout;
type Layout<K extends QnetKifKind> = (typeof QnetKifLayout)[K];
/** Fields emit derives: the inner MsgSend type word and size of Connect MsgSend. */
type Derived = 'innerType' | 'innerSize';
/** The body values of a kind; `nbytes` is left out where it counts the trailing bytes, and Derived fields too. */
export type QnetKifValues<K extends QnetKifKind> = {
  [F in Exclude<keyof Layout<K>['fields'], Derived | (Layout<K>['trailing'] extends 'none' ? never : 'nbytes')>]: number;
};
const isDerived = (kind: QnetKifKind, name: string): boolean =>
  name === 'innerType' || name === 'innerSize' || (name === 'nbytes' && QnetKifLayout[kind].trailing !== 'none');
export interface QnetKifReprOf<K extends QnetKifKind> {
  kind: K;
  values: QnetKifValues<K>;
  /** MsgSend: the message (an `_IO_*` header first when its type is one); write/reply family: data; else empty. */
  data: Uint8Array;
}
export type QnetKifRepr = { [K in QnetKifKind]: QnetKifReprOf<K> }[QnetKifKind];

export const QNET_KIF_TYPE_MASK = 0x007f;
export const QNET_KIF_CRED = 0x0100;
export const QNET_KIF_BIG_ENDIAN = 0x8080;

const KIND_BY_TYPE = new Map<number, QnetKifKind>(
  (Object.keys(QnetKifLayout) as QnetKifKind[]).map((k) => [QnetKifLayout[k].type, k]),
);

/** The fixed length of a kind: type word, size and body (what `size` says). */
export function qnetKifFixedLen(kind: QnetKifKind): number {
  let end = QNET_KIF_HDR_LEN;
  for (const f of Object.values(QnetKifLayout[kind].fields) as KifFieldSpec[]) end = Math.max(end, f.offset + f.length);
  return end;
}

// ---- `_IO_*` messages carried by MsgSend ------------------------------------------------------------------

export const IoMsgType = {
  CONNECT: 0x100, READ: 0x101, WRITE: 0x102, STAT: 0x104, NOTIFY: 0x105, DEVCTL: 0x106, PATHCONF: 0x108,
  LSEEK: 0x109, CHMOD: 0x10a, CHOWN: 0x10b, UTIME: 0x10c, OPENFD: 0x10d, FDINFO: 0x10e, LOCK: 0x10f,
  SPACE: 0x110, SHUTDOWN: 0x111, MMAP: 0x112, MSG: 0x113, DUP: 0x115, CLOSE: 0x116, SYNC: 0x119,
} as const;
/** `_IO_READ`/`_IO_WRITE` xtype values that extend the header (`_IO_XTYPE_*`). */
export const IO_XTYPE_READCOND = 1;
export const IO_XTYPE_OFFSET = 5;

/** Fixed parts the dissector reads unchecked (sys/iomsg.h layouts, 32-bit); a shorter message is Malformed. */
const IO_FIXED_LEN: ReadonlyMap<number, number> = new Map([
  [IoMsgType.CONNECT, 40], [IoMsgType.READ, 16], [IoMsgType.WRITE, 16], [IoMsgType.STAT, 8], [IoMsgType.NOTIFY, 64],
  [IoMsgType.DEVCTL, 16], [IoMsgType.PATHCONF, 8], [IoMsgType.LSEEK, 16], [IoMsgType.CHMOD, 8], [IoMsgType.CHOWN, 12],
  [IoMsgType.UTIME, 16], [IoMsgType.OPENFD, 68], [IoMsgType.FDINFO, 16], [IoMsgType.LOCK, 12], [IoMsgType.SPACE, 24],
  [IoMsgType.SHUTDOWN, 4], [IoMsgType.MMAP, 88], [IoMsgType.MSG, 8], [IoMsgType.DUP, 60], [IoMsgType.CLOSE, 4],
  [IoMsgType.SYNC, 8],
]);

/**
 * The fewest bytes a MsgSend message must have for the dissector to read it whole: 2 (the type) for a
 * message it does not parse, else the `_IO_*` fixed part (READ/WRITE grown by their xtype, NOTIFY by nfds).
 * Only the first message of a combine chain is measured.
 */
export function ioMsgMinLen(msg: Uint8Array, littleEndian = true): number {
  if (msg.length < 2) return 2;
  const dv = viewOf(msg);
  const type = dv.getUint16(0, littleEndian);
  let n = IO_FIXED_LEN.get(type);
  if (n === undefined) return 2;
  if ((type === IoMsgType.READ || type === IoMsgType.WRITE) && msg.length >= 12) {
    const x = dv.getUint32(8, littleEndian) & 0xff;
    if (x === IO_XTYPE_OFFSET) n += 8;
    else if (x === IO_XTYPE_READCOND) n += 12;
  } else if (type === IoMsgType.NOTIFY && msg.length >= 48) {
    n += 8 * dv.getUint32(44, littleEndian);
  }
  return n;
}

// ---- view and Repr --------------------------------------------------------------------------------------------

/**
 * short: no type word or a body cut short; type: not a KIF type we model, or a Connect MsgSend whose inner
 * type is not MsgSend; cred: a credential block (unsupported);
 * endian: 0x8080 disagrees with the LwL4 byte order; nbytes: trailing bytes fewer than `nbytes`;
 * iomsg: a MsgSend message shorter than its `_IO_*` fixed part (or than 2 bytes).
 */
export type QnetKifCheck = 'short' | 'type' | 'cred' | 'endian' | 'nbytes' | 'iomsg';

/** Zero-copy view over a KIF message (the LwL4 payload); byte order from the LwL4 version byte. */
export class QnetKifPacket {
  private readonly dv: DataView;
  constructor(readonly buf: Uint8Array, readonly littleEndian = true) {
    this.dv = viewOf(buf);
  }
  get typeWord(): number { return this.dv.getUint16(QnetKifField.type.offset, this.littleEndian); }
  set typeWord(v: number) { this.dv.setUint16(QnetKifField.type.offset, v, this.littleEndian); }
  get size(): number { return this.dv.getUint16(QnetKifField.size.offset, this.littleEndian); }
  set size(v: number) { this.dv.setUint16(QnetKifField.size.offset, v, this.littleEndian); }
  /** The modelled kind of the type word, or null. */
  get kind(): QnetKifKind | null { return KIND_BY_TYPE.get(this.typeWord & QNET_KIF_TYPE_MASK) ?? null; }
  lengthError(): WireError<QnetKifCheck> | null {
    const n = this.buf.length;
    if (n < QNET_KIF_HDR_LEN) return new WireError(`KIF message of ${n} bytes has no type and size`, 'short');
    const t = this.typeWord;
    const kind = this.kind;
    if (!kind) return new WireError(`KIF type ${t & QNET_KIF_TYPE_MASK} is not modelled`, 'type');
    if (t & QNET_KIF_CRED) return new WireError(`KIF ${kind} carries a credential block (not modelled)`, 'cred');
    const beBits = this.littleEndian ? 0 : QNET_KIF_BIG_ENDIAN;
    const inner = kind === 'connectMsgSend' && n >= 28 ? this.get(kind, 'innerType') : beBits;
    if ((t & QNET_KIF_BIG_ENDIAN) !== beBits || (inner & QNET_KIF_BIG_ENDIAN) !== beBits) {
      const order = this.littleEndian ? 'little' : 'big';
      return new WireError(`KIF type word 0x${t.toString(16)} (inner 0x${inner.toString(16)}) disagrees with the ${order}-endian LwL4 header`, 'endian');
    }
    const fixed = qnetKifFixedLen(kind);
    if (n < fixed) return new WireError(`KIF ${kind} of ${n} bytes is shorter than its ${fixed}-byte fixed part`, 'short');
    if (kind === 'connectMsgSend' && (this.get(kind, 'innerType') & QNET_KIF_TYPE_MASK) !== QnetKifLayout.msgSend.type) {
      return new WireError(`Connect MsgSend carries type ${this.get(kind, 'innerType') & QNET_KIF_TYPE_MASK}, not MsgSend`, 'type');
    }
    const trailing = QnetKifLayout[kind].trailing;
    if (trailing !== 'none') {
      const nb = this.get(kind, 'nbytes');
      if (nb > n - fixed) return new WireError(`KIF ${kind} nbytes ${nb} exceeds the ${n - fixed} bytes that follow`, 'nbytes');
      if (trailing === 'msg') {
        const msg = this.buf.subarray(fixed, fixed + nb);
        const min = ioMsgMinLen(msg, this.littleEndian);
        if (nb < min) return new WireError(`MsgSend message of ${nb} bytes is shorter than the ${min} its type needs`, 'iomsg');
      }
    }
    return null;
  }
  checkLen(): string | null {
    return this.lengthError()?.reason ?? null;
  }
  private spec(kind: QnetKifKind, name: string): KifFieldSpec {
    const f = (QnetKifLayout[kind].fields as Record<string, KifFieldSpec>)[name];
    if (!f) throw new RangeError(`KIF ${kind} has no field ${name}`);
    return f;
  }
  /** Field `name` of `kind`'s table, in the frame's byte order. */
  get(kind: QnetKifKind, name: string): number {
    const f = this.spec(kind, name);
    const le = this.littleEndian;
    switch (f.length) {
      case 1: return f.signed ? this.dv.getInt8(f.offset) : this.dv.getUint8(f.offset);
      case 2: return this.dv.getUint16(f.offset, le);
      case 3: return le ? this.buf[f.offset]! | (this.buf[f.offset + 1]! << 8) | (this.buf[f.offset + 2]! << 16)
        : (this.buf[f.offset]! << 16) | (this.buf[f.offset + 1]! << 8) | this.buf[f.offset + 2]!;
      default: return f.signed ? this.dv.getInt32(f.offset, le) : this.dv.getUint32(f.offset, le);
    }
  }
  set(kind: QnetKifKind, name: string, v: number): void {
    const f = this.spec(kind, name);
    const le = this.littleEndian;
    switch (f.length) {
      case 1: this.buf[f.offset] = v & 0xff; break;
      case 2: this.dv.setUint16(f.offset, v & 0xffff, le); break;
      case 3:
        for (let i = 0; i < 3; i++) this.buf[f.offset + (le ? i : 2 - i)] = (v >>> (8 * i)) & 0xff;
        break;
      default: this.dv.setUint32(f.offset, v >>> 0, le);
    }
  }
  /** The bytes after the fixed part (`nbytes` of them where the kind counts them). */
  get data(): Uint8Array {
    const kind = this.kind;
    if (!kind) return this.buf.subarray(this.buf.length);
    const fixed = qnetKifFixedLen(kind);
    if (QnetKifLayout[kind].trailing === 'none') return this.buf.subarray(fixed, fixed);
    return this.buf.subarray(fixed, fixed + this.get(kind, 'nbytes'));
  }
}

export const QnetKifRepr = {
  parse(p: QnetKifPacket): QnetKifRepr | WireError<QnetKifCheck> {
    const bad = p.lengthError();
    if (bad) return bad;
    const kind = p.kind!;
    const layout = QnetKifLayout[kind];
    const values: Record<string, number> = {};
    for (const name of Object.keys(layout.fields)) {
      if (!isDerived(kind, name)) values[name] = p.get(kind, name);
    }
    return { kind, values, data: p.data } as QnetKifRepr;
  },
  /** Write `r` into `p` (bufferLen bytes); type word with 0x8080 when big-endian, size = fixed part. */
  emit(r: QnetKifRepr, p: QnetKifPacket): void {
    const layout = QnetKifLayout[r.kind];
    const fixed = qnetKifFixedLen(r.kind);
    p.buf.fill(0, 0, fixed);
    p.typeWord = layout.type | (p.littleEndian ? 0 : QNET_KIF_BIG_ENDIAN);
    p.size = fixed;
    const values = r.values as Record<string, number>;
    for (const name of Object.keys(layout.fields)) p.set(r.kind, name, values[name] ?? 0);
    if (layout.trailing !== 'none') p.set(r.kind, 'nbytes', r.data.length);
    if (r.kind === 'connectMsgSend') {
      p.set(r.kind, 'innerType', QnetKifLayout.msgSend.type | (p.littleEndian ? 0 : QNET_KIF_BIG_ENDIAN));
      p.set(r.kind, 'innerSize', qnetKifFixedLen('msgSend'));
    }
    if (layout.trailing !== 'none') p.buf.set(r.data, fixed);
  },
  bufferLen(r: QnetKifRepr): number {
    return qnetKifFixedLen(r.kind) + (QnetKifLayout[r.kind].trailing === 'none' ? 0 : r.data.length);
  },
};
