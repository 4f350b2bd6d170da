/**
 * ip6_forward (netinet6/ip6_forward.c) for a router (net.inet6.ip6.forwarding=1): packets for someone else
 * go on with the hop limit lowered, by the routing table. Never forwarded: multicast (no multicast routing
 * here), unspecified or multicast sources, link-local destinations; a link-local source cannot leave its link
 * (Destination Unreachable, beyond scope). Hop limit exhausted → Time Exceeded (in transit); no route →
 * Destination Unreachable (no route); bigger than the next link's MTU → Packet Too Big (routers never
 * fragment, RFC 8200 §5). Redirects are not sent.
 */
import type { Ifnet } from '../if';
import { M_BCAST, M_MCAST, type Mbuf } from '../mbuf';
import { NetCost } from '../costs';
import type { NetStack } from '../stack';
import { ipv6IsLinkLocal, ipv6IsMulticast, ipv6IsUnspecified, ipv6ToString } from '../wire/addr6';
import { ETHER_HDR_LEN } from '../wire/ethernet';
import { Icmp6TimeCode, Icmp6Type, Icmp6UnreachCode } from '../wire/icmpv6';
import { Ipv6Packet } from '../wire/ipv6';
import type { Ip6 } from './ip6';

/** IPV6_HLIMDEC. */
const IPV6_HLIMDEC = 1;

export function ip6Forward(s: NetStack, ip6: Ip6, ifp: Ifnet, m: Mbuf, pkt: Uint8Array): void {
  const env = s.env;
  const st = ip6.stats.ip6;
  env.charge(NetCost.ipForward);
  const p = new Ipv6Packet(pkt);
  const src = p.src;
  const dst = p.dst;
  const cant = (reason: string): void => {
    st.cantforward++;
    env.trace('ip6', 'drop', m.pktId, { reason });
  };
  if (((m.flags ?? 0) & (M_BCAST | M_MCAST)) !== 0 || ipv6IsMulticast(dst)) return cant('multicast not forwarded');
  if (ipv6IsUnspecified(src) || ipv6IsMulticast(src)) return cant('unspecified or multicast source not forwarded');
  if (ipv6IsLinkLocal(dst)) return cant('link-local destination not forwarded');
  if (ipv6IsLinkLocal(src)) {
    st.badscope++;
    cant('link-local source cannot leave its link');
    ip6.icmp6.error(ifp, m, pkt, Icmp6Type.DstUnreach, Icmp6UnreachCode.BeyondScope);
    return;
  }
  if (p.hlim <= IPV6_HLIMDEC) {
    cant('hop limit exhausted');
    ip6.icmp6.error(ifp, m, pkt, Icmp6Type.TimeExceeded, Icmp6TimeCode.Transit);
    return;
  }
  const rt = ip6.routes.lookup(dst);
  if (!rt) {
    st.noroute++;
    cant(`no route to ${ipv6ToString(dst)}`);
    ip6.icmp6.error(ifp, m, pkt, Icmp6Type.DstUnreach, Icmp6UnreachCode.NoRoute);
    return;
  }
  const mtu = ip6.routes.pathMtu(dst, rt.ifp);
  if (pkt.length > mtu) {
    cant(`${pkt.length} bytes exceed the next link's mtu ${mtu}`);
    ip6.icmp6.error(ifp, m, pkt, Icmp6Type.PacketTooBig, 0, mtu);
    return;
  }
  // Reuse the Ethernet headroom of the received frame when there is one (lo0 packets have none).
  let frame: Uint8Array;
  if (pkt.buffer === m.data.buffer && pkt.byteOffset - m.data.byteOffset === ETHER_HDR_LEN) frame = m.data.subarray(0, ETHER_HDR_LEN + pkt.length);
  else {
    frame = new Uint8Array(ETHER_HDR_LEN + pkt.length);
    frame.set(pkt, ETHER_HDR_LEN);
  }
  const q = new Ipv6Packet(frame.subarray(ETHER_HDR_LEN));
  q.hlim = q.hlim - IPV6_HLIMDEC;
  rt.use++;
  st.forward++;
  env.trace('ip6', 'forward', m.pktId, { dst: ipv6ToString(dst), via: rt.ifp.name, hlim: q.hlim });
  ip6.transmit(rt.ifp, rt.gateway ?? dst, { data: frame, pktId: m.pktId }, false);
}
