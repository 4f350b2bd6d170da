/**
 * The TCP/IP stack of one io-pkt instance: interfaces, routes, ARP, IPv4, ICMP, UDP, raw IP, sockets and
 * callouts, tied together. All methods run synchronously in the stack context; the host process supplies
 * a NetEnv (time, CPU charging, tracing, deferred wakeups, driver kicks).
 */
import { IFF_LOOPBACK, IFF_RUNNING, IFF_UP, type Ifnet } from './if';
import type { Mbuf } from './mbuf';
import { Errno } from '../kernel/api';
import { Arp } from './arp';
import { Bpf } from './bpf';
import { PfilHead } from './pfil';
import { Callouts } from './callout';
import type { NetEnv } from './env';
import { Ether } from './ether';
import { Icmp } from './icmp';
import { Igmp } from './igmp';
import { InMcast } from './in-mcast';
import { INADDR_ALLHOSTS_GROUP } from './wire/igmp';
import { IfTable, type IfType, type InIfaddr } from './ifnet';
import { Ip } from './ip';
import { IpFlow } from './ip-flow';
import { createLoopback } from './loopback';
import { Raw } from './raw';
import { RouteTable } from './route';
import { Sockets } from './sockets';
import { Tcp } from './tcp/tcp';
import { Ip6 } from './ip6/ip6';
import { IPPROTO_TCP } from '../include/netinet/in';
import { newNetStats } from './stats';
import { Udp } from './udp';
import { INADDR_LOOPBACK, type Ipv4Addr } from './wire/addr';

export interface StackOptions {
  /** tcpip `forward`: IPv4 forwarding. */
  forward?: boolean;
  /** tcpip `fastforward=0|1`: the ipflow fast path (default on; it acts only while forwarding is on). */
  fastforward?: boolean;
  /** tcpip `enmap=0` turns enN mapping off. */
  enmap?: boolean;
  /** IPv6 (io-pkt-v6-hc): the stack has an Ip6. */
  inet6?: boolean;
}

/**
 * A layer-2 path that io-pkt runs in the thread that received a frame, without the stack context (bridge_input,
 * ipflow_fastforward). `input` returns true when it consumed the frame (forwarded, flooded or dropped it);
 * false sends it on to pkt_rx_q and the stack context. It runs synchronously; what it queues on an interface's
 * if_snd is started by that same thread (NetEnv.kick goes to the running thread).
 */
export interface FastPath {
  input(ifp: Ifnet, m: Mbuf): boolean;
}

/** if_bridge (stack/net/bridge): the fast path plus what the rest of the stack calls on a member interface. */
export interface BridgePath extends FastPath {
  /** bridge_output: a frame the stack sends out `ifp`; null when ifp is not a bridge member (send it as usual). */
  output(ifp: Ifnet, m: Mbuf): number | null;
  /** bridge_ifdetach: a member interface is being detached. */
  ifDetach(ifp: Ifnet): void;
}

export class NetStack {
  readonly ifs = new IfTable();
  readonly routes: RouteTable;
  readonly stats = newNetStats();
  readonly callouts = new Callouts<() => void>();
  readonly ether: Ether;
  readonly arp: Arp;
  readonly ip: Ip;
  readonly icmp: Icmp;
  /** IPv4 multicast memberships and socket options (in-mcast.ts), and IGMPv2 (igmp.ts). */
  readonly inMcast: InMcast;
  readonly igmp: Igmp;
  readonly udp: Udp;
  /** TCP (stack/net/tcp): control blocks, timers, tcpstat. */
  readonly tcp: Tcp;
  /** IPv6 (stack/net/ip6); null in io-pkt-v4 and io-pkt-v4-hc. */
  readonly ip6: Ip6 | null;
  readonly raw: Raw;
  readonly sockets: Sockets;
  /** /dev/bpf descriptors and the taps (bpf.ts). */
  readonly bpf: Bpf;
  /** Packet filter hooks (pfil.ts): lsm-pf hooks pf_test into `inet`. */
  readonly pfil = { inet: new PfilHead() };
  /** if_bridge (stack/net/bridge; hc variants only): tried first on a frame from a bridge member. */
  bridge: BridgePath | null = null;
  /** ipflow (ip-flow.ts): the fast-forward cache, tried on IPv4 frames addressed to us at layer 2. */
  ipflow: IpFlow;
  readonly lo0: Ifnet;
  /** Packets looped back (ipintrq), processed by drainLoopback() within the same stack pass. */
  private readonly loopq: { ifp: Ifnet; m: Mbuf }[] = [];

