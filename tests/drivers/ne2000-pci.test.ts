import { driverModules } from '../../stack/drivers';
import type { NativeDriverModule } from '../../stack/io-pkt/driver-api';
import { IFF_ALLMULTI } from '../../stack/net/if';
import { Errno } from '../../stack/kernel/api';
import { pci_enumerate, pci_find_device, pci_read_config } from '../../stack/lib/pci';
import { mcastHashIndex } from '../../stack/drivers/dp8390/mcast';
import { multicastHashIndex } from '../../nic-models/ne2000';
import { frame, makeRig, NIC_MAC, PEER_MAC, runUntil } from './harness/rig';

const native = driverModules['devnp-ne2000.so'] as NativeDriverModule;

describe('stack/lib/pci over configuration mechanism #1', () => {
  test('finds the RTL8029 with its I/O BAR and the IRQ start-up wrote into 0x3C', () => {
    const r = makeRig('pci');
    const ctx = r.iopkt.ctx;
    const all = r.iopkt.call(pci_enumerate(ctx));
    expect(all.map((d) => `${d.vendorId.toString(16)}:${d.deviceId.toString(16)}`)).toEqual(['8086:1237', '8086:7000', '10ec:8029']);
    const d = r.iopkt.call(pci_find_device(ctx, 0x10ec, 0x8029, 0))!;
    const info = r.syspage.pci.find((p) => p.vendorId === 0x10ec)!;
    expect(d).toMatchObject({ bus: 0, dev: info.device, fn: 0, classCode: 0x020000, irq: info.irq });
    expect(d.bars).toEqual([{ index: 0, kind: 'io', base: info.bars[0]!.base, size: 32, prefetchable: false }]);
    expect(r.iopkt.call(pci_find_device(ctx, 0x10ec, 0x8029, 1))).toBeNull();
    expect(r.iopkt.call(pci_find_device(ctx, 0x8086, 0x100e, 0))).toBeNull();
    // BAR sizing restored the BAR and the command register.
    expect(r.iopkt.call(pci_read_config(ctx, 0, d.dev, 0, 0x10, 4))).toBe(info.bars[0]!.base | 1);
    expect(r.iopkt.call(pci_read_config(ctx, 0, d.dev, 0, 0x04, 2)) & 0x5).toBe(0x5);
  });
});

describe('devnp-ne2000 on a PCI RTL8029', () => {
  test('probe by vendor/device, attach en0, run traffic both ways', () => {
    const r = makeRig('pci', { fullDuplex: true });
    expect(r.iopkt.call(native.drvrInit(r.iopkt, ''))).toBe(0);
    const ifp = r.iopkt.ifaces[0]!;
    expect(ifp.name).toBe('en0');
    expect(Array.from(ifp.lladdr)).toEqual(NIC_MAC);
    expect(r.iopkt.call(ifp.ops.init(ifp))).toBe(0);
    const cfg = ifp.ops.config(ifp);
    expect(cfg.irq).toEqual([r.irq]);
    expect(cfg.ioPorts[0]!.base).toBe(r.syspage.pci.find((p) => p.vendorId === 0x10ec)!.bars[0]!.base);
    expect(cfg.fullDuplex).toBe(true);
    expect(cfg.description).toMatch(/8029/);
    expect(ifp.media).toMatchObject({ subtype: '10baseT', fullDuplex: true, linkUp: true });

    r.iopkt.send(ifp, [{ data: frame(PEER_MAC, NIC_MAC, 700), pktId: 1 }]);
    expect(runUntil(r.sim, () => r.peer.received.length === 1)).toBe(true);
    for (let i = 0; i < 12; i++) r.peer.send({ data: frame(NIC_MAC, PEER_MAC, 1000 + i, i), pktId: 50 + i });
    expect(runUntil(r.sim, () => r.iopkt.input.length === 12)).toBe(true);
    expect(r.iopkt.input.map((x) => x.m.pktId)).toEqual(Array.from({ length: 12 }, (_, i) => 50 + i));
    // Port I/O on PCI is cheaper than on ISA but still dominates: 1000 bytes = 500 word reads.
    expect(r.k.traces.filter((t) => t.probe === 'intr').length).toBeGreaterThan(0);
  });

  test('pci=1 with one card gives ENODEV; a wrong did finds nothing', () => {
    const r = makeRig('pci');
    expect(r.iopkt.call(native.drvrInit(r.iopkt, 'pci=1'))).toBe(Errno.ENODEV);
    expect(r.iopkt.call(native.drvrInit(r.iopkt, 'vid=0x10ec,did=0x8139'))).toBe(Errno.ENODEV);
    expect(r.iopkt.logs.some((l) => l.includes('10ec:8139'))).toBe(true);
    expect(r.iopkt.ifaces).toHaveLength(0);
  });
});

describe('multicast filter', () => {
  test('the driver hash matches the chip model for many addresses', () => {
    for (let i = 0; i < 256; i++) {
      const a = Uint8Array.from([0x01, 0x00, 0x5e, i & 0x7f, (i * 29) & 0xff, (i * 101) & 0xff]);
      expect(mcastHashIndex(a)).toBe(multicastHashIndex(a));
    }
  });

  test('joined groups are received, others are filtered; ALLMULTI opens the filter', () => {
    const r = makeRig('pci');
    r.iopkt.call(native.drvrInit(r.iopkt, ''));
    const ifp = r.iopkt.ifaces[0]!;
    const group = [0x01, 0x00, 0x5e, 0x00, 0x00, 0x01];
    const other = [0x01, 0x00, 0x5e, 0x00, 0x00, 0x02];
    expect(mcastHashIndex(Uint8Array.from(group))).not.toBe(mcastHashIndex(Uint8Array.from(other)));
    ifp.multicast.push(Uint8Array.from(group));
    r.iopkt.call(ifp.ops.init(ifp));
    r.peer.send({ data: frame(group, PEER_MAC, 80), pktId: 1 });
    r.peer.send({ data: frame(other, PEER_MAC, 80), pktId: 2 });
    runUntil(r.sim, () => false, 10_000_000);
    expect(r.iopkt.input.map((x) => x.m.pktId)).toEqual([1]);
    expect(ifp.ops.stats(ifp).rxMulticast).toBe(1);
    ifp.flags |= IFF_ALLMULTI;
    r.iopkt.call(ifp.ops.setFilter!(ifp));
    r.peer.send({ data: frame(other, PEER_MAC, 80), pktId: 3 });
    runUntil(r.sim, () => false, 10_000_000);
    expect(r.iopkt.input.map((x) => x.m.pktId)).toEqual([1, 3]);
  });
});
