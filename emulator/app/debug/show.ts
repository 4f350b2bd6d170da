/** `show …`: state at the cursor — chips, the stack, the event queue, a packet's bytes. */
import { remoteGuestNote } from './targets';
import type { Time } from '../../machine/sim/time';
import { RUN_END_EVENT } from '../assembly/run';
import { END_GRACE_NS } from '../testing/run-end';
import { hexDump, summarize } from './packet-info';
import { durationText, recordText, timeText } from './records';
import type { DebugSession } from './session';
import { nodeRunState, nodeStateText } from './node-state';
import { showNic } from './show-nic';
import { showArp, showIfnet, showSockets, showThreads } from './show-stack';
import { resolveNic } from './targets';

export class ShowError extends Error {}

const USAGE = 'usage: show nic <node>.<nic> | pic <node> | ioapic <node> | board <node> | sockets <node> | arp <node> | ifnet <node> | procs <node> | threads <node> | nodes | events [n] | packet [pkt]';

export function show(s: DebugSession, args: string[]): string[] {
  const [what, arg] = args;
  const node = () => {
    if (!arg) throw new ShowError(`usage: show ${what} <node>`);
    const n = s.inst.node(arg);
    if (!n) {
      if (s.inst.isRemoteGuest(arg)) throw new ShowError(remoteGuestNote(arg, `its state (show ${what} is for simulated QNX nodes)`));
      const g = s.inst.a.guests.find((x) => x.name === arg);
      if (g) {
        const nics = g.nics.map((_, i) => `show nic ${g.name}.nic${i}`).join(', ');
        throw new ShowError(`${arg} is a Linux guest (v86): show ${what} is for simulated QNX nodes; its NICs are our models: ${nics || 'it has none'}`);
      }
      throw new ShowError(`no node '${arg}' (nodes: ${s.inst.nodeNames.join(', ')})`);
    }
    return n;
  };
  switch (what) {
    case 'nic': {
      if (!arg) throw new ShowError('usage: show nic <node>.<nic>  (e.g. show nic beta.nic0 or show nic alpha.en0)');
      const nic = resolveNic(s.inst, arg);
      if (typeof nic === 'string') throw new ShowError(nic);
      return showNic(nic);
    }
    case 'pic':
      return node().board.pic.describe().split('\n');
    case 'ioapic':
      return node().board.ioapic.describe().split('\n');
    case 'board':
      return node().board.describe().split('\n');
    case 'sockets':
      return showSockets(node());
    case 'arp':
      return showArp(node());
    case 'ifnet':
    case 'ifnets':
    case 'interfaces':
      return showIfnet(node());
    case 'procs':
      return showProcs(s, node().name);
    case 'threads':
      return showThreads(node());
    case 'nodes':
      return showNodes(s);
    case 'events':
      return showEvents(s, arg ? Number(arg) : 20);
    case 'packet':
      return showPacket(s, arg ? Number(arg) : s.currentPkt);
  }
  throw new ShowError(USAGE);
}

function showProcs(s: DebugSession, name: string): string[] {
  const node = s.inst.node(name)!;
  const st = nodeRunState(node, s.inst.scenario.faults, s.inst.queue.now);
  const k = node.kernel;
  if (!k) return [`${name}: ${nodeStateText(st)}`];
  // A crashed or hung kernel's tables are as the fault left them: nothing in them runs (docs/faults.md).
  const out: string[] = st.kind === 'running' ? [] : [`${name}: ${nodeStateText(st)}; the processes as they were then:`];
  for (const p of k.processes) {
    out.push(`  pid ${String(p.pid).padStart(3)} ${p.argv.join(' ')}`);
    for (const t of p.threads) out.push(`      tid ${t.tid} ${t.name.padEnd(10)} ${t.state.padEnd(8)} prio ${t.priority}${t.blockedOn ? ` blocked on ${t.blockedOn}` : ''}`);
  }
  return out;
}

/** `show nodes`: each node's state at the cursor (running, crashed, hung, powered off: node-state.ts). */
function showNodes(s: DebugSession): string[] {
  const now = s.inst.queue.now;
  const width = Math.max(...s.inst.nodeNames.map((n) => n.length));
  return s.inst.nodeNames.map((name) => {
    const n = s.inst.node(name);
    const what = n ? nodeStateText(nodeRunState(n, s.inst.scenario.faults, now)) : 'Linux guest (v86)';
    return `  ${name.padEnd(width)}  ${what}`;
  });
}

