/** ICMPv4 (RFC 792): echo request/reply, destination unreachable, and anything else as an opaque message. */
import { internetChecksum } from './checksum';
import { WireError, viewOf, type FieldSpec } from './view';

export const IcmpField = {
  type: { offset: 0, length: 1 },
  code: { offset: 1, length: 1 },
  checksum: { offset: 2, length: 2 },
  /** The 4 bytes after the checksum: echo identifier + sequence; unused / gateway / pointer in others. */
  rest: { offset: 4, length: 4 },
  ident: { offset: 4, length: 2 },
  seq: { offset: 6, length: 2 },
} as const satisfies Record<string, FieldSpec>;

/** ICMP_MINLEN: the end of IcmpField; the data (or quoted datagram) follows. */
export const ICMP_MINLEN = 8;

export const IcmpType = {
  EchoReply: 0, Unreach: 3, SourceQuench: 4, Redirect: 5, Echo: 8, RouterAdvert: 9, RouterSolicit: 10,
  TimeExceeded: 11, ParamProb: 12, Tstamp: 13, TstampReply: 14, Ireq: 15, IreqReply: 16, MaskReq: 17,
  MaskReply: 18,
} as const;

/**
 * The names traces and the debugger's filters use for ICMP types (tcpdump's `icmp[icmptype]` vocabulary, with
 * echo-request for Echo).
 */
export const ICMP_TYPE_NAMES: Readonly<Record<number, string>> = {
  [IcmpType.EchoReply]: 'echo-reply', [IcmpType.Unreach]: 'unreach', [IcmpType.SourceQuench]: 'source-quench',
  [IcmpType.Redirect]: 'redirect', [IcmpType.Echo]: 'echo-request', [IcmpType.TimeExceeded]: 'time-exceeded',
  [IcmpType.ParamProb]: 'param-problem', [IcmpType.Tstamp]: 'tstamp', [IcmpType.TstampReply]: 'tstamp-reply',
  [IcmpType.MaskReq]: 'mask-req', [IcmpType.MaskReply]: 'mask-reply',
};

/** A type's name ("echo-request"), or `type-N` for one without a name. */
export function icmpTypeName(t: number): string {
  return ICMP_TYPE_NAMES[t] ?? `type-${t}`;
}

export const IcmpUnreachCode = {
  Net: 0, Host: 1, Protocol: 2, Port: 3, NeedFrag: 4, SrcFail: 5,
} as const;

/** Bytes of the offending datagram beyond its IP header quoted in an ICMP error (icmpreturndatabytes). */
export const ICMP_RETURN_DATA_BYTES = 8;

/** Named after icmpstat counters: `tooshort` (shorter than 8 bytes), `checksum`, `badcode`. */
export type IcmpCheck = 'tooshort' | 'checksum' | 'badcode';

export class IcmpPacket {
  private readonly dv: DataView;
  constructor(readonly buf: Uint8Array) {
    this.dv = viewOf(buf);
  }
  checkLen(): string | null {
    return this.buf.length < ICMP_MINLEN ? `ICMP message of ${this.buf.length} bytes is shorter than ${ICMP_MINLEN}` : null;
  }
  get type(): number { return this.buf[IcmpField.type.offset]!; }
  set type(v: number) { this.buf[IcmpField.type.offset] = v; }
  get code(): number { return this.buf[IcmpField.code.offset]!; }
  set code(v: number) { this.buf[IcmpField.code.offset] = v; }
  get checksum(): number { return this.dv.getUint16(IcmpField.checksum.offset); }
  set checksum(v: number) { this.dv.setUint16(IcmpField.checksum.offset, v); }
  get ident(): number { return this.dv.getUint16(IcmpField.ident.offset); }
  set ident(v: number) { this.dv.setUint16(IcmpField.ident.offset, v); }
  get seq(): number { return this.dv.getUint16(IcmpField.seq.offset); }
  set seq(v: number) { this.dv.setUint16(IcmpField.seq.offset, v); }
  /** The 4 bytes after the checksum as one number (unused / gateway / pointer). */
  get rest(): number { return this.dv.getUint32(IcmpField.rest.offset); }
  set rest(v: number) { this.dv.setUint32(IcmpField.rest.offset, v >>> 0); }
  get data(): Uint8Array { return this.buf.subarray(ICMP_MINLEN); }
  verifyChecksum(): boolean {
    return internetChecksum(this.buf, 0, this.buf.length) === 0;
  }
  fillChecksum(): void {
    this.checksum = 0;
    this.checksum = internetChecksum(this.buf, 0, this.buf.length);
  }
}

export type IcmpRepr =
  | { kind: 'echoRequest'; ident: number; seq: number; data: Uint8Array }
  | { kind: 'echoReply'; ident: number; seq: number; data: Uint8Array }
  /** `quote`: the offending IP header plus the first bytes of its payload. */
  | { kind: 'destUnreachable'; code: number; quote: Uint8Array }
  | { kind: 'other'; type: number; code: number; rest: number; data: Uint8Array };

export const IcmpRepr = {
  parse(p: IcmpPacket, opts: { verifyChecksum?: boolean } = {}): IcmpRepr | WireError<IcmpCheck> {
    const why = p.checkLen();
    if (why) return new WireError(why, 'tooshort');
    if (opts.verifyChecksum !== false && !p.verifyChecksum()) return new WireError('bad ICMP checksum', 'checksum');
    switch (p.type) {
      case IcmpType.Echo:
        if (p.code !== 0) return new WireError(`echo request with code ${p.code}`, 'badcode');
        return { kind: 'echoRequest', ident: p.ident, seq: p.seq, data: p.data };
      case IcmpType.EchoReply:
        if (p.code !== 0) return new WireError(`echo reply with code ${p.code}`, 'badcode');
        return { kind: 'echoReply', ident: p.ident, seq: p.seq, data: p.data };
      case IcmpType.Unreach:
        return { kind: 'destUnreachable', code: p.code, quote: p.data };
      default:
        return { kind: 'other', type: p.type, code: p.code, rest: p.rest, data: p.data };
    }
  },
  emit(r: IcmpRepr, p: IcmpPacket): void {
    switch (r.kind) {
      case 'echoRequest':
      case 'echoReply':
        p.type = r.kind === 'echoRequest' ? IcmpType.Echo : IcmpType.EchoReply;
        p.code = 0;
        p.ident = r.ident;
        p.seq = r.seq;
        p.buf.set(r.data, ICMP_MINLEN);
        break;
      case 'destUnreachable':
        p.type = IcmpType.Unreach;
        p.code = r.code;
        p.rest = 0;
        p.buf.set(r.quote, ICMP_MINLEN);
        break;
      case 'other':
        p.type = r.type;
        p.code = r.code;
        p.rest = r.rest;
        p.buf.set(r.data, ICMP_MINLEN);
        break;
    }
    p.fillChecksum();
  },
  bufferLen(r: IcmpRepr): number {
    return ICMP_MINLEN + (r.kind === 'destUnreachable' ? r.quote.length : r.data.length);
  },
};
