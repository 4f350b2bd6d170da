/** IGMPv1/v2 messages (RFC 1112 appendix I, RFC 2236 section 2): type, max response time, checksum, group. */
import { ipFromBytes, ipToBytes, type Ipv4Addr } from './addr';
import { internetChecksum } from './checksum';
import { viewOf, type FieldSpec } from './view';

export const IgmpField = {
  type: { offset: 0, length: 1 },
  /** Max response time in 1/10 s (IGMPv2 queries; 0 in a v1 query and in reports). */
  code: { offset: 1, length: 1 },
  checksum: { offset: 2, length: 2 },
  group: { offset: 4, length: 4 },
} as const satisfies Record<string, FieldSpec>;

/** IGMP_MINLEN: the end of IgmpField. */
export const IGMP_MINLEN = 8;

export const IgmpType = {
  MembershipQuery: 0x11,
  V1MembershipReport: 0x12,
  V2MembershipReport: 0x16,
  V2LeaveGroup: 0x17,
} as const;

/** 224.0.0.1 (all systems) and 224.0.0.2 (all routers), RFC 1112 / RFC 2236. */
export const INADDR_ALLHOSTS_GROUP: Ipv4Addr = 0xe0000001;
export const INADDR_ALLRTRS_GROUP: Ipv4Addr = 0xe0000002;
/** The IP Router Alert option (RFC 2113) every IGMPv2 message carries: type 148, length 4, value 0. */
export const IPOPT_RA = new Uint8Array([0x94, 0x04, 0x00, 0x00]);

export function igmpTypeName(t: number): string {
  switch (t) {
    case IgmpType.MembershipQuery: return 'query';
    case IgmpType.V1MembershipReport: return 'v1-report';
    case IgmpType.V2MembershipReport: return 'v2-report';
    case IgmpType.V2LeaveGroup: return 'leave';
    default: return `type-0x${t.toString(16)}`;
  }
}

export class IgmpPacket {
  private readonly dv: DataView;
  constructor(readonly buf: Uint8Array) {
    this.dv = viewOf(buf);
  }
  checkLen(): string | null {
    return this.buf.length < IGMP_MINLEN ? `IGMP message of ${this.buf.length} bytes is shorter than ${IGMP_MINLEN}` : null;
  }
  get type(): number { return this.buf[IgmpField.type.offset]!; }
  set type(v: number) { this.buf[IgmpField.type.offset] = v; }
  get code(): number { return this.buf[IgmpField.code.offset]!; }
  set code(v: number) { this.buf[IgmpField.code.offset] = v; }
  get checksum(): number { return this.dv.getUint16(IgmpField.checksum.offset); }
  set checksum(v: number) { this.dv.setUint16(IgmpField.checksum.offset, v); }
  get group(): Ipv4Addr { return ipFromBytes(this.buf, IgmpField.group.offset); }
  set group(a: Ipv4Addr) { ipToBytes(a, this.buf, IgmpField.group.offset); }
  /** The checksum covers the whole IGMP message (RFC 2236 section 2.3). */
  verifyChecksum(): boolean {
    return internetChecksum(this.buf, 0, this.buf.length) === 0;
  }
  fillChecksum(): void {
    this.checksum = 0;
    this.checksum = internetChecksum(this.buf, 0, this.buf.length);
  }
}
