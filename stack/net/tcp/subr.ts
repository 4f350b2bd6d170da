/**
 * netinet/tcp_subr.c and the helpers tcp_input/tcp_output share: ISNs, sequence initialisation, MSS choice,
 * tcp_respond (a segment without a connection: RSTs, keepalive probes), tcp_close/tcp_drop, tcp_usrclosed,
 * RTT sampling (tcp_xmit_timer, RFC 6298) and the persist timer (tcp_setpersist).
 */
import { Errno } from '../../kernel/api';
import { SO_KEEPALIVE } from '../../include/sys/socket';
import { ECONNRESET } from '../../include/errno';
import { NetCost, bytesCost } from '../costs';
import { pseudoHeaderSeed } from '../csum-offload';
import { M_CSUM_TCPv4 } from '../mbuf';
import { Ip } from '../ip';
import { ipToString, type Ipv4Addr } from '../wire/addr';
import { ipv6ToString } from '../wire/addr6';
import { IpProto } from '../wire/ipv4';
import { TH_ACK, TH_RST, TcpPacket, TcpRepr, tcpFlagsString, tcpPseudoSum4, tcpPseudoSum6, type TcpOptions } from '../wire/tcp';
import {
  TCPS_CLOSED, TCPS_CLOSE_WAIT, TCPS_ESTABLISHED, TCPS_FIN_WAIT_1, TCPS_FIN_WAIT_2, TCPS_LAST_ACK, TCPS_LISTEN,
  TCPS_SYN_RECEIVED, TCPS_SYN_SENT, haveEstablished, tcpStateName,
} from './fsm';
import { Ip6 } from '../ip6/ip6';
import { IPV6_DEFHLIM } from '../wire/ipv6';
import {
  SLOW_TICK_NS, TCPT_2MSL, TCPT_KEEP, TCPT_NTIMERS, TCPT_PERSIST, TCPTV_MIN, TCPTV_PERSMAX,
  TCPTV_PERSMIN, TCPTV_REXMTMAX, TCPTV_SRTTDFLT, TCP_BACKOFF, TCP_MAXWIN, TF_DETACHED, TF_RCVD_TSTMP, TF_REQ_TSTMP, rangeSet, type TcpCb,
} from './tcpcb';
import type { Tcp } from './tcp';

/** The endpoints of a segment (IPv4 in src/dst, IPv6 in src6/dst6). */
export interface Endpoints {
  v6: boolean;
  src: Ipv4Addr;
  dst: Ipv4Addr;
  src6: Uint8Array;
  dst6: Uint8Array;
  /** sin6_scope_id of a link-local peer (the interface index). */
  scope6?: number;
}

/** tcp_new_iss: 32 random bits from the node's seeded stream (RFC 6528's goal: unpredictable ISNs). */
export function tcpNewIss(tcp: Tcp): number {
  return tcp.s.env.random32() >>> 0;
}

/** tcp_sendseqinit. */
export function tcpSendSeqInit(tp: TcpCb): void {
  tp.snd_una = tp.snd_nxt = tp.snd_max = tp.snd_up = tp.snd_recover = tp.iss;
  tp.snd_fack = tp.rcv_lastsack = tp.sack_newdata = tp.iss;
}

/** tcp_rcvseqinit. */
export function tcpRcvSeqInit(tp: TcpCb): void {
  tp.rcv_adv = tp.rcv_nxt = (tp.irs + 1) >>> 0;
}

/** tcp_mss_to_advertise: the interface MTU less the IP and TCP headers (1460 on Ethernet over IPv4). */
export function tcpMssToAdvertise(tp: TcpCb, ifMtu: number): number {
  return ifMtu - (tp.v6 ? 60 : 40);
}

/** tcp_mss_from_peer + tcp_established's cwnd: t_maxseg from the peer's offer and our interface. */
export function tcpMssFromPeer(tp: TcpCb, offer: number | undefined): void {
  tp.peermss = offer ?? (tp.v6 ? 1220 : 536);
  tp.maxseg = Math.max(64, Math.min(tp.peermss, tp.ourmss));
}

