/**
 * QnetTransport's receive side: one LwL4 frame (CRC already checked by the module) → TCS session set-up,
 * acknowledgement, reassembly and delivery, NR ping answers (docs/design/qnet-behaviour.md §3.4; types as
 * packet-qnet6.c names them: TCS_INIT 1, TCS_REM_UP 2, TCS_UP 3, TCS_DOWN 4, TCS_REM_DOWN 5, Data 8,
 * Ack 9, Nack 10). The choices are described in l4.ts's header; everything refused here is counted
 * (l4 rx_bad: unparsable, out-of-window or one stream too many; qos pkts_rxd_noL4: no session for it) and
 * traced, never thrown. A data frame goes to the peer's stream its qos_type / src_qos_idx name (session.ts);
 * its ACK echoes both; a whole message is handed up with the QoS it came with (qos.ts arrivalQos).
 */
import { macToString } from '../wire/addr';
import { QnetL4Flag, QnetL4Type, QnetLayer, QnetNrRepr, QnetNrType, QnetTcsInitRepr, type QnetL4Repr } from '../wire/qnet';
import { WireError } from '../wire/view';
import { QnetCost } from './defaults';
import type { QnetTransport } from './l4';
import { arrivalQos } from './qos';
import { rxKey, RX_STREAMS_MAX, type PeerState, type QnetSession } from './session';
import type { QnetLink } from './types';

const WHOLE = QnetL4Flag.FIRST | QnetL4Flag.LAST;

export class QnetL4Input {
  constructor(private readonly t: QnetTransport) {}

  input(link: QnetLink, src: Uint8Array, l4: QnetL4Repr): void {
    const t = this.t;
    t.env.charge(QnetCost.frame + QnetCost.perByte * l4.payload.length);
    t.stats.l4.rx_frames++;
    t.stats.l4.rx_bytes += l4.payload.length + 38;
    switch (l4.type) {
      case QnetL4Type.TcsInit: return this.tcsInit(link, src, l4);
      case QnetL4Type.TcsUp:
      case QnetL4Type.TcsRemUp: return this.tcsUp(link, src, l4);
      case QnetL4Type.TcsDown:
      case QnetL4Type.TcsRemDown: return this.tcsDown(link, l4);
      case QnetL4Type.Data:
      case QnetL4Type.UserData: return l4.layer === QnetLayer.NR ? this.nr(link, src, l4) : this.data(link, src, l4);
      case QnetL4Type.Ack: return this.ack(link, src, l4);
      case QnetL4Type.Nack: return this.nack(link, src, l4);
      default:
        t.stats.l4.rx_bad++;
        return this.drop(link, src, l4, `LwL4 type ${l4.type} not handled by the transport`);
    }
  }

  private drop(link: QnetLink, src: Uint8Array, l4: QnetL4Repr, reason: string): void {
    this.t.env.trace('drop', { link: link.name, src: macToString(src), type: l4.type, seq: l4.seq, reason });
  }

  /**
   * The session a frame's dconn names, if its sconn fits (0 while we wait for the peer's TCS_UP) and it
   * comes from the peer's MAC on that link (when we know one there).
   */
  private session(link: QnetLink, src: Uint8Array, l4: QnetL4Repr): { ps: PeerState; s: QnetSession } | null {
    const ps = this.t.sessions.get(l4.dconn);
    const s = ps?.session;
    if (!ps || !s || s.localId !== l4.dconn) return null;
    if (s.remoteId !== 0 && s.remoteId !== l4.sconn) return null;
    const known = ps.peer.macs[link.index];
    if (known && !sameMac(known, src)) return null;
    return { ps, s };
  }

  /** A frame from the peer on `link`: it is alive there; learn its ND for us. */
  private heard(ps: PeerState, s: QnetSession, link: QnetLink, l4: QnetL4Repr): void {
    s.lastRxAt = this.t.env.now();
    if (l4.srcNdForDst !== 0) ps.peer.remoteNd = l4.srcNdForDst;
    const pl = ps.links[link.index];
    if (!pl) return;
    pl.pingSentAt = null;
    pl.timeouts = 0;
    if ((pl.state === 'down' || ps.down) && ps.peer.macs[link.index] != null) this.t.live.linkBack(ps, link);
  }

