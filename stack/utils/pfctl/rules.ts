/**
 * parse.y's pfrule and natrule: `action dir logquick interface route af proto fromto filter_opts` for pass/block
 * and `[no] nat|rdr interface af proto fromto -> host [port p] pool_opts` for translation, with the checks their
 * actions make (flags only for tcp, `no` rules take no `->`, proxy-port defaults, static-port only on nat) before
 * check_rulestate and expand_rule. What pfvar.ts has no field for is refused by name.
 */
import type { PfBlockPolicy, PfKeepState, PfRule, PfTimeoutName } from '../../include/net/pfvar';
import { PF_TIMEOUT_DEFAULTS } from '../../include/net/pfvar';
import { expandRule } from './expand';
import { afSpec, fromTo, icmpSpec, interfaceSpec, protoSpec, xhost, type NodeIcmp } from './grammar';
import { ANY_HOST, host, type NodeHost, type PfIface } from './host';
import { getservbyname, parseFlags } from './netdb';
import { PFCTL_STATE, type ParserCore } from './parser-core';
import { PF_NAT_PROXY_PORT_HIGH, PF_NAT_PROXY_PORT_LOW } from './print';

const IPPROTO_TCP = 6;

function logquick(p: ParserCore): { log: PfRule['log']; quick: boolean } {
  let log: PfRule['log'] = 'none';
  let quick = false;
  const logkw = () => (p.acceptKw('log') ? 'first' : p.acceptKw('log-all') ? 'all' : null);
  const l1 = logkw();
  if (l1) log = l1;
  if (p.acceptKw('quick')) {
    quick = true;
    if (!l1) log = logkw() ?? 'none';
  }
  return { log, quick };
}

function blockspec(p: ParserCore): PfBlockPolicy {
  if (p.acceptKw('drop')) return 'drop';
  if (p.acceptKw('return')) return 'return';
  if (p.acceptKw('return-rst')) {
    if (p.isPunct('(')) p.unsupported('return-rst with a ttl');
    return 'return-rst';
  }
  if (p.acceptKw('return-icmp') || p.acceptKw('return-icmp6')) {
    if (p.isPunct('(')) p.unsupported('return-icmp with a code');
    return 'return-icmp';
  }
  return p.blockpolicy;
}

interface FilterOpts {
  flags: number;
  flagset: number;
  flagsGiven: boolean;
  icmp: NodeIcmp[] | null;
  keepState: PfKeepState;
  timeouts: Partial<Record<PfTimeoutName, number>>;
  label: string | null;
}

function flagsOpt(p: ParserCore, o: FilterOpts): void {
  if (o.flagsGiven) p.fail('flags cannot be redefined');
  const flag = () => {
    const s = p.string();
    const f = parseFlags(s);
    if (f < 0) p.fail(`bad flags ${s}`);
    return f;
  };
  const set = p.isPunct('/') ? 0 : flag();
  p.expectPunct('/');
  o.flags = set;
  o.flagset = flag();
  o.flagsGiven = true;
}

/** keep: KEEP STATE | MODULATE STATE | SYNPROXY STATE, each with an optional '(' state_opt_list ')'. */
function keepOpt(p: ParserCore, o: FilterOpts, kind: PfKeepState): void {
  if (o.keepState !== 'none') p.fail('modulate or keep cannot be redefined');
  p.expectKw('state');
  o.keepState = kind;
  if (!p.acceptPunct('(')) return;
  for (;;) {
    for (const k of ['max', 'no-sync', 'max-src-states', 'max-src-nodes', 'source-track', 'if-bound', 'group-bound', 'floating']) if (p.isKw(k)) p.unsupported(`state option '${k}'`);
    const name = p.string();
    const secs = p.number();
    if (!(name in PF_TIMEOUT_DEFAULTS) || !name.includes('.')) p.fail(name in PF_TIMEOUT_DEFAULTS ? `illegal state timeout ${name}` : `illegal timeout name ${name}`);
    const tn = name as PfTimeoutName;
    if (o.timeouts[tn] !== undefined) p.fail(`state timeout ${tn} multiple definitions`);
    o.timeouts[tn] = secs;
    p.comma();
    if (p.acceptPunct(')')) return;
  }
}

