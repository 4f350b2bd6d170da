/**
 * QnetTransport: lsm-qnet's L4 and QoS session layer (npm-qnet-l4_lite.so (S2): L4 "implements an ISO
 * level-4 style transport to provide guaranteed, non-duplicate delivery"; QoS "implements the node-to-node
 * session protocol and handles transmission media selection"). docs/design/qnet-behaviour.md §1.6, §3.4.
 *
 * Modelled, each choice [ours] unless marked:
 * - Session per peer, set up on the first send: TCS_INIT (our name/domain and the peer's) on an up link,
 *   answered by a header-only TCS_UP naming the answerer's session id (packet-qnet6.c: "TX node up");
 *   repeated every conn_est_timeout ticks, conn_est_retries times, then every queued message fails with
 *   EHOSTUNREACH [doc: conn_est_* are the io-net Qnet's tunables] and upper.peerDown. A TCS_INIT with a new
 *   sconn restarts both directions (the peer restarted or gave us up): unacknowledged messages are sent
 *   again whole, from sequence 1. Data for an unknown session is answered TCS_REM_DOWN, which makes the
 *   sender start over the same way.
 * - One sequence stream per QoS spec and direction inside the session (session.ts: a frame's qos_type and
 *   src_qos_idx name its stream), numbered from 1 per frame, so a loss holds back only its own QoS; every
 *   data frame is acknowledged by a header-only ACK carrying its seq, qos_type and src_qos_idx, on the link
 *   it came in on (selective, never cumulative); NACKs are not sent (a received one triggers a retransmission). The receiver (reasm.ts)
 *   delivers whole messages once, in order.
 * - ≤ max_tx_bufs unacknowledged frames per stream; a frame unacknowledged for tx_timeout ticks (checked
 *   at each tick) is sent again on the same link; a link with timeouts in tx_retries + 1 consecutive ticks
 *   is down for that peer [doc: tx_retries controls "how long Qnet waits before deciding that a link has
 *   failed"]; its frames move, same seq, to a link their QoS allows (the receiver drops duplicates).
 *   Frames of an exclusive message whose link went down become sequence hole fillers (layer SEQ) so the
 *   stream has no hole; the message fails with EHOSTDOWN. No link up → every message fails EHOSTDOWN and
 *   upper.peerDown.
 * - NR pings (layer NR, seq 0, unacknowledged): every tick on each down link of a peer with a session
 *   ("periodic maintenance packets on the failed link", S10), and after conn_up_idle ticks of silence on
 *   each up link (a heartbeat, whose timeouts count like a frame's). Any frame from the peer on a down link
 *   brings it back up.
 * Frame layout and fragmentation: l4-frame.ts; link choice: qos.ts; reassembly: reasm.ts; input: l4-input.ts;
 * timeouts, link down/up and giving up: l4-liveness.ts; per-peer state: session.ts.
 */
import { uniq } from 'lodash';
import { Errno } from '../../kernel/api';
import { seqDiff } from '../tcp/fsm';
import { QnetL4Flag, QnetL4Type, QnetLayer, QnetNrRepr, QnetTcsInitRepr, QNET_L4_HDR_LEN, type QnetL4Repr } from '../wire/qnet';
import { QnetCost } from './defaults';
import type { QnetTunables } from './defaults';
import { admit, anyLinkUp, chooseLink, linkUp, reachableLinks, streamOf } from './qos';
import { buildL4, fragment } from './l4-frame';
import { newPeerLink, QnetSession, type PeerState, type TxFrame, type TxMessage, type TxStream } from './session';
import { QnetL4Input } from './l4-input';
import { QnetLiveness } from './l4-liveness';
import { qosSuffix } from './qos-spec';
import type { QnetEnv, QnetLink, QnetPeer, QnetStats, QnetTransportApi, QosSpec, TransportUpper } from './types';

/** This node's Qnet name (host_name= or the hostname) and domain, as TCS_INIT carries them. */
export interface QnetLocal {
  name: string;
  domain: string;
}

const WHOLE = QnetL4Flag.FIRST | QnetL4Flag.LAST;

