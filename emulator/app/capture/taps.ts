/**
 * `--capture <tap>` (repeatable, comma-separated): which frames go into which pcapng interface.
 *
 *   <link>        every frame the medium completes, exactly what `--pcap` writes for that link (a wired medium: each
 *                 frame once, when its last bit is on the wire; a wireless link: each PPDU once, as it starts).
 *   <link>:<node> the frames on that link sent by one of the node's ports on it (`<node>.nicN`: outbound), and
 *                 the frames whose destination address — Address 1 on 802.11 — is the MAC address one of the node's
 *                 NICs on that link has in the scenario (`mac:`), or a group address (inbound): what the node's NIC
 *                 would see from the wire with its receive filter accepting broadcast and multicast. Unicast for
 *                 other stations, which a hub also repeats to the node's port, is left out.
 *
 * Each tap is one Interface Description Block, in the order given; a frame that two taps see is written once
 * per tap. This file only resolves names against the scenario; capture.ts attaches the taps.
 */
import type { LinkSpec, Scenario } from '../scenario/types';
import { macText } from './frame-filter';

export interface TapSpec {
  /** As the user wrote it (the interface's if_name). */
  text: string;
  link: string;
  linkType: LinkSpec['type'];
  /** The node of a `link:node` tap, or null for the whole link. */
  node: string | null;
  /** The node's NICs' MAC addresses on the link (empty for a whole-link tap). */
  macs: Uint8Array[];
}

/** A tap naming nothing the scenario has: `what` (e.g. "--capture hub9") and the problem, listing what exists. */
export class TapError extends Error {
  constructor(
    readonly what: string,
    readonly problem: string,
  ) {
    super(`${what}: ${problem}`);
    this.name = 'TapError';
  }
}

/** Split repeated, comma-separated option values into tap texts (empty pieces dropped). */
export function tapTexts(values: readonly string[]): string[] {
  return values.flatMap((v) => v.split(',')).map((s) => s.trim()).filter((s) => s.length > 0);
}

/** What each link is, for if_description. */
const MEDIUM: Record<LinkSpec['type'], string> = {
  hub: 'hub (IEEE 802.3 clause 9 repeater, one collision domain)',
  cable: 'cable (point-to-point twisted pair)',
  switch: 'switch (store-and-forward bridge)',
  wireless: 'wireless (IEEE 802.11 air, radiotap)',
};

/** The if_description of a tap: the medium's type, and for a node tap which frames it keeps. */
export function tapDescription(t: TapSpec): string {
  const m = `qnxemu ${MEDIUM[t.linkType]} ${t.link}`;
  if (t.node === null) return `${m}: every frame on the medium`;
  return `${m}: frames from or to ${t.node} (${t.macs.map(macText).join(', ')}) and group-addressed frames`;
}

/** Resolve tap texts against the scenario; the first one naming no link, no node or no NIC of the node there throws. */
export function resolveTaps(texts: readonly string[], scenario: Scenario): TapSpec[] {
  const links = scenario.links.map((l) => l.name);
  const out: TapSpec[] = [];
  for (const text of texts) {
    const what = `--capture ${text}`;
    const m = /^([^:]+)(?::([^:]+))?$/.exec(text);
    if (!m) throw new TapError(what, `a tap is <link> or <link>:<node> (links: ${links.join(', ') || 'none'})`);
    const linkName = m[1]!;
    const link = scenario.links.find((l) => l.name === linkName);
    if (!link) throw new TapError(what, `no link ${linkName} in scenario ${scenario.name} (links: ${links.join(', ') || 'none'})`);
    const onLink = scenario.nodes.filter((n) => n.nics.some((nic) => nic.link === linkName)).map((n) => n.name);
    const nodeName = m[2];
    if (nodeName === undefined) {
      out.push({ text, link: linkName, linkType: link.type, node: null, macs: [] });
      continue;
    }
    const node = scenario.nodes.find((n) => n.name === nodeName);
    if (!node) throw new TapError(what, `no node ${nodeName} in scenario ${scenario.name} (nodes on ${linkName}: ${onLink.join(', ') || 'none'})`);
    const macs = node.nics.filter((nic) => nic.link === linkName).map((nic) => nic.mac);
    if (macs.length === 0) throw new TapError(what, `node ${nodeName} has no NIC on ${linkName} (nodes on ${linkName}: ${onLink.join(', ') || 'none'})`);
    out.push({ text, link: linkName, linkType: link.type, node: nodeName, macs });
  }
  return out;
}
