/**
 * What a simulated QNX node is doing at the cursor, as node faults leave it (docs/faults.md): running, crashed
 * (procnto's fault handler printed its Shutdown message and no thread runs again), hung (its CPUs spin with
 * interrupts disabled), powered off by a power-cycle, or not booted yet. Read from the kernel's own halt state
 * (stack/kernel/halt.ts) and the node's boot times; the power-on time of a power-cycle and the end of a hang are
 * the scenario's (`faults:`), as the fault injection schedules them (emulator/app/testing/node-faults.ts).
 * Used by `show nodes`, `show procs` and `qnxemu console`.
 */
import type { Time } from '../../machine/sim/time';
import type { SimNode } from '../assembly/node';
import type { Fault, NodeFault } from '../scenario/faults';

/** Seconds with milliseconds, as the fault report says them ("3.000 s"). */
export const secText = (t: Time): string => `${(t / 1e9).toFixed(3)} s`;

export type NodeRunState =
  | { kind: 'running'; since: Time }
  | { kind: 'crashed'; since: Time }
  | { kind: 'hung'; since: Time; until: Time | null }
  | { kind: 'off'; since: Time; back: Time }
  | { kind: 'booting'; since: Time | null };

const nodeFaults = (faults: Fault[] | undefined, node: string, kind: NodeFault['kind']): NodeFault[] =>
  (faults ?? []).filter((f): f is NodeFault => f.kind === kind && 'node' in f && f.node === node);

export function nodeRunState(node: SimNode, faults: Fault[] | undefined, now: Time): NodeRunState {
  const k = node.kernel;
  if (k) {
    const h = k.halt;
    if (h.kind === 'crashed') return { kind: 'crashed', since: h.since };
    if (h.kind === 'hung') {
      const f = nodeFaults(faults, node.name, 'hang').find((x) => x.at === h.since);
      return { kind: 'hung', since: h.since, until: f ? f.until : null };
    }
    return { kind: 'running', since: node.bootTimes.at(-1) ?? 0 };
  }
  // No kernel: powered off by a power-cycle whose off time covers now (the first: a power-cycle of a node that
  // is already off changes nothing), or between power-on and the kernel's start, or not booted yet.
  const off = nodeFaults(faults, node.name, 'power-cycle').filter((f) => f.at <= now && now < f.at + f.off).sort((a, b) => a.at - b.at)[0];
  if (off) return { kind: 'off', since: off.at, back: off.at + off.off };
  const on = nodeFaults(faults, node.name, 'power-cycle').filter((f) => f.at + f.off <= now).map((f) => f.at + f.off).sort((a, b) => b - a)[0];
  return { kind: 'booting', since: on ?? null };
}

/** "crashed at 3.000 s", "powered off at 3.000 s (power-cycle, back at 4.000 s)", "hung since 3.000 s (until 3.500 s)" … */
export function nodeStateText(st: NodeRunState): string {
  switch (st.kind) {
    case 'running':
      return `running (booted at ${secText(st.since)})`;
    case 'crashed':
      return `crashed at ${secText(st.since)}`;
    case 'hung':
      return `hung since ${secText(st.since)} (${st.until === null ? 'for ever' : `until ${secText(st.until)}`})`;
    case 'off':
      return `powered off at ${secText(st.since)} (power-cycle, back at ${secText(st.back)})`;
    case 'booting':
      return st.since === null ? 'the kernel has not booted yet' : `powered on again at ${secText(st.since)}, the kernel has not booted yet`;
  }
}
