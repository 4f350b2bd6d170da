/**
 * `expect:` in a scenario file: what must be true at the end of the run (or at `at`). Checked by
 * emulator/app/testing/evaluate.ts.
 *   { node: alpha, console: "0.0% packet loss" }           substring of the node's console
 *   { node: alpha, console_re: "time=[0-9.]+ ms" }         regular expression (JavaScript syntax)
 *   { node: alpha, console_not: "Host is down" }           must not appear
 *   { node: beta, iface: en0, counter: ierrors, op: ">=", value: 1 }   from netstat -i / nicinfo run on the node
 *                                              (a guest node: `cat /proc/net/dev` typed at its shell)
 *   { node: beta, nic: 0, counter: rx-reject.overflow, op: ">", value: 0 }   the NIC model's own records
 *   { node: beta, udp_delivered: { port: 9000, op: ">=", value: 95 } }      from udpsink's summary
 *   { node: alpha, latency: { from: ping, max: 2ms } }      ping round trips / udpsink one-way latency
 * See docs/formats/scenario.md.
 */
import type { Time } from '../../machine/sim/time';
import {
  checkNode, durationSchema, fieldName, nameSchema, opSchema, toNs, type CompareOp, type PathSeg, type TimelineContext,
} from './actions-util';
import { nicKind } from '../../../nic-models/registry';

/** Interface counters of `netstat -i` (NetBSD if_data), by the name an expectation uses. */
export const NETSTAT_COUNTERS = ['ipackets', 'ierrors', 'opackets', 'oerrors', 'collisions'] as const;

/** Driver counters of `nicinfo <iface>`: expectation name → nicinfo's label. */
export const NICINFO_COUNTERS: Record<string, string> = {
  tx_ok: 'Packets Transmitted OK',
  tx_bytes: 'Bytes Transmitted OK',
  tx_broadcast: 'Broadcast Packets Transmitted OK',
  tx_multicast: 'Multicast Packets Transmitted OK',
  rx_ok: 'Packets Received OK',
  rx_bytes: 'Bytes Received OK',
  rx_broadcast: 'Broadcast Packets Received OK',
  rx_multicast: 'Multicast Packets Received OK',
  tx_single_collisions: 'Single Collisions on Transmit',
  tx_multi_collisions: 'Multiple Collisions on Transmit',
  tx_deferred: 'Deferred Transmits',
  tx_late_collisions: 'Late Collision on Transmit errors',
  tx_aborted: 'Transmits aborted (excessive collisions)',
  tx_underruns: 'Transmit Underruns',
  tx_no_carrier: 'No Carrier on Transmit',
  rx_align_errors: 'Receive Alignment errors',
  rx_crc_errors: 'Received packets with CRC errors',
  rx_dropped: 'Packets Dropped on receive',
  rx_overruns: 'Receive Overruns',
  rx_short: 'Short packets',
};

/**
 * Whether `counter` ("rx-accept", "rx-reject.overflow") names a probe the NIC's kind traces on layer "nic"
 * (its description's `counters`, nic-models/registry.ts); null if so, else the list of what it counts.
 */
function nicCounterProblem(model: string, counter: string): string | null {
  const probes = nicKind(model).counters;
  const [probe, reason, extra] = counter.split('.');
  const p = probes.find((x) => x.probe === probe);
  if (p && extra === undefined && (reason === undefined || (p.reasons ?? []).includes(reason))) return null;
  const withReasons = probes.filter((x) => x.reasons).map((x) => `${x.probe}.<${x.reasons!.join('|')}>`);
  return `${probes.map((x) => x.probe).join(', ')}${withReasons.length ? `; ${withReasons.join('; ')}` : ''}`;
}

const countCheck = {
  type: 'object',
  additionalProperties: false,
  required: ['port', 'op', 'value'],
  properties: { port: { type: 'integer', minimum: 1, maximum: 65535 }, op: opSchema, value: { type: 'number' } },
};

