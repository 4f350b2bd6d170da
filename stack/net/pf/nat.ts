/**
 * Translation rules (pf.c pf_match_translation, pf_get_translation, pf_map_addr, pf_get_sport). Outbound
 * packets look at the binat then the nat ruleset, inbound ones at rdr then binat; unlike filter rules the
 * FIRST matching translation rule wins, and `no nat`/`no rdr` matching means no translation. nat picks the
 * pool address (an address, or the interface's first address for `(en1)`, looked up now) and a source port
 * from the proxy-port range (default 50001:65535): pf_get_sport starts at a random port in the range (the
 * node's seeded stream, as pf uses arc4random) and walks up, then down from it, to the first port whose
 * ext/gwy pair no state holds; `static-port` keeps the port (fails if taken). rdr maps the destination to the
 * pool address and, with a port, to that port (a range maps dport - rule's first port into it). binat maps
 * the source network 1:1 out and the pool network back to it in. ICMP and other protocols get the address only
 * (OpenBSD 3.7 translates no ICMP query ids: two inside hosts pinging one outside host with the same id
 * collide in the state table, and the second is dropped as state-insert).
 */
import type { PfAddrWrap } from '../../include/net/pfvar';
import type { PfilDir } from '../pfil';
import type { Ifnet } from '../if';
import { PfCost } from './costs';
import { rd32 } from './cksum';
import { ifAddrs4, pfMatchPort, pfMismatchAw } from './match';
import { dst, src, type PfPdesc } from './pdesc';
import type { Pf } from './pf';
import { PF_SKIP_AF, PF_SKIP_DIR, PF_SKIP_DST_ADDR, PF_SKIP_DST_PORT, PF_SKIP_IFP, PF_SKIP_PROTO, PF_SKIP_SRC_ADDR, PF_SKIP_SRC_PORT, type KRule } from './rule';
import { extGwyKey } from './state';

export interface Translation {
  readonly rule: KRule;
  readonly naddr: number;
  readonly nport: number;
}

/** pfi_kif_match(r->kif, kif) == r->ifnot: does the rule's `on` fail for this interface? */
export function ifMismatch(r: KRule, ifp: Ifnet): boolean {
  if (r.r.ifname === null) return false;
  return (r.r.ifname === ifp.name) === r.r.ifnot;
}

/** pf_match_translation over one ruleset: the first matching rule, evaluations counted as pf counts them. */
function matchTranslation(pf: Pf, rules: KRule[], pd: PfPdesc, ifp: Ifnet, dir: PfilDir): KRule | null {
  const saddr = src(pd);
  const daddr = dst(pd);
  let i = 0;
  while (i < rules.length) {
    const r = rules[i]!;
    const x = r.r;
    r.evaluations++;
    pf.charge(PfCost.ruleEval);
    const binatIn = x.action === 'binat' || x.action === 'no-binat' ? dir === 'in' : false;
    // binat inbound: the packet's source is matched against the rule's `to`, its destination against the pool.
    const sA = binatIn ? x.dst : x.src;
    const s4 = binatIn ? r.dst4 : r.src4;
    const ruleDir = x.action === 'nat' || x.action === 'no-nat' ? 'out' : x.action === 'rdr' || x.action === 'no-rdr' ? 'in' : x.direction;
    if (ifMismatch(r, ifp)) i = r.skip[PF_SKIP_IFP]!;
    else if (ruleDir !== 'inout' && ruleDir !== dir) i = r.skip[PF_SKIP_DIR]!;
    else if (x.af && x.af !== pd.af) i = r.skip[PF_SKIP_AF]!;
    else if (x.proto && x.proto !== pd.proto) i = r.skip[PF_SKIP_PROTO]!;
    else if (pfMismatchAw(pf, sA.addr, s4, saddr)) i = r.skip[binatIn ? PF_SKIP_DST_ADDR : PF_SKIP_SRC_ADDR]!;
    else if (sA.port && !pfMatchPort(sA.port, pd.sport)) i = r.skip[binatIn ? PF_SKIP_DST_PORT : PF_SKIP_SRC_PORT]!;
    else if (!binatIn && pfMismatchAw(pf, x.dst.addr, r.dst4, daddr)) i = r.skip[PF_SKIP_DST_ADDR]!;
    else if (binatIn && x.rpool && pfMismatchAw(pf, { ...x.rpool.addr, neg: false }, poolV4(x.rpool.addr), daddr)) i++;
    else if (!binatIn && x.dst.port && !pfMatchPort(x.dst.port, pd.dport)) i = r.skip[PF_SKIP_DST_PORT]!;
    else return r;
  }
  return null;
}

