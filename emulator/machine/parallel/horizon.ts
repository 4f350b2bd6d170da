/**
 * The bound both sides compute (docs/guest-time-model.md "Synchronisation"): the main thread when it sends a guest
 * its horizon (main-gate.ts), a waiting guest from the shared states (guest-gate.ts, shared-clocks.ts).
 */
import type { Time } from '../sim/time';

export interface HorizonInputs {
  /** The main thread's next local event (guests' messages not counted) and the run's end. */
  top: Time;
  cap: Time;
  /** Per guest: arrival time of its earliest message taken in by the main thread and not yet run (Infinity: none). */
  heads: readonly Time[];
  /** Per guest: its lookahead (main-gate.ts MainGuest.lookahead). */
  lookahead: readonly Time[];
}

/**
 * Guest g is sent nothing before the result: the main thread's local events may send to it at once, and so may the
 * answer to one of its own messages; another guest's message, held or still to be sent (not before its own' + 1),
 * reaches g through that guest's media no sooner than their lookahead after it arrives.
 */
export function horizonFor(g: number, inp: HorizonInputs, own: (o: number) => Time): Time {
  let h = Math.min(inp.top, inp.cap, inp.heads[g]!);
  for (let o = 0; o < inp.heads.length; o++) {
    if (o === g) continue;
    const la = inp.lookahead[o]!;
    h = Math.min(h, inp.heads[o]! + la, own(o) + 1 + la);
  }
  return h;
}
