/**
 * The RT2560 MAC's side of the air: its radio on the medium (RadioListener/RadioPort, emulator/machine/net/wireless/
 * radio.ts), DCF channel access, the auto-responder and the ACK wait — what the silicon does without the driver.
 *
 * Channel access (IEEE 802.11-2012 9.3.4.3, 9.3.7): the medium is busy while CCA says so (physical carrier sense),
 * while the NAV runs (virtual carrier sense, 9.3.2.4: set from the Duration of correctly received frames not
 * addressed to us, except PS-Poll), while we transmit, and while a response is due. An access request waits for
 * the medium to be idle for its IFS (AIFS = SIFS + AIFSN × slot from the descriptor, or EIFS once after a frame
 * received in error, 9.3.2.3.7), then counts its backoff slots down, freezing them while busy (9.3.4.3).
 *
 * Inter-frame spaces come from CSR18 (SIFS) and CSR19 (EIFS) plus the PHY's receive-to-transmit turnaround
 * (timing.ts RXTX_TURNAROUND_NS), the slot from CSR11.SLOT_TIME.
 *
 * Auto-responder (TXCSR1.AUTORESPONDER): an ACK after SIFS for every correct data, management or PS-Poll frame to
 * our address; a CTS for an RTS to us when the NAV is idle (9.3.2.6); at the rate `responseRate` picks from ARCSR1
 * (9.7.6.5.2), with the preamble of the frame it answers. ACK wait: after a frame with TXD ACK, TXCSR1.ACK_TIMEOUT µs
 * for an ACK to our address (a CTS when the frame was an RTS); a reception still in progress at the deadline is
 * waited for (PHY-RXSTART, 9.3.2.8).
 */
import { SimEvent } from '../../emulator/machine/sim/event';
import { Priority } from '../../emulator/machine/sim/priority';
import type { Time } from '../../emulator/machine/sim/time';
import type { Position, Ppdu, RadioListener, RadioPort, RxInfo, WifiRate, WirelessMedium } from '../../emulator/machine/net/wireless/radio';
import type { Rt2560Core } from './core';
import { airtimeNs, responseRate } from './phy';
import { CSR, TXCSR1_BITS } from './regs';
import { RXTX_TURNAROUND_NS } from './timing';

/** A pending channel access: IFS, then `slots` idle slots, then `grant`. */
export interface AccessRequest {
  ifsNs: number;
  slots: number;
  /** The slot countdown started (medium idle for the IFS) at this time; -1 while frozen. */
  countFrom: Time;
}

export interface DcfState {
  channel: number | null;
  txPowerDbm: number | null;
  nav: Time;
  idleSince: Time;
  eifs: boolean;
  access: AccessRequest | null;
  grant: Time;
  response: { mpdu: number[]; rate: WifiRate; shortPreamble: boolean; at: Time } | null;
  responding: boolean;
  ackDeadline: Time;
  awaiting: 'ack' | 'cts';
  txBusy: boolean;
  localTxEnd: Time;
  navEnd: Time;
}

export class Dcf implements RadioListener {
  port: RadioPort | null = null;
  /** The channel the synthesizer is on (null: not tuned or off-table) and the RF power (dBm). */
  channel: number | null = null;
  txPowerDbm: number | null = null;
  private nav: Time = 0;
  private idleSince: Time = 0;
  private eifs = false;
  private access: AccessRequest | null = null;
  private response: { mpdu: Uint8Array; rate: WifiRate; shortPreamble: boolean } | null = null;
  /** Our response (ACK/CTS) is on the air. */
  private responding = false;
  /** Our own PPDU is on the air (data or response). */
  private txBusy = false;
  /** Whether a radio-less transmission is on its way (`localTxEv`). */
  private readonly grantEv: SimEvent;
  private readonly respEv: SimEvent;
  private readonly ackEv: SimEvent;
  private readonly navEv: SimEvent;
  private readonly localTxEv: SimEvent;
  /** Called when the access is granted, when our data PPDU left the antenna, and with the ACK wait's outcome. */
  onGrant: () => void = () => undefined;
  onTxDone: () => void = () => undefined;
  onAck: (ok: boolean) => void = () => undefined;

