/**
 * Rule evaluation (pf.c of OpenBSD 3.7: pf_test_tcp/udp/icmp/other, one walk here; pf_test_fragment). Translation first (nat.ts): the packet is rewritten
 * and the filter rules see the translated addresses, as in this pf generation. Then the filter ruleset in
 * order: each rule looked at counts an evaluation; a mismatch on one of the eight skip-step criteria jumps to
 * that rule's skip step (rules in between are not looked at, nor counted), a mismatch on another criterion
 * goes to the next rule; a match is remembered and, with `quick`, ends the walk — so the LAST matching rule
 * decides unless a quick one came first. No match: pf_default_rule, which passes. The packet then counts as
 * `match`; a rule with `log` logs it. A block with a return policy answers (reply.ts), undoing the
 * translation first. A pass creates a state when the rule says `keep state` (not the default in this pf:
 * OpenBSD made it the default in 4.1, long after the 3.7 code NetBSD 4 and io-pkt carry) or a translation
 * applied; ICMP errors never create states.
 */
import type { Ifnet } from '../if';
import type { Mbuf } from '../mbuf';
import type { PfilDir } from '../pfil';
import { PfCost } from './costs';
import { pfChangeA, pfChangeAp } from './cksum';
import { pfMatchPort, pfMismatchAw } from './match';
import { ifMismatch, pfGetTranslation, type Translation } from './nat';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, IP_DST, IP_SRC, IP_SUM, dst, icmpIsError, src, type PfPdesc } from './pdesc';
import type { Pf, PfResult } from './pf';
import { pflogPacket } from './pflog';
import { PFRES } from './reasons';
import { pfReturn } from './reply';
import { PF_SKIP_AF, PF_SKIP_DIR, PF_SKIP_DST_ADDR, PF_SKIP_DST_PORT, PF_SKIP_IFP, PF_SKIP_PROTO, PF_SKIP_SRC_ADDR, PF_SKIP_SRC_PORT, type KRule } from './rule';
import { pfCreateState } from './state-create';

/** Rewrite the packet's source (out) or destination (in) to the translation's address and port. */
export function applyTranslation(pf: Pf, pd: PfPdesc, dir: PfilDir, t: { naddr: number; nport: number }): void {
  pf.charge(PfCost.translate);
  const b = pd.pkt;
  const addrOff = dir === 'out' ? IP_SRC : IP_DST;
  switch (pd.proto) {
    case IPPROTO_TCP:
    case IPPROTO_UDP:
      pfChangeAp(b, addrOff, pd.off + (dir === 'out' ? 0 : 2), IP_SUM, pd.sumOff, t.naddr, t.nport, pd.proto === IPPROTO_UDP);
      if (dir === 'out') pd.sport = t.nport;
      else pd.dport = t.nport;
      break;
    case IPPROTO_ICMP:
    default:
      // pf_test_icmp / pf_test_other: the address only (this pf does not translate ICMP query ids).
      pfChangeA(b, addrOff, IP_SUM, t.naddr, false);
  }
}

/** The filter walk: the deciding rule (null = default rule) for this (translated) packet. */
function filterWalk(pf: Pf, pd: PfPdesc, ifp: Ifnet, dir: PfilDir, fragment: boolean): KRule | null {
  const rules = pf.rules.filter;
  const saddr = src(pd);
  const daddr = dst(pd);
  let rm: KRule | null = null;
  let i = 0;
  while (i < rules.length) {
    const r = rules[i]!;
    const x = r.r;
    r.evaluations++;
    pf.charge(PfCost.ruleEval);
    if (ifMismatch(r, ifp)) i = r.skip[PF_SKIP_IFP]!;
    else if (x.direction !== 'inout' && x.direction !== dir) i = r.skip[PF_SKIP_DIR]!;
    else if (x.af && x.af !== pd.af) i = r.skip[PF_SKIP_AF]!;
    else if (x.proto && x.proto !== pd.proto) i = r.skip[PF_SKIP_PROTO]!;
    else if (pfMismatchAw(pf, x.src.addr, r.src4, saddr)) i = r.skip[PF_SKIP_SRC_ADDR]!;
    else if (!fragment && x.src.port && !pfMatchPort(x.src.port, pd.sport)) i = r.skip[PF_SKIP_SRC_PORT]!;
    else if (pfMismatchAw(pf, x.dst.addr, r.dst4, daddr)) i = r.skip[PF_SKIP_DST_ADDR]!;
    // pf_test_fragment: no transport header, so rules that look at one cannot match.
    else if (fragment && (x.src.port || x.dst.port || (pd.proto === IPPROTO_TCP && x.flagset) || x.type || x.code)) i++;
    else if (!fragment && x.dst.port && !pfMatchPort(x.dst.port, pd.dport)) i = r.skip[PF_SKIP_DST_PORT]!;
    else if (x.type && x.type !== pd.icmpType + 1) i++;
    else if (x.code && x.code !== pd.icmpCode + 1) i++;
    else if (pd.proto === IPPROTO_TCP && (x.flagset & pd.flags) !== x.flags) i++;
    else {
      rm = r;
      if (x.quick) break;
      i++;
    }
  }
  return rm;
}

