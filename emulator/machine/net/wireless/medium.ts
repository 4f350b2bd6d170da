/**
 * The wireless medium (the air of one `type: wireless` link): radios at positions, each on a 2.4 GHz channel with a
 * TX power. A transmission reaches every other radio after the propagation delay at the power the log-distance
 * model leaves, attenuated by the channel separation (propagation.ts); what each receiver makes of it is its own
 * business (air-radio.ts). Noise sources (interference bursts) reach radios the same way and carry no frame.
 * Everything is events on the one queue; the only random draws are the receivers' error draws, each from the
 * radio's own stream (`<medium>.<radio>.rx`), so a radio added or moved never changes another's stream.
 */
import type { ComponentContext } from '../../sim/context';
import { SimEvent } from '../../sim/event';
import { Priority } from '../../sim/priority';
import type { TraceFields } from '../../sim/trace';
import type { Position, Ppdu, RadioListener, RadioPort, WirelessMedium } from './radio';
import { FCS_LEN, channelFrequencyMHz, findRate, isChannel, noiseBandwidthHz, ppduTiming } from './phy';
import { channelLossDb, distanceM, noiseFloorDbm, pathLossDb, propagationDelayNs, type PathLossConfig } from './propagation';
import { AirRadio, type Arrival, type Transmission } from './air-radio';
import { loadMedium, saveMedium, type WirelessMediumState } from './medium-state';
import type { RadiotapInfo } from './radiotap';

export interface WirelessConfig {
  /** The channel radios are tuned to when they attach (until their driver tunes them), and noise bursts' default. */
  readonly channel: number;
  readonly pathLoss: PathLossConfig;
  /** Receiver noise figure, dB (ns-3 default 7). */
  readonly noiseFigureDb: number;
  /** TX power of a radio until it sets its own, dBm (ns-3 default 16.0206 dBm = 40 mW). */
  readonly txPowerDbm: number;
  /** Energy-detect CCA threshold, dBm (−62: the OFDM PHY's "any signal" requirement). */
  readonly ccaEdThresholdDbm: number;
  /** Weakest PPDU whose preamble is detected, dBm (−82: OFDM 6 Mb/s minimum sensitivity; ns-3's preamble-detection minimum RSSI). */
  readonly sensitivityDbm: number;
  /** SINR the preamble needs to be detected, dB (ns-3 ThresholdPreambleDetectionModel: 4). */
  readonly preambleDetectDb: number;
  /** Time from a signal's start to CCA noticing it, ns (4 µs: the OFDM CCA requirement; ns-3's preamble detection duration). */
  readonly detectNs: number;
  /** Capture: 'none', 'preamble' (a stronger PPDU takes over during the current one's preamble and PLCP header), 'any'. */
  readonly capture: 'none' | 'preamble' | 'any';
  /** How much stronger a PPDU must be to capture the receiver, dB (ns-3 SimpleFrameCaptureModel margin: 5). */
  readonly captureMarginDb: number;
  /** Signals weaker than this (co-channel, dBm) are not delivered at all: far below the noise floor. */
  readonly ignoreBelowDbm: number;
}

export const WIRELESS_DEFAULTS: WirelessConfig = {
  channel: 1,
  pathLoss: { exponent: 3, referenceLossDb: null, referenceDistanceM: 1 },
  noiseFigureDb: 7,
  txPowerDbm: 16.0206,
  ccaEdThresholdDbm: -62,
  sensitivityDbm: -82,
  preambleDetectDb: 4,
  detectNs: 4000,
  capture: 'preamble',
  captureMarginDb: 5,
  ignoreBelowDbm: -130,
};

/** Sees every transmission as it starts (trace, tests). */
export type AirTap = (tx: Transmission, from: RadioPort | null) => void;