  constructor(private readonly c: Rt2560Core) {
    const n = c.ctx.name;
    this.grantEv = new SimEvent(`${n}.dcf-grant`, () => this.granted(), Priority.Device);
    this.respEv = new SimEvent(`${n}.dcf-response`, () => this.sendResponse(), Priority.Device);
    this.ackEv = new SimEvent(`${n}.dcf-ack-timeout`, () => this.ackTimeout(), Priority.Device);
    this.navEv = new SimEvent(`${n}.dcf-nav`, () => this.mediumMaybeIdle(), Priority.Device);
    this.localTxEv = new SimEvent(`${n}.dcf-local-tx`, () => this.txDone(), Priority.Device);
  }

  private get q() {
    return this.c.ctx.queue;
  }

  reset(): void {
    for (const ev of [this.grantEv, this.respEv, this.ackEv]) this.q.deschedule(ev);
    this.access = null;
    this.response = null;
    this.eifs = false;
  }

  connect(medium: WirelessMedium, position: () => Position): void {
    this.port = medium.attach(this, this.c.ctx.name, position);
    if (this.channel !== null) this.port.setChannel(this.channel);
    if (this.txPowerDbm !== null) this.port.setTxPowerDbm(this.txPowerDbm);
  }

  /** RF R2 written: the synthesizer moved (a reception in progress is lost: the medium's business). */
  tune(channel: number | null): void {
    this.c.trace('rf-tune', { channel: channel ?? 'off' });
    if (channel === null) return;
    this.channel = channel;
    this.port?.setChannel(channel);
  }

  setTxPower(dbm: number): void {
    this.txPowerDbm = dbm;
    this.port?.setTxPowerDbm(dbm);
  }

  radioPowered(awake: boolean): void {
    if (!awake) this.c.trace('radio-asleep', {});
  }

  // ---- timing from the CSRs ----

  get slotNs(): number {
    return Math.max(1, (this.c.get(CSR.CSR11) >>> 8) & 0x1f) * 1000;
  }

  get sifsNs(): number {
    return (this.c.get(CSR.CSR18) & 0x1ff) * 1000 + RXTX_TURNAROUND_NS;
  }

  get eifsNs(): number {
    return ((this.c.get(CSR.CSR19) >>> 16) & 0xffff) * 1000 + RXTX_TURNAROUND_NS;
  }

  /** AIFS for AIFSN `n` (descriptor W2 AIFS): SIFS + n slots (9.2.4.2; n = 2 is DIFS). */
  aifsNs(n: number): number {
    return this.sifsNs + n * this.slotNs;
  }

  private get busy(): boolean {
    return this.txBusy || this.responding || this.response !== null || this.nav > this.c.now || (this.port?.ccaBusy() ?? false);
  }

  // ---- channel access ----

  /** Ask for the medium: IFS then `slots` backoff slots (one request at a time; the TX engine's). */
  request(ifsNs: number, slots: number): void {
    this.access = { ifsNs, slots, countFrom: -1 };
    this.mediumMaybeIdle();
  }

  private schedule(): void {
    const a = this.access;
    if (!a || this.busy || this.grantEv.scheduled) return;
    const ifs = this.eifs ? Math.max(a.ifsNs, this.eifsNs) : a.ifsNs;
    a.countFrom = Math.max(this.c.now, this.idleSince + ifs);
    this.q.schedule(this.grantEv, a.countFrom + a.slots * this.slotNs);
  }

  /** The medium went busy: freeze the countdown with the slots that fully elapsed taken off (9.3.4.3). */
  private mediumBusy(): void {
    const a = this.access;
    if (!a || !this.grantEv.scheduled) return;
    this.q.deschedule(this.grantEv);
    if (a.countFrom >= 0 && this.c.now > a.countFrom) a.slots = Math.max(0, a.slots - Math.floor((this.c.now - a.countFrom) / this.slotNs));
    a.countFrom = -1;
  }

  /** Something that made the medium busy ended: if nothing else holds it, it is idle from now. */
  private mediumMaybeIdle(): void {
    if (this.busy) {
      if (this.nav > this.c.now && !this.navEv.scheduled) this.q.schedule(this.navEv, this.nav);
      return;
    }
    if (this.nav <= this.c.now && this.idleSince < this.nav) this.idleSince = this.nav;
    this.schedule();
  }