  private tcsInit(link: QnetLink, src: Uint8Array, l4: QnetL4Repr): void {
    const t = this.t;
    const init = QnetTcsInitRepr.parse(l4.payload, !l4.bigEndian);
    if (init instanceof WireError) {
      t.stats.l4.rx_bad++;
      return this.drop(link, src, l4, init.reason);
    }
    if (init.dstName !== t.local.name || init.dstDomain !== t.local.domain) {
      t.stats.qos.pkts_rxd_noL4++;
      return this.drop(link, src, l4, `TCS_INIT for ${init.dstName}.${init.dstDomain}, not us`);
    }
    const known = [...t.peers.values()].find((p) => sameMac(p.peer.macs[link.index], src));
    const peer = known?.peer ?? t.upper.peerFor(link, src, init.srcName, init.srcDomain);
    if (!peer) {
      t.stats.qos.pkts_rxd_noL4++;
      return this.drop(link, src, l4, `TCS_INIT from ${init.srcName}: refused`);
    }
    const ps = t.state(peer);
    if (l4.srcNdForDst !== 0) peer.remoteNd = l4.srcNdForDst;
    t.env.charge(QnetCost.control);
    let s = ps.session;
    if (s && s.state === 'init' && s.remoteId === 0) {
      // Both sides opened at once: adopt its id.
      s.remoteId = l4.sconn;
      s.state = 'up';
      t.stats.qos.rx_conn_created++;
    } else if (!(s && s.state === 'up' && s.remoteId === l4.sconn)) {
      // A new session from the peer (first contact, its restart, or after it gave us up).
      s = t.restart(ps, l4.sconn);
      t.stats.qos.rx_conn_created++;
    } // else: a repeat (our TCS_UP was lost): answer again.
    t.env.trace('tcs-up', { peer: peer.name, link: link.name, sconn: s.localId, dconn: s.remoteId });
    t.output(ps, link, t.header(ps, s, link, QnetL4Type.TcsUp, WHOLE, QnetLayer.KIF, 0), new Uint8Array(0), src, QnetCost.control);
    this.heard(ps, s, link, l4);
    t.pump(ps);
  }

  private tcsUp(link: QnetLink, src: Uint8Array, l4: QnetL4Repr): void {
    const e = this.session(link, src, l4);
    if (!e) {
      this.t.stats.qos.pkts_rxd_noL4++;
      return;
    }
    if (e.s.state === 'init') {
      e.s.remoteId = l4.sconn;
      e.s.state = 'up';
    }
    this.heard(e.ps, e.s, link, l4);
    this.t.pump(e.ps);
  }

  /** The peer has no session of ours (it restarted, or gave us up): start over, messages queued again. */
  private tcsDown(link: QnetLink, l4: QnetL4Repr): void {
    const t = this.t;
    const ps = t.sessions.get(l4.dconn);
    if (!ps || ps.session?.localId !== l4.dconn) {
      t.stats.qos.pkts_rxd_noL4++;
      return;
    }
    t.stats.qos.rx_conn_deleted++;
    t.env.trace('tcs-down', { peer: ps.peer.name, link: link.name, sconn: l4.dconn });
    const s = t.restart(ps);
    t.stats.qos.tx_conn_created++;
    t.sendInit(ps, s);
  }

