/**
 * Qnet's built-in LAN resolver ("en" resolver; sys_arch "Resolvers", lsm-qnet.so auto_add=): maps node names
 * to MAC addresses per link, ARP-like, with LwL4 frames of type 0x0b (Lan Resolver) in layer 2 (LR) whose
 * body is the LR message (wire/qnet-lr.ts; packet-qnet6.c dissect_qnet6_lr).
 *
 * - A request asks "who is <dst name>.<dst domain>? tell <src>@<src MAC>", broadcast on every bound link; the
 *   node so named answers with a reply unicast to the asker on the link it came in on.
 * - Advertisement (auto_add): at start-up, and every auto_add ticks, the resolver "broadcasts its own mappings
 *   on all interfaces". The dissector shows no separate message for it; ours [ours] is a reply (type 2) sent
 *   to ff:ff:ff:ff:ff:ff with our name, domain and MAC as source and no destination (a gratuitous reply, as a
 *   gratuitous ARP is); tshark shows `To ".", "alpha.dom" is at <MAC>`.
 * - auto_add=0 sends no advertisements and discards unsolicited ones: only replies to our own requests add
 *   nodes, so /net holds just the nodes local programs opened (lsm-qnet.so page). Otherwise an advertisement
 *   or a request naming us adds the sender. Any LR message from a node we already know refreshes its MAC on
 *   that link (as arpintr updates an existing entry).
 * - resolve(): an open of /net/<name> for a node without a MAC sends a request on every bound link, repeats it
 *   every conn_est_timeout ticks up to conn_est_retries times, then gives up (the open fails with ENOENT).
 */
import { ETHER_BROADCAST, macEquals } from '../wire/addr';
import { QNET_FLAGS_WHOLE, QnetL4Packet, QnetL4Repr, QnetL4Type, QnetLayer, QnetQosType } from '../wire/qnet';
import { QnetLrPacket, QnetLrRepr, QnetLrType } from '../wire/qnet-lr';
import { WireError } from '../wire/view';
import type { QnetTunables } from './defaults';
import { QnetCost } from './defaults';
import { fqnn, type QnetNodes } from './nodes';
import type { QnetEnv, QnetLink, QnetPeer, QnetStats } from './types';

interface Pending {
  name: string;
  domain: string;
  /** Ticks since the last request went out. */
  ticks: number;
  /** Requests sent so far (the first included). */
  sent: number;
  waiters: ((peer: QnetPeer | null) => void)[];
}

export class LanResolver {
  private readonly pending: Pending[] = [];
  private ticksSinceAdvert = 0;

  constructor(
    private readonly env: QnetEnv,
    private readonly links: () => readonly QnetLink[],
    private readonly nodes: QnetNodes,
    private readonly tun: QnetTunables,
    private readonly stats: QnetStats,
  ) {}

  /** A link was bound (at start-up, or attached later): advertise our mapping on it (unless auto_add=0). */
  advertiseOn(link: QnetLink): void {
    if (this.tun.autoAdd === 0 || !link.usable()) return;
    this.stats.lr.tx_broadcasts++;
    this.send(link, ETHER_BROADCAST as Uint8Array, { type: QnetLrType.Reply, dstName: '', dstDomain: '', dstMac: null });
  }

  /** Qnet's tick: the periodic advertisement and the repeats (or failures) of outstanding requests. */
  tick(): void {
    if (this.tun.autoAdd > 0 && ++this.ticksSinceAdvert >= this.tun.autoAdd) this.advertise();
    for (const p of [...this.pending]) {
      if (++p.ticks < this.tun.connEstTimeout) continue;
      if (p.sent <= this.tun.connEstRetries) {
        p.ticks = 0;
        p.sent++;
        this.request(p.name, p.domain);
        continue;
      }
      this.pending.splice(this.pending.indexOf(p), 1);
      this.stats.lr.unresolved++;
      this.env.trace('lr-unresolved', { node: fqnn(p.name, p.domain), requests: p.sent });
      for (const w of p.waiters) w(null);
    }
  }

  /** Outstanding name requests (the debugger and tests). */
  outstanding(): string[] {
    return this.pending.map((p) => fqnn(p.name, p.domain));
  }

  /**
   * `done(peer)` once `name.domain` has a MAC on some link (at once when it already has), `done(null)` when
   * the requests went unanswered.
   */
  resolve(name: string, domain: string, done: (peer: QnetPeer | null) => void): void {
    const known = this.nodes.find(name, domain);
    if (known && this.nodes.reachable(known)) {
      done(known);
      return;
    }
    const p = this.pending.find((x) => x.name === name && x.domain === domain);
    if (p) {
      p.waiters.push(done);
      return;
    }
    this.pending.push({ name, domain, ticks: 0, sent: 1, waiters: [done] });
    this.request(name, domain);
  }

