/**
 * TCP (netinet/tcp_usrreq.c, in_pcb.c for TCP): the protocol switch the socket layer calls (StreamProtocol),
 * the table of control blocks with port allocation and demultiplexing (exact 4-tuple first, then listeners on
 * the local address, then wildcard listeners), input entry points for IPv4 and IPv6, ICMP errors (ctlinput),
 * and the list netstat shows. Segment processing is in input.ts/input-seg.ts, tcp_output in output.ts, timers
 * in timers.ts.
 */
import { Errno } from '../../kernel/api';
import { ECONNABORTED, ENOPROTOOPT } from '../../include/errno';
import { sockaddrIn, sockaddrIn6, type SockAddr } from '../../include/netinet/in';
import { TCP_KEEPCNT, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_MAXSEG, TCP_MSS, TCP_NODELAY, TCP6_MSS } from '../../include/netinet/tcp';
import { AF_INET, AF_INET6, SO_KEEPALIVE, SO_REUSEADDR, SO_REUSEPORT } from '../../include/sys/socket';
import type { Ifnet } from '../if';
import type { Icmp6CtlInfo } from '../ip6/icmp6';
import type { Mbuf } from '../mbuf';
import type { StreamProtocol, SocketUpcalls } from '../protosw';
import type { Socket } from '../socket';
import type { NetStack } from '../stack';
import { ANONPORTMAX, ANONPORTMIN } from '../udp';
import type { Ipv4Addr } from '../wire/addr';
import { ipv6Equals, ipv6IsUnspecified, ipv6IsV4Mapped, type Ipv6Addr } from '../wire/addr6';
import { ipv4FromMapped, tcpDualStackListener, tcpMapToV4 } from '../ip6/mapped6';
import { Ipv4Packet } from '../wire/ipv4';
import { TCPS_CLOSED, TCPS_LISTEN, TCPS_SYN_SENT, haveEstablished, tcpStateName } from './fsm';
import { tcpCtlinput, tcpCtlinput6 } from './ctlinput';
import { tcpInput, type SegAddrs } from './input';
import { tcpOutput } from './output';
import { newTcpStat } from './stats';
import { tcpClose, tcpDrop, tcpNewIss, tcpRequestScale, tcpUsrClosed, tcpMssToAdvertise, tcpSendSeqInit, tcpSetKeep } from './subr';
import { PR_SLOWHZ, TCPT_KEEP, TCPTV_KEEP_INIT, TF_DETACHED, TF_NODELAY, TF_WILL_SACK, TcpCb } from './tcpcb';
import { TcpTimers } from './timers';

/** One line of `netstat -p tcp` (the socket and its tcpcb). */
export interface TcpPcbInfo {
  so: Socket;
  tp: TcpCb;
  local: SockAddr;
  foreign: SockAddr;
  state: string;
  sendQ: number;
  recvQ: number;
}

export class Tcp implements StreamProtocol {
  readonly stats = newTcpStat();
  /** tcbtable: every live control block (including those of closed sockets in FIN_WAIT/TIME_WAIT). */
  readonly cbs: TcpCb[] = [];
  readonly timers: TcpTimers;
  private lastPort = 0;
  /** net.inet.tcp.mssdflt. */
  mssdflt = TCP_MSS;
  /** net.inet.tcp.sack.enable (NetBSD tcp_do_sack, default 1): offer SACK-permitted on new connections. */
  sackEnable = true;
  /**
   * Sockets to wake once the current TCP entry (input, a timer, a user request) is done. io-pkt runs the
   * socket layer's wakeups at once (NetEnv.defer), and a woken client may come straight back into TCP (a
   * write after an ACK freed space); collecting them keeps every tcpcb consistent while TCP works on it,
   * as BSD's sowakeup (which only marks the sleeper runnable) does.
   */
  private depth = 0;
  private readonly pendingWake = new Set<Socket>();

  constructor(readonly s: NetStack) {
    this.timers = new TcpTimers(this);
  }

  get up(): SocketUpcalls {
    return this.s.sockets;
  }

  /** Run a TCP entry point with wakeups held until it is over. */
  batch<T>(fn: () => T): T {
    this.depth++;
    try {
      return fn();
    } finally {
      if (--this.depth === 0) this.flushWakeups();
    }
  }

