/**
 * A scenario's link impairments put on its wired media (docs/impairments.md): one engine (emulator/machine/net/
 * impair, `Impairments`) per medium that is impaired, named `<link>.impair` so its streams are
 * `<link>.impair.<port>.<aspect>` whatever else the run has. A link's `impair:` is the medium's default for every
 * station port; a NIC's `impair:` is its port's own, which wins. `impair` actions reach the engine through `of`,
 * which makes it for a link the file left unimpaired (an engine without a configuration installs nothing and
 * draws nothing, so a run without impairments is the run it always was).
 */
import { componentContext } from '../../machine/sim/context';
import type { Simulation } from '../../machine/sim/simulation';
import { Impairments } from '../../machine/net/impair';
import { isFaultable } from '../../machine/net/fault';
import type { Medium } from '../../machine/net/link';
import type { Scenario } from '../scenario/types';

/** A NIC's port on its medium: the NIC (its MAC) attaches under its component name, `<node>.nic<i>` (node.ts). */
export function nicPortName(node: string, nic: number): string {
  return `${node}.nic${nic}`;
}

export interface LinkImpairments {
  /** The engine of a wired link (made on first use). */
  of(link: string): Impairments;
  /** Every engine's report lines ("wan→beta.nic0: 1000 frames, 38 lost (gilbert-elliott), mean delay 42.8 ms"), in link order. */
  report(): string[];
}

export function buildLinkImpairments(sim: Simulation, scenario: Scenario, media: ReadonlyMap<string, Medium>): LinkImpairments {
  const engines = new Map<string, Impairments>();
  const of = (link: string): Impairments => {
    let e = engines.get(link);
    if (!e) {
      const m = media.get(link);
      if (!m || !isFaultable(m)) throw new Error(`link ${link}: impairments act on a hub, cable or switch`);
      e = new Impairments(componentContext(sim, '', `${link}.impair`), m);
      engines.set(link, e);
    }
    return e;
  };
  for (const l of scenario.links) if (l.impair) of(l.name).set(null, l.impair);
  for (const n of scenario.nodes) n.nics.forEach((nic, i) => nic.impair && of(nic.link).set(nicPortName(n.name, i), nic.impair));
  return {
    of,
    report: () => scenario.links.flatMap((l) => engines.get(l.name)?.report() ?? []),
  };
}
