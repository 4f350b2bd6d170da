/**
 * The host-to-PCI bridge (emulator/machine/board/pci-host.ts) at the boundaries the board's mutation run
 * (docs/testing.md) showed no test pinned, after the PCI Local Bus Specification 3.0 and the PC's configuration
 * mechanism #1 (§3.2.2.3.2):
 * - bus 0 has devices 0–31 with functions 0–7; a plug-in outside them is a configuration error; a full bus says so;
 * - Header Type bit 7 (§6.2.1) is set on function 0 exactly when its own device has more functions, whatever
 *   order they are plugged in; the host bridge (00:00.0) has no BARs;
 * - only a dword access at 0xCF8 is CONFIG_ADDRESS; byte and word accesses are ordinary ISA I/O (open bus,
 *   traced, charged as ISA cycles);
 * - a CONFIG_DATA write nobody claims (enable off, empty slot) is dropped (master abort); the verbose trace
 *   names every configuration cycle;
 * - a BAR left at 0 is not decoded; rewriting Command with the same decode bits does not remap; a BAR moved onto
 *   an occupied window is traced as a conflict;
 * - a snapshot restores each function's bytes into the same bus/device/function, and names a function the board
 *   lacks.
 */
import { PciHost, bdf } from '../../emulator/machine/board/pci-host';
import { IoSpace } from '../../emulator/machine/board/io-space';
import { MmioSpace } from '../../emulator/machine/board/mmio-space';
import { configCycleNs, hostInternalNs } from '../../emulator/machine/board/pci-bus';
import { ISA_8BIT_TARGET } from '../../emulator/machine/bus/timing';
import { isaIoNs } from '../../emulator/machine/board/isa-bus';
import { FakePciFunction, fakeNic, testSim } from './fake-pci';

const ENABLE = 0x8000_0000;
const addr = (dev: number, reg: number, fn = 0) => (ENABLE | (dev << 11) | (fn << 8) | reg) >>> 0;

function host(verbose = false) {
  const t = testSim(verbose);
  const io = new IoSpace(t.ctx('io'));
  const mmio = new MmioSpace(t.ctx('mmio'));
  const h = new PciHost(t.ctx('pci'), io, mmio);
  const cfgw = (dev: number, reg: number, v: number, fn = 0, size: 1 | 2 | 4 = 4) => {
    h.configAddressPort.write(0, 4, addr(dev, reg & 0xfc, fn));
    h.configDataPort.write(reg & 3, size, v);
  };
  const cfg = (dev: number, reg: number, fn = 0, size: 1 | 2 | 4 = 4) => {
    h.configAddressPort.write(0, 4, addr(dev, reg & 0xfc, fn));
    return h.configDataPort.read(reg & 3, size);
  };
  const pci = () => t.records.filter((r) => r.layer === 'pci').map((r) => [r.probe, r.f]);
  return { ...t, io, mmio, h, cfg, cfgw, pci };
}
const plain = (deviceId: number) => new FakePciFunction({ vendorId: 0x1234, deviceId, revision: 0, classCode: 0x020000, interruptPin: 0, bars: [] });

describe('bus 0 slots', () => {
  test('device 31 function 7 is the last slot; numbers outside 0–31 / 0–7 are refused', () => {
    const { h } = host();
    h.add(plain(1), 31, 7);
    expect(h.get(31, 7)).toBeDefined();
    for (const d of [32, -1, 1.5]) expect(() => h.add(plain(2), d)).toThrow(`PCI device number ${d} out of range`);
    for (const f of [8, -1, 0.5]) expect(() => h.add(plain(2), 5, f)).toThrow(`PCI function number ${f} out of range`);
  });

  test('firstFreeDevice skips taken devices and says when bus 0 is full', () => {
    const { h } = host();
    expect(h.firstFreeDevice()).toBe(1);
    for (let d = 1; d < 32; d++) h.add(plain(d), d);
    expect(() => h.firstFreeDevice()).toThrow('PCI bus 0 is full');
  });

  test('Header Type bit 7 marks a multi-function device only, whatever order its functions arrive in', () => {
    const { h, cfg } = host();
    h.add(plain(4), 4);
    h.add(plain(3), 3); // the next device's function 0 (slot index 3 * 8 + 8) is not a function of device 3
    expect((cfg(3, 0x0c) >>> 16) & 0xff).toBe(0x00);
    h.add(plain(0x51), 5, 1); // function 1 before function 0
    h.add(plain(0x50), 5, 0);
    expect((cfg(5, 0x0c) >>> 16) & 0xff).toBe(0x80);
    expect((cfg(4, 0x0c) >>> 16) & 0xff).toBe(0x00);
  });

  test('the host bridge 00:00.0 has no BARs', () => {
    const { cfg, cfgw } = host();
    for (let reg = 0x10; reg < 0x28; reg += 4) {
      cfgw(0, reg, 0xffffffff);
      expect(cfg(0, reg)).toBe(0);
    }
  });
});

