/**
 * Frames that did not reach their destination, grouped by cause (issue 18; docs/drops.md). Records are fed in
 * trace order, from a file stream (`qnxemu trace --drops`) or a debug session (`drops`); classify.ts says what
 * each record means. A drop is pending until it is settled: a later arrival of the same packet (a NIC accepted
 * it, a driver or a socket took it: an 802.11 retry after a bad CRC, a broadcast another node took) takes it
 * back. A packet held in a buffer (a socket's receive buffer, a chip's ring) that is never taken out is lost when
 * its socket closes, and still undelivered when the records end.
 *
 * Memory: per-packet state is kept only for packets with a pending drop or a hold (two maps), plus small
 * per-node tables (sockets, processes, NICs, starvation episodes). A drop is settled SETTLE_NS of trace time
 * after it when no arrival came, and each map holds at most MAX_PENDING packets (the oldest is settled first:
 * counted where it was last seen), so a trace of any length is read in bounded memory.
 */
import type { TraceRecord } from '../../../machine/sim/trace';
import { classify } from './classify';
import { NodeFacts } from './facts';
import { resourceOf, whyLine } from './why';

/** Trace time after which a dropped packet with no further record is settled (longer than any MAC retry). */
const SETTLE_NS = 1_000_000_000;
export const MAX_PENDING = 200_000;
/** Packet ids listed per group. */
export const IDS_LISTED = 8;

export interface DropGroup {
  node: string;
  /** The NIC port, socket, link port or stack layer (with the interface) where it was lost. */
  resource: string;
  /** layer/probe of the records. */
  record: string;
  /** The record's reason (or probe). */
  cause: string;
  count: number;
  first: number;
  last: number;
  pkts: number[];
  /** One line naming the resource and what it waited on. */
  why: string;
}

export interface DropReport {
  groups: DropGroup[];
  /** Packets still held in a buffer when the records end. */
  undelivered: DropGroup[];
  frames: number;
  records: number;
  end: number;
}

interface Pending {
  rec: TraceRecord;
  kind: 'drop' | 'hold';
  cause: string;
}

export interface DropQuery {
  nodes?: string[] | undefined;
  from?: number | undefined;
  to?: number | undefined;
}

const nodeOfPort = (port: unknown): string => (typeof port === 'string' && port.includes('.') ? port.slice(0, port.indexOf('.')) : '');

export class DropAnalyzer {
  /** Packets whose last record dropped them (in trace order), and packets held in a buffer. */
  private readonly drops = new Map<number, Pending>();
  private readonly holds = new Map<number, Pending>();
  private readonly groups = new Map<string, DropGroup & { rec: TraceRecord }>();
  private readonly held = new Map<string, DropGroup & { rec: TraceRecord }>();
  private readonly facts = new NodeFacts();
  private records = 0;
  private now = 0;
  /** The last frame a BPF descriptor captured (`node pkt`): ether_input taps BPF before it looks at the type. */
  private lastBpf = '';
  /** Nodes whose driver emits records (a Linux guest's driver does not: its rings are not followed). */
  private readonly traced = new Set<string>();

  constructor(private readonly q: DropQuery = {}) {}

  feed(r: TraceRecord): void {
    this.records++;
    this.now = r.t;
    this.facts.learn(r);
    if (r.layer === 'socket' && r.probe === 'close') this.closeSocket(r.node, r.f?.['so']);
    this.settleOld();
    if (r.layer === 'driver') this.traced.add(r.node);
    if (r.layer === 'bpf' && r.probe === 'capture') this.lastBpf = `${r.node} ${r.pkt}`;
    const v = classify(r);
    if (!v || v.kind === 'benign') return;
    // EAPOL (IEEE 802.1X, EtherType 0x888e) reaches wpa_supplicant and hostapd through BPF, as on NetBSD: io-pkt
    // has no protocol for it and frees its own copy, but the frame arrived.
    if (v.kind === 'drop' && r.pkt > 0 && r.layer === 'ifnet' && v.cause === 'unknown ethertype 0x888e' && this.lastBpf === `${r.node} ${r.pkt}`) return;
    if (v.kind === 'drop') {
      if (r.pkt <= 0) this.count(r, v.cause, this.groups);
      else {
        this.holds.delete(r.pkt);
        this.put(this.drops, r.pkt, { rec: r, kind: 'drop', cause: v.cause });
      }
      return;
    }
    this.drops.delete(r.pkt);
    if (v.kind === 'hold') this.put(this.holds, r.pkt, { rec: r, kind: 'hold', cause: v.place });
    else this.holds.delete(r.pkt);
  }

