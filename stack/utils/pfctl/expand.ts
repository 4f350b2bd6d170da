/**
 * expand_rule (parse.y): one pf_rule per combination of the rule's lists — interfaces × protocols × icmp types ×
 * source hosts × source ports × destination hosts × destination ports, in that nesting — skipping combinations
 * whose address families disagree, filling the family from the hosts, dropping flags and modulate/synproxy for
 * non-TCP protocols, expanding label macros ($if $srcaddr $dstaddr $srcport $dstport $proto $nr), then
 * rule_consistent (filter_consistent / rdr_consistent) with their messages, "skipping rule due to errors", and
 * "rule expands to no valid combination" when nothing was left.
 */
import { PF_AF_INET, PF_AF_INET6, type PfAddrWrap, type PfPool, type PfRule, type PfRuleset } from '../../include/net/pfvar';
import { ANY_HOST, addrToString, unmask, type NodeHost } from './host';
import type { NodeIcmp, NodeIf, NodePort } from './grammar';
import { getprotobynumber } from './netdb';
import type { ParserCore } from './parser-core';
import { printRule } from './print';

const IPPROTO_ICMP = 1;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_ICMPV6 = 58;

/** The rule with everything but the expanded fields, and the lists to expand. */
export interface RuleTemplate {
  readonly base: Omit<PfRule, 'ifname' | 'ifnot' | 'proto' | 'src' | 'dst' | 'type' | 'code' | 'rpool'>;
  readonly ruleset: PfRuleset;
  readonly interfaces: NodeIf[] | null;
  readonly protos: number[] | null;
  readonly icmp: NodeIcmp[] | null;
  readonly srcHosts: NodeHost[] | null;
  readonly srcPorts: NodePort[] | null;
  readonly dstHosts: NodeHost[] | null;
  readonly dstPorts: NodePort[] | null;
  /** nat/rdr: the translation target, with the family it decided (pool addresses are not expanded). */
  readonly rpool: (Omit<PfPool, 'addr'> & { readonly hosts: NodeHost[] }) | null;
}

function labelAddr(h: NodeHost, af: number): string {
  const a = h.addr;
  let s: string;
  if (a.type === 'dynif') s = `(${a.ifname})`;
  else if (a.type === 'table') s = `<${a.name}>`;
  else if (a.type === 'noroute') s = 'no-route';
  else if (a.type === 'any' || !af) s = 'any';
  else {
    const bits = unmask(a.af, a.mask);
    s = addrToString(a.af, a.addr) + (bits < (a.af === PF_AF_INET ? 32 : 128) ? `/${bits}` : '');
  }
  return a.neg ? `! ${s}` : s;
}

function labelPort(pt: NodePort | null): string {
  if (!pt) return '';
  const { op, lo, hi } = pt;
  const m: Record<string, string> = { irg: `${lo}><${hi}`, xrg: `${lo}<>${hi}`, eq: `${lo}`, ne: `!=${lo}`, lt: `<${lo}`, le: `<=${lo}`, gt: `>${lo}`, ge: `>=${lo}`, rrg: '' };
  return m[op] ?? '';
}

/** expand_label. */
function expandLabel(label: string, ifname: string, af: number, src: NodeHost, sp: NodePort | null, dst: NodeHost, dp: NodePort | null, proto: number, nr: number): string {
  return label
    .split('$if').join(ifname || 'any')
    .split('$srcaddr').join(labelAddr(src, af))
    .split('$dstaddr').join(labelAddr(dst, af))
    .split('$srcport').join(labelPort(sp))
    .split('$dstport').join(labelPort(dp))
    .split('$proto').join(getprotobynumber(proto) ?? `${proto}`)
    .split('$nr').join(`${nr}`);
}

