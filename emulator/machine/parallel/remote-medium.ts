/**
 * A guest worker's view of the media its NICs are on. The NIC's MAC attaches to a RemoteMedium as it would to a
 * hub, cable or switch and gets a RemotePort: a replica of the real port's state (bit rate, duplex, link,
 * carrier) kept by the medium's messages, which run here as events at the times the medium made its calls; what
 * the MAC does to the port (transmit, renegotiate) becomes a message to the main thread, where station-proxy.ts
 * does it on the real port. A NIC with a PHY of its own (the BCM5701's) negotiates through the same messages: its
 * restarts and changed offers go to the main thread's replica of it on the real link segment, and the segment's calls
 * (restarted, page received, link up, link down) come back as events at their times.
 */
import type { LinkAbilities } from '../net/autoneg';
import type { Frame, FrameTap, Medium, NetPort, NetPortListener } from '../net/link';
import type { Time } from '../sim/time';
import type { AttachInfo, AutonegCall, PortCall, PortState } from './messages';
import type { Position, RadioListener, RadioPort } from '../net/wireless/radio';
import { RemoteRadio, type RadioAct, type RadioAttachInfo } from './radio-stand-ins';

export interface RemotePortSink {
  transmit(port: number, frame: Frame): void;
  renegotiate(port: number, fdx: boolean): void;
  /** The NIC's PHY restarted negotiation, offering `abil`; or what it offers changed. */
  autonegRestart(port: number, abil: LinkAbilities | null): void;
  autonegAbilities(port: number, abil: LinkAbilities | null): void;
  /** What the MAC did to an 802.11 radio (radio-stand-ins.ts). */
  radio(radio: number, a: RadioAct): void;
}

function sameAbilities(a: LinkAbilities | null, b: LinkAbilities | null): boolean {
  if (a === null || b === null) return a === b;
  return a.modes === b.modes && a.autoneg === b.autoneg && a.pause === b.pause && a.asymPause === b.asymPause && a.ms === b.ms && a.multiport === b.multiport;
}

export class RemotePort implements NetPort {
  bitRate = 10_000_000;
  fullDuplex = false;
  private link = false;
  private busy = false;
  /** What the PHY offered as the main thread last heard it (a PHY of its own: NetPortListener.autoneg). */
  private offered: LinkAbilities | null = null;
  /** Before the run starts the main thread learns the offer from the attach (`info.an`), not from messages. */
  live = false;

  constructor(
    readonly index: number,
    readonly listener: NetPortListener,
    private readonly sink: RemotePortSink,
    private readonly info: AttachInfo,
  ) {
    const an = listener.autoneg;
    if (!an) return;
    this.offered = an.abilities();
    info.an = { abil: this.offered, instant: an.instant === true, ...(an.timeScale !== undefined ? { timeScale: an.timeScale } : {}) };
    // The PHY's restart (a reset, the restart bit, power-down, a forced mode) goes to the real segment.
    an.attached?.({
      restart: () => {
        this.offered = an.abilities();
        if (this.live) this.sink.autonegRestart(this.index, this.offered);
        else info.an!.abil = this.offered;
      },
    });
  }

  /** The PHY's offer changed without a restart (a register written): tell the main thread's replica. */
  checkAbilities(): void {
    const an = this.listener.autoneg;
    if (!an) return;
    const a = an.abilities();
    if (sameAbilities(a, this.offered)) return;
    this.offered = a;
    if (this.live) this.sink.autonegAbilities(this.index, a);
    else this.info.an!.abil = a;
  }

  /** The segment's call on the PHY (a message's event). */
  applyAutoneg(c: AutonegCall): void {
    const an = this.listener.autoneg!;
    switch (c.call) {
      case 'restarted':
        an.restarted?.();
        break;
      case 'negotiated':
        an.negotiated?.(c.o);
        break;
      case 'up':
        an.linkUp?.(c.l);
        break;
      case 'down':
        an.linkDown?.();
        break;
    }
  }

