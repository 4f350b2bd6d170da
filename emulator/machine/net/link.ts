/**
 * The interface between a MAC (in nic-models/) and a medium (cable, hub, switch in emulator/machine/net).
 * Modelled on gem5's EtherInt: the medium owns timing on the wire (serialization, propagation, collisions);
 * the MAC owns deferral, backoff and retry (as the DP8390 does in silicon).
 */

/** A frame as it crosses the wire: destination MAC first, no preamble/SFD, no FCS. */
export interface Frame {
  readonly data: Uint8Array;
  /** Packet id for tracing (0 = unknown). */
  readonly pktId: number;
  /** Set by a fault injector: the frame arrives with a bad FCS (the receiver's CRC check fails). */
  readonly badFcs?: boolean;
  /** Set by a fault injector or a collision: the frame ends on a non-octet boundary (FAE). */
  readonly alignmentError?: boolean;
}

import type { AutonegEndpoint } from './link-segment';
import type { Time } from '../sim/time';

/** Wire-level constants (IEEE 802.3). */
/** Destination, source, type: shorter frames are runts to a switch (switch-port.ts). */
export const ETH_HLEN = 14;
export const ETH_PREAMBLE_SFD = 8;
export const ETH_FCS = 4;
export const ETH_IFG_BITS = 96;
export const ETH_SLOT_BITS = 512;
export const ETH_JAM_BITS = 32;
export const ETH_MIN_FRAME = 64; // including FCS
export const ETH_MAX_FRAME = 1518; // including FCS

/** What the MAC implements; the medium calls it. */
export interface NetPortListener {
  /** The last bit of a frame arrived at this port. */
  frameReceived(frame: Frame): void;
  /** Our transmission finished without collision (last bit left). */
  transmitDone(): void;
  /**
   * A collision was detected during our transmission. The medium has already cut our frame short and sent
   * the jam; the MAC decides about backoff and retry.
   */
  collision(): void;
  /**
   * Carrier as seen at this port changed (half duplex deferral). `at`: the change happened then, before the
   * station's present, and is taken late (only while `carrierQuiet` held since: guest-gate.ts).
   */
  carrierChanged?(busy: boolean, at?: Time): void;
  /**
   * Nothing of this station reads the carrier, or sends, before its host writes a register: a carrier change
   * taken late then leaves it as taken in time would (a DP8390 whose MAC is idle with no TXP pending). Absent: never.
   */
  carrierQuiet?(): boolean;
  /** Link integrity changed (cable pulled, hub port disabled). */
  linkChanged?(up: boolean): void;
  /**
   * The station can run full duplex (its technology ability, IEEE 802.3 clause 28.2.1.2: a DP8390 cannot, an
   * RTL8029 with CONFIG3.FUDUP can). The medium reads it when the station attaches and on `renegotiate()`.
   * Absent means half duplex only, what a station without auto-negotiation is taken for (parallel detection,
   * clause 28.2.3.1).
   */
  readonly fullDuplexCapable?: boolean;
  /** The medium resolved this port's duplex mode anew after attach (`NetPort.fullDuplex` now reads `full`). */
  duplexChanged?(full: boolean): void;
  /**
   * The station's PHY as auto-negotiation sees it (emulator/machine/net/link-segment.ts): the medium negotiates
   * speed, duplex, pause and 1000BASE-T master/slave with it, taking the time a real link takes, and sets the
   * port's `bitRate` and `fullDuplex` from the result. Read once, at attach. Absent: a station without
   * auto-negotiation (the DP8390's 10BASE-T MAU): 10 Mb/s, half duplex or full with `fullDuplexCapable`, link at once.
   */
  readonly autoneg?: AutonegEndpoint;
}

/** What the MAC holds: its attachment to a medium. */
export interface NetPort {
  /**
   * Bits per second on this port: the speed negotiated with the station (10 Mb/s for a station without
   * auto-negotiation, and before a negotiated link first came up). A hub port is always at the hub's rate.
   */
  readonly bitRate: number;
  /**
   * The duplex mode the medium resolved for this port. Full duplex: no carrier sense, no collisions. A hub is
   * always half duplex; a cable or switch port is full duplex only when the station (and, on a cable, the far
   * end) is full-duplex capable. It can change when a station renegotiates.
   */
  readonly fullDuplex: boolean;
  /** Someone else's signal is on the wire at this port now (always false in full duplex). */
  carrier(): boolean;
  /** Link integrity (false while the link is down). */
  linkUp(): boolean;
  /**
   * Start sending `frame` now. The medium answers later with transmitDone() or collision(). Sending while a
   * previous transmission is in progress is a MAC bug: the medium traces it and drops the frame.
   */
  transmit(frame: Frame): void;
  /**
   * The station's `fullDuplexCapable` changed: the medium resolves the duplex mode again and calls
   * `duplexChanged` on every port whose mode changed. The change applies to transmissions that start after it.
   */
  renegotiate?(): void;
}

/** Observes every frame a medium carries, at the time its last bit is on the wire (pcap taps, trace). */
export type FrameTap = (frame: Frame, fromPort: string) => void;

/** A medium accepts attachments. */
export interface Medium {
  readonly name: string;
  attach(listener: NetPortListener, name: string): NetPort;
  /** Add a tap that sees every frame completed on the medium (collided fragments are not frames). */
  tap(fn: FrameTap): void;
  /**
   * The least time from a station's call on its port (transmit, renegotiate) to any call this medium makes on
   * another station because of it: what guests in worker threads may run ahead of each other (main-gate.ts).
   * Absent: none (0).
   */
  readonly lookahead?: Time;
  /**
   * The least time from a station's call on its port to any call other than a carrier change this medium makes on
   * another station because of it (a hub: a frame's end reaches the others no sooner than the shortest frame's wire
   * time plus the propagation). A guest whose stations say nothing of theirs consults the carrier may run this far
   * ahead, taking a carrier change that comes in its past late (guest-gate.ts). Absent: `lookahead`.
   */
  readonly frameLookahead?: Time;
}

/** Wire time of a frame of `len` bytes (no FCS) at `bitRate`, including preamble/SFD and FCS. */
export function frameWireTimeNs(len: number, bitRate: number): number {
  return Math.round(((ETH_PREAMBLE_SFD + len + ETH_FCS) * 8 * 1e9) / bitRate);
}

/** 1000 Mb/s half duplex: slotTime is 4096 bit times (802.3 4.4.2 for 1000 Mb/s); 512 at 10 and 100 Mb/s. */
export const ETH_SLOT_BITS_1000 = 4096;
export function slotBits(bitRate: number): number {
  return bitRate >= 1e9 ? ETH_SLOT_BITS_1000 : ETH_SLOT_BITS;
}

/**
 * Wire time of a frame on a half-duplex segment: at 1000 Mb/s a frame shorter than the slot is followed by carrier
 * extension up to 512 bytes after the preamble (802.3 4.2.3.4, 35.2.3.5; frame bursting is not modelled); at 10
 * and 100 Mb/s the same as `frameWireTimeNs`.
 */
export function halfDuplexWireTimeNs(len: number, bitRate: number): number {
  if (bitRate < 1e9) return frameWireTimeNs(len, bitRate);
  const carried = Math.max(len + ETH_FCS, ETH_SLOT_BITS_1000 / 8);
  return Math.round(((ETH_PREAMBLE_SFD + carried) * 8 * 1e9) / bitRate);
}
