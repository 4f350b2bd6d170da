/**
 * What crosses between the main thread and a guest's worker thread (docs/guest-time-model.md "Guests in worker
 * threads"). Plain objects, posted on a MessagePort; times are virtual ns. A guest's causal messages (those the
 * main thread may answer: a transmission, a renegotiation, a console line) are counted, so a guest knows which of
 * them the main thread had seen when it computed the horizon it sends back.
 */
import type { Time } from '../sim/time';
import type { TraceFields } from '../sim/trace';
import type { LinkAbilities, NegotiatedLink, NegotiationOutcome } from '../net/autoneg';
import type { RadioAct, RadioAttachInfo, RadioCall, RadioState } from './radio-stand-ins';

/** A port's state as the medium reports it: bit rate, full duplex, link up, carrier. */
export type PortState = [bitRate: number, fullDuplex: boolean, link: boolean, carrier: boolean];

/** One trace record: t, node, layer, probe, pkt, fields. */
export type RecordTuple = [Time, string, string, string, number, TraceFields | undefined];

/** What the medium tells a station (NetPortListener), as a message to the guest's worker. */
export type PortCall = 'rx' | 'done' | 'coll' | 'carrier' | 'link' | 'duplex';

export interface AttachInfo {
  /** The scenario link (a hub, cable or switch). */
  link: string;
  /** The port's name on the medium (the NIC's component name). */
  name: string;
  /** NetPortListener.fullDuplexCapable at attach. */
  fdx: boolean;
  /** The NIC's PHY (NetPortListener.autoneg): its static settings and what it offered at attach. */
  an?: { abil: LinkAbilities | null; instant: boolean; timeScale?: number };
}

/** What a link segment tells a PHY (AutonegEndpoint), as a message to the guest's worker. */
export type AutonegCall = { call: 'restarted' } | { call: 'negotiated'; o: NegotiationOutcome } | { call: 'up'; l: NegotiatedLink } | { call: 'down' };

/** Guest → main. */
export type ToMain =
  | { k: 'hello'; attaches: AttachInfo[]; radios: RadioAttachInfo[] }
  /** What the guest's MAC did to its 802.11 radio (radio-stand-ins.ts): transmit, tune, set the power. */
  | { k: 'radio'; t: Time; radio: number; a: RadioAct }
  | { k: 'tx'; t: Time; port: number; data: Uint8Array; pkt: number; bad?: true; align?: true }
  | { k: 'reneg'; t: Time; port: number; fdx: boolean }
  /** The NIC's PHY restarted negotiation (AutonegControl.restart), or what it offers changed: `abil` from then on. */
  | { k: 'an-restart'; t: Time; port: number; abil: LinkAbilities | null }
  | { k: 'an-abil'; t: Time; port: number; abil: LinkAbilities | null }
  | { k: 'line'; t: Time; text: string }
  | { k: 'recs'; r: RecordTuple[] }
  | { k: 'safe'; own: Time; recv: number }
  /**
   * The guest's shell typed a command (at its queue's time) or showed its prompt for the first time (at its output's
   * time): the main thread's stand-in of the shell (guest-workers.ts RemoteShell) knows it from t + 1 on. Not causal.
   */
  | { k: 'shell'; t: Time; what: 'typed' | 'prompt' | 'idle' }
  /** The guest's serial output as its CPU prints it, for `qnxemu console` (display only: not synchronised, not traced). */
  | { k: 'out'; text: string }
  /**
   * The guest's part of the run's snapshot (its time is in the worker's data), taken at its snapshot point (the app layer's GuestSnapshot:
   * emulator/app/assembly/guest-snapshot.ts), or why it cannot reach that point: the quantum its CPU was in at T needs the
   * run to go on past its end. Not causal.
   */
  | { k: 'snap'; part: unknown }
  | { k: 'snap-failed'; why: string }
  /** How many events the guest ran up to 'end'.until (the run's end: the summary counts them). */
  | { k: 'end'; events: number }
  | { k: 'error'; message: string };

/** Main → guest. */
export type ToGuest =
  | { k: 'go'; ports: PortState[]; radios: RadioState[]; verbose: boolean; lookahead: Time[]; frameLookahead: Time[] }
  | { k: 'port'; t: Time; port: number; call: PortCall; st: PortState; v?: boolean; data?: Uint8Array; pkt?: number; bad?: true; align?: true }
  | { k: 'h'; h: Time; cap: Time; drained: number }
  /** A line for the guest's shell (a scenario action, a counter read), queued there at t as the single-threaded run does. */
  | { k: 'type'; t: Time; command: string; external?: true }
  /** Keys typed at `qnxemu console` on a terminal, sent to the guest's serial port at t (ShellDriver.typeRaw). */
  | { k: 'keys'; t: Time; text: string }
  /** The link segment's call on the NIC's PHY (station-proxy.ts RemoteAutoneg's counterpart). */
  | { k: 'an'; t: Time; port: number; an: AutonegCall }
  /** The air's call on the guest's radio (radio-stand-ins.ts RadioProxy), with the radio's state then. */
  | { k: 'radio'; t: Time; radio: number; c: RadioCall; st: RadioState }
  /** The run has ended at `until`: say how many events you ran up to then ('end'). */
  | { k: 'end'; until: Time }
  | { k: 'stop' };

/** Main → guest messages that the guest runs as events at their time `t` (counted on both sides). */
export type TimedToGuest = Extract<ToGuest, { t: Time }>;

