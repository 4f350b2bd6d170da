/**
 * Fragmentation and reassembly (netinet6/frag6.c, ip6_output.c ip6_fragment; RFC 8200 §4.5). Input: fragments
 * are queued by (source, destination, identification); a fragment whose length is not a multiple of 8 while
 * more follow, or that would end past 65535, draws a Parameter Problem; overlapping fragments discard the
 * whole datagram (RFC 5722); an atomic fragment (offset 0, M clear) is processed on its own (RFC 6946); the
 * datagram is rebuilt from the first fragment's unfragmentable part when every byte is in; after 60 s an
 * incomplete datagram is dropped with Time Exceeded (reassembly) if its first fragment came. Output: the
 * 40-byte header is the unfragmentable part (this stack adds no extension headers), each fragment carries a
 * multiple of 8 bytes, one identification drawn from the seeded stream.
 */
import type { Callout } from '../callout';
import type { Ifnet } from '../if';
import type { Mbuf } from '../mbuf';
import { Errno } from '../../kernel/api';
import { NetCost, bytesCost } from '../costs';
import type { NetStack } from '../stack';
import { ipv6ToString, type Ipv6Addr } from '../wire/addr6';
import { ETHER_HDR_LEN } from '../wire/ethernet';
import { Icmp6ParamCode, Icmp6TimeCode, Icmp6Type } from '../wire/icmpv6';
import { IP6_FRAG_LEN, IP6_HDR_LEN, IPV6_MAXPACKET, Ip6Nxt, Ipv6FragHeader, Ipv6Packet } from '../wire/ipv6';
import type { Ip6 } from './ip6';

/** IPV6_REASS_TIMEOUT: 60 seconds (RFC 8200 §4.5). */
export const IPV6_REASS_TIMEOUT_NS = 60 * 1_000_000_000;
/** ip6_maxfragpackets: datagrams under reassembly at once. */
export const IP6_MAXFRAGPACKETS = 200;
/**
 * ip6_maxfrags: fragments held over all datagrams (frag6.c frag6_input: "if (frag6_nfrags >= (u_int)ip6_maxfrags)
 * goto dropfrag", counted in fragdropped). NetBSD sets it to nmbclusters / 4; 1024 clusters assumed, as ip-reass.ts
 * does for IPv4's ip_maxfrags. Found by the stack fuzzer (fuzz/stack/ipv6.ts): without it 200 datagrams of
 * 8-byte fragments could hold 1.6 million fragments.
 */
export const IP6_MAXFRAGS = 256;

interface Frag {
  off: number;
  data: Uint8Array;
}

interface ReassQueue {
  key: string;
  ifp: Ifnet;
  /** The offset-0 fragment's packet (its unfragmentable part is kept) and its fragment-header offset. */
  first: { pkt: Uint8Array; fragOff: number; prevNxtOff: number; nxt: number; m: Mbuf } | null;
  frags: Frag[];
  /** Total payload length, known once the last fragment (M clear) arrived. */
  total: number | null;
  mcast: boolean;
  timer: Callout<() => void>;
}

export class Frag6 {
  private readonly queues = new Map<string, ReassQueue>();
  /** frag6_nfrags: fragments queued over all datagrams. */
  private queued = 0;

  constructor(private readonly s: NetStack, private readonly ip6: Ip6) {}

  get pending(): number {
    return this.queues.size;
  }

  /** Fragments held over all datagrams (frag6_nfrags). */
  get nfrags(): number {
    return this.queued;
  }

