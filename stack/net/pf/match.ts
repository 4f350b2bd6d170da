/**
 * Matching a packet's fields against a rule's (pf.c pf_match_port, PF_MISMATCHAW with pfr_match_addr and
 * pfi_match_addr): ports by PF_OP_*, addresses by mask, table or an interface's current addresses (`(en0)`,
 * looked up at match time through the interface list, so a changed address needs no reload; `(en0:network)`
 * its networks). `no-route` matches addresses the routing table has no route for. `!` inverts the result.
 */
import type { PfAddrWrap, PfPortRange } from '../../include/net/pfvar';
import type { NetStack } from '../stack';
import type { Ifnet } from '../if';
import type { PfTables } from './table';

/** pf_match_port / pf_match: a port (host order) against `op lo hi`. */
export function pfMatchPort(p: PfPortRange, port: number): boolean {
  const { lo, hi } = p;
  switch (p.op) {
    case 'eq': return port === lo;
    case 'ne': return port !== lo;
    case 'lt': return port < lo;
    case 'le': return port <= lo;
    case 'gt': return port > lo;
    case 'ge': return port >= lo;
    case 'irg': return port > lo && port < hi;
    case 'xrg': return port < lo || port > hi;
    case 'rrg': return port >= lo && port <= hi;
  }
}

/** The IPv4 addresses and masks of an interface by name, as pfi_dynaddr_update fills pfid_addr4. */
export function ifAddrs4(s: NetStack, ifname: string): { addr: number; mask: number }[] {
  const ifp: Ifnet | undefined = s.ifs.list.find((i) => i.name === ifname);
  if (!ifp) return [];
  return s.ifs.st(ifp).addrs.map((a) => ({ addr: a.addr >>> 0, mask: a.mask >>> 0 }));
}

export interface MatchEnv {
  readonly s: NetStack;
  readonly tables: PfTables;
}

/**
 * PF_MISMATCHAW's inner test: does IPv4 `a` match the wrap (before negation)? `v4` is the precomputed addrmask.
 * An IPv6 addrmask never matches an IPv4 packet (the rule's af check normally skips it first).
 */
function matchesWrap(env: MatchEnv, w: PfAddrWrap, v4: { addr: number; mask: number } | null, a: number): boolean {
  switch (w.type) {
    case 'any':
      return true;
    case 'addrmask':
      if (!v4) return false;
      return v4.mask === 0 || ((a & v4.mask) >>> 0) === v4.addr;
    case 'table':
      return env.tables.match(w.name, a);
    case 'dynif':
      return ifAddrs4(env.s, w.ifname).some((x) => (w.network ? ((a & x.mask) >>> 0) === ((x.addr & x.mask) >>> 0) : a === x.addr));
    case 'noroute':
      return env.s.routes.lookup(a) === undefined;
  }
}

/** PF_MISMATCHAW(aw, a, af, neg): true when the address does NOT satisfy the rule's address (with `!`). */
export function pfMismatchAw(env: MatchEnv, w: PfAddrWrap, v4: { addr: number; mask: number } | null, a: number): boolean {
  return matchesWrap(env, w, v4, a) === w.neg;
}
