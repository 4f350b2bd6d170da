/**
 * QnetTransport's link liveness and failure handling (docs/design/qnet-behaviour.md §1.6, §3.4; the rules
 * are listed in l4.ts's header): retransmission timeouts per link and tick, a link declared down after
 * tx_retries + 1 timed-out ticks and its frames moved, a link taken back when the peer is heard on it, a
 * message given up (its sequenced frames turned into hole fillers in its stream), and the whole peer given up.
 * A link's state is the peer's, shared by every QoS stream of the session (session.ts).
 */
import { uniq } from 'lodash';
import { Errno } from '../../kernel/api';
import { QnetL4Flag, QnetLayer, QNET_L4_HDR_LEN } from '../wire/qnet';
import type { QnetTransport } from './l4';
import { anyLinkUp, chooseLink, linkUp } from './qos';
import type { PeerState, QnetSession, TxMessage } from './session';
import type { QnetLink, QosSpec } from './types';

const LOADBALANCE: QosSpec = { type: 'loadbalance' };
const WHOLE = QnetL4Flag.FIRST | QnetL4Flag.LAST;

export class QnetLiveness {
  constructor(private readonly t: QnetTransport) {}

  /** Per link: a tick in which a frame or heartbeat timed out counts; tx_retries + 1 in a row → down. */
  timeouts(ps: PeerState, s: QnetSession, now: number): void {
    const t = this.t;
    const rto = t.tun.txTimeoutTicks * t.tun.tickNs;
    for (const link of t.links()) {
      const pl = ps.links[link.index]!;
      if (pl.state !== 'up' || ps.session !== s || s.state !== 'up') continue;
      const expired = s.allUnacked().filter((f) => f.link === link && now - f.sentAt >= rto);
      const ping = pl.pingSentAt !== null && now - pl.pingSentAt >= rto;
      if (expired.length === 0 && !ping) continue;
      pl.timeouts++;
      if (!linkUp(ps, link)) this.linkDown(ps, link, link.usable() ? 'no MAC' : 'interface down');
      else if (pl.timeouts > t.tun.txRetries) this.linkDown(ps, link, `after ${t.tun.txRetries} retries`);
      else {
        for (const f of expired) t.retransmit(ps, s, f, link);
        if (ping) {
          pl.pingSentAt = now;
          t.sendPing(ps, s, link);
        }
      }
    }
  }

  /** `link` is down for the peer: move its frames (same seq) where their QoS allows. */
  linkDown(ps: PeerState, link: QnetLink, why: string): void {
    const t = this.t;
    const pl = ps.links[link.index]!;
    pl.state = 'down';
    pl.timeouts = 0;
    pl.pingSentAt = null;
    t.stats.qos.link_down++;
    t.env.log(`qnet: link ${link.name} to ${ps.peer.name} down ${why}`);
    t.env.trace('link-down', { peer: ps.peer.name, link: link.name, why });
    const s = ps.session;
    if (!anyLinkUp(ps, t.links())) return this.peerDown(ps, Errno.EHOSTDOWN);
    if (!s || s.state !== 'up') return;
    const moving = s.allUnacked().filter((f) => f.link === link);
    if (moving.length > 0) t.stats.qos.failovers++;
    for (const f of moving) {
      if (f.msg && f.msg.qos.type === 'exclusive') this.failMessage(ps, f.msg, Errno.EHOSTDOWN);
      else if (f.link === link) {
        const to = chooseLink(ps, t.links(), f.msg?.qos ?? LOADBALANCE, t.queued, QNET_L4_HDR_LEN + f.body.length);
        if (to) t.retransmit(ps, s, f, to);
      }
    }
    for (const f of s.allQueued()) if (f.msg && f.msg.qos.type === 'exclusive' && f.msg.qos.ifname === link.name) this.failMessage(ps, f.msg, Errno.EHOSTDOWN);
    t.pump(ps);
  }

  /** Traffic from the peer on a down link (a maintenance ping answered): it is up again, and so is the peer. */
  linkBack(ps: PeerState, link: QnetLink): void {
    const t = this.t;
    const pl = ps.links[link.index]!;
    pl.timeouts = 0;
    if (pl.state === 'down') {
      pl.state = 'up';
      t.stats.qos.link_up++;
      t.env.log(`qnet: link ${link.name} to ${ps.peer.name} up`);
      t.env.trace('link-up', { peer: ps.peer.name, link: link.name });
    }
    if (ps.down && linkUp(ps, link)) {
      ps.down = false;
      t.upper.peerUp(ps.peer);
    }
    t.pump(ps);
  }

  /** Give up `msg`: its sequenced frames become hole fillers (the stream must have no hole), the rest go. */
  failMessage(ps: PeerState, msg: TxMessage, errno: number): void {
    const t = this.t;
    if (msg.finished) return;
    msg.finished = true;
    t.stats.qos.tx_failed++;
    const s = ps.session;
    const st = s?.tx.get(msg.stream.key);
    if (st) st.queue = st.queue.filter((f) => f.msg !== msg);
    for (const f of st ? [...st.unacked.values()] : []) {
      if (f.msg !== msg) continue;
      const was = f.link;
      t.unqueue(f);
      f.link = null;
      f.msg = null;
      f.layer = QnetLayer.SEQ;
      f.flags = WHOLE;
      f.offset = 0;
      f.body = new Uint8Array(0);
      const link = was && linkUp(ps, was) ? was : chooseLink(ps, t.links(), LOADBALANCE, t.queued, 0);
      if (link && s) t.transmit(ps, s, f, link);
    }
    t.env.trace('msg-failed', { peer: ps.peer.name, errno, bytes: msg.payload.length });
    msg.done?.(errno);
  }

  /** Every link to the peer is down: all its messages fail; the session stays (down) for maintenance pings. */
  peerDown(ps: PeerState, errno: number): void {
    const t = this.t;
    if (ps.down) return;
    ps.down = true;
    if (ps.session) ps.session.state = 'down';
    this.failAll(ps, errno);
    t.upper.peerDown(ps.peer, errno);
  }

  /** Fail every queued and unacknowledged message of the peer with `errno` (done called once each). */
  failAll(ps: PeerState, errno: number): void {
    const t = this.t;
    const s = ps.session;
    const frames = s ? [...s.allUnacked(), ...s.allQueued()] : [];
    for (const f of frames) t.unqueue(f);
    const msgs = uniq(frames.map((f) => f.msg).filter((m): m is TxMessage => m !== null && !m.finished));
    for (const st of s ? s.tx.values() : []) {
      st.unacked.clear();
      st.queue = [];
    }
    for (const m of msgs) {
      m.finished = true;
      t.stats.qos.tx_failed++;
      m.done?.(errno);
    }
  }
}
