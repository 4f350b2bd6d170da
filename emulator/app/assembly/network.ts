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
import { WirelessChannel } from '../../machine/net/wireless/medium';
import { Positions } from '../../machine/net/wireless/position';
import { openRadiotapPcap } from '../../machine/net/wireless/radiotap';
import type { WirelessMedium } from '../../machine/net/wireless/radio';
import type { NicInstance } from './nics';
import { buildLinkImpairments, type LinkImpairments } from './link-impairments';

export interface Network {
  /** Wired links (hub, cable, switch). */
  media: Map<string, Medium & { setLinkUp?: (...a: never[]) => void }>;
  /** Wireless links (`type: wireless`): the air of each. */
  air: Map<string, WirelessChannel>;
  /** Where every node stands (`position:`; `move` actions change it). */
  positions: Positions;
  specs: LinkSpec[];
  /** The links' and NICs' `impair:` on the wired media, and the engines `impair` actions change (link-impairments.ts). */
  impairments: LinkImpairments;
  /** Close every pcap; returns the paths written. */
  closePcaps(): string[];
}

export function buildMedium(sim: Simulation, l: LinkSpec): Medium {
  const ctx = componentContext(sim, '', l.name);
  switch (l.type) {
    case 'wireless':
      throw new Error(`link ${l.name}: a wireless link is no wired medium (buildNetwork makes its WirelessChannel)`);
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
  const air = new Map<string, WirelessChannel>();
  const positions = new Positions(componentContext(sim, '', 'positions'));
  for (const n of scenario.nodes) positions.place(n.name, n.position ?? { x: 0, y: 0, z: 0 });
  const writers: { path: string; w: PcapFileWriter }[] = [];
  if (pcapDir) fs.mkdirSync(pcapDir, { recursive: true });
  for (const l of scenario.links) {
    if (l.type === 'wireless') {
      const w = new WirelessChannel(componentContext(sim, '', l.name), l.wireless ?? {});
      air.set(l.name, w);
      if (pcapDir) {
        const p = path.join(pcapDir, `${l.name}.pcap`);
        writers.push({ path: p, w: openRadiotapPcap(w, p) });
      }
      continue;
    }
    const m = buildMedium(sim, l);
    media.set(l.name, m);
    if (pcapDir) {
      const p = path.join(pcapDir, `${l.name}.pcap`);
      writers.push({ path: p, w: openPcapTap(m, p, sim.queue) });
    }
  }
  return {
    media,
    air,
    positions,
    specs: scenario.links,
    impairments: buildLinkImpairments(sim, scenario, media),
    closePcaps() {
      for (const { w } of writers) w.close();
      return writers.map((x) => x.path);
    },
  };
}

/**
 * Plug a NIC into its link: a wired NIC's MAC onto the hub, cable or switch; a wireless NIC's radio onto the air
 * of its `type: wireless` link, at its node's position (the scenario loader has checked the kinds match).
 */
export function connectNic(network: Network, node: string, nic: NicInstance): void {
  const link = nic.spec.link;
  const air = network.air.get(link);
  if (air) {
    if (!nic.device.connectRadio) throw new Error(`node ${node}: a ${nic.spec.model} has no radio for wireless link ${link}`);
    // The NIC's configured address labels its radio in the radiotap pcap (signal and noise at the addressee).
    const mac = nic.spec.mac;
    const labelled: WirelessMedium = {
      name: air.name,
      kind: 'wireless',
      attach: (listener, name, position) => {
        const port = air.attach(listener, name, position);
        air.setCaptureAddress(name, mac);
        return port;
      },
    };
    nic.device.connectRadio(labelled, network.positions.of(node));
    return;
  }
  const medium = network.media.get(link);
  if (!medium) throw new Error(`node ${node}: no link ${link}`);
  nic.device.connect(medium);
}
