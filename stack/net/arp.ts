/**
 * ARP for IPv4 over Ethernet, with NetBSD's behaviour (netinet/if_arp.c as shipped in io-pkt):
 * - a cache entry per neighbour: incomplete → resolved (kept arpt_keep = 20 min) → expired;
 * - on a miss the newest packet is held (one per entry; an older held packet is dropped);
 * - a request goes out at most once per second, only when a packet is sent; after arp_maxtries (5)
 *   unanswered requests the entry is rejected for arpt_down (20 s): sends fail with EHOSTDOWN;
 * - requests for our address are answered; the sender is cached when the request targets us;
 * - a gratuitous request (sender = target = our address) goes out when an address is set.
 */
import { IFF_RUNNING, IFF_UP, type Ifnet } from './if';
import type { Mbuf } from './mbuf';
import { Errno } from '../kernel/api';
import { SEC } from '../../emulator/machine/sim/time';
import { NetCost } from './costs';
import type { NetStack } from './stack';
import { LOG_ERR } from './env';
import { ARP_LEN, ArpOp, ArpPacket, ArpRepr } from './wire/arp';
import { WireError } from './wire/view';
import { ETHER_BROADCAST, ipToString, macEquals, macIsGroup, macToString, type Ipv4Addr } from './wire/addr';
import { ETHER_HDR_LEN, EtherType, EthernetFrame, EthernetRepr } from './wire/ethernet';

export const ARPT_KEEP_S = 20 * 60;
export const ARPT_DOWN_S = 20;
export const ARP_MAXTRIES = 5;

export type ArpState = 'incomplete' | 'resolved' | 'reject' | 'permanent';

export interface ArpEntry {
  readonly ip: Ipv4Addr;
  ifp: Ifnet;
  mac: Uint8Array | null;
  /** Expiry in whole seconds of uptime (resolved: valid until; reject: rejected until). */
  expire: number;
  asked: number;
  /** Second (uptime) of the last request. */
  lastAsk: number;
  hold: Mbuf | null;
  permanent: boolean;
  /** Packets sent through this entry (netstat Use). */
  use: number;
}

export class Arp {
  readonly table = new Map<Ipv4Addr, ArpEntry>();

  constructor(private readonly s: NetStack) {}

  private uptime(): number {
    return Math.floor(this.s.env.now() / SEC);
  }

  state(e: ArpEntry): ArpState {
    if (e.permanent) return 'permanent';
    if (e.mac && e.expire > this.uptime()) return 'resolved';
    if (e.lastAsk >= 0 && e.asked === 0 && e.expire > this.uptime() && !e.mac) return 'reject';
    return 'incomplete';
  }

  lookup(ip: Ipv4Addr): ArpEntry | undefined {
    return this.table.get(ip);
  }

  private create(ifp: Ifnet, ip: Ipv4Addr): ArpEntry {
    const e: ArpEntry = { ip, ifp, mac: null, expire: 0, asked: 0, lastAsk: -1, hold: null, permanent: false, use: 0 };
    this.table.set(ip, e);
    return e;
  }

  /**
   * arpresolve: the MAC for `dst` on `ifp`, or null when the packet was held (request sent or pending), or a
   * number (errno) when the entry is rejected (host down).
   */
  resolve(ifp: Ifnet, dst: Ipv4Addr, m: Mbuf): Uint8Array | null | number {
    const now = this.uptime();
    let e = this.table.get(dst);
    if (e && e.ifp !== ifp) e = undefined;
    if (!e) e = this.create(ifp, dst);
    if (e.permanent || (e.mac && e.expire > now)) {
      e.use++;
      this.s.env.trace('arp', 'resolve', m.pktId, { ip: ipToString(dst), mac: macToString(e.mac!) });
      return e.mac;
    }
    if (e.mac) e.mac = null; // expired: resolve again
    if (!e.mac && e.asked === 0 && e.lastAsk >= 0 && e.expire > now) {
      this.s.env.trace('arp', 'reject', m.pktId, { ip: ipToString(dst), until: e.expire });
      return Errno.EHOSTDOWN;
    }
    const st = this.s.stats.arp;
    st.dfrtotal++;
    if (e.hold) {
      st.dfrdropped++;
      this.s.env.trace('arp', 'hold-drop', e.hold.pktId, { ip: ipToString(dst), reason: 'replaced by a newer packet' });
    }
    e.hold = m;
    this.s.env.trace('arp', 'hold', m.pktId, { ip: ipToString(dst) });
    if (e.asked === 0 || e.lastAsk !== now) {
      e.lastAsk = now;
      if (e.asked++ < ARP_MAXTRIES) {
        const src = this.s.ifs.st(ifp).addrs.find((a) => ((a.addr & a.mask) >>> 0) === ((dst & a.mask) >>> 0)) ?? this.s.ifs.st(ifp).addrs[0];
        this.request(ifp, src?.addr ?? 0, dst, m.pktId);
      } else {
        // Down: reject for arpt_down seconds; the held packet is dropped.
        e.expire = now + ARPT_DOWN_S;
        e.asked = 0;
        if (e.hold) this.s.env.trace('arp', 'hold-drop', e.hold.pktId, { ip: ipToString(dst), reason: 'host down' });
        e.hold = null;
        this.s.env.trace('arp', 'down', 0, { ip: ipToString(dst), until: e.expire });
      }
    }
    return null;
  }

