/**
 * Duplex negotiated between the chip and the medium, end to end: two RTL8029s on a cable, driven through their
 * registers as Linux ne2k-pci does. Without CONFIG3.FUDUP the cable is half duplex and two frames started at the
 * same moment collide; once both drivers select full duplex (page 3, as ne2k-pci's full_duplex option does) the
 * cable renegotiates and the same two frames cross without a collision. A NE2000 (ISA) at one end keeps the
 * cable half duplex whatever the other does.
 */
import { Simulation, componentContext, type TraceRecord } from '../../emulator/machine/sim';
import { Wire } from '../../emulator/machine/bus/wire';
import { Cable } from '../../emulator/machine/net/cable';
import { Switch } from '../../emulator/machine/net/switch';
import { Rtl8029Pci } from '../../nic-models/ne2000/rtl8029-pci';
import { Ne2000Isa } from '../../nic-models/ne2000/ne2000-isa';
import { MAC_A, MAC_B, TestBus, makeFrame } from '../ne2000/helpers';
import { LinuxDriver } from '../ne2000/linux-driver';

/** ne2k-pci's full-duplex selection: page 3, config write enable, CONFIG3.FUDUP, write protect, page 0. */
function selectFullDuplex(bus: TestBus): void {
  bus.outb(0x00, 0xe0);
  bus.outb(0x01, 0xc0);
  bus.outb(0x06, 0x40);
  bus.outb(0x01, 0x00);
  bus.outb(0x00, 0x20);
}

function pair(kindA: 'pci' | 'isa', medium: 'cable' | 'switch') {
  const sim = new Simulation(1);
  const recs: TraceRecord[] = [];
  sim.tracer.addSink((r) => recs.push(r));
  const m = medium === 'cable' ? new Cable(componentContext(sim, '', 'wire0')) : new Switch(componentContext(sim, '', 'sw0'));
  const a =
    kindA === 'pci'
      ? new Rtl8029Pci(componentContext(sim, 'alpha', 'alpha.en0'), { mac: MAC_A })
      : new Ne2000Isa(componentContext(sim, 'alpha', 'alpha.en0'), { mac: MAC_A });
  const b = new Rtl8029Pci(componentContext(sim, 'beta', 'beta.en0'), { mac: MAC_B });
  if (a instanceof Rtl8029Pci) a.attachIntx(new Wire('a'));
  else a.attachIrq(new Wire('a'));
  b.attachIntx(new Wire('b'));
  a.connect(m);
  b.connect(m);
  const busA = new TestBus(a instanceof Rtl8029Pci ? a.spec.bars[0]!.handler : a);
  const busB = new TestBus(b.spec.bars[0]!.handler);
  const da = new LinuxDriver(busA, a instanceof Rtl8029Pci ? 'dword' : 'word');
  const db = new LinuxDriver(busB, 'dword');
  da.open(MAC_A);
  db.open(MAC_B);
  const find = (layer: string, probe: string) => recs.filter((r) => r.layer === layer && r.probe === probe);
  /** Both send a 60-byte frame to the other at the same instant. */
  const sendBoth = () => {
    const fa = makeFrame(MAC_B, MAC_A, 60, 1);
    const fb = makeFrame(MAC_A, MAC_B, 60, 2);
    da.upload(0x40, fa);
    db.upload(0x40, fb);
    da.trigger(0x40, fa.length);
    db.trigger(0x40, fb.length);
    sim.queue.runUntilIdle();
  };
  return { sim, m, busA, busB, da, db, find, sendBoth };
}

describe('duplex negotiated between an RTL8029 and the medium', () => {
  test('cable: half duplex until both ends select FUDUP; then frames sent at once no longer collide', () => {
    const x = pair('pci', 'cable');
    const cable = x.m as Cable;
    expect(cable.fullDuplex).toBe(false);
    x.sendBoth();
    expect(x.find('wire', 'collision').length).toBeGreaterThan(0);
    // TSR of each chip after the collided-and-retried frame: PTX and COL (0x05), NCR ≥ 1.
    for (const bus of [x.busA, x.busB]) {
      expect(bus.inb(0x04) & 0x05).toBe(0x05);
      expect(bus.inb(0x05)).toBeGreaterThanOrEqual(1);
    }
    selectFullDuplex(x.busA);
    expect(cable.fullDuplex).toBe(false); // the other end still half duplex
    selectFullDuplex(x.busB);
    expect(cable.fullDuplex).toBe(true);
    expect(x.find('wire', 'duplex').slice(-2).map((r) => [r.f!.port, r.f!.mode])).toEqual([
      ['alpha.en0', 'full'],
      ['beta.en0', 'full'],
    ]);
    const before = x.find('wire', 'collision').length;
    x.sendBoth();
    expect(x.find('wire', 'collision').length).toBe(before);
    // PTX without COL, NCR 0.
    for (const bus of [x.busA, x.busB]) expect([bus.inb(0x04) & 0x05, bus.inb(0x05)]).toEqual([0x01, 0]);
  });

  test('cable: a NE2000 at the other end keeps it half duplex', () => {
    const x = pair('isa', 'cable');
    selectFullDuplex(x.busB);
    expect((x.m as Cable).fullDuplex).toBe(false);
    x.sendBoth();
    expect(x.find('wire', 'collision').length).toBeGreaterThan(0);
  });

  test('switch: the RTL8029\'s port follows FUDUP, the NE2000\'s stays half duplex', () => {
    const x = pair('isa', 'switch');
    const sw = x.m as Switch;
    expect([sw.portFullDuplex('alpha.en0'), sw.portFullDuplex('beta.en0')]).toEqual([false, false]);
    selectFullDuplex(x.busB);
    expect([sw.portFullDuplex('alpha.en0'), sw.portFullDuplex('beta.en0')]).toEqual([false, true]);
  });
});