export class WirelessChannel implements WirelessMedium {
  readonly kind = 'wireless' as const;
  readonly name: string;
  readonly config: WirelessConfig;
  readonly radios: AirRadio[] = [];
  private nextId = 1;
  private readonly taps: AirTap[] = [];
  private readonly radiotapTaps: ((t: number, info: RadiotapInfo) => void)[] = [];
  /** Radios' MAC addresses as the assembly knows them (the NIC's configured address), for captures only. */
  private readonly captureAddresses = new Map<string, Uint8Array>();

  constructor(readonly ctx: ComponentContext, config: Partial<WirelessConfig> = {}) {
    this.name = ctx.name;
    this.config = { ...WIRELESS_DEFAULTS, ...config, pathLoss: { ...WIRELESS_DEFAULTS.pathLoss, ...config.pathLoss } };
    if (!isChannel(this.config.channel)) throw new RangeError(`${this.name}: not a 2.4 GHz channel: ${this.config.channel}`);
  }

  /**
   * The least time from a radio's transmission (or retune, or power change) to a call on another radio because of
   * it: a signal reaches another MAC no sooner than CCA notices it, the detection time after it reaches the antenna
   * (the guests' worker threads run that far apart: emulator/machine/parallel/radio-stand-ins.ts).
   */
  get lookahead(): number {
    return this.config.detectNs;
  }

  get now(): number {
    return this.ctx.queue.now;
  }
  get queue() {
    return this.ctx.queue;
  }
  get tracer() {
    return this.ctx.tracer;
  }

  attach(listener: RadioListener, name: string, position: () => Position): RadioPort {
    if (this.radios.some((r) => r.name === name)) throw new Error(`${this.name}: a radio named ${name} is already attached`);
    const ev = `${this.name}.${name}`;
    let radio!: AirRadio;
    const next = new SimEvent(`${ev}.rx`, () => radio.run(), Priority.Wire);
    const txEnd = new SimEvent(`${ev}.tx-end`, () => radio.transmitDone(), Priority.Wire);
    radio = new AirRadio(this, name, listener, position, this.ctx.rngs.stream(`${ev}.rx`), next, txEnd);
    this.radios.push(radio);
    return radio;
  }

  tap(fn: AirTap): void {
    this.taps.push(fn);
  }

  /** Report every PPDU as it starts, as a radiotap record describes it (radiotap.ts). */
  tapRadiotap(fn: (t: number, info: RadiotapInfo) => void): void {
    this.radiotapTaps.push(fn);
  }

  /**
   * Label a radio with a MAC address for captures, used when its listener does not report one (`macAddress`). It
   * changes nothing on the air: only which radio's signal and noise a radiotap record shows.
   */
  setCaptureAddress(radio: string, mac: Uint8Array): void {
    this.captureAddresses.set(radio, Uint8Array.from(mac));
  }

  /** The radio whose MAC address is the frame's Address 1 (bytes 4–9), if any (captures only). */
  private addressed(ppdu: Ppdu): AirRadio | null {
    const m = ppdu.mpdu;
    if (m.length < 10 || (m[4]! & 1) !== 0) return null;
    for (const r of this.radios) {
      const a = r.listener.macAddress?.() ?? this.captureAddresses.get(r.name);
      if (a && a.length === 6 && a.every((b, i) => b === m[4 + i])) return r;
    }
    return null;
  }

  private reportRadiotap(radio: AirRadio, tx: Transmission, ppdu: Ppdu): void {
    if (this.radiotapTaps.length === 0) return;
    const at = (r: AirRadio): number =>
      this.receivedDbm(radio.position(), r.position(), radio.txPowerDbm, tx.channel) - channelLossDb(tx.channel, r.channel, tx.ofdm);
    const group = ppdu.mpdu.length >= 10 && (ppdu.mpdu[4]! & 1) !== 0;
    let to = group ? null : this.addressed(ppdu);
    if (group) {
      // A group-addressed frame has no one receiver: report the strongest one (first in attach order on a tie),
      // where a sniffer beside the best-placed radio would hear it.
      let best = -Infinity;
      for (const r of this.radios) {
        if (r === radio) continue;
        const dbm = at(r);
        if (dbm > best) [best, to] = [dbm, r];
      }
    }
    let rx: RadiotapInfo['rx'] = null;
    if (to && to !== radio) {
      rx = { signalDbm: at(to), noiseDbm: noiseFloorDbm(noiseBandwidthHz(ppdu.rate), this.config.noiseFigureDb) };
    }
    const info: RadiotapInfo = { ppdu, channel: tx.channel, txPowerDbm: radio.txPowerDbm, rx };
    for (const fn of this.radiotapTaps) fn(this.now, info);
  }

