/**
 * The advertising side of a router (what NetBSD's rtadvd does from user space through a raw ICMPv6 socket;
 * here the stack keeps the schedule and `rtadvd IF` switches it on): unsolicited Router Advertisements
 * at a random interval in [MinRtrAdvInterval, MaxRtrAdvInterval] (RFC 4861 §6.2.4: 198..600 s), the first
 * MAX_INITIAL_RTR_ADVERTISEMENTS no more than MAX_INITIAL_RTR_ADVERT_INTERVAL apart, an answer to an RS
 * after a random delay up to MAX_RA_DELAY_TIME and no sooner than MIN_DELAY_BETWEEN_RAS after the last
 * multicast RA (§6.2.6), and MAX_FINAL_RTR_ADVERTISEMENTS with router lifetime 0 when it stops. Each RA
 * carries the source link-layer address, the link MTU and a prefix information option (on-link,
 * autonomous) for every global prefix of the interface's addresses.
 */
import type { Callout } from '../callout';
import type { Ifnet } from '../if';
import { NetCost } from '../costs';
import type { NetStack } from '../stack';
import { IN6ADDR_LINKLOCAL_ALLNODES, ipv6IsLinkLocal, ipv6Masked, ipv6ToString, ipv6Equals } from '../wire/addr6';
import { ND_RA_LEN, NdOpt, Icmp6Type, Icmpv6Packet, emitLladdrOpt, emitMtuOpt, emitPrefixOpt, type NdPrefixInfo } from '../wire/icmpv6';
import { IPV6_ND_HLIM, Ip6Nxt } from '../wire/ipv6';
import { viewOf } from '../wire/view';
import { IN6_IFF_NOTREADY } from './in6';
import { Ip6 } from './ip6';

const S = 1_000_000_000;
const MS = 1_000_000;
/** RFC 4861 §6.2.1 defaults and §10 router constants. */
export const MAX_RTR_ADV_INTERVAL_S = 600;
export const MIN_RTR_ADV_INTERVAL_S = 198; // 0.33 × MaxRtrAdvInterval
export const ADV_DEFAULT_LIFETIME_S = 3 * MAX_RTR_ADV_INTERVAL_S;
export const MAX_INITIAL_RTR_ADVERT_INTERVAL_S = 16;
export const MAX_INITIAL_RTR_ADVERTISEMENTS = 3;
export const MAX_FINAL_RTR_ADVERTISEMENTS = 3;
export const MIN_DELAY_BETWEEN_RAS_S = 3;
export const MAX_RA_DELAY_TIME_MS = 500;
/** rtadvd's prefix lifetimes (AdvValidLifetime 30 days, AdvPreferredLifetime 7 days, §6.2.1). */
export const ADV_VALID_LIFETIME_S = 2_592_000;
export const ADV_PREFERRED_LIFETIME_S = 604_800;

interface AdvState {
  initialSent: number;
  lastMcast: number | null;
  timer: Callout<() => void> | null;
  /** A solicited RA is already scheduled. */
  pendingSolicited: boolean;
}

export class Rtadv {
  private readonly ifs = new Map<Ifnet, AdvState>();

  constructor(private readonly s: NetStack, private readonly ip6: Ip6) {}

  advertising(ifp: Ifnet): boolean {
    return this.ifs.has(ifp);
  }

  /** Start advertising on `ifp` (the first RA goes out at once, then on the initial schedule). */
  start(ifp: Ifnet): void {
    if (this.ifs.has(ifp)) return;
    const st: AdvState = { initialSent: 0, lastMcast: null, timer: null, pendingSolicited: false };
    this.ifs.set(ifp, st);
    this.s.env.trace('nd6', 'rtadv-start', 0, { if: ifp.name });
    this.arm(ifp, st, 0);
  }

  /** Stop: final RAs with router lifetime 0 are sent at once (§6.2.5), then nothing. */
  stop(ifp: Ifnet, final = false): void {
    const st = this.ifs.get(ifp);
    if (!st) return;
    if (st.timer) this.s.callouts.cancel(st.timer);
    this.ifs.delete(ifp);
    if (final) for (let i = 0; i < MAX_FINAL_RTR_ADVERTISEMENTS; i++) this.raOutput(ifp, 0);
  }

