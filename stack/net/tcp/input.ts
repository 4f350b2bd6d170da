/**
 * tcp_input, first half (netinet/tcp_input.c): checksum (or the interface's verdict), header and option
 * parsing, the PCB lookup, segments for LISTEN (a SYN makes a child socket through sonewconn and gets a
 * SYN-ACK; backlog full → dropped) and SYN_SENT (RFC 9293 §3.10.7.3), and the drop paths: plain drop,
 * drop after sending an ACK, drop with RST (RFC 9293 §3.10.7.1 for segments to a closed port). Segments for
 * synchronised connections continue in input-seg.ts.
 */
import { Errno } from '../../kernel/api';
import { AF_INET6, SO_KEEPALIVE } from '../../include/sys/socket';
import { IFCAP_CSUM_TCPv4_Rx, type Ifnet } from '../if';
import { M_BCAST, M_CSUM_DATA, M_CSUM_NO_PSEUDOHDR, M_CSUM_TCP_UDP_BAD, M_CSUM_TCPv4, M_MCAST, type Mbuf } from '../mbuf';
import { NetCost, bytesCost } from '../costs';
import { foldComplement } from '../wire/checksum';
import { WireError } from '../wire/view';
import { TH_ACK, TH_FIN, TH_RST, TH_SYN, TcpPacket, TcpRepr, tcpFlagsString, tcpPseudoSum4, tcpPseudoSum6 } from '../wire/tcp';
import { ccEstablished } from './congestion';
import { SEQ_GT, SEQ_LEQ, TCPS_CLOSED, TCPS_ESTABLISHED, TCPS_LISTEN, TCPS_SYN_RECEIVED, TCPS_SYN_SENT, TCPS_TIME_WAIT, seqAdd } from './fsm';
import { tcpInputSynced, tcpDataAndFin } from './input-seg';
import { tcpMapToV4 } from '../ip6/mapped6';
import { tcpReass } from './reass';
import { tcpNow, tcpOutput } from './output';
import { endpointString, tcpDrop, tcpMssFromPeer, tcpMssToAdvertise, tcpNewIss, tcpRcvSeqInit, tcpRequestScale, tcpRespond, tcpSendSeqInit, tcpXmitTimer, type Endpoints } from './subr';
import { TCPT_KEEP, TCPT_REXMT, TCPTV_KEEP_INIT, TF_ACKNOW, TF_NODELAY, TF_RCVD_SCALE, TF_RCVD_TSTMP, TF_REQ_SCALE, TF_REQ_TSTMP, TF_SACK_PERMIT, TF_WILL_SACK, type TcpCb } from './tcpcb';
import type { Tcp } from './tcp';

/** The addresses of a received segment (src = the peer). */
export interface SegAddrs extends Endpoints {
  tos: number;
}

/** A parsed incoming segment as the processing steps pass it along (ti_* of tcp_input). */
export interface Seg {
  r: TcpRepr;
  a: SegAddrs;
  seq: number;
  ack: number;
  flags: number;
  /** Payload after trimming. */
  data: Uint8Array;
  /** The peer's window, scaled (tiwin). */
  tiwin: number;
  pktId: number;
  bcast: boolean;
  /** ACK processing found that tcp_output should run (window opened, everything acknowledged). */
  needOutput?: boolean;
  /** The connection it was for is gone (TIME_WAIT ended by a new SYN): look it up again. */
  refind?: boolean;
}

/** The hardware's TCP checksum verdict (tcp4_input_checksum with IFCAP_CSUM_TCPv4_Rx): null = check here. */
function tcpRxVerdict(ifp: Ifnet, m: Mbuf, a: SegAddrs, len: number): boolean | null {
  if (a.v6) return null;
  const f = m.csumFlags ?? 0;
  if ((f & M_CSUM_TCPv4) === 0 || ((ifp.capenable ?? 0) & IFCAP_CSUM_TCPv4_Rx) === 0) return null;
  if (f & M_CSUM_TCP_UDP_BAD) return false;
  if ((f & M_CSUM_DATA) === 0) return true;
  let hw = m.csumData ?? 0;
  if (f & M_CSUM_NO_PSEUDOHDR) hw = ~foldComplement(hw + tcpPseudoSum4(a.src, a.dst, len)) & 0xffff;
  return hw === 0xffff;
}

