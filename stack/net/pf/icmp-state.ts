/**
 * ICMP and states (pf.c pf_test_state_icmp). A query (echo and the other non-error types) matches the state
 * of its id: the key's ports are the ICMP id on both sides, and a NAT state rewrites the address (this pf
 * keeps the id). An error (unreachable, source quench, redirect, time exceeded,
 * parameter problem) quotes the header of the packet it is about: pf looks up the state of that quoted
 * packet — seen from the other side, so its source and destination are swapped in the key — and passes the
 * error with it; through NAT the quoted source (or destination) and the outer destination (or source) are
 * translated back (pf_change_icmp: quoted address and port, the quoted IP checksum, the quoted UDP checksum,
 * the ICMP checksum and the outer IP checksum). An error whose quoted packet has no state goes to the rules;
 * one too short to quote a header is `short`.
 */
import type { PfilDir } from '../pfil';
import { PfCost } from './costs';
import { pfCksumFixup, pfChangeA, rd16, rd32, wr16, wr32 } from './cksum';
import { IP_DST, IP_SRC, IP_SUM, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, dst, icmpIsError, src, type PfPdesc } from './pdesc';
import type { Pf } from './pf';
import { PFRES } from './reasons';
import { stateTranslates, type PfState } from './state';
import { NO_STATE, stateLookup, type StateVerdict } from './state-test';

/** pf_change_icmp: rewrite the quoted address/port and the outer address, fixing every checksum involved. */
function pfChangeIcmp(
  b: Uint8Array, o: { qAddr: number; qPort: number; qSum: number; qPc: number; outer: number; icmpSum: number }, na: number, np: number, udp: boolean,
): void {
  let ic = rd16(b, o.icmpSum);
  // inner port, inner protocol checksum
  if (o.qPort >= 0) {
    const oip = rd16(b, o.qPort);
    wr16(b, o.qPort, np);
    if (o.qPc >= 0) {
      const opc = rd16(b, o.qPc);
      const npc = pfCksumFixup(opc, oip, np, udp);
      wr16(b, o.qPc, npc);
      ic = pfCksumFixup(ic, oip, np, false);
      ic = pfCksumFixup(ic, opc, npc, false);
    } else ic = pfCksumFixup(ic, oip, np, false);
  }
  // inner ip address, inner ip checksum and the icmp checksum over both
  const oia = rd32(b, o.qAddr);
  wr32(b, o.qAddr, na);
  const oh2c = rd16(b, o.qSum);
  let h2c = pfCksumFixup(oh2c, oia >>> 16, na >>> 16, false);
  h2c = pfCksumFixup(h2c, oia & 0xffff, na & 0xffff, false);
  wr16(b, o.qSum, h2c);
  ic = pfCksumFixup(ic, oia >>> 16, na >>> 16, false);
  ic = pfCksumFixup(ic, oia & 0xffff, na & 0xffff, false);
  ic = pfCksumFixup(ic, oh2c, h2c, false);
  wr16(b, o.icmpSum, ic);
  // outer ip address, outer ip checksum
  pfChangeA(b, o.outer, IP_SUM, na, false);
}

function queryState(pf: Pf, pd: PfPdesc, dir: PfilDir): StateVerdict {
  const id = pd.sport;
  const s = stateLookup(pf, IPPROTO_ICMP, dir, src(pd), id, dst(pd), id);
  if (!s) return NO_STATE;
  pf.charge(PfCost.stateUpdate);
  s.expire = pf.nowSec();
  s.timeout = 'icmp.error';
  if (stateTranslates(s)) {
    pf.charge(PfCost.translate);
    const b = pd.pkt;
    const to = dir === 'out' ? s.gwy : s.lan;
    pfChangeA(b, dir === 'out' ? IP_SRC : IP_DST, IP_SUM, to.addr, false);
  }
  return { action: 'pass', state: s, reason: PFRES.MATCH };
}

export function pfTestStateIcmp(pf: Pf, pd: PfPdesc, dir: PfilDir): StateVerdict {
  if (!icmpIsError(pd.icmpType)) return queryState(pf, pd, dir);
  const b = pd.pkt;
  const q = pd.off + 8; // the quoted IP header
  const short = (): StateVerdict => ({ action: 'drop', state: null, reason: pf.reasonSet(PFRES.SHORT) });
  if (q + 20 > pd.totLen) return short();
  const qhl = (b[q]! & 0x0f) * 4;
  const qproto = b[q + 9]!;
  const qsrc = rd32(b, q + 12);
  const qdst = rd32(b, q + 16);
  const t = q + qhl; // the quoted transport header
  if (qhl < 20 || (rd16(b, q + 6) & 0x1fff) !== 0) return NO_STATE;
  let sport = 0;
  let dport = 0;
  let pcOff = -1;
  let portKind: 'ports' | 'id' | 'none' = 'none';
  if (qproto === IPPROTO_TCP || qproto === IPPROTO_UDP) {
    // pf pulls 8 bytes of the quoted TCP/UDP header: the ports (and UDP's checksum).
    if (t + 8 > pd.totLen) return short();
    sport = rd16(b, t);
    dport = rd16(b, t + 2);
    if (qproto === IPPROTO_UDP) pcOff = t + 6;
    portKind = 'ports';
  } else if (qproto === IPPROTO_ICMP) {
    if (t + 8 > pd.totLen) return short();
    // Only an error about a query has a state (an error about an error is never sent).
    if (icmpIsError(b[t]!)) return NO_STATE;
    sport = dport = rd16(b, t + 4);
    portKind = 'id';
  }
  // The quoted packet went the other way: its destination is this error's source side.
  const s: PfState | undefined = stateLookup(pf, qproto, dir, qdst, dport, qsrc, sport);
  if (!s) return NO_STATE;
  pf.charge(PfCost.stateUpdate);
  if (stateTranslates(s)) {
    pf.charge(PfCost.translate);
    const icmpSum = pd.off + 2;
    // in: the quoted packet's source is gwy → back to lan; outer destination gwy → lan.
    // out: the quoted packet's destination is lan → gwy; outer source lan → gwy.
    const to = dir === 'in' ? s.lan : s.gwy;
    const qAddr = dir === 'in' ? q + 12 : q + 16;
    const qPort = portKind === 'ports' ? (dir === 'in' ? t : t + 2) : portKind === 'id' ? t + 4 : -1;
    // As pf: a quoted TCP header's checksum is left (only 8 bytes are quoted), a quoted UDP one is fixed, the
    // quoted ICMP id is rewritten without its checksum.
    pfChangeIcmp(b, { qAddr, qPort, qSum: q + 10, qPc: pcOff, outer: dir === 'in' ? IP_DST : IP_SRC, icmpSum }, to.addr, to.port, qproto === IPPROTO_UDP);
  }
  return { action: 'pass', state: s, reason: PFRES.MATCH };
}
