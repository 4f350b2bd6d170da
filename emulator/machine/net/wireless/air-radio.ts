/**
 * One radio on the air: the receive side of an 802.11 PHY (ns-3 PhyEntity / YansWifiPhy style). Every signal that
 * reaches the antenna is an `Arrival` (interference for its whole length, energy for CCA from 4 µs after it begins);
 * the radio synchronises to a PPDU when its preamble is detected (power at or above the sensitivity and SINR at or
 * above the preamble-detection threshold), checks the PLCP header when it ends and the payload at the end of the
 * frame, each with one draw from the radio's own seeded stream against the error model's PER. A stronger PPDU can
 * capture the receiver (preamble capture: while the current one is still in its preamble or header; `any`: at
 * any time, "message in message"). The MAC above sees `rxEnd`, `ccaChanged` and `txDone`.
 */
import type { SimEvent } from '../../sim/event';
import type { Rng } from '../../sim/rng';
import type { Time } from '../../sim/time';
import type { Position, Ppdu, RadioListener, RadioPort, RxInfo, WifiRate } from './radio';
import { airtimeNs, isChannel, noiseBandwidthHz, type PpduTiming } from './phy';
import { channelLossDb, dbmToMw, mwToDbm, noiseFloorDbm } from './propagation';
import { meanInterferenceMw, sectionSuccess, segments, worstSinr, type SignalSpan } from './interference';
import type { WirelessChannel } from './medium';

/** A signal on the air: a PPDU from a radio, or the noise of an interference burst (`ppdu` null). */
export interface Transmission {
  readonly id: number;
  readonly from: string;
  readonly channel: number;
  readonly ppdu: Ppdu | null;
  readonly ofdm: boolean;
  readonly timing: PpduTiming | null;
  readonly airtimeNs: number;
}

/** A transmission as it reaches one antenna. */
export interface Arrival {
  readonly tx: Transmission;
  /** Received power if this radio were on the transmission's channel, dBm. */
  readonly powerDbm: number;
  readonly start: Time;
  readonly end: Time;
  /** When CCA notices it (start + the detection time). */
  readonly detectAt: Time;
  detected: boolean;
}

/**
 * Milestone kinds, in the order they are handled at one instant: header check, ends, detections, then a CCA
 * re-assessment after a reception was abandoned (reported as its own event, not inside the MAC's call).
 */
const HEADER = 0;
const END = 1;
const DETECT = 2;
const RECHECK = 3;

export class AirRadio implements RadioPort {
  channel: number;
  txPowerDbm: number;
  /** Signals on the air at this antenna (not yet ended), in arrival order. */
  arrivals: Arrival[] = [];
  /** Ended signals still needed as interference for a frame being received. */
  past: Arrival[] = [];
  locked: Arrival | null = null;
  headerChecked = false;
  /** Our own transmission while on the air. */
  tx: Transmission | null = null;
  cca = false;
  /** CCA must be assessed again now (a reception was abandoned by our own transmission). */
  private recheck = false;

  constructor(
    readonly medium: WirelessChannel,
    readonly name: string,
    readonly listener: RadioListener,
    readonly position: () => Position,
    readonly rng: Rng,
    readonly next: SimEvent,
    readonly txEnd: SimEvent,
  ) {
    this.channel = medium.config.channel;
    this.txPowerDbm = medium.config.txPowerDbm;
  }

  // ── RadioPort ──

  setChannel(channel: number): void {
    if (!isChannel(channel)) {
      this.medium.trace('channel-ignored', 0, { radio: this.name, channel: String(channel) });
      return;
    }
    if (channel === this.channel) return;
    if (this.locked) this.abort('retune');
    this.channel = channel;
    this.medium.trace('channel', 0, { radio: this.name, channel });
    this.updateCca();
  }

  setTxPowerDbm(dbm: number): void {
    if (!Number.isFinite(dbm)) {
      this.medium.trace('txpower-ignored', 0, { radio: this.name });
      return;
    }
    this.txPowerDbm = dbm;
  }

  ccaBusy(): boolean {
    return this.locked !== null || this.energyMw() >= dbmToMw(this.medium.config.ccaEdThresholdDbm);
  }

  transmitting(): boolean {
    return this.tx !== null;
  }

  transmit(ppdu: Ppdu): void {
    this.medium.transmitFrom(this, ppdu);
  }

