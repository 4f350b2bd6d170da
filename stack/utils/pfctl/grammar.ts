/**
 * The pieces of parse.y's rule grammar shared by filter and translation rules: `on` interface lists, address
 * family, `proto` lists, `from … port … to … port …` / `all`, host lists with `!`, `(ifname[:network])`,
 * `<table>`, `no-route`, ports with their operators (= != < <= > >= a:b a><b a<>b), icmp-type/code lists.
 * Each returns the lists expand_rule later multiplies out (null = not given, one implicit element).
 */
import { PF_AF_INET, PF_AF_INET6, type PfPortOp } from '../../include/net/pfvar';
import { isKw } from './lexer';
import { host, ifaExists, negate, type NodeHost } from './host';
import { geticmpcodebyname, geticmptypebyname, getprotobyname, getservbyname } from './netdb';
import type { ParserCore } from './parser-core';

export interface NodeIf {
  readonly ifname: string;
  readonly not: boolean;
}
export interface NodePort {
  readonly op: PfPortOp;
  readonly lo: number;
  readonly hi: number;
}
export interface NodeIcmp {
  /** type + 1, code + 1 (0 = not given), as pf_rule stores them. */
  readonly type: number;
  readonly code: number;
  readonly proto: number;
}
export interface IpPortSpec {
  readonly hosts: NodeHost[] | null;
  readonly ports: NodePort[] | null;
}
export interface FromTo {
  readonly src: IpPortSpec;
  readonly dst: IpPortSpec;
}

/** `'{' item (comma item)* '}'` or one item. */
function listOf<T>(p: ParserCore, item: () => T[]): T[] {
  if (!p.acceptPunct('{')) return item();
  const out = item();
  for (;;) {
    p.comma();
    if (p.acceptPunct('}')) return out;
    out.push(...item());
  }
}

/** interface: empty | ON if_item_not | ON '{' if_list '}'. */
export function interfaceSpec(p: ParserCore): NodeIf[] | null {
  if (!p.acceptKw('on')) return null;
  return listOf(p, () => {
    const not = p.acceptPunct('!');
    const name = p.string();
    if (!ifaExists(name, p.opts.ifaces)) p.fail(`unknown interface ${name}`);
    if (name.length >= 16) p.fail('interface name too long');
    return [{ ifname: name, not }];
  });
}

/** af: empty | inet | inet6. */
export function afSpec(p: ParserCore): number {
  if (p.acceptKw('inet')) return PF_AF_INET;
  if (p.acceptKw('inet6')) return PF_AF_INET6;
  return 0;
}

/** proto: empty | PROTO proto_item | PROTO '{' proto_list '}'. */
export function protoSpec(p: ParserCore): number[] | null {
  if (!p.acceptKw('proto')) return null;
  return listOf(p, () => {
    const s = p.string();
    let pr: number;
    if (/^\d+$/.test(s)) {
      pr = Number(s);
      if (pr > 255) p.fail('protocol outside range');
    } else {
      const n = getprotobyname(s);
      if (n === null) p.fail(`unknown protocol ${s}`);
      pr = n;
    }
    if (pr === 0) p.fail('proto 0 cannot be used');
    return [pr];
  });
}

/** fromto: ALL | from to (each optional). */
export function fromTo(p: ParserCore): FromTo {
  const none: IpPortSpec = { hosts: null, ports: null };
  if (p.acceptKw('all')) return { src: none, dst: none };
  if (p.isKw('os')) p.unsupported('OS fingerprinting (os)');
  const src = p.acceptKw('from') ? ipPortSpec(p) : none;
  if (p.isKw('os')) p.unsupported('OS fingerprinting (os)');
  const dst = p.acceptKw('to') ? ipPortSpec(p) : none;
  return { src, dst };
}

/** ipportspec: ipspec | ipspec PORT portspec | PORT portspec. */
function ipPortSpec(p: ParserCore): IpPortSpec {
  if (p.acceptKw('port')) return { hosts: null, ports: portSpec(p) };
  const hosts = ipSpec(p);
  return { hosts, ports: p.acceptKw('port') ? portSpec(p) : null };
}

/** ipspec: ANY | xhost | '{' host_list '}'. */
export function ipSpec(p: ParserCore): NodeHost[] | null {
  if (p.acceptKw('any')) return null;
  return listOf(p, () => xhost(p));
}

/** xhost: not host | NOROUTE. */
export function xhost(p: ParserCore): NodeHost[] {
  if (p.acceptKw('no-route')) return [{ addr: { type: 'noroute', neg: false }, af: 0 }];
  const not = p.acceptPunct('!');
  return hostSpec(p).map((h) => negate(h, not));
}

