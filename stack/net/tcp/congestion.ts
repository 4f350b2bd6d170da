/**
 * Congestion control: RFC 5681 slow start and congestion avoidance (NetBSD tcp_reno_newack: one segment per
 * ACK below ssthresh, segsz²/cwnd above), fast retransmit on the third duplicate ACK with NewReno recovery
 * (RFC 6582, NetBSD tcp_newreno_*): partial ACKs retransmit the next hole and deflate the window, a full ACK
 * ends recovery at ssthresh; a retransmission timeout collapses cwnd to one segment (RFC 5681 §3.1).
 * With SACK agreed the third duplicate ACK starts a SACK recovery episode instead (RFC 6675, NetBSD
 * tcp_sack.c): cwnd = ssthresh, no window inflation; tcp_output fills the holes of the scoreboard, then new
 * data, while the pipe estimate leaves room; partial ACKs just shrink the scoreboard; the ACK that covers
 * snd_recover ends the episode (tcp_sack_newack).
 */
import { SEQ_GT, SEQ_LT, seqAdd, seqDiff } from './fsm';
import { tcpOutput } from './output';
import { initialWindow, tcpSegsz } from './subr';
import { tcpFreeSackholes } from './sack';
import { TCPREXMTTHRESH, TCPT_REXMT, TCP_MAXWIN, TF_SACK_PERMIT, type TcpCb } from './tcpcb';
import type { Tcp } from './tcp';

/** Connection established: the initial window (RFC 3390) and an "infinite" ssthresh. */
export function ccEstablished(tp: TcpCb): void {
  tp.snd_cwnd = initialWindow(tcpSegsz(tp));
  tp.snd_ssthresh = TCP_MAXWIN << TCP_MAX_SHIFT;
}
const TCP_MAX_SHIFT = 14;

/** ssthresh = max(FlightSize / 2, 2·SMSS) (RFC 5681 eq. 4), FlightSize taken as min(wnd, cwnd) like NetBSD. */
function halveWindow(tp: TcpCb): number {
  const win = Math.floor(Math.min(tp.snd_wnd, tp.snd_cwnd) / 2 / tcpSegsz(tp));
  return Math.max(win, 2) * tcpSegsz(tp);
}

/** A duplicate ACK (t_dupacks already counted). Fast retransmit at the threshold, window inflation beyond. */
export function ccDupAck(tcp: Tcp, tp: TcpCb, ack: number): void {
  if (tp.sack_recovery) {
    // In a SACK episode every ACK may have shrunk the pipe: see what may go (RFC 6675 §5 step C).
    tcpOutput(tcp, tp);
    return;
  }
  // With SACK, recovery also starts once more than tcprexmtthresh segments above snd_una were SACKed, however
  // few duplicate ACKs were counted (NetBSD TCP_FACK_FASTRECOV; RFC 6675 §5's IsLost(HighACK + 1)).
  const fack = (tp.flags & TF_SACK_PERMIT) !== 0 && seqDiff(tp.snd_fack, tp.snd_una) > TCPREXMTTHRESH * tcpSegsz(tp);
  if ((tp.dupacks === TCPREXMTTHRESH || fack) && (tp.flags & TF_SACK_PERMIT) !== 0) {
    if (SEQ_LT(ack, tp.snd_recover)) {
      tp.dupacks = 0;
      return;
    }
    sackFastRetransmit(tcp, tp, ack);
    return;
  }
  if (tp.dupacks === TCPREXMTTHRESH && tp.partialacks < 0) {
    // RFC 6582 §3.2 step 2: not while the ACK is below the point of the last recovery or timeout.
    if (SEQ_LT(ack, tp.snd_recover)) {
      tp.dupacks = 0;
      return;
    }
    const onxt = tp.snd_nxt;
    tp.snd_ssthresh = halveWindow(tp);
    tp.snd_recover = tp.snd_max;
    tp.timer[TCPT_REXMT] = 0;
    tp.rtttime = -1;
    tp.snd_nxt = ack;
    tp.snd_cwnd = tcpSegsz(tp);
    tp.partialacks = 0;
    tcp.s.env.trace('tcp', 'fastrexmt', 0, { so: tp.so.id, seq: ack, ssthresh: tp.snd_ssthresh, recover: tp.snd_recover });
    tcpOutput(tcp, tp);
    tp.snd_cwnd = tp.snd_ssthresh + tcpSegsz(tp) * tp.dupacks;
    if (SEQ_GT(onxt, tp.snd_nxt)) tp.snd_nxt = onxt;
  } else if (tp.dupacks > TCPREXMTTHRESH && tp.partialacks >= 0) {
    tp.snd_cwnd += tcpSegsz(tp);
    tcpOutput(tcp, tp);
  }
}

/**
 * A new ACK (before snd_una moves). Returns true when it was a partial ACK in recovery (RFC 6582 §3.2 step
 * 5): the caller then leaves cwnd alone.
 */
