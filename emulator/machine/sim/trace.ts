import type { Time } from './time';
import { TraceEncoder } from './trace-encoding';

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

/** A sink that takes records (tests, the debugger, the thread timeline). */
export type TraceSink = (rec: TraceRecord) => void;
/** A sink that also takes each record's canonical JSON line (the --trace writer): `addLineSink`. */
export type TraceLineSink = (rec: TraceRecord, line: string) => void;

/** A record's canonical JSON line (docs/formats/trace.md): keys in the order t, node, layer, probe, pkt, f. */
export function traceLine(rec: TraceRecord): string {
  return JSON.stringify(rec);
}

interface SinkEntry {
  sink: TraceSink | TraceLineSink;
  lines: boolean;
}

/**
 * The one trace API. Every record is encoded into the running `trace-hash` (trace-encoding.ts: a compact binary
 * encoding, hashed in 64 KiB chunks), then handed to sinks (file writer, debugger, tests). With no sink, a record
 * costs its encoding only: no record object, no JSON. The JSON line is built once per record, and only when a
 * line sink listens. Models never console.log.
 */
export class Tracer {
  private readonly encoder = new TraceEncoder();
  private sinks: SinkEntry[] = [];
  private lineSinks = 0;
  private nextPkt = 1;
  private _count = 0;
  /** Register-level records (every port access) are numerous: off unless asked for. */
  verbose = false;
  readonly provenance = new Provenance();

  constructor(private readonly clock: { readonly now: Time }) {}

  get count(): number {
    return this._count;
  }

  /** Hand every record from now on to `sink`; returns the function that removes it. */
  addSink(sink: TraceSink): () => void {
    return this.add({ sink, lines: false });
  }

  /** The same, with each record's canonical JSON line (built once per record for all line sinks). */
  addLineSink(sink: TraceLineSink): () => void {
    return this.add({ sink, lines: true });
  }

  private add(entry: SinkEntry): () => void {
    this.sinks = [...this.sinks, entry];
    if (entry.lines) this.lineSinks++;
    return () => {
      if (!this.sinks.includes(entry)) return;
      this.sinks = this.sinks.filter((e) => e !== entry);
      if (entry.lines) this.lineSinks--;
    };
  }

  /** A fresh packet id, for a frame or message that enters the system (an application send, a generator). */
  newPacketId(): number {
    return this.nextPkt++;
  }

  emit(node: string, layer: string, probe: string, pkt: number, f?: TraceFields): void {
    this.emitAt(this.clock.now, node, layer, probe, pkt, f);
  }

  /**
   * A record made at time `t` elsewhere: a guest's, traced in its worker thread and merged into this trace in
   * time order (emulator/machine/parallel/record-merge.ts).
   */
  emitAt(t: Time, node: string, layer: string, probe: string, pkt: number, f?: TraceFields): void {
    this.encoder.record(t, node, layer, probe, pkt, f);
    this._count++;
    const sinks = this.sinks;
    if (sinks.length === 0) return;
    const rec: TraceRecord = f ? { t, node, layer, probe, pkt, f } : { t, node, layer, probe, pkt };
    const line = this.lineSinks > 0 ? traceLine(rec) : '';
    for (const e of sinks) (e.sink as TraceLineSink)(rec, line);
  }

  /** Hex SHA-256 of every record so far (does not disturb the running hash). */
  digest(): string {
    return this.encoder.digest();
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
