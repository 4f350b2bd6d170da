/**
 * The socket layer (kern/uipc_socket.c, reduced to datagram sockets): creation by domain/type/protocol,
 * bind/connect, send through UDP or raw IP, receive of whole records, options, and waking readers that
 * the resource manager parked on a socket.
 */
import { Errno } from '../kernel/api';
import { NetCost } from './costs';
import { ENOPROTOOPT } from '../include/errno';
import { IPPROTO_IP, IPPROTO_RAW, IPPROTO_UDP, IP_HDRINCL, IP_TOS, IP_TTL, sockaddrToString, type SockAddr } from '../include/netinet/in';
import {
  AF_INET, AF_ROUTE, SOCK_DGRAM, SOCK_RAW, SOCK_STREAM, SOL_SOCKET, SO_BROADCAST, SO_DEBUG, SO_DONTROUTE, SO_ERROR,
  SO_RCVBUF, SO_RCVTIMEO, SO_REUSEADDR, SO_REUSEPORT, SO_SNDBUF, SO_SNDTIMEO, SO_TYPE,
} from '../include/sys/socket';
import { RIP_RECVSPACE, RIP_SENDSPACE, SB_MAX, Socket, UDP_RECVSPACE, UDP_SENDSPACE, type SockRecord } from './socket';
import type { NetStack } from './stack';
import { ipToString, type Ipv4Addr } from './wire/addr';

const BOOL_OPTS = [SO_DEBUG, SO_REUSEADDR, SO_DONTROUTE, SO_BROADCAST, SO_REUSEPORT];

export class Sockets {
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
      if (type === SOCK_STREAM) return Errno.EPROTONOSUPPORT; // no TCP in this stack yet
      return Errno.EPROTONOSUPPORT;
    }
    if (domain === AF_ROUTE) {
      if (type !== SOCK_RAW) return Errno.EPROTONOSUPPORT;
      return this.add(new Socket(this.nextId++, domain, type, protocol, 8192, 8192));
    }
    return Errno.EAFNOSUPPORT;
  }

  private add(so: Socket): Socket {
    this.list.push(so);
    return so;
  }

  byId(id: number): Socket | undefined {
    return this.list.find((so) => so.id === id);
  }

  bind(so: Socket, addr: Ipv4Addr, port: number): number {
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

  close(so: Socket): void {
    so.closed = true;
    const i = this.list.indexOf(so);
    if (i >= 0) this.list.splice(i, 1);
  }

  setsockopt(so: Socket, level: number, name: number, value: number): number {
    if (level === SOL_SOCKET) {
      if (BOOL_OPTS.includes(name)) {
        so.options = value ? so.options | name : so.options & ~name;
        return 0;
      }
      switch (name) {
        case SO_RCVBUF:
        case SO_SNDBUF:
          if (value <= 0 || value > SB_MAX) return Errno.ENOBUFS;
          if (name === SO_RCVBUF) so.rcv.hiwat = value;
          else so.sndHiwat = value;
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