  airtimeNs(bytes: number, rate: WifiRate, shortPreamble: boolean): number {
    return airtimeNs(bytes, rate, shortPreamble);
  }

  // ── the medium's side ──

  /** A signal will reach this antenna. */
  addArrival(a: Arrival): void {
    this.arrivals.push(a);
    this.reschedule();
  }

  /** Our transmission's last symbol left (the medium's txEnd event). */
  transmitDone(): void {
    this.tx = null;
    this.listener.txDone();
  }

  /** Half duplex: starting to transmit abandons the frame being received. */
  startTransmitting(tx: Transmission): void {
    this.tx = tx;
    if (this.locked) {
      // The PHY is no longer synchronised: CCA falls back to energy detection at once (not at the abandoned PPDU's end).
      this.abort('tx');
      this.recheck = true;
      this.reschedule();
    }
  }

  /** In-band power of an arrival at our current channel, mW. */
  powerMw(a: Arrival): number {
    return dbmToMw(a.powerDbm - channelLossDb(a.tx.channel, this.channel, a.tx.ofdm));
  }

  /** The energy CCA sees now: every detected signal still on the air. */
  energyMw(): number {
    let e = 0;
    for (const a of this.arrivals) if (a.detected) e += this.powerMw(a);
    return e;
  }

  /** Handle every milestone due now (the `next` event), then report CCA and schedule the next milestone. */
  run(): void {
    const now = this.medium.now;
    for (;;) {
      const m = this.nextMilestone();
      if (!m || m.t > now) break;
      if (m.kind === HEADER) this.checkHeader();
      else if (m.kind === END) this.ended(m.a!);
      else if (m.kind === DETECT) this.detected(m.a!);
      else this.recheck = false;
    }
    this.prune(now);
    this.updateCca();
    this.reschedule();
  }

  reschedule(): void {
    const m = this.nextMilestone();
    const q = this.medium.queue;
    if (!m) {
      if (this.next.scheduled) q.deschedule(this.next);
      return;
    }
    if (this.next.scheduled && this.next.when === m.t) return;
    if (this.next.scheduled) q.deschedule(this.next);
    q.schedule(this.next, Math.max(m.t, this.medium.now));
  }

  updateCca(): void {
    const busy = this.ccaBusy();
    if (busy === this.cca) return;
    this.cca = busy;
    if (this.medium.tracer.verbose) this.medium.trace('cca', 0, { radio: this.name, busy });
    this.listener.ccaChanged(busy);
  }

  private nextMilestone(): { t: Time; kind: number; a: Arrival | null } | null {
    let best: { t: Time; kind: number; a: Arrival | null } | null = null;
    const consider = (t: Time, kind: number, a: Arrival | null): void => {
      if (!best || t < best.t || (t === best.t && kind < best.kind)) best = { t, kind, a };
    };
    if (this.locked && !this.headerChecked) consider(headerEnd(this.locked), HEADER, null);
    if (this.recheck) consider(this.medium.now, RECHECK, null);
    for (const a of this.arrivals) {
      consider(a.end, END, a);
      if (!a.detected) consider(a.detectAt, DETECT, a);
    }
    return best;
  }

  /** CCA notices the signal; a PPDU on our channel may be synchronised to (or capture the receiver). */
  private detected(a: Arrival): void {
    a.detected = true;
    const cfg = this.medium.config;
    if (!a.tx.ppdu || a.tx.channel !== this.channel || this.tx) return;
    if (a.powerDbm < cfg.sensitivityDbm) return;
    const sinrDb = a.powerDbm - mwToDbm(this.noiseMw(a) + this.othersNowMw(a));
    const cur = this.locked;
    if (!cur) {
      if (sinrDb >= cfg.preambleDetectDb) this.lock(a);
      else this.medium.trace('rx-miss', a.tx.ppdu.pktId, { radio: this.name, from: a.tx.from, reason: 'preamble-sinr', rssi: round1(a.powerDbm), sinr: round1(sinrDb) });
      return;
    }
    const window = cfg.capture === 'any' || (cfg.capture === 'preamble' && this.medium.now < headerEnd(cur));
    if (window && a.powerDbm >= cur.powerDbm + cfg.captureMarginDb && sinrDb >= cfg.preambleDetectDb) {
      this.medium.trace('rx-capture', a.tx.ppdu.pktId, { radio: this.name, from: a.tx.from, lost: cur.tx.ppdu!.pktId, lostFrom: cur.tx.from });
      this.abort('capture');
      this.lock(a);
      return;
    }
    this.medium.trace('rx-miss', a.tx.ppdu.pktId, { radio: this.name, from: a.tx.from, reason: 'busy', rssi: round1(a.powerDbm), sinr: round1(sinrDb) });
  }