export const expectationSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['node'],
  properties: {
    name: { type: 'string' },
    node: nameSchema,
    at: durationSchema,
    console: { type: 'string', minLength: 1 },
    console_re: { type: 'string', minLength: 1 },
    console_not: { type: 'string', minLength: 1 },
    iface: { type: 'string', pattern: '^[a-z]+[0-9]+$' },
    nic: { type: 'integer', minimum: 0 },
    counter: { type: 'string', minLength: 1 },
    op: opSchema,
    value: { type: 'number' },
    udp_delivered: countCheck,
    latency: {
      type: 'object',
      additionalProperties: false,
      required: ['from'],
      properties: { from: { enum: ['ping', 'udp'] }, port: { type: 'integer', minimum: 1, maximum: 65535 }, max: durationSchema, avg: durationSchema },
    },
  },
};

export const expectationsSchema = { type: 'array', items: expectationSchema };

interface Common {
  index: number;
  /** Label (the `name:` field, else a generated description). */
  label: string;
  node: string;
  /** Checked at this virtual time; null: at the end of the run. */
  at: Time | null;
}

export type Expectation = Common &
  (
    | { kind: 'console'; mode: 'contains' | 'regex' | 'absent'; text: string }
    | { kind: 'iface-counter'; iface: string; counter: string; tool: 'netstat' | 'nicinfo' | 'proc-net-dev'; op: CompareOp; value: number }
    | { kind: 'nic-counter'; nic: number; counter: string; op: CompareOp; value: number }
    | { kind: 'udp-delivered'; port: number; op: CompareOp; value: number }
    | { kind: 'latency'; from: 'ping' | 'udp'; port: number | null; max: Time | null; avg: Time | null }
  );

interface RawExpectation {
  name?: string;
  node: string;
  at?: string | number;
  console?: string;
  console_re?: string;
  console_not?: string;
  iface?: string;
  nic?: number;
  counter?: string;
  op?: CompareOp;
  value?: number;
  udp_delivered?: { port: number; op: CompareOp; value: number };
  latency?: { from: 'ping' | 'udp'; port?: number; max?: string | number; avg?: string | number };
}

const KINDS = ['console', 'console_re', 'console_not', 'counter', 'udp_delivered', 'latency'] as const;

