/**
 * tcp_output (netinet/tcp_output.c): decide whether a segment is due and send it. The usable window is
 * min(snd_wnd, snd_cwnd); data goes in t_maxseg-sized segments less the options; Nagle (RFC 9293 §3.7.4,
 * off with TCP_NODELAY) holds back a small segment while data is outstanding; sender silly-window avoidance
 * (RFC 9293 §3.8.6.2.1) sends a partial segment only when it empties the buffer or is half the peer's largest
 * window; window updates go out when the window opens by two segments or half the buffer (RFC 9293
 * §3.8.6.2.2); a zero window starts the persist timer; SYN and FIN take their sequence numbers here. Every
 * segment is traced ('tcp','output') with the packet id of the first data byte it carries (StreamBuf.pktIdAt).
 * With SACK agreed, ACKs carry the receiver's SACK blocks, and during a SACK recovery episode the scoreboard's
 * holes go first (tcp_sack_output, sack.ts), each under the RFC 6675 pipe limit.
 */
import { TH_ACK, TH_FIN, TH_PUSH, TH_RST, TH_SYN, type TcpOptions, type TcpRepr } from '../wire/tcp';
import { SEQ_GT, SEQ_LT, TCP_OUTFLAGS, TCPS_SYN_RECEIVED, TCPS_SYN_SENT, seqAdd, seqDiff, tcpStateName } from './fsm';
import { Errno } from '../../kernel/api';
import { tcpMtudisc } from './ctlinput';
import { MAX_TCPOPTLEN, tcpSackBlocks, tcpSackOutput, tcpSackPipe } from './sack';
import { initialWindow, tcpSegsz, tcpSetPersist, tcpXmit, tpEndpoints } from './subr';
import {
  TCPT_PERSIST, TCPT_REXMT, TCP_MAXWIN, TF_ACKNOW, TF_DELACK, TF_NODELAY, TF_RCVD_SCALE, TF_RCVD_TSTMP, TF_REQ_SCALE,
  TF_REQ_TSTMP, TF_SACK_PERMIT, TF_SENTFIN, TF_WILL_SACK, type SackHole, type TcpCb,
} from './tcpcb';
import type { Tcp } from './tcp';

/** The RFC 7323 timestamp clock: milliseconds of virtual time (NetBSD's tcp_now at hz granularity). */
export function tcpNow(tcp: Tcp): number {
  return Math.floor(tcp.s.env.now() / 1_000_000) >>> 0;
}

