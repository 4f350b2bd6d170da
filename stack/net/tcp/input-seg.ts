/**
 * tcp_input, second half: a segment for a synchronised connection (SYN_RECEIVED and later), in RFC 9293
 * §3.10.7.4's order: PAWS (RFC 7323 §5), trimming to the receive window, RST (RFC 5961 §3: exact match
 * resets, otherwise a challenge ACK), SYN in the window (RFC 5961 §4: challenge ACK), ACK processing (SYN_RECEIVED
 * → ESTABLISHED, duplicate ACKs and fast retransmit, RTT samples, cwnd growth, acknowledged data dropped from
 * so_snd, FIN_WAIT_1/CLOSING/LAST_ACK transitions), the send window update (snd_wl1/snd_wl2), then data (in
 * order: delayed ACK every other segment; out of order: reassembly and an immediate ACK) and FIN.
 */
import { Errno } from '../../kernel/api';
import { SO_KEEPALIVE } from '../../include/sys/socket';
import { TH_ACK, TH_FIN, TH_PUSH, TH_RST, TH_SYN, TH_URG } from '../wire/tcp';
import { ccDupAck, ccEstablished, ccGrow, ccNewAck } from './congestion';
import {
  SEQ_GEQ, SEQ_GT, SEQ_LEQ, SEQ_LT, TCPS_CLOSE_WAIT, TCPS_CLOSING, TCPS_ESTABLISHED, TCPS_FIN_WAIT_1, TCPS_FIN_WAIT_2,
  TCPS_LAST_ACK, TCPS_SYN_RECEIVED, TCPS_TIME_WAIT, haveRcvdFin, seqAdd, seqDiff, tcpStateName,
} from './fsm';
import { drop, dropAfterAck, dropWithReset, sampleRtt, type Seg } from './input';
import { tcpNow, tcpOutput } from './output';
import { tcpReass } from './reass';
import { tcpDelSackholes, tcpSackOption } from './sack';
import { tcpCancelTimers, tcpClose, tcpMaxidle, tcpResetByPeer } from './subr';
import {
  TCPREXMTTHRESH, TCPT_2MSL, TCPT_KEEP, TCPT_PERSIST, TCPT_REXMT, TCPTV_MSL, TF_ACKNOW, TF_DELACK, TF_DETACHED,
  TF_RCVD_TSTMP, type TcpCb,
} from './tcpcb';
import type { Tcp } from './tcp';

/** PAWS: a timestamp older than this (24 days, RFC 7323 §5.5) no longer invalidates segments. */
const PAWS_IDLE_MS = 24 * 24 * 3600 * 1000;

/**
 * Returns true when the segment must be looked up again: a SYN that ended a TIME_WAIT connection goes to a
 * listener (tcp_input's `goto findpcb`).
 */
export function tcpInputSynced(tcp: Tcp, tp: TcpCb, s: Seg): boolean {
  tcpInputSynced1(tcp, tp, s);
  return s.refind === true;
}