  /** arprequest: broadcast who-has `tip` tell `sip`. */
  request(ifp: Ifnet, sip: Ipv4Addr, tip: Ipv4Addr, causePkt = 0): void {
    const pkt = this.s.env.newPktId();
    this.s.stats.arp.sndtotal++;
    this.s.stats.arp.sndrequest++;
    this.s.env.trace('arp', 'request', pkt, { if: ifp.name, sip: ipToString(sip), tip: ipToString(tip), ...(causePkt ? { forPkt: causePkt } : {}) });
    this.send(ifp, ETHER_BROADCAST as Uint8Array, { op: ArpOp.Request, sha: ifp.lladdr, spa: sip, tha: new Uint8Array(6), tpa: tip }, pkt);
  }

  /** Gratuitous ARP when an address is configured on a running interface (arp_ifinit). */
  gratuitous(ifp: Ifnet, ip: Ipv4Addr): void {
    if ((ifp.flags & (IFF_UP | IFF_RUNNING)) !== (IFF_UP | IFF_RUNNING)) return;
    this.request(ifp, ip, ip);
  }

  private send(ifp: Ifnet, dst: Uint8Array, r: ArpRepr, pkt: number): void {
    this.s.env.charge(NetCost.arpOutput);
    const buf = new Uint8Array(ETHER_HDR_LEN + ARP_LEN);
    EthernetRepr.emit({ dst, src: ifp.lladdr, ethertype: EtherType.ARP }, new EthernetFrame(buf));
    ArpRepr.emit(r, new ArpPacket(buf.subarray(ETHER_HDR_LEN)));
    this.s.ether.transmit(ifp, { data: buf, pktId: pkt });
  }