  private data(link: QnetLink, src: Uint8Array, l4: QnetL4Repr): void {
    const t = this.t;
    const e = this.session(link, src, l4);
    if (!e) {
      t.stats.qos.pkts_rxd_noL4++;
      this.drop(link, src, l4, `no session 0x${l4.dconn.toString(16)} for sconn 0x${l4.sconn.toString(16)}`);
      // TCS_REM_DOWN: "your session is unknown here"; its dconn names the sender's session.
      const h = { type: QnetL4Type.TcsRemDown, flags: WHOLE, layer: QnetLayer.KIF, srcNdForDst: 0, dstNdForSrc: l4.srcNdForDst, sconn: 0, dconn: l4.sconn, seq: 0, qosType: 0, srcQosIdx: link.index, offset: 0 };
      t.output(null, link, h, new Uint8Array(0), src, QnetCost.control);
      return;
    }
    const { ps, s } = e;
    if (s.state === 'init') {
      // Its TCS_UP was lost but its data names our session: the session is up.
      s.remoteId = l4.sconn;
      s.state = 'up';
    }
    this.heard(ps, s, link, l4);
    const key = rxKey(l4.qosType, l4.srcQosIdx);
    const rx = s.rxStream(key, RX_STREAMS_MAX);
    if (!rx) {
      t.stats.l4.rx_bad++;
      return this.drop(link, src, l4, `stream ${key}: already ${RX_STREAMS_MAX} streams from ${ps.peer.name}`);
    }
    const r = rx.accept({ ...l4, link: link.index });
    if (r.verdict === 'window') {
      t.stats.l4.rx_bad++;
      return this.drop(link, src, l4, `seq ${l4.seq} of stream ${key} beyond the window (next ${rx.next})`);
    }
    if (r.verdict === 'dup') t.stats.l4.rx_dups++;
    if (r.outOfOrder) t.stats.qos.rx_seq_order++;
    t.stats.l4.rx_bad += r.discarded;
    t.stats.l4.tx_acks++;
    t.output(ps, link, { ...t.header(ps, s, link, QnetL4Type.Ack, WHOLE, l4.layer, l4.seq, l4.qosType), srcQosIdx: l4.srcQosIdx }, new Uint8Array(0), src);
    for (const m of r.messages) {
      if (m.frames > 1) t.stats.l4.rx_reassembled++;
      t.upper.deliver(ps.peer, m.layer, m.payload, arrivalQos(l4.qosType, t.links().find((l) => l.index === m.link)));
    }
    t.pump(ps);
  }

  private ack(link: QnetLink, src: Uint8Array, l4: QnetL4Repr): void {
    const t = this.t;
    const e = this.session(link, src, l4);
    if (!e) {
      t.stats.qos.pkts_rxd_noL4++;
      return;
    }
    t.stats.l4.rx_acks++;
    const { ps, s } = e;
    this.heard(ps, s, link, l4);
    const st = s.tx.get(rxKey(l4.qosType, l4.srcQosIdx));
    const f = st?.unacked.get(l4.seq);
    if (!st || !f) return;
    st.unacked.delete(l4.seq);
    t.unqueue(f);
    if (f.link) ps.links[f.link.index]!.timeouts = 0;
    const m = f.msg;
    if (m && !m.finished && --m.unacked === 0) {
      m.finished = true;
      m.done?.(0);
    }
    t.pump(ps);
  }

  private nack(link: QnetLink, src: Uint8Array, l4: QnetL4Repr): void {
    const t = this.t;
    const e = this.session(link, src, l4);
    if (!e) return;
    t.stats.l4.rx_nacks++;
    this.heard(e.ps, e.s, link, l4);
    const f = e.s.tx.get(rxKey(l4.qosType, l4.srcQosIdx))?.unacked.get(l4.seq);
    if (f?.link) t.retransmit(e.ps, e.s, f, f.link);
  }

  /** NR: answer ping requests (from anyone, by MAC); a reply shows the link alive. */
  private nr(link: QnetLink, src: Uint8Array, l4: QnetL4Repr): void {
    const t = this.t;
    const nr = QnetNrRepr.parse(l4.payload, !l4.bigEndian);
    if (nr instanceof WireError) {
      t.stats.l4.rx_bad++;
      return this.drop(link, src, l4, nr.reason);
    }
    const e = this.session(link, src, l4);
    if (nr.type === QnetNrType.PingRequest) {
      const body = new Uint8Array(1);
      QnetNrRepr.emit({ type: QnetNrType.PingReply }, body);
      const h = {
        type: QnetL4Type.Data, flags: WHOLE, layer: QnetLayer.NR, srcNdForDst: e?.ps.peer.nd ?? 0, dstNdForSrc: l4.srcNdForDst,
        sconn: l4.dconn, dconn: l4.sconn, seq: 0, qosType: 0, srcQosIdx: link.index, offset: 0,
      };
      t.output(null, link, h, body, src);
      if (e) this.heard(e.ps, e.s, link, l4);
      return;
    }
    if (nr.type === QnetNrType.PingReply) {
      if (e) this.heard(e.ps, e.s, link, l4);
      else t.stats.qos.pkts_rxd_noL4++;
      return;
    }
    t.stats.qos.pkts_rxd_noL4++;
    this.drop(link, src, l4, `NR type ${nr.type} (remote name resolution) not modelled`);
  }
}

function sameMac(a: Uint8Array | null | undefined, b: Uint8Array): boolean {
  return !!a && a.length === b.length && a.every((x, i) => x === b[i]);
}
