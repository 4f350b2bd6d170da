import type { ComponentContext } from '../sim/context';
import type { TraceFields } from '../sim/trace';
import type { Frame, FrameTap } from './link';

/** Why a medium did not deliver a frame (the `reason` field of a wire `drop` record). */
export type DropReason =
  | 'busy' // transmit while the previous frame in that direction was still being serialized (a MAC bug)
  | 'collision' // the frame was destroyed in a collision
  | 'no-peer' // nobody attached at the far end
  | 'link-down' // the sender's or the receiver's link is down
  | 'runt' // too short to carry a MAC header (switch)
  | 'bad-fcs' // failed the FCS check (switch, store-and-forward)
  | 'alignment' // ended on a non-octet boundary (switch)
  | 'queue-full' // output queue full: drop tail (switch)
  | 'filtered' // destination is on the port it came from (switch)
  | 'excessive-collisions' // a half-duplex switch port gave the frame up after 16 collisions
  | 'mac-control' // a MAC Control frame ends at the port (a PAUSE not negotiated, another opcode): never relayed
  | 'reserved'; // to an 802.1D reserved group address (01-80-C2-00-00-0x): a bridge never relays it

/**
 * Trace probes on layer "wire" (always on) and frame taps, shared by every medium. Records carry the frame's
 * packet id: tx-start {port, len}, collision {port, ports}, deliver {to, len}, drop {reason, …}.
 */
export class WireProbes {
  private taps: FrameTap[] = [];

  constructor(private readonly ctx: ComponentContext) {}

  addTap(fn: FrameTap): void {
    this.taps.push(fn);
  }

  /** A frame completed on the medium (last bit on the wire, no collision): hand it to every tap. */
  completed(frame: Frame, fromPort: string): void {
    for (const t of this.taps) t(frame, fromPort);
  }

  txStart(port: string, frame: Frame): void {
    this.emit('tx-start', frame.pktId, { port, len: frame.data.length });
  }

  collision(port: string, frame: Frame, ports: readonly string[]): void {
    this.emit('collision', frame.pktId, { port, ports: ports.join(',') });
  }

  deliver(to: string, frame: Frame): void {
    this.emit('deliver', frame.pktId, { to, len: frame.data.length });
  }

  drop(frame: Frame, reason: DropReason, fields?: TraceFields): void {
    this.emit('drop', frame.pktId, fields ? { reason, ...fields } : { reason });
  }

  emit(probe: string, pkt: number, f?: TraceFields): void {
    this.ctx.tracer.emit(this.ctx.node, 'wire', probe, pkt, f);
  }
}
