/**
 * The socket layer (kern/uipc_socket.c): creation by domain/type/protocol, bind/connect, send through UDP or
 * raw IP, receive of whole records, options, and waking readers that the resource manager parked on a
 * socket. Stream sockets (TCP) have their calls and the upcalls TCP makes in socket-stream.ts; Sockets
 * implements SocketUpcalls with them.
 */
import { Errno } from '../kernel/api';
import { NetCost } from './costs';
import { ENOPROTOOPT } from '../include/errno';
import { IPPROTO_IP, IPPROTO_IPV6, IPPROTO_RAW, IPPROTO_TCP, IPPROTO_UDP, IP_HDRINCL, IP_TOS, IP_TTL, sockaddrIn, sockaddrToString, type SockAddr } from '../include/netinet/in';
import {
  AF_INET, AF_INET6, AF_ROUTE, SOCK_DGRAM, SOCK_RAW, SOCK_STREAM, SOL_SOCKET, SO_ACCEPTCONN, SO_BROADCAST, SO_DEBUG,
  SO_DONTROUTE, SO_ERROR, SO_KEEPALIVE, SO_LINGER, SO_RCVBUF, SO_RCVTIMEO, SO_REUSEADDR, SO_REUSEPORT, SO_SNDBUF,
  SO_SNDTIMEO, SO_TYPE, type Linger,
} from '../include/sys/socket';
import type { SocketUpcalls } from './protosw';
import {
  RIP_RECVSPACE, RIP_SENDSPACE, SB_MAX, Socket, TCP_RECVSPACE, TCP_SENDSPACE, UDP_RECVSPACE, UDP_SENDSPACE, type SockRecord,
} from './socket';
import {
  soAccept, soCloseStream, soConnectStream, soListen, soReceiveStream, soSendStream, soShutdown, sofree, soisconnected,
  soisconnecting, soisdisconnected, soisdisconnecting, sonewconn, streamAttach, streamWakeup,
} from './socket-stream';
import type { NetStack } from './stack';
import { ipToString, type Ipv4Addr } from './wire/addr';
import { InMcast } from './in-mcast';
import { Sock6 } from './ip6/sock6';

const BOOL_OPTS = [SO_DEBUG, SO_REUSEADDR, SO_DONTROUTE, SO_BROADCAST, SO_REUSEPORT, SO_KEEPALIVE];

export class Sockets implements SocketUpcalls {
  readonly list: Socket[] = [];
  private nextId = 1;

  constructor(private readonly s: NetStack) {}

  /** socreate. Returns the socket or an errno. */
  create(domain: number, type: number, protocol: number): Socket | number {
    if (domain === AF_INET) {
      if (type === SOCK_DGRAM) {
        if (protocol !== IPPROTO_IP && protocol !== IPPROTO_UDP) return Errno.EPROTONOSUPPORT;
        return this.add(new Socket(this.nextId++, domain, type, IPPROTO_UDP, UDP_RECVSPACE, UDP_SENDSPACE));
      }
      if (type === SOCK_RAW) {
        if (protocol < 0 || protocol > 255) return Errno.EINVAL;
        const so = new Socket(this.nextId++, domain, type, protocol, RIP_RECVSPACE, RIP_SENDSPACE);
        if (protocol === IPPROTO_RAW) so.hdrincl = true;
        return this.add(so);
      }
      if (type === SOCK_STREAM) return this.createStream(domain, protocol);
      return Errno.EPROTONOSUPPORT;
    }
    if (domain === AF_INET6 && type !== SOCK_STREAM) {
      // Datagram and raw IPv6 sockets: stack/net/ip6/sock6.ts.
      if (!this.s.ip6) return Errno.EAFNOSUPPORT;
      const so = this.s.ip6.sock.create(this.nextId++, type, protocol);
      return typeof so === 'number' ? so : this.add(so);
    }
    if (domain === AF_INET6 && type === SOCK_STREAM) {
      if (!this.s.ip6) return Errno.EAFNOSUPPORT;
      const so = this.createStream(domain, protocol);
      if (typeof so !== 'number' && this.s.ip6) so.v6only = this.s.ip6.v6only; // net.inet6.ip6.v6only
      return so;
    }
    if (domain === AF_ROUTE) {
      if (type !== SOCK_RAW) return Errno.EPROTONOSUPPORT;
      return this.add(new Socket(this.nextId++, domain, type, protocol, 8192, 8192));
    }
    return Errno.EAFNOSUPPORT;
  }

