/**
 * Breakpoints: on a probe (with a node and a packet filter), on a NIC register access, on an interrupt line
 * being raised, at a virtual time. Probe, register and IRQ breakpoints match trace records; a stop happens
 * once the event that emitted the record has finished (events are atomic), at most once per breakpoint and
 * event. A time breakpoint stops before the first event at or after its time.
 */
import type { Time } from '../../machine/sim/time';
import { parseFilter, FilterError, type FilterNode } from './filter';
import { matches } from './filter-eval';
import type { PacketIndex } from './packet-index';
import { durationText, parseTimeArg, timeText, type DebugRecord } from './records';

export type BreakSpec =
  | { kind: 'probe'; layer: string; probe: string; node: string | null; filter: FilterNode | null }
  | { kind: 'reg'; node: string; nic: string; reg: string; access: 'read' | 'write' | 'any' }
  | { kind: 'irq'; node: string; irq: number }
  | { kind: 'time'; t: Time };

export interface Breakpoint {
  readonly id: number;
  readonly spec: BreakSpec;
  /** How the user wrote it (for `info breaks`). */
  readonly text: string;
  hits: number;
}

/**
 * Resolves `<node>.<nic>` to the NIC's component name ("alpha.nic0"), its node, and the register names its
 * kind's description gives (nic-models/kind.ts `registerNames`), or to an error message.
 */
export type NicResolver = (text: string) => { name: string; node: string; model: string; registers: readonly string[] } | string;

export class BreakError extends Error {}

/** Parse the arguments of `break …`. */
export function parseBreak(args: string, resolveNic: NicResolver, nodes: string[]): BreakSpec {
  const m = /^(\S+)\s*(.*)$/.exec(args.trim());
  if (!m) throw new BreakError('usage: break probe <layer>/<probe> [on <node>] [if <filter>] | break reg <node>.<nic>.<REG> [read|write] | break irq <node> <n> | break time <t>');
  const kind = m[1]!;
  const rest = m[2]!.trim();
  switch (kind) {
    case 'probe': {
      const pm = /^([a-z0-9_-]+|\*)\/([a-z0-9_.-]+|\*)(?:\s+on\s+(\S+))?(?:\s+if\s+(.*))?$/i.exec(rest);
      if (!pm) throw new BreakError(`usage: break probe <layer>/<probe> [on <node>] [if <filter>]  (e.g. break probe nic/rx-accept if icmp and host 10.0.0.2)`);
      const node = pm[3] ?? null;
      if (node !== null && !nodes.includes(node)) throw new BreakError(`no node '${node}' (nodes: ${nodes.join(', ')})`);
      let filter: FilterNode | null = null;
      if (pm[4] !== undefined) {
        try {
          filter = parseFilter(pm[4]);
        } catch (e) {
          if (e instanceof FilterError) throw new BreakError(`${e.message}\n${e.pointer()}`);
          throw e;
        }
      }
      return { kind: 'probe', layer: pm[1]!, probe: pm[2]!, node, filter };
    }
    case 'reg': {
      const rm = /^(\S+)\.([A-Za-z0-9_]+)(?:\s+(read|write))?$/.exec(rest);
      if (!rm) throw new BreakError('usage: break reg <node>.<nic>.<REG> [read|write]  (e.g. break reg alpha.en0.ISR)');
      const reg = rm[2]!.toUpperCase();
      const nic = resolveNic(rm[1]!);
      if (typeof nic === 'string') throw new BreakError(nic);
      if (!nic.registers.includes(reg)) throw new BreakError(`unknown register '${rm[2]}' (${nic.model} names: ${nic.registers.join(' ')})`);
      return { kind: 'reg', node: nic.node, nic: nic.name, reg, access: (rm[3] as 'read' | 'write' | undefined) ?? 'any' };
    }
    case 'irq': {
      const im = /^(\S+)\s+(\d+)$/.exec(rest);
      if (!im) throw new BreakError('usage: break irq <node> <n>  (e.g. break irq beta 11)');
      if (!nodes.includes(im[1]!)) throw new BreakError(`no node '${im[1]}' (nodes: ${nodes.join(', ')})`);
      return { kind: 'irq', node: im[1]!, irq: Number(im[2]) };
    }
    case 'time': {
      const t = parseTimeArg(rest);
      if (t === null) throw new BreakError(`bad time '${rest}' (e.g. 1.5s, 250ms, 1.107849125)`);
      return { kind: 'time', t };
    }
  }
  throw new BreakError(`unknown breakpoint kind '${kind}' (probe, reg, irq, time)`);
}