export class QnetTransport implements QnetTransportApi {
  readonly peers = new Map<QnetPeer, PeerState>();
  /** Sessions by our id (the dconn of the peer's frames). */
  readonly sessions = new Map<number, PeerState>();
  /** Unacknowledged bytes per link index, all peers (loadbalance's queue estimate). */
  readonly queued: number[] = [];
  /**
   * Our next session id. [ours] The high 16 bits come from the virtual time (µs) at start-up, as BSD seeds
   * its ISS from the clock, so a restarted node does not reuse the ids its peers still hold.
   */
  private nextId: number;
  private readonly rx: QnetL4Input;
  readonly live: QnetLiveness;

  constructor(
    readonly env: QnetEnv,
    readonly links: () => readonly QnetLink[],
    readonly tun: QnetTunables,
    readonly stats: QnetStats,
    readonly upper: TransportUpper,
    readonly local: QnetLocal = { name: 'localhost', domain: '' },
  ) {
    this.rx = new QnetL4Input(this);
    this.live = new QnetLiveness(this);
    this.nextId = (Math.floor(env.now() / 1000) & 0xffff) * 0x10000 + 1;
  }

  send(peer: QnetPeer, qos: QosSpec, layer: number, payload: Uint8Array, done?: (errno: number) => void): number {
    const ps = this.state(peer);
    const err = admit(ps, this.links(), qos, Errno);
    if (err) {
      this.stats.qos.tx_begin_errors++;
      this.env.trace('send-refused', { peer: peer.name, qos: qos.type, errno: err });
      return err;
    }
    const msg: TxMessage = { qos, stream: streamOf(qos, this.links()), layer, payload: payload.slice(), done, unacked: 0, finished: false };
    const frames = fragment(msg, this.tun.mtuEn);
    msg.unacked = frames.length;
    if (frames.length > 1) this.stats.l4.tx_frags += frames.length;
    const opening = !ps.session || ps.session.state === 'down';
    const s = opening ? this.restart(ps) : ps.session!;
    s.stream(msg.stream).queue.push(...frames);
    if (opening) {
      this.stats.qos.tx_conn_created++;
      this.sendInit(ps, s);
    } else this.pump(ps);
    return 0;
  }

  input(link: QnetLink, src: Uint8Array, l4: QnetL4Repr): void {
    this.rx.input(link, src, l4);
  }

  tick(): void {
    const now = this.env.now();
    const T = this.tun.tickNs;
    for (const ps of [...this.peers.values()]) {
      const s = ps.session;
      if (s?.state === 'init' && now - s.initSentAt >= this.tun.connEstTimeout * T) {
        if (s.initRepeats >= this.tun.connEstRetries) this.initFailed(ps, s);
        else {
          s.initRepeats++;
          this.sendInit(ps, s);
        }
      }
      if (s?.state === 'up') this.live.timeouts(ps, s, now);
      const cur = ps.session;
      if (cur?.state === 'up' && cur.unackedCount === 0 && now - cur.lastRxAt >= this.tun.connUpIdle * T) {
        for (const l of this.links()) {
          const pl = ps.links[l.index]!;
          if (linkUp(ps, l) && pl.pingSentAt === null) {
            pl.pingSentAt = now;
            this.sendPing(ps, cur, l);
          }
        }
      }
      if (cur) for (const l of reachableLinks(ps, this.links())) if (ps.links[l.index]!.state === 'down') this.sendPing(ps, cur, l);
    }
  }

