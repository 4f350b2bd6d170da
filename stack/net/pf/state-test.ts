/**
 * Packets of an existing state (pf.c pf_test_state_udp, pf_test_state_other, and the parts every
 * pf_test_state_* shares): the lookup key from the packet's direction (in: ext = source, gwy = destination, in
 * tree_ext_gwy; out: lan = source, ext = destination, in tree_lan_ext), the SINGLE/MULTIPLE progression and
 * timeout, and the translation a NAT/rdr state applies to the rest of its flow (pf_change_ap: out → source
 * becomes gwy; in → destination becomes lan). TCP is tcp-track.ts, ICMP icmp-state.ts.
 */
import type { PfilDir } from '../pfil';
import { PfCost } from './costs';
import { pfChangeA, pfChangeAp } from './cksum';
import { IP_DST, IP_SRC, IP_SUM, IPPROTO_UDP, dst, src, type PfPdesc } from './pdesc';
import type { Pf } from './pf';
import { PFRES, type PfReason } from './reasons';
import { PFUDPS_MULTIPLE, PFUDPS_SINGLE, extGwyKey, lanExtKey, stateTranslates, type PfPeer, type PfState } from './state';

export interface StateVerdict {
  /** 'pass': a state matched; 'nostate': go to the rules; 'drop': a state matched but refused the packet. */
  action: 'pass' | 'drop' | 'nostate';
  state: PfState | null;
  reason: PfReason;
}

export const NO_STATE: StateVerdict = { action: 'nostate', state: null, reason: PFRES.MATCH };

/** STATE_LOOKUP's key for this packet's direction, and the lookup. */
export function stateLookup(pf: Pf, proto: number, dir: PfilDir, saddr: number, sport: number, daddr: number, dport: number): PfState | undefined {
  pf.charge(PfCost.stateLookup);
  const key = dir === 'in'
    ? extGwyKey(proto, { addr: saddr, port: sport }, { addr: daddr, port: dport })
    : lanExtKey(proto, { addr: saddr, port: sport }, { addr: daddr, port: dport });
  return pf.states.find(dir, key);
}

/** (src, dst) peers from this packet's point of view: the state's own when it goes the state's way. */
export function peers(s: PfState, dir: PfilDir): { sp: PfPeer; dp: PfPeer } {
  return dir === s.direction ? { sp: s.src, dp: s.dst } : { sp: s.dst, dp: s.src };
}

/** The translation a state applies to TCP/UDP packets after the first. */
export function translatePorts(pf: Pf, pd: PfPdesc, s: PfState, dir: PfilDir): void {
  if (!stateTranslates(s)) return;
  pf.charge(PfCost.translate);
  const udp = pd.proto === IPPROTO_UDP;
  if (dir === 'out') {
    pfChangeAp(pd.pkt, IP_SRC, pd.off, IP_SUM, pd.sumOff, s.gwy.addr, s.gwy.port, udp);
    pd.sport = s.gwy.port;
  } else {
    pfChangeAp(pd.pkt, IP_DST, pd.off + 2, IP_SUM, pd.sumOff, s.lan.addr, s.lan.port, udp);
    pd.dport = s.lan.port;
  }
}

/** UDP and other protocols share pf's SINGLE/MULTIPLE progression (PFUDPS_*, PFOTHERS_*). */
function singleMultiple(pf: Pf, s: PfState, dir: PfilDir, first: 'udp' | 'other'): void {
  const { sp, dp } = peers(s, dir);
  if (sp.state < PFUDPS_SINGLE) sp.state = PFUDPS_SINGLE;
  if (dp.state === PFUDPS_SINGLE) dp.state = PFUDPS_MULTIPLE;
  s.expire = pf.nowSec();
  const both = sp.state === PFUDPS_MULTIPLE && dp.state === PFUDPS_MULTIPLE;
  s.timeout = first === 'udp' ? (both ? 'udp.multiple' : 'udp.single') : both ? 'other.multiple' : 'other.single';
}

export function pfTestStateUdp(pf: Pf, pd: PfPdesc, dir: PfilDir): StateVerdict {
  const s = stateLookup(pf, pd.proto, dir, src(pd), pd.sport, dst(pd), pd.dport);
  if (!s) return NO_STATE;
  pf.charge(PfCost.stateUpdate);
  singleMultiple(pf, s, dir, 'udp');
  translatePorts(pf, pd, s, dir);
  return { action: 'pass', state: s, reason: PFRES.MATCH };
}

/** Protocols without ports: the key has port 0; translation rewrites the address only (pf_change_a). */
export function pfTestStateOther(pf: Pf, pd: PfPdesc, dir: PfilDir): StateVerdict {
  const s = stateLookup(pf, pd.proto, dir, src(pd), 0, dst(pd), 0);
  if (!s) return NO_STATE;
  pf.charge(PfCost.stateUpdate);
  singleMultiple(pf, s, dir, 'other');
  if (stateTranslates(s)) {
    pf.charge(PfCost.translate);
    const b = pd.pkt;
    if (dir === 'out') pfChangeAddr(b, IP_SRC, s.gwy.addr);
    else pfChangeAddr(b, IP_DST, s.lan.addr);
  }
  return { action: 'pass', state: s, reason: PFRES.MATCH };
}

function pfChangeAddr(b: Uint8Array, off: number, an: number): void {
  pfChangeA(b, off, IP_SUM, an, false);
}
