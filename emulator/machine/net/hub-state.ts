import { stateVersions, type EventState } from '../sim/snapshot';
import type { Time } from '../sim/time';
import type { InFlight } from './delay-line';
import type { FrameState } from './frame-state';
import type { LinkSegmentState } from './link-segment';

/** A hub's snapshot (emulator/machine/net/hub.ts): its signals, collision episode and ports. */
export interface HubSignalState {
  port: number;
  frame: FrameState;
  start: Time;
  naturalEnd: Time;
  end: Time;
  entered: boolean;
  collided: boolean;
  detect: Time;
}

export interface HubState {
  v: 2;
  /** Version 2: the rate (a cable's or switch port's half-duplex segment runs at the negotiated speed); null: keep. */
  bitRate: number | null;
  /** The medium's signals, then transmissions it never heard (a sender whose link was down). */
  signals: HubSignalState[];
  /** How many of `signals` are the medium's own list. */
  listed: number;
  episode: { members: number[]; end: Time } | null;
  ports: {
    name: string;
    up: boolean;
    carrier: boolean;
    /** Index in `signals` of the port's transmission, -1 if none. */
    tx: number;
    txEnd: EventState;
    crs: EventState;
    rx: InFlight<FrameState>[];
    /** Version 2: a station with a PHY negotiates with its hub port (parallel detection of the hub's 10BASE-T). */
    neg?: LinkSegmentState;
  }[];
}

/** v1 → v2: v1 hubs had no negotiating stations; the rate is left as built. */
export const HUB_STATE = stateVersions('hub', 2, { minimum: 1, upgrades: { 1: (old) => ({ ...old, bitRate: null }) } });
