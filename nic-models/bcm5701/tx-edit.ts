/**
 * The edits the send path makes to a gathered frame (design §1.10.2 step 4, §1.10.4), in this order: VLAN tag
 * insertion (TXD_FLAG_VLAN: 0x8100 + the BD's TCI after the source address), the IPv4 header checksum
 * (IP_CSUM), the TCP/UDP checksum (TCPUDP_CSUM; with GRC_MODE.NO_TX_PHDR_CSUM the stack has preloaded the
 * pseudo-header sum, as Linux CHECKSUM_PARTIAL and NetBSD M_CSUM_TCPv4/UDPv4 do), padding to 60 bytes, and the FCS
 * — appended by the MAC, or with NO_CRC the last four bytes the host gave (a wrong one goes out as a bad FCS).
 */
import { crc32, insertIpChecksum, insertL4Checksum, parseLayers } from './checksum';
import { TXD_FLAG } from './regs';

export interface EditOptions {
  /** PHY AUX_CTRL EXTPKTLEN: frames up to 9022 bytes may go out, else 1518 (1522 tagged) with FCS. */
  extendedLength: boolean;
  phdrPreloaded: boolean;
  /** Why a checksum was not inserted (not IPv4, fragment, …). */
  trace(reason: string): void;
}

/** The frame as it goes on the wire (no FCS) and whether its FCS is bad, or the reason it is dropped. */
export function editFrame(raw: Uint8Array, flags: number, vlan: number, noCrc: boolean, o: EditOptions): { data: Uint8Array; badFcs: boolean } | 'oversize' {
  let f = raw;
  if (flags & TXD_FLAG.VLAN) {
    // The tag follows the two addresses (IEEE 802.1Q 9.3). A gathered frame shorter than 12 bytes (no driver
    // sends one; found by the fuzzer, nic/bcm5701) gets the tag after the bytes it has *(I)*; it is then padded.
    const at = Math.min(12, raw.length);
    f = new Uint8Array(raw.length + 4);
    f.set(raw.subarray(0, at));
    f[at] = 0x81;
    f[at + 1] = 0x00;
    f[at + 2] = vlan >>> 8;
    f[at + 3] = vlan & 0xff;
    f.set(raw.subarray(at), at + 4);
  }
  const tagged = f.length >= 14 && f[12] === 0x81 && f[13] === 0;
  const limit = o.extendedLength ? 9022 : tagged ? 1522 : 1518;
  if (f.length + (noCrc ? 0 : 4) > limit) return 'oversize';
  if (flags & (TXD_FLAG.IP_CSUM | TXD_FLAG.TCPUDP_CSUM)) {
    const l = parseLayers(f, noCrc ? Math.max(0, f.length - 4) : f.length);
    if (l.ip < 0 || l.why === 'short-ip') o.trace(l.why);
    else {
      if (flags & TXD_FLAG.IP_CSUM) insertIpChecksum(f, l.ip, l.ihl);
      if (flags & TXD_FLAG.TCPUDP_CSUM) {
        if (l.why === '') insertL4Checksum(f, l, o.phdrPreloaded);
        else o.trace(l.why);
      }
    }
  }
  if (noCrc) {
    const body = f.subarray(0, Math.max(0, f.length - 4));
    const n = f.length;
    const fcs = n >= 4 ? (f[n - 4]! | (f[n - 3]! << 8) | (f[n - 2]! << 16) | (f[n - 1]! << 24)) >>> 0 : 0;
    return { data: body.slice(), badFcs: fcs !== crc32(body) };
  }
  if (f.length < 60) {
    const p = new Uint8Array(60);
    p.set(f);
    f = p;
  }
  return { data: f, badFcs: false };
}
