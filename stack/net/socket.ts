/**
 * Sockets as the stack holds them (struct socket + inpcb): addresses, a receive buffer of datagram
 * records with a byte limit (so_rcvbuf), options, and the readers waiting for data. Stream sockets (TCP)
 * also have byte-stream send and receive buffers, connection state bits and, when listening, the queues
 * of half-open and completed connections. The API's numbers (AF_*, SOCK_*, SO_*, …) are the headers' in
 * stack/include, shared with applications.
 */
import type { SockAddr } from '../include/netinet/in';
import type { Linger } from '../include/sys/socket';
import { StreamBuf } from './streambuf';
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
  from: SockAddr;
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

/** The byte-stream buffers of a SOCK_STREAM socket (so_snd, so_rcv as TCP uses them). */
export interface StreamBufs {
  snd: StreamBuf;
  rcv: StreamBuf;
}

/** NetBSD tcp_sendspace / tcp_recvspace. */
export const TCP_SENDSPACE = 32 * 1024;
export const TCP_RECVSPACE = 32 * 1024;

const IN6ADDR_ANY = new Uint8Array(16);

export class Socket {
  /** IPv4 endpoints (AF_INET sockets, and v4-mapped peers of dual-stack AF_INET6 sockets). */
  laddr: Ipv4Addr = 0;
  lport = 0;
  faddr: Ipv4Addr = 0;
  fport = 0;
  /** IPv6 endpoints of AF_INET6 sockets (16 bytes, all zero = unspecified). */
  laddr6: Uint8Array = IN6ADDR_ANY;
  faddr6: Uint8Array = IN6ADDR_ANY;
  /** IPV6_V6ONLY (NetBSD's default net.inet6.ip6.v6only=1). */
  v6only = true;
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
  /** SHUT_RD: incoming data is dropped (SS_CANTRCVMORE; for streams also set by the peer's FIN). */
  cantRcvMore = false;
  closed = false;
  readonly waiters: RcvWaiter[] = [];
  /**
   * Functions run (after the stack pass) whenever the socket's readability, writability or connection state may
   * have changed: select/poll/ionotify hooks of the resource manager (stream sockets; datagram sockets use waiters).
   */
  readonly notify = new Set<() => void>();

  // --- SOCK_STREAM (so_state, so_linger, listen queues, the protocol control block) ---
  /** so_snd / so_rcv as byte streams; null for datagram and raw sockets. */
  stream: StreamBufs | null = null;
  /** SS_ISCONNECTING: connect() started, not yet established. */
  isConnecting = false;
  /** SS_ISCONNECTED. */
  isConnected = false;
  /** SS_ISDISCONNECTING: close or shutdown in progress. */
  isDisconnecting = false;
  /** SS_CANTSENDMORE: SHUT_WR, or the connection went away. */
  cantSendMore = false;
  /** SO_LINGER. */
  linger: Linger = { onoff: false, linger: 0 };
  /** SO_ACCEPTCONN: listen() was called. */
  acceptConn = false;
  /** listen backlog (so_qlimit). */
  qlimit = 0;
  /** Connections being set up (so_q0) and complete ones waiting for accept() (so_q). */
  readonly q0: Socket[] = [];
  readonly q: Socket[] = [];
  /** The listening socket this one was created for (so_head), until accept() takes it. */
  head: Socket | null = null;
  /** The protocol control block (TCP's tcpcb); owned by the protocol. */
  pcb: unknown = null;

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

  /** A datagram socket with a default destination, or a stream socket with a peer address. */
  get connected(): boolean {
    return this.faddr !== 0 || this.fport !== 0;
  }

  /**
   * Something is there for a reader (soreadable): a datagram or stream bytes, an error, end of stream
   * (SS_CANTRCVMORE), or for a listener a completed connection to accept.
   */
  readable(): boolean {
    if (this.error !== 0) return true;
    if (this.acceptConn) return this.q.length > 0;
    if (this.stream) return this.stream.rcv.cc > 0 || this.cantRcvMore;
    return this.rcv.records.length > 0;
  }

  /**
   * A writer can proceed (sowriteable): stream sockets when connected with send space at or above the low-water
   * mark, or when sending would fail at once (SS_CANTSENDMORE, an error); datagram sockets always.
   */
  writable(): boolean {
    if (this.error !== 0 || this.cantSendMore) return true;
    if (!this.stream) return true;
    return this.isConnected && this.stream.snd.space() >= this.stream.snd.lowat;
  }
}
