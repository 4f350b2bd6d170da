/**
 * ipflow, IPv4 fast forwarding (QNX io-pkt's lib/io-pkt/sys/netinet/ip_flow.c, from NetBSD 4's netinet/ip_flow.c):
 * a cache of (dst, src, tos) → route that lets the thread which received a frame forward it straight from
 * ether_input, without ip_input, ip_forward or the stack context. The tables and their per-thread queues are in
 * ip-flow-table.ts.
 *
 * - `input` is ether_input's IPv4 branch followed by ipflow_fastforward, as io-pkt runs it in the receiving thread
 *   (FastPath, called by NetStack.fastInput). It declines (false: the frame goes to the stack context) unless every
 *   check passes, in ipflow_fastforward's order: forwarding and `fastforward` on, some flow exists, not a link
 *   broadcast/multicast, version 4 with a 20-byte header and a sane length, a flow for (dst, src, tos) in this
 *   thread's hash, a good header checksum (the hardware's verdict when it gave one), the route still valid and its
 *   interface up, the next hop's ARP entry resolved (QNX: no arpresolve outside the stack), the packet within the
 *   interface MTU and TTL > 1 (TTL 1 takes the slow path to get its time exceeded).
 * - `create` is ipflow_create, called by ip_forward (stack context) after a successful forward that sent no
 *   redirect: not for ICMP, not while a pfil hook runs (pf clears M_CANFASTFWD), only for an Ethernet next hop
 *   whose ARP entry is resolved.
 * - ipflow_slowtimo every 500 ms while flows exist: flows unused for IPFLOW_TIMER (5 s) go; the others' uses are
 *   folded into ipstat (ips_total, ips_forward, ips_fastforward) and the route's use count. So `netstat -s` counts
 *   fast-forwarded packets up to half a second late, as on QNX.
 * - ip_maxflows (256) bounds the flows: ipflow_create reaps one (ipflow_reap) at the limit; net.inet.ip.maxflows
 *   reaps down to the new limit (QNX reaps on every lookup of that node, read or write).
 */
import { IFF_PROMISC, IFF_UP, type Ifnet } from './if';
import type { Mbuf } from './mbuf';
import { Errno } from '../kernel/api';
import type { Callout } from './callout';
import { ipRxVerdict } from './csum-offload';
import { NetCost, bytesCost } from './costs';
import type { RouteChoice } from './ip';
import { FlowTables, IPFLOW_MAX, ipflowHash, type FlowThread, type Ipflow } from './ip-flow-table';
import { RTF } from './route';
import type { FastPath, NetStack } from './stack';
import { PR_SLOWHZ, SLOW_TICK_NS } from './tcp/tcpcb';
import { ipToString, macEquals, macIsGroup, type Ipv4Addr } from './wire/addr';
import { ETHER_HDR_LEN, EtherType, EthernetFrame } from './wire/ethernet';
import { IP_HDR_LEN, IpProto, Ipv4Packet } from './wire/ipv4';

/** IPFLOW_TIMER: 5 s of slow ticks. */
export const IPFLOW_TIMER = 5 * PR_SLOWHZ;
/** IPTTLDEC: what forwarding takes off the TTL. */
const IPTTLDEC = 1;

/** The thread of a harness without io-pkt's threads (NetEnv.thread absent): one thread holding the stack. */
const IMPLICIT_THREAD = { tid: 0, name: 'stack', stack: true } as const;

/** The TTL decrement's checksum update as ip_flow.c does it (RFC 1141): add 0x0100 with end-around carry. */
export function ttlDecrementChecksum(sum: number): number {
  const dec = IPTTLDEC << 8;
  const notDec = ~dec & 0xffff;
  return sum >= notDec ? sum - notDec : sum + dec;
}

export class IpFlow implements FastPath {
  /** sctlp->fastforward: the tcpip option `fastforward` (default 1; `forward` leaves it on). */
  fastforward: boolean;
  /** ip_maxflows (net.inet.ip.maxflows). */
  maxflows = IPFLOW_MAX;
  readonly tables = new FlowTables();
  private slow: Callout<() => void> | null = null;

