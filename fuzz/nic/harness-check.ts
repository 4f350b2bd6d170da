/**
 * The generic NIC invariants (docs/fuzzing.md "NIC targets"), checked after every op: a read answers an integer
 * of its width (RegisterHandler's contract, emulator/machine/bus/types.ts); a `run` ends (no runaway events);
 * pending events stay few. Every SNAPSHOT_EVERY ops and at an episode's end, the heavier ones: the device's
 * snapshot holds only finite numbers, stays below MAX_SNAPSHOT_CHARS (memory bounded), and round-trips —
 * saved, loaded into a fresh instance at the same virtual time, saved again, the same text (STYLE.md "a generic
 * snapshot test over every device") — and `inspect()` answers without throwing.
 */
import type { AccessSize } from '../../emulator/machine/bus/types';
import type { NicOp } from './harness';
import { MAX_PENDING_EVENTS, MAX_SNAPSHOT_CHARS } from './harness-limits';
import { FuzzRig } from './harness-rig';

/** The problem with what op `op` answered, or null. */
export function checkOp(rig: FuzzRig, op: NicOp, result: number): string | null {
  if (op.op === 'rd') {
    const limit = 2 ** (8 * (op.size as AccessSize));
    if (!Number.isInteger(result) || result < 0 || result >= limit) return `read returned ${String(result)}, not an integer in [0, 2^${8 * op.size})`;
  } else if (op.op === 'run' && rig.runaway) {
    const next = rig.sim.queue.peek();
    return `hang: ${rig.lastRunEvents} events in one run of ${op.ns} ns without reaching its end (next: ${next?.name ?? '-'} at ${next?.when ?? '-'} ns)`;
  }
  const pending = rig.sim.queue.pending;
  if (pending > MAX_PENDING_EVENTS) return `${pending} pending events (bound ${MAX_PENDING_EVENTS}): the model schedules without end`;
  return null;
}

/** Snapshot and inspect checks. `fields` and `simSeed` rebuild the rig's twin. */
export function checkSnapshot(rig: FuzzRig, simSeed: number, fields: Readonly<Record<string, unknown>>): string | null {
  const state = rig.device.saveState();
  const bad = nonFinite(state, 'state');
  if (bad) return `snapshot holds ${bad}`;
  const text = JSON.stringify(state);
  if (text.length > MAX_SNAPSHOT_CHARS) return `snapshot of ${text.length} characters (bound ${MAX_SNAPSHOT_CHARS}): memory grows without bound`;
  const twin = new FuzzRig(rig.kind, simSeed, fields, { startNs: rig.sim.queue.now, twin: true });
  twin.device.loadState(JSON.parse(text) as { v: number });
  const again = JSON.stringify(twin.device.saveState());
  if (again !== text) return `snapshot does not round-trip: ${firstDifference(text, again)}`;
  rig.device.inspect();
  return null;
}

/** The path of the first number in `v` that is NaN or infinite (JSON would turn it into null), or null. */
function nonFinite(v: unknown, path: string): string | null {
  if (typeof v === 'number') return Number.isFinite(v) ? null : `${String(v)} at ${path}`;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const r = nonFinite(v[i], `${path}[${i}]`);
      if (r) return r;
    }
    return null;
  }
  if (v !== null && typeof v === 'object') {
    if (ArrayBuffer.isView(v)) return null;
    for (const [k, x] of Object.entries(v)) {
      const r = nonFinite(x, `${path}.${k}`);
      if (r) return r;
    }
  }
  return null;
}

function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `saved …${a.slice(Math.max(0, i - 40), i + 40)}… reloaded …${b.slice(Math.max(0, i - 40), i + 40)}…`;
}
