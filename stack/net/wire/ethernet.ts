/**
 * Ethernet II frame (IEEE 802.3 with a type field), as it crosses the wire: destination, source,
 * ethertype, payload. No preamble and no FCS (the MAC strips it).
 */
import { WireError, fieldBytes, viewOf, type FieldSpec } from './view';

export const EthernetField = {
  dst: { offset: 0, length: 6 },
  src: { offset: 6, length: 6 },
  ethertype: { offset: 12, length: 2 },
} as const satisfies Record<string, FieldSpec>;

/** ETHER_HDR_LEN (net/if_ether.h): the end of EthernetField. */
export const ETHER_HDR_LEN = 14;
export const ETHERMTU = 1500;
/** Shortest frame a MAC sends (60 bytes without FCS); shorter frames are padded by the driver/chip. */
export const ETHER_MIN_LEN_NOFCS = 60;

export const EtherType = {
  IPv4: 0x0800,
  ARP: 0x0806,
  IPv6: 0x86dd,
  /** IEEE Std 802 Local Experimental Ethertype 1: test traffic no protocol claims (fault injectors). */
  LocalExperimental1: 0x88b5,
  /** Qnet (lsm-qnet.so). */
  QNET: 0x8204,
} as const;

export type EthernetCheck = 'truncated';

/** Zero-copy view over a frame. */
export class EthernetFrame {
  private readonly dv: DataView;
  constructor(readonly buf: Uint8Array) {
    this.dv = viewOf(buf);
  }
  /** Why the buffer cannot hold an Ethernet header, or null if it can. */
  checkLen(): string | null {
    return this.buf.length < ETHER_HDR_LEN ? `frame of ${this.buf.length} bytes is shorter than an Ethernet header` : null;
  }
  get dst(): Uint8Array {
    return fieldBytes(this.buf, EthernetField.dst);
  }
  get src(): Uint8Array {
    return fieldBytes(this.buf, EthernetField.src);
  }
  get ethertype(): number {
    return this.dv.getUint16(EthernetField.ethertype.offset);
  }
  set ethertype(v: number) {
    this.dv.setUint16(EthernetField.ethertype.offset, v);
  }
  setDst(m: Uint8Array): void {
    this.buf.set(m.subarray(0, EthernetField.dst.length), EthernetField.dst.offset);
  }
  setSrc(m: Uint8Array): void {
    this.buf.set(m.subarray(0, EthernetField.src.length), EthernetField.src.offset);
  }
  get payload(): Uint8Array {
    return this.buf.subarray(ETHER_HDR_LEN);
  }
}

export interface EthernetRepr {
  dst: Uint8Array;
  src: Uint8Array;
  ethertype: number;
}

export const EthernetRepr = {
  parse(f: EthernetFrame): EthernetRepr | WireError<EthernetCheck> {
    const why = f.checkLen();
    if (why) return new WireError(why, 'truncated');
    return { dst: f.dst.slice(), src: f.src.slice(), ethertype: f.ethertype };
  },
  /** Write the header into `f` (the payload is the caller's). */
  emit(r: EthernetRepr, f: EthernetFrame): void {
    f.setDst(r.dst);
    f.setSrc(r.src);
    f.ethertype = r.ethertype;
  },
  bufferLen(payloadLen: number): number {
    return ETHER_HDR_LEN + payloadLen;
  },
};
