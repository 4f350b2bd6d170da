/**
 * TCP timers (netinet/tcp_timer.c). As in 4.4BSD/NetBSD's tcp_slowtimo/tcp_fasttimo, each tcpcb keeps its
 * timers as counts of slow ticks (500 ms) and delayed ACKs wait for the next fast tick (200 ms). The ticks
 * fall on multiples of 500 ms / 200 ms of virtual time (as a kernel's periodic PR_SLOWHZ/PR_FASTHZ callouts
 * would) but are scheduled only while a timer or delayed ACK is pending, so an idle stack has no callout.
 * Consequence, as in BSD: a timer of N ticks fires between N-1 and N ticks after it was set.
 */
import { Errno } from '../../kernel/api';
import { SO_KEEPALIVE } from '../../include/sys/socket';
import type { Callout } from '../callout';
import { TH_ACK } from '../wire/tcp';
import { ccRexmtTimeout } from './congestion';
import { TCPS_CLOSING, TCPS_ESTABLISHED, TCPS_TIME_WAIT, tcpStateName } from './fsm';
import { tcpNow, tcpOutput } from './output';
import { rexmtVal, tcpClose, tcpDrop, tcpMaxidle, tcpRespond, tcpSetPersist, tpEndpoints } from './subr';
import {
  FAST_TICK_NS, SLOW_TICK_NS, TCPT_2MSL, TCPT_KEEP, TCPT_NTIMERS, TCPT_PERSIST, TCPT_REXMT, TCPTV_MIN, TCPTV_REXMTMAX,
  TCP_BACKOFF, TCP_MAXRXTSHIFT, TCP_TIMER_NAMES, TF_ACKNOW, TF_DELACK, TF_RCVD_TSTMP, TF_REQ_TSTMP, rangeSet, type TcpCb,
} from './tcpcb';
import type { Tcp } from './tcp';

export class TcpTimers {
  private slow: Callout<() => void> | null = null;
  private fast: Callout<() => void> | null = null;

  constructor(private readonly tcp: Tcp) {}

  /** Some tcpcb has a timer running: make sure the next slow tick is scheduled. */
  arm(): void {
    if (this.slow?.active) return;
    const now = this.tcp.s.env.now();
    const next = (Math.floor(now / SLOW_TICK_NS) + 1) * SLOW_TICK_NS;
    this.slow = this.tcp.s.schedule(next - now, 'tcp_slowtimo', () => this.tcp.batch(() => this.slowtimo()));
  }

  /** TF_DELACK: the ACK goes at the next fast tick unless something sends it first. */
  delack(tp: TcpCb): void {
    tp.flags |= TF_DELACK;
    if (this.fast?.active) return;
    const now = this.tcp.s.env.now();
    const next = (Math.floor(now / FAST_TICK_NS) + 1) * FAST_TICK_NS;
    this.fast = this.tcp.s.schedule(next - now, 'tcp_fasttimo', () => this.tcp.batch(() => this.fasttimo()));
  }

  /** tcp_fasttimo: send the delayed ACKs. */
  private fasttimo(): void {
    this.fast = null;
    for (const tp of [...this.tcp.cbs]) {
      if ((tp.flags & TF_DELACK) === 0) continue;
      tp.flags = (tp.flags & ~TF_DELACK) | TF_ACKNOW;
      this.tcp.stats.delack++;
      tcpOutput(this.tcp, tp);
    }
  }

  /** tcp_slowtimo: count every running timer down by one tick; run those that reach zero. */
  private slowtimo(): void {
    this.slow = null;
    let more = false;
    for (const tp of [...this.tcp.cbs]) {
      for (let i = 0; i < TCPT_NTIMERS; i++) {
        if (tp.timer[i] === 0 || !this.tcp.cbs.includes(tp)) continue;
        if (--tp.timer[i]! === 0) this.fire(tp, i);
      }
      if (this.tcp.cbs.includes(tp) && tp.timer.some((t) => t > 0)) more = true;
    }
    if (more || this.tcp.cbs.some((tp) => tp.timer.some((t) => t > 0))) this.arm();
  }

