/**
 * pfctl's output formats (OpenBSD 3.7 pfctl_parser.c: print_rule, print_fromto, print_addr, print_port, print_op,
 * print_pool; pfctl.c: pfctl_print_rule_counters; pf_print_state.c: print_state, print_host): the text a rule
 * file would contain for each rule the kernel holds, `all` when neither side says anything, ports printed by
 * service name when /etc/services names them (= and != only), nat/rdr targets with their port ranges.
 */
import { PF_AF_INET, PF_AF_INET6, type PfAddrWrap, type PfPortRange, type PfRule, type PfRuleCounters, type PfStateHost, type PfStateInfo, type PfTableAddr, type PfTimeoutName } from '../../include/net/pfvar';
import { addrToString, unmask } from './host';
import { geticmpcodebynumber, geticmptypebynumber, getprotobynumber, getservbyport, printFlags } from './netdb';

const ACTIONS: Record<PfRule['action'], string> = {
  pass: 'pass', block: 'block', scrub: 'scrub', nat: 'nat', 'no-nat': 'no nat', binat: 'binat', 'no-binat': 'no binat', rdr: 'rdr', 'no-rdr': 'no rdr',
};

/** The order pfctl prints per-rule timeouts (pf_timeouts[], the PFTM_* order). */
export const TIMEOUT_ORDER: readonly PfTimeoutName[] = [
  'tcp.first', 'tcp.opening', 'tcp.established', 'tcp.closing', 'tcp.finwait', 'tcp.closed', 'udp.first', 'udp.single',
  'udp.multiple', 'icmp.first', 'icmp.error', 'other.first', 'other.single', 'other.multiple', 'frag', 'interval',
];

/** NAT proxy port defaults (pfvar.h PF_NAT_PROXY_PORT_LOW/HIGH). */
export const PF_NAT_PROXY_PORT_LOW = 50001;
export const PF_NAT_PROXY_PORT_HIGH = 65535;

/** print_addr. */
export function printAddr(a: PfAddrWrap, af: number): string {
  switch (a.type) {
    case 'any':
      return 'any';
    case 'dynif':
      return `(${a.ifname}${a.network ? ':network' : ''})`;
    case 'table':
      return `<${a.name}>`;
    case 'noroute':
      return 'no-route';
    case 'addrmask': {
      if (a.addr.every((b) => b === 0) && a.mask.every((b) => b === 0)) return 'any';
      const bits = unmask(a.af, a.mask);
      const full = (af || a.af) === PF_AF_INET6 ? 128 : 32;
      return addrToString(a.af, a.addr) + (bits !== full && a.mask.some((b) => b !== 0) ? `/${bits}` : '');
    }
  }
}

/** print_op. */
function printOp(op: PfPortRange['op'], a1: string, a2: string): string {
  const m: Record<PfPortRange['op'], string> = { irg: ` ${a1} >< ${a2}`, xrg: ` ${a1} <> ${a2}`, eq: ` = ${a1}`, ne: ` != ${a1}`, lt: ` < ${a1}`, le: ` <= ${a1}`, gt: ` > ${a1}`, ge: ` >= ${a1}`, rrg: ` ${a1}:${a2}` };
  return m[op];
}

/** print_port. */
function printPort(pt: PfPortRange, proto: number): string {
  const name = getservbyport(pt.lo, proto === 6 ? 'tcp' : 'udp');
  return ` port${printOp(pt.op, name !== null && (pt.op === 'eq' || pt.op === 'ne') ? name : `${pt.lo}`, `${pt.hi}`)}`;
}

const isAny = (a: PfAddrWrap) => a.type === 'any' || (a.type === 'addrmask' && !a.neg && a.addr.every((b) => b === 0) && a.mask.every((b) => b === 0));

/** print_fromto. */
function printFromTo(r: PfRule): string {
  if (isAny(r.src.addr) && isAny(r.dst.addr) && !r.src.addr.neg && !r.dst.addr.neg && !r.src.port && !r.dst.port) return ' all';
  let s = ` from ${r.src.addr.neg ? '! ' : ''}${printAddr(r.src.addr, r.af)}`;
  if (r.src.port) s += printPort(r.src.port, r.proto);
  s += ` to ${r.dst.addr.neg ? '! ' : ''}${printAddr(r.dst.addr, r.af)}`;
  if (r.dst.port) s += printPort(r.dst.port, r.proto);
  return s;
}

/** print_pool for nat/rdr (a dynamic interface target is a round-robin pool: DYNIF_MULTIADDR). */
function printPool(r: PfRule): string {
  const pool = r.rpool;
  if (!pool) return '';
  let s = printAddr(pool.addr, r.af);
  const p1 = pool.proxyPort?.lo ?? 0;
  const p2 = pool.proxyPort?.hi ?? 0;
  if (r.action === 'nat') {
    if ((p1 !== PF_NAT_PROXY_PORT_LOW || p2 !== PF_NAT_PROXY_PORT_HIGH) && (p1 !== 0 || p2 !== 0)) s += p1 === p2 ? ` port ${p1}` : ` port ${p1}:${p2}`;
  } else if (r.action === 'rdr' && p1) {
    s += ` port ${p1}${p2 && p2 !== p1 ? `:${p2}` : ''}`;
  }
  if (pool.addr.type === 'dynif' || pool.addr.type === 'table') s += ' round-robin';
  if (r.action === 'nat' && (pool.staticPort || (p1 === 0 && p2 === 0))) s += ' static-port';
  return s;
}

