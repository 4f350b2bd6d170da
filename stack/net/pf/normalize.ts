/**
 * Normalisation basics (pf_norm.c pf_normalize_ip): when a `scrub` rule matches the packet (rules walked like
 * filter rules, first match, evaluations counted), pf checks the IP header and fragments: a header length
 * beyond ip_len is dropped as `normalize`, a fragment with DF set is dropped as `fragment`, and an unfragmented
 * packet has every ip_off bit but DF cleared (the reserved bit), with the checksum fixed. Without scrub rules
 * nothing happens here. Fragment reassembly (pf's fragment cache) is not modelled: fragments go on
 * unreassembled to pf_test_fragment, as with `scrub fragment crop` they would not be either.
 */
import type { Ifnet } from '../if';
import type { Mbuf } from '../mbuf';
import type { PfilDir } from '../pfil';
import { PfCost } from './costs';
import { pfCksumFixup, rd16, wr16 } from './cksum';
import { ifMismatch } from './nat';
import { pfMismatchAw } from './match';
import { IP_SUM, dst, src, type PfPdesc } from './pdesc';
import type { Pf, PfResult } from './pf';
import { pflogPacket } from './pflog';
import { PFRES } from './reasons';
import { PF_SKIP_AF, PF_SKIP_DIR, PF_SKIP_DST_ADDR, PF_SKIP_IFP, PF_SKIP_PROTO, PF_SKIP_SRC_ADDR, type KRule } from './rule';

const IP_DF = 0x4000;

function scrubMatch(pf: Pf, pd: PfPdesc, ifp: Ifnet, dir: PfilDir): KRule | null {
  const rules = pf.rules.scrub;
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
    else if (pfMismatchAw(pf, x.src.addr, r.src4, src(pd))) i = r.skip[PF_SKIP_SRC_ADDR]!;
    else if (pfMismatchAw(pf, x.dst.addr, r.dst4, dst(pd))) i = r.skip[PF_SKIP_DST_ADDR]!;
    else return r;
  }
  return null;
}

/** pf_normalize_ip: null to go on, or the drop. */
export function pfNormalizeIp(pf: Pf, pd: PfPdesc, ifp: Ifnet, dir: PfilDir, m: Mbuf): PfResult | null {
  if (pf.rules.scrub.length === 0) return null;
  const r = scrubMatch(pf, pd, ifp, dir);
  if (!r) return null;
  const di = dir === 'out' ? 1 : 0;
  r.packets[di]++;
  r.bytes[di] += pd.totLen;
  const drop = (reason: number): PfResult => {
    const why = pf.reasonSet(reason as PfResult['reason']);
    if (r.r.log !== 'none') pflogPacket(pf, pd.pkt, ifp, dir, 'drop', why, r, m.pktId);
    return { action: 'drop', reason: why, rule: null, natRule: null, state: null, log: false };
  };
  const b = pd.pkt;
  if (pd.off > pd.totLen) return drop(PFRES.NORM);
  const off = rd16(b, 6);
  if (pd.fragment) {
    if (off & IP_DF) return drop(PFRES.FRAG);
    return null;
  }
  // At this point only IP_DF is allowed in ip_off.
  const nw = off & IP_DF;
  if (nw !== off) {
    wr16(b, 6, nw);
    wr16(b, IP_SUM, pfCksumFixup(rd16(b, IP_SUM), off, nw, false));
  }
  return null;
}
