/**
 * A test bench for QnetTransport (stack/net/qnet/l4.ts): nodes with fake QnetEnv/QnetLink on shared
 * "hubs" (one per link index), a virtual clock stepped by hand, every node's tick() at each multiple of
 * tickNs, and a wire that delivers each frame after `latencyNs`, parsing it with QnetL4Repr (CRC checked)
 * exactly as the module would. Faults: cut a hub (drops everything on it), or `tamper` individual frames
 * (drop, duplicate, delay). Every frame is recorded, parsed, with its time, hub, sender and fate.
 */
import type { Ifnet } from '../../stack/net/if';
import { QNET_DEFAULTS, type QnetTunables } from '../../stack/net/qnet/defaults';
import { QnetTransport } from '../../stack/net/qnet/l4';
import { QnetStats, type QnetEnv, type QnetLink, type QnetPeer, type QosSpec, type TransportUpper } from '../../stack/net/qnet/types';
import { QnetL4Packet, QnetL4Repr } from '../../stack/net/wire/qnet';
import { WireError } from '../../stack/net/wire/view';

export interface WireFrame {
  at: number;
  hub: number;
  from: string;
  to: string | null;
  l4: QnetL4Repr;
  bytes: number;
  /** Ethernet destination and source, and the Ethernet payload (pad + LwL4 + body) as sent. */
  dst: Uint8Array;
  src: Uint8Array;
  raw: Uint8Array;
  fate: 'delivered' | 'cut' | 'dropped' | 'pending';
}

export type Tamper = (f: WireFrame) => 'drop' | 'dup' | { delayNs: number } | undefined;

export class FakeLink implements QnetLink {
  up = true;
  constructor(readonly index: number, readonly name: string, readonly mac: Uint8Array, private readonly speed = 10_000_000) {}
  get ifp(): Ifnet {
    return { name: this.name } as unknown as Ifnet;
  }
  usable(): boolean {
    return this.up;
  }
  bps(): number {
    return this.speed;
  }
}

export interface Delivery {
  at: number;
  from: string;
  layer: number;
  payload: Uint8Array;
  /** The QoS the transport handed it up with. */
  qos: QosSpec;
}

export class L4Node {
  readonly stats = new QnetStats();
  readonly links: FakeLink[];
  readonly peers = new Map<string, QnetPeer>();
  readonly delivered: Delivery[] = [];
  readonly downs: { at: number; peer: string; errno: number }[] = [];
  readonly ups: { at: number; peer: string }[] = [];
  readonly peerForCalls: string[] = [];
  readonly logs: string[] = [];
  readonly traces: { probe: string; f: Record<string, string | number | boolean> }[] = [];
  cpuNs = 0;
  t: QnetTransport;
  private readonly make: () => QnetTransport;

  constructor(readonly net: L4Net, readonly name: string, readonly id: number, nlinks: number, tun: QnetTunables) {
    this.links = Array.from({ length: nlinks }, (_, i) => new FakeLink(i, `en${i}`, mac(id, i)));
    const env: QnetEnv = {
      now: () => net.now,
      charge: (ns) => void (this.cpuNs += ns),
      trace: (probe, f) => void this.traces.push({ probe, f }),
      log: (text) => void this.logs.push(`${net.now} ${text}`),
      output: (link, dst, payload) => net.output(this, link.index, dst, payload),
    };
    const upper: TransportUpper = {
      deliver: (peer, layer, payload, qos) => void this.delivered.push({ at: net.now, from: peer.name, layer, payload, qos }),
      peerFor: (_link, _mac, name) => {
        this.peerForCalls.push(name);
        return this.peers.get(name) ?? null;
      },
      peerDown: (peer, errno) => void this.downs.push({ at: net.now, peer: peer.name, errno }),
      peerUp: (peer) => void this.ups.push({ at: net.now, peer: peer.name }),
    };
    this.make = () => new QnetTransport(env, () => this.links, tun, this.stats, upper, { name, domain: 'qnet' });
    this.t = this.make();
  }

