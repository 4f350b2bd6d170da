/**
 * What the records say about each node that a drop's reason needs (docs/drops.md): its NICs and interfaces, the
 * process that created each socket, every process's lifetime and priority (kernel/spawn, kernel/exit), the
 * driver's overrun recoveries (driver/overrun) and starvation episodes (kernel/starved, kernel/ran-late). All are
 * small per-node tables, each capped (the oldest entries are forgotten first).
 */
import type { TraceRecord } from '../../../machine/sim/trace';
import { timeText } from '../records';
import { Starvations } from './starvation';

export interface Proc {
  node: string;
  pid: number;
  name: string;
  prio: number;
  start: number;
  end: number | null;
}

/** A node or process that stopped servicing its NICs: a crash, a hang, a power-off (docs/faults.md). */
export interface Outage {
  node: string;
  t: number;
  end: number | null;
  text: string;
}

/** Processes and recoveries remembered at most. */
const MAX_ENTRIES = 10_000;

export class NodeFacts {
  readonly starvations = new Starvations();
  private readonly nics = new Map<string, Set<string>>();
  private readonly ifs = new Map<string, Set<string>>();
  /** `node so` → pid of the process that created the socket. */
  private readonly sockets = new Map<string, number>();
  /** `node pid` → the process (the last one with that pid). */
  private readonly procs = new Map<string, Proc>();
  private readonly overruns: { node: string; t: number }[] = [];
  /** `node nic` → the interface its driver named it (io-pkt: en0, bge1, ral0…), learned from one packet's records. */
  private readonly nicIf = new Map<string, string>();
  /** `node pkt` → the NICs that received that packet, until the driver's rx record names the interface. */
  private readonly rxBy = new Map<string, string[]>();
  private readonly outages: Outage[] = [];

  learn(r: TraceRecord): void {
    const f = r.f ?? {};
    if (r.layer === 'nic' && typeof f['nic'] === 'string') {
      addTo(this.nics, r.node, f['nic']);
      if (r.pkt > 0 && (r.probe === 'rx-accept' || r.probe === 'rx-place' || r.probe === 'rx-ring')) this.sawRx(r.node, r.pkt, f['nic']);
    } else if (r.layer === 'driver' && r.probe === 'rx' && r.pkt > 0 && typeof f['if'] === 'string') this.bindIf(r.node, r.pkt, f['if']);
    else if (r.layer === 'ifnet' && r.probe === 'attach' && typeof f['if'] === 'string') addTo(this.ifs, r.node, f['if']);
    else if (r.layer === 'socket' && r.probe === 'create' && typeof f['pid'] === 'number') capSet(this.sockets, `${r.node} ${String(f['so'])}`, f['pid']);
    else if (r.layer === 'driver' && r.probe === 'overrun') {
      this.overruns.push({ node: r.node, t: r.t });
      if (this.overruns.length > MAX_ENTRIES) this.overruns.shift();
    } else if (r.layer === 'kernel') {
      if (r.probe === 'spawn' && typeof f['pid'] === 'number') {
        capSet(this.procs, `${r.node} ${f['pid']}`, { node: r.node, pid: f['pid'], name: String(f['name']), prio: Number(f['prio']), start: r.t, end: null });
      } else if (r.probe === 'exit') {
        const p = this.procs.get(`${r.node} ${String(f['pid'])}`);
        if (p && p.end === null) p.end = r.t;
      } else if (r.probe === 'starved' || r.probe === 'ran-late') this.starvations.learn(r);
      else if (r.probe === 'crash') {
        const what = f['kernel'] === true ? "the node's kernel crashed" : `${String(f['name'])} (pid ${String(f['pid'])}) crashed`;
        this.outage({ node: r.node, t: r.t, end: null, text: `${what} at ${timeText(r.t)} (${String(f['error'] ?? '')})` });
      } else if (r.probe === 'hang' && f['on'] === true) this.outage({ node: r.node, t: r.t, end: null, text: `the node's CPUs hung at ${timeText(r.t)}` });
      else if (r.probe === 'hang' && f['on'] === false) this.close(r.node, r.t, 'hung');
    } else if (r.layer === 'fault' && r.node && r.probe === 'power-off' && f['skipped'] !== true) {
      this.outage({ node: r.node, t: r.t, end: null, text: `the node was powered off at ${timeText(r.t)}` });
    } else if (r.layer === 'fault' && r.node && r.probe === 'power-on') this.close(r.node, r.t, 'powered off');
  }