  constructor(private readonly s: NetStack, opts: { fastforward?: boolean } = {}) {
    this.fastforward = opts.fastforward ?? true;
  }

  /** ipflow_inuse. */
  get inuse(): number {
    return this.tables.list.length;
  }

  /** The running thread (NetEnv.thread) and its flow tables. */
  private self(): { t: FlowThread; name: string; stk: boolean } {
    const th = this.s.env.thread?.() ?? IMPLICIT_THREAD;
    return { t: this.tables.thread(th.tid, th.name), name: th.name, stk: th.stack };
  }

  private slowNow(): number {
    return Math.floor(this.s.env.now() / SLOW_TICK_NS);
  }

  /**
   * ether_input up to its IPv4 branch, then ipflow_fastforward, on the receiving thread. true = forwarded (or
   * dropped by the output); false = the stack context gets the frame (and does ether_input's counting itself).
   */
  input(ifp: Ifnet, m: Mbuf): boolean {
    const s = this.s;
    if (!s.ifs.has(ifp) || s.ifs.st(ifp).type !== 'ether' || (ifp.flags & IFF_UP) === 0) return false;
    const f = new EthernetFrame(m.data);
    if (f.checkLen() !== null || f.ethertype !== EtherType.IPv4) return false;
    const group = macIsGroup(f.dst);
    // ether_input drops a unicast frame for another station heard in promiscuous mode (the stack path traces it).
    if (!group && (ifp.flags & IFF_PROMISC) !== 0 && !macEquals(f.dst, ifp.lladdr)) return false;
    return this.fastforward1(ifp, m, group);
  }

  /** ipflow_fastforward. */
  private fastforward1(ifp: Ifnet, m: Mbuf, linkGroup: boolean): boolean {
    const s = this.s;
    const env = s.env;
    const me = this.self();
    // First take in (or let go of) what ipflow_create / ipflow_start_rem queued for this thread.
    if (me.t.changing > 0) env.charge(NetCost.ipflowQueue * this.tables.drain(me.t));
    if (!this.fastforward) return false;
    const pkt = m.data.subarray(ETHER_HDR_LEN);
    if (!s.ip.forwarding || this.inuse === 0 || pkt.length < IP_HDR_LEN) return false;
    if (linkGroup) return false;
    // pf must see forwarded packets in and out. QNX's pf wrapper only clears M_CANFASTFWD, so no flow is made while
    // pf is loaded, but a flow made before would still bypass it; we decline whenever a hook is active instead
    // (later NetBSD's ip_flow.c does not bypass pfil either: ipflow_fastforward runs the hooks or is skipped).
    if (s.pfil.inet.active) return false;
    const p = new Ipv4Packet(pkt);
    const iplen = p.totalLen;
    if (p.version !== 4 || p.headerLen !== IP_HDR_LEN || iplen < IP_HDR_LEN || iplen > pkt.length) return false;
    env.charge(NetCost.ipflowLookup);
    const ipf = me.t.table.lookup(p.dst, p.src, p.tos, true);
    if (!ipf) return false;
    // The header checksum: the hardware's verdict (M_CSUM_IPv4, _BAD), else in_cksum over the 20 bytes.
    const hw = ipRxVerdict(ifp, m);
    if (hw === null) env.charge(bytesCost(IP_HDR_LEN, NetCost.checksumPerByte));
    if (hw === false || (hw === null && !p.verifyChecksum())) return false;
    // Route and interface still up? (rtcache_validate: the table has not changed since the flow was made.)
    const rt = ipf.rt;
    const out = rt.ifp;
    if (ipf.gen !== s.routes.generation || (out.flags & IFF_UP) === 0 || (rt.flags & (RTF.REJECT | RTF.BLACKHOLE)) !== 0) return false;
    const nexthop = (rt.flags & RTF.GATEWAY) !== 0 ? rt.gateway : ipf.dst;
    if (!this.resolved(out, nexthop)) return false;
    if (pkt.length > out.mtu || p.ttl <= IPTTLDEC) return false;

    // Everything checks out: ether_input's share of this frame, then forward it.
    env.charge(NetCost.etherInput + NetCost.ipflowForward);
    s.bpf.tap(ifp, m.data, false, m.pktId);
    ifp.data.ibytes += m.data.length;
    p.ttl = p.ttl - IPTTLDEC;
    p.checksum = ttlDecrementChecksum(p.checksum);
    ipf.uses++;
    ipf.timer = this.slowNow() + IPFLOW_TIMER;
    env.trace('ip', 'fastforward', m.pktId, { dst: ipToString(ipf.dst), via: out.name, ttl: p.ttl, thread: me.name, stk: me.stk });
    // Trimmed to ip_len (link padding goes), inbound checksum flags cleared, out through ether_output.
    const err = s.ether.outputIp(out, { data: m.data.subarray(0, ETHER_HDR_LEN + iplen), pktId: m.pktId, rcvif: ifp }, nexthop, false);
    if (err === Errno.ENOBUFS) ipf.dropped++;
    else if (err !== 0) ipf.errors++;
    return true;
  }

