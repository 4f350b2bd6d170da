/**
 * `faults:` in a scenario file: what goes wrong, when. The injectors are emulator/machine/net/fault.ts (links) and
 * emulator/app/testing/inject.ts (scheduling, bursts, IRQ storms).
 *   { at: 2s, until: 4s, link: hub0, kind: down }              whole link, or one node's port with node:
 *   { link: hub0, kind: loss, probability: 0.1 }               frames delivered to stations are lost
 *   { link: hub0, kind: corrupt, probability: 0.05 }           frames arrive with a bad FCS
 *   { at: 2s, node: beta, kind: rx-burst, nic: 0, frames: 200, size: 300 }
 *   { at: 1s, until: 3s, node: alpha, kind: irq-storm, irq: 7, period: 10us }
 *   { at: 2s, until: 3s, link: air, kind: interference, position: { x: 5, y: 0 }, power-dbm: 10, channel: 6 }
 *   { at: 3s, node: beta, kind: crash }                         procnto dies (emulator/app/testing/node-faults.ts)
 *   { at: 3s, until: 4s, node: beta, kind: hang }               the CPUs stop making progress
 *   { at: 3s, node: beta, kind: power-cycle, off: 1s }          power off, on again after `off`, boot again
 *   { at: 2s, until: 3s, link: sw0, node: beta, kind: unplug }  pull the node's cable(s) on a link, replug
 * See docs/formats/scenario.md.
 */
import type { Time } from '../../machine/sim/time';
import type { Position } from '../../machine/net/wireless/radio';
import { WIRELESS_DEFAULTS } from '../../machine/net/wireless/medium';
import { positionSchema } from './wireless-spec';
import {
  checkLink, checkNode, checkWindow, durationSchema, fieldName, nameSchema, toNs, type PathSeg, type TimelineContext,
} from './actions-util';

export const FAULT_KINDS = ['down', 'loss', 'corrupt', 'rx-burst', 'irq-storm', 'interference', 'crash', 'hang', 'power-cycle', 'unplug'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const faultSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind'],
  properties: {
    kind: { enum: [...FAULT_KINDS] },
    at: durationSchema,
    until: durationSchema,
    link: nameSchema,
    node: nameSchema,
    probability: { type: 'number', minimum: 0, maximum: 1 },
    nic: { type: 'integer', minimum: 0 },
    frames: { type: 'integer', minimum: 1, maximum: 100000 },
    size: { type: 'integer', minimum: 60, maximum: 1514 },
    irq: { type: 'integer', minimum: 0, maximum: 15 },
    period: durationSchema,
    position: positionSchema,
    'power-dbm': { type: 'number', minimum: -100, maximum: 60 },
    channel: { type: 'integer', minimum: 1, maximum: 14 },
    off: durationSchema,
  },
};

export const faultsSchema = { type: 'array', items: faultSchema };

/**
 * Link down/up, loss and corruption: on a link, optionally only at one node's port(s). `unplug` is a `down` of
 * one node's port(s) (`unplugged` set): the same mechanism, a pulled cable (docs/faults.md).
 */
export interface LinkFault {
  kind: 'down' | 'loss' | 'corrupt';
  /** Written as `kind: unplug` (node required). */
  unplugged?: boolean;
  index: number;
  at: Time;
  /** When it ends (null: never). */
  until: Time | null;
  link: string;
  /** Only this node's NIC port(s) on the link; null: the whole link. */
  node: string | null;
  /** Per delivered frame (loss, corrupt); 1 for down. */
  probability: number;
}

/** A burst of frames to one NIC from a synthetic station on its link. */
export interface BurstFault {
  kind: 'rx-burst';
  index: number;
  at: Time;
  node: string;
  nic: number;
  link: string;
  frames: number;
  /** Frame length without FCS. */
  size: number;
}

/** An ISA IRQ line toggled every `period` (a rising edge each period, held for half of it). */
export interface IrqStormFault {
  kind: 'irq-storm';
  index: number;
  at: Time;
  until: Time | null;
  node: string;
  irq: number;
  period: Time;
}

/**
 * A noise source on a wireless link (a microwave oven, a jammer): `powerDbm` radiated from `position` on `channel`
 * (the link's channel by default), 20 MHz wide, from `at` to `until`. Radios see it as energy and interference,
 * never as a frame (emulator/machine/net/wireless/medium.ts `noiseBurst`).
 */