  describe(): string[] {
    const out: string[] = [];
    for (const ps of this.peers.values()) {
      const s = ps.session;
      const p = ps.peer;
      const head = `${p.name}${p.domain ? '.' + p.domain : ''} nd ${p.nd} (its nd for us ${p.remoteNd})${ps.down ? ' DOWN' : ''}`;
      const streams = s
        ? [
          ...[...s.tx.values()].map((st) => `, tx ${qosSuffix(st.id.qos).slice(1) || 'loadbalance'} seq ${st.txSeq} unacked ${st.unacked.size} queued ${st.queue.length}`),
          ...[...s.rx].map(([k, r]) => `, rx ${k} next ${r.next} held ${r.heldCount}`),
        ].join('')
        : '';
      const sess = s ? `session ${s.state} sconn 0x${s.localId.toString(16)} dconn 0x${s.remoteId.toString(16)}${streams}` : 'no session';
      const links = this.links()
        .map((l) => {
          const pl = ps.links[l.index]!;
          const why = p.macs[l.index] == null ? ' (no MAC)' : !l.usable() ? ' (interface down)' : '';
          return `${l.name} ${pl.state}${why}${pl.timeouts ? ` timeouts ${pl.timeouts}` : ''}`;
        })
        .join(', ');
      out.push(`${head}: ${sess}; ${links}`);
    }
    return out;
  }

  // ---- shared with l4-input.ts -----------------------------------------------------------------------------

  state(peer: QnetPeer): PeerState {
    let ps = this.peers.get(peer);
    if (!ps) {
      ps = { peer, links: this.links().map(() => newPeerLink()), session: null, down: false };
      this.peers.set(peer, ps);
    }
    while (ps.links.length < this.links().length) ps.links.push(newPeerLink());
    return ps;
  }

  /**
   * A new session for `ps`, the messages of the old one queued again whole in their streams (from sequence 1);
   * up at once when `remoteId` is known.
   */
  restart(ps: PeerState, remoteId?: number): QnetSession {
    const old = ps.session;
    const pending = old ? [...old.allUnacked(), ...old.allQueued()] : [];
    const msgs = uniq(pending.map((f) => f.msg).filter((m): m is TxMessage => m !== null && !m.finished));
    if (old) {
      for (const f of old.allUnacked()) this.unqueue(f);
      this.sessions.delete(old.localId);
      if (old.state === 'up') this.stats.qos.tx_conn_deleted++;
    }
    const s = new QnetSession(this.nextId, this.env.now(), this.tun.maxTxBufs);
    this.nextId = (this.nextId + 1) >>> 0 || 1;
    for (const m of msgs) {
      const fr = fragment(m, this.tun.mtuEn);
      m.unacked = fr.length;
      s.stream(m.stream).queue.push(...fr);
    }
    if (remoteId !== undefined) {
      s.remoteId = remoteId;
      s.state = 'up';
    }
    ps.session = s;
    this.sessions.set(s.localId, ps);
    return s;
  }

  /** Send what each stream's window allows, streams in the order they were opened. */
  pump(ps: PeerState): void {
    const s = ps.session;
    if (!s || s.state !== 'up') return;
    for (const st of s.tx.values()) {
      while (st.queue.length > 0 && this.windowOpen(st)) {
        const f = st.queue[0]!;
        const msg = f.msg!;
        const link = chooseLink(ps, this.links(), msg.qos, this.queued, QNET_L4_HDR_LEN + f.body.length);
        if (!link) {
          if (msg.qos.type !== 'exclusive' && !anyLinkUp(ps, this.links())) return this.live.peerDown(ps, Errno.EHOSTDOWN);
          this.live.failMessage(ps, msg, Errno.EHOSTDOWN);
          continue;
        }
        st.queue.shift();
        f.seq = st.takeSeq();
        st.unacked.set(f.seq, f);
        this.transmit(ps, s, f, link);
      }
    }
  }

  /**
   * Room for a new frame: its seq within max_tx_bufs of the stream's oldest unacknowledged one (the left edge,
   * as TCP's snd_una + window), so the receiver, holding at most max_tx_bufs frames past a gap, can take it.
   */
  private windowOpen(st: TxStream): boolean {
    const oldest = st.unacked.keys().next();
    return oldest.done || seqDiff(st.txSeq, oldest.value) < this.tun.maxTxBufs;
  }

