/**
 * Qnet's QoS: which link a frame to a peer goes on, and when a link counts as up for that peer
 * (docs/design/qnet-behaviour.md §1.6; QNX sys_arch "Quality of Service (QoS) and multiple paths" (S10),
 * "Specifying QoS" (S11), lsm-qnet.so tx_retries (S1)).
 *
 * [doc] loadbalance: "a packet is queued on the link that can deliver the packet the soonest to the remote
 * end"; preferred: only the named link until it fails, then the others with loadbalance, and back when it
 * recovers; exclusive: only the named link, even when it fails. tx_retries bounds the retransmissions
 * before a link is considered failed; maintenance packets on a failed link detect its recovery.
 * [ours] "soonest" = (bytes this node has sent on the link and not yet had acknowledged + this frame) × 8 /
 * the link's bit rate, ties to the lowest QoS index; a link is up for a peer while it is usable() (interface
 * up and running), the peer has a MAC on it, and tx_retries consecutive timeouts have not marked it down;
 * a timeout is counted once per tick per link, whatever the number of frames that expired in that tick.
 * [ours] Each QoS spec has its own sequence stream (session.ts); a preferred spec naming an interface this node
 * does not have behaves, and is sequenced, as loadbalance. The QoS a received message is handed up with
 * (and a server's node answers with, kif-server.ts) is its frames' qos_type on the interface its first frame
 * arrived on: the sender's interface names mean nothing on this node.
 */
import { QnetQosType } from '../wire/qnet';
import { QOS_WIRE } from './qos-spec';
import type { QnetLink, QosSpec } from './types';
import { rxKey, type PeerState, type StreamId } from './session';

const LOADBALANCE: StreamId = { key: rxKey(QnetQosType.LoadBalance, 0), qos: { type: 'loadbalance' }, qosType: QnetQosType.LoadBalance, qosIdx: -1 };

/** The stream a message with `qos` is sequenced in (its key and the qos_type / src_qos_idx its frames carry). */
export function streamOf(qos: QosSpec, links: readonly QnetLink[]): StreamId {
  const l = qos.type === 'loadbalance' ? undefined : qosLink(links, qos);
  if (!l) return LOADBALANCE;
  const qosType = QOS_WIRE[qos.type];
  return { key: rxKey(qosType, l.index), qos: { type: qos.type, ifname: l.name }, qosType, qosIdx: l.index };
}

/** The QoS of a message received with `qosType` whose first frame came in on `link` (what an answer uses). */
export function arrivalQos(qosType: number, link: QnetLink | undefined): QosSpec {
  if (link && qosType === QnetQosType.Preferred) return { type: 'preferred', ifname: link.name };
  if (link && qosType === QnetQosType.Exclusive) return { type: 'exclusive', ifname: link.name };
  return { type: 'loadbalance' };
}

/** The link `qos` names (preferred / exclusive), by interface name. */
export function qosLink(links: readonly QnetLink[], qos: QosSpec): QnetLink | undefined {
  return qos.ifname === undefined ? undefined : links.find((l) => l.name === qos.ifname);
}

/** The peer can be reached on `link` now. */
export function linkUp(ps: PeerState, link: QnetLink): boolean {
  return ps.links[link.index]?.state === 'up' && link.usable() && ps.peer.macs[link.index] != null;
}

/** Some link to the peer is up. */
export function anyLinkUp(ps: PeerState, links: readonly QnetLink[]): boolean {
  return links.some((l) => linkUp(ps, l));
}

/** Links with a MAC for the peer on a usable interface, whatever their state for it (where pings can go). */
export function reachableLinks(ps: PeerState, links: readonly QnetLink[]): QnetLink[] {
  return links.filter((l) => l.usable() && ps.peer.macs[l.index] != null);
}

/**
 * Loadbalance over `cands`: the link whose queue empties soonest, counting `bytes` more. `queued` is the
 * unacknowledged bytes per link index (all peers: they share the wire).
 */
export function soonest(cands: readonly QnetLink[], queued: readonly number[], bytes: number): QnetLink | null {
  let best: QnetLink | null = null;
  let bestT = Infinity;
  for (const l of cands) {
    const t = (((queued[l.index] ?? 0) + bytes) * 8) / Math.max(1, l.bps());
    if (t < bestT || (t === bestT && best !== null && l.index < best.index)) {
      best = l;
      bestT = t;
    }
  }
  return best;
}

/** The link for the next frame of a message with `qos` (null: none allowed is up). */
export function chooseLink(ps: PeerState, links: readonly QnetLink[], qos: QosSpec, queued: readonly number[], bytes: number): QnetLink | null {
  const up = links.filter((l) => linkUp(ps, l));
  if (qos.type === 'exclusive') {
    const x = qosLink(links, qos);
    return x && up.includes(x) ? x : null;
  }
  if (qos.type === 'preferred') {
    const p = qosLink(links, qos);
    if (p && up.includes(p)) return p;
  }
  return soonest(up, queued, bytes);
}

/**
 * Why send() must refuse a message at once (0: it can be queued): EHOSTUNREACH when no link has a MAC for
 * the peer (or exclusive names a link without one, or no such link), EHOSTDOWN when the peer is known down
 * or exclusive's link is down for it.
 */
export function admit(ps: PeerState, links: readonly QnetLink[], qos: QosSpec, errno: { EHOSTDOWN: number; EHOSTUNREACH: number }): number {
  if (qos.type === 'exclusive') {
    const x = qosLink(links, qos);
    if (!x || ps.peer.macs[x.index] == null) return errno.EHOSTUNREACH;
    if (ps.down || !linkUp(ps, x)) return errno.EHOSTDOWN;
    return 0;
  }
  if (!links.some((l) => ps.peer.macs[l.index] != null)) return errno.EHOSTUNREACH;
  if (ps.down || !anyLinkUp(ps, links)) return errno.EHOSTDOWN;
  return 0;
}
