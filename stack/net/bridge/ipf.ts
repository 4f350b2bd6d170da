/**
 * bridge_ipf (if_bridge.c, BRIDGE_IPF): with `brconfig bridgeN ipf` the bridge runs the inet packet-filter hooks
 * (stack/net/pfil.ts: lsm-pf's pf_test) on bridged IPv4: PFIL_IN on the arrival member in bridge_forward, PFIL_OUT
 * on each destination in bridge_enqueue. ARP and REVARP pass untouched; IPv6 passes untouched too (this stack
 * has no inet6 pfil head); every other ethertype is dropped while filtering is on, as NetBSD's "goto bad" does.
 * Inbound IPv4 first gets bridge_ip_checkbasic (version, header length, header checksum, lengths: ip_input's
 * checks, counted in ipstat as ip_input would).
 *
 * Returns the frame to go on with (the same mbuf, rewritten in place, or a new one), or the reason it was dropped.
 */
import type { Ifnet } from '../if';
import type { Mbuf } from '../mbuf';
import type { PfilDir } from '../pfil';
import type { NetStack } from '../stack';
import { ETHER_HDR_LEN, EtherType } from '../wire/ethernet';
import { Ipv4Packet } from '../wire/ipv4';

const ETHERTYPE_REVARP = 0x8035;

export function bridgeIpf(s: NetStack, m: Mbuf, ifp: Ifnet, dir: PfilDir): Mbuf | string {
  const type = (m.data[12]! << 8) | m.data[13]!;
  if (type === EtherType.ARP || type === ETHERTYPE_REVARP) return m;
  if (type === EtherType.IPv6) return m;
  if (type !== EtherType.IPv4) return `ipf: ethertype 0x${type.toString(16).padStart(4, '0')} not IP or ARP`;
  const pkt = m.data.subarray(ETHER_HDR_LEN);
  if (dir === 'in') {
    const bad = new Ipv4Packet(pkt).check({ version: true, checksum: true });
    if (bad) {
      const st = s.stats.ip as unknown as Record<string, number>;
      // bridge_ip_checkbasic counts like ip_input, except a bad checksum (no ipstat counter there).
      if (bad.check !== 'badsum' && typeof st[bad.check] === 'number') st[bad.check]!++;
      return `ipf: ${bad.reason}`;
    }
  }
  if (!s.pfil.inet.active) return m;
  const r = s.pfil.inet.run(m, pkt, ifp, dir);
  if (!r) return `ipf: blocked by the packet filter (${dir} on ${ifp.name})`;
  if (r.m === m) return m;
  // A rewritten packet with ETHER_HDR_LEN bytes of headroom: put the Ethernet header back (M_PREPEND + bcopy).
  r.m.data.set(m.data.subarray(0, ETHER_HDR_LEN), 0);
  r.m.rcvif = m.rcvif;
  r.m.flags = m.flags;
  return r.m;
}
