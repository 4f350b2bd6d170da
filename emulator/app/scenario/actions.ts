/**
 * `actions:` in a scenario file: things done on a node at a virtual time. Every action becomes a command line
 * typed into a new `sh` on the node (output on the node's console); on a guest node (`kind: guest`) only
 * `command` is allowed, and it is typed at the guest's shell when its prompt shows:
 *   { at: 2s, node: alpha, command: "ping -c 3 10.0.0.2" }
 *   { at: 2s, node: alpha, ping: { to: 10.0.0.2, count: 3, interval: 200ms, size: 56 } }
 *   { at: 2s, node: alpha, udp: { to: 10.0.0.2, port: 9000, rate: 100, count: 50, size: 64, sink: beta } }
 *   { at: 20s, node: sta, move: { x: 300, y: 0, z: 0 } }      the node (QNX or guest) stands there from now on
 *   { at: 5s, impair: { link: wan, delay: 200ms } }           a link's impairment replaced (impair-spec.ts)
 * See docs/formats/scenario.md.
 */
import type { Time } from '../../machine/sim/time';
import type { Position } from '../../machine/net/wireless/radio';
import { positionSchema } from './wireless-spec';
import { impairActionSchema, parseImpairAction, type ImpairAction, type RawImpairAction } from './impair-spec';
import {
  checkNode, checkWindow, durationSchema, fieldName, ipv4Schema, nameSchema, toNs, type TimelineContext,
} from './actions-util';

/** The smallest udpgen payload: the sequence number and send time it carries (stack/utils/udpgen.ts). */
const UDPGEN_MIN_SIZE = 16;

export const actionSchema = {
  type: 'object',
  additionalProperties: false,
  // `node` too, except for an impair action (its node, if any, is inside it): parseActions says so.
  required: ['at'],
  properties: {
    at: durationSchema,
    node: nameSchema,
    command: { type: 'string', minLength: 1 },
    ping: {
      type: 'object',
      additionalProperties: false,
      required: ['to'],
      properties: {
        to: ipv4Schema,
        count: { type: 'integer', minimum: 1 },
        interval: durationSchema,
        size: { type: 'integer', minimum: 0, maximum: 65467 },
      },
    },
    udp: {
      type: 'object',
      additionalProperties: false,
      required: ['to', 'port'],
      properties: {
        to: ipv4Schema,
        port: { type: 'integer', minimum: 1, maximum: 65535 },
        rate: { type: 'number', exclusiveMinimum: 0 },
        interval: durationSchema,
        count: { type: 'integer', minimum: 1 },
        size: { type: 'integer', minimum: UDPGEN_MIN_SIZE, maximum: 1472 },
        sink: nameSchema,
      },
    },
    move: positionSchema,
    impair: impairActionSchema,
  },
};

export const actionsSchema = { type: 'array', items: actionSchema };

export type ActionKind = 'command' | 'ping' | 'udp' | 'move' | 'impair';

/** An action on a node: a command line (command, ping, udp) or a move. */
export interface NodeAction {
  /** Position in the file's `actions:` list. */
  index: number;
  at: Time;
  node: string;
  kind: Exclude<ActionKind, 'impair'>;
  /** The command line typed into a new shell on `node` (a guest: typed at its shell); '' for a move. */
  command: string;
  /** A move: where the node stands from `at` on (its radios with it); null for the other kinds. */
  position?: Position | null;
  /** A udp action with `sink`: `udpsink` started on that node at the same instant, before the generator. */
  sink: { node: string; command: string } | null;
}

export type Action = NodeAction | ImpairAction;

interface RawAction {
  at: string | number;
  node?: string;
  command?: string;
  ping?: { to: string; count?: number; interval?: string | number; size?: number };
  udp?: { to: string; port: number; rate?: number; interval?: string | number; count?: number; size?: number; sink?: string };
  move?: { x: number; y: number; z?: number };
  impair?: RawImpairAction;
}

/** Defaults of the traffic generators. */
export const PING_DEFAULTS = { count: 4, intervalNs: 1_000_000_000, size: 56 };
export const UDP_DEFAULTS = { count: 100, intervalNs: 10_000_000, size: 64 };