  /** in_arpinput. `m.data` is the whole frame; `pkt` the ARP payload. */
  input(ifp: Ifnet, m: Mbuf, payload: Uint8Array): void {
    const env = this.s.env;
    const st = this.s.stats.arp;
    env.charge(NetCost.arpInput);
    st.rcvtotal++;
    const r = ArpRepr.parse(new ArpPacket(payload));
    if (r instanceof WireError) {
      // arpintr: fewer bytes than struct arphdr plus the addresses its ar_hln/ar_pln promise → rcvbadlen (even in a
      // full 28-byte packet whose lengths are too big); the rest (protocol, hardware type, lengths, op) → rcvbadproto.
      if (r.check === 'truncated') st.rcvbadlen++;
      else st.rcvbadproto++;
      env.trace('arp', 'drop', m.pktId, { reason: r.reason });
      return;
    }
    if (r.op === ArpOp.Request) st.rcvrequest++;
    else st.rcvreply++;
    if (macEquals(r.sha, ifp.lladdr)) {
      st.rcvlocalsha++;
      env.trace('arp', 'drop', m.pktId, { reason: 'our own packet' });
      return;
    }
    if (macIsGroup(r.sha)) {
      st.rcvbcastsha++;
      env.log(`arp: link address is broadcast for IP address ${ipToString(r.spa)}!`);
      env.trace('arp', 'drop', m.pktId, { reason: 'sender link address is broadcast' });
      return;
    }
    if (r.tpa === 0) st.rcvzerotpa++;
    const addrs = this.s.ifs.st(ifp).addrs;
    const forUs = addrs.find((a) => a.addr === r.tpa);
    const mine = forUs ?? addrs.find((a) => a.addr === r.spa) ?? addrs[0];
    if (!mine) {
      st.rcvnoint++;
      env.trace('arp', 'drop', m.pktId, { reason: 'no IPv4 address on ' + ifp.name });
      return;
    }
    // Another station claims our address: log it (NetBSD's wording) and, for a request, answer with our own
    // claim — in_arpinput sets itaddr = myaddr and goes to its reply code, so the claimant hears us defend it.
    const duplicate = r.spa === mine.addr && r.spa !== 0;
    if (duplicate) {
      st.rcvlocalspa++;
      // in_arpinput: log(LOG_ERR, …), so io-pkt puts it on the console as well as in slog.
      env.log(`duplicate IP address ${ipToString(r.spa)} sent from link address ${macToString(r.sha)}`, LOG_ERR);
    } else if (r.spa !== 0) {
      let e = this.table.get(r.spa);
      if (!e && forUs) e = this.create(ifp, r.spa);
      if (e) this.update(e, ifp, r.sha, m.pktId);
      else if (r.op !== ArpOp.Request) {
        // in_arpinput: a reply about a host we have no entry for, not addressed to us: nothing to learn; freed
        // without a counter ("goto out"). A request not for us ends the same way below.
        env.trace('arp', 'drop', m.pktId, { reason: 'nothing to learn: no entry for the sender' });
      }
    } else {
      st.rcvzerospa++;
    }
    const answer = forUs ?? (duplicate ? mine : undefined);
    if (r.op === ArpOp.Request && !answer && !this.table.has(r.spa)) {
      env.trace('arp', 'drop', m.pktId, { reason: 'request for another host' });
    }
    if (r.op === ArpOp.Request && answer) {
      const pkt = env.newPktId();
      st.sndtotal++;
      st.sndreply++;
      env.trace('arp', 'reply', pkt, { if: ifp.name, ip: ipToString(answer.addr), to: ipToString(r.spa), reqPkt: m.pktId });
      this.send(ifp, r.sha, { op: ArpOp.Reply, sha: ifp.lladdr, spa: answer.addr, tha: r.sha, tpa: r.spa }, pkt);
    }
  }

  private update(e: ArpEntry, ifp: Ifnet, mac: Uint8Array, pkt: number): void {
    const env = this.s.env;
    if (e.permanent) {
      this.s.stats.arp.rcvoverperm++;
      env.log(`arp: attempt to overwrite permanent entry for ${ipToString(e.ip)} by ${macToString(mac)} on ${ifp.name}`);
      return;
    }
    if (e.mac && !macEquals(e.mac, mac)) {
      this.s.stats.arp.rcvover++;
      env.log(`arp info overwritten for ${ipToString(e.ip)} by ${macToString(mac)}`);
    }
    e.mac = mac.slice();
    e.ifp = ifp;
    e.expire = this.uptime() + ARPT_KEEP_S;
    e.asked = 0;
    e.lastAsk = -1;
    env.trace('arp', 'resolved', pkt, { ip: ipToString(e.ip), mac: macToString(mac) });
    const held = e.hold;
    e.hold = null;
    if (held) {
      this.s.stats.arp.dfrsent++;
      const f = new EthernetFrame(held.data);
      f.setDst(mac);
      e.use++;
      env.trace('arp', 'hold-send', held.pktId, { ip: ipToString(e.ip) });
      this.s.ether.transmit(ifp, held);
    }
  }

  /** `arp -s`: a permanent entry. */
  addPermanent(ifp: Ifnet, ip: Ipv4Addr, mac: Uint8Array): void {
    const e = this.table.get(ip) ?? this.create(ifp, ip);
    e.mac = mac.slice();
    e.permanent = true;
    e.expire = 0;
  }

  delete(ip: Ipv4Addr): boolean {
    return this.table.delete(ip);
  }

  /** Drop entries of an interface going away. */
  flushIfp(ifp: Ifnet): void {
    for (const [ip, e] of this.table) if (e.ifp === ifp) this.table.delete(ip);
  }

  /** arptimer: forget expired resolved entries (every arpt_prune seconds in NetBSD; here on demand). */
  prune(): void {
    const now = this.uptime();
    for (const [ip, e] of this.table) {
      if (!e.permanent && e.mac && e.expire <= now && !e.hold) this.table.delete(ip);
    }
  }
}
