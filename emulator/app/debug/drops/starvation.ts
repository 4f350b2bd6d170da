/**
 * Starvation episodes from the kernel's `kernel/starved` and `kernel/ran-late` records (stack/kernel/starvation.ts):
 * an interrupt made a thread ready and every CPU held a thread of higher priority. A chip's ring overrun is
 * explained by the episode on the same node that overlaps its drops: which thread services the NIC, its
 * priority, how late it ran after the interrupt and what held the CPU meanwhile.
 */
import type { TraceRecord } from '../../../machine/sim/trace';
import { durationText, timeText } from '../records';

export interface Episode {
  node: string;
  irq: number;
  pid: number;
  tid: number;
  name: string;
  prio: number;
  /** "cpu0 spin (pid 5 tid 1 prio 40)", one per CPU, "; "-separated. */
  held: string;
  /** When the interrupt's event made the thread ready. */
  ready: number;
  /** Latency to its dispatch, or null when it had not run when the records end. */
  latency: number | null;
}

/** Episodes kept at most (the oldest are forgotten): one per starvation, a handful in any real run. */
const MAX_EPISODES = 10_000;

const num = (v: unknown): number => (typeof v === 'number' ? v : -1);

export class Starvations {
  private readonly episodes: Episode[] = [];

  learn(r: TraceRecord): void {
    const f = r.f ?? {};
    if (r.probe === 'starved') {
      this.episodes.push({ node: r.node, irq: num(f['irq']), pid: num(f['pid']), tid: num(f['tid']), name: String(f['name'] ?? '?'), prio: num(f['prio']), held: String(f['held'] ?? ''), ready: r.t, latency: null });
      if (this.episodes.length > MAX_EPISODES) this.episodes.shift();
      return;
    }
    // ran-late: the open episode of that thread ends.
    const e = [...this.episodes].reverse().find((x) => x.node === r.node && x.pid === f['pid'] && x.tid === f['tid'] && x.latency === null);
    if (e) {
      e.latency = num(f['latency']);
      e.ready = r.t - e.latency;
    }
  }

  /** The episodes on `node` that overlap [first, last] (a ring fills while its thread waits), longest first. */
  covering(node: string, first: number, last: number): Episode[] {
    return this.episodes
      .filter((e) => e.node === node && e.ready <= last && (e.latency === null || e.ready + e.latency >= first))
      .sort((a, b) => (b.latency ?? Infinity) - (a.latency ?? Infinity));
  }
}

/** "cpu0 spin (pid 5 tid 1 prio 40)" → "spin (pid 5 tid 1 prio 40) on CPU 0". */
function heldText(held: string): string {
  return held
    .split('; ')
    .map((h) => {
      const m = /^cpu(\d+) (.*)$/.exec(h);
      return m ? `${m[2]!} on CPU ${m[1]!}` : h;
    })
    .join(' and ');
}

/** The scheduling half of a ring overrun's reason line. */
export function explainStarvation(eps: Episode[], end: number): string {
  const e = eps[0];
  if (!e) return 'the ring filled faster than the driver emptied it; no kernel/starved record on this node: the thread servicing the NIC was never kept off a CPU by a higher priority';
  const late = e.latency === null ? `had not run when the records end (${durationText(end - e.ready)} after)` : `ran ${durationText(e.latency)} late`;
  const more = eps.length > 1 ? ` (longest of ${eps.length} starvations)` : '';
  return `${e.name} thread ${e.tid} (prio ${e.prio}), made ready by irq ${e.irq} at ${timeText(e.ready)}, ${late} behind ${heldText(e.held)}${more}`;
}
