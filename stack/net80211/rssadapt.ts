/**
 * Transmit-rate selection by received signal strength (ieee80211_rssadapt.c, the algorithm NetBSD's ral
 * driver uses; after del Prado Pavon and Choi, "Link Adaptation Strategy for IEEE 802.11 WLAN via Received
 * Signal Strength Measurement", ICC 2003). Each destination keeps an exponential average of the RSSI of the
 * frames it sent us, and per frame-length bucket (≤128, ≤1024, longer) an RSSI threshold per rate. A frame
 * goes at the highest rate whose threshold is below the average; a transmission that fails after all retries
 * raises that rate's threshold towards the RSSI at the time; a success may decay the next rate's threshold
 * towards this one's, at most once per raise interval (0.1–10 s, shorter the busier the link).
 *
 * All arithmetic is integer as in the C (RSSI and thresholds are fixed point, RSSI << 8).
 */
import type { Time } from '../../emulator/machine/sim/time';
import { IEEE80211_RATE_BASIC } from './rates';

export const IEEE80211_RSSADAPT_BKTS = 3;
export const IEEE80211_RSSADAPT_BKT0 = 128;
export const IEEE80211_RSSADAPT_BKTPOWER = 3;

/** master_expavgctl: decay 15/16, threshold update 4/8, RSSI average 4/8. */
const EXPAVG = {
  decay: { denom: 16, old: 15 },
  thresh: { denom: 8, old: 4 },
  avgrssi: { denom: 8, old: 4 },
} as const;

function interpolate(p: { denom: number; old: number }, old: number, nw: number): number {
  return Math.floor((p.old * old + (p.denom - p.old) * nw) / p.denom) & 0xffff;
}

/** What a driver remembers about a data frame it queued, for the transmit-done feedback (ieee80211_rssdesc). */
export interface RssDesc {
  /** MPDU length. */
  len: number;
  /** Index into the node's rate set. */
  rateidx: number;
  /** The node's RSSI when the frame was queued. */
  rssi: number;
}

function bucket(len: number): number {
  let top = IEEE80211_RSSADAPT_BKT0;
  for (let i = 0; i < IEEE80211_RSSADAPT_BKTS; i++, top <<= IEEE80211_RSSADAPT_BKTPOWER) {
    if (len <= top || i === IEEE80211_RSSADAPT_BKTS - 1) return i;
  }
  return IEEE80211_RSSADAPT_BKTS - 1;
}

export class RssAdapt {
  /** Exponential average RSSI << 8 (ra_avg_rssi). */
  avgRssi = 0;
  nfail = 0;
  nok = 0;
  /** Exponential average packets per second (ra_pktrate). */
  pktrate = 0;
  /** ra_rate_thresh[bucket][rate index]. */
  readonly thresh: number[][] = Array.from({ length: IEEE80211_RSSADAPT_BKTS }, () => new Array<number>(15).fill(0));
  lastRaise: Time = -Infinity;
  /** ns */
  raiseInterval: Time = 100_000_000;

  /**
   * ieee80211_rssadapt_choose: index of the rate for a frame of `len` bytes to a node with rate set `rs`.
   * Control frames go at a basic rate; `fixedRate` ≥ 0 forces that index when it qualifies.
   */
  choose(rs: readonly number[], len: number, isControl: boolean, fixedRate = -1): number {
    const flags = isControl ? IEEE80211_RATE_BASIC : 0;
    const thrs = this.thresh[bucket(len)]!;
    let i: number;
    let f = flags;
    if (fixedRate !== -1) {
      if (((rs[fixedRate] ?? 0) & f) === f) return fixedRate;
      f |= IEEE80211_RATE_BASIC;
      i = fixedRate;
    } else i = rs.length;
    let rateidx = 0;
    while (--i >= 0) {
      rateidx = i;
      if ((rs[i]! & f) !== f) continue;
      if (thrs[i]! < this.avgRssi) break;
    }
    return rateidx;
  }

  /** ieee80211_rssadapt_input: fold the RSSI of a frame received from the node into the average. */
  input(rssi: number): void {
    this.avgRssi = interpolate(EXPAVG.avgrssi, this.avgRssi, (rssi & 0xff) << 8);
  }

  /** ieee80211_rssadapt_updatestats: every 100 ms, recompute the packet rate and the raise interval. */
  updateStats(): void {
    this.pktrate = Math.floor((this.pktrate + 10 * (this.nfail + this.nok)) / 2);
    this.nfail = this.nok = 0;
    const intervalUs = Math.max(100_000, Math.floor(10_000_000 / Math.max(1, 10 * this.pktrate)));
    this.raiseInterval = intervalUs * 1000;
  }

  /** ieee80211_rssadapt_lower_rate: the frame failed after all retries. */
  lowerRate(rs: readonly number[], id: RssDesc): void {
    this.nfail++;
    if (id.rateidx >= rs.length) return;
    const thrs = this.thresh[bucket(id.len)]!;
    thrs[id.rateidx] = interpolate(EXPAVG.thresh, thrs[id.rateidx]!, (id.rssi & 0xff) << 8);
  }

  /** ieee80211_rssadapt_raise_rate: the frame was acknowledged at the first try; `now` rate-limits decays. */
  raiseRate(rs: readonly number[], id: RssDesc, now: Time): void {
    this.nok++;
    if (now - this.lastRaise < this.raiseInterval) return;
    this.lastRaise = now;
    const thrs = this.thresh[bucket(id.len)]!;
    const next = id.rateidx + 1;
    if (next < rs.length && thrs[next]! > thrs[id.rateidx]!) {
      const newthr = thrs[id.rateidx] === 0 ? this.avgRssi : thrs[id.rateidx]!;
      thrs[next] = interpolate(EXPAVG.decay, thrs[next]!, newthr);
    }
  }
}