function tcpInputSynced1(tcp: Tcp, tp: TcpCb, s: Seg): void {
  const env = tcp.s.env;
  const st = tcp.stats;
  const so = tp.so;
  const rcv = so.stream!.rcv;
  const ts = s.r.options.ts;
  // The receive window: what so_rcv can hold, never less than what was advertised.
  tp.rcv_wnd = Math.max(rcv.space(), seqDiff(tp.rcv_adv, tp.rcv_nxt));

  // PAWS (RFC 7323 §5.3 R1): an old timestamp marks an old duplicate.
  if (ts && (tp.flags & TF_RCVD_TSTMP) !== 0 && (s.flags & TH_RST) === 0 && tp.ts_recent !== 0 && seqDiff(ts.val, tp.ts_recent) < 0) {
    if (((tcpNow(tcp) - tp.ts_recent_age) >>> 0) > PAWS_IDLE_MS) tp.ts_recent = 0;
    else {
      st.rcvduppack++;
      st.rcvdupbyte += s.data.length;
      st.pawsdrop++;
      return dropAfterAck(tcp, tp, s, 'PAWS: old timestamp');
    }
  }

  headerPrediction(tcp, tp, s);

  // A new SYN (beyond what we received) for a connection in TIME_WAIT (RFC 1122 §4.2.2.13, tcp_input's
  // TIME_WAIT case): end TIME_WAIT and let a listener take the SYN.
  if (tp.state === TCPS_TIME_WAIT && (s.flags & (TH_SYN | TH_ACK | TH_RST)) === TH_SYN && SEQ_GT(s.seq, tp.rcv_nxt)) {
    env.trace('tcp', 'state', s.pktId, { so: so.id, state: 'CLOSED', why: 'new SYN in TIME_WAIT' });
    tcpClose(tcp, tp);
    s.refind = true;
    return;
  }

  // RST (RFC 9293 §3.10.7.4 second check, RFC 5961 §3.2).
  if (s.flags & TH_RST) {
    const inWin = tp.rcv_wnd === 0 ? s.seq === tp.rcv_nxt : SEQ_GEQ(s.seq, tp.rcv_nxt) && SEQ_LT(s.seq, seqAdd(tp.rcv_nxt, tp.rcv_wnd));
    if (!inWin) {
      st.badrst++;
      return drop(tcp, s, 'RST outside the window');
    }
    if (s.seq !== tp.rcv_nxt) {
      st.badrst++;
      env.trace('tcp', 'drop', s.pktId, { reason: 'RST in the window but not at rcv_nxt', ack: 'challenge' });
      tp.flags |= TF_ACKNOW;
      tcpOutput(tcp, tp);
      return;
    }
    env.trace('tcp', 'reset', s.pktId, { so: so.id, state: tcpStateName(tp.state) });
    switch (tp.state) {
      case TCPS_SYN_RECEIVED:
        tcpResetByPeer(tcp, tp, Errno.ECONNREFUSED);
        return;
      case TCPS_ESTABLISHED:
      case TCPS_FIN_WAIT_1:
      case TCPS_FIN_WAIT_2:
      case TCPS_CLOSE_WAIT:
        tcpResetByPeer(tcp, tp);
        return;
      default: // CLOSING, LAST_ACK, TIME_WAIT
        tcpClose(tcp, tp);
        return;
    }
  }

  // Trim what we already have from the front (RFC 9293 §3.10.7.4 first check).
  let todrop = seqDiff(tp.rcv_nxt, s.seq);
  if (todrop > 0) {
    if (s.flags & TH_SYN) {
      s.flags &= ~TH_SYN;
      s.seq = seqAdd(s.seq, 1);
      todrop--;
    }
    const tlen = s.data.length;
    if (todrop > tlen || (todrop === tlen && (s.flags & TH_FIN) === 0)) {
      // A complete duplicate: any FIN on it was seen before. Acknowledge at once (the peer may have lost our ACK);
      // a retransmitted FIN in TIME_WAIT restarts the 2MSL wait (RFC 9293 §3.10.7.4, eighth check).
      if ((s.flags & TH_FIN) !== 0 && tp.state === TCPS_TIME_WAIT) tp.timer[TCPT_2MSL] = 2 * TCPTV_MSL;
      s.flags &= ~TH_FIN;
      tp.flags |= TF_ACKNOW;
      todrop = tlen;
      st.rcvduppack++;
      st.rcvdupbyte += todrop;
    } else {
      st.rcvpartduppack++;
      st.rcvpartdupbyte += todrop;
    }
    s.data = s.data.subarray(todrop);
    s.seq = seqAdd(s.seq, todrop);
  }

  // Data for a socket the user has closed: nobody will read it (RFC 9293 §3.10.7.4 "abort").
  if ((tp.flags & TF_DETACHED) !== 0 && tp.state > TCPS_CLOSE_WAIT && s.data.length > 0) {
    st.rcvafterclose++;
    tcpClose(tcp, tp);
    return dropWithReset(tcp, s, 'data after close');
  }

  // Trim what lies beyond the window from the end.
  todrop = seqDiff(seqAdd(s.seq, s.data.length), seqAdd(tp.rcv_nxt, tp.rcv_wnd));
  if (todrop > 0) {
    st.rcvpackafterwin++;
    if (todrop >= s.data.length) {
      st.rcvbyteafterwin += s.data.length;
      if (tp.rcv_wnd === 0 && s.seq === tp.rcv_nxt) {
        // A zero-window probe: answer with an ACK (the byte itself is not taken).
        tp.flags |= TF_ACKNOW;
        st.rcvwinprobe++;
      } else return dropAfterAck(tcp, tp, s, 'segment beyond the receive window');
    } else st.rcvbyteafterwin += todrop;
    s.data = s.data.subarray(0, Math.max(0, s.data.length - todrop));
    s.flags &= ~(TH_PUSH | TH_FIN);
  }

  // Remember the timestamp to echo (RFC 7323 §4.3: the segment covers last_ack_sent).
  if (ts && (tp.flags & TF_RCVD_TSTMP) !== 0 && SEQ_LEQ(s.seq, tp.last_ack_sent) &&
    SEQ_LEQ(tp.last_ack_sent, seqAdd(s.seq, s.data.length + ((s.flags & (TH_SYN | TH_FIN)) !== 0 ? 1 : 0)))) {
    tp.ts_recent = ts.val;
    tp.ts_recent_age = tcpNow(tcp);
  }

  // A SYN in the window (RFC 5961 §4.2): challenge ACK, the connection stays.
  if (s.flags & TH_SYN) {
    if (tp.state === TCPS_SYN_RECEIVED && s.seq === tp.irs) {
      // The peer's retransmitted SYN: resend our SYN-ACK.
      tp.flags |= TF_ACKNOW;
      tcpOutput(tcp, tp);
      return;
    }
    return dropAfterAck(tcp, tp, s, 'SYN in the window (challenge ACK, RFC 5961)');
  }

  if ((s.flags & TH_ACK) === 0) {
    if (tp.flags & TF_ACKNOW) tcpOutput(tcp, tp);
    return drop(tcp, s, 'no ACK');
  }
  if (!ackProcessing(tcp, tp, s)) return;
  tcpDataAndFin(tcp, tp, s);
}

