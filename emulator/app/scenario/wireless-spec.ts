/**
 * The wireless parts of a scenario file (docs/formats/scenario.md, "Wireless"): `type: wireless` links and their
 * propagation and receiver parameters, `position:` on nodes, and the check that a NIC's medium kind (nic-models/
 * kind.ts `medium`) matches the type of the link it names. The medium itself is emulator/machine/net/wireless.
 */
import type { Position } from '../../machine/net/wireless/radio';
import type { WirelessConfig } from '../../machine/net/wireless/medium';
import type { Locate, PathSeg } from './actions-util';
import type { LinkSpec, NodeSpec } from './types';
import { nicKind } from '../../../nic-models/registry';

/** `{ x, y, z }` in metres; z may be left out (0). */
export const positionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['x', 'y'],
  properties: { x: { type: 'number' }, y: { type: 'number' }, z: { type: 'number' } },
};

/** Fields a `type: wireless` link takes, with their schema; wired links refuse them (and it refuses theirs). */
export const wirelessLinkProperties = {
  channel: { type: 'integer', minimum: 1, maximum: 14 },
  'path-loss-exponent': { type: 'number', minimum: 1, maximum: 8 },
  'reference-loss-db': { type: 'number', minimum: 0, maximum: 200 },
  'reference-distance-m': { type: 'number', exclusiveMinimum: 0, maximum: 1000 },
  'noise-figure-db': { type: 'number', minimum: 0, maximum: 30 },
  'tx-power-dbm': { type: 'number', minimum: -30, maximum: 40 },
  'energy-detect-dbm': { type: 'number', minimum: -120, maximum: 0 },
  'sensitivity-dbm': { type: 'number', minimum: -120, maximum: 0 },
  capture: { enum: ['none', 'preamble', 'any'] },
  'capture-margin-db': { type: 'number', minimum: 0, maximum: 60 },
} as const;

/** Fields only wired links (hub, cable, switch) take. */
export const WIRED_ONLY_FIELDS = ['propagation-ns', 'length-m', 'ageing', 'queue'] as const;

export type RawWirelessLink = {
  type: string;
  channel?: number;
  'path-loss-exponent'?: number;
  'reference-loss-db'?: number;
  'reference-distance-m'?: number;
  'noise-figure-db'?: number;
  'tx-power-dbm'?: number;
  'energy-detect-dbm'?: number;
  'sensitivity-dbm'?: number;
  capture?: 'none' | 'preamble' | 'any';
  'capture-margin-db'?: number;
} & Record<string, unknown>;

/**
 * The wireless parameters of a link (null for a wired one). A wired link with a wireless field, or a wireless link
 * with a wired one, is an error at that field.
 */
export function parseWirelessLink(name: string, l: RawWirelessLink, locate: Locate): Partial<WirelessConfig> | null {
  const wireless = l.type === 'wireless';
  for (const k of Object.keys(l)) {
    if (!wireless && k in wirelessLinkProperties)
      throw locate(['links', name, k], `links.${name}.${k}: only a wireless link (type: wireless) takes ${k}`);
    if (wireless && (WIRED_ONLY_FIELDS as readonly string[]).includes(k))
      throw locate(['links', name, k], `links.${name}.${k}: a wireless link does not take ${k} (propagation delay comes from the nodes' positions)`);
  }
  if (!wireless) return null;
  const c: { -readonly [K in keyof WirelessConfig]?: WirelessConfig[K] } = {};
  if (l.channel !== undefined) c.channel = l.channel;
  if (l['path-loss-exponent'] !== undefined || l['reference-loss-db'] !== undefined || l['reference-distance-m'] !== undefined) {
    c.pathLoss = {
      exponent: l['path-loss-exponent'] ?? 3,
      referenceLossDb: l['reference-loss-db'] ?? null,
      referenceDistanceM: l['reference-distance-m'] ?? 1,
    };
  }
  if (l['noise-figure-db'] !== undefined) c.noiseFigureDb = l['noise-figure-db'];
  if (l['tx-power-dbm'] !== undefined) c.txPowerDbm = l['tx-power-dbm'];
  if (l['energy-detect-dbm'] !== undefined) c.ccaEdThresholdDbm = l['energy-detect-dbm'];
  if (l['sensitivity-dbm'] !== undefined) c.sensitivityDbm = l['sensitivity-dbm'];
  if (l.capture !== undefined) c.capture = l.capture;
  if (l['capture-margin-db'] !== undefined) c.captureMarginDb = l['capture-margin-db'];
  return c;
}

/** A node's `position:` (absent: the origin, and no field on the spec). */
export function parsePosition(raw: { x: number; y: number; z?: number } | undefined): Position | undefined {
  return raw === undefined ? undefined : { x: raw.x, y: raw.y, z: raw.z ?? 0 };
}

/**
 * Every NIC's medium kind matches its link: a wireless NIC (an RT2560) needs a `type: wireless` link and a wired
 * one a hub, cable or switch.
 */
export function checkNicMedia(nodes: readonly NodeSpec[], links: readonly LinkSpec[], locate: Locate): void {
  for (const n of nodes) {
    n.nics.forEach((nic, i) => {
      const link = links.find((l) => l.name === nic.link);
      if (!link) return;
      const wants = nicKind(nic.model).medium ?? 'wired';
      const at: PathSeg[] = ['nodes', n.name, 'nics', i, 'link'];
      if (wants === 'wireless' && link.type !== 'wireless')
        throw locate(at, `nodes.${n.name}.nics.${i}.link: a ${nic.model} is a wireless NIC; link '${link.name}' is a ${link.type} (use a link of type: wireless)`);
      if (wants === 'wired' && link.type === 'wireless')
        throw locate(at, `nodes.${n.name}.nics.${i}.link: link '${link.name}' is wireless; a ${nic.model} is a wired NIC (it needs a hub, cable or switch)`);
    });
  }
}