function poolV4(w: PfAddrWrap): { addr: number; mask: number } | null {
  if (w.type !== 'addrmask' || w.addr.length !== 4) return null;
  const mask = rd32(w.mask, 0);
  return { addr: (rd32(w.addr, 0) & mask) >>> 0, mask };
}

/** pf_map_addr (PF_POOL_NONE): the pool's address, or the interface's first IPv4 address now; null if none. */
export function pfMapAddr(pf: Pf, w: PfAddrWrap): { addr: number; mask: number } | null {
  if (w.type === 'addrmask') {
    if (w.addr.length !== 4) return null;
    return { addr: rd32(w.addr, 0), mask: rd32(w.mask, 0) };
  }
  if (w.type === 'dynif') {
    const a = ifAddrs4(pf.s, w.ifname)[0];
    return a ? { addr: a.addr, mask: 0xffffffff } : null;
  }
  return null;
}

/** pf_get_sport: a gwy port for nat, or null when the range is used up (pf: "NAT proxy port allocation failed"). */
function pfGetSport(pf: Pf, pd: PfPdesc, naddr: number, r: KRule): number | null {
  const proto = pd.proto;
  const daddr = dst(pd);
  const taken = (port: number): boolean => pf.states.extGwyTaken(extGwyKey(proto, { addr: daddr, port: pd.dport }, { addr: naddr, port }));
  const pool = r.r.rpool!;
  // Not TCP/UDP (pf_test_icmp/pf_test_other pass ports 0): only the address pair is checked, the id stays.
  if (proto !== 6 && proto !== 17) {
    return pf.states.extGwyTaken(extGwyKey(proto, { addr: daddr, port: 0 }, { addr: naddr, port: 0 })) ? null : pd.sport;
  }
  let low = pool.staticPort ? 0 : (pool.proxyPort?.lo ?? 50001);
  let high = pool.staticPort ? 0 : (pool.proxyPort?.hi ?? 65535);
  if (low === 0 && high === 0) return taken(pd.sport) ? null : pd.sport;
  if (low === high) return taken(low) ? null : low;
  if (low > high) [low, high] = [high, low];
  const cut = (pf.s.env.random32() % (1 + high - low)) + low;
  for (let p = cut; p <= high; p++) if (!taken(p)) return p;
  for (let p = cut - 1; p >= low; p--) if (!taken(p)) return p;
  return null;
}

/** pf_get_translation: the translation for this packet, or null. */
export function pfGetTranslation(pf: Pf, pd: PfPdesc, ifp: Ifnet, dir: PfilDir): Translation | null {
  const rs = pf.rules.active;
  const r = dir === 'out'
    ? (matchTranslation(pf, rs.binat, pd, ifp, dir) ?? matchTranslation(pf, rs.nat, pd, ifp, dir))
    : (matchTranslation(pf, rs.rdr, pd, ifp, dir) ?? matchTranslation(pf, rs.binat, pd, ifp, dir));
  if (!r || r.r.action.startsWith('no-') || !r.r.rpool) return null;
  const x = r.r;
  const pool = x.rpool!;
  const saddr = src(pd);
  const daddr = dst(pd);
  switch (x.action) {
    case 'nat': {
      const a = pfMapAddr(pf, pool.addr);
      if (!a) return null;
      const nport = pfGetSport(pf, pd, a.addr, r);
      if (nport === null) {
        pf.trace('nat-port-exhausted', 0, { rule: r.nr });
        return null;
      }
      return { rule: r, naddr: a.addr, nport };
    }
    case 'binat': {
      if (dir === 'out') {
        const a = pfMapAddr(pf, pool.addr);
        if (!a) return null;
        return { rule: r, naddr: ((a.addr & a.mask) | (saddr & ~a.mask)) >>> 0, nport: pd.sport };
      }
      const inner = r.src4;
      if (!inner) return null;
      return { rule: r, naddr: ((inner.addr & inner.mask) | (daddr & ~inner.mask)) >>> 0, nport: pd.dport };
    }
    case 'rdr': {
      const a = pfMapAddr(pf, pool.addr);
      if (!a) return null;
      let nport = pd.dport;
      const pp = pool.proxyPort;
      if (pp && pp.hi > pp.lo) {
        let t = ((pd.dport - (x.dst.port?.lo ?? 0)) % (pp.hi - pp.lo + 1)) + pp.lo;
        if (t > 65535) t -= 65535;
        nport = t;
      } else if (pp && pp.lo) nport = pp.lo;
      return { rule: r, naddr: a.addr, nport };
    }
    default:
      return null;
  }
}