export function describeBreak(s: BreakSpec): string {
  switch (s.kind) {
    case 'probe':
      return `probe ${s.layer}/${s.probe}${s.node ? ` on ${s.node}` : ''}`;
    case 'reg':
      return `register ${s.nic}.${s.reg}${s.access === 'any' ? '' : ` (${s.access})`}`;
    case 'irq':
      return `irq ${s.irq} raised on ${s.node}`;
    case 'time':
      return `time ${timeText(s.t)} (${durationText(s.t)})`;
  }
}

/** Register a reg-/data- read or write record names (models trace the register of that direction: CLDA0 read, PSTART written). */
function regNameFor(rec: DebugRecord): string | null {
  const name = rec.f?.['reg'];
  return typeof name === 'string' ? name : null;
}

export class BreakpointTable {
  private list: Breakpoint[] = [];
  private nextId = 1;
  /** Breakpoint id → the last event it stopped in (at most one stop per event). */
  private lastStop = new Map<number, number>();

  add(spec: BreakSpec, text: string): Breakpoint {
    const bp: Breakpoint = { id: this.nextId++, spec, text, hits: 0 };
    this.list.push(bp);
    return bp;
  }

  delete(id: number): boolean {
    const n = this.list.length;
    this.list = this.list.filter((b) => b.id !== id);
    this.lastStop.delete(id);
    return this.list.length !== n;
  }

  all(): readonly Breakpoint[] {
    return this.list;
  }

  /** Any breakpoint on register-level records (the tracer must be verbose to emit them). */
  get needsVerbose(): boolean {
    return this.list.some((b) => b.spec.kind === 'reg' || (b.spec.kind === 'probe' && isVerboseOnly(b.spec.layer, b.spec.probe)));
  }

  /** History rewound: forget which events breakpoints stopped in. */
  resetStops(): void {
    this.lastStop.clear();
  }

  /** The first breakpoint `rec` triggers, counting the hit. */
  matchRecord(rec: DebugRecord, packets: PacketIndex): Breakpoint | null {
    for (const bp of this.list) {
      if (this.lastStop.get(bp.id) === rec.ev) continue;
      if (!recordMatches(bp.spec, rec, packets)) continue;
      this.lastStop.set(bp.id, rec.ev);
      bp.hits++;
      return bp;
    }
    return null;
  }

  /** A time breakpoint crossed by running the next event (at `next`) from `now`; `executed` identifies the spot. */
  matchTime(now: Time, next: Time, executed: number): Breakpoint | null {
    for (const bp of this.list) {
      if (bp.spec.kind !== 'time') continue;
      const t = bp.spec.t;
      if (!(next >= t && (now < t || executed === 0))) continue;
      if (this.lastStop.get(bp.id) === -1 - executed) continue;
      this.lastStop.set(bp.id, -1 - executed);
      bp.hits++;
      return bp;
    }
    return null;
  }
}

/** Probes emitted only when the tracer is verbose (register, port and bus accesses; scheduler dispatch). */
export function isVerboseOnly(layer: string, probe: string): boolean {
  return /^(reg|data|io|cfg)-(read|write)$/.test(probe) || probe === 'dispatch' || probe === 'preempt' || layer === 'bus' || layer === 'dma';
}

export function recordMatches(s: BreakSpec, rec: DebugRecord, packets: PacketIndex): boolean {
  switch (s.kind) {
    case 'probe':
      if (s.layer !== '*' && rec.layer !== s.layer) return false;
      if (s.probe !== '*' && rec.probe !== s.probe) return false;
      if (s.node !== null && rec.node !== s.node) return false;
      if (!s.filter) return true;
      if (rec.pkt <= 0) return false;
      return matches(s.filter, packets.info(rec.pkt, rec.ev));
    case 'reg':
      if (rec.node !== s.node || rec.layer !== 'nic' || rec.f?.['nic'] !== s.nic) return false;
      if (!/^(reg|data)-(read|write)$/.test(rec.probe)) return false;
      if (s.access !== 'any' && !rec.probe.endsWith(s.access)) return false;
      return regNameFor(rec) === s.reg;
    case 'irq':
      return rec.node === s.node && rec.layer === 'irq' && rec.probe === 'raise' && rec.f?.['irq'] === s.irq;
    case 'time':
      return false;
  }
}
