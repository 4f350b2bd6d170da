/**
 * `impair:` in a scenario file (docs/impairments.md "In a scenario file"): netem-like impairments of the frames a
 * wired medium delivers to a station, on a link (every station port of it), on one NIC (frames delivered to that
 * NIC; overrides the link's), and changed at a time by an `impair` action:
 *   links:   wan: { type: cable, impair: { delay: 40ms, jitter: 8ms, distribution: normal, loss: 1% } }
 *   nics:    [{ model: …, link: hub0, impair: { delay: 5ms } }]
 *   actions: [{ at: 5s, impair: { link: wan, delay: 200ms } }, { at: 8s, impair: { link: hub0, node: beta, clear: true } }]
 * The fields and their checks follow tc-netem(8) and iproute2's tc/q_netem.c, which parses the same options; the
 * result is the engine's ImpairConfig (emulator/machine/net/impair/config.ts, whose comment is the semantics).
 */
import type { Time } from '../../machine/sim/time';
import {
  IMPAIR_DEFAULT_LIMIT, NO_IMPAIRMENT, type ImpairConfig, type JitterDistribution, type LossModel,
} from '../../machine/net/impair/config';
import {
  checkLink, checkNode, checkWindow, durationSchema, fieldName, nameSchema, toNs, type Locate, type PathSeg, type TimelineContext,
} from './actions-util';
import type { LinkSpec, NodeSpec } from './types';

const DISTRIBUTIONS: readonly JitterDistribution[] = ['uniform', 'normal', 'pareto', 'paretonormal'];
/** A probability: "1%" (text) or a number in [0, 1]; checked by parsePercent for a message that says which. */
const percentSchema = { type: ['string', 'number'] };

/** The fields of an impairment, shared by links, NICs and the `impair` action. */
export const impairProperties = {
  delay: durationSchema,
  jitter: durationSchema,
  distribution: { enum: [...DISTRIBUTIONS] },
  correlation: percentSchema,
  rate: { type: ['string', 'number'] },
  // netem's packet overhead is signed (tc-netem(8): "can be negative"); no frame handed to a station is shorter
  // than 60 bytes (the minimum frame without its FCS), so −60 keeps a frame's counted length ≥ 0.
  overhead: { type: 'integer', minimum: -60, maximum: 65535 },
  limit: { type: 'integer', minimum: 1, maximum: 1_000_000 },
  loss: {
    type: ['string', 'number', 'object'],
    additionalProperties: false,
    required: ['model'],
    properties: {
      model: { enum: ['random', 'gilbert-elliott'] },
      probability: percentSchema,
      p: percentSchema,
      r: percentSchema,
      'bad-loss': percentSchema,
      'good-loss': percentSchema,
    },
  },
  duplicate: percentSchema,
  reorder: {
    type: ['string', 'number', 'object'],
    additionalProperties: false,
    required: ['probability'],
    properties: { probability: percentSchema, gap: { type: 'integer', minimum: 1, maximum: 1_000_000 } },
  },
  corrupt: percentSchema,
} as const;

export const impairSchema = { type: 'object', additionalProperties: false, properties: impairProperties };

/** The `impair` action: which link (and node), then the new impairment's fields or `clear: true`. */
export const impairActionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['link'],
  properties: { link: nameSchema, node: nameSchema, clear: { enum: [true] }, ...impairProperties },
};

type Percent = string | number;
export interface RawImpair {
  delay?: string | number;
  jitter?: string | number;
  distribution?: JitterDistribution;
  correlation?: Percent;
  rate?: string | number;
  overhead?: number;
  limit?: number;
  loss?: Percent | { model: 'random' | 'gilbert-elliott'; probability?: Percent; p?: Percent; r?: Percent; 'bad-loss'?: Percent; 'good-loss'?: Percent };
  duplicate?: Percent;
  reorder?: Percent | { probability: Percent; gap?: number };
  corrupt?: Percent;
}

/** The longest delay or jitter taken: a day (a frame held longer would outlive any run). */
const MAX_DELAY_NS = 86_400_000_000_000;

/**
 * tc's rate units (iproute2 lib/utils_math.c, matched without regard to case): SI and IEC multiples of bits per
 * second. Its byte units (bps, kbps, KiBps, …) are refused: "2Mbps" reads as megabits but tc takes it as megaBYTES.
 */
