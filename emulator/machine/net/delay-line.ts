import { SimEvent } from '../sim/event';
import type { EventQueue } from '../sim/event-queue';
import { Priority } from '../sim/priority';
import type { Time } from '../sim/time';
import type { EventState } from '../sim/snapshot';
import { frameWireTimeNs, type Frame } from './link';
import { loadFrame, saveFrame, type FrameState } from './frame-state';

/** One item travelling through a delay line, with the absolute time it comes out. */
export interface InFlight<T> {
  readonly at: Time;
  readonly item: T;
}

/**
 * A FIFO with one owned event: items pushed in come out in order at their given time (a propagation delay,
 * a switch's forwarding latency). Exit times must not go backwards, which holds for any constant delay.
 */
export class DelayLine<T> {
  private items: InFlight<T>[] = [];
  private readonly ev: SimEvent;

  constructor(
    private readonly queue: EventQueue,
    name: string,
    readonly delay: Time,
    private readonly out: (item: T) => void,
    priority: number = Priority.Wire,
  ) {
    if (!Number.isInteger(delay) || delay < 0) throw new RangeError(`${name}: bad delay ${delay}`);
    this.ev = new SimEvent(name, () => this.fire(), priority);
  }

  get length(): number {
    return this.items.length;
  }

  /** Items still in flight, in exit order (snapshots, the debugger). */
  inFlight(): readonly InFlight<T>[] {
    return this.items;
  }

  push(item: T, at: Time = this.queue.now + this.delay): void {
    const last = this.items[this.items.length - 1];
    if (last && at < last.at) throw new RangeError(`${this.ev.name}: exit time ${at} before ${last.at}`);
    this.items.push({ at, item });
    if (!this.ev.scheduled) this.queue.schedule(this.ev, at);
  }

  clear(): void {
    this.items = [];
    this.queue.deschedule(this.ev);
  }

  /** Snapshot: the items in flight with their exit times (the one event is due at the first of them). */
  saveState<J>(enc: (item: T) => J): InFlight<J>[] {
    return this.items.map((x) => ({ at: x.at, item: enc(x.item) }));
  }

  /** Restore the items in flight; the event is rescheduled at the first exit time. */
  loadState<J>(items: readonly InFlight<J>[], dec: (j: J) => T): void {
    this.clear();
    for (const x of items) this.push(dec(x.item), x.at);
  }

  private fire(): void {
    const head = this.items.shift();
    const next = this.items[0];
    if (next) this.queue.schedule(this.ev, next.at);
    if (head) this.out(head.item);
  }
}

/** A Lane in a snapshot: the frame being serialized (and when its last bit leaves), frames propagating. */
export interface LaneState {
  current: FrameState | null;
  sent: EventState;
  line: InFlight<FrameState>[];
}

/**
 * One direction of a point-to-point wire: a serializer (one frame at a time, for its wire time at `bitRate`)
 * followed by a propagation delay. `onSent` runs when the last bit left the sender, `onArrive` when it
 * reached the far end. `bitRate` is the negotiated speed: the medium sets it when the link comes up (a frame
 * already serializing keeps the time it started with).
 */
export class Lane {
  private current: Frame | null = null;
  private readonly sentEv: SimEvent;
  private readonly line: DelayLine<Frame>;

  constructor(
    private readonly queue: EventQueue,
    readonly name: string,
    public bitRate: number,
    readonly propagation: Time,
    private readonly onSent: (frame: Frame) => void,
    onArrive: (frame: Frame) => void,
  ) {
    this.sentEv = new SimEvent(`${name}.sent`, () => this.sent(), Priority.Wire);
    this.line = new DelayLine(queue, `${name}.arrive`, propagation, onArrive);
  }

  /** A frame is being serialized now. */
  get busy(): boolean {
    return this.current !== null;
  }

  /** Frames whose last bit left but has not arrived yet. */
  get propagating(): number {
    return this.line.length;
  }

  /** Start serializing `frame`; false (nothing happens) if a frame is already being serialized. */
  send(frame: Frame): boolean {
    if (this.current) return false;
    this.current = frame;
    this.queue.scheduleIn(this.sentEv, frameWireTimeNs(frame.data.length, this.bitRate));
    return true;
  }

  saveState(): LaneState {
    return { current: this.current ? saveFrame(this.current) : null, sent: this.sentEv.when, line: this.line.saveState(saveFrame) };
  }

  loadState(s: LaneState): void {
    this.queue.deschedule(this.sentEv);
    this.current = s.current ? loadFrame(s.current) : null;
    if (this.current && s.sent >= 0) this.queue.schedule(this.sentEv, s.sent);
    this.line.loadState(s.line, loadFrame);
  }

  private sent(): void {
    const f = this.current;
    this.current = null;
    if (!f) return;
    this.line.push(f);
    this.onSent(f);
  }
}
