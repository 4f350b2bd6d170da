import { crc32 } from 'node:zlib';
import { Cable } from '../../emulator/machine/net/cable';
import { componentContext } from '../../emulator/machine/sim';
import { frameWireTimeNs } from '../../emulator/machine/net/link';
import { CMD, MAC_A, MAC_B, Simulation, collect, isaCard, makeFrame, pciCard } from './helpers';
import { LinuxDriver } from './linux-driver';

function setup() {
  const sim = new Simulation(41);
  const cable = new Cable(componentContext(sim, '', 'cab0'));
  const a = isaCard(sim, 'en0', MAC_A);
  const b = pciCard(sim, 'en0', MAC_B);
  a.nic.connect(cable);
  b.nic.connect(cable);
  const da = new LinuxDriver(a.bus, 'word');
  const db = new LinuxDriver(b.bus, 'dword');
  da.open(MAC_A);
  db.open(MAC_B);
  const trace = collect(sim);
  return { sim, a, b, da, db, trace };
}

describe('TCR internal loopback', () => {
  test('the frame comes back into the own ring after its wire time; nothing on the wire', () => {
    const { sim, a, da, db, trace } = setup();
    a.bus.outb(0x0d, 0x02);
    const data = makeFrame(MAC_A, MAC_A, 128, 5);
    da.upload(0x40, data);
    const t0 = sim.queue.now;
    da.trigger(0x40, data.length);
    sim.queue.runUntilIdle(100);
    expect(trace.filter((r) => r.layer === 'wire')).toEqual([]);
    const done = trace.find((r) => r.probe === 'tx-done')!;
    expect(done.t).toBe(t0 + 800 + frameWireTimeNs(128, 10_000_000));
    expect(done.f!['tsr']).toBe(0x03);
    const r = da.receive();
    expect(r.frames).toHaveLength(1);
    expect(Buffer.from(r.frames[0]!).equals(Buffer.from(data))).toBe(true);
    expect(db.receive().frames).toHaveLength(0);
  });

  test('inhibit CRC: the buffer carries its own FCS, checked by the receiver', () => {
    const { sim, a, da } = setup();
    a.bus.outb(0x0d, 0x03);
    const data = makeFrame(MAC_A, MAC_B, 100, 6);
    const withFcs = new Uint8Array(104);
    withFcs.set(data);
    new DataView(withFcs.buffer).setUint32(100, crc32(Buffer.from(data)) >>> 0, true);
    da.upload(0x40, withFcs);
    da.trigger(0x40, 104);
    sim.queue.runUntilIdle(100);
    expect(da.readHeader(0x4c)).toEqual({ status: 0x01, next: 0x4d, count: 104 });
    da.receive();
    a.bus.outb(0x0c, 0x05); // SEP to see the bad one stored
    withFcs[103]! ^= 0xff;
    da.upload(0x40, withFcs);
    da.trigger(0x40, 104);
    sim.queue.runUntilIdle(100);
    expect(da.readHeader(0x4d).status).toBe(0x02);
  });

  test('STP during a transmission: RST is set when the transmission ends', () => {
    const { sim, a, da } = setup();
    const data = makeFrame(MAC_B, MAC_A, 1000);
    da.upload(0x40, data);
    da.trigger(0x40, data.length);
    sim.queue.runUntil(sim.queue.now + 100_000);
    a.bus.outb(CMD, 0x21);
    expect(a.bus.inb(0x07) & 0x80).toBe(0);
    expect(a.bus.inb(CMD) & 0x04).toBe(0x04);
    sim.queue.runUntilIdle(100);
    expect(a.bus.inb(0x07) & 0x82).toBe(0x82);
    expect(a.bus.inb(CMD) & 0x04).toBe(0);
  });
});