/**
 * The data a full-sized segment carries (NetBSD tcp_segsize's t_segsz): t_maxseg less the options every
 * segment has (12 bytes of timestamp option when they were agreed). Congestion control counts in these.
 */
export function tcpSegsz(tp: TcpCb): number {
  return tp.maxseg - ((tp.flags & (TF_REQ_TSTMP | TF_RCVD_TSTMP)) === (TF_REQ_TSTMP | TF_RCVD_TSTMP) ? 12 : 0);
}

/** The window scale we ask for (RFC 7323 §2.2): the smallest that lets so_rcvbuf be offered (tcp_usrreq's loop). */
export function tcpRequestScale(tp: TcpCb): void {
  const rcvbuf = tp.so.stream?.rcv.hiwat ?? 0;
  tp.request_r_scale = 0;
  while (tp.request_r_scale < 14 && TCP_MAXWIN << tp.request_r_scale < rcvbuf) tp.request_r_scale++;
}

/** RFC 3390 initial window (NetBSD TCP_INITIAL_WINDOW with tcp_init_win 4): min(4·MSS, max(2·MSS, 4380)). */
export function initialWindow(segsz: number): number {
  return Math.min(4 * segsz, Math.max(2 * segsz, 4380));
}

/** Where a segment for `tp` goes. */
export function tpEndpoints(tp: TcpCb): Endpoints {
  const so = tp.so;
  return { v6: tp.v6, src: so.laddr, dst: so.faddr, src6: so.laddr6, dst6: so.faddr6, scope6: tp.scope6 };
}

export function endpointString(e: Endpoints, sport: number, dport: number): { src: string; dst: string } {
  return e.v6
    ? { src: `${ipv6ToString(e.src6)}.${sport}`, dst: `${ipv6ToString(e.dst6)}.${dport}` }
    : { src: `${ipToString(e.src)}.${sport}`, dst: `${ipToString(e.dst)}.${dport}` };
}

/**
 * Build and send one segment (the part of tcp_output after the decision, and tcp_respond): header, options,
 * payload, checksum, then ip_output or ip6_output. Returns 0 or an errno. Over IPv4 the checksum field gets
 * the pseudo-header seed and the mbuf M_CSUM_TCPv4 (NetBSD tcp_output): the interface completes it when it
 * offers IFCAP_CSUM_TCPv4_Tx, else ip_output does (in_delayed_cksum, charged there per byte). `df` sets IP_DF
 * (path MTU discovery, net.inet.ip.mtudisc).
 */
export function tcpXmit(tcp: Tcp, e: Endpoints, r: TcpRepr, pktId: number, traceF: Record<string, string | number>, ttl = 64, df = false): number {
  const env = tcp.s.env;
  const len = TcpRepr.bufferLen(r);
  env.charge(NetCost.tcpOutput + bytesCost(r.payload.length, NetCost.copyPerByte) + (e.v6 ? bytesCost(len, NetCost.checksumPerByte) : 0));
  tcp.stats.sndtotal++;
  env.trace('tcp', 'output', pktId, {
    ...endpointString(e, r.srcPort, r.dstPort), flags: tcpFlagsString(r.flags), seq: r.seq, ack: r.ack, win: r.window,
    len: r.payload.length, ...traceF,
  });
  if (!e.v6) {
    const frame = Ip.alloc(len);
    const p = new TcpPacket(frame.subarray(Ip.PAYLOAD_OFF));
    TcpRepr.emit(r, p, tcpPseudoSum4(e.src, e.dst, len));
    p.checksum = pseudoHeaderSeed(e.src, e.dst, IpProto.TCP, len);
    return tcp.s.ip.output(frame, { src: e.src, dst: e.dst, protocol: IpProto.TCP, ttl, tos: 0, df }, pktId, { csumFlags: M_CSUM_TCPv4 });
  }
  const ip6 = tcp.s.ip6;
  if (!ip6) return Errno.EAFNOSUPPORT; // no IPv6 in this stack (io-pkt-v4)
  const frame = Ip6.alloc(len);
  const p = new TcpPacket(frame.subarray(Ip6.PAYLOAD_OFF));
  TcpRepr.emit(r, p, tcpPseudoSum6(e.src6, e.dst6, len));
  return ip6.output(frame, { src: e.src6, dst: e.dst6, nxt: IpProto.TCP, hlim: IPV6_DEFHLIM, scopeId: e.scope6 ?? 0 }, pktId);
}

