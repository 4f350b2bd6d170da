/**
 * IPv4 reassembly (netinet/ip_reass.c): fragments are queued per (source, destination, identification,
 * protocol) in offset order; overlaps are trimmed the way ip_reass does it (the new fragment loses what a
 * preceding fragment already holds, following fragments lose what the new one covers, and a fragment
 * covered entirely is dropped), so overlapping or duplicated fragments can never change bytes of data
 * already queued before it. A queue lives IPFRAGTTL (60 slow ticks of 500 ms = 30 s); when it expires its
 * fragments are counted in fragtimeout and, if the first fragment had arrived, an ICMP time exceeded
 * (code 1, "fragment reassembly time exceeded", RFC 792) is sent about it — what RFC 1122 section 3.3.2
 * allows and Linux does; NetBSD frees the queue silently.
 */
import type { Callout } from './callout';
import type { Ifnet } from './if';
import type { Mbuf } from './mbuf';
import { NetCost, bytesCost } from './costs';
import type { NetStack } from './stack';
import { ipToString, type Ipv4Addr } from './wire/addr';
import { IcmpType } from './wire/icmp';
import { ICMP_RETURN_DATA_BYTES } from './wire/icmp';
import { IP_DF, IP_MAXPACKET, Ipv4Packet } from './wire/ipv4';

/** IPFRAGTTL: 60 ticks of the 500 ms slow timeout (ns). */
export const IPFRAGTTL_NS = 30_000_000_000;
/** ip_maxfragpackets: datagrams being reassembled at once (NetBSD default 200). */
export const IP_MAXFRAGPACKETS = 200;
/** ip_maxfrags: fragments held over all queues (NetBSD: nmbclusters / 4; 1024 clusters assumed). */
export const IP_MAXFRAGS = 256;

/** One queued fragment: its data and where it lies in the datagram (bytes). */
interface IpFrag {
  off: number;
  data: Uint8Array;
}

/** struct ipq: one datagram being reassembled. */
interface Ipq {
  readonly key: string;
  readonly src: Ipv4Addr;
  readonly dst: Ipv4Addr;
  readonly id: number;
  readonly proto: number;
  /** Fragments in offset order, never overlapping. */
  frags: IpFrag[];
  /** Length of the datagram's data, known once the last fragment (MF clear) arrived; -1 before. */
  last: number;
  /** The first fragment's header (with options) and first data bytes, for the datagram and the ICMP quote. */
  first: Uint8Array | null;
  firstM: Mbuf | null;
  rcvif: Ifnet;
  timer: Callout<() => void>;
}

export class IpReass {
  private readonly queues = new Map<string, Ipq>();
  /** ip_nfrags: fragments queued over all datagrams. */
  private nfrags = 0;
  maxfragpackets = IP_MAXFRAGPACKETS;
  maxfrags = IP_MAXFRAGS;

  constructor(private readonly s: NetStack) {}

  /** Datagrams being reassembled (white-box checks). */
  get npackets(): number {
    return this.queues.size;
  }

  /**
   * ip_reass: queue the fragment `pkt` (header included, link padding trimmed). Returns the complete
   * datagram once every byte is there (a new buffer with the first fragment's header, MF and offset cleared),
   * else null.
   */
  input(ifp: Ifnet, m: Mbuf, pkt: Uint8Array): Uint8Array | null {
    const env = this.s.env;
    const st = this.s.stats.ip;
    env.charge(NetCost.ipReass);
    const p = new Ipv4Packet(pkt);
    const hlen = p.headerLen;
    let off = p.fragOffset;
    const mf = p.moreFrags;
    let data = pkt.subarray(hlen, p.totalLen);
    const drop = (reason: string): null => {
      st.fragdropped++;
      env.trace('ip', 'drop', m.pktId, { reason });
      return null;
    };
    // ip_input: a fragment with MF set must carry a positive multiple of 8 bytes.
    if (mf && (data.length === 0 || (data.length & 7) !== 0)) {
      st.badfrags++;
      env.trace('ip', 'drop', m.pktId, { reason: `fragment with MF of ${data.length} bytes (not a positive multiple of 8)` });
      return null;
    }
    if (hlen + off + data.length > IP_MAXPACKET) {
      st.toolong++;
      env.trace('ip', 'drop', m.pktId, { reason: `fragment ends past ${IP_MAXPACKET} bytes` });
      return null;
    }
    const key = `${p.src}/${p.dst}/${p.ident}/${p.protocol}`;
    if (this.nfrags >= this.maxfrags) return drop(`${this.nfrags} fragments already queued`);
    let fp = this.queues.get(key);
    if (!fp) {
      if (this.queues.size >= this.maxfragpackets) return drop(`${this.queues.size} datagrams already in reassembly`);
      fp = this.newQueue(key, p, ifp);
    }
    const end = off + data.length;
    // The last fragment fixes the length; a fragment beyond it, or a second different last, is bogus.
    if (!mf) {
      if (fp.last >= 0 && fp.last !== end) return drop(`last fragment ends at ${end}, an earlier one at ${fp.last}`);
      const beyond = fp.frags.at(-1);
      if (beyond && beyond.off + beyond.data.length > end) return drop(`last fragment ends at ${end} before queued data`);
      fp.last = end;
    } else if (fp.last >= 0 && end > fp.last) {
      return drop(`fragment ends at ${end}, past the datagram's ${fp.last} bytes`);
    }
    if (off === 0) {
      fp.first = pkt.slice(0, hlen + Math.min(data.length, ICMP_RETURN_DATA_BYTES));
      fp.firstM = m;
    }
    // Where it goes: before the first queued fragment starting after it.
    let i = fp.frags.findIndex((q) => q.off > off);
    if (i < 0) i = fp.frags.length;
    const prev = fp.frags[i - 1];
    if (prev) {
      const over = prev.off + prev.data.length - off;
      if (over > 0) {
        if (over >= data.length) return drop('fragment duplicates queued data');
        off += over;
        data = data.subarray(over);
      }
    }
    // Following fragments lose what the new one covers; those covered entirely go.
    while (i < fp.frags.length) {
      const q = fp.frags[i]!;
      const over = off + data.length - q.off;
      if (over <= 0) break;
      if (over < q.data.length) {
        q.off += over;
        q.data = q.data.subarray(over);
        break;
      }
      fp.frags.splice(i, 1);
      this.nfrags--;
      st.fragdropped++;
    }
    fp.frags.splice(i, 0, { off, data: data.slice() });
    this.nfrags++;
    env.charge(bytesCost(data.length, NetCost.copyPerByte));
    env.trace('ip', 'frag-queued', m.pktId, { id: fp.id, off, len: data.length, mf, nfrags: fp.frags.length });
    return this.complete(fp, m);
  }