  private lock(a: Arrival): void {
    this.locked = a;
    this.headerChecked = false;
    if (this.medium.tracer.verbose) this.medium.trace('rx-lock', a.tx.ppdu!.pktId, { radio: this.name, from: a.tx.from });
  }

  /** The receiver loses the frame it was synchronised to, with a trace and no `rxEnd`. */
  private abort(reason: 'tx' | 'retune' | 'capture'): void {
    const a = this.locked!;
    this.locked = null;
    this.medium.trace('rx-abort', a.tx.ppdu!.pktId, { radio: this.name, from: a.tx.from, reason });
  }

  /** End of the PLCP header of the frame we are synchronised to: its SIGNAL/PLCP CRC either holds or not. */
  private checkHeader(): void {
    const a = this.locked!;
    this.headerChecked = true;
    const t = a.tx.timing!;
    const from = a.start + t.preambleNs;
    const to = from + t.headerNs;
    const segs = this.segmentsOf(a);
    const per = 1 - sectionSuccess(segs, from, to, t.headerRate);
    if (this.rng.float() >= per) return;
    this.locked = null;
    this.deliver(a, segs, from, to, false, false);
  }

  private ended(a: Arrival): void {
    this.arrivals.splice(this.arrivals.indexOf(a), 1);
    this.past.push(a);
    if (this.locked !== a) return;
    const t = a.tx.timing!;
    const from = a.start + t.preambleNs + t.headerNs;
    const to = from + t.payloadNs;
    const segs = this.segmentsOf(a);
    const per = 1 - sectionSuccess(segs, from, to, a.tx.ppdu!.rate);
    const ok = this.rng.float() >= per;
    this.locked = null;
    this.deliver(a, segs, a.start, a.end, true, ok);
  }

  private deliver(a: Arrival, segs: ReturnType<typeof segments>, from: Time, to: Time, headerOk: boolean, ok: boolean): void {
    const ppdu = a.tx.ppdu!;
    const noise = this.noiseMw(a);
    const rx: RxInfo = {
      rssiDbm: a.powerDbm,
      noiseDbm: mwToDbm(noise + meanInterferenceMw(segs, from, to)),
      sinrDb: 10 * Math.log10(worstSinr(segs, from, to)),
      ok,
      headerOk,
      channel: a.tx.channel,
    };
    this.medium.trace('rx-end', ppdu.pktId, {
      radio: this.name, from: a.tx.from, ok, header: headerOk, rate: ppdu.rate, rssi: round1(rx.rssiDbm), sinr: round1(rx.sinrDb),
    });
    this.listener.rxEnd(ppdu, rx);
  }

  private noiseMw(a: Arrival): number {
    const rate = a.tx.ppdu?.rate ?? 6;
    return dbmToMw(noiseFloorDbm(noiseBandwidthHz(rate), this.medium.config.noiseFigureDb));
  }

  /** Power of every other signal on the air now. */
  private othersNowMw(a: Arrival): number {
    const now = this.medium.now;
    let e = 0;
    for (const o of this.arrivals) if (o !== a && o.start <= now && o.end > now) e += this.powerMw(o);
    return e;
  }

  private segmentsOf(a: Arrival): ReturnType<typeof segments> {
    const others: SignalSpan[] = [];
    for (const o of [...this.past, ...this.arrivals]) {
      if (o !== a && o.end > a.start && o.start < a.end) others.push({ start: o.start, end: o.end, powerMw: this.powerMw(o) });
    }
    return segments(dbmToMw(a.powerDbm), this.noiseMw(a), a.start, a.end, others);
  }

  /** Forget ended signals no frame can still overlap. */
  private prune(now: Time): void {
    const keepAfter = Math.min(this.locked ? this.locked.start : now, now - this.medium.config.detectNs);
    if (this.past.length > 0) this.past = this.past.filter((p) => p.end > keepAfter);
  }
}

export function headerEnd(a: Arrival): Time {
  const t = a.tx.timing!;
  return a.start + t.preambleNs + t.headerNs;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
