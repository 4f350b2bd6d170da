/**
 * The TCP control block (netinet/tcp_var.h struct tcpcb) and the timer constants of netinet/tcp_timer.h.
 * Timers count slow ticks (PR_SLOWHZ = 2 a second) as in 4.4BSD/NetBSD's tcp_slowtimo; see timers.ts for
 * how the ticks are driven. Round-trip times are kept in nanoseconds of virtual time.
 */
import type { Socket } from '../socket';
import { AF_INET6 } from '../../include/sys/socket';
import { TCPS_CLOSED, type TcpState } from './fsm';

/** PR_SLOWHZ: slow ticks per second; one tick in ns. */
export const PR_SLOWHZ = 2;
export const SLOW_TICK_NS = 500_000_000;
/** The delayed-ACK (fast) tick: PR_FASTHZ = 5. */
export const FAST_TICK_NS = 200_000_000;

/** t_timer[] indices (TCPT_*). */
export const TCPT_REXMT = 0;
export const TCPT_PERSIST = 1;
export const TCPT_KEEP = 2;
export const TCPT_2MSL = 3;
export const TCPT_NTIMERS = 4;
export const TCP_TIMER_NAMES = ['REXMT', 'PERSIST', 'KEEP', '2MSL'] as const;

/** tcp_timer.h values in slow ticks. */
export const TCPTV_MSL = 30 * PR_SLOWHZ;
export const TCPTV_SRTTDFLT = 3 * PR_SLOWHZ;
export const TCPTV_PERSMIN = 5 * PR_SLOWHZ;
export const TCPTV_PERSMAX = 60 * PR_SLOWHZ;
export const TCPTV_KEEP_INIT = 75 * PR_SLOWHZ;
export const TCPTV_KEEP_IDLE = 120 * 60 * PR_SLOWHZ;
export const TCPTV_KEEPINTVL = 75 * PR_SLOWHZ;
export const TCPTV_KEEPCNT = 8;
export const TCPTV_MIN = 1 * PR_SLOWHZ;
export const TCPTV_REXMTMAX = 64 * PR_SLOWHZ;
/** TCP_MAXRXTSHIFT: retransmissions before the connection is dropped. */
export const TCP_MAXRXTSHIFT = 12;
/** tcp_backoff[]. */
export const TCP_BACKOFF = [1, 2, 4, 8, 16, 32, 64, 64, 64, 64, 64, 64, 64] as const;
/** tcprexmtthresh: duplicate ACKs that trigger fast retransmit (RFC 5681 §3.2). */
export const TCPREXMTTHRESH = 3;
/** TCP_MAXWIN: the largest unscaled window. */
export const TCP_MAXWIN = 65535;

/** t_flags (TF_*). */
export const TF_ACKNOW = 0x0001;
export const TF_DELACK = 0x0002;
export const TF_NODELAY = 0x0004;
export const TF_NOOPT = 0x0008;
export const TF_SENTFIN = 0x0010;
export const TF_REQ_SCALE = 0x0020;
export const TF_RCVD_SCALE = 0x0040;
export const TF_REQ_TSTMP = 0x0080;
export const TF_RCVD_TSTMP = 0x0100;
/** Both sides agreed on SACK (RFC 2018 §2): we offered it (TF_WILL_SACK) and the peer's SYN carried SACK-permitted. */
export const TF_SACK_PERMIT = 0x0200;
/** We offer SACK-permitted in our SYN (net.inet.tcp.sack.enable when the tcpcb was made; NetBSD TF_WILL_SACK). */
export const TF_WILL_SACK = 0x20000;
/** Our socket was closed by the user (the tcpcb lives on until the connection ends). */
export const TF_DETACHED = 0x10000;

/**
 * A hole in the sender's SACK scoreboard (struct sackhole, netinet/tcp_var.h): bytes [start, end) the peer
 * has not SACKed although it holds data beyond them; rxmit is the next byte of the hole to retransmit.
 */
export interface SackHole {
  start: number;
  end: number;
  rxmit: number;
}

/** An out-of-order segment waiting in the reassembly queue; `arrival` orders them by time of arrival (timeq). */
export interface ReassSeg {
  seq: number;
  data: Uint8Array;
  fin: boolean;
  pktId: number;
  arrival: number;
}

/** Values pinned to clamp(n, lo, hi) (TCPT_RANGESET). */
export function rangeSet(n: number, lo: number, hi: number): number {
  return Math.min(Math.max(n, lo), hi);
}

