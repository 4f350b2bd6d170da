/**
 * IEEE 802.3 clause 28 (twisted-pair auto-negotiation) and clause 40.5 (1000BASE-T master/slave) as pure
 * functions: what each end of a link segment offers, and what the two ends resolve. Timing and state live in
 * `link-segment.ts`; the register views (ADVERTISE, LPA, CTRL1000, STAT1000, AUX_STAT) in the PHY models.
 *
 * Sources: 802.3 clause 28.2.3 (priority resolution, parallel detection 28.2.3.1), Annex 28B.3 (priority
 * table: 1000BASE-T FD > 1000BASE-T > 100BASE-TX FD > 100BASE-T4 > 100BASE-TX > 10BASE-T FD > 10BASE-T),
 * Annex 28B Table 28B-3 (PAUSE resolution), clause 40.5.1/40.5.2 (MASTER-SLAVE configuration resolution).
 */

/** One technology ability per bit, in ascending priority (100BASE-T4 is not modelled: no station offers it). */
export const Mode = {
  T10H: 0x01,
  T10F: 0x02,
  TX100H: 0x04,
  TX100F: 0x08,
  T1000H: 0x10,
  T1000F: 0x20,
} as const;
export const ALL_MODES = 0x3f;
export const MODES_1000 = Mode.T1000H | Mode.T1000F;
export const FULL_MODES = Mode.T10F | Mode.TX100F | Mode.T1000F;

/** Annex 28B.3 priority, highest first. */
const PRIORITY: readonly number[] = [Mode.T1000F, Mode.T1000H, Mode.TX100F, Mode.TX100H, Mode.T10F, Mode.T10H];

export type SpeedMbps = 10 | 100 | 1000;

export function modeSpeed(mode: number): SpeedMbps {
  return mode & MODES_1000 ? 1000 : mode & (Mode.TX100H | Mode.TX100F) ? 100 : 10;
}
export function modeFull(mode: number): boolean {
  return (mode & (Mode.T10F | Mode.TX100F | Mode.T1000F)) !== 0;
}
export function modeOf(speed: SpeedMbps, full: boolean): number {
  if (speed === 1000) return full ? Mode.T1000F : Mode.T1000H;
  if (speed === 100) return full ? Mode.TX100F : Mode.TX100H;
  return full ? Mode.T10F : Mode.T10H;
}
/** Both duplex bits of a speed. */
export function speedModes(speed: SpeedMbps): number {
  return modeOf(speed, false) | modeOf(speed, true);
}
/** The highest-priority mode in a set (0 if empty). */
export function highestMode(modes: number): number {
  for (const m of PRIORITY) if (modes & m) return m;
  return 0;
}
/** Modes whose speed does not exceed `bitRate`. */
export function modesUpTo(bitRate: number): number {
  let m = Mode.T10H | Mode.T10F;
  if (bitRate >= 100_000_000) m |= Mode.TX100H | Mode.TX100F;
  if (bitRate >= 1_000_000_000) m |= MODES_1000;
  return m;
}
export function modeName(mode: number): string {
  const s = modeSpeed(mode);
  return `${s}${modeFull(mode) ? 'F' : 'H'}`;
}

/** 1000BASE-T MASTER-SLAVE configuration (CTRL1000 bits 12:10): automatic, or manual master/slave. */
export type MsConfig = 'auto' | 'master' | 'slave';

/** What one end offers (clause 28 base page plus the 1000BASE-T next pages), or its forced mode. */
export interface LinkAbilities {
  /** Technology abilities (`Mode` bits). Without auto-negotiation: the one forced mode. */
  readonly modes: number;
  /** Clause 28 auto-negotiation runs (false: a forced PHY, or a 10BASE-T MAU that sends normal link pulses only). */
  readonly autoneg: boolean;
  /** Base page bit C0 (PAUSE) and C1 (ASM_DIR). */
  readonly pause: boolean;
  readonly asymPause: boolean;
  /** 1000BASE-T MASTER-SLAVE manual configuration. */
  readonly ms: MsConfig;
  /** 1000BASE-T port type: multiport device (a switch) prefers MASTER (40.5.1.1). */
  readonly multiport: boolean;
}

/** A forced mode without auto-negotiation (a DP8390's 10BASE-T MAU: `forcedAbilities(Mode.T10H)`). */
export function forcedAbilities(mode: number): LinkAbilities {
  return { modes: mode, autoneg: false, pause: false, asymPause: false, ms: 'auto', multiport: false };
}

/** The link as one end resolved it. */
export interface NegotiatedLink {
  readonly speedMbps: SpeedMbps;
  readonly fullDuplex: boolean;
  /** Annex 28B Table 28B-3, from this end: it may send PAUSE (pauseTx), it honours received PAUSE (pauseRx). */
  readonly pauseTx: boolean;
  readonly pauseRx: boolean;
  /** 1000BASE-T: this end resolved MASTER (false at 10/100). */
  readonly master: boolean;
  /** The link came up by parallel detection (28.2.3.1): this end autonegotiates, the partner does not. */
  readonly parallelDetect: boolean;
}

/** What one end learned from the exchange: the partner's page (null if it sent none) and the outcome. */
export interface NegotiationOutcome {
  /** The partner's abilities as received: its base/next pages, or for parallel detection only the detected mode. */
  readonly partner: LinkAbilities | null;
  /** The resolved link, or null when no link can come up. */
  readonly link: NegotiatedLink | null;
  /** Why there is no link. */
  readonly fault?: LinkFault;
}

export type LinkFault = 'no-common-mode' | 'ms-fault' | 'speed-mismatch' | 'forced-1000';