const RATE_UNITS: Record<string, number> = {
  '': 1, bit: 1, kbit: 1e3, kibit: 1024, mbit: 1e6, mibit: 1024 ** 2, gbit: 1e9, gibit: 1024 ** 3, tbit: 1e12, tibit: 1024 ** 4,
};

/** An impairment as written (`at`: its path in the document) → the engine's configuration. */
export function parseImpair(raw: RawImpair, at: PathSeg[], locate: Locate): ImpairConfig {
  const where = (k: string, ...more: PathSeg[]): PathSeg[] => [...at, k, ...more];
  const fail = (p: PathSeg[], problem: string) => locate(p, `${fieldName(p)}: ${problem}`);
  const time = (k: 'delay' | 'jitter'): Time => {
    const v = raw[k];
    if (v === undefined) return 0;
    const ns = toNs(v);
    if (ns < 0) throw fail(where(k), `${String(v)} is negative (a frame cannot leave before it arrived)`);
    if (!(ns <= MAX_DELAY_NS)) throw fail(where(k), `${String(v)} is more than a day (86400s)`);
    return ns;
  };
  const pct = (v: Percent | undefined, p: PathSeg[], dflt: number): number => (v === undefined ? dflt : parsePercent(v, p, fail));
  const delayNs = time('delay');
  const jitterNs = time('jitter');
  // A delay cannot be negative: with more jitter than delay a share of frames would be sent at once (netem clamps
  // them to "now"), and the delays seen would no longer centre on the delay configured.
  if (jitterNs > delayNs) throw fail(where('jitter'), `${String(raw.jitter)} is more than the delay (${String(raw.delay ?? 0)}); jitter may be at most the delay (a frame cannot leave before it arrived)`);
  // tc/q_netem.c: "distribution specified but no latency and jitter values".
  if (raw.distribution !== undefined && jitterNs === 0) throw fail(where('distribution'), 'a distribution shapes the jitter: give jitter (and delay) too');
  if (raw.correlation !== undefined && jitterNs === 0) throw fail(where('correlation'), 'the correlation is between successive jitter draws: give jitter (and delay) too');
  if (raw.overhead !== undefined && raw.rate === undefined) throw fail(where('overhead'), 'the overhead is counted by the rate: give rate too');
  const reorder = parseReorder(raw.reorder, where('reorder'), fail);
  // tc/q_netem.c: "reordering not possible without specifying some delay" (a reordered frame is one sent undelayed).
  if (reorder && delayNs === 0) throw fail(where('reorder'), 'reordering sends some frames without the delay, so it needs a delay (netem: "reordering not possible without specifying some delay")');
  return {
    ...NO_IMPAIRMENT,
    delayNs,
    jitterNs,
    distribution: raw.distribution ?? 'uniform',
    correlation: pct(raw.correlation, where('correlation'), 0),
    rateBps: raw.rate === undefined ? null : parseRate(raw.rate, where('rate'), fail),
    overheadBytes: raw.overhead ?? 0,
    limit: raw.limit ?? IMPAIR_DEFAULT_LIMIT,
    loss: parseLoss(raw.loss, where('loss'), fail),
    duplicate: pct(raw.duplicate, where('duplicate'), 0),
    reorder,
    corrupt: pct(raw.corrupt, where('corrupt'), 0),
  };
}

type Fail = (p: PathSeg[], problem: string) => Error;

