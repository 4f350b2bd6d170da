/**
 * Raw IPv6 sockets (netinet6/raw_ip6.c, RFC 3542): every packet of a protocol goes, without its IPv6 header,
 * to each matching socket (bound address, connected peer); ICMPv6 sockets get every ICMPv6 message (ping6
 * picks its echo replies). On output the kernel builds the IPv6 header and, for ICMPv6 (and IPV6_CHECKSUM),
 * fills the checksum over the pseudo header. The hop limit a packet arrived with is kept on the record
 * (IPV6_RECVHOPLIMIT's value) for the reader.
 */
import type { Ifnet } from '../if';
import type { Mbuf } from '../mbuf';
import { Errno } from '../../kernel/api';
import { NetCost, bytesCost } from '../costs';
import { sockaddrIn6, type SockAddrIn6 } from '../../include/netinet/in';
import { AF_INET6, SOCK_RAW } from '../../include/sys/socket';
import type { Socket, SockRecord } from '../socket';
import type { NetStack } from '../stack';
import { ipv6Equals, ipv6IsMulticast, ipv6IsUnspecified, ipv6NeedsScope, ipv6ToString, type Ipv6Addr } from '../wire/addr6';
import { foldComplement, onesSum } from '../wire/checksum';
import { IPV6_MAXPACKET, pseudoHeaderSum6 } from '../wire/ipv6';
import { Ip6, type Ip6InputInfo } from './ip6';

/** A record of a raw IPv6 socket: the datagram plus the hop limit it arrived with. */
export interface Raw6Record extends SockRecord {
  hlim: number;
}

export class Raw6 {
  /** Raw sockets that called connect() (their faddr6 filters input). */
  readonly connected = new WeakSet<Socket>();

  constructor(private readonly s: NetStack, private readonly ip6: Ip6) {}

  private pcbs(): Socket[] {
    return this.s.sockets.list.filter((so) => so.type === SOCK_RAW && so.domain === AF_INET6 && !so.closed);
  }

  /** rip6_input: copies to matching sockets; returns how many took one. */
  input(ifp: Ifnet, m: Mbuf, src: Ipv6Addr, dst: Ipv6Addr, nxt: number, payload: Uint8Array, info: Ip6InputInfo): number {
    const env = this.s.env;
    let n = 0;
    const from = sockaddrIn6(src, 0, ipv6NeedsScope(src) ? this.ip6.indexOf(ifp) : 0);
    for (const so of this.pcbs()) {
      if (so.protocol !== nxt) continue;
      if (!ipv6IsUnspecified(so.laddr6) && !ipv6Equals(so.laddr6, dst)) continue;
      if (this.connected.has(so) && !ipv6Equals(so.faddr6, src)) continue;
      env.charge(NetCost.rawDeliver + bytesCost(payload.length, NetCost.copyPerByte));
      const rec: Raw6Record = { data: payload.slice(), from, pktId: m.pktId, hlim: info.hlim };
      this.s.sockets.append(so, rec);
      n++;
    }
    return n;
  }

  /** rip6_output: bytes sent or -errno. */
  output(so: Socket, data: Uint8Array, to: SockAddrIn6 | null, pktId: number): number {
    const env = this.s.env;
    let dst: Ipv6Addr;
    let scopeId: number;
    const o = this.ip6.sockopts(so);
    if (to) {
      dst = to.addr;
      scopeId = ipv6NeedsScope(to.addr) ? to.scopeId : 0;
    } else {
      if (!this.connected.has(so)) return -Errno.EDESTADDRREQ;
      dst = so.faddr6;
      scopeId = o.fscope;
    }
    if (data.length > IPV6_MAXPACKET || data.length > so.sndHiwat) return -Errno.EMSGSIZE;
    const mcast = ipv6IsMulticast(dst);
    const mif = mcast && o.mif ? this.ip6.byIndex(o.mif) : undefined;
    const choice = this.ip6.selectSource(dst, scopeId, mif);
    if (typeof choice === 'number') return -choice;
    const src = ipv6IsUnspecified(so.laddr6) ? choice.src : so.laddr6;
    const frame = Ip6.alloc(data.length);
    const body = frame.subarray(Ip6.PAYLOAD_OFF);
    body.set(data);
    env.charge(bytesCost(data.length, NetCost.copyPerByte));
    if (o.cksum >= 0) {
      if (o.cksum + 2 > body.length) return -Errno.EINVAL;
      body[o.cksum] = 0;
      body[o.cksum + 1] = 0;
      const c = foldComplement(onesSum(body, 0, body.length, pseudoHeaderSum6(src, dst, so.protocol, body.length)));
      body[o.cksum] = c >> 8;
      body[o.cksum + 1] = c & 0xff;
      env.charge(bytesCost(body.length, NetCost.checksumPerByte));
    }
    if (so.protocol === 58) this.ip6.icmp6.countOut(body[0] ?? 0);
    this.ip6.stats.ip6.rawout++;
    env.trace('ip6', 'raw-output', pktId, { dst: ipv6ToString(dst), nxt: so.protocol, len: data.length });
    const err = this.ip6.output(frame, { src, dst, nxt: so.protocol, hlim: mcast ? o.mhlim : o.hlim, scopeId }, pktId,
      { ...(mif ? { ifp: mif } : {}), mloop: o.mloop });
    return err ? -err : data.length;
  }
}