  /** (Re)send `f` on `link`, moving its bytes there in the load estimate. */
  transmit(ps: PeerState, s: QnetSession, f: TxFrame, link: QnetLink): void {
    this.unqueue(f);
    f.link = link;
    f.sentAt = this.env.now();
    this.queued[link.index] = (this.queued[link.index] ?? 0) + QNET_L4_HDR_LEN + f.body.length;
    const idx = f.stream.qosIdx >= 0 ? f.stream.qosIdx : link.index;
    this.output(ps, link, { ...this.header(ps, s, link, QnetL4Type.Data, f.flags, f.layer, f.seq, f.stream.qosType, f.offset), srcQosIdx: idx }, f.body);
  }

  retransmit(ps: PeerState, s: QnetSession, f: TxFrame, link: QnetLink): void {
    this.stats.l4.tx_retrans++;
    this.env.trace('retrans', { peer: ps.peer.name, seq: f.seq, link: link.name, moved: f.link !== link });
    this.transmit(ps, s, f, link);
  }

  /** Take `f`'s bytes off its link's load estimate. */
  unqueue(f: TxFrame): void {
    if (f.link) this.queued[f.link.index] = Math.max(0, (this.queued[f.link.index] ?? 0) - QNET_L4_HDR_LEN - f.body.length);
  }

  header(ps: PeerState, s: QnetSession, link: QnetLink, type: number, flags: number, layer: number, seq: number, qosType = 0, offset = 0) {
    return {
      type, flags, layer, srcNdForDst: ps.peer.nd, dstNdForSrc: ps.peer.remoteNd, sconn: s.localId, dconn: s.remoteId, seq, qosType,
      srcQosIdx: link.index, offset,
    };
  }

  output(ps: PeerState | null, link: QnetLink, h: Parameters<typeof buildL4>[0], body: Uint8Array, dst?: Uint8Array, cost: number = QnetCost.frame): void {
    const mac = dst ?? ps?.peer.macs[link.index];
    if (!mac) return;
    const frame = buildL4(h, body, this.tun.doCrc);
    this.env.charge(cost + QnetCost.perByte * body.length);
    this.stats.l4.tx_frames++;
    this.stats.l4.tx_bytes += frame.length;
    this.env.output(link, mac, frame);
  }

  /** An NR ping request on `link` (seq 0: outside the sequence space, never acknowledged). */
  sendPing(ps: PeerState, s: QnetSession, link: QnetLink): void {
    const body = new Uint8Array(1);
    QnetNrRepr.emit({ type: 0 }, body);
    this.output(ps, link, this.header(ps, s, link, QnetL4Type.Data, WHOLE, QnetLayer.NR, 0), body);
  }

  sendInit(ps: PeerState, s: QnetSession): void {
    const head = [...s.tx.values()].find((st) => st.queue.length > 0)?.id.qos ?? { type: 'loadbalance' };
    const cands = head.type === 'exclusive' ? this.links().filter((l) => l.name === head.ifname && linkUp(ps, l)) : this.links().filter((l) => linkUp(ps, l));
    const link = cands.find((l) => l.index > s.initLinkIdx) ?? cands[0];
    s.initSentAt = this.env.now();
    if (!link) return;
    s.initLinkIdx = link.index;
    const t = { srcName: this.local.name, srcDomain: this.local.domain, dstName: ps.peer.name, dstDomain: ps.peer.domain };
    const body = new Uint8Array(QnetTcsInitRepr.bufferLen(t));
    QnetTcsInitRepr.emit(t, body);
    this.env.trace('tcs-init', { peer: ps.peer.name, link: link.name, sconn: s.localId, repeat: s.initRepeats });
    this.output(ps, link, this.header(ps, s, link, QnetL4Type.TcsInit, WHOLE, QnetLayer.KIF, 0), body, undefined, QnetCost.control);
  }

  private initFailed(ps: PeerState, s: QnetSession): void {
    this.sessions.delete(s.localId);
    this.env.log(`qnet: no answer from ${ps.peer.name} to TCS_INIT after ${this.tun.connEstRetries + 1} tries`);
    this.live.failAll(ps, Errno.EHOSTUNREACH);
    ps.session = null;
    this.upper.peerDown(ps.peer, Errno.EHOSTUNREACH);
  }
}