  private outage(o: Outage): void {
    this.outages.push(o);
    if (this.outages.length > MAX_ENTRIES) this.outages.shift();
  }

  private close(node: string, t: number, word: string): void {
    const o = [...this.outages].reverse().find((x) => x.node === node && x.end === null && x.text.includes(word));
    if (o) {
      o.end = t;
      o.text += ` until ${timeText(t)}`;
    }
  }

  /** The outages on `node` that overlap [from, to] (the last first). */
  outagesDuring(node: string, from: number, to: number): Outage[] {
    return this.outages.filter((o) => o.node === node && o.t <= to && (o.end === null || o.end >= from)).reverse();
  }

  /** The last outage on `node` that began at or before `t` and had not ended by then. */
  outageAt(node: string, t: number): Outage | null {
    return this.outagesDuring(node, t, t)[0] ?? null;
  }

  /**
   * "beta.nic0 (en0)": the interface io-pkt's driver made of the NIC — the only one when the node has one NIC and
   * one interface, else the one a packet went through (the NIC received it, then the driver's rx record named
   * the interface); the NIC's port name alone when the records do not say.
   */
  nicName(node: string, nic: string): string {
    const bound = this.nicIf.get(`${node} ${nic}`);
    if (bound !== undefined) return `${nic} (${bound})`;
    const nics = this.nics.get(node);
    const ifs = this.ifs.get(node);
    if (!nics || !ifs || nics.size !== ifs.size) return nic;
    // As many interfaces as NICs and every other one named: this NIC is the interface left over.
    const freeNics = [...nics].filter((n) => !this.nicIf.has(`${node} ${n}`));
    const taken = new Set([...nics].map((n) => this.nicIf.get(`${node} ${n}`)));
    const freeIfs = [...ifs].filter((i) => !taken.has(i));
    return freeNics.length === 1 && freeNics[0] === nic && freeIfs.length === 1 ? `${nic} (${freeIfs[0]!})` : nic;
  }

  private sawRx(node: string, pkt: number, nic: string): void {
    if (this.nicIf.has(`${node} ${nic}`)) return;
    const k = `${node} ${pkt}`;
    const by = this.rxBy.get(k);
    if (by) {
      if (!by.includes(nic)) by.push(nic);
    } else capSet(this.rxBy, k, [nic]);
  }

  /** The driver took packet `pkt` from interface `ifName`: if exactly one NIC of the node received it, that is the NIC. */
  private bindIf(node: string, pkt: number, ifName: string): void {
    const k = `${node} ${pkt}`;
    const by = this.rxBy.get(k);
    if (!by) return;
    this.rxBy.delete(k);
    if (by.length !== 1) return;
    const nk = `${node} ${by[0]!}`;
    if (![...this.nicIf].some(([key, v]) => v === ifName && key.startsWith(`${node} `))) this.nicIf.set(nk, ifName);
  }

  /** The process that created socket `so` on `node`. */
  socketOwner(node: string, so: unknown): Proc | { pid: number } | null {
    const pid = this.sockets.get(`${node} ${String(so)}`);
    if (pid === undefined) return null;
    return this.procs.get(`${node} ${pid}`) ?? { pid };
  }

  /** Processes on `node` started at a priority above `prio` and alive at some time in [from, to]. */
  above(node: string, prio: number, from: number, to: number): Proc[] {
    return [...this.procs.values()].filter((p) => p.node === node && p.prio > prio && p.start <= to && (p.end === null || p.end >= from));
  }

  /** The last overrun recovery the driver on `node` started at or before `t`. */
  overrunBefore(node: string, t: number): number | null {
    for (let i = this.overruns.length - 1; i >= 0; i--) {
      const o = this.overruns[i]!;
      if (o.node === node && o.t <= t) return o.t;
    }
    return null;
  }
}

function addTo(m: Map<string, Set<string>>, node: string, v: string): void {
  let s = m.get(node);
  if (!s) m.set(node, (s = new Set()));
  s.add(v);
}

function capSet<K, V>(m: Map<K, V>, k: K, v: V): void {
  m.delete(k);
  m.set(k, v);
  if (m.size > MAX_ENTRIES) m.delete(m.keys().next().value as K);
}