  /** tcp_timers: one timer expired. */
  private fire(tp: TcpCb, which: number): void {
    const tcp = this.tcp;
    const st = tcp.stats;
    tcp.s.env.trace('tcp', 'timer', 0, { so: tp.so.id, timer: TCP_TIMER_NAMES[which]!, state: tcpStateName(tp.state), rxtshift: tp.rxtshift });
    switch (which) {
      case TCPT_2MSL:
        // TIME_WAIT is over; in FIN_WAIT_2 wait on while the peer was heard from within tcp_maxidle
        // (re-checking every TCP_KEEPINTVL), else give up on its FIN.
        if (tp.state !== TCPS_TIME_WAIT && tcp.s.env.now() - tp.rcvtime < tcpMaxidle(tp) * SLOW_TICK_NS) {
          tp.timer[TCPT_2MSL] = tp.keepintvl;
          return;
        }
        tcpClose(tcp, tp);
        return;
      case TCPT_REXMT: {
        if (++tp.rxtshift > TCP_MAXRXTSHIFT) {
          tp.rxtshift = TCP_MAXRXTSHIFT;
          st.timeoutdrop++;
          tcpDrop(tcp, tp, Errno.ETIMEDOUT);
          return;
        }
        st.rexmttimeo++;
        // RFC 6298 §5.5: back off; NetBSD's TCP_REXMTVAL × tcp_backoff[].
        tp.rxtcur = rangeSet(rexmtVal(tp) * TCP_BACKOFF[tp.rxtshift]!, TCPTV_MIN, TCPTV_REXMTMAX);
        tp.timer[TCPT_REXMT] = tp.rxtcur;
        if (tp.rxtshift > TCP_MAXRXTSHIFT / 4) {
          // The path may have changed: forget the RTT estimate (in_losing; NetBSD folds srtt into rttvar).
          tp.rttvar += tp.srtt / 4;
          tp.srtt = 0;
        }
        tp.snd_nxt = tp.snd_una;
        tp.rtttime = -1;
        
        ccRexmtTimeout(tp);
        tcpOutput(tcp, tp);
        return;
      }
      case TCPT_PERSIST:
        st.persisttimeo++;
        tcpSetPersist(tcp, tp);
        tp.force = true;
        tcpOutput(tcp, tp);
        tp.force = false;
        return;
      case TCPT_KEEP: {
        st.keeptimeo++;
        if (tp.state < TCPS_ESTABLISHED) {
          // The connection-establishment timer (TCPTV_KEEP_INIT, 75 s) ran out.
          st.keepdrops++;
          tcpDrop(tcp, tp, Errno.ETIMEDOUT);
          return;
        }
        if ((tp.so.options & SO_KEEPALIVE) !== 0 && tp.state <= TCPS_CLOSING) {
          if (tp.keepprobes >= tp.keepcnt) {
            st.keepdrops++;
            tcpDrop(tcp, tp, Errno.ETIMEDOUT);
            return;
          }
          // A keepalive probe: an old sequence number so the peer answers with an ACK (RFC 1122 §4.2.3.6).
          st.keepprobe++;
          tp.keepprobes++;
          // With timestamps agreed, the probe carries one too (RFC 7323 §3.2: on every segment).
          const ts = (tp.flags & (TF_REQ_TSTMP | TF_RCVD_TSTMP)) === (TF_REQ_TSTMP | TF_RCVD_TSTMP) ? { ts: { val: tcpNow(tcp), ecr: tp.ts_recent } } : {};
          tcpRespond(tcp, tpEndpoints(tp), tp.so.lport, tp.so.fport, tp.snd_una - 1, tp.rcv_nxt, TH_ACK,
            Math.min(tp.so.stream!.rcv.space() >>> tp.rcv_scale, 0xffff), tcp.s.env.newPktId(), 'keepalive', ts);
          tp.timer[TCPT_KEEP] = tp.keepintvl;
        } else tp.timer[TCPT_KEEP] = tp.keepidle;
        return;
      }
    }
  }
}