export function tcpInput(tcp: Tcp, ifp: Ifnet, m: Mbuf, a: SegAddrs, seg: Uint8Array): void {
  const env = tcp.s.env;
  const st = tcp.stats;
  st.rcvtotal++;
  env.charge(NetCost.tcpInput);
  const p = new TcpPacket(seg);
  const lenErr = p.lengthError();
  const hw = lenErr ? null : tcpRxVerdict(ifp, m, a, seg.length);
  if (!lenErr && hw === null) env.charge(bytesCost(seg.length, NetCost.checksumPerByte));
  const pseudo = a.v6 ? tcpPseudoSum6(a.src6, a.dst6, seg.length) : tcpPseudoSum4(a.src, a.dst, seg.length);
  const r = hw === false ? new WireError('bad TCP checksum (hardware)', 'rcvbadsum' as const) : TcpRepr.parse(p, pseudo, { verifyChecksum: hw === null });
  if (r instanceof WireError) {
    st[r.check]++;
    env.trace('tcp', 'drop', m.pktId, { reason: r.reason });
    return;
  }
  const bcast = ((m.flags ?? 0) & (M_BCAST | M_MCAST)) !== 0 || (!a.v6 && tcp.s.ifs.isBroadcast(a.dst, ifp)) || (a.v6 && a.dst6[0] === 0xff);
  const s: Seg = { r, a, seq: r.seq, ack: r.ack, flags: r.flags, data: r.payload, tiwin: r.window, pktId: m.pktId, bcast };
  env.trace('tcp', 'input', m.pktId, {
    ...endpointString(a, r.srcPort, r.dstPort), flags: tcpFlagsString(r.flags), seq: r.seq,
    ack: r.ack, win: r.window, len: r.payload.length,
  });
  if (bcast) {
    // RFC 1122 §4.2.3.10: TCP never talks to broadcast or multicast addresses.
    env.trace('tcp', 'drop', m.pktId, { reason: 'segment to a broadcast or multicast address' });
    return;
  }
  let tp = tcp.lookup(a, r.srcPort, r.dstPort);
  if (tp && tp.state === TCPS_TIME_WAIT && (s.flags & TH_SYN) !== 0) {
    // tcp_input's findpcb loop: a SYN that ends TIME_WAIT is processed again by whoever listens.
    if (tcpInputSynced(tcp, tp, { ...s, data: s.data })) tp = tcp.lookup(a, r.srcPort, r.dstPort);
    else return;
  }
  if (!tp) {
    st.noport++;
    dropWithReset(tcp, s, `no socket for port ${r.dstPort}`);
    return;
  }
  if (tp.state === TCPS_CLOSED) {
    dropWithReset(tcp, s, 'connection closed');
    return;
  }
  // The window of any segment but a SYN is scaled by the peer's shift (RFC 7323 §2.3).
  if ((s.flags & TH_SYN) === 0) s.tiwin = r.window << tp.snd_scale;
  if (tp.state === TCPS_LISTEN) {
    inputListen(tcp, tp, s);
    return;
  }
  tp.rcvtime = env.now();
  tp.keepprobes = 0;
  if (tp.state >= TCPS_ESTABLISHED && tp.timer[TCPT_KEEP] !== 0) tp.timer[TCPT_KEEP] = tp.keepidle;
  if (tp.state === TCPS_SYN_SENT) {
    inputSynSent(tcp, tp, s);
    return;
  }
  tcpInputSynced(tcp, tp, s);
}

/** A segment for a listening socket (tcp_input's LISTEN case, without a syncache). */
function inputListen(tcp: Tcp, head: TcpCb, s: Seg): void {
  const env = tcp.s.env;
  if (s.flags & TH_RST) return drop(tcp, s, 'RST to a listener');
  if (s.flags & TH_ACK) return dropWithReset(tcp, s, 'ACK to a listener');
  if ((s.flags & TH_SYN) === 0) return drop(tcp, s, 'no SYN to a listener');
  const child = tcp.up.sonewconn(head.so);
  if (!child) {
    tcp.stats.listendrop++;
    return drop(tcp, s, `listen queue full (qlimit ${head.so.qlimit})`);
  }
  const tp = child.pcb as TcpCb;
  const so = child;
  const a = s.a;
  if (a.v6) {
    so.laddr6 = a.dst6.slice(0, 16);
    so.faddr6 = a.src6.slice(0, 16);
    tp.scope6 = a.scope6 ?? 0;
  } else {
    so.laddr = a.dst;
    so.faddr = a.src;
    if (so.domain === AF_INET6) tcpMapToV4(so, tp); // an IPv4 SYN to a dual-stack listener (ip6/mapped6.ts)
  }
  so.lport = s.r.dstPort;
  so.fport = s.r.srcPort;
  tp.flags = (tp.flags & ~(TF_REQ_SCALE | TF_REQ_TSTMP | TF_WILL_SACK)) | (head.flags & (TF_REQ_SCALE | TF_REQ_TSTMP | TF_NODELAY | TF_WILL_SACK));
  tp.ourmss = tcpMssToAdvertise(tp, routeMtu(tcp, tp));
  tcpRequestScale(tp);
  tp.iss = tcpNewIss(tcp);
  tcpSendSeqInit(tp);
  tp.irs = s.seq;
  tcpRcvSeqInit(tp);
  synOptions(tcp, tp, s);
  tp.snd_wnd = s.r.window; // never scaled in a SYN (RFC 7323 §2.2)
  tp.max_sndwnd = tp.snd_wnd;
  tp.snd_wl1 = s.seq;
  tp.state = TCPS_SYN_RECEIVED;
  tp.flags |= TF_ACKNOW;
  tp.timer[TCPT_KEEP] = TCPTV_KEEP_INIT;
  tcp.timers.arm();
  tcp.stats.accepts++;
  env.trace('tcp', 'state', s.pktId, { so: so.id, state: 'SYN_RCVD', head: head.so.id, iss: tp.iss, irs: tp.irs });
  // Data (or a FIN) on the SYN waits in the reassembly queue until the handshake completes.
  if (s.data.length > 0 || (s.flags & TH_FIN) !== 0) {
    const room = Math.min(s.data.length, so.stream!.rcv.space());
    tcpReass(tcp, tp, seqAdd(s.seq, 1), s.data.subarray(0, room), room === s.data.length && (s.flags & TH_FIN) !== 0, s.pktId);
  }
  tcpOutput(tcp, tp);
}

