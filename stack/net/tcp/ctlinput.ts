/**
 * tcp_ctlinput (netinet/tcp_subr.c): ICMP errors about segments we sent. `quoted` is the datagram the ICMP
 * message quotes (IP header + at least 8 bytes of TCP header). Unreachables are soft errors (RFC 1122
 * §4.2.3.9): they end a connection only while it is being opened (port or protocol unreachable in SYN_SENT,
 * as NetBSD's inetctlerrmap makes ECONNREFUSED), or once its SYN has been retransmitted several times;
 * otherwise t_softerror keeps the reason for a later timeout. "Fragmentation needed" (RFC 1191) lowers
 * t_maxseg to the next-hop MTU and resends at once (tcp_mtudisc).
 */
import { Errno } from '../../kernel/api';
import { IpProto, Ipv4Packet } from '../wire/ipv4';
import { TcpPacket } from '../wire/tcp';
import { ipv6Equals } from '../wire/addr6';
import type { Icmp6CtlInfo } from '../ip6/icmp6';
import { TCPS_LISTEN, TCPS_SYN_SENT, haveEstablished, tcpStateName } from './fsm';
import { tcpOutput } from './output';
import { tcpDrop } from './subr';
import type { TcpCb } from './tcpcb';
import type { Tcp } from './tcp';

export function tcpCtlinput(tcp: Tcp, type: number, code: number, quoted: Uint8Array, nextMtu: number): void {
  if (quoted.length < 20) return;
  const q = new Ipv4Packet(quoted);
  const hl = q.headerLen;
  if (q.protocol !== IpProto.TCP || hl < 20 || quoted.length < hl + 8) return;
  const th = new TcpPacket(quoted.subarray(hl));
  const tp = tcp.cbs.find((t) => !t.v6 && t.state !== TCPS_LISTEN && t.so.laddr === q.src && t.so.lport === th.srcPort &&
    t.so.faddr === q.dst && t.so.fport === th.dstPort);
  if (!tp) return;
  tcp.s.env.trace('tcp', 'ctlinput', 0, { so: tp.so.id, type, code, state: tcpStateName(tp.state) });
  const ICMP_UNREACH = 3;
  if (type === ICMP_UNREACH && code === 4) {
    tcpMtudisc(tcp, tp, nextMtu, th.seq);
    return;
  }
  if (type !== ICMP_UNREACH && type !== 11) return;
  // tcp_notify: a soft error while establishing or with retransmissions pending; hard only in SYN_SENT for
  // port/protocol unreachable (NetBSD: inetctlerrmap → ECONNREFUSED drops a connection being opened).
  const err = type === ICMP_UNREACH ? (code === 2 || code === 3 ? Errno.ECONNREFUSED : Errno.EHOSTUNREACH) : Errno.EHOSTUNREACH;
  if (tp.state === TCPS_SYN_SENT && err === Errno.ECONNREFUSED) {
    tcpDrop(tcp, tp, err);
    return;
  }
  tp.softerror = err;
  if (!haveEstablished(tp.state) && tp.rxtshift > 3) tcpDrop(tcp, tp, err);
  else tcp.up.sowwakeup(tp.so);
}

/**
 * tcp6_ctlinput for ICMPv6 errors (RFC 4443) about a segment we sent, as ICMPv6 input hands them to the transport
 * (icmp6.ctlsw): the quoted packet's addresses and its TCP header onward. Packet Too Big (type 2) carries the MTU
 * (RFC 8201): t_maxseg follows it; Destination Unreachable (type 1) with code 4 (port unreachable) refuses a
 * connection being opened, other codes are soft errors.
 */
export function tcpCtlinput6(tcp: Tcp, info: Icmp6CtlInfo): void {
  const { type, code, src, dst } = info;
  if (info.upper.length < 8) return;
  const mtu = type === 2 ? info.param : 0;
  const th = new TcpPacket(info.upper);
  const tp = tcp.cbs.find((t) => t.v6 && t.state !== TCPS_LISTEN && ipv6Equals(t.so.laddr6, src) && t.so.lport === th.srcPort &&
    ipv6Equals(t.so.faddr6, dst) && t.so.fport === th.dstPort);
  if (!tp) return;
  tcp.s.env.trace('tcp', 'ctlinput', 0, { so: tp.so.id, type, code, state: tcpStateName(tp.state), v6: true });
  if (type === 2) {
    tcpMtudisc(tcp, tp, Math.max(mtu, 1280), th.seq);
    return;
  }
  if (type !== 1) return;
  const err = code === 4 ? Errno.ECONNREFUSED : Errno.EHOSTUNREACH;
  if (tp.state === TCPS_SYN_SENT && err === Errno.ECONNREFUSED) {
    tcpDrop(tcp, tp, err);
    return;
  }
  tp.softerror = err;
  if (!haveEstablished(tp.state) && tp.rxtshift > 3) tcpDrop(tcp, tp, err);
  else tcp.up.sowwakeup(tp.so);
}

/** tcp_mtudisc: a router (or our own route) says our segments are too big. Returns true if t_maxseg fell. */
export function tcpMtudisc(tcp: Tcp, tp: TcpCb, nextMtu: number, seq: number): boolean {
  const hdrs = tp.v6 ? 60 : 40;
  const mtu = nextMtu >= 68 ? nextMtu : 576; // RFC 1191 §5: an old router gives no MTU: plateau guess
  const newseg = Math.max(mtu - hdrs, 64);
  if (newseg >= tp.maxseg) return false;
  tp.maxseg = newseg;
  tcp.stats.mturesent++;
  tcp.s.env.trace('tcp', 'mtudisc', 0, { so: tp.so.id, mtu, maxseg: newseg, seq });
  // Retransmit from snd_una with the smaller segments (tcp_mtudisc: snd_nxt = snd_una; tcp_output).
  tp.snd_nxt = tp.snd_una;
  tcpOutput(tcp, tp);
  return true;
}
