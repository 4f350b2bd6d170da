/**
 * Sockets as the stack holds them (struct socket + inpcb): addresses, a receive buffer of datagram
 * records with a byte limit (so_rcvbuf), options, and the readers waiting for data. The API's numbers
 * (AF_*, SOCK_*, SO_*, …) are the headers' in stack/include, shared with applications.
 */
import type { SockAddrIn } from '../include/netinet/in';
import type { Ipv4Addr } from './wire/addr';
import { IPDEFTTL } from './wire/ipv4';

/** Default buffer sizes (NetBSD udp_sendspace/udp_recvspace, rip_sendspace/rip_recvspace). */
export const UDP_SENDSPACE = 9216;
export const UDP_RECVSPACE = 40 * (1024 + 16);
export const RIP_SENDSPACE = 8192;
export const RIP_RECVSPACE = 8192;
/** sb_max: the largest so_rcvbuf/so_sndbuf setsockopt accepts. */
export const SB_MAX = 256 * 1024;

/** One datagram in a receive buffer (sbappendaddr record). */
export interface SockRecord {
  data: Uint8Array;
  from: SockAddrIn;
  pktId: number;
}

/** struct sockbuf for datagram sockets: records plus a byte count against a high-water mark. */
export class SockBuf {
  readonly records: SockRecord[] = [];
  cc = 0;
  /** Records dropped because the buffer was full. */
  drops = 0;
  constructor(public hiwat: number) {}

  space(): number {
    return Math.max(0, this.hiwat - this.cc);
  }
  append(r: SockRecord): boolean {
    if (r.data.length > this.space()) {
      this.drops++;
      return false;
    }
    this.records.push(r);
    this.cc += r.data.length;
    return true;
  }
  shift(): SockRecord | undefined {
    const r = this.records.shift();
    if (r) this.cc -= r.data.length;
    return r;
  }
}

/** A reader blocked in the resource manager; `wake` returns true once it has been answered. */
export interface RcvWaiter {
  wake(so: Socket): boolean;
}

export class Socket {
  laddr: Ipv4Addr = 0;
  lport = 0;
  faddr: Ipv4Addr = 0;
  fport = 0;
  /** SO_* boolean options (bit mask). */
  options = 0;
  /** SO_RCVTIMEO in ns (0 = block forever). */
  rcvTimeo = 0;
  sndTimeo = 0;
  sndHiwat: number;
  readonly rcv: SockBuf;
  /** so_error: reported (and cleared) by the next receive or send. */
  error = 0;
  hdrincl = false;
  ttl = IPDEFTTL;
  tos = 0;
  /** SHUT_RD: incoming data is dropped. */
  cantRcvMore = false;
  closed = false;
  readonly waiters: RcvWaiter[] = [];

  constructor(
    readonly id: number,
    readonly domain: number,
    readonly type: number,
    readonly protocol: number,
    rcvSpace: number,
    sndSpace: number,
  ) {
    this.rcv = new SockBuf(rcvSpace);
    this.sndHiwat = sndSpace;
  }

  get connected(): boolean {
    return this.faddr !== 0;
  }

  /** Data or an error is there for a reader. */
  readable(): boolean {
    return this.rcv.records.length > 0 || this.error !== 0;
  }
}
