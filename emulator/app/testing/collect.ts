/**
 * What expectations read, gathered while a scenario runs:
 * - interface and driver counters the honest way: `netstat -i` and `nicinfo <iface>` run on the node at the
 *   expectation's time (or the end), their output captured apart from the console; on a guest node
 *   `cat /proc/net/dev`, typed at its shell between two marker lines (it shows on the guest's console);
 * - NIC-model counters: the NIC model's own trace records (layer "nic") counted per NIC, by probe and by
 *   probe.reason (rx-reject.overflow), independent of what the driver noticed.
 */
import { SimEvent } from '../../machine/sim/event';
import { Priority } from '../../machine/sim/priority';
import type { Time } from '../../machine/sim/time';
import type { Assembled } from '../assembly/run';
import type { SimNode } from '../assembly/node';
import type { ShellView } from '../assembly/guest-workers';
import type { Expectation } from '../scenario/expect';
import type { Kernel } from '../../../stack/kernel/kernel';

/** How often the runner checks whether a tool it started has exited. */
const TOOL_POLL_NS = 100_000;

export interface ToolRun {
  node: string;
  argv: string[];
  output: string;
  done: boolean;
  /** Why it produced nothing useful (node not booted, program missing). */
  error: string | null;
}

/** Key of a point in time: "end" or the `at` in ns. */
export function whenKey(at: Time | null): string {
  return at === null ? 'end' : String(at);
}

export function toolKey(at: Time | null, node: string, argv: string[]): string {
  return `${whenKey(at)}|${node}|${argv.join(' ')}`;
}

export function nicKey(at: Time | null, node: string, nic: number, counter: string): string {
  return `${whenKey(at)}|${node}.nic${nic}|${counter}`;
}

/** The tool an iface expectation needs. */
export function toolArgv(e: Extract<Expectation, { kind: 'iface-counter' }>): string[] {
  return e.tool === 'netstat' ? ['netstat', '-i'] : e.tool === 'nicinfo' ? ['nicinfo', e.iface] : ['cat', '/proc/net/dev'];
}

/** A guest node, on this thread or in a worker: what a counter read needs of it. */
interface Guest {
  readonly name: string;
  readonly shell: ShellView;
}

export class Observer {
  /** Live NIC record counts: "<node>.nic<i>|<probe>" and "<node>.nic<i>|rx-reject.<reason>". */
  private readonly live = new Map<string, number>();
  /** Counts frozen at expectation times (nicKey). */
  readonly nicCounts = new Map<string, number>();
  /** Tool runs (toolKey). */
  readonly tools = new Map<string, ToolRun>();
  private readonly pending: { run: ToolRun; node: SimNode; pid: number; kernel: Kernel }[] = [];
  /** Reads typed at guest shells: done when the end marker line has come back. */
  private readonly guestPending: { run: ToolRun; guest: Guest; from: number; begin: string; end: string }[] = [];
  private guestReads = 0;
  private readonly poll: SimEvent;

  constructor(private readonly a: Assembled, private readonly expectations: Expectation[]) {
    if (expectations.some((e) => e.kind === 'nic-counter')) {
      a.sim.tracer.addSink((rec) => {
        if (rec.layer !== 'nic') return;
        const nic = rec.f?.['nic'];
        if (typeof nic !== 'string') return;
        this.bump(`${nic}|${rec.probe}`);
        const reason = rec.f?.['reason'];
        if (rec.probe === 'rx-reject' && typeof reason === 'string') this.bump(`${nic}|rx-reject.${reason}`);
      });
    }
    this.poll = new SimEvent('expect.tools', () => this.check(), Priority.Stop);
    // Points in time before the end get their own event; the end is taken by the runner (takeEnd).
    const times = [...new Set(expectations.map((e) => e.at).filter((t): t is Time => t !== null))].sort((x, y) => x - y);
    for (const t of times) a.sim.queue.schedule(new SimEvent(`expect.at.${t}`, () => this.take(t), Priority.Scenario), t);
  }

  /** Freeze counters and start tools for the end-of-run expectations. */
  takeEnd(): void {
    this.take(null);
  }

  /** Tools still running. */
  get busy(): number {
    return this.pending.length + this.guestPending.length;
  }