/** Returns 0 or the errno of the last ip_output. */
export function tcpOutput(tcp: Tcp, tp: TcpCb): number {
  const so = tp.so;
  const snd = so.stream!.snd;
  const rcv = so.stream!.rcv;
  const now = tcp.s.env.now();
  // RFC 5681 §4.1: after an idle period longer than the RTO, restart from the initial window.
  const idle = tp.snd_max === tp.snd_una;
  if (idle && tp.rcvtime !== 0 && now - tp.rcvtime >= tp.rxtcur * 500_000_000 && tp.state >= 4) {
    tp.snd_cwnd = Math.min(tp.snd_cwnd, initialWindow(tcpSegsz(tp)));
  }
  for (let guard = 0; guard < 1000; guard++) {
    let off = seqDiff(tp.snd_nxt, tp.snd_una);
    let win = Math.min(tp.snd_wnd, tp.snd_cwnd);
    let flags = TCP_OUTFLAGS[tp.state]!;
    let sendalot = false;
    // While our SYN is unacknowledged no data goes; a SYN already out is only resent by the timer, or (SYN-ACK)
    // when the peer's duplicate SYN asks for it (TF_ACKNOW in SYN_RECEIVED).
    const synPending = tp.state === TCPS_SYN_SENT || tp.state === TCPS_SYN_RECEIVED;
    if (synPending && off > 0) {
      if (tp.state === TCPS_SYN_RECEIVED && (tp.flags & TF_ACKNOW) !== 0) {
        tp.snd_nxt = tp.snd_una;
        off = 0;
      } else flags &= ~TH_SYN;
    }
    if (tp.force) {
      if (win === 0) {
        // Persist: probe a zero window with one byte (or the FIN if that is all there is).
        if (off < snd.cc) flags &= ~TH_FIN;
        win = 1;
      } else {
        tp.timer[TCPT_PERSIST] = 0;
        tp.rxtshift = 0;
      }
    }
    // SACK recovery (RFC 6675 §5 step C): the next hole if the pipe leaves a segment's room, else new data
    // as far as the room allows.
    let hole: SackHole | null = null;
    const savedNxt = tp.snd_nxt;
    if (tp.sack_recovery && !synPending && !tp.force) {
      const sb = tcpSackOutput(tp);
      const room = tp.snd_cwnd - tcpSackPipe(tp, sb.rexmitBytes);
      if (sb.hole && (room >= tcpSegsz(tp) || tp.sack_force)) {
        hole = sb.hole;
        tp.snd_nxt = hole.rxmit;
        off = seqDiff(hole.rxmit, tp.snd_una);
      } else win = Math.min(tp.snd_wnd, off + Math.max(room, 0));
    }
    // The SYN occupies a sequence number but carries no buffered data.
    let len = synPending ? 0 : hole ? Math.min(seqDiff(hole.end, hole.rxmit), snd.cc - off) : Math.min(snd.cc, win) - off;
    if (len < 0) {
      // More was sent than the window now allows (it shrank): send nothing new, go back to snd_una.
      len = 0;
      if (win === 0) {
        tp.timer[TCPT_REXMT] = 0;
        tp.rxtshift = 0;
        tp.snd_nxt = tp.snd_una;
        if (tp.timer[TCPT_PERSIST] === 0) tcpSetPersist(tcp, tp);
      }
    }
    const opts = segmentOptions(tcp, tp, flags);
    const optlen = optionsLen(opts);
    const segroom = tp.maxseg - optlen;
    if (len > segroom) {
      len = segroom;
      sendalot = true;
    }
    if (hole) sendalot = true; // more holes or new data may fit the pipe
    if (SEQ_LT(seqAdd(tp.snd_nxt, len), seqAdd(tp.snd_una, snd.cc)) || hole) flags &= ~TH_FIN;
    let rwin = rcv.space();

    let send = hole !== null && len > 0;
    if (len > 0 && !send) {
      if (len === segroom) send = true;
      else if ((idle || (tp.flags & TF_NODELAY) !== 0) && len + off >= snd.cc) send = true;
      else if (tp.force) send = true;
      else if (tp.max_sndwnd > 0 && len >= tp.max_sndwnd / 2) send = true;
      else if (SEQ_LT(tp.snd_nxt, tp.snd_max)) send = true;
    }
    if (!send && rwin > 0) {
      // Window update: the window we could offer beyond what we last advertised.
      const adv = Math.min(rwin, TCP_MAXWIN << tp.rcv_scale) - seqDiff(tp.rcv_adv, tp.rcv_nxt);
      if (adv >= 2 * tp.maxseg || 2 * adv >= rcv.hiwat) send = true;
    }
    if (!send && (tp.flags & TF_ACKNOW) !== 0) send = true;
    if (!send && (flags & (TH_SYN | TH_RST)) !== 0) send = true;
    if (!send && (flags & TH_FIN) !== 0 && ((tp.flags & TF_SENTFIN) === 0 || tp.snd_nxt === tp.snd_una)) send = true;
    if (!send) {
      if (hole) tp.snd_nxt = savedNxt;
      // Data waiting but nothing may go: make sure a timer will get it out (tcp_output's persist case).
      if (snd.cc > 0 && tp.timer[TCPT_REXMT] === 0 && tp.timer[TCPT_PERSIST] === 0) {
        tp.rxtshift = 0;
        tcpSetPersist(tcp, tp);
      }
      return 0;
    }

    // ---- send ----
    if (flags & TH_SYN) tp.snd_nxt = tp.iss;
    // A retransmitted FIN: back snd_nxt up over it.
    if (flags & TH_FIN && (tp.flags & TF_SENTFIN) !== 0 && tp.snd_nxt === tp.snd_max) tp.snd_nxt = seqAdd(tp.snd_nxt, -1);
    const dataOff = seqDiff(tp.snd_nxt, tp.snd_una);
    const payload = len > 0 ? snd.copyOut(Math.max(dataOff, 0), len) : new Uint8Array(0);
    const pktId = len > 0 ? snd.pktIdAt(Math.max(dataOff, 0)) || tcp.s.env.newPktId() : tcp.s.env.newPktId();
    if (len > 0 && dataOff + len === snd.cc) flags |= TH_PUSH;
    // Receiver silly-window avoidance (RFC 9293 §3.8.6.2.2): don't advertise a small window, never shrink one.
    if (rwin < rcv.hiwat / 4 && rwin < tp.maxseg) rwin = 0;
    if (rwin > TCP_MAXWIN << tp.rcv_scale) rwin = TCP_MAXWIN << tp.rcv_scale;
    if (rwin < seqDiff(tp.rcv_adv, tp.rcv_nxt)) rwin = seqDiff(tp.rcv_adv, tp.rcv_nxt);
    const seq = len > 0 || (flags & (TH_SYN | TH_FIN)) !== 0 || tp.timer[TCPT_PERSIST] !== 0 ? tp.snd_nxt : tp.snd_max;
    const r: TcpRepr = {
      srcPort: so.lport, dstPort: so.fport, seq, ack: (flags & TH_ACK) !== 0 ? tp.rcv_nxt : 0, flags,
      window: (flags & TH_SYN) !== 0 ? Math.min(rwin, TCP_MAXWIN) : rwin >>> tp.rcv_scale, urgent: 0, options: opts, payload,
    };
    // Counters (tcp_output's statistics block).
    const st = tcp.stats;
    const probe = tp.force && len === 1;
    if (probe) st.sndprobe++;
    else if (len > 0) {
      if (SEQ_LT(tp.snd_nxt, tp.snd_max)) {
        st.sndrexmitpack++;
        st.sndrexmitbyte += len;
        if (hole) {
          st.sack_rexmits++;
          st.sack_rexmit_bytes += len;
        }
      } else {
        st.sndpack++;
        st.sndbyte += len;
      }
    } else if ((tp.flags & (TF_ACKNOW | TF_DELACK)) !== 0) st.sndacks++;
    else if ((flags & (TH_SYN | TH_FIN | TH_RST)) !== 0) st.sndctrl++;
    else st.sndwinup++;

    // Advance snd_nxt/snd_max, time the segment, arm the retransmit timer.
    const startseq = tp.snd_nxt;
    if (!tp.force || tp.timer[TCPT_PERSIST] === 0) {
      if (flags & TH_SYN) tp.snd_nxt = seqAdd(tp.snd_nxt, 1);
      if (flags & TH_FIN) {
        tp.snd_nxt = seqAdd(tp.snd_nxt, 1);
        tp.flags |= TF_SENTFIN;
      }
      tp.snd_nxt = seqAdd(tp.snd_nxt, len);
      if (SEQ_GT(tp.snd_nxt, tp.snd_max)) {
        tp.snd_max = tp.snd_nxt;
        // Time this segment if nothing is being timed (Karn: never a retransmission).
        if (tp.rtttime < 0) {
          tp.rtttime = now;
          tp.rtseq = startseq;
          st.segstimed++;
        }
      }
      if (tp.timer[TCPT_REXMT] === 0 && tp.snd_nxt !== tp.snd_una) {
        if (tp.timer[TCPT_PERSIST] !== 0) {
          tp.timer[TCPT_PERSIST] = 0;
          tp.rxtshift = 0;
        }
        tp.timer[TCPT_REXMT] = tp.rxtcur;
        tcp.timers.arm();
      }
    } else if (SEQ_GT(seqAdd(tp.snd_nxt, len), tp.snd_max)) tp.snd_max = seqAdd(tp.snd_nxt, len);
    if (hole) {
      // A hole retransmission leaves snd_nxt where new data continues (tcp_output's sack_rxmit case).
      hole.rxmit = seqAdd(hole.rxmit, len);
      tp.snd_nxt = savedNxt;
      tp.sack_force = false;
    }
    if (opts.sack) st.sack_send_blocks++;

    if (rwin > 0 && SEQ_GT(seqAdd(tp.rcv_nxt, rwin), tp.rcv_adv)) tp.rcv_adv = seqAdd(tp.rcv_nxt, rwin);
    tp.last_ack_sent = tp.rcv_nxt;
    tp.flags &= ~(TF_ACKNOW | TF_DELACK);
    // IP_DF while path MTU discovery is on (NetBSD tcp_output with ip_mtudisc): a router with a smaller MTU
    // answers "fragmentation needed" and tcp_ctlinput lowers t_maxseg.
    const err = tcpXmit(tcp, tpEndpoints(tp), r, pktId, { state: tcpStateName(tp.state), so: so.id }, so.ttl, !tp.v6 && tcp.s.ip.mtudisc);
    if (err === Errno.EMSGSIZE && !tp.v6) {
      // Our own route's MTU is below the segment (a learned path MTU): shrink t_maxseg to it and go on
      // (tcp_output's EMSGSIZE case, tcp_mtudisc).
      const c = tcp.s.ip.route(so.faddr);
      if (typeof c !== 'number' && tcpMtudisc(tcp, tp, c.mtu, r.seq)) return 0;
    }
    if (err) {
      // ip_output failed (no route, no buffer): tcp_output's out: path; the timers retry later.
      tcp.s.env.trace('tcp', 'output-error', pktId, { so: so.id, errno: err });
      return err;
    }
    if (!sendalot) return 0;
  }
  return 0;
}

