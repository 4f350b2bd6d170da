/**
 * Congestion control: RFC 5681 slow start and congestion avoidance (NetBSD tcp_reno_newack: one segment per
 * ACK below ssthresh, segsz²/cwnd above), fast retransmit on the third duplicate ACK with NewReno recovery
 * (RFC 6582, NetBSD tcp_newreno_*): partial ACKs retransmit the next hole and deflate the window, a full ACK
 * ends recovery at ssthresh; a retransmission timeout collapses cwnd to one segment (RFC 5681 §3.1).
 */
import { SEQ_GT, SEQ_LT, seqDiff } from './fsm';
import { tcpOutput } from './output';
import { initialWindow, tcpSegsz } from './subr';
import { TCPREXMTTHRESH, TCPT_REXMT, TCP_MAXWIN, type TcpCb } from './tcpcb';
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
  if (tp.dupacks === TCPREXMTTHRESH) {
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
    tcp.s.env.trace('tcp', 'fastrexmt', 0, { so: tp.so.id, seq: ack, ssthresh: tp.snd_ssthresh, recover: tp.snd_recover });
    tcpOutput(tcp, tp);
    tp.snd_cwnd = tp.snd_ssthresh + tcpSegsz(tp) * tp.dupacks;
    if (SEQ_GT(onxt, tp.snd_nxt)) tp.snd_nxt = onxt;
  } else if (tp.dupacks > TCPREXMTTHRESH) {
    tp.snd_cwnd += tcpSegsz(tp);
    tcpOutput(tcp, tp);
  }
}

/**
 * A new ACK (before snd_una moves). Returns true when it was a partial ACK in recovery (RFC 6582 §3.2 step
 * 5): the caller then leaves cwnd alone.
 */
export function ccNewAck(tcp: Tcp, tp: TcpCb, ack: number): boolean {
  if (tp.dupacks >= TCPREXMTTHRESH) {
    if (SEQ_LT(ack, tp.snd_recover)) {
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
  tp.snd_recover = tp.snd_max;
}