  /** A wakeup for `so`: now, or at the end of the current entry. Returns true if it was held. */
  holdWakeup(so: Socket): boolean {
    if (this.depth === 0) return false;
    this.pendingWake.add(so);
    return true;
  }

  private flushWakeups(): void {
    while (this.pendingWake.size > 0) {
      const so = this.pendingWake.values().next().value as Socket;
      this.pendingWake.delete(so);
      this.up.sowwakeup(so);
    }
  }

  // ---- in_pcb: ports and lookup ----

  private portInUse(port: number, so: Socket, laddr: Ipv4Addr, laddr6: Ipv6Addr): boolean {
    for (const tp of this.cbs) {
      const o = tp.so;
      if (o === so || o.lport !== port || o.domain !== so.domain) continue;
      if (so.domain === AF_INET6) {
        if (ipv6IsUnspecified(o.laddr6) || ipv6IsUnspecified(laddr6) || ipv6Equals(o.laddr6, laddr6)) return true;
      } else if (o.laddr === 0 || laddr === 0 || o.laddr === laddr) return true;
    }
    return false;
  }

  /** in_pcbsetport: the next free anonymous port, counting down from anonportmax. */
  ephemeral(so: Socket): number {
    let port = this.lastPort - 1;
    for (let n = ANONPORTMAX - ANONPORTMIN + 1; n > 0; n--, port--) {
      if (port < ANONPORTMIN || port > ANONPORTMAX) port = ANONPORTMAX;
      if (!this.portInUse(port, so, so.laddr, so.laddr6)) {
        this.lastPort = port;
        return port;
      }
    }
    return 0;
  }

  /**
   * in_pcblookup_connect then in_pcblookup_bind: the connection with this exact 4-tuple, else a listener bound
   * to the destination address, else one bound to the wildcard.
   */
  lookup(a: SegAddrs, sport: number, dport: number): TcpCb | undefined {
    let wild: TcpCb | undefined;
    let bound: TcpCb | undefined;
    let mwild: TcpCb | undefined;
    let mbound: TcpCb | undefined;
    for (const tp of this.cbs) {
      const so = tp.so;
      if (so.lport !== dport || tp.state === TCPS_CLOSED) continue;
      // IPv4 segments also reach dual-stack AF_INET6 listeners and their IPv4-mapped connections (ip6/mapped6.ts),
      // which keep the IPv4 endpoints in so.laddr/so.faddr; IPv6 segments only native AF_INET6 PCBs.
      if (a.v6 ? so.domain !== AF_INET6 || !tp.v6 || ipv6IsV4Mapped(so.laddr6)
        : so.domain === AF_INET6 && (tp.state === TCPS_LISTEN ? !tcpDualStackListener(so) : tp.v6)) continue;
      if (tp.state !== TCPS_LISTEN) {
        if (so.fport !== sport) continue;
        if (a.v6 ? ipv6Equals(so.faddr6, a.src6) && ipv6Equals(so.laddr6, a.dst6) : so.faddr === a.src && so.laddr === a.dst) return tp;
        continue;
      }
      const lwild = a.v6 ? ipv6IsUnspecified(so.laddr6) : so.laddr === 0;
      if (!a.v6 && so.domain === AF_INET6) {
        // NetBSD tcp_input: in6_pcblookup_bind on the mapped destination only after in_pcblookup_bind found nothing.
        if (lwild) mwild ??= tp;
        else if (so.laddr === a.dst) mbound ??= tp;
      } else if (lwild) wild ??= tp;
      else if (a.v6 ? ipv6Equals(so.laddr6, a.dst6) : so.laddr === a.dst) bound ??= tp;
    }
    return bound ?? wild ?? mbound ?? mwild;
  }

  /** A connection with this 4-tuple already exists (in_pcblookup_connect for connect's EADDRINUSE). */
  private tupleInUse(so: Socket): boolean {
    return this.cbs.some((tp) => {
      const o = tp.so;
      if (o === so || tp.state === TCPS_LISTEN || o.domain !== so.domain || o.lport !== so.lport || o.fport !== so.fport) return false;
      return so.domain === AF_INET6 ? ipv6Equals(o.laddr6, so.laddr6) && ipv6Equals(o.faddr6, so.faddr6) : o.laddr === so.laddr && o.faddr === so.faddr;
    });
  }

  // ---- input ----