describe('configuration mechanism #1 ports', () => {
  test('byte and word reads of 0xCF8 are open bus and traced; CONFIG_ADDRESS is untouched by narrow writes', () => {
    const { h, pci } = host();
    h.configAddressPort.write(0, 4, addr(3, 0x10));
    expect(h.configAddressPort.read(0, 1)).toBe(0xff);
    expect(h.configAddressPort.read(0, 2)).toBe(0xffff);
    h.configAddressPort.write(0, 2, 0x1234);
    h.configAddressPort.write(1, 1, 0x06); // 0xCF9: the PIIX3's reset control, not modelled
    expect(h.configAddressPort.read(0, 4)).toBe(addr(3, 0x10));
    expect(pci()).toEqual([
      ['cf8-narrow', { op: 'read', offset: 0, size: 1 }],
      ['cf8-narrow', { op: 'read', offset: 0, size: 2 }],
      ['cf8-narrow', { op: 'write', offset: 0, size: 2, value: 0x1234 }],
      ['cf8-narrow', { op: 'write', offset: 1, size: 1, value: 0x06 }],
    ]);
  });

  test('a dword at 0xCF8 costs a host-bridge register access; narrower ones cost ISA cycles', () => {
    const { h } = host();
    const ns = h.configAddressTiming.cycleNs;
    expect(ns(0, 4, false)).toBe(hostInternalNs(false, h.segment.periodNs));
    expect(ns(0, 4, true)).toBe(hostInternalNs(true, h.segment.periodNs));
    expect(ns(0, 1, false)).toBe(isaIoNs(ISA_8BIT_TARGET, 'subtractive', 0, 1, false));
    expect(ns(0, 2, true)).toBe(isaIoNs(ISA_8BIT_TARGET, 'subtractive', 0, 2, true));
    expect(ns(1, 1, false)).toBe(isaIoNs(ISA_8BIT_TARGET, 'subtractive', 1, 1, false));
    expect(ns(0, 1, false)).toBeGreaterThan(ns(0, 4, false));
  });

  test('only 00:00.0 is the host bridge\'s own registers; another function of device 0 is a PCI transaction', () => {
    const { h } = host();
    h.add(plain(0x99), 0, 1);
    const ns = h.configDataTiming.cycleNs;
    h.configAddressPort.write(0, 4, addr(0, 0x00, 0));
    expect(ns(0, 4, false)).toBe(hostInternalNs(false, h.segment.periodNs));
    h.configAddressPort.write(0, 4, addr(0, 0x00, 1));
    expect(ns(0, 4, false)).toBe(configCycleNs('medium', false, h.segment.periodNs));
    expect(ns(0, 4, false)).toBeGreaterThan(hostInternalNs(false, h.segment.periodNs));
  });

  test('CONFIG_DATA writes nobody claims are dropped (enable off, empty slot)', () => {
    const { h, cfg } = host();
    const before = h.saveState();
    h.configAddressPort.write(0, 4, 0x0000_1804); // enable bit clear
    h.configDataPort.write(0, 4, 0x7);
    h.configAddressPort.write(0, 4, addr(9, 0x04)); // nothing at 00:09.0
    h.configDataPort.write(0, 4, 0x7);
    expect(h.saveState().functions).toEqual(before.functions);
    expect(cfg(9, 0x00)).toBe(0xffffffff);
  });

  test('verbose: each configuration cycle is traced with the decoded address', () => {
    const { h, pci } = host(true);
    h.configAddressPort.write(0, 4, addr(1, 0x04, 2));
    h.configDataPort.write(2, 2, 0x5);
    h.configDataPort.read(1, 1);
    h.configAddressPort.write(0, 4, 0x0000_0808);
    h.configDataPort.read(0, 4);
    expect(pci()).toEqual([
      ['cfg-write', { enabled: true, bus: 0, dev: 1, fn: 2, reg: 0x06, size: 2, value: 5 }],
      ['cfg-read', { enabled: true, bus: 0, dev: 1, fn: 2, reg: 0x05, size: 1, value: 0xff }],
      ['cfg-read', { enabled: false, bus: 0, dev: 1, fn: 0, reg: 0x08, size: 4, value: 0xffffffff }],
    ]);
  });

  test('not verbose: configuration cycles leave no records', () => {
    const { cfg, cfgw, pci } = host();
    cfgw(0, 0x0c, 0x40);
    cfg(0, 0x00);
    expect(pci()).toEqual([]);
  });
});