  trace(probe: string, pkt: number, f: TraceFields): void {
    this.ctx.tracer.emit(this.ctx.node, 'air', probe, pkt, { link: this.name, ...f });
  }

  /** A radio starts sending `ppdu` now (AirRadio.transmit). */
  transmitFrom(radio: AirRadio, ppdu: Ppdu): void {
    if (radio.tx) {
      this.trace('tx-busy', ppdu.pktId, { radio: radio.name });
      return;
    }
    const info = findRate(ppdu.rate);
    if (!info) {
      this.trace('tx-bad-rate', ppdu.pktId, { radio: radio.name, rate: String(ppdu.rate) });
      return;
    }
    const timing = ppduTiming(ppdu.mpdu.length + FCS_LEN, ppdu.rate, ppdu.shortPreamble);
    const tx: Transmission = {
      id: this.nextId++, from: radio.name, channel: radio.channel, ppdu, ofdm: info.ofdm, timing, airtimeNs: timing.totalNs,
    };
    radio.startTransmitting(tx);
    this.queue.schedule(radio.txEnd, this.now + tx.airtimeNs);
    this.trace('tx-start', ppdu.pktId, {
      radio: radio.name, channel: tx.channel, rate: ppdu.rate, len: ppdu.mpdu.length, airtime: tx.airtimeNs, dbm: radio.txPowerDbm,
    });
    this.reportRadiotap(radio, tx, ppdu);
    this.radiate(tx, radio.position(), radio.txPowerDbm, radio);
    for (const t of this.taps) t(tx, radio);
  }

  /**
   * An interference burst: noise of `powerDbm` on `channel` (20 MHz wide, shaped like an OFDM signal) from
   * `position`, for `durationNs` from now. It has no preamble: receivers see energy and interference, never a frame.
   */
  noiseBurst(source: string, position: Position, powerDbm: number, channel: number, durationNs: number): void {
    if (!isChannel(channel) || !(durationNs > 0) || !Number.isFinite(powerDbm)) {
      this.trace('noise-ignored', 0, { source, channel: String(channel) });
      return;
    }
    const tx: Transmission = { id: this.nextId++, from: source, channel, ppdu: null, ofdm: true, timing: null, airtimeNs: Math.round(durationNs) };
    this.trace('noise', 0, { source, channel, dbm: powerDbm, duration: tx.airtimeNs });
    this.radiate(tx, position, powerDbm, null);
    for (const t of this.taps) t(tx, null);
  }

  /** Received power (dBm, before channel separation) at `to` of a transmitter of `dbm` at `from` on `channel`. */
  receivedDbm(from: Position, to: Position, dbm: number, channel: number): number {
    return dbm - pathLossDb(distanceM(from, to), channelFrequencyMHz(channel), this.config.pathLoss);
  }

  private radiate(tx: Transmission, from: Position, dbm: number, self: AirRadio | null): void {
    for (const r of this.radios) {
      if (r === self) continue;
      const to = r.position();
      const powerDbm = this.receivedDbm(from, to, dbm, tx.channel);
      if (powerDbm < this.config.ignoreBelowDbm) continue;
      const start = this.now + propagationDelayNs(distanceM(from, to));
      const a: Arrival = { tx, powerDbm, start, end: start + tx.airtimeNs, detectAt: start + this.config.detectNs, detected: false };
      r.addArrival(a);
    }
  }

  saveState(): WirelessMediumState {
    return saveMedium(this, this.nextId);
  }

  loadState(saved: { v: number }): void {
    this.nextId = loadMedium(this, saved);
  }
}
