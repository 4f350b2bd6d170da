/**
 * ether_input / ether_output (net/if_ethersubr.c): frame checks, demultiplexing by ethertype, link-layer
 * address resolution through ARP, and queueing on the interface's send queue (if_snd) for the driver.
 */
import { IFF_OACTIVE, IFF_PROMISC, IFF_RUNNING, IFF_SIMPLEX, IFF_UP, type Ifnet } from './if';
import { M_BCAST, M_LOOP, M_MCAST, type Mbuf } from './mbuf';
import { Errno } from '../kernel/api';
import { NetCost } from './costs';
import type { BpfDesc } from './bpf';
import type { NetStack } from './stack';
import { ETHER_BROADCAST, isMulticastIp, macEquals, macIsBroadcast, macIsGroup, macToString, type Ipv4Addr } from './wire/addr';
import { ETHER_HDR_LEN, EtherType, EthernetFrame } from './wire/ethernet';

/** Protocol hook for other ethertypes (lsm modules such as Qnet register here). */
export type EtherTypeHandler = (ifp: Ifnet, m: Mbuf, payload: Uint8Array) => void;

/** One entry of an interface's multicast list (struct ether_multi, one address: enm_addrlo = enm_addrhi). */
interface EtherMulti {
  readonly addr: Uint8Array;
  refcount: number;
}

/** ETHER_MAP_IP_MULTICAST (RFC 1112 section 6.4): 01:00:5e and the low 23 bits of the group. */
export function etherMapIpMulticast(group: Ipv4Addr): Uint8Array {
  return new Uint8Array([0x01, 0x00, 0x5e, (group >>> 16) & 0x7f, (group >>> 8) & 0xff, group & 0xff]);
}

export class Ether {
  readonly handlers = new Map<number, EtherTypeHandler>();
  /** ec_multiaddrs: the refcounted entries behind each interface's `multicast` list (which drivers read). */
  private readonly multi = new WeakMap<Ifnet, EtherMulti[]>();

  constructor(private readonly s: NetStack) {}

  input(ifp: Ifnet, m: Mbuf): void {
    const env = this.s.env;
    env.charge(NetCost.etherInput);
    const f = new EthernetFrame(m.data);
    env.trace('ifnet', 'input', m.pktId, { if: ifp.name, len: m.data.length });
    // bpf_mtap: listeners see every frame the interface received, before any check (the driver's tap in NetBSD).
    this.s.bpf.tap(ifp, m.data, false, m.pktId);
    const why = f.checkLen();
    if (why) {
      ifp.data.ierrors++;
      env.trace('ifnet', 'drop', m.pktId, { if: ifp.name, reason: why });
      return;
    }
    // Drivers count ipackets/opackets/errors (NetBSD convention); the stack counts bytes and multicasts.
    ifp.data.ibytes += m.data.length;
    if ((ifp.flags & IFF_UP) === 0) {
      env.trace('ifnet', 'drop', m.pktId, { if: ifp.name, reason: 'interface down' });
      return;
    }
    const dst = f.dst;
    m.rcvif = ifp;
    if (macIsGroup(dst)) {
      m.flags = (m.flags ?? 0) | (macIsBroadcast(dst) ? M_BCAST : M_MCAST);
      ifp.data.imcasts++;
    } else if ((ifp.flags & IFF_PROMISC) !== 0 && !macEquals(dst, ifp.lladdr)) {
      env.trace('ifnet', 'drop', m.pktId, { if: ifp.name, reason: 'promiscuous: not for us' });
      return;
    }
    const type = f.ethertype;
    const payload = f.payload;
    // IPv6 (io-pkt-v6-hc); without it (io-pkt-v4, -v4-hc) 0x86dd is an unknown ethertype like any other.
    if (type === EtherType.IPv6 && this.s.ip6) {
      this.s.ip6.input(ifp, m, payload);
      return;
    }
    switch (type) {
      case EtherType.IPv4:
        this.s.ip.input(ifp, m, payload);
        return;
      case EtherType.ARP:
        this.s.arp.input(ifp, m, payload);
        return;
      default: {
        const h = this.handlers.get(type);
        if (h) {
          h(ifp, m, payload);
          return;
        }
        ifp.data.noproto++;
        env.trace('ifnet', 'drop', m.pktId, { if: ifp.name, reason: `unknown ethertype 0x${type.toString(16).padStart(4, '0')}` });
      }
    }
  }