  /** tcp_input for IPv4: `pkt` is the whole datagram (IP header first), as udp.input gets it. */
  input(ifp: Ifnet, m: Mbuf, pkt: Uint8Array): void {
    const ip = new Ipv4Packet(pkt);
    this.batch(() => tcpInput(this, ifp, m, { v6: false, src: ip.src, dst: ip.dst, src6: NO6, dst6: NO6, tos: ip.tos }, ip.payload));
  }

  /** tcp6_input: `seg` is the TCP segment, after the IPv6 header and any extension headers. */
  input6(ifp: Ifnet, m: Mbuf, src: Ipv6Addr, dst: Ipv6Addr, seg: Uint8Array): void {
    this.batch(() => tcpInput(this, ifp, m, { v6: true, src: 0, dst: 0, src6: src, dst6: dst, tos: 0, scope6: this.s.ip6?.indexOf(ifp) ?? 0 }, seg));
  }

  /**
   * tcp_ctlinput for ICMP errors about a segment we sent: `type`/`code` of the ICMP message, `quoted` the
   * datagram it quotes (IP header + at least 8 bytes of TCP header), `nextMtu` the next-hop MTU of a
   * "fragmentation needed" (RFC 1191; 0 if absent). Unreachables are soft errors (RFC 1122 §4.2.3.9): they
   * end a connection only while it is being set up (NetBSD: ECONNREFUSED-ish soft error in SYN_SENT);
   * fragmentation needed lowers t_maxseg and retransmits (tcp_mtudisc).
   */
  ctlinput(type: number, code: number, quoted: Uint8Array, nextMtu = 0): void {
    this.batch(() => tcpCtlinput(this, type, code, quoted, nextMtu));
  }

  /** tcp6_ctlinput: an ICMPv6 error about one of our segments, registered in icmp6.ctlsw (stack.ts). */
  ctlinput6(info: Icmp6CtlInfo): void {
    this.batch(() => tcpCtlinput6(this, info));
  }

  // ---- StreamProtocol (tcp_usrreq) ----

  attach(so: Socket): number {
    const tp = new TcpCb(so);
    so.pcb = tp;
    tcpRequestScale(tp);
    if (this.sackEnable) tp.flags |= TF_WILL_SACK;
    tp.maxseg = tp.ourmss = tp.peermss = so.domain === AF_INET6 ? TCP6_MSS : this.mssdflt;
    this.cbs.push(tp);
    return 0;
  }

  bind(so: Socket, addr: SockAddr): number {
    if (so.lport !== 0) return Errno.EINVAL;
    if (addr.family !== so.domain) return Errno.EAFNOSUPPORT;
    if (addr.family === AF_INET) {
      if (addr.addr !== 0 && !this.s.ifs.ifaWithAddr(addr.addr)) return Errno.EADDRNOTAVAIL;
      so.laddr = addr.addr;
    } else if (ipv6IsV4Mapped(addr.addr)) {
      // A mapped address (RFC 4038 §4.2): only without IPV6_V6ONLY, and its IPv4 part ours or INADDR_ANY.
      if (so.v6only) return Errno.EINVAL;
      const a4 = ipv4FromMapped(addr.addr);
      if (a4 !== 0 && !this.s.ifs.ifaWithAddr(a4)) return Errno.EADDRNOTAVAIL;
      so.laddr = a4;
      so.laddr6 = addr.addr.slice(0, 16);
    } else {
      const ip6 = this.s.ip6;
      if (!ipv6IsUnspecified(addr.addr) && !(ip6 && ip6.isOurAddress(addr.addr))) return Errno.EADDRNOTAVAIL;
      so.laddr6 = addr.addr.slice(0, 16);
    }
    if (addr.port === 0) {
      const p = this.ephemeral(so);
      if (p === 0) return Errno.EADDRINUSE;
      so.lport = p;
      return 0;
    }
    // SO_REUSEADDR/SO_REUSEPORT: a port in use by another socket may be bound again (in_pcbbind's checks reduced
    // to the socket's own option, as udp.ts does); the 4-tuple is checked at connect time.
    if ((so.options & (SO_REUSEADDR | SO_REUSEPORT)) === 0 && this.portInUse(addr.port, so, so.laddr, so.laddr6)) return Errno.EADDRINUSE;
    so.lport = addr.port;
    return 0;
  }

