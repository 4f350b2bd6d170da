import { createHash, type Hash } from 'node:crypto';
import type { Time } from './time';

export type TraceValue = string | number | boolean;
export type TraceFields = Record<string, TraceValue>;

/** One structured trace record. The trace format is documented in docs/formats/trace.md. */
export interface TraceRecord {
  /** Virtual time in ns. */
  t: Time;
  /** Node name ("alpha"), or "" for network-wide components (links). */
  node: string;
  /** Layer: "wire", "nic", "irq", "driver", "ifnet", "ip", "icmp", "socket", "app", "kernel", … */
  layer: string;
  /** Probe: a named point on that layer ("rx-ring", "tx-start", "deliver", …). */
  probe: string;
  /** Packet id (0 when the record is not about one packet). Survives copies between layers. */
  pkt: number;
  /** Extra fields; keys are emitted in insertion order. */
  f?: TraceFields;
}

export type TraceSink = (rec: TraceRecord, line: string) => void;

/**
 * The one trace API. Every record is serialized to one canonical JSON line, hashed into a running SHA-256
 * (the run's `trace-hash`), and handed to sinks (file writer, debugger, tests). Models never console.log.
 */
export class Tracer {
  private hash: Hash = createHash('sha256');
  private sinks: TraceSink[] = [];
  private nextPkt = 1;
  private _count = 0;
  /** Register-level records (every port access) are numerous: off unless asked for. */
  verbose = false;
  readonly provenance = new Provenance();

  constructor(private readonly clock: { readonly now: Time }) {}

  get count(): number {
    return this._count;
  }

  addSink(sink: TraceSink): () => void {
    this.sinks.push(sink);
    return () => {
      this.sinks = this.sinks.filter((s) => s !== sink);
    };
  }

  /** A fresh packet id, for a frame or message that enters the system (an application send, a generator). */
  newPacketId(): number {
    return this.nextPkt++;
  }

  emit(node: string, layer: string, probe: string, pkt: number, f?: TraceFields): void {
    const rec: TraceRecord = f ? { t: this.clock.now, node, layer, probe, pkt, f } : { t: this.clock.now, node, layer, probe, pkt };
    const line = JSON.stringify(rec);
    this.hash.update(line);
    this.hash.update('\n');
    this._count++;
    for (const s of this.sinks) s(rec, line);
  }

  /** Hex SHA-256 of every record so far (does not disturb the running hash). */
  digest(): string {
    return this.hash.copy().digest('hex');
  }

  /** Snapshot support: the packet-id counter is simulation state. */
  get packetCounter(): number {
    return this.nextPkt;
  }
  set packetCounter(n: number) {
    this.nextPkt = n;
  }
}

/**
 * Packet identity across layers that share no object: when bytes are copied into NIC buffer memory, or read
 * out of it by a driver (ours or a real guest's), the carrier of the id is lost. A probe that sees the bytes
 * asks here: the id of the most recent packet tagged with the same content. This is observation only; it
 * never influences what the simulation does.
 */
export class Provenance {
  private byDigest = new Map<number, number>();

  tag(bytes: Uint8Array, pkt: number): void {
    if (pkt > 0) this.byDigest.set(digest(bytes), pkt);
    if (this.byDigest.size > 65536) {
      const first = this.byDigest.keys().next();
      if (!first.done) this.byDigest.delete(first.value);
    }
  }

  /** The id last tagged for this content, or 0. */
  lookup(bytes: Uint8Array): number {
    return this.byDigest.get(digest(bytes)) ?? 0;
  }
}

function digest(b: Uint8Array): number {
  let h = 0x811c9dc5 ^ b.length;
  for (let i = 0; i < b.length; i++) {
    h ^= b[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