  /** arp_isresolved for the next hop on `ifp`: a complete entry, so ether_output will not call arpresolve's slow part. */
  private resolved(ifp: Ifnet, nexthop: Ipv4Addr): boolean {
    const e = this.s.arp.lookup(nexthop);
    if (!e || e.ifp !== ifp) return false;
    const st = this.s.arp.state(e);
    return st === 'resolved' || st === 'permanent';
  }

  /**
   * ipflow_create, from ip_forward in the stack context after the datagram `pkt` (its header as received) went out
   * by `choice` without a redirect.
   */
  create(choice: RouteChoice, pkt: Uint8Array): void {
    const s = this.s;
    const env = s.env;
    const me = this.self();
    if (!this.fastforward) return;
    const p = new Ipv4Packet(pkt);
    if (this.maxflows === 0 || p.protocol === IpProto.ICMP) return;
    // M_CANFASTFWD: pf's pfil wrapper clears it on every packet it passes in.
    if (s.pfil.inet.active) return;
    const rt = choice.rt;
    if (!rt || choice.bcast || (rt.flags & (RTF.REJECT | RTF.BLACKHOLE)) !== 0) return;
    // Only an Ethernet next hop whose link address is known: the fast path must not resolve anything.
    if (!s.ifs.has(rt.ifp) || s.ifs.st(rt.ifp).type !== 'ether') return;
    const nexthop = (rt.flags & RTF.GATEWAY) !== 0 ? rt.gateway : p.dst;
    if (!this.resolved(rt.ifp, nexthop)) return;
    env.charge(NetCost.ipflowCreate);
    const old = this.tables.table.lookup(p.dst, p.src, p.tos);
    if (old) this.startRem(old, me.t, 'replaced');
    else if (this.inuse >= this.maxflows) this.reap(true);
    const ipf: Ipflow = {
      dst: p.dst, src: p.src, tos: p.tos, hash: ipflowHash(p.dst, p.src, p.tos), rt, gen: s.routes.generation,
      timer: this.slowNow() + IPFLOW_TIMER, uses: 0, lastUses: 0, dropped: 0, errors: 0, start: Math.floor(env.now() / 1e9),
    };
    env.charge(NetCost.ipflowQueue * this.tables.insert(ipf, me.t));
    env.trace('ip', 'flowcreate', 0, { dst: ipToString(ipf.dst), src: ipToString(ipf.src), tos: ipf.tos, via: rt.ifp.name, thread: me.name, n: this.inuse });
    this.arm();
  }