/**
 * Header prediction (Van Jacobson's, tcp_input's fast path): an in-sequence pure ACK for new data, or
 * in-sequence data that acknowledges nothing new, on an ESTABLISHED connection with nothing unusual pending.
 * We count the hits as NetBSD does (tcpstat predack/preddat); the segment then takes the common path, which
 * gives the same result the fast path would.
 */
function headerPrediction(tcp: Tcp, tp: TcpCb, s: Seg): void {
  const ts = s.r.options.ts;
  if (tp.state !== TCPS_ESTABLISHED || (s.flags & (TH_SYN | TH_FIN | TH_RST | TH_URG | TH_ACK)) !== TH_ACK) return;
  if (ts && seqDiff(ts.val, tp.ts_recent) < 0) return;
  if (s.seq !== tp.rcv_nxt || s.tiwin === 0 || s.tiwin !== tp.snd_wnd || tp.snd_nxt !== tp.snd_max) return;
  if (s.data.length === 0) {
    if (SEQ_GT(s.ack, tp.snd_una) && SEQ_LEQ(s.ack, tp.snd_max) && tp.snd_cwnd >= tp.snd_wnd && tp.dupacks < TCPREXMTTHRESH) tcp.stats.predack++;
  } else if (s.ack === tp.snd_una && tp.segq.length === 0 && s.data.length <= tp.so.stream!.rcv.space()) tcp.stats.preddat++;
}