  /** frag6_input: `off` is the fragment header's offset in `pkt`, `prevNxtOff` the field that named it. */
  input(ifp: Ifnet, m: Mbuf, pkt: Uint8Array, off: number, prevNxtOff: number, mcast: boolean): void {
    const env = this.s.env;
    const st = this.ip6.stats.ip6;
    env.charge(NetCost.ipReass);
    st.fragments++;
    const fh = new Ipv6FragHeader(pkt.subarray(off, off + IP6_FRAG_LEN));
    const data = pkt.subarray(off + IP6_FRAG_LEN);
    const p = new Ipv6Packet(pkt);
    const drop = (reason: string): void => {
      st.fragdropped++;
      env.trace('ip6', 'drop', m.pktId, { reason });
    };
    if (fh.offset === 0 && !fh.moreFrags) {
      // RFC 6946: an atomic fragment is a whole datagram; take the fragment header out and carry on.
      const whole = this.rebuild(pkt.subarray(0, off), prevNxtOff, fh.nxt, [data]);
      env.trace('ip6', 'atomic-fragment', m.pktId, { ident: fh.ident });
      this.ip6.deliver(ifp, m, whole, fh.nxt, off, mcast);
      return;
    }
    if (fh.moreFrags && data.length % 8 !== 0) {
      drop(`fragment of ${data.length} bytes (not a multiple of 8) with more following`);
      this.ip6.icmp6.error(ifp, m, pkt, Icmp6Type.ParamProb, Icmp6ParamCode.Header, 4);
      return;
    }
    if (fh.offset + data.length > IPV6_MAXPACKET - (off + IP6_FRAG_LEN - IP6_HDR_LEN)) {
      drop(`fragment ends at ${fh.offset + data.length}, past the largest datagram`);
      this.ip6.icmp6.error(ifp, m, pkt, Icmp6Type.ParamProb, Icmp6ParamCode.Header, off + 2);
      return;
    }
    if (this.queued >= IP6_MAXFRAGS) return drop(`${this.queued} fragments already queued (ip6_maxfrags)`);
    const src = p.src;
    const dst = p.dst;
    const key = `${ipv6ToString(src)} ${ipv6ToString(dst)} ${fh.ident}`;
    let q = this.queues.get(key);
    if (!q) {
      if (this.queues.size >= IP6_MAXFRAGPACKETS) {
        st.fragoverflow++;
        return drop('too many datagrams under reassembly');
      }
      const nq: ReassQueue = { key, ifp, first: null, frags: [], total: null, mcast, timer: this.s.schedule(IPV6_REASS_TIMEOUT_NS, 'frag6_slowtimo', () => this.timeout(nq)) };
      q = nq;
      this.queues.set(key, q);
    }
    const end = fh.offset + data.length;
    // RFC 5722: any overlap discards the datagram (and every fragment of it still to come within the timeout).
    if (q.frags.some((f) => fh.offset < f.off + f.data.length && f.off < end) || (q.total !== null && end > q.total) || (!fh.moreFrags && q.total !== null && q.total !== end)) {
      this.discard(q);
      return drop('overlapping or inconsistent fragment: datagram discarded (RFC 5722)');
    }
    if (!fh.moreFrags) {
      if (q.frags.some((f) => f.off + f.data.length > end)) {
        this.discard(q);
        return drop('last fragment ends before data already received');
      }
      q.total = end;
    }
    env.charge(bytesCost(data.length, NetCost.copyPerByte));
    q.frags.push({ off: fh.offset, data: data.slice() });
    this.queued++;
    if (fh.offset === 0) q.first = { pkt: pkt.slice(0, off), fragOff: off, prevNxtOff, nxt: fh.nxt, m };
    env.trace('ip6', 'fragment', m.pktId, { ident: fh.ident, off: fh.offset, len: data.length, more: fh.moreFrags });
    if (q.total === null || !q.first) return;
    q.frags.sort((a, b) => a.off - b.off);
    let have = 0;
    for (const f of q.frags) {
      if (f.off !== have) return; // a hole
      have = f.off + f.data.length;
    }
    if (have !== q.total) return;
    this.s.callouts.cancel(q.timer);
    this.queues.delete(key);
    this.queued -= q.frags.length;
    const first = q.first;
    const whole = this.rebuild(first.pkt, first.prevNxtOff, first.nxt, q.frags.map((f) => f.data));
    st.reassembled++;
    env.trace('ip6', 'reassembled', m.pktId, { ident: fh.ident, len: whole.length, frags: q.frags.length });
    this.ip6.deliver(ifp, m, whole, first.nxt, first.fragOff, q.mcast);
  }

  /** The unfragmentable part with its last Next Header set to `nxt`, followed by `parts`, payload length fixed. */
  private rebuild(unfrag: Uint8Array, prevNxtOff: number, nxt: number, parts: Uint8Array[]): Uint8Array {
    const len = parts.reduce((n, d) => n + d.length, 0);
    const out = new Uint8Array(unfrag.length + len);
    out.set(unfrag);
    let o = unfrag.length;
    for (const d of parts) {
      out.set(d, o);
      o += d.length;
    }
    out[prevNxtOff >= 0 ? prevNxtOff : 6] = nxt;
    new Ipv6Packet(out).payloadLen = out.length - IP6_HDR_LEN;
    return out;
  }

