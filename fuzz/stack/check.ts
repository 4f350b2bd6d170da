/**
 * The invariants checked after every frame fed to a fuzzed stack:
 * - targeted: a mutation labelled with the NetBSD counter(s) it must land in moved exactly those counters by the
 *   expected amounts, and the frame reached none of the layers it must not (no delivery of a dropped frame);
 * - conservation (every frame): the frame was delivered, answered, forwarded or queued (a counter other than the
 *   pass-through ones moved, or a consuming trace appeared), or its drop is counted, or it is a documented silent
 *   NetBSD drop (silent.ts); a drop that moves no counter and is not in that table is a failure;
 * - bounds: reassembly queues (IPv4 datagrams and fragments, IPv6 datagrams and fragments), the ARP table and
 *   its held packets, the interface send queue, TCP control blocks, their reassembly queues and socket buffers,
 *   pending callouts, deferred wakeups, trace volume (a runaway shows there);
 * - output: every frame the stack sent parses with our wire views and carries correct checksums (validate.ts).
 */
import { IP_MAXFRAGPACKETS, IP_MAXFRAGS } from '../../stack/net/ip-reass';
import { IP6_MAXFRAGPACKETS, IP6_MAXFRAGS } from '../../stack/net/ip6/frag6';
import { TCP_REASS_MAXQLEN } from '../../stack/net/tcp/reass';
import type { TcpCb } from '../../stack/net/tcp/tcpcb';
import { CounterVector, counterDelta, isPassThrough } from './counters';
import type { StackRig, TraceRec } from './env';
import { silentDrop } from './silent';
import { validateSent, type Ours } from './validate';

/** One frame of an episode, as generated and as a reproducer records it. */
export interface FrameCase {
  kind: 'valid' | 'targeted' | 'random';
  /** What the generator made: `ipv4/badsum`, `tcp/syn`, `random/bitflip`. */
  label: string;
  frame: Uint8Array;
  /** Virtual nanoseconds that pass (timers run) before the frame arrives. */
  adv: number;
  /** targeted: each counter must move by exactly this much. */
  expect?: Readonly<Record<string, number>>;
  /** targeted: `layer/probe` traces that must not appear (the frame must not get that far). */
  notReached?: readonly string[];
}

/** Probes that show a frame was taken in (delivered to a socket, answered, queued for reassembly, forwarded). */
const CONSUMED = new Set([
  'udp/input', 'tcp/input', 'tcp/state', 'icmp/echo-in', 'ip/forward', 'ip/frag-queued', 'ip/reassembled', 'arp/resolved', 'arp/reply',
  'ip6/fragment', 'ip6/reassembled', 'ip6/atomic-fragment', 'icmp6/input', 'igmp/input',
]);

/** Bounds the stack must keep whatever it is fed (NetBSD's limits where it has them, generous sanity caps else). */
export const BOUNDS = {
  arpEntries: 512,
  callouts: 4096,
  tcpcbs: 64,
  sockets: 64,
};

export class FrameChecker {
  private readonly v: CounterVector;
  private readonly before: Float64Array;
  private readonly after: Float64Array;
  /** Frames the stack sent over the episode (for tshark samples and the planted-bug tests). */
  sentCount = 0;
  readonly sentSample: Uint8Array[] = [];

  private readonly ours: Ours;

  constructor(private readonly rig: StackRig, private readonly sampleSent = 0) {
    const s = rig.s;
    this.ours = {
      v4: (a) => s.ifs.ifaWithAddr(a) !== undefined,
      v6: (a) => s.ip6?.isOurAddress(a) ?? false,
    };
    this.v = new CounterVector(rig);
    this.before = new Float64Array(this.v.size);
    this.after = new Float64Array(this.v.size);
  }

  /** Snapshot the counters before a frame goes in (call after the clock moved). */
  snapshot(): void {
    this.v.read(this.before);
  }

  /** Everything the stack sent since the last call (timers included) must be well formed. */
  checkSent(): string | null {
    const rig = this.rig;
    if (rig.en0.snd.length > rig.en0.sndMax) return `if_snd holds ${rig.en0.snd.length} frames, more than ifq_maxlen ${rig.en0.sndMax}`;
    for (const m of rig.takeSent()) {
      this.sentCount++;
      if (this.sentSample.length < this.sampleSent) this.sentSample.push(m.data.slice());
      const bad = validateSent(m.data, this.ours);
      if (bad) return `sent a bad frame: ${bad} [${Buffer.from(m.data.subarray(0, 64)).toString('hex')}]`;
    }
    return null;
  }