  constructor(readonly env: NetEnv, opts: StackOptions = {}) {
    this.routes = new RouteTable(this.ifs);
    this.ether = new Ether(this);
    this.arp = new Arp(this);
    this.ip = new Ip(this);
    this.icmp = new Icmp(this);
    this.inMcast = new InMcast(this);
    this.igmp = new Igmp(this);
    this.udp = new Udp(this);
    this.tcp = new Tcp(this);
    this.raw = new Raw(this);
    this.sockets = new Sockets(this);
    this.bpf = new Bpf(this);
    this.ip.forwarding = opts.forward ?? false;
    this.ipflow = new IpFlow(this, { fastforward: opts.fastforward ?? true });
    this.ifs.enmap = opts.enmap ?? true;
    this.lo0 = createLoopback(0);
    this.ifs.attach(this.lo0, 'loop');
    this.addAddress(this.lo0, INADDR_LOOPBACK, 0xff000000);
    this.ip6 = opts.inet6 ? new Ip6(this) : null;
    this.ip6?.ifUp(this.lo0);
    this.ip6?.protosw.set(IPPROTO_TCP, (ifp, m, src, dst, seg) => this.tcp.input6(ifp, m, src, dst, seg));
    // tcp6_ctlinput: ICMPv6 errors about our segments (Packet Too Big → PMTU, unreachables → soft errors).
    this.ip6?.icmp6.ctlsw.set(IPPROTO_TCP, (info) => this.tcp.ctlinput6(info));
  }

  /**
   * io-pkt's multi-threaded layer 2, in the receiving thread without the stack context: the bridge, then ipflow.
   * true = consumed; false = queue the frame for the stack context (`input`).
   */
  fastInput(ifp: Ifnet, m: Mbuf): boolean {
    if (!this.ifs.has(ifp)) return false;
    if (this.bridge?.input(ifp, m)) return true;
    if (this.ipflow.input(ifp, m)) return true;
    return false;
  }

  /** An IP packet without a link header (lo0, looped copies): IPv4 or IPv6 by its version nibble. */
  private inetInput(ifp: Ifnet, m: Mbuf): void {
    if (m.data.length > 0 && m.data[0]! >> 4 === 6) {
      if (this.ip6) this.ip6.input(ifp, m, m.data);
      else this.env.trace('ifnet', 'drop', m.pktId, { if: ifp.name, reason: 'IPv6 packet and no IPv6 in this stack' });
    } else this.ip.input(ifp, m, m.data);
  }

  /** A frame (Ethernet) or packet (lo0) received on `ifp`; runs in the stack context. */
  input(ifp: Ifnet, m: Mbuf): void {
    if (!this.ifs.has(ifp)) {
      this.env.trace('ifnet', 'drop', m.pktId, { if: ifp.name, reason: 'interface detached' });
      return;
    }
    m.rcvif = ifp;
    if ((ifp.flags & IFF_LOOPBACK) !== 0) this.inetInput(ifp, m);
    else this.ether.input(ifp, m);
  }

