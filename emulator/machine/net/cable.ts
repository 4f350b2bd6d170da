import type { ComponentContext } from '../sim/context';
import type { Time } from '../sim/time';
import { Lane } from './delay-line';
import type { Frame, FrameTap, Medium, NetPort, NetPortListener } from './link';
import { WireProbes } from './wire-probes';

export interface CableOptions {
  /** Bits per second in each direction (default 10 Mb/s). */
  bitRate?: number;
  /** Cable length in metres (default 10). */
  lengthM?: number;
  /** Propagation in ns per metre (default 5: about 0.67 c, twisted pair). */
  nsPerM?: number;
  /** Overrides lengthM × nsPerM. */
  propagationNs?: Time;
}

interface CableEnd {
  readonly name: string;
  readonly listener: NetPortListener;
  /** Frames this end sends. */
  readonly lane: Lane;
  readonly port: NetPort;
}

/**
 * A point-to-point full-duplex cable (a crossover twisted pair, or a NIC patched to a switch port). Each
 * direction serializes one frame at a time and adds the propagation delay; the two directions are independent.
 * No carrier sense and no collisions. Taps see each frame when its last bit left the sender.
 */
export class Cable implements Medium {
  readonly name: string;
  readonly bitRate: number;
  readonly propagation: Time;
  private readonly ends: CableEnd[] = [];
  private up = true;
  private readonly probes: WireProbes;
  /**
   * Fault injection (emulator/machine/net/fault.ts): sees every frame about to be handed to a station's port and
   * returns what that station receives (the frame, a copy marked badFcs) or null (lost). Null: no faults.
   */
  deliveryFilter: ((frame: Frame, toPort: string) => Frame | null) | null = null;

  constructor(private readonly ctx: ComponentContext, opts: CableOptions = {}) {
    this.name = ctx.name;
    this.bitRate = opts.bitRate ?? 10_000_000;
    this.propagation = opts.propagationNs ?? Math.round((opts.lengthM ?? 10) * (opts.nsPerM ?? 5));
    if (!(this.bitRate > 0)) throw new RangeError(`${this.name}: bad bit rate ${this.bitRate}`);
    this.probes = new WireProbes(ctx);
  }

  attach(listener: NetPortListener, name: string): NetPort {
    if (this.ends.length >= 2) throw new Error(`${this.name}: a cable has two ends (attaching ${name})`);
    if (this.ends.some((e) => e.name === name)) throw new Error(`${this.name}: '${name}' is already attached`);
    const index = this.ends.length;
    const lane = new Lane(
      this.ctx.queue,
      `${this.name}.${index === 0 ? 'ab' : 'ba'}`,
      this.bitRate,
      this.propagation,
      (f) => this.sent(index, f),
      (f) => this.arrive(index, f),
    );
    const self = this;
    const port: NetPort = {
      bitRate: this.bitRate,
      fullDuplex: true,
      carrier: () => false,
      linkUp: () => self.linkUp(),
      transmit: (f) => self.transmit(index, f),
    };
    this.ends.push({ name, listener, lane, port });
    if (this.ends.length === 2 && this.up) for (const e of this.ends) e.listener.linkChanged?.(true);
    return port;
  }

  tap(fn: FrameTap): void {
    this.probes.addTap(fn);
  }

  /** Link integrity: both ends attached and the cable not pulled. */
  linkUp(): boolean {
    return this.up && this.ends.length === 2;
  }

  /** Fault injection: pull (false) or re-plug (true) the cable. Frames in flight when it is pulled are lost. */
  setLinkUp(up: boolean): void {
    if (up === this.up) return;
    const before = this.linkUp();
    this.up = up;
    if (before !== this.linkUp()) for (const e of this.ends) e.listener.linkChanged?.(this.linkUp());
  }

  private transmit(from: number, frame: Frame): void {
    const end = this.ends[from]!;
    if (!end.lane.send(frame)) {
      this.probes.drop(frame, 'busy', { port: end.name });
      return;
    }
    this.probes.txStart(end.name, frame);
  }

  private sent(from: number, frame: Frame): void {
    const end = this.ends[from]!;
    if (this.linkUp()) this.probes.completed(frame, end.name);
    end.listener.transmitDone();
  }

  private arrive(from: number, frame: Frame): void {
    const to = this.ends[1 - from];
    if (!to) {
      this.probes.drop(frame, 'no-peer', { port: this.ends[from]!.name });
      return;
    }
    if (!this.linkUp()) {
      this.probes.drop(frame, 'link-down', { port: to.name });
      return;
    }
    const f = this.deliveryFilter ? this.deliveryFilter(frame, to.name) : frame;
    if (!f) return;
    this.probes.deliver(to.name, f);
    to.listener.frameReceived(f);
  }
}
