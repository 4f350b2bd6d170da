/**
 * State creation (the state part of pf.c pf_test_rule): lan/gwy/ext from the packet and the translation
 * (out: gwy is the packet's translated source, lan the source before nat; in: lan is the translated
 * destination, gwy the destination before rdr), the first peer states (TCP: the sender's sequence bounds, window
 * and window scale as pf_test_tcp sets them) and the `*.first` timeout, then
 * pf_insert_state (a collision in either tree is PFRES_STATEINS and the packet is dropped).
 */
import type { Ifnet } from '../if';
import type { PfilDir } from '../pfil';
import { TH_FIN, TH_SYN } from '../wire/tcp';
import { PfCost } from './costs';
import { PF_WSCALE_MASK, pfGetWscale } from './tcp-track';
import type { Translation } from './nat';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, dst, src, type PfPdesc } from './pdesc';
import type { Pf } from './pf';
import type { KRule } from './rule';
import { PFUDPS_NO_TRAFFIC, PFUDPS_SINGLE, TCPS, type PfHost, type PfPeer, type PfState } from './state';

export function pfCreateState(
  pf: Pf, pd: PfPdesc, ifp: Ifnet, dir: PfilDir, r: KRule | null, nr: Translation | null,
  before: { saddr: number; daddr: number; sport: number; dport: number },
): PfState | null {
  pf.charge(PfCost.stateInsert);
  let lan: PfHost;
  let gwy: PfHost;
  let ext: PfHost;
  if (dir === 'out') {
    gwy = { addr: src(pd), port: pd.sport };
    ext = { addr: dst(pd), port: pd.dport };
    lan = nr ? { addr: before.saddr, port: before.sport } : { ...gwy };
  } else {
    lan = { addr: dst(pd), port: pd.dport };
    ext = { addr: src(pd), port: pd.sport };
    gwy = nr ? { addr: before.daddr, port: before.dport } : { ...lan };
  }
  const sp: PfPeer = { seqlo: 0, seqhi: 0, maxWin: 0, wscale: 0, state: 0 };
  const dp: PfPeer = { seqlo: 0, seqhi: 0, maxWin: 0, wscale: 0, state: 0 };
  let timeout: PfState['timeout'];
  switch (pd.proto) {
    case IPPROTO_TCP: {
      sp.seqlo = pd.seq;
      let hi = pd.seq + pd.pLen + 1;
      if (pd.flags & TH_SYN) {
        hi--;
        sp.wscale = pfGetWscale(pd);
      }
      sp.maxWin = Math.max(pd.win, 1);
      if (sp.wscale & PF_WSCALE_MASK) {
        // Remove the scale factor from the initial window.
        const sh = sp.wscale & PF_WSCALE_MASK;
        sp.maxWin = (sp.maxWin + (1 << sh) - 1) >> sh;
      }
      if (pd.flags & TH_FIN) hi++;
      sp.seqhi = hi >>> 0;
      dp.seqhi = 1;
      dp.maxWin = 1;
      sp.state = TCPS.SYN_SENT;
      dp.state = TCPS.CLOSED;
      timeout = 'tcp.first';
      break;
    }
    case IPPROTO_UDP:
      sp.state = PFUDPS_SINGLE;
      dp.state = PFUDPS_NO_TRAFFIC;
      timeout = 'udp.first';
      break;
    case IPPROTO_ICMP:
      timeout = 'icmp.first';
      break;
    default:
      sp.state = PFUDPS_SINGLE;
      dp.state = PFUDPS_NO_TRAFFIC;
      timeout = 'other.first';
  }
  const now = pf.nowSec();
  const s: PfState = {
    // Floating (state-policy floating, the default): bound to pfi_self, which pfctl -ss prints as "self".
    id: pf.states.newId(), proto: pd.proto, direction: dir, ifname: 'self', lan, gwy, ext, src: sp, dst: dp,
    rule: r, natRule: nr?.rule ?? null, logAll: r?.r.log === 'all' || nr?.rule.r.log === 'all',
    ruleNr: r ? r.nr : -1, creation: now, expire: now, timeout, packets: [0, 0], bytes: [0, 0],
  };
  if (!pf.states.insert(s)) {
    pf.trace('state-insert-failed', 0, { proto: pd.proto, dir });
    return null;
  }
  pf.trace('state-create', 0, { id: s.id, proto: pd.proto, dir, if: ifp.name, ...(nr ? { translated: true } : {}) });
  return s;
}

