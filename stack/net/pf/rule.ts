/**
 * A rule as the kernel keeps it (pfvar.h struct pf_rule after DIOCADDRULE's checks): the PfRule pfctl sent,
 * its IPv4 addresses as numbers, its counters (evaluations, packets/bytes in and out, states), its number in
 * the ruleset, and its skip steps (pf_calc_skip_steps: for each of the eight criteria, the next rule that
 * differs in it, so a mismatch on that criterion jumps there). A rule that fails the checks is EINVAL, as
 * pf_ioctl.c answers a malformed pfioc_rule.
 */
import {
  PF_AF_ANY, PF_AF_INET, PF_AF_INET6, PF_TIMEOUT_DEFAULTS, type PfAddrWrap, type PfRule, type PfRuleAddr, type PfRuleset,
  type PfTimeoutName,
} from '../../include/net/pfvar';
import { rd32 } from './cksum';

/** PF_SKIP_IFP … PF_SKIP_DST_PORT (pfvar.h). */
export const PF_SKIP_IFP = 0;
export const PF_SKIP_DIR = 1;
export const PF_SKIP_AF = 2;
export const PF_SKIP_PROTO = 3;
export const PF_SKIP_SRC_ADDR = 4;
export const PF_SKIP_SRC_PORT = 5;
export const PF_SKIP_DST_ADDR = 6;
export const PF_SKIP_DST_PORT = 7;
export const PF_SKIP_COUNT = 8;

export interface KRule {
  readonly r: PfRule;
  nr: number;
  /** IPv4 forms of addrmask addresses (null for other types or IPv6). */
  readonly src4: { addr: number; mask: number } | null;
  readonly dst4: { addr: number; mask: number } | null;
  evaluations: number;
  packets: [number, number];
  bytes: [number, number];
  /** states_cur. */
  states: number;
  /** Index of the next rule to look at on a mismatch of each PF_SKIP_* criterion (rules.length = end). */
  skip: number[];
}

const ACTIONS_BY_RULESET: Record<PfRuleset, readonly string[]> = {
  filter: ['pass', 'block', 'scrub'],
  nat: ['nat', 'no-nat'],
  rdr: ['rdr', 'no-rdr'],
  binat: ['binat', 'no-binat'],
};

const PORT_OPS = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'rrg', 'irg', 'xrg'];

function okPort(n: unknown): boolean {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 65535;
}

function v4(w: PfAddrWrap): { addr: number; mask: number } | null {
  if (w.type !== 'addrmask' || w.af !== PF_AF_INET) return null;
  const mask = rd32(w.mask, 0);
  return { addr: (rd32(w.addr, 0) & mask) >>> 0, mask };
}

function checkAddrWrap(w: PfAddrWrap | undefined): string | null {
  if (!w || typeof w !== 'object') return 'missing address';
  switch (w.type) {
    case 'any':
    case 'noroute':
      return null;
    case 'addrmask': {
      const len = w.af === PF_AF_INET ? 4 : w.af === PF_AF_INET6 ? 16 : -1;
      if (len < 0) return `address family ${String(w.af)}`;
      if (!(w.addr instanceof Uint8Array) || !(w.mask instanceof Uint8Array) || w.addr.length !== len || w.mask.length !== len) return 'address length';
      return null;
    }
    case 'table':
      return typeof w.name === 'string' && w.name !== '' && w.name.length < 32 ? null : 'table name';
    case 'dynif':
      return typeof w.ifname === 'string' && w.ifname !== '' ? null : 'interface name';
    default:
      return `address type ${String((w as { type?: unknown }).type)}`;
  }
}

function checkRuleAddr(a: PfRuleAddr | undefined, proto: number): string | null {
  if (!a) return 'missing from/to';
  const e = checkAddrWrap(a.addr);
  if (e) return e;
  if (a.port) {
    if (!PORT_OPS.includes(a.port.op) || !okPort(a.port.lo) || !okPort(a.port.hi)) return 'port';
    // pfctl: "port only applies to tcp/udp"; the kernel takes such rules (they never match other protocols).
    if (proto !== 0 && proto !== 6 && proto !== 17) return 'port on a protocol without ports';
  }
  return null;
}

