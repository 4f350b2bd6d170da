/**
 * Helpers for the guest (v86) tests: boot a scenario once per test file, snapshot it, restore the snapshot
 * for each test, drive the guest's shell and the QNX nodes' shells.
 */
import { parseScenario } from '../../emulator/app/scenario/load';
import type { Scenario } from '../../emulator/app/scenario/types';
import { assemble, type Assembled, type RunOptions } from '../../emulator/app/assembly/run';
import { prepareGuests, type GuestNode } from '../../emulator/app/assembly/guest-node';
import { restoreSnapshot, takeSnapshot, type SimSnapshot } from '../../emulator/app/assembly/snapshot';
import type { Time } from '../../emulator/machine/sim/time';
import type { TraceSink } from '../../emulator/machine/sim/trace';

export const MS = 1_000_000;
export const SEC = 1_000_000_000;

export function scenarioOf(yaml: string, name = 'guest-test'): Scenario {
  return parseScenario(yaml, `<${name}>`, '.');
}

export function guest(a: Assembled, name: string): GuestNode {
  const g = a.guests.find((x) => x.name === name);
  if (!g) throw new Error(`no guest ${name}`);
  return g;
}

/** Run in slices until `done()` or `limit` more virtual time passed. Returns whether done() became true. */
export function runUntil(a: Assembled, done: () => boolean, limit: Time, slice: Time = 10 * MS): boolean {
  const q = a.sim.queue;
  const end = q.now + limit;
  while (q.now < end) {
    if (done()) return true;
    q.runUntil(Math.min(end, q.now + slice));
  }
  return done();
}

/** Boot: every guest at an idle prompt, then `settle` more time (simulated nodes finish their scripts). */
export async function boot(scenario: Scenario, opts: RunOptions = {}, settle: Time = 500 * MS): Promise<Assembled> {
  const guests = await prepareGuests(scenario);
  const a = assemble(scenario, { ...opts, guests });
  const ok = runUntil(a, () => a.guests.every((g) => g.shell.ready && g.shell.idle), 30 * SEC);
  if (!ok) throw new Error(`guests did not boot: ${a.guests.map((g) => `${g.name}: ${g.shell.lines.slice(-5).join(' | ')}`).join('; ')}`);
  a.sim.queue.runUntil(a.sim.queue.now + settle);
  return a;
}

/** Boot once and snapshot; `restore()` gives a fresh assembly at the snapshot point for each test. */
export async function bootAndSnapshot(scenario: Scenario, opts: RunOptions = {}): Promise<{ booted: Assembled; snap: SimSnapshot; restore: (o?: RunOptions) => Promise<Assembled> }> {
  const booted = await boot(scenario, opts);
  const snap = takeSnapshot(booted, scenario);
  return { booted, snap, restore: (o: RunOptions = opts) => restoreSnapshot(scenario, snap, o) };
}

/** Type a command at a guest's shell and run until its prompt is back. Returns the lines it printed. */
export function guestRun(a: Assembled, name: string, command: string, limit: Time = 20 * SEC): string[] {
  const g = guest(a, name);
  const from = g.shell.lines.length;
  g.shell.run(command);
  if (!runUntil(a, () => g.shell.idle, limit)) throw new Error(`${name}: '${command}' did not finish: ${g.shell.lines.slice(from).join(' | ')}`);
  return g.shell.lines.slice(from);
}

/** Start a command on a simulated QNX node (a new `sh -c`, as scenario actions do). Returns its pid. */
export function qnxStart(a: Assembled, node: string, line: string): number {
  const n = a.nodes.find((x) => x.name === node);
  if (!n?.kernel) throw new Error(`${node} has no running kernel`);
  return n.kernel.spawn({ argv: ['sh', '-c', line], env: { PATH: '/proc/boot:/bin:/usr/bin' } });
}

/** Console text of a node printed after character offset `from`. */
export function consoleSince(a: Assembled, node: string, from: number): string {
  const n = [...a.nodes, ...a.guests].find((x) => x.name === node);
  return n ? n.console.text().slice(from) : '';
}

/**
 * Counts trace records of NIC models (layer "nic", field nic = "<node>.nic<i>") by probe. Pass `sink` as
 * `onTrace` so it sees the whole run (a restore rebuilds the run from t = 0).
 */
export function nicCounter(): { sink: TraceSink; get: (nic: string, probe: string) => number } {
  const counts = new Map<string, number>();
  const sink: TraceSink = (rec) => {
    if (rec.layer !== 'nic') return;
    const nic = rec.f?.['nic'];
    if (typeof nic !== 'string') return;
    const k = `${nic}|${rec.probe}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  };
  return { sink, get: (nic, probe) => counts.get(`${nic}|${probe}`) ?? 0 };
}

/** RX/TX packet counts of `iface` from `cat /proc/net/dev` output lines (busybox has no `ip -s link`). */
export function procNetDev(
  lines: string[],
  iface: string,
): { rxPackets: number; txPackets: number; rxErrs: number; rxDrop: number; rxFifo: number; rxFrame: number } {
  const l = lines.find((x) => x.trim().startsWith(`${iface}:`));
  if (!l) throw new Error(`no ${iface} in /proc/net/dev: ${lines.join(' | ')}`);
  const f = l.split(':')[1]!.trim().split(/\s+/).map(Number);
  return { rxPackets: f[1]!, rxErrs: f[2]!, rxDrop: f[3]!, rxFifo: f[4]!, rxFrame: f[5]!, txPackets: f[9]! };
}