  /** An LwL4 frame of type LR from `src` on `link`. */
  input(link: QnetLink, src: Uint8Array, l4: QnetL4Repr): void {
    this.env.charge(QnetCost.control);
    const lr = QnetLrRepr.parse(new QnetLrPacket(l4.payload, !l4.bigEndian));
    if (lr instanceof WireError) {
      this.stats.l4.rx_bad++;
      this.env.trace('drop', { if: link.name, reason: `LR: ${lr.reason}` });
      return;
    }
    const mac = lr.srcMac ?? src;
    if (macEquals(mac, link.mac) || this.nodes.isSelf(lr.srcName, lr.srcDomain)) {
      this.env.trace('drop', { if: link.name, reason: `LR from ourselves (${fqnn(lr.srcName, lr.srcDomain)})` });
      return;
    }
    if (lr.type === QnetLrType.Request) {
      this.stats.lr.rx_requests++;
      const forUs = this.nodes.isSelf(lr.dstName, lr.dstDomain === '' ? this.nodes.selfDomain : lr.dstDomain);
      this.learn(link, lr.srcName, lr.srcDomain, mac, forUs && this.tun.autoAdd > 0);
      if (forUs) this.reply(link, mac, lr.srcName, lr.srcDomain);
      return;
    }
    const advert = lr.dstName === '';
    if (advert) this.stats.lr.rx_broadcasts++;
    else this.stats.lr.rx_replies++;
    const asked = this.pending.find((p) => p.name === lr.srcName && p.domain === lr.srcDomain);
    const peer = this.learn(link, lr.srcName, lr.srcDomain, mac, asked !== undefined || this.tun.autoAdd > 0);
    if (asked && peer) {
      this.pending.splice(this.pending.indexOf(asked), 1);
      for (const w of asked.waiters) w(peer);
    }
  }

  /** Refresh a known node's MAC on `link`; add the node when `add`. */
  private learn(link: QnetLink, name: string, domain: string, mac: Uint8Array, add: boolean): QnetPeer | null {
    const peer = add ? this.nodes.findOrAdd(name, domain) : this.nodes.find(name, domain);
    if (!peer) {
      this.env.trace('lr-ignore', { if: link.name, node: fqnn(name, domain), reason: 'unsolicited (auto_add=0)' });
      return null;
    }
    const had = peer.macs[link.index];
    this.nodes.setMac(peer, link.index, mac);
    if (!had || !macEquals(had, mac)) this.env.trace('lr-learn', { if: link.name, node: fqnn(name, domain), nd: peer.nd });
    return peer;
  }

  private advertise(): void {
    this.ticksSinceAdvert = 0;
    for (const link of this.links()) this.advertiseOn(link);
  }

  private request(name: string, domain: string): void {
    for (const link of this.links()) {
      if (!link.usable()) continue;
      this.stats.lr.tx_requests++;
      this.send(link, ETHER_BROADCAST as Uint8Array, { type: QnetLrType.Request, dstName: name, dstDomain: domain, dstMac: null });
    }
  }

  private reply(link: QnetLink, to: Uint8Array, name: string, domain: string): void {
    this.stats.lr.tx_replies++;
    this.send(link, to, { type: QnetLrType.Reply, dstName: name, dstDomain: domain, dstMac: to });
  }

  /** An LR message from us on `link`: LwL4 type 0x0b, layer LR, whole (first|last|crc), our link's QoS index. */
  private send(link: QnetLink, dst: Uint8Array, d: Pick<QnetLrRepr, 'type' | 'dstName' | 'dstDomain' | 'dstMac'>): void {
    const lr: QnetLrRepr = { ...d, srcName: this.nodes.selfName, srcDomain: this.nodes.selfDomain, srcMac: link.mac };
    const body = new Uint8Array(QnetLrRepr.bufferLen(lr));
    QnetLrRepr.emit(lr, new QnetLrPacket(body));
    const l4: QnetL4Repr = {
      bigEndian: false, type: QnetL4Type.Lr, flags: QNET_FLAGS_WHOLE, layer: QnetLayer.LR, srcNdForDst: 0, dstNdForSrc: 0,
      sconn: 0, dconn: 0, seq: 0, qosType: QnetQosType.LoadBalance, srcQosIdx: link.index, offset: 0, payload: body,
    };
    const buf = new Uint8Array(QnetL4Repr.bufferLen(l4));
    QnetL4Repr.emit(l4, new QnetL4Packet(buf));
    this.env.charge(QnetCost.control + QnetCost.perByte * buf.length);
    this.env.trace('lr-tx', { if: link.name, type: d.type === QnetLrType.Request ? 'request' : d.dstName === '' ? 'advert' : 'reply', dst: fqnn(d.dstName, d.dstDomain) });
    this.env.output(link, dst, buf);
  }
}