/** print_rule: one rule as pf.conf text (no newline); `nr` given (-vv) prints `@nr `. */
export function printRule(r: PfRule, nr: number | null = null): string {
  let s = nr !== null ? `@${nr} ` : '';
  s += ACTIONS[r.action];
  if (r.action === 'block') {
    if (r.blockPolicy === 'return') s += ' return';
    else if (r.blockPolicy === 'return-rst') s += ' return-rst';
    else if (r.blockPolicy === 'return-icmp') s += r.af === PF_AF_INET ? ' return-icmp(port-unr)' : r.af === PF_AF_INET6 ? ' return-icmp6(port-unr)' : ' return-icmp(port-unr, port-unr)';
    else s += ' drop';
  }
  if (r.direction === 'in') s += ' in';
  else if (r.direction === 'out') s += ' out';
  if (r.log === 'first') s += ' log';
  else if (r.log === 'all') s += ' log-all';
  if (r.quick) s += ' quick';
  if (r.ifname) s += r.ifnot ? ` on ! ${r.ifname}` : ` on ${r.ifname}`;
  if (r.af) s += r.af === PF_AF_INET ? ' inet' : ' inet6';
  if (r.proto) s += ` proto ${getprotobynumber(r.proto) ?? r.proto}`;
  s += printFromTo(r);
  if (r.flags || r.flagset) s += ` flags ${printFlags(r.flags)}/${printFlags(r.flagset)}`;
  if (r.type) {
    const inet6 = r.af === PF_AF_INET6;
    s += `${inet6 ? ' icmp6-type' : ' icmp-type'} ${geticmptypebynumber(r.type - 1, inet6) ?? r.type - 1}`;
    if (r.code) s += ` code ${geticmpcodebynumber(r.type - 1, r.code - 1, inet6) ?? r.code - 1}`;
  }
  if (r.keepState === 'keep') s += ' keep state';
  else if (r.keepState === 'modulate') s += ' modulate state';
  else if (r.keepState === 'synproxy') s += ' synproxy state';
  const tos = TIMEOUT_ORDER.filter((n) => r.timeouts[n] !== undefined);
  if (tos.length > 0) s += ` (${tos.map((n) => `${n} ${r.timeouts[n]}`).join(', ')})`;
  if (r.label) s += ` label "${r.label}"`;
  if (r.action === 'scrub') s += ' fragment reassemble';
  if (r.action === 'nat' || r.action === 'rdr' || r.action === 'binat') s += ` -> ${printPool(r)}`;
  return s;
}

/** pfctl_print_rule_counters with -v (pf_rule.packets/bytes are single totals in this generation). */
export function printRuleCounters(c: PfRuleCounters): string {
  const pad = (v: number | string, w: number) => `${v}`.padEnd(w);
  return `  [ Evaluations: ${pad(c.evaluations, 8)}  Packets: ${pad(c.packets[0] + c.packets[1], 8)}  Bytes: ${pad(c.bytes[0] + c.bytes[1], 10)}  States: ${pad(c.states, 6)}]\n`;
}

/** print_host. */
function printHost(h: PfStateHost): string {
  const a = addrToString(h.af, h.addr);
  if (!h.port) return a;
  return h.af === PF_AF_INET ? `${a}:${h.port}` : `${a}[${h.port}]`;
}

const two = (n: number) => `${n}`.padStart(2, '0');
const hms = (t: number) => `${two(Math.floor(t / 3600))}:${two(Math.floor(t / 60) % 60)}:${two(t % 60)}`;

/**
 * print_state: `ifname proto [lan ->|<-] gwy ->|<- ext    src:dst` where the peers are printed from the side of
 * the packet that created the state; -v adds age, expiry, packets, bytes and the rule. The ifname is the kif the
 * state is bound to: in this generation a floating state (the default) hangs on the root group `self`
 * (BOUND_IFACE: pfik_parent->pfik_parent), so `self udp …`; 4.x's `all` came later.
 */
export function printState(s: PfStateInfo, verbose: boolean): string {
  const out = s.direction === 'out';
  const arrow = out ? ' -> ' : ' <- ';
  let line = `${s.ifname} ${getprotobynumber(s.proto) ?? s.proto} `;
  const lanDiffers = addrToString(s.lan.af, s.lan.addr) !== addrToString(s.gwy.af, s.gwy.addr) || s.lan.port !== s.gwy.port;
  if (lanDiffers) line += printHost(s.lan) + arrow;
  line += printHost(s.gwy) + arrow + printHost(s.ext);
  const [src, dst] = out ? [s.srcState, s.dstState] : [s.dstState, s.srcState];
  line += `       ${src}:${dst}\n`;
  if (verbose) {
    line += `   age ${hms(s.age)}, expires in ${hms(s.expire)}, ${s.packets[0]}:${s.packets[1]} pkts, ${s.bytes[0]}:${s.bytes[1]} bytes`;
    if (s.rule !== -1) line += `, rule ${s.rule}`;
    line += '\n';
  }
  return line;
}

/** pfctl_table.c print_addrx: `   10.0.0.0/24`, `  !10.0.0.5`. */
export function printTableAddr(a: PfTableAddr): string {
  const host = a.af === PF_AF_INET6 ? 128 : 32;
  return `  ${a.neg ? '!' : ' '}${addrToString(a.af, a.addr)}` + (a.prefix < host ? `/${a.prefix}` : '') + '\n';
}

/** print_tabledef (with -v while parsing). */
export function printTabledef(name: string, persist: boolean, constant: boolean, addrs: readonly PfTableAddr[], initAddr: boolean): string {
  let s = `table <${name}>${constant ? ' const' : ''}${persist ? ' persist' : ''}`;
  if (initAddr) s += ` {${addrs.map((a) => ` ${a.neg ? '!' : ''}${addrToString(a.af, a.addr)}${a.prefix < (a.af === PF_AF_INET6 ? 128 : 32) ? `/${a.prefix}` : ''}`).join('')} }`;
  return `${s}\n`;
}