  /**
   * ether_output for an IPv4 datagram: `frame` has 14 bytes of headroom before the IP header. Resolves
   * `nexthop` (or broadcasts), writes the header, queues. Returns 0 or an errno (EHOSTDOWN from ARP,
   * ENETDOWN, ENOBUFS when if_snd is full). A packet held by ARP counts as sent.
   */
  outputIp(ifp: Ifnet, m: Mbuf, nexthop: Ipv4Addr, bcast: boolean): number {
    const env = this.s.env;
    env.charge(NetCost.etherOutput);
    if ((ifp.flags & (IFF_UP | IFF_RUNNING)) !== (IFF_UP | IFF_RUNNING)) {
      env.trace('ifnet', 'drop', m.pktId, { if: ifp.name, reason: 'interface down' });
      return Errno.ENETDOWN;
    }
    const f = new EthernetFrame(m.data);
    f.setSrc(ifp.lladdr);
    f.ethertype = EtherType.IPv4;
    if (bcast) {
      f.setDst(ETHER_BROADCAST as Uint8Array);
      if ((ifp.flags & IFF_SIMPLEX) !== 0) {
        // A simplex interface cannot hear itself: loop a copy of a broadcast back up (NetBSD looutput).
        this.s.loopInput(ifp, { data: m.data.slice(ETHER_HDR_LEN), pktId: m.pktId, flags: M_BCAST | M_LOOP });
      }
      return this.transmit(ifp, m);
    }
    if (isMulticastIp(nexthop)) {
      // No ARP for a group: the address maps onto the link (ETHER_MAP_IP_MULTICAST).
      f.setDst(etherMapIpMulticast(nexthop));
      return this.transmit(ifp, m);
    }
    const mac = this.s.arp.resolve(ifp, nexthop, m);
    if (typeof mac === 'number') return mac;
    if (mac === null) return 0;
    f.setDst(mac);
    return this.transmit(ifp, m);
  }

  /**
   * ether_output's last step for a complete frame: out a bridge member through bridge_output (stack/net/bridge),
   * else onto ifp's if_snd (`enqueue`). `bpfFrom` is the /dev/bpf descriptor that wrote it, if any (BIOCSSEESENT).
   */
  transmit(ifp: Ifnet, m: Mbuf, bpfFrom: BpfDesc | null = null): number {
    const bridged = this.s.bridge?.output(ifp, m) ?? null;
    return bridged ?? this.enqueue(ifp, m, bpfFrom);
  }

  /**
   * Queue a complete frame on if_snd and ask for if_start (IFQ_ENQUEUE + if_start; bridge_enqueue comes here
   * directly). BPF sees it here (NetBSD taps when the driver dequeues; no frame leaves if_snd other than to the
   * driver).
   */
  enqueue(ifp: Ifnet, m: Mbuf, bpfFrom: BpfDesc | null = null): number {
    const env = this.s.env;
    if (ifp.snd.length >= ifp.sndMax) {
      this.s.ifs.st(ifp).sndDrops++;
      env.trace('ifnet', 'drop', m.pktId, { if: ifp.name, reason: 'if_snd full' });
      return Errno.ENOBUFS;
    }
    ifp.snd.push(m);
    this.s.bpf.tap(ifp, m.data, true, m.pktId, bpfFrom);
    ifp.data.obytes += m.data.length;
    if (macIsGroup(new EthernetFrame(m.data).dst)) ifp.data.omcasts++;
    env.trace('ifnet', 'output', m.pktId, { if: ifp.name, len: m.data.length, qlen: ifp.snd.length });
    if ((ifp.flags & IFF_OACTIVE) === 0) env.kick(ifp);
    return 0;
  }

  /**
   * ether_addmulti (net/if_ethersubr.c) for one group address: a new address joins `ifp.multicast` and the
   * driver's filter is reprogrammed (what ENETRESET leads to in NetBSD: the driver's SIOCADDMULTI reinit),
   * an address already there only gains a reference. Returns 0, or EINVAL for a non-group address.
   */
  addMulti(ifp: Ifnet, mac: Uint8Array): number {
    if (mac.length < 6 || !macIsGroup(mac)) return Errno.EINVAL;
    const list = this.entries(ifp);
    const enm = list.find((e) => macEquals(e.addr, mac));
    if (enm) {
      enm.refcount++;
      return 0;
    }
    const addr = mac.slice(0, 6);
    list.push({ addr, refcount: 1 });
    ifp.multicast.push(addr);
    this.s.env.trace('ifnet', 'addmulti', 0, { if: ifp.name, mac: macToString(addr), n: ifp.multicast.length });
    this.filterChanged(ifp);
    return 0;
  }

  /**
   * ether_delmulti: drop one reference; the last one removes the address and reprograms the filter.
   * Returns 0, EINVAL for a non-group address, ENXIO when the address is not in the list.
   */
  delMulti(ifp: Ifnet, mac: Uint8Array): number {
    if (mac.length < 6 || !macIsGroup(mac)) return Errno.EINVAL;
    const list = this.entries(ifp);
    const i = list.findIndex((e) => macEquals(e.addr, mac));
    if (i < 0) return Errno.ENXIO;
    const enm = list[i]!;
    if (--enm.refcount > 0) return 0;
    list.splice(i, 1);
    const j = ifp.multicast.indexOf(enm.addr);
    if (j >= 0) ifp.multicast.splice(j, 1);
    this.s.env.trace('ifnet', 'delmulti', 0, { if: ifp.name, mac: macToString(enm.addr), n: ifp.multicast.length });
    this.filterChanged(ifp);
    return 0;
  }

  /** References held on `mac` in ifp's multicast list (0 = not there). */
  multiRefs(ifp: Ifnet, mac: Uint8Array): number {
    return this.entries(ifp).find((e) => macEquals(e.addr, mac))?.refcount ?? 0;
  }

  private entries(ifp: Ifnet): EtherMulti[] {
    let list = this.multi.get(ifp);
    if (!list) {
      list = [];
      this.multi.set(ifp, list);
    }
    return list;
  }

  /** The driver reprograms its filter once this stack pass is done (its setFilter is a driver op). */
  private filterChanged(ifp: Ifnet): void {
    if (ifp.ops.setFilter) this.s.env.setFilter?.(ifp);
  }
}
