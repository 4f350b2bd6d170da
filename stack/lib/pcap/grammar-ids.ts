/**
 * The semantic actions of pcap_compile's grammar for ids (libpcap gencode.c): gen_ncode (numbers and dotted
 * IPv4, with the short-net promotion of `net 10`), gen_mcode (`/len` and `mask`), IPv6 addresses and
 * prefixes, gen_scode (host names from the table tcpdump read, service and protocol names), port ranges.
 */
import { parseIpv6 } from '../../net/wire/addr6';
import { Block, PcapCompileError, genOr } from './blocks';
import type { Gen } from './gencode';
import type { HostTable, Qual } from './grammar';
import { PROTOCOLS, SERVICES } from './services';

export function ncode(g: Gen, s: string | null, v: number, q: Qual): Block {
  switch (q.addr) {
    case 'default': case 'host': case 'net': {
      if (q.proto === 'link') throw new PcapCompileError('illegal link layer address');
      let mask = 0xffffffff;
      if (s !== null) {
        const parts = s.split('.').map(Number);
        if (parts.some((p) => p > 255)) throw new PcapCompileError(`invalid IPv4 address '${s}'`);
        v = parts.reduce((acc, p) => (acc * 256 + p) >>> 0, 0);
        const vlen = parts.length * 8;
        v = vlen === 32 ? v : (v * 2 ** (32 - vlen)) >>> 0;
        mask = vlen === 32 ? mask : (mask * 2 ** (32 - vlen)) >>> 0;
      } else if (q.addr === 'net') {
        while (v && (v & 0xff000000) === 0) {
          v = (v << 8) >>> 0;
          mask = (mask << 8) >>> 0;
        }
      }
      if (q.addr === 'net') return g.host(v, mask, q.proto, q.dir);
      return g.host(v, 0xffffffff, q.proto, q.dir);
    }
    case 'port':
      if (v > 65535) throw new PcapCompileError(`illegal port number ${v} > 65535`);
      return g.port(v, null, q.proto, q.dir);
    case 'portrange':
      return portrange(g, v, v, q);
    case 'proto':
      return g.proto(v, q.proto);
    default:
      throw new PcapCompileError('syntax error');
  }
}

export function portrange(g: Gen, lo: number, hi: number, q: Qual): Block {
  for (const p of [lo, hi]) if (p > 65535) throw new PcapCompileError(`illegal port number ${p} > 65535`);
  return g.port(Math.min(lo, hi), Math.max(lo, hi), q.proto, q.dir);
}

export function mcode(g: Gen, s1: string, s2: string | null, masklen: number, q: Qual): Block {
  const toNum = (s: string) => {
    const parts = s.split('.').map(Number);
    const n = parts.reduce((acc, p) => (acc * 256 + p) >>> 0, 0);
    return (n * 2 ** (32 - parts.length * 8)) >>> 0;
  };
  const n = toNum(s1);
  let m: number;
  if (s2 !== null) {
    m = toNum(s2);
    if ((n & ~m) >>> 0 !== 0) throw new PcapCompileError(`non-network bits set in "${s1} mask ${s2}"`);
  } else {
    if (masklen > 32) throw new PcapCompileError('mask length must be <= 32');
    m = masklen === 0 ? 0 : (0xffffffff * 2 ** (32 - masklen)) >>> 0;
    if ((n & ~m) >>> 0 !== 0) throw new PcapCompileError(`non-network bits set in "${s1}/${masklen}"`);
  }
  if (q.addr !== 'net') throw new PcapCompileError('Mask syntax for networks only');
  return g.host(n, m, q.proto, q.dir);
}

/** An IPv6 host or network (gen_mcode6) with its prefix length. */
export function host6(g: Gen, s: string, len: number, q: Qual): Block {
  const a = parseIpv6(s);
  if (!a) throw new PcapCompileError(`invalid ip6 address ${s}`);
  if (len < 128 && q.addr !== 'net') throw new PcapCompileError('Mask syntax for networks only');
  if (q.addr !== 'default' && q.addr !== 'host' && q.addr !== 'net') throw new PcapCompileError(`illegal qualifier of '${q.addr}'`);
  const words: number[] = [];
  const masks: number[] = [];
  for (let i = 0; i < 4; i++) {
    const bits = Math.max(0, Math.min(32, len - 32 * i));
    const m = bits === 0 ? 0 : (0xffffffff * 2 ** (32 - bits)) >>> 0;
    const w = ((a[4 * i]! << 24) | (a[4 * i + 1]! << 16) | (a[4 * i + 2]! << 8) | a[4 * i + 3]!) >>> 0;
    if ((w & ~m) >>> 0 !== 0) throw new PcapCompileError(`non-network bits set in "${s}/${len}"`);
    words.push(w);
    masks.push(m);
  }
  return g.host6(words, masks, q.proto, q.dir);
}

/** gen_scode: names (hosts from the table, services, protocols). */
export function scode(g: Gen, hosts: HostTable, name: string, q: Qual): Block {
  switch (q.addr) {
    case 'default': case 'host': {
      const addrs = hosts.get(name);
      if (!addrs || addrs.length === 0) throw new PcapCompileError(`unknown host '${name}'`);
      let b = g.host(addrs[0]!, 0xffffffff, q.proto, q.dir);
      for (const a of addrs.slice(1)) {
        const tmp = g.host(a, 0xffffffff, q.proto, q.dir);
        genOr(b, tmp);
        b = tmp;
      }
      return b;
    }
    case 'net':
      throw new PcapCompileError(`unknown network '${name}'`);
    case 'port': case 'portrange': {
      const p = SERVICES[name];
      if (p === undefined) throw new PcapCompileError(`unknown port '${name}'`);
      return q.addr === 'port' ? g.port(p, null, q.proto, q.dir) : portrange(g, p, p, q);
    }
    case 'proto': {
      const p = PROTOCOLS[name];
      if (p === undefined) throw new PcapCompileError(`unknown ip proto '${name}'`);
      return g.proto(p, q.proto);
    }
    default:
      throw new PcapCompileError('syntax error');
  }
}