  /** looutput: queue an IP packet to come back in on `ifp` (lo0). */
  loopOutput(ifp: Ifnet, m: Mbuf): number {
    if ((ifp.flags & IFF_UP) === 0) return Errno.ENETDOWN;
    ifp.data.opackets++;
    ifp.data.obytes += m.data.length;
    this.env.trace('ifnet', 'output', m.pktId, { if: ifp.name, len: m.data.length });
    this.loopq.push({ ifp, m: { data: m.data.slice(), pktId: m.pktId } });
    return 0;
  }

  /** A packet an interface hears from itself (simplex broadcast copy), queued like loopback. */
  loopInput(ifp: Ifnet, m: Mbuf): void {
    this.loopq.push({ ifp, m });
  }

  /** Process looped-back packets. Returns true if there were any. */
  drainLoopback(): boolean {
    if (this.loopq.length === 0) return false;
    while (this.loopq.length > 0) {
      const { ifp, m } = this.loopq.shift()!;
      if ((ifp.flags & IFF_LOOPBACK) !== 0) {
        ifp.data.ipackets++;
        ifp.data.ibytes += m.data.length;
      }
      m.rcvif = ifp;
      this.env.trace('ifnet', 'input', m.pktId, { if: ifp.name, len: m.data.length });
      this.inetInput(ifp, m);
    }
    return true;
  }

  /** Run due callouts (hardclock → softclock). */
  runTimers(): void {
    const now = this.env.now();
    for (;;) {
      const c = this.callouts.popDue(now);
      if (!c) break;
      c.fn();
    }
  }

  schedule(delayNs: number, name: string, fn: () => void) {
    const c = this.callouts.add(this.env.now() + delayNs, name, fn);
    this.env.timersChanged();
    return c;
  }

  attachInterface(ifp: Ifnet, type: IfType = 'ether'): void {
    this.ifs.attach(ifp, type);
  }

  /** if_detach: addresses, routes, ARP entries and the interface go. */
  detachInterface(ifp: Ifnet): void {
    if (!this.ifs.has(ifp)) return;
    this.bridge?.ifDetach(ifp);
    this.routes.removeIfp(ifp);
    this.arp.flushIfp(ifp);
    this.ip6?.detach(ifp);
    this.inMcast.ifDetach(ifp);
    this.ifs.detach(ifp);
  }

  /**
   * SIOCAIFADDR (in_control + in_ifinit): add or change an address and its connected route. Returns the
   * address; the caller brings a down interface up (if_init) and then calls addressUp() for the
   * gratuitous ARP.
   */
  addAddress(ifp: Ifnet, addr: Ipv4Addr, mask?: Ipv4Addr, broadcast?: Ipv4Addr): InIfaddr {
    const old = this.ifs.st(ifp).addrs.find((a) => a.addr === addr);
    if (old) this.routes.removeInterfaceRoutes(old);
    const ia = this.ifs.addAddr(ifp, addr, mask, broadcast);
    this.routes.addInterfaceRoute(ia, (ifp.flags & IFF_LOOPBACK) !== 0);
    this.inMcast.addressAdded(ifp, addr, INADDR_ALLHOSTS_GROUP);
    return ia;
  }

  /** After an address was set and the interface is running: announce it (arp_ifinit). */
  addressUp(ifp: Ifnet, ia: InIfaddr): void {
    if ((ifp.flags & IFF_LOOPBACK) !== 0) return;
    if ((ifp.flags & (IFF_UP | IFF_RUNNING)) === (IFF_UP | IFF_RUNNING)) this.arp.gratuitous(ifp, ia.addr);
  }

  /** SIOCDIFADDR. Returns 0 or EADDRNOTAVAIL. */
  deleteAddress(ifp: Ifnet, addr?: Ipv4Addr): number {
    const ia = this.ifs.delAddr(ifp, addr);
    if (!ia) return Errno.EADDRNOTAVAIL;
    this.routes.removeInterfaceRoutes(ia);
    this.inMcast.addressDeleted(ifp, ia.addr);
    return 0;
  }
}