function filterOpts(p: ParserCore): FilterOpts {
  const o: FilterOpts = { flags: 0, flagset: 0, flagsGiven: false, icmp: null, keepState: 'none', timeouts: {}, label: null };
  for (;;) {
    if (p.acceptKw('flags')) flagsOpt(p, o);
    else if (p.isKw('icmp-type') || p.isKw('icmp6-type')) {
      const six = p.isKw('icmp6-type');
      p.next();
      if (o.icmp) p.fail('icmp-type cannot be redefined');
      o.icmp = icmpSpec(p, six);
    } else if (p.acceptKw('keep')) keepOpt(p, o, 'keep');
    else if (p.acceptKw('modulate')) keepOpt(p, o, 'modulate');
    else if (p.acceptKw('synproxy')) keepOpt(p, o, 'synproxy');
    else if (p.acceptKw('label')) {
      if (o.label !== null) p.fail('label cannot be redefined');
      o.label = p.string();
      if (o.label.length >= 64) p.fail('rule label too long (max 63 chars)');
    } else {
      for (const k of ['user', 'group', 'tos', 'fragment', 'allow-opts', 'queue', 'tag', 'tagged']) if (p.isKw(k)) p.unsupported(`'${k}'`);
      if (p.isPunct('!')) p.unsupported("'tagged'");
      return o;
    }
  }
}

/** pfrule. */
export function pfrule(p: ParserCore): void {
  const action = p.next();
  const block = action.t === 'str' && action.v === 'block';
  const blockPolicy = block ? blockspec(p) : 'drop';
  const direction = p.acceptKw('in') ? 'in' : p.acceptKw('out') ? 'out' : 'inout';
  const lq = logquick(p);
  const ifs = interfaceSpec(p);
  for (const k of ['fastroute', 'route-to', 'reply-to', 'dup-to']) if (p.isKw(k)) p.unsupported(`'${k}'`);
  const af = afSpec(p);
  const protos = protoSpec(p);
  const ft = fromTo(p);
  const o = filterOpts(p);
  p.checkRulestate(PFCTL_STATE.FILTER);
  if ((o.flags || o.flagset) && protos && !protos.includes(IPPROTO_TCP)) {
    p.yyerror('flags only apply to tcp');
    p.abort();
  }
  expandRule(p, {
    ruleset: 'filter',
    base: {
      action: block ? 'block' : 'pass', direction, quick: lq.quick, log: lq.log, af, flags: o.flags, flagset: o.flagset,
      keepState: o.keepState, blockPolicy, label: o.label ?? '', timeouts: o.timeouts,
    },
    interfaces: ifs, protos, icmp: o.icmp,
    srcHosts: ft.src.hosts, srcPorts: ft.src.ports, dstHosts: ft.dst.hosts, dstPorts: ft.dst.ports, rpool: null,
  });
  p.endOfLine();
}

/** rport: `p`, `p:q`, `p:*`. */
function rport(p: ParserCore): { a: number; b: number; star: boolean } {
  const s = p.string();
  const get = (n: string) => {
    if (/^\d+$/.test(n)) {
      if (Number(n) > 65535) p.fail(`illegal port value ${n}`);
      return Number(n);
    }
    const v = getservbyname(n);
    if (v === null) p.fail(`unknown port ${n}`);
    return v;
  };
  const c = s.indexOf(':');
  if (c < 0) return { a: get(s), b: 0, star: false };
  if (s.slice(c + 1) === '*') return { a: get(s.slice(0, c)), b: 0, star: true };
  const a = get(s.slice(0, c));
  const b = get(s.slice(c + 1));
  return { a, b: a === b ? 0 : b, star: false };
}

