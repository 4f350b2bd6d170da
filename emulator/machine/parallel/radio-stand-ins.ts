/**
 * A guest's 802.11 radio across the thread boundary (docs/guest-time-model.md "Guests in worker threads"), as
 * station-proxy.ts and remote-medium.ts are for wires. The air (its physics, interference, CCA, the error model)
 * stays on the main thread; there a RadioProxy is the radio's listener on the real AirRadio, posting each of the
 * medium's calls (a PPDU received, CCA changed, our transmission done) to the worker stamped with its time and with
 * what the radio's CCA says then. In the worker a RemoteRadio is the RadioPort the NIC model's MAC uses: CCA, the
 * channel, the transmit power and "transmitting" as the last message left them, and what the MAC does (transmit,
 * tune, set the power) becomes a causal message the main thread carries out on the real radio at its arrival.
 *
 * The air's lookahead (WirelessChannel.lookahead) is its detection time: a signal reaches no other radio's MAC before
 * CCA notices it, 4 µs after it reaches the antenna (its end and header check come later still).
 */
import type { Ppdu, RadioListener, RadioPort, RxInfo, WifiRate } from '../net/wireless/radio';
import { airtimeNs, isChannel } from '../net/wireless/phy';

/** What the main thread's radio says with each call: its channel, transmit power (dBm) and CCA at that moment. */
export type RadioState = [channel: number, txPowerDbm: number, cca: boolean];

/** The medium's call on a radio (RadioListener), as a message to the guest's worker. */
export type RadioCall = { call: 'rx'; ppdu: Ppdu; rx: RxInfo } | { call: 'cca'; busy: boolean } | { call: 'done' };

/** What a guest's MAC did to its radio, as a message to the main thread. */
export type RadioAct = { act: 'tx'; ppdu: Ppdu } | { act: 'channel'; channel: number } | { act: 'power'; dbm: number };

/** A radio of the guest, as the worker tells the main thread about it ('hello'). */
export interface RadioAttachInfo {
  link: string;
  name: string;
}

/** The worker's side: the RadioPort the MAC drives. */
export class RemoteRadio implements RadioPort {
  channel = 1;
  txPowerDbm = 0;
  private cca = false;
  private sending = false;

  constructor(
    readonly index: number,
    readonly listener: RadioListener,
    private readonly act: (radio: number, a: RadioAct) => void,
  ) {}

  /** The real radio's state (at 'go', and with each call). */
  setState(st: RadioState): void {
    [this.channel, this.txPowerDbm, this.cca] = st;
  }

  setChannel(channel: number): void {
    // The real radio ignores (and traces) a channel outside 1–14; the replica ignores it too.
    if (isChannel(channel)) this.channel = channel;
    this.act(this.index, { act: 'channel', channel });
  }
  setTxPowerDbm(dbm: number): void {
    if (Number.isFinite(dbm)) this.txPowerDbm = dbm;
    this.act(this.index, { act: 'power', dbm });
  }
  ccaBusy(): boolean {
    return this.cca;
  }
  transmitting(): boolean {
    return this.sending;
  }
  transmit(ppdu: Ppdu): void {
    this.sending = true;
    this.act(this.index, { act: 'tx', ppdu });
  }
  airtimeNs(bytes: number, rate: WifiRate, shortPreamble: boolean): number {
    return airtimeNs(bytes, rate, shortPreamble);
  }

  /** One call of the medium (a message's event): the radio's state first, then the listener, as the medium would. */
  apply(c: RadioCall, st: RadioState): void {
    this.setState(st);
    switch (c.call) {
      case 'rx':
        this.listener.rxEnd(c.ppdu, c.rx);
        break;
      case 'cca':
        this.listener.ccaChanged(c.busy);
        break;
      case 'done':
        this.sending = false;
        this.listener.txDone();
        break;
    }
  }
}

/** The main thread's side: the listener on the real radio, and what the guest's MAC did, carried out. */
export class RadioProxy implements RadioListener {
  port: RadioPort | null = null;

  constructor(
    private readonly index: number,
    private readonly send: (radio: number, c: RadioCall, st: RadioState) => void,
  ) {}

  /** The real radio's state now. */
  state(): RadioState {
    const p = this.port!;
    return [p.channel, p.txPowerDbm, p.ccaBusy()];
  }

  rxEnd(ppdu: Ppdu, rx: RxInfo): void {
    this.send(this.index, { call: 'rx', ppdu, rx }, this.state());
  }
  ccaChanged(busy: boolean): void {
    this.send(this.index, { call: 'cca', busy }, this.state());
  }
  txDone(): void {
    this.send(this.index, { call: 'done' }, this.state());
  }

  /** A message of the guest's MAC, at its arrival time. */
  act(a: RadioAct): void {
    const p = this.port!;
    if (a.act === 'tx') p.transmit(a.ppdu);
    else if (a.act === 'channel') p.setChannel(a.channel);
    else p.setTxPowerDbm(a.dbm);
  }
}