  /** Tools that did not finish by the time the run stopped. */
  abandon(): void {
    for (const p of this.pending.splice(0)) p.run.error = `${p.run.argv.join(' ')} did not finish`;
    for (const p of this.guestPending.splice(0)) {
      p.run.error = `${p.run.argv.join(' ')} typed at ${p.guest.name}'s shell did not come back (${p.guest.shell.ready ? 'the shell was busy' : 'the guest never showed its prompt'})`;
    }
  }

  private bump(k: string): void {
    this.live.set(k, (this.live.get(k) ?? 0) + 1);
  }

  private take(at: Time | null): void {
    for (const e of this.expectations) {
      if (e.at !== at) continue;
      if (e.kind === 'nic-counter') {
        this.nicCounts.set(nicKey(at, e.node, e.nic, e.counter), this.live.get(`${e.node}.nic${e.nic}|${e.counter}`) ?? 0);
      } else if (e.kind === 'iface-counter') {
        const argv = toolArgv(e);
        const key = toolKey(at, e.node, argv);
        if (!this.tools.has(key)) this.start(key, e.node, argv);
      }
    }
  }

  private start(key: string, nodeName: string, argv: string[]): void {
    const run: ToolRun = { node: nodeName, argv, output: '', done: false, error: null };
    this.tools.set(key, run);
    // A guest in a worker thread (`--threads`) is read through its shell's stand-in here (guest-workers.ts RemoteShell).
    const guest = this.a.guests.find((g) => g.name === nodeName) ?? this.a.remote.find((g) => g.name === nodeName);
    if (guest) return this.startGuest(run, guest);
    const node = this.a.nodes.find((n) => n.name === nodeName);
    const k = node?.kernel;
    if (!node || !k || k.halt.kind === 'crashed') {
      // A crashed kernel runs nothing again (node faults: docs/faults.md).
      run.error = `${nodeName} has no running kernel${k ? ' (it crashed)' : ''}`;
      run.done = true;
      return;
    }
    let pid: number;
    try {
      pid = k.spawn({ argv, env: { PATH: '/proc/boot:/bin:/usr/bin' }, stdout: (t) => (run.output += t) });
    } catch (e) {
      run.error = `cannot start ${argv[0]}: ${(e as Error).message}`;
      run.done = true;
      return;
    }
    this.pending.push({ run, node, pid, kernel: k });
    const q = this.a.sim.queue;
    if (!this.poll.scheduled) q.schedule(this.poll, q.now + TOOL_POLL_NS);
  }

  /**
   * Type the tool at the guest's shell (queued like a scenario action: after what is queued, when the prompt
   * shows), bracketed by marker lines so its output can be cut out of the console.
   */
  private startGuest(run: ToolRun, guest: Guest): void {
    const n = ++this.guestReads;
    const begin = `qnxemu-read-${n}`;
    const end = `qnxemu-read-${n}-end`;
    guest.shell.queue(`echo ${begin}; ${run.argv.join(' ')}; echo ${end}`);
    this.guestPending.push({ run, guest, from: guest.shell.lines.length, begin, end });
    const q = this.a.sim.queue;
    if (!this.poll.scheduled) q.schedule(this.poll, q.now + TOOL_POLL_NS);
  }

  private check(): void {
    for (let i = this.pending.length - 1; i >= 0; i--) {
      const p = this.pending[i]!;
      if (p.node.kernel === p.kernel && p.kernel.procs.get(p.pid)) continue;
      // Ended, or its kernel went with a power-cycle (node faults) and its output stops where it was.
      if (p.node.kernel !== p.kernel) p.run.error = `${p.node.name} was power-cycled while ${p.run.argv[0]} ran`;
      p.run.done = true;
      this.pending.splice(i, 1);
    }
    for (let i = this.guestPending.length - 1; i >= 0; i--) {
      const p = this.guestPending[i]!;
      const lines = p.guest.shell.lines.slice(p.from);
      const b = lines.indexOf(p.begin);
      const e = b < 0 ? -1 : lines.indexOf(p.end, b + 1);
      if (e < 0) continue;
      p.run.output = lines.slice(b + 1, e).join('\n') + '\n';
      p.run.done = true;
      this.guestPending.splice(i, 1);
    }
    const q = this.a.sim.queue;
    if (this.busy > 0) q.schedule(this.poll, q.now + TOOL_POLL_NS);
  }
}