/** redirspec host: `host` (no `!`), one address. */
function redirHosts(p: ParserCore): NodeHost[] {
  if (p.isPunct('{')) p.unsupported('a redirection pool of several addresses');
  if (p.isPunct('!')) p.syntax();
  return xhost(p);
}

/** natrule (nat, rdr, no nat, no rdr). */
export function natrule(p: ParserCore, no: boolean): void {
  const kw = p.next();
  const kind = kw.t === 'str' && kw.v === 'nat' ? 'nat' : 'rdr';
  if (p.isKw('pass')) p.unsupported(`'${kind} pass'`);
  const ifs = interfaceSpec(p);
  let af = afSpec(p);
  const protos = protoSpec(p);
  const ft = fromTo(p);
  if (p.isKw('tag')) p.unsupported("'tag'");
  let target: NodeHost[] | null = null;
  let rp = { a: 0, b: 0, star: false };
  if (p.peek().t === 'arrow') {
    p.next();
    target = redirHosts(p);
    if (p.acceptKw('port')) rp = rport(p);
  }
  let staticPort = false;
  for (;;) {
    if (p.acceptKw('static-port')) {
      if (staticPort) p.fail('static-port cannot be redefined');
      staticPort = true;
    } else if (p.acceptKw('round-robin')) continue;
    else {
      for (const k of ['bitmask', 'random', 'source-hash', 'sticky-address']) if (p.isKw(k)) p.unsupported(`pool option '${k}'`);
      break;
    }
  }
  p.checkRulestate(PFCTL_STATE.NAT);
  const first = (l: NodeHost[] | null) => l?.[0];
  if (!af) af = first(ft.src.hosts)?.af || first(ft.dst.hosts)?.af || 0;
  const action = no ? (kind === 'nat' ? 'no-nat' : 'no-rdr') : kind;
  let proxyPort: { lo: number; hi: number } | null = null;
  if (no) {
    if (target) p.fail("translation rule with 'no' does not need '->'");
  } else {
    if (!target) p.fail("translation rule requires '-> address'");
    if (!af) af = target[0]?.af ?? 0;
    target = target.filter((h) => !(af && h.af && h.af !== af));
    if (!af && target.some((h) => h.addr.type !== 'table' && h.addr.type !== 'dynif')) p.fail('address family not given and translation address expands to multiple address families');
    if (target.length === 0) p.fail('no translation address with matching address family found.');
    if (target.length > 1) p.unsupported('a redirection pool of several addresses');
    if (kind === 'rdr') {
      const dp = ft.dst.ports?.[0];
      const hi = !rp.b && rp.star && dp ? rp.a + (dp.hi - dp.lo) : rp.b;
      proxyPort = rp.a ? { lo: rp.a, hi: hi || rp.a } : null;
    } else {
      let lo = rp.a;
      let hi = rp.b;
      if (!lo && !hi) [lo, hi] = [PF_NAT_PROXY_PORT_LOW, PF_NAT_PROXY_PORT_HIGH];
      else if (!hi) hi = lo;
      proxyPort = { lo, hi };
    }
    if (staticPort) {
      if (kind !== 'nat') p.fail("the 'static-port' option is only valid with nat rules");
      if (proxyPort && proxyPort.lo !== PF_NAT_PROXY_PORT_LOW && proxyPort.hi !== PF_NAT_PROXY_PORT_HIGH) p.fail("the 'static-port' option can't be used when specifying a port range");
      proxyPort = { lo: 0, hi: 0 };
    }
  }
  expandRule(p, {
    ruleset: kind,
    base: { action, direction: 'inout', quick: false, log: 'none', af, flags: 0, flagset: 0, keepState: 'none', blockPolicy: 'drop', label: '', timeouts: {} },
    interfaces: ifs, protos, icmp: null,
    srcHosts: ft.src.hosts, srcPorts: ft.src.ports, dstHosts: ft.dst.hosts, dstPorts: ft.dst.ports,
    rpool: no ? null : { hosts: target ?? [ANY_HOST], proxyPort, staticPort },
  });
  p.endOfLine();
}

