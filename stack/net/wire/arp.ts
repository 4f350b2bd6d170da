/** ARP for IPv4 over Ethernet (RFC 826): hardware type 1, protocol 0x0800, 6-byte and 4-byte addresses. */
import { ipFromBytes, ipToBytes, type Ipv4Addr } from './addr';
import { EtherType } from './ethernet';
import { WireError, fieldBytes, viewOf, type FieldSpec } from './view';

export const ArpField = {
  htype: { offset: 0, length: 2 },
  ptype: { offset: 2, length: 2 },
  hlen: { offset: 4, length: 1 },
  plen: { offset: 5, length: 1 },
  oper: { offset: 6, length: 2 },
  sha: { offset: 8, length: 6 },
  spa: { offset: 14, length: 4 },
  tha: { offset: 18, length: 6 },
  tpa: { offset: 24, length: 4 },
} as const satisfies Record<string, FieldSpec>;

/** The fixed part (htype … oper) every ARP packet has, whatever its address lengths. */
const ARP_FIXED_LEN = ArpField.sha.offset;
/** An Ethernet/IPv4 ARP packet: the end of ArpField. */
export const ARP_LEN = 28;
export const ARPHRD_ETHER = 1;
export const ArpOp = { Request: 1, Reply: 2 } as const;

/** `truncated`: shorter than its addresses; `unsupported`: not Ethernet/IPv4; `badop`: unknown operation. */
export type ArpCheck = 'truncated' | 'unsupported' | 'badop';

export class ArpPacket {
  private readonly dv: DataView;
  constructor(readonly buf: Uint8Array) {
    this.dv = viewOf(buf);
  }
  checkLen(): string | null {
    if (this.buf.length < ARP_FIXED_LEN) return `ARP packet of ${this.buf.length} bytes is shorter than the fixed header`;
    const need = ARP_FIXED_LEN + 2 * this.hlen + 2 * this.plen;
    if (this.buf.length < need) return `ARP packet of ${this.buf.length} bytes is shorter than its ${need} address bytes`;
    return null;
  }
  get htype(): number { return this.dv.getUint16(ArpField.htype.offset); }
  set htype(v: number) { this.dv.setUint16(ArpField.htype.offset, v); }
  get ptype(): number { return this.dv.getUint16(ArpField.ptype.offset); }
  set ptype(v: number) { this.dv.setUint16(ArpField.ptype.offset, v); }
  get hlen(): number { return this.buf[ArpField.hlen.offset]!; }
  set hlen(v: number) { this.buf[ArpField.hlen.offset] = v; }
  get plen(): number { return this.buf[ArpField.plen.offset]!; }
  set plen(v: number) { this.buf[ArpField.plen.offset] = v; }
  get oper(): number { return this.dv.getUint16(ArpField.oper.offset); }
  set oper(v: number) { this.dv.setUint16(ArpField.oper.offset, v); }
  get sha(): Uint8Array { return fieldBytes(this.buf, ArpField.sha); }
  get spa(): Ipv4Addr { return ipFromBytes(this.buf, ArpField.spa.offset); }
  set spa(a: Ipv4Addr) { ipToBytes(a, this.buf, ArpField.spa.offset); }
  get tha(): Uint8Array { return fieldBytes(this.buf, ArpField.tha); }
  get tpa(): Ipv4Addr { return ipFromBytes(this.buf, ArpField.tpa.offset); }
  set tpa(a: Ipv4Addr) { ipToBytes(a, this.buf, ArpField.tpa.offset); }
}

export interface ArpRepr {
  op: number;
  sha: Uint8Array;
  spa: Ipv4Addr;
  tha: Uint8Array;
  tpa: Ipv4Addr;
}

export const ArpRepr = {
  parse(p: ArpPacket): ArpRepr | WireError<ArpCheck> {
    const why = p.checkLen();
    if (why) return new WireError(why, 'truncated');
    if (p.htype !== ARPHRD_ETHER) return new WireError(`hardware type ${p.htype} is not Ethernet`, 'unsupported');
    if (p.ptype !== EtherType.IPv4) return new WireError(`protocol type 0x${p.ptype.toString(16)} is not IPv4`, 'unsupported');
    if (p.hlen !== ArpField.sha.length || p.plen !== ArpField.spa.length) {
      return new WireError(`address lengths ${p.hlen}/${p.plen} are not 6/4`, 'unsupported');
    }
    if (p.oper !== ArpOp.Request && p.oper !== ArpOp.Reply) return new WireError(`unknown ARP operation ${p.oper}`, 'badop');
    return { op: p.oper, sha: p.sha.slice(), spa: p.spa, tha: p.tha.slice(), tpa: p.tpa };
  },
  emit(r: ArpRepr, p: ArpPacket): void {
    p.htype = ARPHRD_ETHER;
    p.ptype = EtherType.IPv4;
    p.hlen = ArpField.sha.length;
    p.plen = ArpField.spa.length;
    p.oper = r.op;
    p.sha.set(r.sha.subarray(0, ArpField.sha.length));
    p.spa = r.spa;
    p.tha.set(r.tha.subarray(0, ArpField.tha.length));
    p.tpa = r.tpa;
  },
  bufferLen(): number {
    return ARP_LEN;
  },
};