  listen(so: Socket): number {
    const tp = so.pcb as TcpCb;
    if (tp.state !== TCPS_CLOSED && tp.state !== TCPS_LISTEN) return Errno.EINVAL;
    if (so.lport === 0) {
      const p = this.ephemeral(so);
      if (p === 0) return Errno.EADDRINUSE;
      so.lport = p;
    }
    tp.state = TCPS_LISTEN;
    this.s.env.trace('tcp', 'state', 0, { so: so.id, state: 'LISTEN', port: so.lport });
    return 0;
  }

  connect(so: Socket, addr: SockAddr): number {
    return this.batch(() => this.connect1(so, addr));
  }

  private connect1(so: Socket, addr: SockAddr): number {
    const tp = so.pcb as TcpCb;
    if (tp.state !== TCPS_CLOSED) return tp.state === TCPS_LISTEN ? Errno.EOPNOTSUPP : Errno.EISCONN;
    if (addr.family !== so.domain) return Errno.EAFNOSUPPORT;
    if (addr.port === 0) return Errno.EADDRNOTAVAIL;
    let mtu: number;
    const mapped = addr.family === AF_INET6 && ipv6IsV4Mapped(addr.addr);
    if (mapped && (so.v6only || (!ipv6IsUnspecified(so.laddr6) && !ipv6IsV4Mapped(so.laddr6)))) return Errno.EINVAL;
    if (!mapped && addr.family === AF_INET6 && ipv6IsV4Mapped(so.laddr6)) return Errno.EINVAL;
    if (addr.family === AF_INET || mapped) {
      // AF_INET, or an AF_INET6 socket to an IPv4-mapped peer: the connection runs over IPv4 (mapped6.ts).
      const dst = addr.family === AF_INET ? addr.addr : ipv4FromMapped(addr.addr);
      const choice = this.s.ip.route(dst);
      if (typeof choice === 'number') return choice;
      if (so.laddr === 0) so.laddr = choice.src.addr;
      so.faddr = dst;
      if (mapped) {
        tcpMapToV4(so, tp);
        tp.maxseg = tp.peermss = this.mssdflt; // attach() started it at the IPv6 default
      }
      mtu = choice.ifp.mtu;
    } else {
      const ip6 = this.s.ip6;
      if (!ip6) return Errno.EAFNOSUPPORT;
      const sel = ip6.selectSource(addr.addr, addr.scopeId);
      if (typeof sel === 'number') return sel;
      if (ipv6IsUnspecified(so.laddr6)) so.laddr6 = sel.src.slice(0, 16);
      so.faddr6 = addr.addr.slice(0, 16);
      tp.scope6 = addr.scopeId;
      mtu = sel.mtu;
    }
    so.fport = addr.port;
    if (so.lport === 0) {
      const p = this.ephemeral(so);
      if (p === 0) return Errno.EADDRINUSE;
      so.lport = p;
    } else if (this.tupleInUse(so)) {
      so.faddr = 0;
      so.fport = 0;
      return Errno.EADDRINUSE;
    }
    tp.ourmss = tcpMssToAdvertise(tp, mtu);
    tcpRequestScale(tp); // SO_RCVBUF may have changed since socket()
    tp.maxseg = Math.min(tp.maxseg, tp.ourmss);
    this.stats.connattempt++;
    this.up.soisconnecting(so);
    tp.state = TCPS_SYN_SENT;
    tp.timer[TCPT_KEEP] = TCPTV_KEEP_INIT;
    this.timers.arm();
    tp.iss = tcpNewIss(this);
    tcpSendSeqInit(tp);
    this.s.env.trace('tcp', 'state', 0, { so: so.id, state: 'SYN_SENT', iss: tp.iss });
    // An output error (no buffer, the interface down) leaves the SYN to the retransmission timer.
    tcpOutput(this, tp);
    return 0;
  }

  sockaddr(so: Socket): SockAddr {
    return so.domain === AF_INET6 ? sockaddrIn6(so.laddr6, so.lport) : sockaddrIn(so.laddr, so.lport);
  }

  send(so: Socket, data: Uint8Array, pktId: number): number {
    const tp = so.pcb as TcpCb;
    so.stream!.snd.append(data, pktId);
    return this.batch(() => tcpOutput(this, tp));
  }

  rcvd(so: Socket): void {
    const tp = so.pcb as TcpCb | null;
    if (tp && tp.state !== TCPS_CLOSED && tp.state !== TCPS_LISTEN) this.batch(() => tcpOutput(this, tp));
  }