export function parseActions(raw: unknown, ctx: TimelineContext): Action[] {
  const list = (raw ?? []) as RawAction[];
  return list.map((a, index) => {
    const path = ['actions', index];
    const given = (['command', 'ping', 'udp', 'move', 'impair'] as const).filter((k) => a[k] !== undefined);
    if (given.length !== 1) {
      const what = given.length === 0 ? 'none is given' : `${given.join(' and ')} are given`;
      throw ctx.locate(path, `${fieldName(path)}: give exactly one of command, ping, udp, move or impair (${what})`);
    }
    if (a.impair !== undefined) {
      if (a.node !== undefined)
        throw ctx.locate([...path, 'node'], `${fieldName([...path, 'node'])}: an impair action acts on a link; to impair one node's port(s) give the node inside it (impair: { link: …, node: ${a.node}, … })`);
      return parseImpairAction(a.impair, toNs(a.at), index, ctx);
    }
    if (a.node === undefined) throw ctx.locate(path, `${fieldName(path)}: missing required field 'node' (a ${given[0]} action runs on a node)`);
    const spec = checkNode(ctx, [...path, 'node'], a.node, false);
    const kind = given[0] as NodeAction['kind'];
    if (a.move !== undefined) {
      const at = toNs(a.at);
      checkWindow(ctx, path, at, null);
      return { index, at, node: a.node, kind, command: '', sink: null, position: { x: a.move.x, y: a.move.y, z: a.move.z ?? 0 } };
    }
    // A guest (Linux under v86) takes command lines, typed at its shell; the generators are QNX programs.
    if (spec.kind === 'guest' && kind !== 'command')
      throw ctx.locate([...path, kind], `${fieldName([...path, kind])}: node '${a.node}' is a guest node; it takes only command actions (typed at its shell), e.g. command: "ping -c 3 10.0.0.1"`);
    const at = toNs(a.at);
    checkWindow(ctx, path, at, null);
    if (a.command !== undefined) return { index, at, node: a.node, kind, command: a.command, sink: null };
    if (a.ping) {
      checkAddress(ctx, [...path, 'ping', 'to'], a.ping.to);
      const p = a.ping;
      const interval = p.interval === undefined ? PING_DEFAULTS.intervalNs : toNs(p.interval);
      if (interval <= 0) throw ctx.locate([...path, 'ping', 'interval'], `${fieldName([...path, 'ping', 'interval'])}: must be more than 0`);
      const command = `ping -c ${p.count ?? PING_DEFAULTS.count} -i ${seconds(interval)} -s ${p.size ?? PING_DEFAULTS.size} ${p.to}`;
      return { index, at, node: a.node, kind, command, sink: null };
    }
    const u = a.udp!;
    const up = [...path, 'udp'];
    checkAddress(ctx, [...up, 'to'], u.to);
    if (u.rate !== undefined && u.interval !== undefined)
      throw ctx.locate([...up, 'interval'], `${fieldName([...up, 'interval'])}: give rate (datagrams per second) or interval, not both`);
    const interval = u.rate !== undefined ? Math.round(1e9 / u.rate) : u.interval !== undefined ? toNs(u.interval) : UDP_DEFAULTS.intervalNs;
    if (interval <= 0) throw ctx.locate([...up, u.rate !== undefined ? 'rate' : 'interval'], `${fieldName(up)}: the interval between datagrams must be more than 0`);
    let sink: NodeAction['sink'] = null;
    if (u.sink !== undefined) {
      checkNode(ctx, [...up, 'sink'], u.sink, true);
      sink = { node: u.sink, command: `udpsink -p ${u.port}` };
    }
    const command = `udpgen -c ${u.count ?? UDP_DEFAULTS.count} -i ${seconds(interval)} -s ${u.size ?? UDP_DEFAULTS.size} -p ${u.port} ${u.to}`;
    return { index, at, node: a.node, kind, command, sink };
  });
}

function checkAddress(ctx: TimelineContext, path: (string | number)[], text: string): void {
  if (text.split('.').some((o) => Number(o) > 255)) throw ctx.locate(path, `${fieldName(path)}: '${text}' is not an IPv4 address`);
}

/** Nanoseconds as the seconds argument of ping -i / udpgen -i ("0.2", "1", "0.000125"). */
function seconds(ns: Time): string {
  return String(+(ns / 1e9).toFixed(9));
}