export function isTimedToGuest(m: ToGuest): m is TimedToGuest {
  return 't' in m;
}

/**
 * Causal guest messages: the main thread runs them as events and may answer (counted on both sides). A console line
 * is not one: it goes with the trace records, merged by time (record-merge.ts).
 */
export function isCausal(m: ToMain): boolean {
  return m.k === 'tx' || m.k === 'reneg' || m.k === 'an-restart' || m.k === 'an-abil' || m.k === 'radio';
}

/**
 * One end of a channel: post to the other side (which is woken), take what arrived without blocking. The app layer
 * builds it over a worker_threads MessagePort (receiveMessageOnPort), so this folder needs no Node module.
 */
export interface Endpoint<In, Out> {
  post(msg: Out): void;
  receive(): In | undefined;
}

/**
 * The shared words (an Int32Array over a SharedArrayBuffer): a doorbell and a "waiting" flag for the main thread and
 * for each guest, the main thread's need (the time it waits for every guest's safe time to reach, in two words) and
 * the tokens of `--threads` (how many guests may execute at once).
 */
export const SYNC_MAIN_BELL = 0;
export const SYNC_MAIN_WAITING = 1;
export const SYNC_TOKENS = 2;
export const SYNC_MAIN_NEED_HI = 3;
export const SYNC_MAIN_NEED_LO = 4;
/** The main thread's published state (shared-clocks.ts): a sequence word, its next event's time, the run's end. */
export const SYNC_MAIN_VER = 5;
export const SYNC_MAIN_TOP: [number, number] = [6, 7];
export const SYNC_MAIN_CAP: [number, number] = [8, 9];
/** 1 once the run has ended: the main thread has run everything up to SYNC_MAIN_END and will run nothing more. */
export const SYNC_MAIN_FINAL = 10;
export const SYNC_MAIN_END: [number, number] = [11, 12];
const GUEST_BASE = 16;
const GUEST_WORDS = 15;
/** A guest's published state (shared-clocks.ts): sequence word, own time (2 words), messages sent, messages taken in. */
export function syncGuestState(i: number): { ver: number; own: [number, number]; sent: number; recv: number } {
  const b = GUEST_BASE + GUEST_WORDS * i;
  return { ver: b + 4, own: [b + 5, b + 6], sent: b + 7, recv: b + 8 };
}
/**
 * The main thread's words for guest i (under the main thread's sequence word): its messages taken in, ours sent to
 * it, and the time of its earliest message taken in that has not run yet (two words).
 */
export function syncMainCounts(i: number): { drained: number; sentTo: number; head: [number, number] } {
  const b = GUEST_BASE + GUEST_WORDS * i;
  return { drained: b + 9, sentTo: b + 10, head: [b + 11, b + 12] };
}
/**
 * 1 once guest i is stuck after the run's end (guest-gate.ts `onStuck`): it will never go on, so its own time is
 * final and the others may count on it being so.
 */
export function syncGuestStuck(i: number): number {
  return GUEST_BASE + GUEST_WORDS * i + 13;
}
export function syncGuestBell(i: number): number {
  return GUEST_BASE + GUEST_WORDS * i;
}
/**
 * 1 when the main thread hosts guest i (hosted-guest.ts): it sleeps on the main thread's bell (one thread sleeps for
 * both), so ringing it rings that. Written once by the main thread before any guest starts; 0: its own bell.
 */
export function syncGuestHosted(i: number): number {
  return GUEST_BASE + GUEST_WORDS * i + 14;
}
/** The word guest i sleeps on: its bell, or the main thread's if hosted (syncGuestHosted). */
export function guestBell(sync: Int32Array, i: number): number {
  return Atomics.load(sync, syncGuestHosted(i)) === 1 ? SYNC_MAIN_BELL : syncGuestBell(i);
}
/**
 * What guest i is doing: WAIT_RUNNING, WAIT_WATCHING (it spins over the others' states: publish eagerly), or an arm
 * generation >= WAIT_ARMED (it said what it needs, `syncGuestNeed`, and is about to sleep: ring it once per generation).
 */
export const WAIT_RUNNING = 0;
export const WAIT_WATCHING = 1;
export const WAIT_ARMED = 2;
export function syncGuestWaiting(i: number): number {
  return GUEST_BASE + GUEST_WORDS * i + 1;
}
/** What a waiting guest waits for: the other guests' own times to reach this (two words). */
export function syncGuestNeed(i: number): [hi: number, lo: number] {
  return [GUEST_BASE + GUEST_WORDS * i + 2, GUEST_BASE + GUEST_WORDS * i + 3];
}
export function syncWords(guests: number): number {
  return GUEST_BASE + GUEST_WORDS * guests;
}

/** A time (< 2^53) in two Int32 words, so each word is read and written atomically. */
export function storeTime(sync: Int32Array, hi: number, lo: number, t: Time): void {
  const v = Number.isFinite(t) ? t : 2 ** 53 - 1;
  Atomics.store(sync, hi, Math.floor(v / 2 ** 32));
  Atomics.store(sync, lo, v % 2 ** 32 | 0);
}
export function loadTime(sync: Int32Array, hi: number, lo: number): Time {
  return Atomics.load(sync, hi) * 2 ** 32 + (Atomics.load(sync, lo) >>> 0);
}

/** Ring a doorbell: bump its counter and wake whoever waits on it. */
export function ring(sync: Int32Array, bell: number): void {
  Atomics.add(sync, bell, 1);
  Atomics.notify(sync, bell);
}
