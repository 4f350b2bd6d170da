/**
 * A drop group's one-line reason (docs/drops.md "Causes"): the resource, what happened to the frames and what
 * they waited on, from the group's first record and what the records say about the node (facts.ts).
 */
import type { TraceRecord } from '../../../machine/sim/trace';
import { durationText, timeText } from '../records';
import { causeText, isRingOverrun } from './classify';
import type { NodeFacts, Proc } from './facts';
import { explainStarvation } from './starvation';

export interface GroupInfo {
  node: string;
  resource: string;
  cause: string;
  count: number;
  first: number;
  last: number;
}

const procText = (p: Proc): string => `${p.name} (pid ${p.pid}, prio ${p.prio}${p.end !== null ? `, ${timeText(p.start)}..${timeText(p.end)}` : `, from ${timeText(p.start)}`})`;

/** Where a resource's name comes from: the NIC (with its interface), the socket's owner, the link's port. */
export function resourceOf(r: TraceRecord, facts: NodeFacts): string {
  const f = r.f ?? {};
  if (typeof f['nic'] === 'string') return facts.nicName(r.node, f['nic']);
  if (r.layer === 'socket') {
    const o = facts.socketOwner(r.node, f['so']);
    const who = o === null ? '' : 'name' in o ? ` (pid ${o.pid} ${o.name})` : ` (pid ${o.pid})`;
    return `${r.node} socket ${String(f['so'])}${who}`;
  }
  if (!r.node) return `${typeof f['link'] === 'string' ? `${f['link']} ` : ''}port ${String(f['port'] ?? f['to'] ?? f['radio'] ?? '?')}`;
  if (typeof f['if'] === 'string') return `${r.node} ${r.layer} ${f['if']}`;
  return `${r.node} ${r.layer}`;
}

export function whyLine(r: TraceRecord, g: GroupInfo, facts: NodeFacts, end: number): string {
  const head = `${g.resource} ${causeText(r, g.cause)} (${g.count} frame${g.count === 1 ? '' : 's'})`;
  return `${head}: ${detail(r, g, facts, end)}`;
}

function detail(r: TraceRecord, g: GroupInfo, facts: NodeFacts, end: number): string {
  const f = r.f ?? {};
  if (isRingOverrun(r, g.cause)) {
    const eps = facts.starvations.covering(g.node, g.first, g.last);
    const out = facts.outagesDuring(g.node, g.first, g.last);
    if (eps.length === 0 && out.length > 0) return `nothing emptied the ring: ${out.map((o) => o.text).join('; ')}`;
    return explainStarvation(eps, end);
  }
  if (r.layer === 'nic' && (g.cause === 'stopped' || g.cause === 'loopback')) {
    // DP8390 overflow recovery (National DP8390D datasheet; NetBSD dp8390_rint/Linux ei_rx_overrun): STP, wait,
    // clear RBCR, TCR loopback, STA, drain the ring, ack OVW, TCR normal. Frames arriving meanwhile are not stored.
    const o = facts.overrunBefore(g.node, g.first);
    const state = g.cause === 'stopped' ? 'the receiver stopped (CR.STP)' : 'the chip in loopback (TCR.LB)';
    return o !== null
      ? `arrived during the driver's overrun recovery (driver/overrun at ${timeText(o)}), with ${state} while the ring is drained`
      : `arrived with ${state}: the interface was down or being reset`;
  }
  if (r.layer === 'socket' && typeof f['hiwat'] === 'number') {
    const owner = facts.socketOwner(r.node, f['so']);
    const reader = owner && 'name' in owner ? owner : null;
    const base = `so_rcvbuf held ${String(f['cc'])} of ${f['hiwat']} bytes: the reader${reader ? ` ${reader.name} (pid ${reader.pid}, prio ${reader.prio})` : ''} had not read them`;
    if (!reader) return base;
    const hogs = facts.above(g.node, reader.prio, g.first, g.last);
    return hogs.length > 0 ? `${base}; started at a higher priority and alive meanwhile: ${hogs.map(procText).join(', ')}` : `${base}; no process of higher priority was started meanwhile`;
  }
  if (g.cause === 'socket') return 'still in the socket\'s receive buffer when the records end (nobody read it)';
  if (g.cause === 'ring') {
    const o = facts.outageAt(g.node, end);
    return `still in the chip's receive ring when the records end (the driver had not taken it, ${durationText(end - g.last)} after the last)${o ? `: ${o.text}` : ''}`;
  }
  if (g.cause === 'closed with data unread') return 'the socket was closed before its reader read them';
  if (r.layer === 'fault') return `fault ${String(f['fault'] ?? '?')} on ${String(f['link'] ?? 'the link')} discarded them (scenario faults)`;
  if (r.layer === 'wire') {
    const wire: Record<string, string> = {
      'link-down': "the port's link was down when they were sent (a fault, a cable pulled, or auto-negotiation not done)",
      'no-peer': 'nobody was attached at the far end',
      'queue-full': "the switch's output queue to this port was full (drop tail)",
      'excessive-collisions': 'the half-duplex switch port gave them up after 16 collisions',
      'bad-fcs': 'the switch found a bad FCS (store-and-forward)',
      runt: 'too short to carry a MAC header', alignment: 'they did not end on an octet boundary', busy: 'sent while the previous frame was still being serialized',
    };
    if (wire[g.cause]) return wire[g.cause]!;
  }
  if (r.layer === 'air' && r.probe === 'rx-abort') {
    const how: Record<string, string> = { retune: 'was retuned to another channel', tx: 'started to transmit (a radio is half duplex)', capture: 'locked onto a stronger frame (capture)' };
    return `the receiving radio ${how[g.cause] ?? g.cause} in the middle of a frame from ${String(f['from'] ?? '?')}`;
  }
  if (r.layer === 'mac' && r.probe === 'abort') return `the MAC gave up after ${String(f['attempts'] ?? 16)} attempts (IEEE 802.3 attemptLimit)`;
  if (r.probe === 'noport') return `no socket bound to port ${String(f['port'])} on ${g.node}: ICMP port unreachable sent back (RFC 1122 4.1.3.1)`;
  if (r.layer === 'nic' && g.cause === 'no-link') return 'the NIC had no link when the driver queued them';
  if (r.layer === 'ifnet' && g.cause.startsWith('unknown ethertype')) return `no protocol on ${g.node} takes EtherType ${g.cause.slice('unknown ethertype '.length)} (ether_input frees it)`;
  if (r.layer === 'pf') return `blocked by pf rule ${String(f['rule'] ?? '?')} (${String(f['dir'] ?? '')} on ${String(f['if'] ?? '?')}; pfctl -sr -v counts it)`;
  if (r.layer === 'arp' && r.probe === 'hold-drop') return 'ARP holds one packet per unresolved address (NetBSD la_hold): a newer one replaced it before the reply came';
  if (r.layer === 'impair') return `the link's impairment (${g.cause}) discarded them`;
  if (r.layer === 'nic' && g.cause === 'monitor') return 'the receiver was in monitor mode (DP8390 RCR.MON): frames are checked and counted as missed, never stored';
  if (r.layer === 'nic' && g.cause === 'disabled') return 'the receiver was disabled (the driver had not enabled it yet, or turned it off)';
  return `${r.layer}/${r.probe} discarded them: ${g.cause}`;
}
