/**
 * What each thread publishes in shared memory so that the others can compute bounds without asking (main-gate.ts,
 * guest-gate.ts): each guest its own time with how many messages it has sent and taken in; the main thread its next
 * event's time, the run's end, and per guest how many of its messages it has taken in and how many it has sent it.
 * Each thread writes its words under a sequence word (odd while writing), so a reader gets all of one thread's words
 * as they were at one instant, or reads again.
 *
 * Why a bound computed from these is safe (docs/guest-time-model.md "Guests in worker threads"): a guest sends
 * nothing before its own time; when a guest's published sent count equals the main thread's taken-in count, and its
 * taken-in count equals the main thread's sent count, no message is in flight either way, so the main thread's next
 * event time covers everything the guest sent and the guest's own time covers everything it was sent. Any later
 * message shows as a mismatch of the counts (each snapshot is of one instant, and counts only grow), and the reader
 * falls back to what the main thread told it.
 */
import type { Time } from '../sim/time';
import { loadTime, storeTime, syncGuestState, syncMainCounts, SYNC_MAIN_CAP, SYNC_MAIN_END, SYNC_MAIN_FINAL, SYNC_MAIN_TOP, SYNC_MAIN_VER } from './messages';

export interface GuestState {
  own: Time;
  sent: number;
  recv: number;
}

export function writeGuestState(sync: Int32Array, g: number, st: GuestState): void {
  const w = syncGuestState(g);
  Atomics.add(sync, w.ver, 1);
  storeTime(sync, w.own[0], w.own[1], st.own);
  Atomics.store(sync, w.sent, st.sent);
  Atomics.store(sync, w.recv, st.recv);
  Atomics.add(sync, w.ver, 1);
}

export function readGuestState(sync: Int32Array, g: number): GuestState {
  const w = syncGuestState(g);
  for (;;) {
    const v = Atomics.load(sync, w.ver);
    if (v & 1) continue;
    const st = { own: loadTime(sync, w.own[0], w.own[1]), sent: Atomics.load(sync, w.sent), recv: Atomics.load(sync, w.recv) };
    if (Atomics.load(sync, w.ver) === v) return st;
  }
}

export interface MainState {
  /** The next local event (guests' messages not counted: `heads`). */
  top: Time;
  cap: Time;
  drained: number[];
  sentTo: number[];
  /** Per guest: the arrival time of its earliest message taken in and not yet run (Infinity: none). */
  heads: Time[];
  /**
   * The run has ended: everything up to `end` ran and nothing more will. Whatever a longer run would send a guest
   * comes after `end`, so a guest may count on a horizon of `end` + 1 (guest-gate.ts; a snapshot's last steps).
   */
  final?: boolean;
  end?: Time;
}

export function writeMainState(sync: Int32Array, st: MainState): void {
  Atomics.add(sync, SYNC_MAIN_VER, 1);
  storeTime(sync, SYNC_MAIN_TOP[0], SYNC_MAIN_TOP[1], st.top);
  storeTime(sync, SYNC_MAIN_CAP[0], SYNC_MAIN_CAP[1], st.cap);
  Atomics.store(sync, SYNC_MAIN_FINAL, st.final ? 1 : 0);
  storeTime(sync, SYNC_MAIN_END[0], SYNC_MAIN_END[1], st.end ?? 0);
  for (let g = 0; g < st.drained.length; g++) {
    const w = syncMainCounts(g);
    Atomics.store(sync, w.drained, st.drained[g]!);
    Atomics.store(sync, w.sentTo, st.sentTo[g]!);
    storeTime(sync, w.head[0], w.head[1], st.heads[g]!);
  }
  Atomics.add(sync, SYNC_MAIN_VER, 1);
}

export function readMainState(sync: Int32Array, guests: number): MainState {
  for (;;) {
    const v = Atomics.load(sync, SYNC_MAIN_VER);
    if (v & 1) continue;
    const st: MainState = { top: loadTime(sync, SYNC_MAIN_TOP[0], SYNC_MAIN_TOP[1]), cap: loadTime(sync, SYNC_MAIN_CAP[0], SYNC_MAIN_CAP[1]), drained: [], sentTo: [], heads: [], final: Atomics.load(sync, SYNC_MAIN_FINAL) === 1, end: loadTime(sync, SYNC_MAIN_END[0], SYNC_MAIN_END[1]) };
    for (let g = 0; g < guests; g++) {
      const w = syncMainCounts(g);
      st.drained.push(Atomics.load(sync, w.drained));
      st.sentTo.push(Atomics.load(sync, w.sentTo));
      st.heads.push(loadTime(sync, w.head[0], w.head[1]));
    }
    if (Atomics.load(sync, SYNC_MAIN_VER) === v) return st;
  }
}
