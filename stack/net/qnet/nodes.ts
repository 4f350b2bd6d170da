/**
 * Qnet's node table: the nodes this node knows (name, domain, MAC per link) and the node descriptors it hands
 * out for them. As QNX documents (Getting Started "Some notes on NDs"; prog. guide "Node descriptors"):
 * - ND_LOCAL_NODE (0) is this node; a peer's ND is a small per-node number given in the order this node first
 *   learned of it (1, 2, 3 …). Not network-unique: alpha's ND for gamma may differ from beta's.
 * - An ND also carries the QoS it was asked with (`/net/beta~preferred:en1`): here bits 16 and up are a slot
 *   in a node-wide table of distinct (policy, interface) pairs, slot 0 = loadbalance (kif.ts). ND_NODE_CMP
 *   compares the node part only.
 * - Names: node name = _CS_HOSTNAME (no '/' or '.'), FQNN = name.domain; /net shows nodes of our own domain by
 *   their short name and others by FQNN (user's guide "Conventions for naming nodes").
 * - netmgr_strtond accepts "beta", "beta.dom", "/net/beta~preferred:en1"; netmgr_ndtostr gives the FQNN plus
 *   the QoS when it is not the default loadbalance.
 */
import { ND_LOCAL_NODE, ND_NODE_MASK } from '../../kernel/kif';
import { parseNodeQos, qosSuffix } from './qos-spec';
import type { QnetNdTable, QnetPeer, QosSpec } from './types';

/** The largest QoS slot (keeps an ND a positive 31-bit int). */
const MAX_SLOT = 0x7fff;

class Peer implements QnetPeer {
  readonly macs: (Uint8Array | null)[] = [];
  remoteNd = 0;
  constructor(readonly nd: number, readonly name: string, readonly domain: string) {}
}

/** "beta.dom" → name and domain; a name without a domain part is in `ownDomain`. */
export function splitFqnn(s: string, ownDomain: string): { name: string; domain: string } {
  const dot = s.indexOf('.');
  return dot < 0 ? { name: s, domain: ownDomain } : { name: s.slice(0, dot), domain: s.slice(dot + 1) };
}

export function fqnn(name: string, domain: string): string {
  return domain === '' ? name : `${name}.${domain}`;
}

export class QnetNodes implements QnetNdTable {
  private readonly byNd = new Map<number, Peer>();
  private nextNd = 1;
  /** QoS slots: index = slot; slot 0 is loadbalance. */
  private readonly slots: QosSpec[] = [{ type: 'loadbalance' }];

  constructor(readonly selfName: string, readonly selfDomain: string) {}

  get selfFqnn(): string {
    return fqnn(this.selfName, this.selfDomain);
  }

  isSelf(name: string, domain: string): boolean {
    return name === this.selfName && domain === this.selfDomain;
  }

  /** Every known peer, in ND order. */
  list(): QnetPeer[] {
    return [...this.byNd.values()];
  }

  find(name: string, domain: string): QnetPeer | null {
    for (const p of this.byNd.values()) if (p.name === name && p.domain === domain) return p;
    return null;
  }

  /** The peer `mac` belongs to on link `link`, or null. */
  byMac(link: number, mac: Uint8Array): QnetPeer | null {
    for (const p of this.byNd.values()) {
      const m = p.macs[link];
      if (m && m.length === mac.length && m.every((b, i) => b === mac[i])) return p;
    }
    return null;
  }

  /** The peer named so, created (with the next ND) if new. Null for this node itself or when NDs ran out. */
  findOrAdd(name: string, domain: string): QnetPeer | null {
    if (this.isSelf(name, domain)) return null;
    const known = this.find(name, domain);
    if (known) return known;
    if (this.nextNd > ND_NODE_MASK) return null;
    const p = new Peer(this.nextNd++, name, domain);
    this.byNd.set(p.nd, p);
    return p;
  }

  /** Record `peer`'s MAC on link `link` (another peer that had this MAC there loses it: the MAC moved). */
  setMac(peer: QnetPeer, link: number, mac: Uint8Array): void {
    const prev = this.byMac(link, mac);
    if (prev && prev !== peer) prev.macs[link] = null;
    while (peer.macs.length <= link) peer.macs.push(null);
    peer.macs[link] = mac.slice(0, 6);
  }

  /** Does this node have a MAC for `peer` on some link? */
  reachable(peer: QnetPeer): boolean {
    return peer.macs.some((m) => m !== null);
  }

  // ---- node descriptors ------------------------------------------------------------------------------------

  ndOf(peer: QnetPeer): number {
    return peer.nd;
  }

  /** The QoS slot of `q`, allocated on first use; -1 when the table is full. */
  slotOf(q: QosSpec): number {
    const i = this.slots.findIndex((s) => s.type === q.type && (s.ifname ?? '') === (q.ifname ?? ''));
    if (i >= 0) return i;
    if (this.slots.length > MAX_SLOT) return -1;
    this.slots.push(q.type === 'loadbalance' ? { type: q.type } : { type: q.type, ifname: q.ifname ?? '' });
    return this.slots.length - 1;
  }

  /** This node's ND for `peer` asked with QoS `q` (node part | slot << 16); -1 when no slot is left. */
  ndFor(peer: QnetPeer, q: QosSpec): number {
    const slot = this.slotOf(q);
    return slot < 0 ? -1 : (peer.nd | (slot << 16)) >>> 0;
  }

  lookup(nd: number): { peer: QnetPeer; qos: QosSpec } | null {
    const peer = this.byNd.get(nd & ND_NODE_MASK);
    const qos = this.slots[nd >>> 16];
    return peer && qos ? { peer, qos } : null;
  }

  // ---- names (netmgr_strtond / netmgr_ndtostr, /net) --------------------------------------------------------

  /** "/net/beta~preferred:en1", "beta.dom", "beta" → name, domain, QoS; an error text for a bad QoS or name. */
  parseName(s: string): { name: string; domain: string; qos: QosSpec } | { error: string } {
    let t = s;
    if (t.startsWith('/net/')) t = t.slice('/net/'.length);
    if (t.endsWith('/')) t = t.slice(0, -1);
    if (t === '' || t.includes('/')) return { error: `'${s}' is not a node name` };
    const q = parseNodeQos(t);
    if ('error' in q) return q;
    const { name, domain } = splitFqnn(q.name, this.selfDomain);
    if (name === '') return { error: `'${s}' has no node name` };
    return { name, domain, qos: q.qos };
  }

  /** netmgr_strtond for a known node: its ND (0 for this node), or -1. */
  nameToNd(s: string): number {
    const r = this.parseName(s);
    if ('error' in r) return -1;
    if (this.isSelf(r.name, r.domain)) return ND_LOCAL_NODE;
    const p = this.find(r.name, r.domain);
    return p ? this.ndFor(p, r.qos) : -1;
  }

  /** netmgr_ndtostr's name: FQNN plus QoS suffix; ND_LOCAL_NODE is this node; null for an unknown ND. */
  ndToName(nd: number): string | null {
    if ((nd & ND_NODE_MASK) === ND_LOCAL_NODE) return this.selfFqnn;
    const r = this.lookup(nd);
    return r ? fqnn(r.peer.name, r.peer.domain) + qosSuffix(r.qos) : null;
  }

  /** The name /net shows for a node: short in our domain, FQNN otherwise. */
  dirName(name: string, domain: string): string {
    return domain === this.selfDomain ? name : fqnn(name, domain);
  }
}