  /** io-pkt restarted: a fresh transport (no sessions), the same peers and counters. */
  restart(): void {
    this.t = this.make();
  }

  /** Make `other` known here as ND `nd` with its MACs on every hub. */
  know(other: L4Node, nd: number): QnetPeer {
    const p: QnetPeer = { nd, name: other.name, domain: 'qnet', macs: other.links.map((l) => l.mac), remoteNd: 0 };
    this.peers.set(other.name, p);
    return p;
  }
}

export function mac(node: number, link: number): Uint8Array {
  return Uint8Array.of(0x02, 0, 0, 0, link, node);
}
const sameMac = (a: Uint8Array, b: Uint8Array): boolean => a.every((x, i) => x === b[i]);

export class L4Net {
  now = 0;
  latencyNs = 100_000;
  readonly nodes: L4Node[] = [];
  readonly frames: WireFrame[] = [];
  readonly cut = new Set<number>();
  readonly parseErrors: string[] = [];
  tamper: Tamper | undefined;
  readonly tun: QnetTunables;
  private nextTick: number;
  private queue: { at: number; n: number; run: () => void }[] = [];
  private n = 0;

  constructor(tun: Partial<QnetTunables> = {}) {
    this.tun = { ...QNET_DEFAULTS, ...tun };
    this.nextTick = this.tun.tickNs;
  }

  add(name: string, nlinks = 2): L4Node {
    const node = new L4Node(this, name, this.nodes.length + 1, nlinks, this.tun);
    this.nodes.push(node);
    return node;
  }

  output(from: L4Node, hub: number, dst: Uint8Array, payload: Uint8Array): void {
    const p = QnetL4Repr.parse(new QnetL4Packet(payload));
    if (p instanceof WireError) {
      this.parseErrors.push(`${from.name}: ${p.reason}`);
      return;
    }
    const to = this.nodes.find((x) => x !== from && x.links[hub] && sameMac(x.links[hub]!.mac, dst)) ?? null;
    const wf: WireFrame = { at: this.now, hub, from: from.name, to: to?.name ?? null, l4: p, bytes: payload.length, dst: dst.slice(), src: from.links[hub]!.mac, raw: payload.slice(), fate: 'pending' };
    this.frames.push(wf);
    if (this.cut.has(hub) || !to) {
      wf.fate = 'cut';
      return;
    }
    const act = this.tamper?.(wf);
    if (act === 'drop') {
      wf.fate = 'dropped';
      return;
    }
    const copies = act === 'dup' ? 2 : 1;
    const delay = this.latencyNs + (typeof act === 'object' ? act.delayNs : 0);
    for (let i = 0; i < copies; i++) {
      this.schedule(this.now + delay, () => {
        wf.fate = 'delivered';
        const r = QnetL4Repr.parse(new QnetL4Packet(payload.slice()));
        if (r instanceof WireError) throw new Error(r.reason);
        to.t.input(to.links[hub]!, from.links[hub]!.mac, r);
      });
    }
  }

  schedule(at: number, run: () => void): void {
    this.queue.push({ at, n: this.n++, run });
    this.queue.sort((a, b) => a.at - b.at || a.n - b.n);
  }

  /** Run deliveries and ticks up to and including `until` (ns); ticks come after deliveries at the same time. */
  runUntil(until: number): void {
    for (;;) {
      const ev = this.queue[0];
      const tNext = ev && ev.at <= this.nextTick ? ev.at : this.nextTick;
      if (tNext > until) break;
      this.now = tNext;
      if (ev && ev.at <= this.nextTick) {
        this.queue.shift();
        ev.run();
      } else {
        for (const node of this.nodes) node.t.tick();
        this.nextTick += this.tun.tickNs;
      }
    }
    this.now = until;
  }

  /** Data frames (type 8) of layer `layer`, optionally from one node. */
  data(from?: string, layer = 0): WireFrame[] {
    return this.frames.filter((f) => f.l4.type === 8 && f.l4.layer === layer && (!from || f.from === from));
  }
}

export const MS = 1_000_000;
export const bytes = (n: number, seed = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);
