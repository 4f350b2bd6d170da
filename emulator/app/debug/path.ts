/**
 * A packet's path: every trace record carrying its id, from where it entered the system (an application's
 * send) to where it ended (delivered to a socket, answered, dropped), with the virtual time of each hop, the
 * latency from the hop before and the time since the first hop. With a lookahead timeline the whole path is
 * known at once, hops still to come included (marked); without one, the path so far.
 */
import { directionOf, durationText, fieldsText, timeText, type DebugRecord } from './records';
import type { DebugSession } from './session';
import { summarize } from './packet-info';

export interface Hop {
  rec: DebugRecord;
  /** Where the packet is: node name, or the link for wire records. */
  device: string;
  /** Latency from the previous hop (0 for the first). */
  delta: number;
  /** Time since the first hop. */
  total: number;
  /** Relative to the session: already happened, the cursor, or still to come. */
  state: 'past' | 'cursor' | 'future';
}

export interface PacketPath {
  pkt: number;
  hops: Hop[];
  /** Records of other packets this one caused (ARP request for it, the reply to it). */
  caused: DebugRecord[];
  /** The whole path is known (lookahead) rather than the part so far. */
  complete: boolean;
}

function deviceOf(r: DebugRecord, s: DebugSession): string {
  if (r.node) return r.node;
  // Air records name their wireless link (emulator/machine/net/wireless/medium.ts).
  const link = r.f?.['link'];
  if (typeof link === 'string') return link;
  const port = r.f?.['port'] ?? r.f?.['to'];
  return (typeof port === 'string' && s.inst.portLinks.get(port)) || 'network';
}

export function pathOf(s: DebugSession, pkt: number): PacketPath {
  const tl = s.timeline;
  const recs = s.packetRecords(pkt);
  const cur = s.cursorRecord;
  const executed = s.executed;
  let cursorSeen = false;
  const hops: Hop[] = [];
  const t0 = recs[0]?.t ?? 0;
  recs.forEach((rec, i) => {
    let state: Hop['state'] = rec.ev <= executed ? 'past' : 'future';
    if (!cursorSeen && cur && cur.pkt === pkt && rec.ev === cur.ev && rec.layer === cur.layer && rec.probe === cur.probe && rec.node === cur.node && rec.t === cur.t) {
      state = 'cursor';
      cursorSeen = true;
    }
    hops.push({ rec, device: deviceOf(rec, s), delta: i === 0 ? 0 : rec.t - recs[i - 1]!.t, total: rec.t - t0, state });
  });
  const caused = s.causedRecords(pkt);
  return { pkt, hops, caused, complete: tl?.complete ?? false };
}

/** The path as printed by the `path` command. */
export function formatPath(s: DebugSession, p: PacketPath): string[] {
  const out: string[] = [];
  if (p.hops.length === 0) return [`packet ${p.pkt}: no trace record carries this id${p.complete ? '' : ' so far'}`];
  out.push(`packet ${p.pkt}: ${summarize(s.packets.info(p.pkt, s.executed))}`);
  const devices: string[] = [];
  for (const h of p.hops) if (!devices.includes(h.device)) devices.push(h.device);
  const last = p.hops.at(-1)!;
  out.push(`path: ${p.hops.length} hops through ${devices.join(' -> ')}, ${durationText(last.total)} from first to last hop`);
  const rows = p.hops.map((h, i) => [
    h.state === 'cursor' ? '=>' : h.state === 'future' ? ' .' : '',
    String(i + 1),
    timeText(h.rec.t),
    i === 0 ? '' : `+${durationText(h.delta)}`,
    durationText(h.total),
    h.device,
    h.rec.layer,
    ({ inbound: 'in', outbound: 'out', internal: '-' } as const)[directionOf(h.rec)],
    h.rec.probe,
    fieldsText(h.rec.f),
  ]);
  const head = ['', '#', 'time', '+hop', 'total', 'device', 'layer', 'dir', 'probe', 'fields'];
  const widths = head.map((hd, c) => Math.max(hd.length, ...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => r.map((v, c) => (c === r.length - 1 ? v : c === 1 ? v.padStart(widths[c]!) : v.padEnd(widths[c]!))).join('  ').trimEnd();
  out.push(line(head));
  for (const r of rows) out.push(line(r));
  if (p.hops.some((h) => h.state === 'future')) out.push('(hops marked . have not happened yet: they come from the lookahead run)');
  const h = s.timeline?.horizon;
  if (h) out.push(`(path known up to the lookahead's horizon at ${timeText(h.t)} and as far as the session has run: the lookahead stopped at its cap of ${h.limit} records)`);
  else if (!p.complete) out.push('(path so far: the session runs without a lookahead)');
  for (const c of p.caused) {
    const why = c.f?.['reqPkt'] === p.pkt ? 'in reply' : 'on its behalf';
    out.push(`caused: packet ${c.pkt} ${c.layer}/${c.probe} at ${c.node || 'the network'} ${timeText(c.t)} (${why}; path ${c.pkt})`);
  }
  return out;
}
