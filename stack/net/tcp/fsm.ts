/**
 * TCP states (netinet/tcp_fsm.h, RFC 9293 §3.3.2), their names as netstat prints them, the flags tcp_output
 * sends in each (tcp_outflags), and sequence-number arithmetic modulo 2^32 (netinet/tcp_seq.h, RFC 9293
 * §3.4: SEQ_LT etc. compare by the sign of the 32-bit difference).
 */
import { TH_ACK, TH_FIN, TH_RST, TH_SYN } from '../wire/tcp';

export const TCPS_CLOSED = 0;
export const TCPS_LISTEN = 1;
export const TCPS_SYN_SENT = 2;
export const TCPS_SYN_RECEIVED = 3;
export const TCPS_ESTABLISHED = 4;
export const TCPS_CLOSE_WAIT = 5;
export const TCPS_FIN_WAIT_1 = 6;
export const TCPS_CLOSING = 7;
export const TCPS_LAST_ACK = 8;
export const TCPS_FIN_WAIT_2 = 9;
export const TCPS_TIME_WAIT = 10;
export type TcpState = number;

/** tcpstates[] as netstat prints them. */
export const TCP_STATE_NAMES = [
  'CLOSED', 'LISTEN', 'SYN_SENT', 'SYN_RCVD', 'ESTABLISHED', 'CLOSE_WAIT', 'FIN_WAIT_1', 'CLOSING', 'LAST_ACK',
  'FIN_WAIT_2', 'TIME_WAIT',
] as const;

export function tcpStateName(s: TcpState): string {
  return TCP_STATE_NAMES[s] ?? `#${s}`;
}

/** TCPS_HAVERCVDSYN: past SYN_SENT/LISTEN. */
export const haveRcvdSyn = (s: TcpState): boolean => s >= TCPS_SYN_RECEIVED;
/** TCPS_HAVEESTABLISHED. */
export const haveEstablished = (s: TcpState): boolean => s >= TCPS_ESTABLISHED;
/** TCPS_HAVERCVDFIN: the peer's FIN has been received. */
export const haveRcvdFin = (s: TcpState): boolean =>
  s === TCPS_CLOSE_WAIT || s === TCPS_CLOSING || s === TCPS_LAST_ACK || s === TCPS_TIME_WAIT;

/** tcp_outflags[]: the control bits tcp_output sends in each state. */
export const TCP_OUTFLAGS: readonly number[] = [
  TH_RST | TH_ACK, 0, TH_SYN, TH_SYN | TH_ACK, TH_ACK, TH_ACK, TH_FIN | TH_ACK, TH_FIN | TH_ACK, TH_FIN | TH_ACK,
  TH_ACK, TH_ACK,
];

/** a - b as a signed 32-bit number. */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}
export const SEQ_LT = (a: number, b: number): boolean => seqDiff(a, b) < 0;
export const SEQ_LEQ = (a: number, b: number): boolean => seqDiff(a, b) <= 0;
export const SEQ_GT = (a: number, b: number): boolean => seqDiff(a, b) > 0;
export const SEQ_GEQ = (a: number, b: number): boolean => seqDiff(a, b) >= 0;
export const SEQ_MAX = (a: number, b: number): number => (SEQ_GT(a, b) ? a : b);
export const SEQ_MIN = (a: number, b: number): number => (SEQ_LT(a, b) ? a : b);
/** a + n modulo 2^32. */
export function seqAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}