export type Resolution =
  | { readonly ok: true; readonly ends: readonly [NegotiationOutcome, NegotiationOutcome] }
  | { readonly ok: false; readonly fault: LinkFault; readonly ends: readonly [NegotiationOutcome, NegotiationOutcome] };

/** Annex 28B Table 28B-3, seen from `local`. */
export function resolvePause(local: LinkAbilities, partner: LinkAbilities): { tx: boolean; rx: boolean } {
  if (local.pause && partner.pause) return { tx: true, rx: true };
  if (local.pause && local.asymPause && !partner.pause && partner.asymPause) return { tx: false, rx: true };
  if (!local.pause && local.asymPause && partner.pause && partner.asymPause) return { tx: true, rx: false };
  return { tx: false, rx: false };
}

/**
 * Clause 40.5.2 MASTER-SLAVE resolution for ends a and b: manual settings win (both manual and equal: fault);
 * otherwise a multiport device is MASTER against a single-port one; otherwise the higher 11-bit random seed
 * wins (equal seeds: 40.5.2 restarts with new seeds; here the caller draws distinct seeds). True: a is MASTER.
 */
export function resolveMasterSlave(a: LinkAbilities, b: LinkAbilities, seeds: readonly [number, number]): boolean | 'fault' {
  if (a.ms !== 'auto' && b.ms !== 'auto') return a.ms === b.ms ? 'fault' : a.ms === 'master';
  if (a.ms !== 'auto') return a.ms === 'master';
  if (b.ms !== 'auto') return b.ms === 'slave';
  if (a.multiport !== b.multiport) return a.multiport;
  return seeds[0] > seeds[1];
}

const NO_PAUSE = { tx: false, rx: false };

function link(mode: number, pause: { tx: boolean; rx: boolean }, master: boolean, parallelDetect: boolean): NegotiatedLink {
  const full = modeFull(mode);
  const p = full ? pause : NO_PAUSE; // PAUSE is a full-duplex mechanism (802.3 annex 31B)
  return { speedMbps: modeSpeed(mode), fullDuplex: full, pauseTx: p.tx, pauseRx: p.rx, master, parallelDetect };
}

function fail(fault: LinkFault, pa: LinkAbilities | null, pb: LinkAbilities | null): Resolution {
  return { ok: false, fault, ends: [{ partner: pa, link: null, fault }, { partner: pb, link: null, fault }] };
}

/**
 * Resolve a segment whose two ends offer `a` and `b`. `seeds` are the 1000BASE-T MASTER-SLAVE seeds (distinct).
 * - Both autonegotiate: the highest common mode (Annex 28B.3); pause per end (Table 28B-3); MASTER-SLAVE at 1000.
 * - One autonegotiates, the other is forced to 10 or 100: parallel detection (28.2.3.1): the autonegotiating end
 *   links at that speed in half duplex if it supports the speed (a forced-full partner then runs a duplex
 *   mismatch); it sees only the detected ability. A forced 1000BASE-T partner cannot be detected (1000BASE-T
 *   requires auto-negotiation, 40.5.1): no link.
 * - Both forced: link only at the same speed; each end keeps its own duplex.
 */
export function resolveLink(a: LinkAbilities, b: LinkAbilities, seeds: readonly [number, number] = [1, 0]): Resolution {
  if (a.autoneg && b.autoneg) {
    const hcd = highestMode(a.modes & b.modes);
    if (!hcd) return fail('no-common-mode', b, a);
    let masterA = false;
    if (hcd & MODES_1000) {
      const ms = resolveMasterSlave(a, b, seeds);
      if (ms === 'fault') return fail('ms-fault', b, a);
      masterA = ms;
    }
    return {
      ok: true,
      ends: [
        { partner: b, link: link(hcd, resolvePause(a, b), masterA && !!(hcd & MODES_1000), false) },
        { partner: a, link: link(hcd, resolvePause(b, a), !masterA && !!(hcd & MODES_1000), false) },
      ],
    };
  }
  if (a.autoneg !== b.autoneg) {
    const [an, forced] = a.autoneg ? [a, b] : [b, a];
    const fm = highestMode(forced.modes);
    const speed = modeSpeed(fm);
    const detected = modeOf(speed, false);
    const seen = forcedAbilities(detected);
    if (!fm || speed === 1000) return fail('forced-1000', null, null);
    if (!(an.modes & speedModes(speed))) return a.autoneg ? fail('no-common-mode', seen, null) : fail('no-common-mode', null, seen);
    const anEnd: NegotiationOutcome = { partner: seen, link: link(detected, NO_PAUSE, false, true) };
    const fEnd: NegotiationOutcome = { partner: null, link: link(fm, NO_PAUSE, false, false) };
    return { ok: true, ends: a.autoneg ? [anEnd, fEnd] : [fEnd, anEnd] };
  }
  const ma = highestMode(a.modes);
  const mb = highestMode(b.modes);
  if (!ma || !mb || modeSpeed(ma) !== modeSpeed(mb)) return fail('speed-mismatch', null, null);
  let masterA = false;
  if (ma & MODES_1000) {
    const ms = resolveMasterSlave(a, b, seeds);
    if (ms === 'fault') return fail('ms-fault', null, null);
    masterA = ms;
  }
  const is1000 = (ma & MODES_1000) !== 0;
  return {
    ok: true,
    ends: [
      { partner: null, link: link(ma, NO_PAUSE, is1000 && masterA, false) },
      { partner: null, link: link(mb, NO_PAUSE, is1000 && !masterA, false) },
    ],
  };
}