/** ACK processing (RFC 9293 §3.10.7.4 fifth check). Returns false when the segment is done with. */
function ackProcessing(tcp: Tcp, tp: TcpCb, s: Seg): boolean {
  const env = tcp.s.env;
  const st = tcp.stats;
  const so = tp.so;
  if (tp.state === TCPS_SYN_RECEIVED) {
    if (SEQ_GT(tp.snd_una, s.ack) || SEQ_GT(s.ack, tp.snd_max)) {
      dropWithReset(tcp, s, 'unacceptable ACK in SYN_RCVD');
      return false;
    }
    st.connects++;
    tp.state = TCPS_ESTABLISHED;
    tp.timer[TCPT_KEEP] = (so.options & SO_KEEPALIVE) !== 0 ? tp.keepidle : 0;
    ccEstablished(tp);
    tp.snd_wl1 = seqAdd(s.seq, -1);
    env.trace('tcp', 'state', s.pktId, { so: so.id, state: 'ESTABLISHED', mss: tp.maxseg, wscale: tp.snd_scale });
    tcp.up.soisconnected(so);
    // Data that arrived before the handshake completed.
    if (tp.segq.length > 0) {
      const before = tp.rcv_nxt;
      const fin = tcpReass(tcp, tp, tp.rcv_nxt, new Uint8Array(0), false, s.pktId);
      if (fin) s.flags |= TH_FIN;
      if (tp.rcv_nxt !== before) tcp.timers.delack(tp); // acknowledge what was delivered
    }
  }
  // The peer's SACK blocks update the scoreboard before the ACK is judged (tcp_dooptions → tcp_sack_option).
  if (s.r.options.sack && SEQ_LEQ(s.ack, tp.snd_max)) tcpSackOption(tcp, tp, s.ack, s.r.options);
  if (SEQ_LEQ(s.ack, tp.snd_una)) {
    // Not new. A pure duplicate (no data, same window, something outstanding) counts toward fast retransmit.
    if (s.data.length === 0 && s.tiwin === tp.snd_wnd && (s.flags & TH_FIN) === 0) {
      st.rcvdupack++;
      if (tp.timer[TCPT_REXMT] === 0 || s.ack !== tp.snd_una) tp.dupacks = 0;
      else {
        tp.dupacks++;
        ccDupAck(tcp, tp, s.ack);
        if (tp.dupacks >= TCPREXMTTHRESH) {
          drop(tcp, s, 'duplicate ACK');
          return false;
        }
      }
    } else tp.dupacks = 0;
    return true;
  }
  // A new ACK.
  if (SEQ_GT(s.ack, tp.snd_max)) {
    st.rcvacktoomuch++;
    dropAfterAck(tcp, tp, s, 'ACK for data never sent');
    return false;
  }
  tcpDelSackholes(tp, s.ack);
  const partial = ccNewAck(tcp, tp, s.ack);
  const acked = seqDiff(s.ack, tp.snd_una);
  st.rcvackpack++;
  st.rcvackbyte += acked;
  sampleRtt(tcp, tp, s);
  // All data acknowledged: stop the retransmit timer (output will say if more goes); else restart it.
  let needoutput = false;
  if (s.ack === tp.snd_max) {
    tp.timer[TCPT_REXMT] = 0;
    needoutput = true;
  } else if (tp.timer[TCPT_PERSIST] === 0) {
    tp.timer[TCPT_REXMT] = tp.rxtcur;
    tcp.timers.arm();
  }
  if (!partial) ccGrow(tp);
  const snd = so.stream!.snd;
  let ourfinisacked = false;
  if (acked > snd.cc) {
    tp.snd_wnd -= snd.cc;
    snd.drop(snd.cc);
    ourfinisacked = true;
  } else {
    snd.drop(acked);
    tp.snd_wnd -= acked;
  }
  tp.snd_una = s.ack;
  if (SEQ_LT(tp.snd_nxt, tp.snd_una)) tp.snd_nxt = tp.snd_una;
  tcp.up.sowwakeup(so);
  // RFC 6582 §3.2: keep snd_recover from falling behind the window (wrap safety).
  if (SEQ_LT(tp.snd_recover, tp.snd_una)) tp.snd_recover = tp.snd_una;
  switch (tp.state) {
    case TCPS_FIN_WAIT_1:
      if (ourfinisacked) {
        // If we can receive no more, the peer's FIN may never come: bound the wait (tcp_maxidle).
        if ((tp.flags & TF_DETACHED) !== 0 || so.cantRcvMore) {
          tcp.up.soisdisconnected(so);
          tp.timer[TCPT_2MSL] = tcpMaxidle(tp);
          tcp.timers.arm();
        }
        setState(tcp, tp, TCPS_FIN_WAIT_2, s);
      }
      break;
    case TCPS_CLOSING:
      if (ourfinisacked) enterTimeWait(tcp, tp, s);
      break;
    case TCPS_LAST_ACK:
      if (ourfinisacked) {
        tcpClose(tcp, tp);
        return false;
      }
      break;
    case TCPS_TIME_WAIT:
      // Only a retransmitted FIN can arrive: acknowledge it and restart the 2MSL wait.
      tp.timer[TCPT_2MSL] = 2 * TCPTV_MSL;
      dropAfterAck(tcp, tp, s, 'segment in TIME_WAIT');
      return false;
  }
  s.needOutput = needoutput;
  return true;
}