  shutdown(so: Socket): number {
    return this.batch(() => this.shutdown1(so));
  }

  private shutdown1(so: Socket): number {
    const tp = so.pcb as TcpCb | null;
    if (!tp) return 0;
    this.up.socantsendmore(so);
    const t = tcpUsrClosed(this, tp);
    if (t) return tcpOutput(this, t);
    return 0;
  }

  disconnect(so: Socket): void {
    this.batch(() => this.disconnect1(so));
  }

  private disconnect1(so: Socket): void {
    const tp = so.pcb as TcpCb | null;
    if (!tp) {
      this.up.sofree(so);
      return;
    }
    tp.flags |= TF_DETACHED;
    if (!haveEstablished(tp.state)) {
      tcpClose(this, tp);
      return;
    }
    if (so.linger.onoff && so.linger.linger === 0) {
      // SO_LINGER with time 0 (RFC 9293 §3.10.4 "abort"): reset.
      tcpDrop(this, tp, 0);
      return;
    }
    // NetBSD tcp_disconnect: data the user never read is discarded and the close is graceful (a FIN); the peer
    // gets a RST only if it sends more data after the close (tcp_input's rcvafterclose).
    this.up.soisdisconnecting(so);
    so.stream!.rcv.flush();
    const t = tcpUsrClosed(this, tp);
    if (t) tcpOutput(this, t);
  }

  abort(so: Socket): void {
    const tp = so.pcb as TcpCb | null;
    if (!tp) {
      this.up.sofree(so);
      return;
    }
    tp.flags |= TF_DETACHED;
    this.batch(() => tcpDrop(this, tp, ECONNABORTED));
  }

  setopt(so: Socket, name: number, value: number): number {
    const tp = so.pcb as TcpCb;
    switch (name) {
      case TCP_NODELAY:
        tp.flags = value ? tp.flags | TF_NODELAY : tp.flags & ~TF_NODELAY;
        return 0;
      case TCP_MAXSEG:
        if (value <= 0 || value > tp.maxseg) return Errno.EINVAL;
        tp.maxseg = value;
        return 0;
      case TCP_KEEPIDLE:
      case TCP_KEEPINTVL:
        if (value <= 0) return Errno.EINVAL;
        if (name === TCP_KEEPIDLE) tp.keepidle = value * PR_SLOWHZ;
        else tp.keepintvl = value * PR_SLOWHZ;
        tcpSetKeep(this, tp);
        return 0;
      case TCP_KEEPCNT:
        if (value <= 0) return Errno.EINVAL;
        tp.keepcnt = value;
        return 0;
      default:
        return ENOPROTOOPT;
    }
  }

  getopt(so: Socket, name: number): number {
    const tp = so.pcb as TcpCb;
    switch (name) {
      case TCP_NODELAY: return (tp.flags & TF_NODELAY) !== 0 ? 1 : 0;
      case TCP_MAXSEG: return tp.maxseg;
      case TCP_KEEPIDLE: return tp.keepidle / PR_SLOWHZ;
      case TCP_KEEPINTVL: return tp.keepintvl / PR_SLOWHZ;
      case TCP_KEEPCNT: return tp.keepcnt;
      default: return -ENOPROTOOPT;
    }
  }

  /** SO_KEEPALIVE changed on the socket: (re)arm or leave the keepalive timer (tcp_ctloutput's side effect). */
  keepaliveChanged(so: Socket): void {
    const tp = so.pcb as TcpCb | null;
    if (tp && (so.options & SO_KEEPALIVE) !== 0) tcpSetKeep(this, tp);
  }

  /** Control blocks for netstat: local and foreign address, state, queue bytes. */
  pcbs(): TcpPcbInfo[] {
    return this.cbs.map((tp) => {
      const so = tp.so;
      return {
        so, tp, local: this.sockaddr(so),
        foreign: so.domain === AF_INET6 ? sockaddrIn6(so.faddr6, so.fport) : sockaddrIn(so.faddr, so.fport),
        state: tcpStateName(tp.state), sendQ: so.stream?.snd.cc ?? 0, recvQ: so.stream?.rcv.cc ?? 0,
      };
    });
  }

  /** Forget a control block (tcp_close's in_pcbdetach). */
  remove(tp: TcpCb): void {
    const i = this.cbs.indexOf(tp);
    if (i >= 0) this.cbs.splice(i, 1);
  }
}

const NO6 = new Uint8Array(16);
