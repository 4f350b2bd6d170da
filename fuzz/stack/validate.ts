/**
 * What the stack sends must be well formed whatever it was fed: every frame on en0's if_snd is parsed with our
 * own wire views (stack/net/wire) and its checksums verified — IPv4 header (RFC 791), ICMP (RFC 792), IGMP
 * (RFC 2236), UDP and TCP over the IPv4 and IPv6 pseudo-headers (RFC 768, RFC 9293 §3.1, RFC 8200 §8.1),
 * ICMPv6 (RFC 4443 §2.3), ARP (RFC 826). The fuzz interface offers no checksum offload, so every sum must be
 * complete. Datagrams the stack forwards are checked at the IP layer only (their transport sums are the sender's).
 * Returns why a frame is bad, or null.
 */
import { ARP_LEN, ArpPacket, ArpRepr } from '../../stack/net/wire/arp';
import { EtherType, EthernetFrame } from '../../stack/net/wire/ethernet';
import { IcmpPacket } from '../../stack/net/wire/icmp';
import { Icmpv6Packet, Icmpv6Repr } from '../../stack/net/wire/icmpv6';
import { IgmpPacket } from '../../stack/net/wire/igmp';
import { IpProto, Ipv4Packet, Ipv4Repr } from '../../stack/net/wire/ipv4';
import { Ip6Nxt, Ipv6FragHeader, Ipv6Packet, Ipv6Repr, extHeaderLen, pseudoHeaderSum6 } from '../../stack/net/wire/ipv6';
import { TcpPacket, TcpRepr, tcpPseudoSum4, tcpPseudoSum6 } from '../../stack/net/wire/tcp';
import { UdpPacket, UdpRepr } from '../../stack/net/wire/udp';
import { foldComplement, onesSum } from '../../stack/net/wire/checksum';
import { WireError } from '../../stack/net/wire/view';

/** Which source addresses are the stack's own (its datagrams get their transport checksums checked). */
export interface Ours {
  v4(a: number): boolean;
  v6(a: Uint8Array): boolean;
}

export function validateSent(frame: Uint8Array, ours: Ours): string | null {
  const f = new EthernetFrame(frame);
  const why = f.checkLen();
  if (why) return `ethernet: ${why}`;
  const payload = f.payload;
  switch (f.ethertype) {
    case EtherType.ARP: {
      const r = ArpRepr.parse(new ArpPacket(payload));
      if (r instanceof WireError) return `arp: ${r.reason}`;
      return payload.length < ARP_LEN ? 'arp: short' : null;
    }
    case EtherType.IPv4:
      return validateIpv4(payload, ours);
    case EtherType.IPv6:
      return validateIpv6(payload, ours);
    default:
      return `ethertype 0x${f.ethertype.toString(16)} sent`;
  }
}

function validateIpv4(buf: Uint8Array, ours: Ours): string | null {
  const p = new Ipv4Packet(buf);
  const r = Ipv4Repr.parse(p);
  if (r instanceof WireError) return `ipv4: ${r.reason} (${r.check})`;
  if (r.moreFrags || r.fragOffset !== 0) return null; // a fragment: the transport sum covers the whole datagram
  if (!ours.v4(r.src)) return null; // forwarded
  const body = p.payload;
  switch (r.protocol) {
    case IpProto.ICMP: {
      const icp = new IcmpPacket(body);
      const short = icp.checkLen();
      if (short) return `icmp: ${short}`;
      return icp.verifyChecksum() ? null : `icmp type ${icp.type}: bad checksum`;
    }
    case IpProto.IGMP: {
      const g = new IgmpPacket(body);
      const short = g.checkLen();
      if (short) return `igmp: ${short}`;
      return g.verifyChecksum() ? null : 'igmp: bad checksum';
    }
    case IpProto.UDP: {
      const u = new UdpPacket(body);
      if (u.checksum === 0) return 'udp: sent without a checksum';
      const ur = UdpRepr.parse(u, r.src, r.dst);
      return ur instanceof WireError ? `udp: ${ur.reason}` : null;
    }
    case IpProto.TCP: {
      const tr = TcpRepr.parse(new TcpPacket(body), tcpPseudoSum4(r.src, r.dst, body.length));
      return tr instanceof WireError ? `tcp: ${tr.reason}` : null;
    }
    default:
      return null;
  }
}

function validateIpv6(buf: Uint8Array, ours: Ours): string | null {
  const p = new Ipv6Packet(buf);
  const r = Ipv6Repr.parse(p);
  if (r instanceof WireError) return `ipv6: ${r.reason} (${r.check})`;
  if (!ours.v6(r.src)) return null; // forwarded
  const pkt = p.packet;
  let nxt = r.nxt;
  let off = 40;
  for (let n = 0; n < 8; n++) {
    if (nxt === Ip6Nxt.HOPOPTS || nxt === Ip6Nxt.DSTOPTS || nxt === Ip6Nxt.ROUTING) {
      if (off + 2 > pkt.length) return 'ipv6: truncated extension header';
      const len = extHeaderLen(pkt, off);
      if (off + len > pkt.length) return 'ipv6: extension header runs past the packet';
      nxt = pkt[off]!;
      off += len;
      continue;
    }
    if (nxt === Ip6Nxt.FRAGMENT) {
      if (off + 8 > pkt.length) return 'ipv6: truncated fragment header';
      const fh = new Ipv6FragHeader(pkt.subarray(off, off + 8));
      if (fh.offset !== 0 || fh.moreFrags) return null; // transport sums cover the whole datagram
      nxt = fh.nxt;
      off += 8;
      continue;
    }
    break;
  }
  const body = pkt.subarray(off);
  switch (nxt) {
    case Ip6Nxt.ICMPV6: {
      const bad = Icmpv6Repr.check(new Icmpv6Packet(body), r.src, r.dst);
      return bad ? `icmp6: ${bad.reason}` : null;
    }
    case Ip6Nxt.UDP: {
      const u = new UdpPacket(body);
      const len = u.length;
      if (body.length < 8 || len < 8 || len > body.length) return 'udp6: bad length';
      if (u.checksum === 0) return 'udp6: checksum 0 (mandatory over IPv6, RFC 8200 §8.1)';
      return foldComplement(onesSum(body, 0, len, pseudoHeaderSum6(r.src, r.dst, Ip6Nxt.UDP, len))) === 0 ? null : 'udp6: bad checksum';
    }
    case Ip6Nxt.TCP: {
      const tr = TcpRepr.parse(new TcpPacket(body), tcpPseudoSum6(r.src, r.dst, body.length));
      return tr instanceof WireError ? `tcp6: ${tr.reason}` : null;
    }
    default:
      return null;
  }
}