  /** A datagram whose bytes 0..last are all queued, rebuilt behind the first fragment's header. */
  private complete(fp: Ipq, m: Mbuf): Uint8Array | null {
    if (fp.last < 0 || !fp.first) return null;
    let next = 0;
    for (const q of fp.frags) {
      if (q.off !== next) return null;
      next += q.data.length;
    }
    if (next !== fp.last) return null;
    const env = this.s.env;
    const st = this.s.stats.ip;
    const hp = new Ipv4Packet(fp.first);
    const hlen = hp.headerLen;
    this.free(fp);
    if (hlen + fp.last > IP_MAXPACKET) {
      st.toolong++;
      env.trace('ip', 'drop', m.pktId, { reason: 'reassembled datagram too long' });
      return null;
    }
    const out = new Uint8Array(hlen + fp.last);
    out.set(fp.first.subarray(0, hlen));
    for (const q of fp.frags) out.set(q.data, hlen + q.off);
    env.charge(bytesCost(fp.last, NetCost.copyPerByte));
    const p = new Ipv4Packet(out);
    p.totalLen = out.length;
    p.flagsFrag = p.flagsFrag & IP_DF;
    p.fillChecksum();
    st.reassembled++;
    env.trace('ip', 'reassembled', m.pktId, { id: fp.id, len: out.length, frags: fp.frags.length });
    return out;
  }

  private newQueue(key: string, p: Ipv4Packet, ifp: Ifnet): Ipq {
    const fp: Ipq = {
      key, src: p.src, dst: p.dst, id: p.ident, proto: p.protocol, frags: [], last: -1, first: null, firstM: null, rcvif: ifp,
      timer: this.s.schedule(IPFRAGTTL_NS, 'ip_reass', () => this.timeout(fp)),
    };
    this.queues.set(key, fp);
    return fp;
  }

  /** ip_freef: forget a datagram (its fragments stay with the caller). */
  private free(fp: Ipq): void {
    this.s.callouts.cancel(fp.timer);
    this.queues.delete(fp.key);
    this.nfrags -= fp.frags.length;
  }

  /** The queue's time ran out: count its fragments, free it, and report it if fragment 0 is there. */
  private timeout(fp: Ipq): void {
    const env = this.s.env;
    if (this.queues.get(fp.key) !== fp) return;
    this.free(fp);
    this.s.stats.ip.fragtimeout += fp.frags.length;
    env.trace('ip', 'frag-timeout', fp.firstM?.pktId ?? 0, {
      src: ipToString(fp.src), dst: ipToString(fp.dst), id: fp.id, frags: fp.frags.length, first: fp.first !== null,
    });
    if (fp.first && fp.firstM && this.s.ifs.has(fp.rcvif)) {
      this.s.icmp.error(fp.rcvif, fp.firstM, fp.first, IcmpType.TimeExceeded, 1);
    }
  }

  /** Drop every queue (interface gone, stack drained). */
  drain(): void {
    for (const fp of [...this.queues.values()]) {
      this.free(fp);
      this.s.stats.ip.fragdropped += fp.frags.length;
    }
  }
}