/**
 * The options of a segment (tcp_output's option block): MSS, scale and SACK-permitted on SYNs (the SYN-ACK
 * only echoes what the SYN offered), timestamps when agreed, SACK blocks on ACKs while data waits out of order.
 */
function segmentOptions(tcp: Tcp, tp: TcpCb, flags: number): TcpOptions {
  const o: TcpOptions = {};
  if (flags & TH_SYN) {
    o.mss = tp.ourmss;
    if ((tp.flags & TF_REQ_SCALE) !== 0 && ((flags & TH_ACK) === 0 || (tp.flags & TF_RCVD_SCALE) !== 0)) o.wscale = tp.request_r_scale;
    if ((tp.flags & TF_WILL_SACK) !== 0 && ((flags & TH_ACK) === 0 || (tp.flags & TF_SACK_PERMIT) !== 0)) o.sackPermitted = true;
  }
  if ((tp.flags & TF_REQ_TSTMP) !== 0 && (flags & TH_RST) === 0 &&
    ((flags & (TH_SYN | TH_ACK)) === TH_SYN || (tp.flags & TF_RCVD_TSTMP) !== 0)) {
    o.ts = { val: tcpNow(tcp), ecr: tp.ts_recent };
  }
  if ((flags & (TH_ACK | TH_SYN | TH_RST)) === TH_ACK) {
    const blocks = tcpSackBlocks(tp, optionsLen(o));
    if (blocks.length > 0) o.sack = blocks;
  }
  return o;
}

/** Bytes the options take on the wire (the layout emitTcpOptions writes), at most MAX_TCPOPTLEN. */
function optionsLen(o: TcpOptions): number {
  let n = 0;
  if (o.mss !== undefined) n += 4;
  if (o.wscale !== undefined) n += 4;
  if (o.sackPermitted) n += 4;
  if (o.ts) n += 12;
  if (o.sack && o.sack.length > 0) n += 4 + 8 * o.sack.length;
  return Math.min(n, MAX_TCPOPTLEN);
}