/** filter_consistent / rdr_consistent: each problem is reported; the count comes back. */
function consistent(p: ParserCore, r: PfRule): number {
  let problems = 0;
  const err = (m: string) => {
    p.yyerror(m);
    problems++;
  };
  if (r.action === 'pass' || r.action === 'block' || r.action === 'scrub') {
    if (r.proto !== IPPROTO_TCP && r.proto !== IPPROTO_UDP && (r.src.port || r.dst.port)) err('port only applies to tcp/udp');
    if (r.proto !== IPPROTO_ICMP && r.proto !== IPPROTO_ICMPV6 && (r.type || r.code)) err('icmp-type/code only applies to icmp');
    if (!r.af && (r.type || r.code)) err('must indicate address family with icmp-type/code');
    if ((r.proto === IPPROTO_ICMP && r.af === PF_AF_INET6) || (r.proto === IPPROTO_ICMPV6 && r.af === PF_AF_INET)) {
      err(`proto ${r.proto === IPPROTO_ICMP ? 'icmp' : 'icmp6'} doesn't match address family ${r.af === PF_AF_INET ? 'inet' : 'inet6'}`);
    }
    if (r.action === 'block' && r.blockPolicy === 'return-rst' && r.proto !== IPPROTO_TCP) err('return-rst can only be applied to TCP rules');
    if (r.action === 'block' && r.keepState !== 'none') err("keep state on block rules doesn't make sense");
  } else if (r.action === 'rdr' || r.action === 'no-rdr') {
    if (r.proto !== IPPROTO_TCP && r.proto !== IPPROTO_UDP) {
      if (r.src.port) err('src port only applies to tcp/udp');
      if (r.dst.port) err('dst port only applies to tcp/udp');
      if (r.rpool?.proxyPort && r.rpool.proxyPort.lo) err('rpool port only applies to tcp/udp');
    }
    if (r.dst.port && r.dst.port.op !== 'eq' && r.dst.port.op !== 'rrg') err('invalid port operator for rdr destination port');
  }
  return problems;
}

const addrOf = (h: NodeHost): PfAddrWrap => h.addr;

/** expand_rule: the rules added (each also printed with -v). */
export function expandRule(p: ParserCore, t: RuleTemplate): void {
  const one = <T>(l: T[] | null, d: T): T[] => (l && l.length > 0 ? l : [d]);
  let added = 0;
  for (const ifc of one<NodeIf>(t.interfaces, { ifname: '', not: false }))
    for (const proto of one(t.protos, 0))
      for (const icmp of one<NodeIcmp>(t.icmp, { type: 0, code: 0, proto: 0 }))
        for (const src of one(t.srcHosts, ANY_HOST))
          for (const sp of one<NodePort | null>(t.srcPorts, null))
            for (const dst of one(t.dstHosts, ANY_HOST))
              for (const dp of one<NodePort | null>(t.dstPorts, null)) {
                let af = t.base.af;
                if ((af && src.af && af !== src.af) || (af && dst.af && af !== dst.af) || (src.af && dst.af && src.af !== dst.af)) continue;
                if (!af) af = src.af || dst.af;
                const keepState = (t.base.keepState === 'modulate' || t.base.keepState === 'synproxy') && proto && proto !== IPPROTO_TCP ? 'keep' : t.base.keepState;
                const tcpish = !proto || proto === IPPROTO_TCP;
                const rpool = t.rpool ? { addr: addrOf(t.rpool.hosts[0] ?? ANY_HOST), proxyPort: t.rpool.proxyPort, staticPort: t.rpool.staticPort } : null;
                const r: PfRule = {
                  ...t.base,
                  af,
                  ifname: ifc.ifname || null,
                  ifnot: ifc.not,
                  proto,
                  src: { addr: src.addr, port: sp },
                  dst: { addr: dst.addr, port: dp },
                  type: icmp.type,
                  code: icmp.code,
                  keepState,
                  flags: tcpish ? t.base.flags : 0,
                  flagset: tcpish ? t.base.flagset : 0,
                  label: expandLabel(t.base.label, ifc.ifname, af, src, sp, dst, dp, proto, p.ruleNr),
                  rpool,
                  source: { file: p.opts.file, line: p.line() },
                };
                let problems = 0;
                if (icmp.proto && r.proto !== icmp.proto) {
                  p.yyerror('icmp-type mismatch');
                  problems++;
                }
                problems += consistent(p, r);
                if (problems) {
                  p.yyerror('skipping rule due to errors');
                  continue;
                }
                const nr = p.ruleNr++;
                p.conf.rules.push({ ruleset: t.ruleset, rule: r });
                added++;
                if (p.opts.verbose) p.print(`${printRule(r, p.opts.verbose >= 2 ? nr : null)}\n`);
              }
  if (!added) p.yyerror('rule expands to no valid combination');
}