  /** An RS arrived on `ifp`: answer with a multicast RA after a random delay (§6.2.6). */
  solicited(ifp: Ifnet): void {
    const st = this.ifs.get(ifp);
    if (!st || st.pendingSolicited) return;
    const now = this.s.env.now();
    let delay = (this.s.env.random32() % MAX_RA_DELAY_TIME_MS) * MS;
    if (st.lastMcast !== null && now + delay < st.lastMcast + MIN_DELAY_BETWEEN_RAS_S * S) delay = st.lastMcast + MIN_DELAY_BETWEEN_RAS_S * S - now;
    // Sooner than the next scheduled RA only.
    if (st.timer && st.timer.when <= now + delay) return;
    st.pendingSolicited = true;
    this.arm(ifp, st, delay);
  }

  private arm(ifp: Ifnet, st: AdvState, delayNs: number): void {
    if (st.timer) this.s.callouts.cancel(st.timer);
    st.timer = this.s.schedule(delayNs, 'rtadvd_timer', () => this.fire(ifp, st));
  }

  private fire(ifp: Ifnet, st: AdvState): void {
    st.timer = null;
    st.pendingSolicited = false;
    this.raOutput(ifp, ADV_DEFAULT_LIFETIME_S);
    st.lastMcast = this.s.env.now();
    if (st.initialSent < MAX_INITIAL_RTR_ADVERTISEMENTS) st.initialSent++;
    // §6.2.4: uniformly in [Min, Max]; the initial ones capped at MAX_INITIAL_RTR_ADVERT_INTERVAL.
    const span = (MAX_RTR_ADV_INTERVAL_S - MIN_RTR_ADV_INTERVAL_S) * 1000;
    let ms = MIN_RTR_ADV_INTERVAL_S * 1000 + (this.s.env.random32() % (span + 1));
    if (st.initialSent < MAX_INITIAL_RTR_ADVERTISEMENTS) ms = Math.min(ms, MAX_INITIAL_RTR_ADVERT_INTERVAL_S * 1000);
    this.arm(ifp, st, ms * MS);
  }

  /** The global prefixes of the interface's addresses, as prefix information options. */
  prefixes(ifp: Ifnet): NdPrefixInfo[] {
    const out: NdPrefixInfo[] = [];
    for (const ia of this.ip6.in6.addrs(ifp)) {
      if (ipv6IsLinkLocal(ia.addr) || (ia.flags & IN6_IFF_NOTREADY) !== 0 || ia.plen >= 128) continue;
      const prefix = ipv6Masked(ia.addr, ia.plen);
      if (out.some((p) => p.plen === ia.plen && ipv6Equals(p.prefix, prefix))) continue;
      out.push({ plen: ia.plen, onlink: true, auto: true, vltime: ADV_VALID_LIFETIME_S, pltime: ADV_PREFERRED_LIFETIME_S, prefix });
    }
    return out;
  }

  /** One RA to all-nodes with `lifetime` (0 = "not a default router"). */
  raOutput(ifp: Ifnet, lifetime: number): void {
    const env = this.s.env;
    env.charge(NetCost.nd6Output);
    const ll = this.ip6.in6.linkLocal(ifp);
    if (!ll) {
      env.trace('nd6', 'drop', 0, { if: ifp.name, reason: 'no usable link-local address to advertise from' });
      return;
    }
    const pfx = this.prefixes(ifp);
    const frame = Ip6.alloc(ND_RA_LEN + 8 + 8 + 32 * pfx.length);
    const msg = frame.subarray(Ip6.PAYLOAD_OFF);
    const dv = viewOf(msg);
    msg[0] = Icmp6Type.RouterAdvert;
    msg[4] = this.ip6.defHlim; // Cur Hop Limit
    msg[5] = 0; // M, O
    dv.setUint16(6, lifetime);
    dv.setUint32(8, 0); // Reachable Time: unspecified
    dv.setUint32(12, 0); // Retrans Timer: unspecified
    let off = emitLladdrOpt(msg, ND_RA_LEN, NdOpt.SourceLinkaddr, ifp.lladdr);
    off = emitMtuOpt(msg, off, ifp.mtu);
    for (const p of pfx) off = emitPrefixOpt(msg, off, p);
    new Icmpv6Packet(msg).fillChecksum(ll.addr, IN6ADDR_LINKLOCAL_ALLNODES);
    const pktId = env.newPktId();
    this.ip6.stats.nd6.ra_out++;
    this.ip6.icmp6.countOut(Icmp6Type.RouterAdvert);
    env.trace('nd6', 'ra-output', pktId, { if: ifp.name, lifetime, prefixes: pfx.map((p) => `${ipv6ToString(p.prefix)}/${p.plen}`).join(',') });
    this.ip6.output(frame, { src: ll.addr, dst: IN6ADDR_LINKLOCAL_ALLNODES, nxt: Ip6Nxt.ICMPV6, hlim: IPV6_ND_HLIM }, pktId, { ifp, mloop: false });
  }
}