  /** socreate for SOCK_STREAM: TCP with tcp_sendspace/tcp_recvspace buffers. */
  private createStream(domain: number, protocol: number): Socket | number {
    if (protocol !== IPPROTO_IP && protocol !== IPPROTO_TCP) return Errno.EPROTONOSUPPORT;
    const so = new Socket(this.nextId++, domain, SOCK_STREAM, IPPROTO_TCP, TCP_RECVSPACE, TCP_SENDSPACE);
    const e = streamAttach(this.s, so, TCP_SENDSPACE, TCP_RECVSPACE);
    if (e) return e;
    return this.add(so);
  }

  private add(so: Socket): Socket {
    this.list.push(so);
    return so;
  }

  byId(id: number): Socket | undefined {
    return this.list.find((so) => so.id === id);
  }

  /** bind(2) with a sockaddr (AF_INET or AF_INET6). */
  bindAddr(so: Socket, sa: SockAddr): number {
    if (so.stream) return this.s.tcp.bind(so, sa);
    if (so.domain === AF_INET6) return this.s.ip6 ? this.s.ip6.sock.bind(so, sa) : Errno.EAFNOSUPPORT;
    if (sa.family !== AF_INET) return Errno.EAFNOSUPPORT;
    return this.bind(so, sa.addr, sa.port);
  }

  /** connect(2) of a datagram or raw socket with a sockaddr (AF_INET6 ones go to stack/net/ip6/sock6.ts). */
  connectAddr(so: Socket, sa: SockAddr): number {
    if (so.stream) return soConnectStream(this.s, so, sa);
    if (so.domain === AF_INET6) return this.s.ip6 ? this.s.ip6.sock.connect(so, sa) : Errno.EAFNOSUPPORT;
    if (sa.family !== AF_INET) return Errno.EAFNOSUPPORT;
    return this.connect(so, sa.addr, sa.port);
  }

  bind(so: Socket, addr: Ipv4Addr, port: number): number {
    if (so.stream) return this.s.tcp.bind(so, sockaddrIn(addr, port));
    if (so.domain !== AF_INET) return Errno.EOPNOTSUPP;
    if (so.lport !== 0 || (so.type === SOCK_RAW && so.laddr !== 0)) return Errno.EINVAL;
    if (addr !== 0 && !this.s.ifs.ifaWithAddr(addr) && !this.s.ifs.isBroadcast(addr, undefined)) return Errno.EADDRNOTAVAIL;
    if (so.type === SOCK_DGRAM) {
      let p = port;
      if (p === 0) p = this.s.udp.ephemeral(addr);
      else if (!this.s.udp.canBind(so, addr, p)) return Errno.EADDRINUSE;
      so.lport = p;
    }
    so.laddr = addr;
    return 0;
  }

  connect(so: Socket, addr: Ipv4Addr, port: number): number {
    if (so.stream) return soConnectStream(this.s, so, sockaddrIn(addr, port));
    if (so.domain !== AF_INET) return Errno.EOPNOTSUPP;
    if (addr === 0) {
      // connect to INADDR_ANY/AF_UNSPEC: dissolve the association.
      so.faddr = 0;
      so.fport = 0;
      return 0;
    }
    if (so.type === SOCK_DGRAM) {
      if (port === 0) return Errno.EADDRNOTAVAIL;
      const choice = this.s.ip.route(addr);
      if (typeof choice === 'number') return choice;
      if (so.lport === 0) {
        const p = this.s.udp.ephemeral(so.laddr);
        if (p === 0) return Errno.EADDRINUSE;
        so.lport = p;
      }
    }
    so.faddr = addr;
    so.fport = port;
    return 0;
  }

  /** sosend for datagrams. Returns the byte count or -errno. */
  send(so: Socket, data: Uint8Array, toAddr: SockAddr | null, pktId: number): number {
    if (so.error) {
      const e = so.error;
      so.error = 0;
      return -e;
    }
    this.s.env.trace('socket', 'send', pktId, { so: so.id, len: data.length, ...(toAddr ? { to: sockaddrToString(toAddr) } : {}) });
    if (so.domain === AF_INET6 && this.s.ip6) return this.s.ip6.sock.send(so, data, toAddr, pktId);
    if (so.domain !== AF_INET) return -Errno.EOPNOTSUPP;
    if (toAddr && toAddr.family !== AF_INET) return -Errno.EAFNOSUPPORT;
    const to = toAddr ? { addr: toAddr.addr, port: toAddr.port } : null;
    if (so.type === SOCK_DGRAM) return this.s.udp.output(so, data, to, pktId);
    if (so.type === SOCK_RAW) return this.s.raw.output(so, data, to, pktId);
    return -Errno.EOPNOTSUPP;
  }

  /** soreceive of one record: the record, or an errno (EAGAIN when nothing is queued). */
  receive(so: Socket): SockRecord | number {
    const r = so.rcv.shift();
    if (r) return r;
    if (so.error) {
      const e = so.error;
      so.error = 0;
      return e;
    }
    return Errno.EAGAIN;
  }