  private granted(): void {
    this.access = null;
    this.eifs = false;
    this.onGrant();
  }

  /** Put a PPDU on the air now (data, management, beacon or a response). */
  transmit(ppdu: Ppdu): void {
    this.txBusy = true;
    this.mediumBusy();
    if (this.port && this.c.awake) {
      this.port.transmit(ppdu);
      return;
    }
    // No medium, or the RF is not awake (PWRCSR1): the frame goes nowhere but takes its airtime.
    this.c.trace('tx-no-radio', { reason: this.port ? 'asleep' : 'unconnected', len: ppdu.mpdu.length }, ppdu.pktId);
    this.q.schedule(this.localTxEv, this.c.now + airtimeNs(ppdu.mpdu.length + 4, ppdu.rate, ppdu.shortPreamble));
  }

  // ---- RadioListener ----

  txDone(): void {
    this.txBusy = false;
    this.idleSince = this.c.now;
    if (this.responding) {
      this.responding = false;
      this.mediumMaybeIdle();
      return;
    }
    this.mediumMaybeIdle();
    this.onTxDone();
  }

  ccaChanged(busy: boolean): void {
    if (busy) this.mediumBusy();
    else {
      this.idleSince = this.c.now;
      this.mediumMaybeIdle();
    }
  }

  rxEnd(ppdu: Ppdu, rx: RxInfo): void {
    if (!this.c.awake) {
      this.c.trace('rx-asleep', { len: ppdu.mpdu.length }, ppdu.pktId);
      return;
    }
    const m = ppdu.mpdu;
    if (!rx.headerOk || !rx.ok || m.length < 10) {
      this.eifs = true;
      this.c.rx.deliver(ppdu, rx);
      return;
    }
    this.eifs = false;
    const type = (m[0]! >>> 2) & 3;
    const subtype = m[0]! >>> 4;
    const toMe = this.c.isOwnAddress(m, 4);
    const dur = m[2]! | (m[3]! << 8);
    if (type === 1 && subtype === (this.awaiting === 'cts' ? 12 : 13) && toMe && this.ackEv.scheduled) this.ackReceived(ppdu);
    if (!toMe && dur < 0x8000 && !(type === 1 && subtype === 10)) this.setNav(this.c.now + dur * 1000);
    const enabled = this.c.rx.enabled;
    if (toMe && enabled && this.c.get(CSR.TXCSR1) & TXCSR1_BITS.AUTORESPONDER && m.length >= 16) {
      if (type === 0 || type === 2 || (type === 1 && subtype === 10)) this.respond(0xd4, ppdu, (m[1]! & 0x04) !== 0 ? dur : -1);
      else if (type === 1 && subtype === 11 && this.nav <= this.c.now) this.respond(0xc4, ppdu, dur);
    }
    if (type === 0 && (subtype === 8 || subtype === 5)) this.c.tsf.beaconReceived(m, ppdu.rate, ppdu.shortPreamble);
    this.c.rx.deliver(ppdu, rx);
  }

  private setNav(until: Time): void {
    if (until <= this.nav) return;
    const wasBusy = this.busy;
    this.nav = until;
    this.q.deschedule(this.navEv);
    this.q.schedule(this.navEv, until);
    if (!wasBusy) this.mediumBusy();
  }

  // ---- auto-responder ----

  /**
   * Schedule an ACK (fc 0xd4) or CTS (0xc4) to the transmitter of `rx` after SIFS. Duration (9.2.5.7, 9.2.5.6):
   * `rxDur` − SIFS − our airtime for a CTS or for the ACK of a fragment with more to come (`rxDur` −1: 0).
   */
  private respond(fc: number, rx: Ppdu, rxDur: number): void {
    const basic = this.c.get(CSR.ARCSR1);
    const rate = responseRate(rx.rate, basic);
    const shortPreamble = rx.shortPreamble && rate !== 1;
    const air = airtimeNs(14, rate, shortPreamble);
    const dur = rxDur < 0 ? 0 : Math.max(0, Math.ceil((rxDur * 1000 - this.sifsNs - air) / 1000));
    const f = new Uint8Array(10);
    f[0] = fc;
    f[2] = dur & 0xff;
    f[3] = (dur >>> 8) & 0x7f;
    f.set(rx.mpdu.subarray(10, 16), 4);
    if (this.respEv.scheduled) this.c.trace('response-overrun', { fc });
    this.q.deschedule(this.respEv);
    this.response = { mpdu: f, rate, shortPreamble };
    this.mediumBusy();
    this.q.schedule(this.respEv, this.c.now + this.sifsNs);
  }

