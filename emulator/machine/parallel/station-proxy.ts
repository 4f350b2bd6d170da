/**
 * The main thread's stand-in for a guest's NIC on a medium: it is the station the hub, cable or switch sees
 * (NetPortListener), forwarding every call to the guest's worker as a message stamped with the time it was made,
 * with the port's state at that moment; and it carries out the guest's transmissions and renegotiations on the
 * real port when their messages run here (remote-medium.ts is the other half).
 */
import type { Frame, Medium, NetPort, NetPortListener } from '../net/link';
import type { PortCall, PortState } from './messages';

export type PortCallSink = (port: number, call: PortCall, st: PortState, extra: { v?: boolean; frame?: Frame }) => void;

export class StationProxy implements NetPortListener {
  fullDuplexCapable: boolean;
  readonly port: NetPort;
  /** Calls the medium made inside attach(), before the port existed: sent once it does. */
  private early: [PortCall, { v?: boolean; frame?: Frame }][] | null = [];

  constructor(
    readonly medium: Medium,
    name: string,
    fdx: boolean,
    private readonly index: number,
    private readonly send: PortCallSink,
  ) {
    this.fullDuplexCapable = fdx;
    this.port = medium.attach(this, name);
    const early = this.early!;
    this.early = null;
    for (const [call, extra] of early) this.call(call, extra);
  }

  /** The port's state now, as the guest's replica holds it. */
  state(): PortState {
    const p = this.port;
    return [p.bitRate, p.fullDuplex, p.linkUp(), p.carrier()];
  }

  frameReceived(frame: Frame): void {
    this.call('rx', { frame });
  }
  transmitDone(): void {
    this.call('done', {});
  }
  collision(): void {
    this.call('coll', {});
  }
  carrierChanged(busy: boolean): void {
    this.call('carrier', { v: busy });
  }
  linkChanged(up: boolean): void {
    this.call('link', { v: up });
  }
  duplexChanged(full: boolean): void {
    this.call('duplex', { v: full });
  }

  /** The guest's MAC put a frame on the wire (its message's time is now). */
  transmit(frame: Frame): void {
    this.port.transmit(frame);
  }

  /** The guest's station changed its duplex ability (RTL8029 CONFIG3.FUDUP). */
  renegotiate(fdx: boolean): void {
    this.fullDuplexCapable = fdx;
    this.port.renegotiate?.();
  }

  private call(call: PortCall, extra: { v?: boolean; frame?: Frame }): void {
    if (this.early) {
      this.early.push([call, extra]);
      return;
    }
    this.send(this.index, call, this.state(), extra);
  }
}

/** The frame a guest's 'tx' message carries. */
export function frameOf(m: { data: Uint8Array; pkt: number; bad?: true; align?: true }): Frame {
  return { data: m.data, pktId: m.pkt, ...(m.bad ? { badFcs: true } : {}), ...(m.align ? { alignmentError: true } : {}) };
}