/** The MTU of the interface toward the peer (for the MSS we offer). */
function routeMtu(tcp: Tcp, tp: TcpCb): number {
  const so = tp.so;
  if (tp.v6) {
    const ip6 = tcp.s.ip6;
    const sel = ip6?.selectSource(so.faddr6, tp.scope6);
    return sel && typeof sel !== 'number' ? sel.mtu : 1280;
  }
  const c = tcp.s.ip.route(so.faddr);
  return typeof c === 'number' ? 576 : c.ifp.mtu;
}

/** Options of a SYN or SYN-ACK (tcp_dooptions + the RFC 7323 negotiation in tcp_input). */
function synOptions(tcp: Tcp, tp: TcpCb, s: Seg): void {
  const o = s.r.options;
  if (o.wscale !== undefined && (tp.flags & TF_REQ_SCALE) !== 0) {
    tp.flags |= TF_RCVD_SCALE;
    tp.requested_s_scale = o.wscale;
    tp.snd_scale = o.wscale;
    tp.rcv_scale = tp.request_r_scale;
  } else {
    tp.flags &= ~TF_REQ_SCALE;
    tp.snd_scale = tp.rcv_scale = 0;
  }
  if (o.ts && (tp.flags & TF_REQ_TSTMP) !== 0) {
    tp.flags |= TF_RCVD_TSTMP;
    tp.ts_recent = o.ts.val;
    tp.ts_recent_age = tcpNow(tcp);
  } else tp.flags &= ~TF_REQ_TSTMP;
  // SACK-permitted (RFC 2018 §2): both SYNs must carry it.
  if (o.sackPermitted && (tp.flags & TF_WILL_SACK) !== 0) tp.flags |= TF_SACK_PERMIT;
  else tp.flags &= ~TF_SACK_PERMIT;
  tcpMssFromPeer(tp, o.mss);
}