export interface InterferenceFault {
  kind: 'interference';
  index: number;
  at: Time;
  until: Time;
  link: string;
  position: Position;
  powerDbm: number;
  channel: number;
}

/** A simulated QNX node's OS dies (crash), stops making progress for a while (hang) or loses power (power-cycle). */
export interface NodeFault {
  kind: 'crash' | 'hang' | 'power-cycle';
  index: number;
  at: Time;
  /** hang: when the CPUs come back (null: never). */
  until: Time | null;
  node: string;
  /** power-cycle: how long the power stays off. */
  off: Time;
}

export type Fault = LinkFault | BurstFault | IrqStormFault | InterferenceFault | NodeFault;

interface RawFault {
  kind: FaultKind;
  at?: string | number;
  until?: string | number;
  link?: string;
  node?: string;
  probability?: number;
  nic?: number;
  frames?: number;
  size?: number;
  irq?: number;
  period?: string | number;
  position?: { x: number; y: number; z?: number };
  'power-dbm'?: number;
  channel?: number;
  off?: string | number;
}

/** Which fields each kind takes (required ones first). */
const FIELDS: Record<FaultKind, { required: (keyof RawFault)[]; optional: (keyof RawFault)[] }> = {
  down: { required: ['link'], optional: ['at', 'until', 'node'] },
  loss: { required: ['link', 'probability'], optional: ['at', 'until', 'node'] },
  corrupt: { required: ['link', 'probability'], optional: ['at', 'until', 'node'] },
  'rx-burst': { required: ['node'], optional: ['at', 'nic', 'frames', 'size'] },
  'irq-storm': { required: ['node', 'irq', 'period'], optional: ['at', 'until'] },
  interference: { required: ['link', 'until', 'position', 'power-dbm'], optional: ['at', 'channel'] },
  crash: { required: ['node'], optional: ['at'] },
  hang: { required: ['node'], optional: ['at', 'until'] },
  'power-cycle': { required: ['node'], optional: ['at', 'off'] },
  unplug: { required: ['link', 'node'], optional: ['at', 'until'] },
};

/** How long a power-cycle keeps the power off when `off` is not given. */
export const POWER_OFF_DEFAULT_NS = 1_000_000_000;

export const BURST_DEFAULTS = { frames: 200, size: 300 };
/** The shortest storm period accepted (a shorter one would only measure the event queue). */
export const MIN_STORM_PERIOD_NS = 1000;