  private discard(q: ReassQueue): void {
    this.s.callouts.cancel(q.timer);
    this.queues.delete(q.key);
    this.queued -= q.frags.length;
    this.ip6.stats.ip6.fragdropped += q.frags.length;
  }

  /** frag6_slowtimo: the 60 s are up; Time Exceeded (reassembly) goes back if the first fragment is here (§4.5). */
  private timeout(q: ReassQueue): void {
    if (!this.queues.has(q.key)) return;
    this.queues.delete(q.key);
    this.queued -= q.frags.length;
    this.ip6.stats.ip6.fragtimeout++;
    this.ip6.stats.ip6.fragdropped += q.frags.length;
    this.s.env.trace('ip6', 'drop', q.first?.m.pktId ?? 0, { reason: `reassembly timeout (${q.frags.length} fragments)` });
    if (q.first) {
      // Quote the first fragment as it arrived: unfragmentable part, fragment header and its data.
      const f0 = q.frags.find((f) => f.off === 0)!;
      const fh = new Uint8Array(IP6_FRAG_LEN);
      const quoted = new Uint8Array(q.first.pkt.length + IP6_FRAG_LEN + f0.data.length);
      quoted.set(q.first.pkt);
      fh[0] = q.first.nxt;
      new Ipv6FragHeader(fh).setOffsetMore(0, true);
      quoted.set(fh, q.first.pkt.length);
      quoted.set(f0.data, q.first.pkt.length + IP6_FRAG_LEN);
      quoted[q.first.prevNxtOff >= 0 ? q.first.prevNxtOff : 6] = Ip6Nxt.FRAGMENT;
      new Ipv6Packet(quoted).payloadLen = quoted.length - IP6_HDR_LEN;
      this.ip6.icmp6.error(q.ifp, q.first.m, quoted, Icmp6Type.TimeExceeded, Icmp6TimeCode.Reassembly);
    }
  }

  /**
   * ip6_fragment: split the packet in `frame` (Ethernet headroom + 40-byte header + payload) into fragments
   * that fit `mtu`, each sent to `nexthop` on `ifp`. Returns 0 or the first errno.
   */
  output(ifp: Ifnet, nexthop: Ipv6Addr, frame: Uint8Array, mtu: number, pktId: number): number {
    const env = this.s.env;
    const st = this.ip6.stats.ip6;
    const pkt = frame.subarray(ETHER_HDR_LEN);
    const hdr = new Ipv6Packet(pkt);
    const payload = pkt.subarray(IP6_HDR_LEN, IP6_HDR_LEN + hdr.payloadLen);
    const chunk = Math.floor((mtu - IP6_HDR_LEN - IP6_FRAG_LEN) / 8) * 8;
    if (chunk < 8) {
      st.cantfrag++;
      env.trace('ip6', 'drop', pktId, { reason: `mtu ${mtu} too small to fragment` });
      return Errno.EMSGSIZE;
    }
    const ident = env.random32() >>> 0;
    const nxt = hdr.nxt;
    st.fragmented++;
    let err = 0;
    let n = 0;
    for (let off = 0; off < payload.length; off += chunk) {
      const len = Math.min(chunk, payload.length - off);
      const f = new Uint8Array(ETHER_HDR_LEN + IP6_HDR_LEN + IP6_FRAG_LEN + len);
      f.set(pkt.subarray(0, IP6_HDR_LEN), ETHER_HDR_LEN);
      const fp = new Ipv6Packet(f.subarray(ETHER_HDR_LEN));
      fp.nxt = Ip6Nxt.FRAGMENT;
      fp.payloadLen = IP6_FRAG_LEN + len;
      const fh = new Ipv6FragHeader(f.subarray(ETHER_HDR_LEN + IP6_HDR_LEN, ETHER_HDR_LEN + IP6_HDR_LEN + IP6_FRAG_LEN));
      fh.nxt = nxt;
      fh.setOffsetMore(off, off + len < payload.length);
      fh.ident = ident;
      f.set(payload.subarray(off, off + len), ETHER_HDR_LEN + IP6_HDR_LEN + IP6_FRAG_LEN);
      env.charge(NetCost.ipFragment + bytesCost(len, NetCost.copyPerByte));
      st.ofragments++;
      n++;
      env.trace('ip6', 'fragment-output', pktId, { ident, off, len, more: off + len < payload.length });
      const e = this.ip6.transmit(ifp, nexthop, { data: f, pktId });
      if (e && !err) err = e;
    }
    env.trace('ip6', 'fragmented', pktId, { ident, frags: n, mtu });
    return err;
  }
}