export function ccNewAck(tcp: Tcp, tp: TcpCb, ack: number): boolean {
  if (tp.sack_recovery) {
    tp.timer[TCPT_REXMT] = 0;
    tp.rtttime = -1;
    if (SEQ_LT(ack, tp.snd_recover)) {
      // Partial ACK: the scoreboard already lost what it covers; tcp_output (after the ACK) sends on.
      tcp.s.env.trace('tcp', 'partialack', 0, { so: tp.so.id, ack, recover: tp.snd_recover, sack: 1 });
      return true;
    }
    // Full ACK (tcp_sack_newack): the episode is over; no burst, at most ssthresh.
    const flight = seqDiff(tp.snd_max, ack);
    tp.snd_cwnd = flight < tp.snd_ssthresh ? flight + tcpSegsz(tp) : tp.snd_ssthresh;
    tp.sack_recovery = false;
    tp.dupacks = 0;
    return true;
  }
  if (tp.partialacks >= 0) {
    if (SEQ_LT(ack, tp.snd_recover)) {
      tp.partialacks++;
      // Partial ACK: retransmit the first unacknowledged segment, deflate by the amount acked, add one segment.
      const onxt = tp.snd_nxt;
      const ocwnd = tp.snd_cwnd;
      tp.timer[TCPT_REXMT] = 0;
      tp.rtttime = -1;
      tp.snd_nxt = ack;
      tp.snd_cwnd = tcpSegsz(tp) + seqDiff(ack, tp.snd_una);
      tcp.s.env.trace('tcp', 'partialack', 0, { so: tp.so.id, ack, recover: tp.snd_recover });
      tcpOutput(tcp, tp);
      tp.snd_cwnd = ocwnd;
      if (SEQ_GT(onxt, tp.snd_nxt)) tp.snd_nxt = onxt;
      const acked = seqDiff(ack, tp.snd_una);
      tp.snd_cwnd = Math.max(tp.snd_cwnd - acked, 0) + tcpSegsz(tp);
      return true;
    }
    // Full ACK: recovery is over; cwnd back to ssthresh (RFC 6582 §3.2 step 3).
    if (tp.snd_cwnd > tp.snd_ssthresh) tp.snd_cwnd = tp.snd_ssthresh;
    tp.dupacks = 0;
    tp.partialacks = -1;
    return true;
  }
  tp.dupacks = 0;
  return false;
}

/** cwnd growth for `acked` new bytes (tcp_reno_newack). */
export function ccGrow(tp: TcpCb): void {
  const cw = tp.snd_cwnd;
  let incr = tcpSegsz(tp);
  if (cw >= tp.snd_ssthresh) incr = Math.max(1, Math.floor((incr * incr) / cw));
  tp.snd_cwnd = Math.min(cw + incr, TCP_MAXWIN << tp.snd_scale);
}

/** A retransmission timeout: ssthresh halved, cwnd one segment, recovery point at snd_max. */
export function ccRexmtTimeout(tp: TcpCb): void {
  tp.snd_ssthresh = halveWindow(tp);
  tp.snd_cwnd = tcpSegsz(tp);
  tp.dupacks = 0;
  tp.partialacks = -1;
  tp.snd_recover = tp.snd_max;
  // Go-back-N from snd_una: the scoreboard is dropped (the receiver may renege, RFC 2018 §8).
  tp.sack_recovery = false;
  tp.sack_force = false;
  tcpFreeSackholes(tp);
}

/**
 * The third duplicate ACK with SACK (NetBSD tcp_reno_fast_retransmit's SACK case, RFC 6675 §5 steps 4.1–4.3):
 * ssthresh halved, cwnd = ssthresh, the first hole retransmitted at once whatever the pipe says.
 */
function sackFastRetransmit(tcp: Tcp, tp: TcpCb, ack: number): void {
  tp.snd_ssthresh = halveWindow(tp);
  tp.snd_recover = tp.snd_max;
  tp.sack_newdata = tp.snd_nxt;
  tp.timer[TCPT_REXMT] = 0;
  tp.rtttime = -1;
  tp.snd_cwnd = tp.snd_ssthresh;
  tp.sack_recovery = true;
  tp.sack_force = true;
  if (tp.snd_holes.length === 0) {
    // Duplicate ACKs without SACK blocks: the first segment is presumed lost.
    const one = seqAdd(tp.snd_una, tcpSegsz(tp));
    const end = SEQ_LT(one, tp.snd_max) ? one : tp.snd_max;
    tp.snd_holes.push({ start: tp.snd_una, end, rxmit: tp.snd_una });
    if (SEQ_LT(tp.rcv_lastsack, end)) tp.rcv_lastsack = end;
  }
  tcp.stats.sack_recovery_episode++;
  tcp.s.env.trace('tcp', 'fastrexmt', 0, { so: tp.so.id, seq: ack, ssthresh: tp.snd_ssthresh, recover: tp.snd_recover, holes: tp.snd_holes.length });
  tcpOutput(tcp, tp);
}
