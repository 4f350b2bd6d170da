/**
 * The main thread's stand-in for a guest's NIC on a medium: it is the station the hub, cable or switch sees
 * (NetPortListener), forwarding every call to the guest's worker as a message stamped with the time it was made,
 * with the port's state at that moment; and it carries out the guest's transmissions and renegotiations on the
 * real port when their messages run here (remote-medium.ts is the other half).
 */
import type { LinkAbilities, NegotiatedLink, NegotiationOutcome } from '../net/autoneg';
import type { Frame, Medium, NetPort, NetPortListener } from '../net/link';
import type { AutonegControl, AutonegEndpoint } from '../net/link-segment';
import type { AttachInfo, AutonegCall, PortCall, PortState } from './messages';

export type PortCallSink = (port: number, call: PortCall, st: PortState, extra: { v?: boolean; frame?: Frame }) => void;
export type AutonegSink = (port: number, call: AutonegCall) => void;

/**
 * The guest's PHY as the link segment sees it: what it offers as its worker last said (a restart's or a changed
 * offer's message, each run here at its arrival time), and the segment's calls posted back to the worker.
 */
class RemoteAutoneg implements AutonegEndpoint {
  readonly instant: boolean;
  readonly timeScale?: number;
  private offer: LinkAbilities | null;
  private control: AutonegControl | null = null;

  constructor(
    info: NonNullable<AttachInfo['an']>,
    private readonly send: (call: AutonegCall) => void,
  ) {
    this.instant = info.instant;
    if (info.timeScale !== undefined) this.timeScale = info.timeScale;
    this.offer = info.abil;
  }

  abilities(): LinkAbilities | null {
    return this.offer;
  }
  attached(control: AutonegControl): void {
    this.control = control;
  }
  restarted(): void {
    this.send({ call: 'restarted' });
  }
  negotiated(o: NegotiationOutcome): void {
    this.send({ call: 'negotiated', o });
  }
  linkUp(l: NegotiatedLink): void {
    this.send({ call: 'up', l });
  }
  linkDown(): void {
    this.send({ call: 'down' });
  }

  /** The worker's PHY restarted (offering `abil`), or its offer changed. */
  restart(abil: LinkAbilities | null): void {
    this.offer = abil;
    this.control?.restart();
  }
  offers(abil: LinkAbilities | null): void {
    this.offer = abil;
  }
}

export class StationProxy implements NetPortListener {
  fullDuplexCapable: boolean;
  readonly autoneg?: RemoteAutoneg;
  readonly port: NetPort;
  /** Calls the medium made inside attach(), before the port existed: sent once it does. */
  private early: (() => void)[] | null = [];

  constructor(
    readonly medium: Medium,
    info: AttachInfo,
    private readonly index: number,
    private readonly send: PortCallSink,
    sendAutoneg: AutonegSink,
  ) {
    this.fullDuplexCapable = info.fdx;
    if (info.an) this.autoneg = new RemoteAutoneg(info.an, (c) => this.callAutoneg(c, sendAutoneg));
    this.port = medium.attach(this, info.name);
    const early = this.early!;
    this.early = null;
    for (const f of early) f();
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

  /** The guest's PHY restarted negotiation (its message's time is now), or changed what it offers. */
  autonegRestart(abil: LinkAbilities | null): void {
    this.autoneg?.restart(abil);
  }
  autonegOffers(abil: LinkAbilities | null): void {
    this.autoneg?.offers(abil);
  }

  /** The guest's station changed its duplex ability (RTL8029 CONFIG3.FUDUP). */
  renegotiate(fdx: boolean): void {
    this.fullDuplexCapable = fdx;
    this.port.renegotiate?.();
  }

  private callAutoneg(c: AutonegCall, sink: AutonegSink): void {
    if (this.early) this.early.push(() => sink(this.index, c));
    else sink(this.index, c);
  }

  private call(call: PortCall, extra: { v?: boolean; frame?: Frame }): void {
    if (this.early) {
      this.early.push(() => this.call(call, extra));
      return;
    }
    this.send(this.index, call, this.state(), extra);
  }
}

/** The frame a guest's 'tx' message carries. */
export function frameOf(m: { data: Uint8Array; pkt: number; bad?: true; align?: true }): Frame {
  return { data: m.data, pktId: m.pkt, ...(m.bad ? { badFcs: true } : {}), ...(m.align ? { alignmentError: true } : {}) };
}
