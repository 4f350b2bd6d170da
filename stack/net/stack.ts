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
import { Callouts } from './callout';
import type { NetEnv } from './env';
import { Ether } from './ether';
import { Icmp } from './icmp';
import { IfTable, type IfType, type InIfaddr } from './ifnet';
import { Ip } from './ip';
import { createLoopback } from './loopback';
import { Raw } from './raw';
import { RouteTable } from './route';
import { Sockets } from './sockets';
import { newNetStats } from './stats';
import { Udp } from './udp';
import { INADDR_LOOPBACK, type Ipv4Addr } from './wire/addr';

export interface StackOptions {
  /** tcpip `forward`: IPv4 forwarding. */
  forward?: boolean;
  /** tcpip `enmap=0` turns enN mapping off. */
  enmap?: boolean;
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
  readonly udp: Udp;
  readonly raw: Raw;
  readonly sockets: Sockets;
  /** /dev/bpf descriptors and the taps (bpf.ts). */
  readonly bpf: Bpf;
  readonly lo0: Ifnet;
  /** Packets looped back (ipintrq), processed by drainLoopback() within the same stack pass. */
  private readonly loopq: { ifp: Ifnet; m: Mbuf }[] = [];

  constructor(readonly env: NetEnv, opts: StackOptions = {}) {
    this.routes = new RouteTable(this.ifs);
    this.ether = new Ether(this);
    this.arp = new Arp(this);
    this.ip = new Ip(this);
    this.icmp = new Icmp(this);
    this.udp = new Udp(this);
    this.raw = new Raw(this);
    this.sockets = new Sockets(this);
    this.bpf = new Bpf(this);
    this.ip.forwarding = opts.forward ?? false;
    this.ifs.enmap = opts.enmap ?? true;
    this.lo0 = createLoopback(0);
    this.ifs.attach(this.lo0, 'loop');
    this.addAddress(this.lo0, INADDR_LOOPBACK, 0xff000000);
  }

  /** A frame (Ethernet) or packet (lo0) received on `ifp`; runs in the stack context. */
  input(ifp: Ifnet, m: Mbuf): void {
    if (!this.ifs.has(ifp)) {
      this.env.trace('ifnet', 'drop', m.pktId, { if: ifp.name, reason: 'interface detached' });
      return;
    }
    m.rcvif = ifp;
    if ((ifp.flags & IFF_LOOPBACK) !== 0) this.ip.input(ifp, m, m.data);
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
      this.ip.input(ifp, m, m.data);
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
    this.routes.removeIfp(ifp);
    this.arp.flushIfp(ifp);
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
    return 0;
  }
}