  /** ipflow_addstats: what a flow counted goes into ipstat and the route. */
  private addstats(ipf: Ipflow): void {
    const st = this.s.stats.ip;
    ipf.rt.use += ipf.uses;
    st.cantforward += ipf.errors + ipf.dropped;
    st.total += ipf.uses;
    st.forward += ipf.uses;
    st.fastforward += ipf.uses;
  }

  /** ipflow_start_rem + ipflow_addstats (stack context). */
  private startRem(ipf: Ipflow, self: FlowThread, why: string): void {
    this.addstats(ipf);
    this.s.env.charge(NetCost.ipflowQueue * this.tables.startRem(ipf, self));
    this.s.env.trace('ip', 'flowfree', 0, { dst: ipToString(ipf.dst), src: ipToString(ipf.src), tos: ipf.tos, why, uses: ipf.uses, n: this.inuse });
  }

  /** RTF_UP on the flow's route: still in the table (a deleted route is no longer up). */
  private routeUp(ipf: Ipflow): boolean {
    return this.s.routes.routes.includes(ipf.rt);
  }

  /**
   * ipflow_reap: one flow (`justOne`, from ipflow_create at the limit) or down to ip_maxflows. The first flow whose
   * route is gone, else the least recently used (smallest timer), ties going to fewer uses over the last 1.5
   * intervals; QNX walks from the newest flow and keeps the first of equals, so among equals the newest goes.
   */
  reap(justOne: boolean): void {
    const me = this.self();
    while ((justOne || this.inuse > this.maxflows) && this.inuse > 0) {
      let victim: Ipflow | null = null;
      let why = 'reaped';
      for (const ipf of this.tables.list) {
        if (!this.routeUp(ipf)) {
          victim = ipf;
          why = 'route gone';
          break;
        }
        if (!victim || ipf.timer < victim.timer || (ipf.timer === victim.timer && ipf.lastUses + ipf.uses < victim.lastUses + victim.uses)) victim = ipf;
      }
      this.startRem(victim!, me.t, why);
      if (justOne) return;
    }
  }

  /** Keep ipflow_slowtimo running while flows exist (pfslowtimo_kick): on the next 500 ms boundary. */
  private arm(): void {
    if (this.slow?.active || this.inuse === 0) return;
    const now = this.s.env.now();
    const next = (Math.floor(now / SLOW_TICK_NS) + 1) * SLOW_TICK_NS;
    this.slow = this.s.schedule(next - now, 'ipflow_slowtimo', () => this.slowtimo());
  }

  /** ipflow_slowtimo: expire idle flows; fold the others' uses into ipstat. */
  private slowtimo(): void {
    this.slow = null;
    const now = this.slowNow();
    const me = this.self();
    const st = this.s.stats.ip;
    this.s.env.charge(NetCost.ipflowSlowtimo * this.inuse);
    for (const ipf of [...this.tables.list]) {
      if (ipf.timer <= now) {
        this.startRem(ipf, me.t, 'expired');
        continue;
      }
      ipf.lastUses = ipf.uses;
      ipf.rt.use += ipf.uses;
      st.total += ipf.uses;
      st.forward += ipf.uses;
      st.fastforward += ipf.uses;
      ipf.uses = 0;
    }
    this.arm();
  }

  /** ipflow_invalidate_all: every flow goes (its counts into ipstat). */
  invalidateAll(): void {
    const me = this.self();
    for (const ipf of [...this.tables.list]) this.startRem(ipf, me.t, 'invalidated');
  }

  /**
   * net.inet.ip.maxflows (sysctl_net_inet_ip_maxflows): set when `value` is given, then reap down to the limit —
   * on QNX even a read reaps. A negative limit would make the kernel's reap loop run off the end of an empty list;
   * it is refused with EINVAL.
   */
  sysctlMaxflows(value?: number): number | { data: number } {
    if (value !== undefined) {
      if (value < 0) return Errno.EINVAL;
      this.maxflows = value;
    }
    this.reap(false);
    return { data: this.maxflows };
  }
}
