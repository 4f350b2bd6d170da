/**
 * PHY mode and media (ieee80211.c): which mode a channel implies, switching the PHY mode (active channel set,
 * basic rates), and the ifmedia words ifconfig shows and sets — `media OFDM54 mode 11g mediaopt hostap`
 * (ieee80211_media_change, ieee80211_media_status).
 */
import { Errno } from '../kernel/api';
import { ieee80211_reset_erp } from './proto';
import {
  IEEE80211_CHAN_CCK, IEEE80211_CHAN_DYN, IEEE80211_CHAN_OFDM, IEEE80211_MODE_11A, IEEE80211_MODE_11B, IEEE80211_MODE_11G,
  IEEE80211_MODE_AUTO, IEEE80211_MODE_MAX, IEEE80211_RATE_VAL, PHYMODE_NAME, ieee80211_set11gbasicrates, isChanAnyG, isChanB,
  rateMediaName, type Ieee80211Channel,
} from './rates';
import { IEEE80211_F_IBSSON, type Ieee80211Com, type Ieee80211Opmode } from './var';

/** ENETRESET (QNX errno 252): the change needs the interface reinitialized. */
export const ENETRESET = 252;

/** ieee80211_chan2mode: an OFDM/dynamic 2.4 GHz channel is 11g unless the interface is locked to 11b. */
export function chan2mode(ic: Ieee80211Com, c: Ieee80211Channel): number {
  if ((c.flags & (IEEE80211_CHAN_OFDM | IEEE80211_CHAN_DYN)) !== 0) return ic.curmode === IEEE80211_MODE_11B ? IEEE80211_MODE_11B : IEEE80211_MODE_11G;
  return (c.flags & IEEE80211_CHAN_CCK) !== 0 ? IEEE80211_MODE_11B : IEEE80211_MODE_11A;
}

function chanInMode(c: Ieee80211Channel, mode: number): boolean {
  if (mode === IEEE80211_MODE_AUTO) return true;
  if (mode === IEEE80211_MODE_11B) return isChanB(c);
  if (mode === IEEE80211_MODE_11G) return isChanAnyG(c);
  return false;
}

/** The modes the channel table allows (ic_modecaps), as ieee80211_ifattach computes them. */
export function modecapsOf(channels: readonly (Ieee80211Channel | undefined)[]): number {
  let caps = 1 << IEEE80211_MODE_AUTO;
  for (const c of channels) {
    if (!c) continue;
    if (isChanB(c)) caps |= 1 << IEEE80211_MODE_11B;
    if (isChanAnyG(c)) caps |= 1 << IEEE80211_MODE_11G;
  }
  return caps;
}

/**
 * ieee80211_setmode: the active channel set of `mode`, the IBSS/AP default channel, the basic rates of the
 * 11b (1, 2) or mixed 11g (1, 2, 5.5, 11) rate set, ERP state. EINVAL for a mode the device lacks.
 */
export function ieee80211_setmode(ic: Ieee80211Com, mode: number): number {
  if ((ic.modecaps & (1 << mode)) === 0) return Errno.EINVAL;
  const active = new Set<number>();
  for (const c of ic.channels) if (c && chanInMode(c, mode)) active.add(c.ieee);
  if (active.size === 0) return Errno.EINVAL;
  ic.chanActive = active;
  if (!ic.ibssChan || !active.has(ic.ibssChan.ieee)) ic.ibssChan = ic.channels[Math.min(...active)]!;
  if (ic.desChan !== null && !active.has(ic.desChan.ieee)) ic.desChan = null;
  if (mode === IEEE80211_MODE_11G || mode === IEEE80211_MODE_11B) ic.supRates[mode] = ieee80211_set11gbasicrates(ic.supRates[mode]!, mode);
  if (ic.bss && ic.supRates[mode]!.length > 0) ic.bss.rates = ic.supRates[mode]!.slice(); // AUTO has no rate set of its own
  ic.curmode = mode;
  ieee80211_reset_erp(ic);
  return 0;
}

/** ifmedia options (if_media.h IFM_IEEE80211_*), by the names ifconfig accepts. */
export const MEDIAOPT = { adhoc: 'ibss', ibss: 'ibss', hostap: 'hostap', monitor: 'monitor' } as const;

/** A media word in parts: subtype (autoselect or a rate), mode, options. */
export interface MediaWord {
  /** 'autoselect' or a rate name (DS1 … OFDM54). */
  subtype: string;
  /** 'auto', '11b', '11g'. */
  mode: string;
  opts: string[];
}

/** ic_media.ifm_cur: what the user selected (kept on the ic). */
const mediaCur = new WeakMap<Ieee80211Com, MediaWord>();

export function currentMedia(ic: Ieee80211Com): MediaWord {
  return mediaCur.get(ic) ?? { subtype: 'autoselect', mode: 'auto', opts: [] };
}