  private sendResponse(): void {
    const r = this.response;
    this.response = null;
    if (!r) return;
    if (this.txBusy) {
      this.c.trace('response-dropped', { reason: 'transmitting' });
      this.mediumMaybeIdle();
      return;
    }
    this.responding = true;
    if (r.mpdu[0] === 0xd4) this.c.counters.acksSent++;
    this.c.trace('auto-response', { kind: r.mpdu[0] === 0xd4 ? 'ack' : 'cts', rate: r.rate }, 0);
    this.transmit({ mpdu: r.mpdu, pktId: 0, rate: r.rate, shortPreamble: r.shortPreamble });
  }

  // ---- ACK wait ----

  /** Which response the ACK wait expects: an ACK, or a CTS to our RTS (9.3.2.6). */
  private awaiting: 'ack' | 'cts' = 'ack';

  /** Our frame needing a response left the antenna: wait TXCSR1.ACK_TIMEOUT µs for it. */
  awaitAck(response: 'ack' | 'cts' = 'ack'): void {
    this.awaiting = response;
    const us = this.c.get(CSR.TXCSR1) & TXCSR1_BITS.ACK_TIMEOUT;
    this.q.schedule(this.ackEv, this.c.now + us * 1000);
  }

  private ackReceived(ppdu: Ppdu): void {
    this.q.deschedule(this.ackEv);
    // The ACK is a frame of its own (packet id 0 on the air); the record is about the frame it acknowledges.
    this.c.trace('ack-received', { rate: ppdu.rate }, this.c.tx.job?.pktId ?? 0);
    this.onAck(true);
  }

  private ackTimeout(): void {
    // A PPDU still arriving may be the ACK: wait for it slot by slot (9.3.2.8: PHY-RXSTART within the timeout).
    if (this.port?.ccaBusy()) {
      this.q.schedule(this.ackEv, this.c.now + this.slotNs);
      return;
    }
    this.onAck(false);
  }

  get waitingForAck(): boolean {
    return this.ackEv.scheduled;
  }

  saveState(): DcfState {
    const when = (e: SimEvent): Time => (e.scheduled ? e.when : -1);
    return {
      channel: this.channel, txPowerDbm: this.txPowerDbm, nav: this.nav, idleSince: this.idleSince, eifs: this.eifs,
      access: this.access ? { ...this.access } : null, grant: when(this.grantEv),
      response: this.response ? { mpdu: Array.from(this.response.mpdu), rate: this.response.rate, shortPreamble: this.response.shortPreamble, at: when(this.respEv) } : null,
      responding: this.responding, ackDeadline: when(this.ackEv), awaiting: this.awaiting, txBusy: this.txBusy, localTxEnd: when(this.localTxEv), navEnd: when(this.navEv),
    };
  }

  loadState(s: DcfState): void {
    this.channel = s.channel;
    this.txPowerDbm = s.txPowerDbm;
    this.nav = s.nav;
    this.idleSince = s.idleSince;
    this.eifs = s.eifs;
    this.access = s.access ? { ...s.access } : null;
    this.response = s.response ? { mpdu: Uint8Array.from(s.response.mpdu), rate: s.response.rate, shortPreamble: s.response.shortPreamble } : null;
    this.responding = s.responding;
    this.awaiting = s.awaiting;
    this.txBusy = s.txBusy;
    const re = (e: SimEvent, t: Time): void => {
      this.q.deschedule(e);
      if (t >= 0) this.q.schedule(e, t);
    };
    re(this.grantEv, s.grant);
    re(this.respEv, s.response?.at ?? -1);
    re(this.ackEv, s.ackDeadline);
    re(this.localTxEv, s.localTxEnd);
    re(this.navEv, s.navEnd);
  }
}