/**
 * Where the run ends, as the session's `end` stop says it: at `until`, or — when the scenario reads interface
 * counters at the end (`expect:` netstat/nicinfo tools, started at `until`) — later, while those tools run, up to
 * until + END_GRACE_NS (SimInstance.limit, run-end.ts runLimit). `latest` is the last time an event may still
 * belong to the run; `header` the text of `show events`' first line.
 */
export function runEnd(s: DebugSession): { latest: Time; header: string } {
  const q = s.inst.queue;
  const until = s.until;
  const grace = until + END_GRACE_NS;
  const busy = s.inst.observer.busy;
  const started = q.now > until || (q.now === until && !q.list().some((ev) => ev.name === RUN_END_EVENT));
  const tools = (s.inst.scenario.expect ?? []).some((e) => e.kind === 'iface-counter' && e.at === null);
  if (busy > 0) return { latest: grace, header: `run ends at ${timeText(until)} + the end-of-run tools' grace while they run (${busy} running; at the latest ${timeText(grace)})` };
  if (tools && !started) return { latest: grace, header: `run ends at ${timeText(until)}, or later while the end-of-run tools run (at the latest ${timeText(grace)})` };
  if (q.now > until) return { latest: q.now, header: `run ended: the end-of-run tools finished at ${timeText(q.now)} (time limit ${timeText(until)})` };
  return { latest: until, header: `run ends at ${timeText(until)}` };
}

function showEvents(s: DebugSession, n: number): string[] {
  const q = s.inst.queue;
  // A threaded run's replay: the guests' messages not yet due wait in the gate, not in the queue; they run after the
  // local events of their time (main-gate.ts), which a stable sort of locals-then-messages keeps.
  const list = [
    ...q.list().map((ev) => ({ when: ev.when, priority: ev.priority, name: ev.name, held: false })),
    ...s.inst.heldMessages().map((m) => ({ when: m.at, priority: m.priority, name: m.name, held: true })),
  ].sort((a, b) => a.when - b.when || a.priority - b.priority);
  const limit = Number.isFinite(n) && n > 0 ? n : 20;
  const end = runEnd(s);
  const out = [`${list.length} pending event(s) at ${timeText(q.now)} (after event #${q.executed}); ${end.header}`];
  const ended = s.inst.ended;
  list.slice(0, limit).forEach((ev, i) => {
    const after = ev.when > end.latest || (ev.when > s.until && ended);
    const mark = after ? '  (after the end of the run)' : ev.when > s.until ? '  (after until: runs only while the end-of-run tools run)' : '';
    const held = ev.held ? "  (a guest's message, held by the gate until it is due)" : '';
    out.push(`  ${String(i + 1).padStart(3)}  ${timeText(ev.when)}  +${durationText(ev.when - q.now).padEnd(14)} prio ${String(ev.priority).padStart(3)}  ${ev.name}${held}${mark}`);
  });
  if (list.length > limit) out.push(`  … ${list.length - limit} more (show events ${list.length})`);
  return out;
}

function showPacket(s: DebugSession, pkt: number): string[] {
  if (!Number.isInteger(pkt) || pkt <= 0) throw new ShowError('no packet under the cursor: show packet <pkt>');
  const info = s.packets.info(pkt, s.executed);
  const out = [`packet ${pkt}: ${summarize(info)}`];
  const seen = s.packetRecords(pkt);
  if (seen.length > 0) {
    out.push(`  first: ${timeText(seen[0]!.t)} ${recordText(seen[0]!)}`);
    out.push(`  last:  ${timeText(seen.at(-1)!.t)} ${recordText(seen.at(-1)!)}`);
  }
  const bytes = s.packets.bytes(pkt, s.executed);
  if (bytes) {
    out.push(`  frame (${bytes.length} bytes, as on the wire without FCS):`);
    out.push(...hexDump(bytes, '  '));
  } else {
    out.push('  no frame bytes seen for this id (it never reached a NIC or a wire)');
  }
  return out;
}
