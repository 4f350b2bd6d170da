/**
 * TCP state tracking (pf.c pf_test_state_tcp of OpenBSD 3.7, after Guido van Rooij's "Real Stateful TCP Packet
 * Filtering in IP Filter"): each peer keeps seqlo (the highest sequence number it sent, plus data), seqhi (the
 * highest the other side's window lets it reach) and max_win (its largest window, unscaled), and window scale
 * factors from the SYNs (pf_get_wscale). A segment passes when its last octet is inside the receiver's window,
 * it is at most one window behind, and its ACK is within MAXACKWINDOW of what the other side sent; then the
 * bounds slide and the peer states and timeout move. A segment that fails but could belong to a connection pf
 * picked up late, a shotgunned SYN or a sloppy close (the "loose" case) passes without refreshing the expiry;
 * anything else is state-mismatch (PFRES_BADSTATE) and dropped, and during the handshake pf answers it with
 * a RST. No scrub, modulate state or synproxy (sequence offsets stay 0).
 */
import type { PfilDir } from '../pfil';
import { TH_ACK, TH_FIN, TH_RST, TH_SYN } from '../wire/tcp';
import { PfCost } from './costs';
import { dst, src, type PfPdesc } from './pdesc';
import type { Pf } from './pf';
import { PFRES } from './reasons';
import { pfSendTcp } from './reply';
import { TCPS, type PfPeer, type PfState } from './state';
import { NO_STATE, peers, stateLookup, translatePorts, type StateVerdict } from './state-test';

/** PF_WSCALE_FLAG / PF_WSCALE_MASK (pfvar.h): "a window scale option was seen" and the shift. */
export const PF_WSCALE_FLAG = 0x80;
export const PF_WSCALE_MASK = 0x0f;
const TCP_MAX_WINSHIFT = 14;
/** MAXACKWINDOW: 0xffff + 1500, "1500 is an arbitrary fudge factor". */
const MAXACKWINDOW = 0xffff + 1500;

const u32 = (x: number): number => x >>> 0;
/** SEQ_GEQ / SEQ_GT: sequence-space comparisons modulo 2^32. */
const seqGeq = (a: number, b: number): boolean => ((a - b) | 0) >= 0;
const seqGt = (a: number, b: number): boolean => ((a - b) | 0) > 0;

/** pf_get_wscale: the window scale option of a segment's header, with PF_WSCALE_FLAG, or 0. */
export function pfGetWscale(pd: PfPdesc): number {
  const b = pd.pkt;
  let hlen = Math.min(pd.thOff, pd.totLen - pd.off);
  if (hlen <= 20) return 0;
  let o = pd.off + 20;
  hlen -= 20;
  let wscale = 0;
  while (hlen >= 3) {
    const kind = b[o]!;
    if (kind === 0 || kind === 1) {
      o++;
      hlen--;
      continue;
    }
    if (kind === 3) wscale = Math.min(b[o + 2]!, TCP_MAX_WINSHIFT) | PF_WSCALE_FLAG;
    const optlen = Math.max(2, b[o + 1]!);
    hlen -= optlen;
    o += optlen;
  }
  return wscale;
}

function slide(src: PfPeer, dst: PfPeer, end: number, ack: number, win: number, sws: number): void {
  if (src.maxWin < win) src.maxWin = win;
  if (seqGt(end, src.seqlo)) src.seqlo = end;
  const w = win * 2 ** sws;
  if (seqGeq(u32(ack + w), dst.seqhi)) dst.seqhi = u32(ack + Math.max(w, 1));
}

