/**
 * `impair` actions (emulator/app/scenario/impair-spec.ts; docs/impairments.md "In a scenario file"): at its time
 * the action replaces (or with `clear: true` removes) the impairment of a link's default or of one node's port(s)
 * on it, as `tc qdisc replace … netem …` would. Frames delivered from then on get the new impairment; frames
 * already held keep their schedule (the engine's `set`). Scheduled at Priority.Scenario, after the hardware and
 * CPUs at the same instant, and traced as a `scenario impair` record {index, link, port ('*': the link's
 * default), netem: the new impairment in tc's words, or "clear"}.
 */
import { SimEvent } from '../../machine/sim/event';
import { Priority } from '../../machine/sim/priority';
import type { Assembled } from '../assembly/run';
import { nicPortName } from '../assembly/link-impairments';
import { describeImpair, type ImpairAction } from '../scenario/impair-spec';

/** Schedule the action; returns why it did not happen (null: it did), as the other actions do. */
export function scheduleImpair(a: Assembled, act: ImpairAction): () => string | null {
  const engine = a.network.impairments.of(act.link);
  const ports = act.node === null ? [null] : portsOn(a, act.node, act.link);
  let done = false;
  a.sim.queue.schedule(new SimEvent(`action${act.index}`, () => {
    const netem = act.impair ? describeImpair(act.impair) : 'clear';
    for (const port of ports) {
      engine.set(port, act.impair);
      a.sim.tracer.emit('', 'scenario', 'impair', 0, { index: act.index, link: act.link, port: port ?? '*', netem });
    }
    done = true;
  }, Priority.Scenario), act.at);
  return () => (done ? null : `the run ended before the impairment of ${act.link}${act.node ? ` (${act.node})` : ''} changed`);
}

/** The ports of `node`'s NICs on `link` (the loader checked it has one). */
function portsOn(a: Assembled, node: string, link: string): string[] {
  const n = a.nodes.find((x) => x.name === node) ?? a.guests.find((x) => x.name === node) ?? a.remote.find((x) => x.name === node)!;
  return n.nics.flatMap((nic, i) => (nic.spec.link === link ? [nicPortName(node, i)] : []));
}