/** host: STRING | STRING '/' number | dynaddr ['/' number] | '<' STRING '>'. */
function hostSpec(p: ParserCore): NodeHost[] {
  if (p.acceptPunct('<')) {
    const name = p.string();
    p.expectPunct('>');
    if (name.length >= 32) p.fail(`table name '${name}' too long`);
    return [{ addr: { type: 'table', name, neg: false }, af: 0 }];
  }
  if (p.acceptPunct('(')) {
    const spec = p.string();
    p.expectPunct(')');
    const [ifname = '', ...mods] = spec.split(':');
    let network = false;
    for (const m of mods) {
      if (m === 'network') network = true;
      else if (m === 'broadcast' || m === 'peer' || m === '0') p.unsupported(`interface modifier ':${m}'`);
      else p.fail(`interface ${spec} has bad modifier`);
    }
    if (!ifaExists(ifname, p.opts.ifaces) && ifname !== 'self') p.fail(`interface ${ifname} does not exist`);
    if (p.isPunct('/')) p.unsupported('a netmask on a dynamic address');
    return [{ addr: { type: 'dynif', ifname, network, neg: false }, af: 0 }];
  }
  let s = p.string();
  if (p.acceptPunct('/')) s = `${s}/${p.number()}`;
  const r = host(s, p.opts.ifaces);
  if ('error' in r) {
    p.warn(r.error);
    p.fail('could not parse host specification');
  }
  return r.hosts;
}

/** getservice(): a number or a service name, as a host-order port. */
function getservice(p: ParserCore, n: string): number {
  if (/^\d+$/.test(n)) {
    const v = Number(n);
    if (v > 65535) p.fail(`illegal port value ${v}`);
    return v;
  }
  const s = getservbyname(n);
  if (s === null) p.fail(`unknown port ${n}`);
  return s;
}

/** port: STRING, a single port or `a:b` (PF_OP_RRG). */
function port(p: ParserCore): { a: number; b: number; range: boolean } {
  const s = p.string();
  const colon = s.indexOf(':');
  if (colon < 0) return { a: getservice(p, s), b: 0, range: false };
  return { a: getservice(p, s.slice(0, colon)), b: getservice(p, s.slice(colon + 1)), range: true };
}

/** unaryop: = | != | <= | < | >= | >. */
function unaryOp(p: ParserCore): PfPortOp | null {
  if (p.acceptPunct('=')) return 'eq';
  if (p.acceptPunct('!')) {
    p.expectPunct('=');
    return 'ne';
  }
  if (p.acceptPunct('<')) return p.acceptPunct('=') ? 'le' : 'lt';
  if (p.acceptPunct('>')) return p.acceptPunct('=') ? 'ge' : 'gt';
  return null;
}

/** portspec: port_item | '{' port_list '}'. */
export function portSpec(p: ParserCore): NodePort[] {
  return listOf(p, () => {
    const op = unaryOp(p);
    const a = port(p);
    if (op !== null) {
      if (a.range) p.fail("':' cannot be used with an other port operator");
      return [{ op, lo: a.a, hi: a.b }];
    }
    const t = p.peek();
    if (t.t === 'portbinary') {
      p.next();
      const b = port(p);
      if (a.range || b.range) p.fail("':' cannot be used with an other port operator");
      return [{ op: t.v, lo: a.a, hi: b.a }];
    }
    return [{ op: a.range ? 'rrg' : 'eq', lo: a.a, hi: a.b }];
  });
}

/** icmpspec: ICMPTYPE icmp_item | ICMPTYPE '{' icmp_list '}' (and the icmp6-type forms). */
export function icmpSpec(p: ParserCore, inet6: boolean): NodeIcmp[] {
  const kind = inet6 ? 'icmp6' : 'icmp';
  const proto = inet6 ? 58 : 1;
  return listOf(p, () => {
    const ts = p.string();
    let type: number;
    if (/^\d+$/.test(ts)) {
      if (Number(ts) > 255) p.fail(`illegal ${kind}-type ${ts}`);
      type = Number(ts) + 1;
    } else {
      const t = geticmptypebyname(ts, inet6);
      if (t === null) p.fail(`unknown ${kind}-type ${ts}`);
      type = t + 1;
    }
    let code = 0;
    if (isKw(p.peek(), 'code')) {
      p.next();
      const cs = p.string();
      if (/^\d+$/.test(cs)) {
        if (Number(cs) > 255) p.fail(`illegal ${kind}-code ${cs}`);
        code = Number(cs) + 1;
      } else {
        const c = geticmpcodebyname(type - 1, cs, inet6);
        if (c === null) p.fail(`unknown ${kind}-code ${cs}`);
        code = c + 1;
      }
    }
    return [{ type, code, proto }];
  });
}