/** SYN_SENT (RFC 9293 §3.10.7.3). */
function inputSynSent(tcp: Tcp, tp: TcpCb, s: Seg): void {
  const env = tcp.s.env;
  const ackOk = (s.flags & TH_ACK) === 0 || (SEQ_GT(s.ack, tp.iss) && SEQ_LEQ(s.ack, tp.snd_max));
  if (!ackOk) {
    if (s.flags & TH_RST) return drop(tcp, s, 'RST with an unacceptable ACK in SYN_SENT');
    return dropWithReset(tcp, s, 'unacceptable ACK in SYN_SENT');
  }
  if (s.flags & TH_RST) {
    if (s.flags & TH_ACK) {
      env.trace('tcp', 'reset', s.pktId, { so: tp.so.id, state: 'SYN_SENT' });
      tcpDrop(tcp, tp, Errno.ECONNREFUSED);
      return;
    }
    return drop(tcp, s, 'RST without ACK in SYN_SENT');
  }
  if ((s.flags & TH_SYN) === 0) return drop(tcp, s, 'no SYN in SYN_SENT');
  tp.irs = s.seq;
  tcpRcvSeqInit(tp);
  synOptions(tcp, tp, s);
  tp.flags |= TF_ACKNOW;
  if (s.flags & TH_ACK) {
    tp.snd_una = s.ack;
    if (SEQ_GT(tp.snd_una, tp.snd_nxt)) tp.snd_nxt = tp.snd_una;
    tp.timer[TCPT_REXMT] = 0;
  }
  const so = tp.so;
  s.seq = seqAdd(s.seq, 1); // the SYN
  if ((s.flags & TH_ACK) !== 0 && SEQ_GT(tp.snd_una, tp.iss)) {
    // Our SYN is acknowledged: established (an RTT sample from the SYN's timing or its echoed timestamp).
    tcp.stats.connects++;
    tp.state = TCPS_ESTABLISHED;
    tp.timer[TCPT_KEEP] = 0;
    if ((so.options & SO_KEEPALIVE) !== 0) tp.timer[TCPT_KEEP] = tp.keepidle;
    ccEstablished(tp);
    sampleRtt(tcp, tp, s);
    env.trace('tcp', 'state', s.pktId, { so: so.id, state: 'ESTABLISHED', snd_wnd: s.r.window, mss: tp.maxseg, wscale: tp.snd_scale });
    tcp.up.soisconnected(so);
  } else {
    // Simultaneous open (RFC 9293 §3.5, figure 7): SYN_RECEIVED; the SYN-ACK goes out below.
    tp.state = TCPS_SYN_RECEIVED;
    tp.timer[TCPT_REXMT] = 0;
    env.trace('tcp', 'state', s.pktId, { so: so.id, state: 'SYN_RCVD', why: 'simultaneous open' });
  }
  // The window of a SYN is not scaled; wl1 = seq-1 so the next segment updates it (tcp_input "step6").
  tp.snd_wnd = s.r.window;
  tp.max_sndwnd = Math.max(tp.max_sndwnd, tp.snd_wnd);
  tp.snd_wl1 = seqAdd(s.seq, -1);
  tp.snd_wl2 = s.ack;
  tcpDataAndFin(tcp, tp, { ...s, flags: s.flags & ~TH_SYN });
}

/** An RTT sample for the ACK in `s`: from the echoed timestamp (RFC 7323 RTTM) or the timed segment. */
export function sampleRtt(tcp: Tcp, tp: TcpCb, s: Seg): void {
  const ts = s.r.options.ts;
  if (ts && (tp.flags & TF_RCVD_TSTMP) !== 0 && ts.ecr !== 0) {
    const ms = (tcpNow(tcp) - ts.ecr) >>> 0;
    // The clock ticks in ms: the RTT lies in [ms, ms+1) ms; take the middle.
    if (ms < 0x7fffffff) tcpXmitTimer(tcp, tp, ms * 1_000_000 + 500_000);
    return;
  }
  if (tp.rtttime >= 0 && SEQ_GT(s.ack, tp.rtseq)) tcpXmitTimer(tcp, tp, tcp.s.env.now() - tp.rtttime);
}

export function drop(tcp: Tcp, s: Seg, reason: string): void {
  tcp.s.env.trace('tcp', 'drop', s.pktId, { reason, flags: tcpFlagsString(s.flags) });
}

/** dropafterack: answer an unacceptable segment with an ACK (never an RST). */
export function dropAfterAck(tcp: Tcp, tp: TcpCb, s: Seg, reason: string): void {
  if (s.flags & TH_RST) return drop(tcp, s, reason);
  tcp.s.env.trace('tcp', 'drop', s.pktId, { reason, ack: 'sent' });
  tp.flags |= TF_ACKNOW;
  tcpOutput(tcp, tp);
}

/** dropwithreset (tcp_respond): RST for a segment no connection takes (RFC 9293 §3.10.7.1). */
export function dropWithReset(tcp: Tcp, s: Seg, reason: string): void {
  if ((s.flags & TH_RST) !== 0 || s.bcast) return drop(tcp, s, reason);
  tcp.s.env.trace('tcp', 'drop', s.pktId, { reason, rst: 'sent' });
  const a = s.a;
  const back: Endpoints = { v6: a.v6, src: a.dst, dst: a.src, src6: a.dst6, dst6: a.src6, scope6: a.scope6 ?? 0 };
  const id = tcp.s.env.newPktId();
  if (s.flags & TH_ACK) tcpRespond(tcp, back, s.r.dstPort, s.r.srcPort, s.ack, 0, TH_RST, 0, id, reason);
  else {
    let len = s.r.payload.length;
    if (s.flags & TH_SYN) len++;
    if (s.flags & TH_FIN) len++;
    tcpRespond(tcp, back, s.r.dstPort, s.r.srcPort, 0, seqAdd(s.seq, len), TH_RST | TH_ACK, 0, id, reason);
  }
}