  /** Settle everything: what is still pending is a drop, or held when the records end. */
  finish(): DropReport {
    for (const p of this.drops.values()) this.settle(p);
    for (const p of this.holds.values()) this.settle(p);
    this.drops.clear();
    this.holds.clear();
    const sort = (m: Map<string, DropGroup & { rec: TraceRecord }>): DropGroup[] =>
      [...m.values()].sort((a, b) => a.first - b.first || a.node.localeCompare(b.node)).map(({ rec, ...g }) => {
        // Named at the end: a NIC's interface may be learned after its first drop (facts.ts nicName).
        const named = { ...g, resource: resourceOf(rec, this.facts) };
        return { ...named, why: whyLine(rec, named, this.facts, this.now) };
      });
    const groups = sort(this.groups);
    return { groups, undelivered: sort(this.held), frames: groups.reduce((n, g) => n + g.count, 0), records: this.records, end: this.now };
  }

  /** A socket closed: datagrams still in its receive buffer were never read (sofree flushes so_rcv). */
  private closeSocket(node: string, so: unknown): void {
    for (const [pkt, p] of this.holds) {
      if (p.cause !== 'socket' || p.rec.node !== node || p.rec.f?.['so'] !== so) continue;
      this.holds.delete(pkt);
      this.count(p.rec, 'closed with data unread', this.groups);
    }
  }

  private put(m: Map<number, Pending>, pkt: number, p: Pending): void {
    m.delete(pkt);
    m.set(pkt, p);
    if (m.size > MAX_PENDING) {
      const [oldest, op] = m.entries().next().value as [number, Pending];
      m.delete(oldest);
      this.settle(op);
    }
  }

  /** Drops older than SETTLE_NS with no retry since (the map is in trace order). */
  private settleOld(): void {
    for (const [pkt, p] of this.drops) {
      if (this.now - p.rec.t < SETTLE_NS) return;
      this.drops.delete(pkt);
      this.settle(p);
    }
  }

  private settle(p: Pending): void {
    if (p.cause === 'ring' && !this.traced.has(p.rec.node)) return;
    this.count(p.rec, p.cause, p.kind === 'drop' ? this.groups : this.held);
  }

  private selected(node: string, t: number): boolean {
    const q = this.q;
    if (q.from !== undefined && t < q.from) return false;
    if (q.to !== undefined && t > q.to) return false;
    return !q.nodes || q.nodes.includes(node);
  }

  private count(r: TraceRecord, cause: string, into: Map<string, DropGroup & { rec: TraceRecord }>): void {
    const node = r.node || nodeOfPort(r.f?.['port'] ?? r.f?.['to'] ?? r.f?.['radio']);
    if (!this.selected(node, r.t)) return;
    const nic = r.f?.['nic'];
    const resource = typeof nic === 'string' ? nic : resourceOf(r, this.facts);
    const record = `${r.layer}/${r.probe}`;
    const key = `${node}\0${resource}\0${record}\0${cause}`;
    let g = into.get(key);
    if (!g) into.set(key, (g = { node, resource, record, cause, count: 0, first: r.t, last: r.t, pkts: [], why: '', rec: r }));
    g.count++;
    g.first = Math.min(g.first, r.t);
    g.last = Math.max(g.last, r.t);
    if (r.pkt > 0 && g.pkts.length < IDS_LISTED) g.pkts.push(r.pkt);
  }
}
