/**
 * A guest worker's view of the media its NICs are on. The NIC's MAC attaches to a RemoteMedium as it would to a
 * hub, cable or switch and gets a RemotePort: a replica of the real port's state (bit rate, duplex, link,
 * carrier) kept by the medium's messages, which run here as events at the times the medium made its calls; what
 * the MAC does to the port (transmit, renegotiate) becomes a message to the main thread, where station-proxy.ts
 * does it on the real port.
 */
import type { Frame, FrameTap, Medium, NetPort, NetPortListener } from '../net/link';
import type { AttachInfo, PortCall, PortState } from './messages';

export interface RemotePortSink {
  transmit(port: number, frame: Frame): void;
  renegotiate(port: number, fdx: boolean): void;
}

export class RemotePort implements NetPort {
  bitRate = 10_000_000;
  fullDuplex = false;
  private link = false;
  private busy = false;

  constructor(
    readonly index: number,
    readonly listener: NetPortListener,
    private readonly sink: RemotePortSink,
  ) {}

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

  /** Apply one call of the medium (a message's event): the state first, then the listener, as the medium would. */
  apply(call: PortCall, st: PortState, v: boolean | undefined, frame: Frame | undefined): void {
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
        l.carrierChanged?.(v === true);
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

  constructor(private readonly sink: RemotePortSink) {}

  /** The Medium for scenario link `link`. */
  medium(link: string): Medium {
    return {
      name: link,
      attach: (listener: NetPortListener, name: string): NetPort => {
        if (listener.autoneg) throw new Error(`${name} has a PHY that auto-negotiates with its link: it cannot run in a worker thread yet (run without --threads)`);
        const p = new RemotePort(this.ports.length, listener, this.sink);
        this.ports.push(p);
        this.attaches.push({ link, name, fdx: listener.fullDuplexCapable === true });
        return p;
      },
      tap: (_fn: FrameTap): void => {
        throw new Error(`${link}: taps live on the main thread`);
      },
    };
  }
}
