/**
 * RTL8029AS duplex: CONFIG3.FUDUP selects full duplex, the chip tells its MAC, the medium resolves the port
 * (a cable is full duplex only when both ends can be). CONFIG2/CONFIG3 power on with the board's EEPROM values
 * (rtl8029-config.ts). The DP8390 of the ISA NE2000 is half duplex only.
 */
import { Cable } from '../../emulator/machine/net/cable';
import { componentContext } from '../../emulator/machine/sim';
import { Rtl8029Pci } from '../../nic-models/ne2000/rtl8029-pci';
import { CMD, IrqRecorder, MAC_A, MAC_B, Simulation, TestBus, collect, isaCard } from './helpers';

function rtl(sim: Simulation, node: string, mac: number[], fullDuplex?: boolean) {
  const nic = new Rtl8029Pci(componentContext(sim, node, `${node}.en0`), fullDuplex === undefined ? { mac } : { mac, fullDuplex });
  nic.attachIntx(new IrqRecorder(sim.queue));
  return { nic, bus: new TestBus(nic.spec.bars[0]!.handler), core: nic.core };
}

/** Page 3 register `off`, leaving the chip stopped/started as it was. */
function page3(bus: TestBus, off: number): number {
  const run = bus.inb(CMD) & 0x03;
  bus.outb(CMD, 0xe0 | 0x20 | run);
  const v = bus.inb(off);
  bus.outb(CMD, 0x20 | run);
  return v;
}

/** Linux ne2k-pci's full-duplex sequence: CR 0xE0, 9346CR 0xC0, CONFIG3 0x40, 9346CR 0x00, CR 0x20. */
function linuxFullDuplex(bus: TestBus): void {
  bus.outb(CMD, 0xe0);
  bus.outb(0x01, 0xc0);
  bus.outb(0x06, 0x40);
  bus.outb(0x01, 0x00);
  bus.outb(CMD, 0x20);
}

describe('RTL8029AS CONFIG2/CONFIG3 power-on values', () => {
  test('CONFIG0 0x00 (twisted pair active), CONFIG2 0x40 (EEPROM: 10BaseT), CONFIG3.FUDUP as the EEPROM says', () => {
    const sim = new Simulation(1);
    const half = rtl(sim, 'a', MAC_A);
    const full = rtl(sim, 'b', MAC_B, true);
    expect([page3(half.bus, 0x03), page3(half.bus, 0x05), page3(half.bus, 0x06)]).toEqual([0x00, 0x40, 0x00]);
    expect([page3(full.bus, 0x03), page3(full.bus, 0x05), page3(full.bus, 0x06)]).toEqual([0x00, 0x40, 0x40]);
    expect(half.core.mac.fullDuplexCapable).toBe(false);
    expect(full.core.mac.fullDuplexCapable).toBe(true);
  });

  test('CONFIG3 is write-protected unless 9346CR.EEM = 11; the protected write is traced and ignored', () => {
    const sim = new Simulation(1);
    const trace = collect(sim);
    const a = rtl(sim, 'a', MAC_A);
    a.bus.outb(CMD, 0xe1);
    a.bus.outb(0x06, 0x40);
    a.bus.outb(CMD, 0x21);
    expect(page3(a.bus, 0x06)).toBe(0x00);
    expect(a.core.mac.fullDuplexCapable).toBe(false);
    expect(trace.some((r) => r.probe === 'reg-ignored' && r.f!['what'] === 'CONFIG3 write-protected')).toBe(true);
  });
});

describe('duplex resolved between the chip and the medium', () => {
  test('two RTL8029s on a cable: half duplex until both set FUDUP, full after; an auto-load goes back', () => {
    const sim = new Simulation(2);
    const trace = collect(sim);
    const cable = new Cable(componentContext(sim, '', 'cab0'));
    const a = rtl(sim, 'a', MAC_A);
    const b = rtl(sim, 'b', MAC_B);
    a.nic.connect(cable);
    b.nic.connect(cable);
    expect(a.core.mac.port!.fullDuplex).toBe(false);
    linuxFullDuplex(a.bus);
    expect(page3(a.bus, 0x06) & 0x40).toBe(0x40);
    expect(a.core.mac.fullDuplexCapable).toBe(true);
    expect(a.core.mac.port!.fullDuplex).toBe(false); // the far end cannot yet
    linuxFullDuplex(b.bus);
    expect(a.core.mac.port!.fullDuplex).toBe(true);
    expect(b.core.mac.port!.fullDuplex).toBe(true);
    expect(trace.filter((r) => r.layer === 'nic' && r.probe === 'duplex').map((r) => [r.node, r.f!['full']])).toEqual([['a', true], ['b', true]]);
    // 9346CR EEM = 01: auto-load reloads CONFIG3 from the EEPROM (FUDUP clear on this board).
    a.bus.outb(CMD, 0xe0);
    a.bus.outb(0x01, 0x40);
    a.bus.outb(CMD, 0x20);
    expect(a.core.mac.fullDuplexCapable).toBe(false);
    expect(a.core.mac.port!.fullDuplex).toBe(false);
  });

  test('PCI RST# reloads the EEPROM values; the reset port (a software reset) keeps CONFIG3', () => {
    const sim = new Simulation(3);
    const cable = new Cable(componentContext(sim, '', 'cab0'));
    const a = rtl(sim, 'a', MAC_A);
    const b = rtl(sim, 'b', MAC_B, true);
    a.nic.connect(cable);
    b.nic.connect(cable);
    linuxFullDuplex(a.bus);
    expect(a.core.mac.port!.fullDuplex).toBe(true);
    a.bus.inb(0x1f);
    a.bus.outb(0x1f, 0);
    expect(page3(a.bus, 0x06) & 0x40).toBe(0x40);
    expect(a.core.mac.port!.fullDuplex).toBe(true);
    a.nic.reset();
    expect(page3(a.bus, 0x06) & 0x40).toBe(0);
    expect(a.core.mac.port!.fullDuplex).toBe(false);
  });

  test('the ISA NE2000 is half duplex only: a full-duplex RTL8029 at the other end of a cable still runs CSMA/CD', () => {
    const sim = new Simulation(4);
    const cable = new Cable(componentContext(sim, '', 'cab0'));
    const isa = isaCard(sim, 'en0', MAC_A);
    const b = rtl(sim, 'b', MAC_B, true);
    isa.nic.connect(cable);
    b.nic.connect(cable);
    expect(isa.core.mac.fullDuplexCapable).toBe(false);
    expect(isa.core.mac.port!.fullDuplex).toBe(false);
    expect(b.core.mac.port!.fullDuplex).toBe(false);
  });
});