  carrier(): boolean {
    return this.busy;
  }
  linkUp(): boolean {
    return this.link;
  }
  transmit(frame: Frame): void {
    this.sink.transmit(this.index, frame);
  }
  renegotiate(): void {
    this.sink.renegotiate(this.index, this.listener.fullDuplexCapable === true);
  }

  /** The real port's state at the time of the call being applied. */
  setState(st: PortState): void {
    [this.bitRate, this.fullDuplex, this.link, this.busy] = st;
  }

  /** The station says a carrier change may be taken late (NetPortListener.carrierQuiet). */
  quiet(): boolean {
    return this.listener.carrierQuiet?.() === true;
  }

  /**
   * Apply one call of the medium (a message's event): the state first, then the listener, as the medium would. `at`:
   * a carrier change taken late, made then (guest-gate.ts).
   */
  apply(call: PortCall, st: PortState, v: boolean | undefined, frame: Frame | undefined, at?: Time): void {
    this.setState(st);
    const l = this.listener;
    switch (call) {
      case 'rx':
        l.frameReceived(frame!);
        break;
      case 'done':
        l.transmitDone();
        break;
      case 'coll':
        l.collision();
        break;
      case 'carrier':
        l.carrierChanged?.(v === true, at);
        break;
      case 'link':
        l.linkChanged?.(v === true);
        break;
      case 'duplex':
        l.duplexChanged?.(v === true);
        break;
    }
  }
}

/** The media of one guest: every attach is a port of the guest, numbered in attach order. */
export class RemoteMedia {
  readonly ports: RemotePort[] = [];
  readonly attaches: AttachInfo[] = [];
  /** The guest's 802.11 radios, numbered in attach order, on the air of their links (the main thread's). */
  readonly radios: RemoteRadio[] = [];
  readonly radioAttaches: RadioAttachInfo[] = [];

  constructor(private readonly sink: RemotePortSink) {}

  /** The run starts (the main thread's 'go'): from now on a PHY's restart or changed offer is a message. */
  start(): void {
    for (const p of this.ports) p.live = true;
  }

  /**
   * Every station of the guest says a carrier change may be taken late (RemotePort.quiet), and it has no radio (the
   * air's calls are never taken late): the guest may run to its relaxed horizon (guest-gate.ts).
   */
  quiet(): boolean {
    return this.radios.length === 0 && this.ports.length > 0 && this.ports.every((p) => p.quiet());
  }

  /** Every PHY's offer against what the main thread last heard (before each event: guest-worker.ts). */
  checkAbilities(): void {
    for (const p of this.ports) p.checkAbilities();
  }

  /**
   * The air of wireless link `link`, as the NIC's radio attaches to it (network.ts connectNic). Where the radio is
   * and what the capture calls it live on the main thread, which attaches the real radio there.
   */
  air(link: string): { name: string; kind: 'wireless'; attach(l: RadioListener, name: string, position: () => Position): RadioPort; setCaptureAddress(): void } {
    return {
      name: link,
      kind: 'wireless',
      attach: (listener: RadioListener, name: string): RadioPort => {
        const r = new RemoteRadio(this.radios.length, listener, (i, a) => this.sink.radio(i, a));
        this.radios.push(r);
        this.radioAttaches.push({ link, name });
        return r;
      },
      setCaptureAddress: () => undefined,
    };
  }

  /** The Medium for scenario link `link`. */
  medium(link: string): Medium {
    return {
      name: link,
      attach: (listener: NetPortListener, name: string): NetPort => {
        const info: AttachInfo = { link, name, fdx: listener.fullDuplexCapable === true };
        const p = new RemotePort(this.ports.length, listener, this.sink, info);
        this.ports.push(p);
        this.attaches.push(info);
        return p;
      },
      tap: (_fn: FrameTap): void => {
        throw new Error(`${link}: taps live on the main thread`);
      },
    };
  }
}