function setState(tcp: Tcp, tp: TcpCb, state: number, s: Seg): void {
  tp.state = state;
  tcp.s.env.trace('tcp', 'state', s.pktId, { so: tp.so.id, state: tcpStateName(state) });
}

function enterTimeWait(tcp: Tcp, tp: TcpCb, s: Seg): void {
  setState(tcp, tp, TCPS_TIME_WAIT, s);
  tcpCancelTimers(tp);
  tp.timer[TCPT_2MSL] = 2 * TCPTV_MSL;
  tcp.timers.arm();
  tcp.up.soisdisconnected(tp.so);
}

/** Window update, data and FIN (tcp_input "step6" onward). Also used for the rest of a SYN-ACK. */
export function tcpDataAndFin(tcp: Tcp, tp: TcpCb, s: Seg): void {
  const st = tcp.stats;
  const so = tp.so;
  let needOutput = s.needOutput ?? false;
  // Send window update (RFC 9293 §3.10.7.4: SND.WL1 < SEG.SEQ, or equal and SND.WL2 <= SEG.ACK).
  if ((s.flags & TH_ACK) !== 0 && (SEQ_LT(tp.snd_wl1, s.seq) || (tp.snd_wl1 === s.seq &&
    (SEQ_LT(tp.snd_wl2, s.ack) || (tp.snd_wl2 === s.ack && s.tiwin > tp.snd_wnd))))) {
    if (s.data.length === 0 && tp.snd_wl2 === s.ack && s.tiwin > tp.snd_wnd) st.rcvwinupd++;
    tp.snd_wnd = s.tiwin;
    tp.snd_wl1 = s.seq;
    tp.snd_wl2 = s.ack;
    if (tp.snd_wnd > tp.max_sndwnd) tp.max_sndwnd = tp.snd_wnd;
    needOutput = true;
  }
  // Urgent data: not supported as out-of-band; the bytes are delivered inline (SO_OOBINLINE behaviour).
  let fin = (s.flags & TH_FIN) !== 0;
  if ((s.data.length > 0 || fin) && !haveRcvdFin(tp.state)) {
    if (s.seq === tp.rcv_nxt && tp.segq.length === 0 && tp.state >= TCPS_ESTABLISHED) {
      // In order: TCP_SETUP_ACK (an ACK for every second segment, else the delayed-ACK tick).
      if (s.data.length > 0) {
        if (tp.flags & TF_DELACK) tp.flags |= TF_ACKNOW;
        else tcp.timers.delack(tp);
        tp.rcv_nxt = seqAdd(tp.rcv_nxt, s.data.length);
        st.rcvpack++;
        st.rcvbyte += s.data.length;
        if (!so.cantRcvMore) so.stream!.rcv.append(s.data.slice(), s.pktId);
        tcp.up.sorwakeup(so);
      }
    } else if (s.data.length > 0 || fin) {
      // Out of order (or before ESTABLISHED): queue it, and ACK at once so the sender sees the hole (RFC 5681 §4.2).
      fin = tcpReass(tcp, tp, s.seq, s.data, fin, s.pktId);
      tp.flags |= TF_ACKNOW;
    }
  } else fin = false;

  if (fin && !haveRcvdFin(tp.state) && tp.state >= TCPS_SYN_RECEIVED) {
    tcp.up.socantrcvmore(so);
    tp.flags |= TF_ACKNOW;
    tp.rcv_nxt = seqAdd(tp.rcv_nxt, 1);
    switch (tp.state) {
      case TCPS_SYN_RECEIVED:
      case TCPS_ESTABLISHED:
        setState(tcp, tp, TCPS_CLOSE_WAIT, s);
        break;
      case TCPS_FIN_WAIT_1:
        // Simultaneous close (RFC 9293 §3.6, figure 13).
        setState(tcp, tp, TCPS_CLOSING, s);
        break;
      case TCPS_FIN_WAIT_2:
        enterTimeWait(tcp, tp, s);
        break;
    }
  } else if ((s.flags & TH_FIN) !== 0 && tp.state === TCPS_TIME_WAIT) {
    tp.timer[TCPT_2MSL] = 2 * TCPTV_MSL;
    tp.flags |= TF_ACKNOW;
  }
  if (needOutput || (tp.flags & TF_ACKNOW) !== 0) tcpOutput(tcp, tp);
}

