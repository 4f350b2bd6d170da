/**
 * The TCP (RFC 9293 §3.1) and IPv6 (RFC 8200) parts of the debugger's packet model (packet-info.ts): decoding
 * them from frame bytes with the stack's wire views, and the tcpdump-like TCP summary.
 */
import { Icmp6Type, Icmpv6Packet, Icmpv6Repr } from '../../../stack/net/wire/icmpv6';
import { IP6_FRAG_LEN, IP6_HDR_LEN, Ip6Nxt, Ipv6FragHeader, Ipv6Packet, extHeaderLen } from '../../../stack/net/wire/ipv6';
import { TH_ACK, TH_CWR, TH_ECE, TH_FIN, TH_PUSH, TH_RST, TH_SYN, TH_URG, TcpPacket, TcpRepr, tcpPseudoSum6 } from '../../../stack/net/wire/tcp';
import { UdpPacket } from '../../../stack/net/wire/udp';
import { WireError } from '../../../stack/net/wire/view';
import type { PacketInfo } from './packet-info';

/** TCP header fields (tcp_input's length checks; the checksum only over a whole segment). */
export function decodeTcp(info: PacketInfo, seg: Uint8Array, pseudo: number, whole: boolean, bad: (l: string, e: WireError) => void): void {
  const t = new TcpPacket(seg);
  const r = TcpRepr.parse(t, pseudo, { verifyChecksum: whole });
  if (r instanceof WireError) bad('TCP', r);
  if (r instanceof WireError && r.check === 'rcvshort') return;
  info.sport = t.srcPort;
  info.dport = t.dstPort;
  info.tcpSeq = t.seq;
  info.tcpAck = t.ack;
  info.tcpFlags = t.flags;
  info.tcpWin = t.window;
  if (!(r instanceof WireError && r.check === 'rcvbadoff')) info.tcpLen = t.payload.length;
}

/** Extension headers a host walks to the upper layer (RFC 8200 §4.1 order; AH and ESP end the walk). */
export const IP6_EXT_HEADERS: ReadonlySet<number> = new Set([Ip6Nxt.HOPOPTS, Ip6Nxt.ROUTING, Ip6Nxt.DSTOPTS]);

/**
 * IPv6 (RFC 8200): the fixed header, then the extension headers to the upper-layer header. A non-first
 * fragment names its upper layer but carries no upper-layer header; a first fragment's is read, not checksummed.
 */
export function decodeIpv6(info: PacketInfo, payload: Uint8Array, bad: (l: string, e: WireError) => void): void {
  const ip6 = new Ipv6Packet(payload);
  const ipBad = ip6.check(true);
  if (ipBad) bad('IPv6', ipBad);
  if (ipBad && ipBad.check !== 'tooshort') return;
  info.ip6Src = ip6.src;
  info.ip6Dst = ip6.dst;
  info.ip6Hlim = ip6.hlim;
  const end = Math.min(payload.length, IP6_HDR_LEN + ip6.payloadLen);
  let nxt = ip6.nxt;
  let off = IP6_HDR_LEN;
  let whole = true;
  for (;;) {
    if (IP6_EXT_HEADERS.has(nxt)) {
      if (off + 2 > end) return;
      const len = extHeaderLen(payload, off);
      nxt = payload[off]!;
      off += len;
      if (off > end) return;
    } else if (nxt === Ip6Nxt.FRAGMENT) {
      if (off + IP6_FRAG_LEN > end) return;
      const fh = new Ipv6FragHeader(payload.subarray(off, off + IP6_FRAG_LEN));
      nxt = fh.nxt;
      off += IP6_FRAG_LEN;
      if (fh.offset !== 0) {
        info.ip6Nxt = nxt;
        return;
      }
      whole = whole && !fh.moreFrags;
    } else {
      break;
    }
  }
  info.ip6Nxt = nxt;
  const l4 = payload.subarray(off, end);
  const src = info.ip6Src;
  const dst = info.ip6Dst;
  if (nxt === Ip6Nxt.TCP) {
    decodeTcp(info, l4, tcpPseudoSum6(src, dst, l4.length), whole, bad);
  } else if (nxt === Ip6Nxt.UDP) {
    const u = new UdpPacket(l4);
    const e = u.lengthError();
    if (e) bad('UDP', e);
    if (e?.check === 'hdrops') return;
    info.sport = u.srcPort;
    info.dport = u.dstPort;
  } else if (nxt === Ip6Nxt.ICMPV6) {
    const ic = new Icmpv6Packet(l4);
    const r = whole ? Icmpv6Repr.check(ic, src, dst) : ic.checkLen() ? new WireError(ic.checkLen()!, 'tooshort') : null;
    if (r) bad('ICMPv6', r);
    if (r?.check === 'tooshort') return;
    info.icmp6Type = ic.type;
    info.icmp6Code = ic.code;
    if (ic.type === Icmp6Type.EchoRequest || ic.type === Icmp6Type.EchoReply) {
      info.icmpId = ic.ident;
      info.icmpSeq = ic.seq;
    }
  }
}

/** th_flags as tcpdump prints them (print-tcp.c's order: F S R P . U E W; "none" for no flag). */
const TCPDUMP_FLAGS: [number, string][] = [
  [TH_FIN, 'F'], [TH_SYN, 'S'], [TH_RST, 'R'], [TH_PUSH, 'P'], [TH_ACK, '.'], [TH_URG, 'U'], [TH_ECE, 'E'], [TH_CWR, 'W'],
];

/** "TCP [S.], seq 1000, ack 2001, win 32768, length 0" (absolute sequence numbers, as tcpdump -S). */
export function tcpSummary(i: PacketInfo): string {
  const out = [i.tcpFlags !== undefined ? `TCP [${TCPDUMP_FLAGS.filter(([b]) => i.tcpFlags! & b).map(([, c]) => c).join('') || 'none'}]` : 'TCP'];
  if (i.tcpSeq !== undefined) out.push(i.tcpLen ? `seq ${i.tcpSeq}:${(i.tcpSeq + i.tcpLen) >>> 0}` : `seq ${i.tcpSeq}`);
  if (i.tcpAck !== undefined && i.tcpFlags !== undefined && i.tcpFlags & TH_ACK) out.push(`ack ${i.tcpAck}`);
  if (i.tcpWin !== undefined) out.push(`win ${i.tcpWin}`);
  if (i.tcpLen !== undefined) out.push(`length ${i.tcpLen}`);
  return out.join(', ');
}
