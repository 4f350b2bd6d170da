/**
 * The debugger's own objects as the page's plain data (api.ts): records, stops, a packet's path, the topology.
 * Texts are the REPL's (recordText, DebugRepl.printStop, summarize), so the page and `qnxemu debug` say the same.
 */
import type { DebugRepl } from '../../debug/commands';
import { pathOf } from '../../debug/path';
import { summarize } from '../../debug/packet-info';
import { directionOf, recordText, type DebugRecord } from '../../debug/records';
import type { DebugSession, Stop } from '../../debug/session';
import type { Scenario } from '../../scenario/types';
import type { HopView, PathView, RecordView, StopView, TopologyView } from './api';

const macText = (m: Uint8Array): string => [...m].map((b) => b.toString(16).padStart(2, '0')).join(':');

/**
 * Where `r` is in the session's records: itself, or (a record of the lookahead run, which is the same run) the
 * session's record of the same event with the same time, place and probe; -1 for one still to come.
 */
export function indexOf(s: DebugSession, r: DebugRecord): number {
  const recs = s.records;
  const own = recs.lastIndexOf(r);
  if (own >= 0) return own;
  if (r.ev > s.executed) return -1;
  let lo = 0;
  let hi = recs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (recs[mid]!.ev < r.ev) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < recs.length && recs[i]!.ev === r.ev; i++) {
    const x = recs[i]!;
    if (x.t === r.t && x.node === r.node && x.layer === r.layer && x.probe === r.probe && x.pkt === r.pkt) return i;
  }
  return -1;
}

export function recordView(r: DebugRecord, index: number): RecordView {
  const fields: RecordView['fields'] = {};
  for (const [k, v] of Object.entries(r.f ?? {})) fields[k] = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : JSON.stringify(v);
  return { index, t: r.t, ev: r.ev, node: r.node, layer: r.layer, probe: r.probe, pkt: r.pkt, fields, direction: directionOf(r), text: recordText(r) };
}

export function viewOf(s: DebugSession, r: DebugRecord): RecordView {
  return recordView(r, indexOf(s, r));
}

export function stopView(s: DebugSession, repl: DebugRepl, st: Stop): StopView {
  return {
    reason: st.reason,
    message: st.message,
    event: st.event,
    now: s.now,
    executed: s.executed,
    cursor: st.cursor ? viewOf(s, st.cursor) : null,
    shown: st.shown.map((r) => viewOf(s, r)),
    console: st.console.map((r) => viewOf(s, r)),
    lines: repl.printStop(st),
  };
}

/** The `path` command's data (pathOf), hop numbers as `path` prints them. */
export function pathView(s: DebugSession, pkt: number): PathView {
  const p = pathOf(s, pkt);
  const lanes: string[] = [];
  const hops: HopView[] = p.hops.map((h, i) => {
    const lane = `${h.device}/${h.rec.layer}`;
    if (!lanes.includes(lane)) lanes.push(lane);
    return { n: i + 1, t: h.rec.t, delta: h.delta, total: h.total, device: h.device, layer: h.rec.layer, probe: h.rec.probe, direction: directionOf(h.rec), state: h.state, record: viewOf(s, h.rec) };
  });
  return { pkt, summary: summarize(s.packets.info(pkt, s.executed)), hops, lanes, complete: p.complete };
}

export function topologyView(sc: Scenario): TopologyView {
  const nodes = sc.nodes.map((n) => ({
    name: n.name,
    kind: n.kind === 'guest' ? ('guest' as const) : ('qnx' as const),
    position: n.position ? { x: n.position.x, y: n.position.y } : null,
    nics: n.nics.map((nic, i) => ({ name: `${n.name}.nic${i}`, model: nic.model, link: nic.link, mac: macText(nic.mac) })),
  }));
  const links = sc.links.map((l) => ({ name: l.name, kind: l.type, ports: nodes.flatMap((n) => n.nics.filter((x) => x.link === l.name).map((x) => x.name)) }));
  return { nodes, links };
}

/** A stop for a state reached some other way (a REPL command run through `command`). */
export function stateStop(s: DebugSession, message: string | null): Stop {
  return { reason: 'start', bp: null, cursor: s.cursorRecord, shown: [], event: s.inst.lastEvent?.name ?? null, message, console: [] };
}

export { macText };