export class TcpCb {
  state: TcpState = TCPS_CLOSED;
  /** t_timer[]: slow ticks until each timer fires (0 = off). */
  readonly timer = new Array<number>(TCPT_NTIMERS).fill(0);
  /** t_rxtshift: retransmissions so far (index into TCP_BACKOFF). */
  rxtshift = 0;
  /** t_rxtcur: the current retransmission timeout in slow ticks. */
  rxtcur = TCPTV_SRTTDFLT;
  /** t_dupacks: consecutive duplicate ACKs. */
  dupacks = 0;
  /**
   * t_partialacks: -1 outside NewReno fast recovery, else the partial ACKs seen in it. Kept apart from
   * t_dupacks (which a window-changing ACK resets) so recovery survives such ACKs, as in NetBSD.
   */
  partialacks = -1;
  /** t_maxseg: the largest segment (data + TCP options) we send. */
  maxseg = 536;
  /** Our MSS as advertised in the SYN (t_ourmss). */
  ourmss = 536;
  /** The peer's MSS option (t_peermss; 536 when it sent none). */
  peermss = 536;
  /** t_force: send one byte into a zero window (persist) or a FIN regardless. */
  force = false;
  flags = TF_REQ_SCALE | TF_REQ_TSTMP;

  // Send sequence space (RFC 9293 §3.3.1)
  snd_una = 0;
  snd_nxt = 0;
  snd_up = 0;
  snd_wl1 = 0;
  snd_wl2 = 0;
  iss = 0;
  snd_wnd = 0;
  snd_max = 0;
  /** snd_recover (RFC 6582): snd_max when the last recovery (or timeout) began. */
  snd_recover = 0;
  // Receive sequence space
  rcv_wnd = 0;
  rcv_nxt = 0;
  rcv_up = 0;
  irs = 0;
  rcv_adv = 0;
  // Congestion control (RFC 5681)
  snd_cwnd = 0;
  snd_ssthresh = 0x3fffffff;
  /** max_sndwnd: the largest window the peer has offered. */
  max_sndwnd = 0;
  // RTT (RFC 6298), in ns; rtttime = -1 when no segment is being timed
  rtttime = -1;
  rtseq = 0;
  srtt = 0;
  rttvar = 0;
  /** Time the last segment arrived (t_rcvtime), for keepalive idle and cwnd restart. */
  rcvtime = 0;
  // Window scaling and timestamps (RFC 7323)
  snd_scale = 0;
  rcv_scale = 0;
  request_r_scale = 0;
  requested_s_scale = 0;
  ts_recent = 0;
  ts_recent_age = 0;
  last_ack_sent = 0;
  // Keepalive parameters in slow ticks (TCP_KEEPIDLE / TCP_KEEPINTVL / TCP_KEEPCNT)
  keepidle = TCPTV_KEEP_IDLE;
  keepintvl = TCPTV_KEEPINTVL;
  keepcnt = TCPTV_KEEPCNT;
  /** Keepalive probes sent without an answer. */
  keepprobes = 0;
  /** Out-of-order segments waiting for the gap before them (tcp_reass's queue), sorted by seq. */
  readonly segq: ReassSeg[] = [];
  /** Arrival stamp for the next queued segment (NetBSD keeps the queue on a time list too, tp->timeq). */
  reass_arrivals = 0;
  // SACK (RFC 2018, NetBSD tcp_sack.c); the sender's scoreboard, sorted by sequence
  readonly snd_holes: SackHole[] = [];
  /** snd_fack: the highest sequence the peer acknowledged cumulatively or by SACK (forward ACK). */
  snd_fack = 0;
  /** rcv_lastsack: the right edge of the highest SACK block received. */
  rcv_lastsack = 0;
  /** sack_newdata: snd_nxt when SACK recovery began; new data beyond it goes out under the pipe limit. */
  sack_newdata = 0;
  /** In a SACK recovery episode (fast retransmit with the scoreboard; NetBSD t_partialacks >= 0). */
  sack_recovery = false;
  /** The next tcp_output must retransmit the first hole whatever the pipe (RFC 6675 §5 step 4.3). */
  sack_force = false;
  /** Soft error from ICMP (t_softerror), reported if the connection times out. */
  softerror = 0;

  /** sin6_scope_id of the peer (link-local addresses): the interface index. */
  scope6 = 0;
  /** IPv6 connection (addresses in so.laddr6/faddr6). */
  readonly v6: boolean;

  constructor(readonly so: Socket) {
    this.v6 = so.domain === AF_INET6;
  }
}
