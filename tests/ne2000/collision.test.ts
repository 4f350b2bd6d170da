import { Hub } from '../../emulator/machine/net/hub';
import { Priority, SimEvent, componentContext } from '../../emulator/machine/sim';
import type { Medium, NetPort, NetPortListener } from '../../emulator/machine/net/link';
import { MAC_A, MAC_B, Simulation, collect, isaCard, makeFrame } from './helpers';
import { LinuxDriver } from './linux-driver';

describe('collisions on a hub', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    test(`two NE2000s transmitting at once (seed ${seed}): COL, NCR >= 1, both frames delivered`, () => {
      const sim = new Simulation(seed);
      const hub = new Hub(componentContext(sim, '', 'hub0'));
      const a = isaCard(sim, 'en0', MAC_A);
      const b = isaCard(sim, 'en1', MAC_B);
      a.nic.connect(hub);
      b.nic.connect(hub);
      const da = new LinuxDriver(a.bus);
      const db = new LinuxDriver(b.bus);
      da.open(MAC_A);
      db.open(MAC_B);
      const trace = collect(sim);
      const fa = makeFrame(MAC_B, MAC_A, 200, 1);
      const fb = makeFrame(MAC_A, MAC_B, 300, 2);
      da.upload(0x40, fa);
      db.upload(0x40, fb);
      da.trigger(0x40, fa.length);
      db.trigger(0x40, fb.length);
      const n = sim.queue.runUntilIdle(10_000);
      expect(n).toBeLessThan(10_000);
      for (const [card, drv] of [[a, da], [b, db]] as const) {
        const tsr = card.bus.inb(0x04);
        expect(tsr & 0x01).toBe(0x01);
        expect(tsr & 0x04).toBe(0x04);
        expect(card.bus.inb(0x05)).toBeGreaterThanOrEqual(1);
        expect(drv.ack(0xff) & 0x02).toBe(0x02);
      }
      const ra = da.receive();
      const rb = db.receive();
      expect(ra.frames).toHaveLength(1);
      expect(rb.frames).toHaveLength(1);
      expect(Buffer.from(ra.frames[0]!).equals(Buffer.from(fb))).toBe(true);
      expect(Buffer.from(rb.frames[0]!).equals(Buffer.from(fa))).toBe(true);
      expect(trace.some((r) => r.layer === 'wire' && r.probe === 'collision')).toBe(true);
    });
  }
});

describe('excessive collisions', () => {
  test('16 collided attempts: ABT | COL, NCR reads 0, TXE (no PTX), TXP clears', () => {
    const sim = new Simulation(9);
    let jams = 0;
    const jammer: Medium = {
      name: 'jammer',
      attach(l: NetPortListener): NetPort {
        const ev = new SimEvent('jam', () => l.collision(), Priority.Wire);
        return {
          bitRate: 10_000_000,
          fullDuplex: false,
          carrier: () => false,
          linkUp: () => true,
          transmit: () => {
            jams++;
            sim.queue.scheduleIn(ev, 10_000);
          },
        };
      },
      tap() {},
    };
    const a = isaCard(sim, 'en0', MAC_A);
    a.nic.connect(jammer);
    const da = new LinuxDriver(a.bus);
    da.open(MAC_A);
    da.upload(0x40, makeFrame(MAC_B, MAC_A, 100));
    da.trigger(0x40, 100);
    expect(sim.queue.runUntilIdle(1000)).toBeLessThan(1000);
    expect(jams).toBe(16);
    expect(a.bus.inb(0x04)).toBe(0x0e);
    expect(a.bus.inb(0x05)).toBe(0);
    expect(a.bus.inb(0x07) & 0x0a).toBe(0x08);
    expect(a.bus.inb(0x00) & 0x04).toBe(0);
  });
});
