/**
 * The receive bench of the NE2000 ring tests: an ISA NE2000 opened by the Linux-style driver (word mode, the
 * driver's ring unless given), the trace collected, and `deliver(len)`: one frame for the card from the wire
 * (its packet id is its sequence number), with time run on until it is stored.
 */
import { MAC_A, MAC_B, Simulation, collect, frameOf, isaCard, makeFrame } from './helpers';
import { LINUX_RING, LinuxDriver, type RingConfig } from './linux-driver';

export function linuxIsaBench(seed: number, ring: RingConfig = LINUX_RING) {
  const sim = new Simulation(seed);
  const card = isaCard(sim, 'en0', MAC_A);
  const drv = new LinuxDriver(card.bus, 'word', ring);
  drv.open(MAC_A);
  const trace = collect(sim);
  let tag = 0;
  const deliver = (len: number): number => {
    const t = tag++;
    card.core.mac.frameReceived(frameOf(makeFrame(MAC_A, MAC_B, len, t), t));
    sim.queue.runUntil(sim.queue.now + 200_000);
    return t;
  };
  return { sim, card, drv, deliver, trace };
}