  /** The invariants after frame `c` (packet id `pkt`) was processed. */
  check(c: FrameCase, pkt: number): string | null {
    const rig = this.rig;
    this.v.read(this.after);
    const delta = counterDelta(this.v, this.before, this.after);
    const mine = rig.env.traces.filter((t) => t.pkt === pkt);
    if (c.expect) {
      for (const [name, want] of Object.entries(c.expect)) {
        if (this.v.slot(name) < 0) return `${c.label}: no counter ${name}`;
        const got = delta.get(name) ?? 0;
        if (got !== want) return `${c.label}: ${name} moved by ${got}, expected ${want} (moved: ${fmtDelta(delta)}; ${lastDrop(mine)})`;
      }
    }
    if (c.notReached) {
      const hit = mine.find((t) => c.notReached!.includes(`${t.layer}/${t.probe}`));
      if (hit) return `${c.label}: reached ${hit.layer}/${hit.probe} though it must be dropped before (moved: ${fmtDelta(delta)})`;
    }
    const lost = conservation(delta, mine);
    if (lost) return `${c.label}: ${lost}`;
    return this.bounds() ?? this.checkSent();
  }

  /** Queue and timer bounds (also checked after time passes). */
  bounds(): string | null {
    const rig = this.rig;
    const s = rig.s;
    const env = rig.env;
    if (env.tracesDropped > 0) return `runaway: more than ${env.tracesDropped} trace records for one frame`;
    if (env.pendingDeferred > 0) return `runaway: ${env.pendingDeferred} deferred wakeups still pending`;
    const reass = s.ip.reass;
    if (reass.npackets > IP_MAXFRAGPACKETS) return `ip_reass holds ${reass.npackets} datagrams (ip_maxfragpackets ${IP_MAXFRAGPACKETS})`;
    const nfrags = reass['nfrags'];
    if (nfrags > IP_MAXFRAGS || nfrags < 0) return `ip_reass holds ${nfrags} fragments (ip_maxfrags ${IP_MAXFRAGS})`;
    if (s.ip6) {
      const f6 = s.ip6.frag6;
      if (f6.pending > IP6_MAXFRAGPACKETS) return `frag6 holds ${f6.pending} datagrams (ip6_maxfragpackets ${IP6_MAXFRAGPACKETS})`;
      if (f6.nfrags > IP6_MAXFRAGS || f6.nfrags < 0) return `frag6 holds ${f6.nfrags} fragments (ip6_maxfrags ${IP6_MAXFRAGS})`;
    }
    if (s.arp.table.size > BOUNDS.arpEntries) return `ARP table has ${s.arp.table.size} entries`;
    if (s.callouts.size > BOUNDS.callouts) return `${s.callouts.size} callouts pending`;
    if (s.tcp.cbs.length > BOUNDS.tcpcbs) return `${s.tcp.cbs.length} TCP control blocks`;
    if (s.sockets.list.length > BOUNDS.sockets) return `${s.sockets.list.length} sockets`;
    for (const tp of s.tcp.cbs as TcpCb[]) {
      if (tp.segq.length > TCP_REASS_MAXQLEN) return `tcp_reass queue of ${tp.segq.length} segments (max ${TCP_REASS_MAXQLEN})`;
      const st = tp.so.stream;
      if (st && st.rcv.cc > st.rcv.hiwat) return `so_rcv holds ${st.rcv.cc} bytes, sb_hiwat ${st.rcv.hiwat}`;
      if (st && st.snd.cc > st.snd.hiwat) return `so_snd holds ${st.snd.cc} bytes, sb_hiwat ${st.snd.hiwat}`;
    }
    for (const so of s.sockets.list) {
      if (so.rcv.cc > so.rcv.hiwat) return `socket ${so.id} so_rcv holds ${so.rcv.cc} bytes, sb_hiwat ${so.rcv.hiwat}`;
    }
    return null;
  }
}

/** The frame's fate must be visible: a fate counter, a consuming trace, or a documented silent drop. */
function conservation(delta: Map<string, number>, mine: readonly TraceRec[]): string | null {
  let fateCounter = false;
  for (const name of delta.keys()) {
    if (!isPassThrough(name)) {
      fateCounter = true;
      break;
    }
  }
  const drops = mine.filter((t) => t.probe === 'drop');
  if (drops.length > 0) {
    if (fateCounter) return null;
    const d = drops[drops.length - 1]!;
    if (silentDrop(d.layer, d.reason)) return null;
    return `uncounted drop at ${d.layer}: "${d.reason}" (no counter moved${delta.size ? ` but ${fmtDelta(delta)}` : ''}, and NetBSD does not drop it silently)`;
  }
  if (fateCounter) return null;
  // ICMP messages other than echo are consumed by icmp_input (ctlinput, redirects, raw sockets) with only inhist moving.
  if (mine.some((t) => CONSUMED.has(`${t.layer}/${t.probe}`) || (t.layer === 'icmp' && t.probe.endsWith('-in')) || (t.layer === 'ip6' && t.probe === 'no-next-header'))) return null;
  return `frame vanished: no counter moved, no drop traced, not delivered (traces: ${mine.map((t) => `${t.layer}/${t.probe}`).join(' ') || 'none'})`;
}

function fmtDelta(delta: Map<string, number>): string {
  if (delta.size === 0) return 'nothing';
  return [...delta].slice(0, 12).map(([k, v]) => `${k}${v > 0 ? '+' : ''}${v}`).join(' ');
}

function lastDrop(mine: readonly TraceRec[]): string {
  const d = mine.filter((t) => t.probe === 'drop').at(-1);
  return d ? `dropped at ${d.layer}: ${d.reason}` : 'no drop traced';
}
