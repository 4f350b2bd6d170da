/** UDP (RFC 768). The checksum covers a pseudo header (RFC 768 / RFC 1122 4.1.3.4); 0 means "none". */
import { type Ipv4Addr } from './addr';
import { WireError, foldComplement, onesSum, pseudoHeaderSum, viewOf, type FieldSpec } from './checksum';
import { IpProto } from './ipv4';

export const UdpField = {
  srcPort: { offset: 0, length: 2 },
  dstPort: { offset: 2, length: 2 },
  length: { offset: 4, length: 2 },
  checksum: { offset: 6, length: 2 },
} as const satisfies Record<string, FieldSpec>;

export const UDP_HDR_LEN = 8;

export class UdpPacket {
  private readonly dv: DataView;
  constructor(readonly buf: Uint8Array) {
    this.dv = viewOf(buf);
  }
  checkLen(): string | null {
    const n = this.buf.length;
    if (n < UDP_HDR_LEN) return `datagram of ${n} bytes is shorter than a UDP header`;
    const len = this.length;
    if (len < UDP_HDR_LEN) return `UDP length ${len} is below 8`;
    if (len > n) return `UDP length ${len} exceeds the ${n} bytes the IP payload holds`;
    return null;
  }
  get srcPort(): number { return this.dv.getUint16(0); }
  set srcPort(v: number) { this.dv.setUint16(0, v); }
  get dstPort(): number { return this.dv.getUint16(2); }
  set dstPort(v: number) { this.dv.setUint16(2, v); }
  get length(): number { return this.dv.getUint16(4); }
  set length(v: number) { this.dv.setUint16(4, v); }
  get checksum(): number { return this.dv.getUint16(6); }
  set checksum(v: number) { this.dv.setUint16(6, v); }
  get payload(): Uint8Array { return this.buf.subarray(UDP_HDR_LEN, this.length); }
  /** True when the checksum is absent (0) or correct. */
  verifyChecksum(src: Ipv4Addr, dst: Ipv4Addr): boolean {
    if (this.checksum === 0) return true;
    const len = this.length;
    return foldComplement(onesSum(this.buf, 0, len, pseudoHeaderSum(src, dst, IpProto.UDP, len))) === 0;
  }
  fillChecksum(src: Ipv4Addr, dst: Ipv4Addr): void {
    this.checksum = 0;
    const len = this.length;
    const c = foldComplement(onesSum(this.buf, 0, len, pseudoHeaderSum(src, dst, IpProto.UDP, len)));
    this.checksum = c === 0 ? 0xffff : c;
  }
}

export interface UdpRepr {
  srcPort: number;
  dstPort: number;
  payload: Uint8Array;
}

export const UdpRepr = {
  parse(p: UdpPacket, src: Ipv4Addr, dst: Ipv4Addr, opts: { verifyChecksum?: boolean } = {}): UdpRepr | WireError {
    const why = p.checkLen();
    if (why) return new WireError(why);
    if (opts.verifyChecksum !== false && !p.verifyChecksum(src, dst)) return new WireError('bad UDP checksum');
    return { srcPort: p.srcPort, dstPort: p.dstPort, payload: p.payload };
  },
  emit(r: UdpRepr, p: UdpPacket, src: Ipv4Addr, dst: Ipv4Addr): void {
    p.srcPort = r.srcPort;
    p.dstPort = r.dstPort;
    p.length = UDP_HDR_LEN + r.payload.length;
    if (r.payload.byteOffset !== p.buf.byteOffset + UDP_HDR_LEN || r.payload.buffer !== p.buf.buffer) {
      p.buf.set(r.payload, UDP_HDR_LEN);
    }
    p.fillChecksum(src, dst);
  },
  bufferLen(r: UdpRepr): number {
    return UDP_HDR_LEN + r.payload.length;
  },
};
