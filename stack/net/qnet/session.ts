/**
 * The transport's per-peer state (lsm-qnet's QoS/L4 "TCS" session, docs/design/qnet-behaviour.md §1.6, §3.4):
 * what a message to a peer becomes (TxMessage, its TxFrames), the session that carries them (ids exchanged by
 * TCS_INIT / TCS_UP), the sequence streams inside it, and each link's state for that peer.
 *
 * [ours] One TCS session per peer (sconn/dconn), and inside it one sequence stream per QoS and direction: the
 * sender's streams (TxStream) are keyed by its QoS spec (loadbalance, preferred:enX, exclusive:enX), each with
 * its own sequence numbers from 1, window, queue and retransmission state; every data frame says which stream
 * it belongs to by the header's qos_type and src_qos_idx (packet-qnet6.c shows both in every frame): for
 * preferred/exclusive, src_qos_idx is the sender's index of the link its QoS names (the same after a
 * failover), for loadbalance the link the frame goes on (the receiver has one loadbalance stream per sender).
 * The receiver keeps one QnetRxStream per (qos_type, src_qos_idx) it has seen; an ACK echoes both so the
 * sender finds the stream. So a frame lost on one link holds back only its own stream, never traffic of
 * another QoS (QNX's QoS pages: preferred traffic stays on its link while that link is up). Link liveness is
 * per (peer, link), shared by all streams. QNX documents the behaviour, not these structures.
 */
import { seqAdd } from '../tcp/fsm';
import { QnetQosType } from '../wire/qnet';
import type { QnetLink, QnetPeer, QosSpec } from './types';
import { QnetRxStream } from './reasm';

/** The stream a QoS spec sends on: its key and what its frames carry in qos_type / src_qos_idx. */
export interface StreamId {
  /** "0" for loadbalance, "<qos_type>:<src_qos_idx>" otherwise: the same string the receiver keys on. */
  readonly key: string;
  readonly qos: QosSpec;
  readonly qosType: number;
  /** src_qos_idx of every frame, or -1: the link each frame goes on (loadbalance). */
  readonly qosIdx: number;
}

/** A message given to send(): done once, when every frame is acknowledged (0) or when it is given up (errno). */
export interface TxMessage {
  readonly qos: QosSpec;
  readonly stream: StreamId;
  readonly layer: number;
  readonly payload: Uint8Array;
  readonly done: ((errno: number) => void) | undefined;
  /** Frames not yet acknowledged. */
  unacked: number;
  /** done() was called (delivered or given up). */
  finished: boolean;
}

/** One LwL4 data frame of a message, or a sequence hole filler (layer SEQ) standing for a frame given up. */
export interface TxFrame {
  /** null: a hole filler (the message it belonged to was given up after the frame took its sequence number). */
  msg: TxMessage | null;
  /** The stream whose sequence number it takes (qos_type / src_qos_idx in its header). */
  readonly stream: StreamId;
  layer: number;
  /** FIRST / LAST (CRC is added at output). */
  flags: number;
  /** Offset of `body` in the message (qnet6.l4.offset). */
  offset: number;
  body: Uint8Array;
  /** 0 until the frame is sequenced (transmitted for the first time). */
  seq: number;
  /** The link it was last sent on (retransmissions go there until that link is declared down). */
  link: QnetLink | null;
  /** Virtual time of the last (re)transmission, ns. */
  sentAt: number;
}

/** The receiver's key for a frame's stream (qos_type, src_qos_idx). */
export function rxKey(qosType: number, srcQosIdx: number): string {
  return qosType === QnetQosType.LoadBalance ? '0' : `${qosType}:${srcQosIdx}`;
}

/** One QoS's sending stream in a session. */
export class TxStream {
  /** Sequence number of our next new frame (1, 2, …; 0 marks unsequenced NR pings). */
  txSeq = 1;
  /** Sent, unacknowledged frames by seq, in sequence order. */
  readonly unacked = new Map<number, TxFrame>();
  /** Frames waiting for the session to come up or for room in the window (max_tx_bufs), unsequenced. */
  queue: TxFrame[] = [];

  constructor(readonly id: StreamId) {}

  /** The next sequence number, skipping 0 on wrap (0 marks unsequenced frames). */
  takeSeq(): number {
    const s = this.txSeq;
    this.txSeq = seqAdd(this.txSeq, 1) || 1;
    return s;
  }
}

export type SessionState = 'init' | 'up' | 'down';

/** The TCS session with one peer: both sides' ids, our sending streams and the peer's, by key. */
export class QnetSession {
  state: SessionState = 'init';
  /** The peer's session id (its sconn; our dconn); 0 until its TCS_UP or TCS_INIT names it. */
  remoteId = 0;
  /** Our streams, in the order they were opened (the order pump() serves them). */
  readonly tx = new Map<string, TxStream>();
  /** The peer's streams (rxKey). */
  readonly rx = new Map<string, QnetRxStream>();
  /** TCS_INIT bookkeeping: when it was last sent, how many repeats so far, the link index it went on. */
  initSentAt = 0;
  initRepeats = 0;
  initLinkIdx = -1;
  /** Virtual time of the last frame received in this session (conn_up_idle). */
  lastRxAt: number;

  constructor(readonly localId: number, now: number, private readonly rxWindow: number) {
    this.lastRxAt = now;
  }

  /** Our stream for `id`, opened on first use. */
  stream(id: StreamId): TxStream {
    let st = this.tx.get(id.key);
    if (!st) {
      st = new TxStream(id);
      this.tx.set(id.key, st);
    }
    return st;
  }

  /** The peer's stream `key`, opened on first use unless `max` are open already (null). */
  rxStream(key: string, max: number): QnetRxStream | null {
    let r = this.rx.get(key);
    if (!r) {
      if (this.rx.size >= max) return null;
      r = new QnetRxStream(this.rxWindow);
      this.rx.set(key, r);
    }
    return r;
  }

  /** Every sent, unacknowledged frame of every stream. */
  allUnacked(): TxFrame[] {
    return [...this.tx.values()].flatMap((st) => [...st.unacked.values()]);
  }

  /** Every queued (unsequenced) frame of every stream. */
  allQueued(): TxFrame[] {
    return [...this.tx.values()].flatMap((st) => st.queue);
  }

  get unackedCount(): number {
    let n = 0;
    for (const st of this.tx.values()) n += st.unacked.size;
    return n;
  }
}

/** One link's state for one peer. */
export interface PeerLink {
  state: 'up' | 'down';
  /** Consecutive ticks in which something sent on this link timed out (reset by an ACK or reply on it). */
  timeouts: number;
  /** An outstanding heartbeat ping on an up link (conn_up_idle), sent at this time; null: none. */
  pingSentAt: number | null;
}

/** Everything the transport holds for one peer. */
export interface PeerState {
  readonly peer: QnetPeer;
  /** By link index. */
  readonly links: PeerLink[];
  session: QnetSession | null;
  /** Every link to the peer went down; send() answers EHOSTDOWN until a maintenance ping is answered. */
  down: boolean;
}

export function newPeerLink(): PeerLink {
  return { state: 'up', timeouts: 0, pingSentAt: null };
}

/**
 * The most sequence streams a peer may open towards us in one session [ours]: its loadbalance stream and a
 * preferred and an exclusive one for each of up to 16 interfaces. Frames of further streams are dropped
 * (l4 rx_bad), so a hostile peer cannot make us hold unbounded state.
 */
export const RX_STREAMS_MAX = 1 + 2 * 16;