/**
 * tcp_respond: a segment not produced by tcp_output (RST for a segment with no connection, a keepalive
 * probe, a challenge ACK). `e` are the endpoints as the reply sees them (src = us).
 */
export function tcpRespond(tcp: Tcp, e: Endpoints, sport: number, dport: number, seq: number, ack: number, flags: number,
  win: number, pktId: number, why: string, opts: TcpOptions = {}): void {
  const r: TcpRepr = { srcPort: sport, dstPort: dport, seq: seq >>> 0, ack: ack >>> 0, flags, window: win, urgent: 0, options: opts, payload: new Uint8Array(0) };
  if (flags & TH_RST) tcp.stats.sndrst++;
  tcp.stats.sndctrl++;
  tcpXmit(tcp, e, r, pktId, { why });
}

/** tcp_canceltimers. */
export function tcpCancelTimers(tp: TcpCb): void {
  for (let i = 0; i < TCPT_NTIMERS; i++) tp.timer[i] = 0;
}

/**
 * tcp_close: the connection is gone. The control block is removed; the socket is told (soisdisconnected) and,
 * if the user already closed it, freed.
 */
export function tcpClose(tcp: Tcp, tp: TcpCb): null {
  const so = tp.so;
  const was = tp.state;
  tcpCancelTimers(tp);
  tp.segq.length = 0;
  tp.state = TCPS_CLOSED;
  tcp.remove(tp);
  tcp.stats.closed++;
  tcp.s.env.trace('tcp', 'state', 0, { so: so.id, state: 'CLOSED', from: tcpStateName(was) });
  so.pcb = null;
  tcp.up.soisdisconnected(so);
  tcp.up.sofree(so);
  return null;
}

/**
 * tcp_drop: abort with RST if the connection was synchronised, record `errno` on the socket (ETIMEDOUT
 * replaced by the soft error if there was one, as NetBSD does).
 */
export function tcpDrop(tcp: Tcp, tp: TcpCb, errno: number): null {
  const so = tp.so;
  if (tp.state >= TCPS_SYN_RECEIVED) {
    tp.state = TCPS_CLOSED;
    const e = tpEndpoints(tp);
    tcpRespond(tcp, e, so.lport, so.fport, tp.snd_nxt, tp.rcv_nxt, TH_RST | TH_ACK, 0, tcp.s.env.newPktId(), 'drop');
    tcp.stats.drops++;
  } else tcp.stats.conndrops++;
  const err = errno === Errno.ETIMEDOUT && tp.softerror ? tp.softerror : errno;
  if (err) so.error = err;
  return tcpClose(tcp, tp);
}

/** The peer reset the connection (tcp_input's RST processing): the error depends on the state. */
export function tcpResetByPeer(tcp: Tcp, tp: TcpCb, errno = ECONNRESET): null {
  tp.so.error = errno;
  tcp.stats.drops++;
  return tcpClose(tcp, tp);
}

/**
 * tcp_usrclosed: the user will send no more. States advance as RFC 9293 §3.10.4 (CLOSE) says; a FIN
 * follows from tcp_output's tcp_outflags. In FIN_WAIT_2 with the socket closed, the 2MSL timer bounds the
 * wait for the peer's FIN (NetBSD tcp_maxidle).
 */