export function parseExpectations(raw: unknown, ctx: TimelineContext): Expectation[] {
  const list = (raw ?? []) as RawExpectation[];
  return list.map((e, index) => {
    const path: PathSeg[] = ['expect', index];
    const f = (k: string) => fieldName([...path, k]);
    const given = KINDS.filter((k) => e[k] !== undefined);
    if (given.length !== 1) {
      const what = given.length === 0 ? 'none is given' : `${given.join(' and ')} are given`;
      throw ctx.locate(path, `${fieldName(path)}: give exactly one of ${KINDS.join(', ')} (${what})`);
    }
    const node = checkNode(ctx, [...path, 'node'], e.node, false);
    const at = e.at === undefined ? null : toNs(e.at);
    if (at !== null && at > ctx.until) throw ctx.locate([...path, 'at'], `${f('at')}: after the end of the run`);
    const kind = given[0]!;
    const only = (allowed: (keyof RawExpectation)[]) => {
      for (const k of Object.keys(e) as (keyof RawExpectation)[])
        if (!['name', 'node', 'at', kind, ...allowed].includes(k)) throw ctx.locate([...path, k], `${f(k)}: does not go with ${kind}`);
    };
    const common = (label: string): Common => ({ index, label: e.name ?? label, node: e.node, at });
    const when = at === null ? '' : ` at ${e.at}`;
    switch (kind) {
      case 'console':
      case 'console_not':
      case 'console_re': {
        only([]);
        const text = e[kind]!;
        if (kind === 'console_re') {
          try {
            new RegExp(text, 'm');
          } catch (err) {
            throw ctx.locate([...path, kind], `${f(kind)}: not a valid regular expression: ${(err as Error).message}`);
          }
        }
        const mode = kind === 'console' ? 'contains' : kind === 'console_re' ? 'regex' : 'absent';
        const verb = mode === 'contains' ? 'shows' : mode === 'regex' ? 'matches' : 'does not show';
        return { ...common(`${e.node} console ${verb} ${JSON.stringify(text)}${when}`), kind: 'console', mode, text };
      }
      case 'counter': {
        only(['iface', 'nic', 'op', 'value']);
        const counter = e.counter!;
        if ((e.iface === undefined) === (e.nic === undefined))
          throw ctx.locate([...path, 'counter'], `${fieldName(path)}: a counter needs exactly one of iface (netstat -i / nicinfo) or nic (the NIC model)`);
        if (e.op === undefined) throw ctx.locate([...path, 'counter'], `${fieldName(path)}: a counter needs 'op'`);
        if (e.value === undefined) throw ctx.locate([...path, 'counter'], `${fieldName(path)}: a counter needs 'value'`);
        const cmp = `${e.op} ${e.value}`;
        if (e.iface !== undefined) {
          const netstat = (NETSTAT_COUNTERS as readonly string[]).includes(counter);
          // A guest's counters are read at its shell from /proc/net/dev, which has the netstat -i ones.
          if (node.kind === 'guest' && !netstat)
            throw ctx.locate([...path, 'counter'], `${f('counter')}: node '${e.node}' is a guest node: its interface counters are read from /proc/net/dev (${NETSTAT_COUNTERS.join(', ')}); '${counter}' is a QNX nicinfo counter`);
          if (!netstat && NICINFO_COUNTERS[counter] === undefined)
            throw ctx.locate([...path, 'counter'], `${f('counter')}: unknown interface counter '${counter}' (netstat -i: ${NETSTAT_COUNTERS.join(', ')}; nicinfo: ${Object.keys(NICINFO_COUNTERS).join(', ')})`);
          return {
            ...common(`${e.node} ${e.iface} ${counter} ${cmp}${when}`),
            kind: 'iface-counter', iface: e.iface, counter, tool: node.kind === 'guest' ? 'proc-net-dev' : netstat ? 'netstat' : 'nicinfo', op: e.op, value: e.value,
          };
        }
        if (!node.nics[e.nic!]) throw ctx.locate([...path, 'nic'], `${f('nic')}: node '${e.node}' has no nics[${e.nic}]`);
        const known = nicCounterProblem(node.nics[e.nic!]!.model, counter);
        if (known !== null) throw ctx.locate([...path, 'counter'], `${f('counter')}: unknown NIC counter '${counter}' (${known})`);
        return { ...common(`${e.node} nics[${e.nic}] ${counter} ${cmp}${when}`), kind: 'nic-counter', nic: e.nic!, counter, op: e.op, value: e.value };
      }
      case 'udp_delivered': {
        only([]);
        if (at !== null) throw ctx.locate([...path, 'at'], `${f('at')}: udp_delivered is read from udpsink's summary at the end of the run`);
        const u = e.udp_delivered!;
        return { ...common(`${e.node} udp port ${u.port} delivered ${u.op} ${u.value}`), kind: 'udp-delivered', port: u.port, op: u.op, value: u.value };
      }
      case 'latency': {
        only([]);
        const l = e.latency!;
        const lp = [...path, 'latency'];
        if (l.max === undefined && l.avg === undefined) throw ctx.locate(lp, `${fieldName(lp)}: give max and/or avg`);
        if (l.from === 'ping' && l.port !== undefined) throw ctx.locate([...lp, 'port'], `${fieldName([...lp, 'port'])}: only for from: udp`);
        if (l.from === 'udp' && at !== null) throw ctx.locate([...path, 'at'], `${f('at')}: udp latency is read from udpsink's summary at the end of the run`);
        const max = l.max === undefined ? null : toNs(l.max);
        const avg = l.avg === undefined ? null : toNs(l.avg);
        const bounds = [max !== null ? `max <= ${l.max}` : '', avg !== null ? `avg <= ${l.avg}` : ''].filter(Boolean).join(', ');
        const src = l.from === 'ping' ? 'ping round trip' : `udp${l.port ? ` port ${l.port}` : ''} latency`;
        return { ...common(`${e.node} ${src} ${bounds}${when}`), kind: 'latency', from: l.from, port: l.port ?? null, max, avg };
      }
    }
  });
}