/** pf_test_rule for an unfragmented packet that matched no state. */
export function pfTestRule(pf: Pf, pd: PfPdesc, ifp: Ifnet, dir: PfilDir, m: Mbuf): PfResult {
  // ICMP errors never create states (pf_test_rule's state_icmp).
  const stateIcmp = pd.proto === IPPROTO_ICMP && icmpIsError(pd.icmpType);
  const before = { saddr: src(pd), daddr: dst(pd), sport: pd.sport, dport: pd.dport };
  const nr: Translation | null = pfGetTranslation(pf, pd, ifp, dir);
  if (nr) applyTranslation(pf, pd, dir, nr);
  const r = filterWalk(pf, pd, ifp, dir, false);
  const reason = pf.reasonSet(PFRES.MATCH);
  if (r?.r.log !== undefined && r.r.log !== 'none') pflogPacket(pf, pd.pkt, ifp, dir, r.r.action === 'block' ? 'drop' : 'pass', reason, r, m.pktId);
  else if (nr && nr.rule.r.log !== 'none') pflogPacket(pf, pd.pkt, ifp, dir, 'pass', reason, nr.rule, m.pktId);
  if (r && r.r.action === 'block') {
    if (r.r.blockPolicy !== 'drop') {
      // undo NAT changes, if they have taken place
      if (nr) {
        if (dir === 'out') applyTranslation(pf, pd, dir, { naddr: before.saddr, nport: before.sport });
        else applyTranslation(pf, pd, dir, { naddr: before.daddr, nport: before.dport });
      }
      pfReturn(pf, r, pd, ifp, dir, m);
    }
    return { action: 'drop', reason, rule: r, natRule: nr?.rule ?? null, state: null, log: false };
  }
  const keep = r ? r.r.keepState !== 'none' : false;
  if (!stateIcmp && (keep || nr)) {
    const s = pfCreateState(pf, pd, ifp, dir, r, nr, before);
    if (!s) return { action: 'drop', reason: pf.reasonSet(PFRES.STATEINS), rule: r, natRule: nr?.rule ?? null, state: null, log: false };
    return { action: 'pass', reason, rule: r, natRule: nr?.rule ?? null, state: s, log: false };
  }
  return { action: 'pass', reason, rule: r, natRule: nr?.rule ?? null, state: null, log: false };
}

/**
 * pf_test_fragment: a fragment scrub did not reassemble. Rules with ports, flags or ICMP type/code cannot
 * match it (the header is not there); no translation, no state.
 */
export function pfTestFragment(pf: Pf, pd: PfPdesc, ifp: Ifnet, dir: PfilDir, m: Mbuf): PfResult {
  const r = filterWalk(pf, pd, ifp, dir, true);
  const reason = pf.reasonSet(PFRES.MATCH);
  if (r && r.r.log !== 'none') pflogPacket(pf, pd.pkt, ifp, dir, r.r.action === 'block' ? 'drop' : 'pass', reason, r, m.pktId);
  if (r && r.r.action === 'block') return { action: 'drop', reason, rule: r, natRule: null, state: null, log: false };
  return { action: 'pass', reason, rule: r, natRule: null, state: null, log: false };
}
