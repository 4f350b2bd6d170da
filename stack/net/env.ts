/**
 * What the protocol code needs from the process it runs in (io-pkt, or a test harness): time, CPU
 * charging, tracing, and hooks that must run outside the synchronous protocol code (driver if_start,
 * replies to blocked clients, timer re-arming). Protocol processing itself is synchronous and runs in the
 * stack context.
 */
import type { Time } from '../../emulator/machine/sim/time';
import type { Ifnet } from './if';

export type TraceFieldValue = string | number | boolean;

export interface NetEnv {
  now(): Time;
  /**
   * The running thread's point on its CPU timeline (now() plus the CPU charged and not yet consumed): when a
   * packet is stamped (BPF) in the middle of a stack pass. Optional: now().
   */
  clock?(): Time;
  /** Charge CPU time to the thread holding the stack context. */
  charge(ns: number): void;
  trace(layer: string, probe: string, pkt: number, f?: Record<string, TraceFieldValue>): void;
  /** A fresh packet id (for packets the stack originates: replies, ARP requests). */
  newPktId(): number;
  /** The stack appended to ifp.snd: call the driver's if_start once this pass is done. */
  kick(ifp: Ifnet): void;
  /**
   * ifp's multicast list changed (ether_addmulti/delmulti): run the driver's setFilter once this pass is
   * done, like kick. Optional: an environment without drivers has nothing to reprogram.
   */
  setFilter?(ifp: Ifnet): void;
  /** Run `fn` once the CPU time charged so far has been consumed (wake blocked clients). */
  defer(fn: () => void): void;
  /** The earliest callout deadline may have changed. */
  timersChanged(): void;
  /**
   * Kernel log (NetBSD log(9); io-pkt's slog) at a <sys/syslog.h> priority (LOG_INFO when omitted; io-pkt maps
   * it to a slog severity).
   */
  log(text: string, priority?: SyslogPriority): void;
  /**
   * 32 random bits from the node's seeded stream (what NetBSD's cprng gives TCP ISNs, IP ids, ND timers):
   * reproducible for a seed, different for another seed.
   */
  random32(): number;
  /**
   * The thread running protocol code now, and whether it holds the stack context: io-pkt's layer 2 runs bridging
   * and ipflow fast-forwarding in the thread that received the frame, without the stack context (facts/io-pkt.md
   * §4). Traces of forwarded packets carry it; ipflow keeps a flow cache per thread. Optional: a harness
   * without threads has one implicit thread holding the stack.
   */
  thread?(): { readonly tid: number; readonly name: string; readonly stack: boolean };
}

/** <sys/syslog.h> priorities a stack message is logged at (NetBSD's log(9) first argument). */
export const LOG_ERR = 3;
export const LOG_WARNING = 4;
export const LOG_NOTICE = 5;
export const LOG_INFO = 6;
export const LOG_DEBUG = 7;
export type SyslogPriority = typeof LOG_ERR | typeof LOG_WARNING | typeof LOG_NOTICE | typeof LOG_INFO | typeof LOG_DEBUG;
