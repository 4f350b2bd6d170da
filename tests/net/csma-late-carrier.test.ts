/**
 * What the threaded engine's relaxed horizon rests on (docs/guest-time-model.md "The carrier taken late"): a MAC says
 * when a carrier change may be taken late (idle, its chip with no TXP pending), takes one late by its time (the gap of
 * a later attempt counts from when the medium went idle, not from when the change was taken), refuses one while it is
 * not idle, and a hub says how soon anything but carrier reaches another port (its frame lookahead).
 */
import { Hub } from '../../emulator/machine/net/hub';
import { Station, ethFrame, mac, rig } from './helpers';

/** 10 Mb/s: a 60-byte frame with preamble, SFD and FCS is 72 bytes = 57.6 µs; the gap is 96 bits = 9.6 µs. */
const FRAME_60_NS = (8 + 60 + 4) * 8 * 100;
const IFG_NS = 96 * 100;

function alone() {
  const r = rig(1);
  const hub = new Hub(r.ctx('hub0'));
  const a = new Station(r, 'a', hub);
  return { r, hub, a };
}

describe('a carrier change taken late', () => {
  test('quiet: only an idle MAC whose chip says nothing is on its way to it', () => {
    const { r, a } = alone();
    expect(a.mac.carrierQuiet()).toBe(false); // no chip has said so
    let pending = false;
    a.mac.sourceQuiet = () => !pending;
    expect(a.mac.carrierQuiet()).toBe(true);
    pending = true;
    expect(a.mac.carrierQuiet()).toBe(false);
    pending = false;
    a.send(ethFrame(mac(2), mac(1), 60, 1));
    r.sim.queue.runUntil(1_000);
    expect(a.mac.transmitting).toBe(true);
    expect(a.mac.carrierQuiet()).toBe(false);
  });

  test('an idle MAC takes the medium going idle at its time: a later attempt waits the gap from then', () => {
    const start = (late: boolean) => {
      const { r, a } = alone();
      r.at(10_000, () => {
        // The medium went idle at 4 µs; the change is taken at 10 µs, late (with its time) or as if it came then.
        a.mac.carrierChanged(false, late ? 4_000 : undefined);
        a.send(ethFrame(mac(2), mac(1), 60, 1));
      });
      r.sim.queue.runUntil(1_000_000);
      expect(a.outcomes).toHaveLength(1);
      return a.outcomes[0]!.t - FRAME_60_NS;
    };
    // Late: the gap runs from 4 µs and ends at 13.6 µs.
    expect(start(true)).toBe(4_000 + IFG_NS);
    // Taken at 10 µs: the gap runs from 10 µs.
    expect(start(false)).toBe(10_000 + IFG_NS);
  });

  test('one taken late while the MAC is not idle is a protocol bug and throws', () => {
    const { r, a } = alone();
    a.send(ethFrame(mac(2), mac(1), 60, 1));
    r.sim.queue.runUntil(1_000);
    expect(() => a.mac.carrierChanged(true, 500)).toThrow('a: a carrier change of 500 taken late while tx');
  });

  test("a hub's frame lookahead: the propagation and the shortest frame's wire time (preamble, SFD, FCS)", () => {
    const { hub } = alone();
    expect(hub.lookahead).toBe(500);
    expect(hub.frameLookahead).toBe(500 + (8 + 0 + 4) * 8 * 100);
  });
});
