/** UDP (RFC 768). The checksum covers a pseudo header (RFC 768 / RFC 1122 4.1.3.4); 0 means "none". */
import { type Ipv4Addr } from './addr';
import { foldComplement, onesSum, pseudoHeaderSum } from './checksum';
import { WireError, viewOf, type FieldSpec } from './view';
import { IpProto } from './ipv4';

export const UdpField = {
  srcPort: { offset: 0, length: 2 },
  dstPort: { offset: 2, length: 2 },
  length: { offset: 4, length: 2 },
  checksum: { offset: 6, length: 2 },
} as const satisfies Record<string, FieldSpec>;

/** The UDP header: the end of UdpField. */
export const UDP_HDR_LEN = 8;

/** Named after udpstat counters: `hdrops` (no room for a header), `badlen` (length field), `badsum`. */
export type UdpCheck = 'hdrops' | 'badlen' | 'badsum';

export class UdpPacket {
  private readonly dv: DataView;
  constructor(readonly buf: Uint8Array) {
    this.dv = viewOf(buf);
  }
  checkLen(): string | null {
    return this.lengthError()?.reason ?? null;
  }
  /** udp_input's length checks with the counter each bumps; null if the header and length field are sound. */
  lengthError(): WireError<UdpCheck> | null {
    const n = this.buf.length;
    if (n < UDP_HDR_LEN) return new WireError(`datagram of ${n} bytes is shorter than a UDP header`, 'hdrops');
    const len = this.length;
    if (len < UDP_HDR_LEN) return new WireError(`UDP length ${len} is below 8`, 'badlen');
    if (len > n) return new WireError(`UDP length ${len} exceeds the ${n} bytes the IP payload holds`, 'badlen');
    return null;
  }
  get srcPort(): number { return this.dv.getUint16(UdpField.srcPort.offset); }
  set srcPort(v: number) { this.dv.setUint16(UdpField.srcPort.offset, v); }
  get dstPort(): number { return this.dv.getUint16(UdpField.dstPort.offset); }
  set dstPort(v: number) { this.dv.setUint16(UdpField.dstPort.offset, v); }
  get length(): number { return this.dv.getUint16(UdpField.length.offset); }
  set length(v: number) { this.dv.setUint16(UdpField.length.offset, v); }
  get checksum(): number { return this.dv.getUint16(UdpField.checksum.offset); }
  set checksum(v: number) { this.dv.setUint16(UdpField.checksum.offset, v); }
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
  parse(p: UdpPacket, src: Ipv4Addr, dst: Ipv4Addr, opts: { verifyChecksum?: boolean } = {}): UdpRepr | WireError<UdpCheck> {
    const bad = p.lengthError();
    if (bad) return bad;
    if (opts.verifyChecksum !== false && !p.verifyChecksum(src, dst)) return new WireError('bad UDP checksum', 'badsum');
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