export function parseFaults(raw: unknown, ctx: TimelineContext): Fault[] {
  const list = (raw ?? []) as RawFault[];
  return list.map((f, index) => {
    const path: PathSeg[] = ['faults', index];
    const spec = FIELDS[f.kind];
    for (const k of spec.required) {
      if (f[k] === undefined) throw ctx.locate([...path, 'kind'], `${fieldName(path)}: ${an(f.kind)} ${f.kind} fault needs '${k}'`);
    }
    for (const k of Object.keys(f) as (keyof RawFault)[]) {
      if (k !== 'kind' && !spec.required.includes(k) && !spec.optional.includes(k))
        throw ctx.locate([...path, k], `${fieldName([...path, k])}: does not apply to ${an(f.kind)} ${f.kind} fault (it takes ${[...spec.required, ...spec.optional].join(', ')})`);
    }
    const at = f.at === undefined ? 0 : toNs(f.at);
    const until = f.until === undefined ? null : toNs(f.until);
    checkWindow(ctx, path, at, until);
    switch (f.kind) {
      case 'down':
      case 'loss':
      case 'corrupt': {
        const l = checkLink(ctx, [...path, 'link'], f.link!);
        if (l.type === 'wireless')
          throw ctx.locate([...path, 'kind'], `${fieldName(path)}: link '${l.name}' is wireless; a ${f.kind} fault is for hubs, cables and switches (on the air use kind: interference, or move a node out of range)`);
        if (f.node !== undefined) {
          const n = checkNode(ctx, [...path, 'node'], f.node, false);
          if (!n.nics.some((x) => x.link === f.link))
            throw ctx.locate([...path, 'node'], `${fieldName([...path, 'node'])}: node '${f.node}' has no NIC on link '${f.link}'`);
        }
        return { kind: f.kind, index, at, until, link: f.link!, node: f.node ?? null, probability: f.kind === 'down' ? 1 : f.probability! };
      }
      case 'rx-burst': {
        const n = checkNode(ctx, [...path, 'node'], f.node!, false);
        const nic = f.nic ?? 0;
        const spec = n.nics[nic];
        if (!spec) throw ctx.locate([...path, f.nic === undefined ? 'node' : 'nic'], `${fieldName([...path, 'nic'])}: node '${n.name}' has ${n.nics.length} NIC(s); there is no nics[${nic}]`);
        const link = ctx.links.find((l) => l.name === spec.link)!;
        if (link.type === 'wireless')
          throw ctx.locate([...path, 'node'], `${fieldName(path)}: ${n.name}.nics[${nic}] is on wireless link '${link.name}'; an rx-burst comes from a wired station (on the air use kind: interference)`);
        if (link.type === 'cable')
          throw ctx.locate([...path, 'node'], `${fieldName(path)}: ${n.name}.nics[${nic}] is on cable '${link.name}', which has no free end for the bursting station (use a hub or a switch)`);
        return { kind: 'rx-burst', index, at, node: n.name, nic, link: link.name, frames: f.frames ?? BURST_DEFAULTS.frames, size: f.size ?? BURST_DEFAULTS.size };
      }
      case 'irq-storm': {
        // Needs the board's ISA IRQ lines: a guest's interrupt controller is v86's.
        checkNode(ctx, [...path, 'node'], f.node!, true);
        const period = toNs(f.period!);
        if (period < MIN_STORM_PERIOD_NS) throw ctx.locate([...path, 'period'], `${fieldName([...path, 'period'])}: at least 1us`);
        return { kind: 'irq-storm', index, at, until, node: f.node!, irq: f.irq!, period };
      }
      case 'interference': {
        const l = checkLink(ctx, [...path, 'link'], f.link!);
        if (l.type !== 'wireless')
          throw ctx.locate([...path, 'link'], `${fieldName([...path, 'link'])}: link '${l.name}' is a ${l.type}; interference is a noise source on a wireless link`);
        const p = f.position!;
        return {
          kind: 'interference', index, at, until: until!, link: l.name, position: { x: p.x, y: p.y, z: p.z ?? 0 },
          powerDbm: f['power-dbm']!, channel: f.channel ?? l.wireless?.channel ?? WIRELESS_DEFAULTS.channel,
        };
      }
      case 'crash':
      case 'hang':
      case 'power-cycle': {
        const n = checkNode(ctx, [...path, 'node'], f.node!, false);
        const nodeKind = ctx.rawNodes[n.name]?.kind ?? 'qnx';
        if (nodeKind !== 'qnx')
          throw ctx.locate([...path, 'node'], `${fieldName([...path, 'node'])}: node '${n.name}' is a ${nodeKind} node; a ${f.kind} fault needs a simulated QNX node (a guest's CPU is v86's, which cannot be stopped, resumed or rebooted mid-run without breaking its clock)`);
        const off = f.off === undefined ? POWER_OFF_DEFAULT_NS : toNs(f.off);
        if (f.kind === 'power-cycle') {
          if (off <= 0) throw ctx.locate([...path, 'off'], `${fieldName([...path, 'off'])}: must be more than 0`);
          const air = n.nics.findIndex((x) => ctx.links.find((l) => l.name === x.link)?.type === 'wireless');
          if (air >= 0)
            throw ctx.locate([...path, 'node'], `${fieldName([...path, 'node'])}: ${n.name}.nics[${air}] is on wireless link '${n.nics[air]!.link}'; powering a radio off and on is not modelled (power-cycle nodes on hubs, cables and switches)`);
        }
        return { kind: f.kind, index, at, until: f.kind === 'hang' ? until : null, node: n.name, off };
      }
      case 'unplug': {
        const l = checkLink(ctx, [...path, 'link'], f.link!);
        if (l.type === 'wireless')
          throw ctx.locate([...path, 'link'], `${fieldName([...path, 'link'])}: link '${l.name}' is wireless; there is no cable to pull (move the node out of range, or use kind: interference)`);
        const n = checkNode(ctx, [...path, 'node'], f.node!, false);
        if (!n.nics.some((x) => x.link === l.name))
          throw ctx.locate([...path, 'node'], `${fieldName([...path, 'node'])}: node '${n.name}' has no NIC on link '${l.name}'`);
        return { kind: 'down', unplugged: true, index, at, until, link: l.name, node: n.name, probability: 1 };
      }
    }
  });
}

/** The indefinite article before a fault kind ("an interference fault", "a down fault"). */
function an(kind: FaultKind): string {
  return /^[aeiou]/.test(kind) ? 'an' : 'a';
}