/** The media words the device supports (ifconfig -m): every rate × mode × option combination ieee80211_media_init adds. */
export function supportedMedia(ic: Ieee80211Com): MediaWord[] {
  const out: MediaWord[] = [];
  const opts: string[][] = [[]];
  if ((ic.caps & 0x100) !== 0) opts.push(['adhoc']);
  if ((ic.caps & 0x400) !== 0) opts.push(['hostap']);
  if ((ic.caps & 0x10000) !== 0) opts.push(['monitor']);
  for (const o of opts) out.push({ subtype: 'autoselect', mode: 'auto', opts: o });
  for (let mode = IEEE80211_MODE_11A; mode < IEEE80211_MODE_MAX; mode++) {
    if ((ic.modecaps & (1 << mode)) === 0) continue;
    for (const o of opts) out.push({ subtype: 'autoselect', mode: PHYMODE_NAME[mode]!, opts: o });
    for (const r of ic.supRates[mode]!) for (const o of opts) out.push({ subtype: rateMediaName(r), mode: PHYMODE_NAME[mode]!, opts: o });
  }
  return out;
}

/**
 * ieee80211_media_change: apply a media word — PHY mode, fixed rate, operating mode (an AP on autoselect
 * locks the first mode the device has, as net80211 does). Returns 0, ENETRESET (reinitialize) or EINVAL.
 */
export function ieee80211_media_change(ic: Ieee80211Com, w: MediaWord): number {
  const modeIdx = PHYMODE_NAME.indexOf(w.mode as (typeof PHYMODE_NAME)[number]);
  if (modeIdx < 0 || modeIdx === IEEE80211_MODE_11A) return Errno.EINVAL;
  let newmode = modeIdx;
  if ((ic.modecaps & (1 << newmode)) === 0) return Errno.EINVAL;
  let fixed = -1;
  if (w.subtype !== 'autoselect') {
    const modes = newmode === IEEE80211_MODE_AUTO ? [IEEE80211_MODE_11B, IEEE80211_MODE_11G] : [newmode];
    for (const m of modes) {
      if ((ic.modecaps & (1 << m)) === 0) continue;
      const i = ic.supRates[m]!.findIndex((r) => rateMediaName(r & IEEE80211_RATE_VAL) === w.subtype);
      if (i >= 0) {
        fixed = i;
        newmode = m;
        break;
      }
    }
    if (fixed < 0) return Errno.EINVAL;
  }
  let opmode: Ieee80211Opmode = 'sta';
  for (const o of w.opts) {
    const k = MEDIAOPT[o as keyof typeof MEDIAOPT];
    if (!k) return Errno.EINVAL;
    opmode = k;
  }
  if (opmode === 'hostap' && newmode === IEEE80211_MODE_AUTO) {
    for (let m = IEEE80211_MODE_11A; m < IEEE80211_MODE_MAX; m++) {
      if ((ic.modecaps & (1 << m)) !== 0) {
        newmode = m;
        break;
      }
    }
  }
  let error = 0;
  if (ic.curmode !== newmode) {
    const e = ieee80211_setmode(ic, newmode);
    if (e) return e;
    error = ENETRESET;
  }
  if (ic.fixedRate !== fixed) {
    ic.fixedRate = fixed;
    error = ENETRESET;
  }
  if (ic.opmode !== opmode) {
    ic.opmode = opmode;
    if (opmode === 'ibss') ic.flags |= IEEE80211_F_IBSSON;
    else ic.flags &= ~IEEE80211_F_IBSSON;
    ieee80211_reset_erp(ic);
    error = ENETRESET;
  }
  mediaCur.set(ic, { subtype: w.subtype, mode: w.mode, opts: w.opts.slice() });
  return error;
}

/** What SIOCGIFMEDIA reports (ieee80211_media_status): current and active words, and whether the link is up. */
export interface MediaStatus {
  current: MediaWord;
  active: MediaWord;
  /** IFM_ACTIVE: the state machine is in RUN. */
  running: boolean;
}

export function ieee80211_media_status(ic: Ieee80211Com): MediaStatus {
  let subtype = 'autoselect';
  if (ic.fixedRate >= 0) subtype = rateMediaName(ic.supRates[ic.curmode]![ic.fixedRate] ?? 0);
  else if (ic.opmode === 'sta' && ic.bss && (ic.bss.rates[ic.bss.txrate] ?? 0) !== 0) subtype = rateMediaName(ic.bss.rates[ic.bss.txrate]!);
  const opts = ic.opmode === 'hostap' ? ['hostap'] : ic.opmode === 'ibss' ? ['adhoc'] : ic.opmode === 'monitor' ? ['monitor'] : [];
  return { current: currentMedia(ic), active: { subtype, mode: PHYMODE_NAME[ic.curmode] ?? 'auto', opts }, running: ic.state === 'RUN' };
}