/** "1%", "0.5 %" or a number in [0, 1] (tc writes percentages; a bare 5 would be 500 %). */
export function parsePercent(v: Percent, p: PathSeg[], fail: Fail): number {
  if (typeof v === 'number') {
    if (Number.isFinite(v) && v >= 0 && v <= 1) return v;
    const hint = Number.isFinite(v) && v > 1 && v <= 100 ? `; for ${v} percent write "${v}%" (or ${+(v / 100).toPrecision(6)})` : '';
    throw fail(p, `${v} is not a probability: give a number from 0 to 1 or a percentage such as 1%${hint}`);
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(v);
  if (!m) throw fail(p, `'${v}' is not a percentage: write it as 1% or 0.5% (or a number from 0 to 1)`);
  const x = Number(m[1]);
  if (x > 100) throw fail(p, `${v} is more than 100%`);
  return x / 100;
}

/** tc's rate: a number of bits per second, or a number with a bit unit ("2Mbit", "512kbit", "1.5gbit"). */
export function parseRate(v: string | number, p: PathSeg[], fail: Fail): number {
  let bps: number;
  if (typeof v === 'number') bps = v;
  else {
    const m = /^\s*(\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*([a-zA-Z]*)\s*$/.exec(v);
    if (!m) throw fail(p, `'${v}' is not a rate: write it as tc does, e.g. 2Mbit, 512kbit or 100000 (bit/s)`);
    const unit = m[2]!.toLowerCase();
    if (/^([kmgt]i?)?bps$/.test(unit)) {
      throw fail(p, `'${v}': ${m[2]} is bytes per second in tc; write ${m[1]}${m[2]!.slice(0, -3)}bit for bits (or ${+Number(m[1]) * 8}${m[2]!.slice(0, -3)}bit for what tc reads)`);
    }
    const scale = RATE_UNITS[unit];
    if (scale === undefined) throw fail(p, `'${v}': unknown unit '${m[2]}' (tc's units: bit, kbit, mbit, gbit, tbit, kibit, mibit, gibit, tibit; a bare number is bit/s)`);
    bps = Number(m[1]) * scale;
  }
  const rounded = Math.round(bps);
  if (!Number.isFinite(bps) || rounded < 1) throw fail(p, `${String(v)} is not a rate: at least 1 bit per second`);
  if (!Number.isSafeInteger(rounded)) throw fail(p, `${String(v)} is too high a rate`);
  return rounded;
}

function parseLoss(v: RawImpair['loss'], p: PathSeg[], fail: Fail): LossModel | null {
  if (v === undefined) return null;
  if (typeof v !== 'object') return { model: 'random', probability: parsePercent(v, p, fail) };
  const allowed = v.model === 'random' ? ['model', 'probability'] : ['model', 'p', 'r', 'bad-loss', 'good-loss'];
  for (const k of Object.keys(v)) {
    if (!allowed.includes(k)) throw fail([...p, k], `the ${v.model} loss model takes ${allowed.filter((x) => x !== 'model').join(', ')}, not ${k}`);
  }
  if (v.model === 'random') {
    if (v.probability === undefined) throw fail([...p, 'model'], 'the random loss model needs probability');
    return { model: 'random', probability: parsePercent(v.probability, [...p, 'probability'], fail) };
  }
  if (v.p === undefined) throw fail([...p, 'model'], 'the gilbert-elliott loss model needs p (the chance to go from the good to the bad state)');
  const gp = parsePercent(v.p, [...p, 'p'], fail);
  // tc/q_netem.c `loss gemodel p [r [1-h [1-k]]]`: r defaults to 1 − p, 1-h (loss in bad) to 100 %, 1-k (loss in good) to 0.
  const r = v.r === undefined ? 1 - gp : parsePercent(v.r, [...p, 'r'], fail);
  const lossBad = v['bad-loss'] === undefined ? 1 : parsePercent(v['bad-loss'], [...p, 'bad-loss'], fail);
  const lossGood = v['good-loss'] === undefined ? 0 : parsePercent(v['good-loss'], [...p, 'good-loss'], fail);
  return { model: 'gilbert-elliott', p: gp, r, lossBad, lossGood };
}

function parseReorder(v: RawImpair['reorder'], p: PathSeg[], fail: Fail): ImpairConfig['reorder'] {
  if (v === undefined) return null;
  // tc/q_netem.c: a reorder without gap gets gap 1 (every frame may be the one sent at once).
  if (typeof v !== 'object') return { probability: parsePercent(v, p, fail), gap: 1 };
  return { probability: parsePercent(v.probability, [...p, 'probability'], fail), gap: v.gap ?? 1 };
}

/**
 * Impairments act on wired media (hub, cable, switch): on the air, delay and loss come from the radio channel.
 * A link's `impair` on a wireless link, or a NIC's on a wireless NIC, is an error at that `impair`.
 */
export function checkImpairMedia(nodes: readonly NodeSpec[], links: readonly LinkSpec[], locate: Locate): void {
  const why = 'on the air, loss and delay come from the radio channel (distance, moves, interference faults)';
  for (const l of links) {
    if (l.impair && l.type === 'wireless') throw locate(['links', l.name, 'impair'], `links.${l.name}.impair: link '${l.name}' is wireless; impairments act on hubs, cables and switches (${why})`);
  }
  for (const n of nodes) {
    n.nics.forEach((nic, i) => {
      const l = links.find((x) => x.name === nic.link);
      if (nic.impair && l?.type === 'wireless')
        throw locate(['nodes', n.name, 'nics', i, 'impair'], `nodes.${n.name}.nics.${i}.impair: this NIC is on wireless link '${l.name}'; impairments act on hubs, cables and switches (${why})`);
    });
  }
}

/** An `impair` action: from `at`, deliveries to `node`'s port(s) on `link` (null: the link's default) get `impair`. */
export interface ImpairAction {
  kind: 'impair';
  index: number;
  at: Time;
  link: string;
  /** Only this node's NIC port(s) on the link; null: the link's impairment (ports without their own). */
  node: string | null;
  /** The new impairment (it replaces the old one whole); null: `clear: true`, removed. */
  impair: ImpairConfig | null;
  /** No command line is typed and no sink started (as for a move). */
  command: '';
  sink: null;
}

export type RawImpairAction = RawImpair & { link: string; node?: string; clear?: true };

export function parseImpairAction(raw: RawImpairAction, at: Time, index: number, ctx: TimelineContext): ImpairAction {
  const path: PathSeg[] = ['actions', index, 'impair'];
  checkWindow(ctx, ['actions', index], at, null);
  const l = checkLink(ctx, [...path, 'link'], raw.link);
  if (l.type === 'wireless')
    throw ctx.locate([...path, 'link'], `${fieldName([...path, 'link'])}: link '${l.name}' is wireless; impairments act on hubs, cables and switches (on the air use a move or an interference fault)`);
  if (raw.node !== undefined) {
    const n = checkNode(ctx, [...path, 'node'], raw.node, false);
    if (!n.nics.some((x) => x.link === l.name))
      throw ctx.locate([...path, 'node'], `${fieldName([...path, 'node'])}: node '${n.name}' has no NIC on link '${l.name}'`);
  }
  const { link, node, clear, ...fields } = raw;
  const given = Object.keys(fields);
  if (clear && given.length > 0)
    throw ctx.locate([...path, given[0]!], `${fieldName([...path, given[0]!])}: clear: true removes the impairment; give either clear or the new impairment's fields`);
  if (!clear && given.length === 0)
    throw ctx.locate(path, `${fieldName(path)}: give the new impairment's fields (delay, loss, …; they replace the old ones) or clear: true`);
  return { kind: 'impair', index, at, link, node: node ?? null, impair: clear ? null : parseImpair(fields, path, ctx.locate), command: '', sink: null };
}

/** An impairment in tc-netem's words, for records and reports ("delay 40ms 8ms 25% distribution normal loss 1%"). */
export function describeImpair(c: ImpairConfig): string {
  const ms = (ns: number) => `${+(ns / 1e6).toFixed(6)}ms`;
  const pc = (x: number) => `${+(x * 100).toFixed(6)}%`;
  const parts: string[] = [`limit ${c.limit}`];
  if (c.delayNs > 0) {
    parts.push(`delay ${ms(c.delayNs)}${c.jitterNs > 0 ? ` ${ms(c.jitterNs)}${c.correlation > 0 ? ` ${pc(c.correlation)}` : ''} distribution ${c.distribution}` : ''}`);
  }
  if (c.loss?.model === 'random') parts.push(`loss random ${pc(c.loss.probability)}`);
  if (c.loss?.model === 'gilbert-elliott') parts.push(`loss gemodel ${pc(c.loss.p)} ${pc(c.loss.r)} ${pc(c.loss.lossBad)} ${pc(c.loss.lossGood)}`);
  if (c.duplicate > 0) parts.push(`duplicate ${pc(c.duplicate)}`);
  if (c.reorder) parts.push(`reorder ${pc(c.reorder.probability)} gap ${c.reorder.gap}`);
  if (c.corrupt > 0) parts.push(`corrupt ${pc(c.corrupt)}`);
  if (c.rateBps !== null) parts.push(`rate ${c.rateBps}bit${c.overheadBytes !== 0 ? ` ${c.overheadBytes}` : ''}`);
  return parts.join(' ');
}