describe('BAR windows', () => {
  test('a BAR left at 0 is not decoded when I/O decode is turned on', () => {
    const { h, cfgw, pci } = host();
    h.add(fakeNic().fn, 3);
    cfgw(3, 0x04, 0x0001);
    expect(pci()).toEqual([]);
    cfgw(3, 0x10, 0xc000);
    expect(pci()).toEqual([['bar-map', { dev: '00:03.0', bar: 0, space: 'io', base: 0xc000, size: 0x20 }]]);
  });

  test('rewriting Command or the BAR with the same decode leaves the window alone', () => {
    const { h, cfgw, pci } = host();
    h.add(fakeNic().fn, 3);
    cfgw(3, 0x10, 0xc000);
    cfgw(3, 0x04, 0x0001);
    cfgw(3, 0x04, 0x0005); // bus master on: I/O decode unchanged
    cfgw(3, 0x10, 0xc001);
    expect(pci().map(([p]) => p)).toEqual(['bar-map']);
  });

  test('a BAR moved onto an occupied window is traced as a conflict with the reason', () => {
    const { h, io, cfgw, pci } = host();
    io.map(0xc000, 0x10, { read: () => 0, write: () => {} }, 'other', { cycleNs: () => 0 });
    h.add(fakeNic().fn, 3);
    cfgw(3, 0x10, 0xc000);
    cfgw(3, 0x04, 0x0001);
    const [probe, f] = pci()[0]!;
    expect(probe).toBe('bar-conflict');
    expect(f).toMatchObject({ dev: '00:03.0', bar: 0, space: 'io', base: 0xc000, size: 0x20 });
    expect(String((f as { why: string }).why)).toMatch(/other/);
  });
});

describe('PCI host snapshots', () => {
  test('each function of a multi-function device gets its own bytes back', () => {
    const a = host();
    a.h.add(plain(0x50), 5, 0);
    a.h.add(plain(0x51), 5, 1);
    a.cfgw(5, 0x0c, 0x11, 0, 1);
    a.cfgw(5, 0x0c, 0x22, 1, 1);
    const saved = JSON.parse(JSON.stringify(a.h.saveState()));
    const b = host();
    b.h.add(plain(0x50), 5, 0);
    b.h.add(plain(0x51), 5, 1);
    b.h.loadState(saved);
    expect([b.cfg(5, 0x0c, 0, 1), b.cfg(5, 0x0c, 1, 1)]).toEqual([0x11, 0x22]);
    expect(b.h.saveState()).toEqual(saved);
  });

  test('a snapshot of another version is refused naming the component', () => {
    const a = host();
    expect(() => a.h.loadState({ ...a.h.saveState(), v: 2 as 1 })).toThrow(/^n0\.pci \(PCI host\): /);
  });

  test('a snapshot naming a function this board lacks is refused with its address', () => {
    const a = host();
    a.h.add(plain(0x50), 5, 2);
    const saved = a.h.saveState();
    expect(() => host().h.loadState(saved)).toThrow(`n0.pci: snapshot has PCI ${bdf(5, 2)}, this board does not`);
  });
});