export function pfTestStateTcp(pf: Pf, pd: PfPdesc, dir: PfilDir): StateVerdict {
  const s: PfState | undefined = stateLookup(pf, pd.proto, dir, src(pd), pd.sport, dst(pd), pd.dport);
  if (!s) return NO_STATE;
  pf.charge(PfCost.stateUpdate);
  const { sp, dp } = peers(s, dir);
  const flags = pd.flags;
  let win = pd.win;
  let sws = 0;
  let dws = 0;
  if (sp.wscale && dp.wscale && !(flags & TH_SYN)) {
    sws = sp.wscale & PF_WSCALE_MASK;
    dws = dp.wscale & PF_WSCALE_MASK;
  }
  const origSeq = pd.seq;
  let seq = pd.seq;
  let ack = pd.ack;
  let end: number;
  if (sp.seqlo === 0) {
    // First packet from this end: set its state.
    end = u32(seq + pd.pLen);
    if (flags & TH_SYN) {
      end = u32(end + 1);
      if (dp.wscale & PF_WSCALE_FLAG) {
        sp.wscale = pfGetWscale(pd);
        if (sp.wscale & PF_WSCALE_FLAG) {
          // Remove the scale factor from the initial window.
          sws = sp.wscale & PF_WSCALE_MASK;
          win = (win + (1 << sws) - 1) >> sws;
          dws = dp.wscale & PF_WSCALE_MASK;
        } else {
          // Fix up the other window; in case of a retransmitted SYN|ACK.
          dp.maxWin = dp.maxWin * 2 ** (dp.wscale & PF_WSCALE_MASK);
          dp.wscale = 0;
        }
      }
    }
    if (flags & TH_FIN) end = u32(end + 1);
    sp.seqlo = seq;
    if (sp.state < TCPS.SYN_SENT) sp.state = TCPS.SYN_SENT;
    // May need to slide the window (seqhi may have been set by the crappy stack check, or pf picked the
    // connection up after establishment).
    const reach = u32(end + Math.max(1, dp.maxWin * 2 ** dws));
    if (sp.seqhi === 1 || seqGeq(reach, sp.seqhi)) sp.seqhi = reach;
    if (win > sp.maxWin) sp.maxWin = win;
  } else {
    end = u32(seq + pd.pLen + (flags & TH_SYN ? 1 : 0) + (flags & TH_FIN ? 1 : 0));
  }
  if ((flags & TH_ACK) === 0) {
    // Let it pass through the ack skew check.
    ack = dp.seqlo;
  } else if ((ack === 0 && (flags & (TH_ACK | TH_RST)) === (TH_ACK | TH_RST)) || dp.state < TCPS.SYN_SENT) {
    // Broken stacks do not set ack; many set it in a FIN|ACK when the SYN timed out.
    ack = dp.seqlo;
  }
  if (seq === end) {
    // Ease sequencing restrictions on no-data packets.
    seq = sp.seqlo;
    end = seq;
  }
  const ackskew = (dp.seqlo - ack) | 0;
  const backWin = u32(sp.seqlo - dp.maxWin * 2 ** dws);
  if (
    seqGeq(sp.seqhi, end) && // last octet inside the other's window space
    seqGeq(seq, backWin) && // retransmit: not more than one window back
    ackskew >= -MAXACKWINDOW && // acking not more than one reassembled fragment backwards
    ackskew <= MAXACKWINDOW * 2 ** sws // acking not more than one window forward
    // (pf also wants an exact sequence match on a RST of a packet scrub reassembled: none are, here)
  ) {
    slide(sp, dp, end, ack, win, sws);
    // update states
    if ((flags & TH_SYN) && sp.state < TCPS.SYN_SENT) sp.state = TCPS.SYN_SENT;
    if ((flags & TH_FIN) && sp.state < TCPS.CLOSING) sp.state = TCPS.CLOSING;
    if (flags & TH_ACK) {
      if (dp.state === TCPS.SYN_SENT) dp.state = TCPS.ESTABLISHED;
      else if (dp.state === TCPS.CLOSING) dp.state = TCPS.FIN_WAIT_2;
    }
    if (flags & TH_RST) sp.state = dp.state = TCPS.TIME_WAIT;
    // update expire time
    s.expire = pf.nowSec();
    if (sp.state >= TCPS.FIN_WAIT_2 && dp.state >= TCPS.FIN_WAIT_2) s.timeout = 'tcp.closed';
    else if (sp.state >= TCPS.CLOSING && dp.state >= TCPS.CLOSING) s.timeout = 'tcp.finwait';
    else if (sp.state < TCPS.ESTABLISHED || dp.state < TCPS.ESTABLISHED) s.timeout = 'tcp.opening';
    else if (sp.state >= TCPS.CLOSING || dp.state >= TCPS.CLOSING) s.timeout = 'tcp.closing';
    else s.timeout = 'tcp.established';
  } else if (
    (dp.state < TCPS.SYN_SENT || dp.state >= TCPS.FIN_WAIT_2 || sp.state >= TCPS.FIN_WAIT_2) &&
    seqGeq(u32(sp.seqhi + MAXACKWINDOW), end) && // within a window forward of the originating packet
    seqGeq(seq, u32(sp.seqlo - MAXACKWINDOW)) // within a window backward of the originating packet
  ) {
    // Shotgunned SYNs, a connection pf picked up late, packets right after a close: pass without refreshing
    // the expiry (a flood of them must not keep the state alive).
    slide(sp, dp, end, ack, win, sws);
    if ((flags & TH_FIN) && sp.state < TCPS.CLOSING) sp.state = TCPS.CLOSING;
    if (flags & TH_RST) sp.state = dp.state = TCPS.TIME_WAIT;
    pf.trace('state-loose', 0, { id: s.id, seq: origSeq });
  } else {
    if (s.dst.state === TCPS.SYN_SENT && s.src.state === TCPS.SYN_SENT) {
      // Send a RST for a state mismatch during the handshake.
      if (!(flags & TH_RST)) pfSendTcp(pf, dst(pd), src(pd), pd.dport, pd.sport, pd.ack, 0, TH_RST);
      sp.seqlo = 0;
      sp.seqhi = 1;
      sp.maxWin = 1;
    }
    pf.trace('state-mismatch', 0, { id: s.id, seq: origSeq, ack: pd.ack, seqlo: sp.seqlo, seqhi: sp.seqhi });
    return { action: 'drop', state: s, reason: pf.reasonSet(PFRES.BADSTATE) };
  }
  translatePorts(pf, pd, s, dir);
  return { action: 'pass', state: s, reason: PFRES.MATCH };
}