/**
 * antispoof [log] [quick] for ifspec [af] [label]: per interface, `block drop in on ! if from if's networks`, and
 * unless it is a loopback, `block drop in from if's addresses` (parse.y antispoof; the hosts as ifa_lookup gives
 * them, an interface without addresses adds nothing).
 */
export function antispoof(p: ParserCore): void {
  p.next();
  const lq = logquick(p);
  p.expectKw('for');
  const ifs = p.acceptPunct('{') ? antispoofList(p) : [antispoofIf(p)];
  const af = afSpec(p);
  let label = '';
  if (p.acceptKw('label')) label = p.string();
  p.checkRulestate(PFCTL_STATE.FILTER);
  const base = { action: 'block' as const, direction: 'in' as const, quick: lq.quick, log: lq.log, af, flags: 0, flagset: 0, keepState: 'none' as const, blockPolicy: 'drop' as const, label, timeouts: {} };
  const none = { protos: null, icmp: null, srcPorts: null, dstHosts: null, dstPorts: null, rpool: null, ruleset: 'filter' as const };
  for (const ifp of ifs) {
    const nets = resolveIf(p, `${ifp.name}:network`);
    if (nets) expandRule(p, { ...none, base, interfaces: [{ ifname: ifp.name, not: true }], srcHosts: nets });
    const addrs = ifp.loopback ? null : resolveIf(p, ifp.name);
    if (addrs) expandRule(p, { ...none, base, interfaces: null, srcHosts: addrs });
  }
  p.endOfLine();
}

function antispoofIf(p: ParserCore): PfIface {
  const name = p.string();
  const ifp = p.opts.ifaces?.find((i) => i.name === name);
  if (!ifp) p.fail(`unknown interface ${name}`);
  return ifp;
}

function antispoofList(p: ParserCore): PfIface[] {
  const out = [antispoofIf(p)];
  for (;;) {
    p.comma();
    if (p.acceptPunct('}')) return out;
    out.push(antispoofIf(p));
  }
}

function resolveIf(p: ParserCore, spec: string): NodeHost[] | null {
  const r = host(spec, p.opts.ifaces);
  return 'hosts' in r && r.hosts.length > 0 ? r.hosts : null;
}

/**
 * scrubrule: `scrub [in|out] [log] [on if] [af] [proto] fromto [fragment reassemble]` (pf's default normalization:
 * lsm-pf walks these apart from the filter rules, pf_normalize_ip); the other scrub options have no field in
 * pfvar.ts and are refused by name.
 */
export function scrubrule(p: ParserCore): void {
  p.next();
  const direction = p.acceptKw('in') ? 'in' : p.acceptKw('out') ? 'out' : 'inout';
  const lq = logquick(p);
  const ifs = interfaceSpec(p);
  const af = afSpec(p);
  const protos = protoSpec(p);
  const ft = fromTo(p);
  for (;;) {
    if (p.acceptKw('fragment')) {
      if (p.acceptKw('reassemble')) continue;
      if (p.isKw('crop') || p.isKw('drop-ovl')) p.unsupported(`scrub option 'fragment ${(p.peek() as { v: string }).v}'`);
      p.syntax();
    }
    for (const k of ['no-df', 'min-ttl', 'max-mss', 'random-id', 'reassemble']) if (p.isKw(k)) p.unsupported(`scrub option '${k}'`);
    break;
  }
  p.checkRulestate(PFCTL_STATE.SCRUB);
  if (lq.quick) p.fail("scrub rules do not support 'quick'");
  expandRule(p, {
    ruleset: 'filter',
    base: { action: 'scrub', direction, quick: false, log: lq.log, af, flags: 0, flagset: 0, keepState: 'none', blockPolicy: 'drop', label: '', timeouts: {} },
    interfaces: ifs, protos, icmp: null,
    srcHosts: ft.src.hosts, srcPorts: ft.src.ports, dstHosts: ft.dst.hosts, dstPorts: ft.dst.ports, rpool: null,
  });
  p.endOfLine();
}
