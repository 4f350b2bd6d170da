import * as fs from 'node:fs';
import * as path from 'node:path';
import { componentContext } from '../../machine/sim/context';
import type { Simulation } from '../../machine/sim/simulation';
import type { Medium } from '../../machine/net/link';
import { Hub } from '../../machine/net/hub';
import { Cable } from '../../machine/net/cable';
import { Switch } from '../../machine/net/switch';
import { openPcapTap } from '../../machine/net/pcap-tap';
import type { PcapFileWriter } from '../../machine/net/pcap';
import type { LinkSpec, Scenario } from '../scenario/types';

export interface Network {
  media: Map<string, Medium & { setLinkUp?: (...a: never[]) => void }>;
  specs: LinkSpec[];
  /** Close every pcap; returns the paths written. */
  closePcaps(): string[];
}

export function buildMedium(sim: Simulation, l: LinkSpec): Medium {
  const ctx = componentContext(sim, '', l.name);
  switch (l.type) {
    case 'hub':
      return new Hub(ctx, l.propagationNs !== null ? { propagationNs: l.propagationNs } : {});
    case 'cable':
      return new Cable(ctx, {
        ...(l.lengthM !== null ? { lengthM: l.lengthM } : {}),
        ...(l.propagationNs !== null ? { propagationNs: l.propagationNs } : {}),
      });
    case 'switch':
      return new Switch(ctx, {
        ...(l.propagationNs !== null ? { propagationNs: l.propagationNs } : {}),
        ...(l.ageing !== null ? { ageingNs: l.ageing } : {}),
        ...(l.queue !== null ? { queueFrames: l.queue } : {}),
      });
  }
}

export function buildNetwork(sim: Simulation, scenario: Scenario, pcapDir?: string): Network {
  const media = new Map<string, Medium>();
  const writers: { path: string; w: PcapFileWriter }[] = [];
  if (pcapDir) fs.mkdirSync(pcapDir, { recursive: true });
  for (const l of scenario.links) {
    const m = buildMedium(sim, l);
    media.set(l.name, m);
    if (pcapDir) {
      const p = path.join(pcapDir, `${l.name}.pcap`);
      writers.push({ path: p, w: openPcapTap(m, p, sim.queue) });
    }
  }
  return {
    media,
    specs: scenario.links,
    closePcaps() {
      for (const { w } of writers) w.close();
      return writers.map((x) => x.path);
    },
  };
}
