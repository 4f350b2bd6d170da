import type { ComponentContext } from '../sim/context';
import { SimEvent } from '../sim/event';
import { Priority } from '../sim/priority';
import type { EventState } from '../sim/snapshot';
import type { Time } from '../sim/time';
import type { Frame } from './link';

/**
 * IEEE 802.3 annex 31B: MAC Control PAUSE (802.3x flow control), full duplex only. A PAUSE frame goes to the
 * reserved multicast 01-80-C2-00-00-01 (or the receiver's own address), type 0x8808, opcode 0x0001, then
 * pause_time in quanta of 512 bit times, padded to the minimum frame. A receiver with PAUSE enabled stops
 * starting new frames for pause_time quanta (the frame on the wire finishes); a new PAUSE replaces the timer;
 * pause_time 0 resumes at once. MAC Control frames are never forwarded by a bridge (802.1D reserved address).
 */
export const PAUSE_DA = [0x01, 0x80, 0xc2, 0x00, 0x00, 0x01] as const;
export const ETHERTYPE_MAC_CONTROL = 0x8808;
export const MAC_CONTROL_PAUSE = 0x0001;
export const PAUSE_QUANTUM_BITS = 512;
/** XOFF: the longest pause; XON is pause_time 0. */
export const PAUSE_MAX_QUANTA = 0xffff;

/** One pause quantum at `bitRate`, in ns (512 ns at 1 Gb/s, 5.12 µs at 100 Mb/s, 51.2 µs at 10 Mb/s). */
export function pauseQuantumNs(bitRate: number): number {
  return (PAUSE_QUANTUM_BITS * 1e9) / bitRate;
}

/** `quanta` pause quanta at `bitRate`, in whole ns. */
export function pauseTimeNs(quanta: number, bitRate: number): Time {
  return Math.round((quanta * PAUSE_QUANTUM_BITS * 1e9) / bitRate);
}

/** A 60-byte PAUSE frame (the FCS is the wire's) from station address `src`. */
export function buildPauseFrame(src: ArrayLike<number>, quanta: number, pktId = 0): Frame {
  const d = new Uint8Array(60);
  d.set(PAUSE_DA, 0);
  for (let i = 0; i < 6; i++) d[6 + i] = src[i] ?? 0;
  d[12] = ETHERTYPE_MAC_CONTROL >> 8;
  d[13] = ETHERTYPE_MAC_CONTROL & 0xff;
  d[14] = MAC_CONTROL_PAUSE >> 8;
  d[15] = MAC_CONTROL_PAUSE & 0xff;
  const q = Math.max(0, Math.min(PAUSE_MAX_QUANTA, Math.trunc(quanta)));
  d[16] = q >> 8;
  d[17] = q & 0xff;
  return { data: d, pktId };
}

/** The frame is a MAC Control frame (type 0x8808, whatever its opcode). */
export function isMacControl(data: Uint8Array): boolean {
  return data.length >= 16 && data[12] === ETHERTYPE_MAC_CONTROL >> 8 && data[13] === (ETHERTYPE_MAC_CONTROL & 0xff);
}

/**
 * pause_time of a PAUSE frame addressed to the reserved address or to `own` (a 6-byte address, optional), or null
 * when the frame is not a PAUSE for us (another opcode, another address, too short).
 */
export function parsePause(data: Uint8Array, own?: ArrayLike<number>): number | null {
  if (!isMacControl(data) || data.length < 18) return null;
  if (data[14] !== 0 || data[15] !== MAC_CONTROL_PAUSE) return null;
  let reserved = true;
  let mine = own !== undefined;
  for (let i = 0; i < 6; i++) {
    if (data[i] !== PAUSE_DA[i]) reserved = false;
    if (own && data[i] !== own[i]) mine = false;
  }
  if (!reserved && !mine) return null;
  return (data[16]! << 8) | data[17]!;
}

/** 802.1D table 7-10: 01-80-C2-00-00-00 … 0F are never relayed by a bridge. */
export function isBridgeReserved(data: Uint8Array): boolean {
  return data.length >= 6 && data[0] === 0x01 && data[1] === 0x80 && data[2] === 0xc2 && data[3] === 0 && data[4] === 0 && (data[5]! & 0xf0) === 0;
}

export interface PauseTimerState {
  until: Time;
  ev: EventState;
}

/**
 * The receive side of PAUSE for one transmitter: `pause(quanta, bitRate)` holds it off; `paused` tells whether
 * a new frame may start; the owner's `resume` runs when the time is up (or at once for pause_time 0). One owned
 * event, `<name>.xon`.
 */
export class PauseTimer {
  private until: Time = 0;
  private readonly ev: SimEvent;

  constructor(
    private readonly ctx: ComponentContext,
    name: string,
    private readonly resume: () => void,
  ) {
    this.ev = new SimEvent(`${name}.xon`, () => this.expire(), Priority.Device);
  }

  /** A transmitter must not start a new data frame now. */
  get paused(): boolean {
    return this.ctx.queue.now < this.until;
  }

  /** When the pause ends (absolute; ≤ now when not paused). */
  get pausedUntil(): Time {
    return this.until;
  }

  /** A PAUSE with `quanta` arrived on a link at `bitRate`: replaces any pause in force. */
  pause(quanta: number, bitRate: number): void {
    const q = this.ctx.queue;
    const was = this.paused;
    this.until = q.now + pauseTimeNs(quanta, bitRate);
    q.deschedule(this.ev);
    if (this.until > q.now) q.schedule(this.ev, this.until);
    else if (was) this.resume();
  }

  /** Forget any pause (link down, MAC reset). */
  clear(): void {
    this.until = 0;
    this.ctx.queue.deschedule(this.ev);
  }

  private expire(): void {
    this.resume();
  }

  saveState(): PauseTimerState {
    return { until: this.until, ev: this.ev.when };
  }

  loadState(s: PauseTimerState): void {
    this.until = s.until;
    this.ctx.queue.deschedule(this.ev);
    if (s.ev >= 0) this.ctx.queue.schedule(this.ev, s.ev);
  }
}