  // ---- stream sockets (socket-stream.ts) ----

  /** solisten. */
  listen(so: Socket, backlog: number): number {
    return soListen(this.s, so, backlog);
  }
  /** soaccept: the child socket, or an errno (EAGAIN: none yet). */
  accept(so: Socket): Socket | number {
    return soAccept(so);
  }
  /** soconnect on a stream socket: 0 once the SYN is out (then wait for isConnected or so.error). */
  connectStream(so: Socket, to: SockAddr): number {
    return soConnectStream(this.s, so, to);
  }
  /** sosend's step: bytes taken into so_snd, or -errno (EPIPE, ENOTCONN, EAGAIN when full). */
  sendStream(so: Socket, data: Uint8Array, pktId: number): number {
    return soSendStream(this.s, so, data, pktId);
  }
  /** soreceive's step: bytes (empty at end of stream) or an errno. */
  receiveStream(so: Socket, n: number, peek: boolean): { data: Uint8Array; pktId: number } | number {
    return soReceiveStream(this.s, so, n, peek);
  }
  /** soshutdown. */
  shutdown(so: Socket, how: number): number {
    return soShutdown(this.s, so, how);
  }

  // ---- SocketUpcalls (what TCP calls) ----
  soisconnecting(so: Socket): void { soisconnecting(so); }
  soisconnected(so: Socket): void { soisconnected(this.s, so); }
  soisdisconnecting(so: Socket): void { soisdisconnecting(this.s, so); }
  soisdisconnected(so: Socket): void { soisdisconnected(this.s, so); }
  sonewconn(head: Socket): Socket | null {
    return sonewconn(this.s, head, () => this.nextId++, (so) => this.add(so));
  }
  sorwakeup(so: Socket): void { streamWakeup(this.s, so); }
  sowwakeup(so: Socket): void { streamWakeup(this.s, so); }
  socantrcvmore(so: Socket): void {
    so.cantRcvMore = true;
    streamWakeup(this.s, so);
  }
  socantsendmore(so: Socket): void {
    so.cantSendMore = true;
    streamWakeup(this.s, so);
  }
  sofree(so: Socket): void {
    sofree(this.s, so, (x) => this.remove(x));
  }

  private remove(so: Socket): void {
    this.s.ip6?.sock.sofree(so);
    const i = this.list.indexOf(so);
    if (i >= 0) this.list.splice(i, 1);
  }

  close(so: Socket): void {
    if (so.stream) {
      // The socket stays listed (netstat) until TCP lets go of it (sofree).
      so.closed = true;
      soCloseStream(this.s, so);
      return;
    }
    so.closed = true;
    this.s.inMcast.sofree(so);
    this.s.ip6?.sock.sofree(so);
    const i = this.list.indexOf(so);
    if (i >= 0) this.list.splice(i, 1);
  }

  /** setsockopt: `value` is the int, or struct linger for SO_LINGER. Returns an errno. */
  setsockopt(so: Socket, level: number, name: number, value: number | Linger): number {
    if (level === SOL_SOCKET && name === SO_LINGER) {
      if (typeof value !== 'object' || !(value.linger >= 0)) return Errno.EINVAL;
      so.linger = { onoff: value.onoff, linger: Math.floor(value.linger) };
      return 0;
    }
    // IP_MULTICAST_IF/TTL/LOOP, IP_ADD/DROP_MEMBERSHIP (an ip_mreq): in-mcast.ts.
    if (level === IPPROTO_IP && so.domain === AF_INET && InMcast.handles(name)) return this.s.inMcast.setopt(so, name, value);
    // IPV6_JOIN_GROUP/IPV6_LEAVE_GROUP (an ipv6_mreq): stack/net/ip6/sock6.ts.
    if (level === IPPROTO_IPV6 && so.domain === AF_INET6 && this.s.ip6 && Sock6.takesStruct(name)) return this.s.ip6.sock.setsockopt(so, name, value);
    if (typeof value !== 'number') return Errno.EINVAL;
    if (level === IPPROTO_TCP) return so.stream && so.pcb ? this.s.tcp.setopt(so, name, value) : so.stream ? Errno.EINVAL : ENOPROTOOPT;
    if (level === IPPROTO_IPV6) return so.domain === AF_INET6 && this.s.ip6 ? this.s.ip6.sock.setsockopt(so, name, value) : ENOPROTOOPT;
    if (level === SOL_SOCKET) {
      if (BOOL_OPTS.includes(name)) {
        so.options = value ? so.options | name : so.options & ~name;
        if (name === SO_KEEPALIVE && so.stream) this.s.tcp.keepaliveChanged(so);
        return 0;
      }
      switch (name) {
        case SO_RCVBUF:
        case SO_SNDBUF:
          if (value <= 0 || value > SB_MAX) return Errno.ENOBUFS;
          if (name === SO_RCVBUF) so.rcv.hiwat = value;
          else so.sndHiwat = value;
          if (so.stream) (name === SO_RCVBUF ? so.stream.rcv : so.stream.snd).hiwat = value;
          return 0;
        case SO_RCVTIMEO:
          if (value < 0) return Errno.EINVAL;
          so.rcvTimeo = value;
          return 0;
        case SO_SNDTIMEO:
          if (value < 0) return Errno.EINVAL;
          so.sndTimeo = value;
          return 0;
        default:
          return ENOPROTOOPT;
      }
    }
    if (level === IPPROTO_IP && so.domain === AF_INET) {
      switch (name) {
        case IP_HDRINCL:
          if (so.type !== SOCK_RAW) return Errno.EINVAL;
          so.hdrincl = value !== 0;
          return 0;
        case IP_TTL:
          if (value < 0 || value > 255) return Errno.EINVAL;
          so.ttl = value === 0 ? this.s.ip.defaultTtl : value;
          return 0;
        case IP_TOS:
          so.tos = value & 0xff;
          return 0;
        default:
          return ENOPROTOOPT;
      }
    }
    return ENOPROTOOPT;
  }

