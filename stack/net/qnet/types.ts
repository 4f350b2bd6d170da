/**
 * The pieces of lsm-qnet.so and what each gives the others (docs/design/qnet-behaviour.md §3):
 *
 *   lsm-qnet.ts (io-pkt module)  options, EtherType 0x8204 handler, tick, /net and /proc/qnetstats
 *     ├─ nodes.ts  QnetNodes: the peers this node knows (name, domain, ND, MAC per link) and ND allocation
 *     ├─ lr.ts     the LAN resolver (LwL4 type 0x0b, layer LR): requests, replies, auto_add broadcasts
 *     ├─ l4.ts / qos.ts   QnetTransport: TCS sessions, sequencing, acks, retransmission, fragmentation,
 *     │            link choice (loadbalance / preferred / exclusive), link liveness, NR pings, failover
 *     └─ kif.ts    QnetKif: kernel ops ↔ KIF messages (client and server tables), iomsg.ts codec
 *
 * Everything runs synchronously in io-pkt's stack context (or the tick callout), charging CPU through QnetEnv.
 */
import type { Ifnet } from '../if';
import type { QosName } from './qos-spec';

export type { QosName };

/** What Qnet's code gets from io-pkt (lsm-qnet.ts builds it). */
export interface QnetEnv {
  /** Virtual time now, ns. */
  now(): number;
  charge(ns: number): void;
  /** A trace probe in layer 'qnet'. */
  trace(probe: string, f: Record<string, string | number | boolean>, pkt?: number): void;
  /** slogf (unless no_slog). */
  log(text: string): void;
  /** Transmit an Ethernet frame on `link`: dst MAC, our MAC, EtherType 0x8204, `payload` (pad + LwL4 + body). */
  output(link: QnetLink, dst: Uint8Array, payload: Uint8Array): void;
}

/** A bound interface (bind=, or every Ethernet interface). `index` is its QoS index (src_qos_idx). */
export interface QnetLink {
  readonly index: number;
  readonly name: string;
  readonly ifp: Ifnet;
  readonly mac: Uint8Array;
  /** The interface is up and running (and its driver reports link, when it can). */
  usable(): boolean;
  /** Link speed, bit/s, for loadbalance's "soonest delivery" estimate. */
  bps(): number;
}

/** A node this node knows (nodes.ts). */
export interface QnetPeer {
  /** This node's ND for it (node part, 1…0xffff). */
  readonly nd: number;
  readonly name: string;
  readonly domain: string;
  /** Its MAC on each link (by link index), or null where it has not been resolved. */
  readonly macs: (Uint8Array | null)[];
  /** Its ND for this node, learned from its frames (src_nd_for_dst); 0 until then. */
  remoteNd: number;
}

/** A QoS request: policy and, for preferred/exclusive, the interface (`~preferred:en1`). */
export interface QosSpec {
  type: QosName;
  ifname?: string;
}

/** What the transport hands up. */
export interface TransportUpper {
  /**
   * A whole (reassembled) message of `layer` (KIF) from `peer`, once, in the order the peer sent it in its
   * QoS stream. `qos`: the message's QoS as this node sees it — the peer's policy on the interface of ours the
   * message's first frame came in on (loadbalance: no interface); what an answer to it should use.
   */
  deliver(peer: QnetPeer, layer: number, payload: Uint8Array, qos: QosSpec): void;
  /** A TCS_INIT or frame from a MAC no peer has: find or create the peer by name/domain (null: refuse). */
  peerFor(link: QnetLink, mac: Uint8Array, name: string, domain: string): QnetPeer | null;
  /** Every link to `peer` is down (or the session could not be set up): the kernel fails what waits on it. */
  peerDown(peer: QnetPeer, errno: number): void;
  /** `peer` answers again on some link after being down. */
  peerUp(peer: QnetPeer): void;
}

/** Counters /proc/qnetstats prints ("<layer> <name> : <value>", QNX's names where S19 shows them). */
export class QnetStats {
  readonly kif = {
    client_kercalls: 0, server_msgs: 0, server_pulses: 0, server_unblock: 0, net_client: 0, net_server: 0,
    nd_up: 0, nd_down: 0, connects: 0, connect_fails: 0, disconnects: 0, replies: 0, errors: 0,
  };
  readonly qos = {
    tx_begin_errors: 0, tx_failed: 0, tx_conn_created: 0, tx_conn_deleted: 0, rx_conn_created: 0,
    rx_conn_deleted: 0, rx_seq_order: 0, pkts_rxd_noL4: 0, link_down: 0, link_up: 0, failovers: 0,
  };
  readonly l4 = {
    tx_frames: 0, tx_bytes: 0, rx_frames: 0, rx_bytes: 0, tx_retrans: 0, rx_dups: 0, tx_acks: 0, rx_acks: 0,
    tx_nacks: 0, rx_nacks: 0, rx_bad: 0, tx_frags: 0, rx_reassembled: 0,
  };
  readonly lr = { tx_requests: 0, rx_requests: 0, tx_replies: 0, rx_replies: 0, tx_broadcasts: 0, rx_broadcasts: 0, unresolved: 0 };
}

/** What the transport (l4.ts: `class QnetTransport implements QnetTransportApi`) offers the module and KIF. */
export interface QnetTransportApi {
  /**
   * Queue a whole `layer` message for `peer` with QoS `qos` (the transport sets up the TCS session,
   * fragments at mtu_en, sequences, retransmits, fails over). Returns 0, or an errno at once: EHOSTDOWN (the
   * peer is known down, or exclusive's link is down), EHOSTUNREACH (no link has a MAC for it). `done` is called
   * once: `0` when the peer acknowledged the whole message, an errno when the transport gave up on it.
   */
  send(peer: QnetPeer, qos: QosSpec, layer: number, payload: Uint8Array, done?: (errno: number) => void): number;
  /** An LwL4 frame (any type but LR) from `src` on `link`, CRC already checked. */
  input(link: QnetLink, src: Uint8Array, l4: import('../wire/qnet').QnetL4Repr): void;
  /** Qnet's periodic tick: retransmissions, liveness, maintenance pings on down links, idle polls. */
  tick(): void;
  /** Lines for /proc/qnetstats and the debugger: per peer, per link state. */
  describe(): string[];
}
// l4.ts:  new QnetTransport(env: QnetEnv, links: () => readonly QnetLink[], tun: QnetTunables, stats: QnetStats, upper: TransportUpper,
//                        local: QnetLocal = {name, domain} — this node's Qnet name and domain, carried in TCS_INIT)

/** nodes.ts's ND table as KIF needs it: what an ND (with its QoS bits) names. */
export interface QnetNdTable {
  lookup(nd: number): { peer: QnetPeer; qos: QosSpec } | null;
  /** This node's ND (node part) for `peer`. */
  ndOf(peer: QnetPeer): number;
}
// kif.ts: new QnetKif(env: QnetEnv, kernel: KernelKif, transport: QnetTransportApi, nds: QnetNdTable, stats: QnetStats)
//   .kernelOps(ops: KifOp[]): void      — what ctx.kif.takeOps() returned, in stack context
//   .input(peer: QnetPeer, payload: Uint8Array, qos?: QosSpec): void   — a KIF message the transport delivered, with its QoS
//   .peerDown(peer: QnetPeer, errno: number): void      — the transport gave up on the peer