export function tcpUsrClosed(tcp: Tcp, tp: TcpCb): TcpCb | null {
  switch (tp.state) {
    case TCPS_CLOSED:
    case TCPS_LISTEN:
    case TCPS_SYN_SENT:
      return tcpClose(tcp, tp);
    case TCPS_SYN_RECEIVED:
    case TCPS_ESTABLISHED:
      tp.state = TCPS_FIN_WAIT_1;
      break;
    case TCPS_CLOSE_WAIT:
      tp.state = TCPS_LAST_ACK;
      break;
  }
  tcp.s.env.trace('tcp', 'state', 0, { so: tp.so.id, state: tcpStateName(tp.state), why: 'user close' });
  if (tp.state === TCPS_FIN_WAIT_2 && (tp.flags & TF_DETACHED) !== 0) {
    tp.timer[TCPT_2MSL] = tcpMaxidle(tp);
    tcp.timers.arm();
  }
  return tp;
}

/** tcp_maxidle: how long a connection whose socket can receive no more waits in FIN_WAIT_2 (TCP_KEEPCNT × TCP_KEEPINTVL: 10 min). */
export function tcpMaxidle(tp: TcpCb): number {
  return tp.keepcnt * tp.keepintvl;
}

/** (Re)arm the keepalive timer for an established connection with SO_KEEPALIVE (tcp_input does this per segment). */
export function tcpSetKeep(tcp: Tcp, tp: TcpCb): void {
  if (!haveEstablished(tp.state)) return;
  tp.timer[TCPT_KEEP] = (tp.so.options & SO_KEEPALIVE) !== 0 ? tp.keepidle : 0;
  if (tp.timer[TCPT_KEEP]) tcp.timers.arm();
}

/**
 * tcp_xmit_timer: a round-trip sample `rtt` ns (RFC 6298 §2): SRTT/RTTVAR smoothing with gains 1/8 and 1/4,
 * RTO = SRTT + max(G, 4·RTTVAR) with G one slow tick, in slow ticks (rounded up), clamped to
 * [TCPTV_MIN, TCPTV_REXMTMAX]; the backoff is cleared (RFC 6298 §5.7's Karn rule is kept by timing only
 * segments that were not retransmitted).
 */
export function tcpXmitTimer(tcp: Tcp, tp: TcpCb, rtt: number): void {
  tcp.stats.rttupdated++;
  const r = Math.max(rtt, 1);
  if (tp.srtt === 0) {
    tp.srtt = r;
    tp.rttvar = r / 2;
  } else {
    tp.rttvar = (3 * tp.rttvar + Math.abs(tp.srtt - r)) / 4;
    tp.srtt = (7 * tp.srtt + r) / 8;
  }
  tp.rtttime = -1;
  tp.rxtshift = 0;
  tp.rxtcur = rangeSet(rexmtVal(tp), TCPTV_MIN, TCPTV_REXMTMAX);
  tp.softerror = 0;
}

/**
 * TCP_REXMTVAL in slow ticks before any backoff, never below TCPTV_MIN (t_rttmin), so a backed-off RTO
 * doubles from at least 1 s even after the estimate was reset (tcp_timer_rexmt's srtt reset).
 */
export function rexmtVal(tp: TcpCb): number {
  // No estimate yet (srtt and rttvar 0): NetBSD's initial values give TCPTV_SRTTDFLT (3 s).
  if (tp.srtt === 0 && tp.rttvar === 0) return TCPTV_SRTTDFLT;
  return Math.max(TCPTV_MIN, Math.ceil((tp.srtt + Math.max(SLOW_TICK_NS, 4 * tp.rttvar)) / SLOW_TICK_NS));
}

/** tcp_setpersist: arm the persist timer with the backed-off RTO clamped to [PERSMIN, PERSMAX]. */
export function tcpSetPersist(tcp: Tcp, tp: TcpCb): void {
  const t = rexmtVal(tp);
  tp.timer[TCPT_PERSIST] = rangeSet(t * TCP_BACKOFF[Math.min(tp.rxtshift, TCP_BACKOFF.length - 1)]!, TCPTV_PERSMIN, TCPTV_PERSMAX);
  if (tp.rxtshift < TCP_BACKOFF.length - 1) tp.rxtshift++;
  tcp.timers.arm();
}