  /** getsockopt: the value, or -errno. */
  getsockopt(so: Socket, level: number, name: number): number {
    if (level === IPPROTO_TCP) return so.stream && so.pcb ? this.s.tcp.getopt(so, name) : -ENOPROTOOPT;
    if (level === IPPROTO_IPV6) return so.domain === AF_INET6 && this.s.ip6 ? this.s.ip6.sock.getsockopt(so, name) : -ENOPROTOOPT;
    if (level === SOL_SOCKET && name === SO_LINGER) return so.linger.onoff ? so.linger.linger : -1;
    // SO_ACCEPTCONN is read-only (set by listen()).
    if (level === SOL_SOCKET && name === SO_ACCEPTCONN) return so.acceptConn ? SO_ACCEPTCONN : 0;
    if (level === SOL_SOCKET) {
      if (BOOL_OPTS.includes(name)) return (so.options & name) !== 0 ? name : 0;
      switch (name) {
        case SO_RCVBUF: return so.rcv.hiwat;
        case SO_SNDBUF: return so.sndHiwat;
        case SO_RCVTIMEO: return so.rcvTimeo;
        case SO_SNDTIMEO: return so.sndTimeo;
        case SO_TYPE: return so.type;
        case SO_ERROR: {
          const e = so.error;
          so.error = 0;
          return e;
        }
        default: return -ENOPROTOOPT;
      }
    }
    if (level === IPPROTO_IP) {
      switch (name) {
        case IP_HDRINCL: return so.hdrincl ? 1 : 0;
        case IP_TTL: return so.ttl;
        case IP_TOS: return so.tos;
        default: return this.s.inMcast.getopt(so, name);
      }
    }
    return -ENOPROTOOPT;
  }

  /** sbappendaddr + sorwakeup. False (and counted as a drop) when so_rcvbuf has no room. */
  append(so: Socket, r: SockRecord): boolean {
    const env = this.s.env;
    env.charge(NetCost.socketEnqueue);
    if (so.cantRcvMore || !so.rcv.append(r)) {
      if (so.cantRcvMore) so.rcv.drops++;
      env.trace('socket', 'drop', r.pktId, { so: so.id, len: r.data.length, cc: so.rcv.cc, hiwat: so.rcv.hiwat, reason: so.cantRcvMore ? 'shut down for reading' : 'so_rcvbuf full' });
      return false;
    }
    env.trace('socket', 'enqueue', r.pktId, { so: so.id, len: r.data.length, cc: so.rcv.cc });
    this.wakeup(so);
    return true;
  }

  /**
   * raw_input for the routing domain (rt_ieee80211msg → route_output's listeners): a copy of the message bytes
   * to every AF_ROUTE socket. Returns how many sockets took it.
   */
  routeMessage(data: Uint8Array, pktId = 0): number {
    let n = 0;
    for (const so of this.list) {
      if (so.domain !== AF_ROUTE) continue;
      if (this.append(so, { data: data.slice(), from: { family: AF_INET, addr: 0, port: 0 }, pktId })) n++;
    }
    return n;
  }

  /** Wake readers parked on `so` once the CPU time of this pass has been spent. */
  wakeup(so: Socket): void {
    if (so.waiters.length === 0) return;
    this.s.env.charge(NetCost.socketWakeup);
    this.s.env.defer(() => {
      while (so.waiters.length > 0 && so.readable()) {
        const w = so.waiters[0]!;
        if (!w.wake(so)) break;
        so.waiters.shift();
      }
    });
  }
}