/** DIOCADDRULE's checks. Returns the reason text for EINVAL, or null. */
export function checkRule(ruleset: PfRuleset, r: PfRule): string | null {
  if (!r || typeof r !== 'object') return 'no rule';
  if (!ACTIONS_BY_RULESET[ruleset]?.includes(r.action)) return `action ${String(r.action)} in the ${ruleset} ruleset`;
  if (!['inout', 'in', 'out'].includes(r.direction)) return 'direction';
  if (![PF_AF_ANY, PF_AF_INET, PF_AF_INET6].includes(r.af)) return 'address family';
  if (!Number.isInteger(r.proto) || r.proto < 0 || r.proto > 255) return 'protocol';
  const e = checkRuleAddr(r.src, r.proto) ?? checkRuleAddr(r.dst, r.proto);
  if (e) return e;
  if (r.ifname !== null && (typeof r.ifname !== 'string' || r.ifname === '' || r.ifname.length >= 16)) return 'interface name';
  // pf takes `flags S/A` (a flag outside the mask): such a rule simply never matches (pf_test_tcp's check).
  if (!Number.isInteger(r.flags) || !Number.isInteger(r.flagset) || r.flags < 0 || r.flags > 0xff || r.flagset < 0 || r.flagset > 0xff) return 'tcp flags';
  if (!Number.isInteger(r.type) || r.type < 0 || r.type > 256 || !Number.isInteger(r.code) || r.code < 0 || r.code > 256) return 'icmp type/code';
  // icmp-type (proto 1) or icmp6-type (proto 58; no IPv6 hook here, so those rules never match a packet).
  if ((r.type || r.code) && r.proto !== 1 && r.proto !== 58) return 'icmp-type on a protocol other than icmp/icmp6';
  if (!['none', 'keep', 'modulate', 'synproxy'].includes(r.keepState)) return 'state option';
  if (!['drop', 'return', 'return-rst', 'return-icmp'].includes(r.blockPolicy)) return 'block policy';
  if (!['none', 'first', 'all'].includes(r.log)) return 'log';
  const xlate = r.action === 'nat' || r.action === 'rdr' || r.action === 'binat';
  if (xlate) {
    if (!r.rpool) return `${r.action} without a target address`;
    const pe = checkAddrWrap(r.rpool.addr);
    if (pe) return `${r.action} target: ${pe}`;
    if (r.rpool.addr.type !== 'addrmask' && r.rpool.addr.type !== 'dynif') return `${r.action} target must be an address or (interface)`;
    const pp = r.rpool.proxyPort;
    if (pp && (!okPort(pp.lo) || !okPort(pp.hi))) return `${r.action} port range`;
  }
  for (const [k, v] of Object.entries(r.timeouts ?? {})) {
    if (!(k in PF_TIMEOUT_DEFAULTS) || typeof v !== 'number' || !Number.isInteger(v) || v < 0) return `timeout ${k}`;
  }
  return null;
}

export function makeKRule(r: PfRule, nr: number): KRule {
  return {
    r, nr, src4: v4(r.src.addr), dst4: v4(r.dst.addr), evaluations: 0, packets: [0, 0], bytes: [0, 0], states: 0,
    skip: new Array<number>(PF_SKIP_COUNT).fill(0),
  };
}

/** The per-rule timeout for `name`, else pf's default (pf_default_rule.timeout, set by DIOCSETTIMEOUT). */
export function ruleTimeout(r: KRule | null, name: PfTimeoutName, defaults: Readonly<Record<PfTimeoutName, number>>): number {
  const t = r?.r.timeouts?.[name];
  return t !== undefined && t > 0 ? t : defaults[name];
}

function wrapEq(a: PfAddrWrap, b: PfAddrWrap): boolean {
  if (a.type !== b.type || a.neg !== b.neg) return false;
  switch (a.type) {
    case 'addrmask': {
      const c = b as typeof a;
      return a.af === c.af && a.addr.every((x, i) => x === c.addr[i]) && a.mask.every((x, i) => x === c.mask[i]);
    }
    case 'table':
      return a.name === (b as typeof a).name;
    case 'dynif':
      return a.ifname === (b as typeof a).ifname && a.network === (b as typeof a).network;
    default:
      return true;
  }
}

function portEq(a: PfRuleAddr, b: PfRuleAddr): boolean {
  if (!a.port || !b.port) return !a.port && !b.port;
  return a.port.op === b.port.op && a.port.lo === b.port.lo && a.port.hi === b.port.hi;
}

/** pf_skip_step's "same criterion" tests, by PF_SKIP_* index. */
const SAME: readonly ((a: PfRule, b: PfRule) => boolean)[] = [
  (a, b) => a.ifname === b.ifname && a.ifnot === b.ifnot,
  (a, b) => a.direction === b.direction,
  (a, b) => a.af === b.af,
  (a, b) => a.proto === b.proto,
  (a, b) => wrapEq(a.src.addr, b.src.addr),
  (a, b) => portEq(a.src, b.src),
  (a, b) => wrapEq(a.dst.addr, b.dst.addr),
  (a, b) => portEq(a.dst, b.dst),
];

/** pf_calc_skip_steps: rule i's skip[k] is the first rule after the run of rules equal to i in criterion k. */
export function calcSkipSteps(rules: KRule[]): void {
  for (let k = 0; k < PF_SKIP_COUNT; k++) {
    let head = 0;
    for (let i = 1; i <= rules.length; i++) {
      if (i < rules.length && SAME[k]!(rules[head]!.r, rules[i]!.r)) continue;
      for (let j = head; j < i; j++) rules[j]!.skip[k] = i;
      head = i;
    }
  }
}

