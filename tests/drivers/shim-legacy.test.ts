import { driverModules } from '../../stack/drivers';
import { splitShimOptions } from '../../stack/drivers/shim/shim';
import type { NativeDriverModule } from '../../stack/io-pkt/driver-api';
import { IFF_RUNNING } from '../../stack/net/if';
import { Errno } from '../../stack/kernel/api';
import { frame, makeRig, NIC_MAC, PEER_MAC, runUntil } from './harness/rig';

const shim = driverModules['devnp-shim.so'] as NativeDriverModule;

describe('devnp-shim.so running devn-ne2000.so', () => {
  test('the option string splits into path, driver options and the shim\'s own', () => {
    expect(splitShimOptions('/lib/dll/devn-ne2000.so ioport=0x300,shimrxcopy=0,irq=5')).toEqual({
      path: '/lib/dll/devn-ne2000.so', driverOptions: 'ioport=0x300,irq=5', rxCopy: false,
    });
    expect(splitShimOptions('devn-ne2000.so')).toEqual({ path: 'devn-ne2000.so', driverOptions: '', rxCopy: true });
  });

  test('the legacy driver registers en0 through io-net; frames flow both ways; umount detaches', () => {
    const r = makeRig('isa');
    expect(r.iopkt.call(shim.drvrInit(r.iopkt, '/lib/dll/devn-ne2000.so ioport=0x300,irq=5'))).toBe(0);
    expect(r.iopkt.ifaces.map((i) => i.name)).toEqual(['en0']);
    const ifp = r.iopkt.ifaces[0]!;
    expect(Array.from(ifp.lladdr)).toEqual(NIC_MAC);
    expect(r.iopkt.call(ifp.ops.init(ifp))).toBe(0);
    expect(ifp.flags & IFF_RUNNING).toBe(IFF_RUNNING);

    // Transmit: if_snd → npkt → tx_down → on-card buffer → wire, packet id intact.
    r.iopkt.send(ifp, [
      { data: frame(PEER_MAC, NIC_MAC, 400, 1), pktId: 21 },
      { data: frame(PEER_MAC, NIC_MAC, 900, 2), pktId: 22 },
      { data: frame(PEER_MAC, NIC_MAC, 64, 3), pktId: 23 },
    ]);
    expect(runUntil(r.sim, () => r.peer.received.length === 3)).toBe(true);
    expect(r.peer.received.map((f) => f.pktId)).toEqual([21, 22, 23]);
    expect(ifp.snd).toHaveLength(0);

    // Receive: the driver's own interrupt thread (InterruptAttachEvent/InterruptWait) sends npkts up.
    const sent = [frame(NIC_MAC, PEER_MAC, 1514, 4), frame(NIC_MAC, PEER_MAC, 61, 5)];
    sent.forEach((f, i) => r.peer.send({ data: f, pktId: 31 + i }));
    expect(runUntil(r.sim, () => r.iopkt.input.length === 2)).toBe(true);
    r.iopkt.input.forEach((x, i) => {
      expect(Buffer.from(x.m.data).equals(Buffer.from(sent[i]!))).toBe(true);
      expect(x.m.pktId).toBe(31 + i);
      expect(x.ifp).toBe(ifp);
    });
    expect(r.iopkt.entries).toHaveLength(0); // no io-pkt interrupt entry: io-net drivers attach their own
    const s = ifp.ops.stats(ifp);
    expect(s.rxOk).toBe(2);
    expect(s.txOk).toBe(3);
    expect(ifp.ops.config(ifp).description).toMatch(/NE-2000/);

    // umount /dev/io-net/en0 → detach.
    expect(r.iopkt.call(ifp.ops.detach!(ifp))).toBe(0);
    expect(r.iopkt.ifaces).toHaveLength(0);
    r.peer.send({ data: frame(NIC_MAC, PEER_MAC, 100), pktId: 40 });
    runUntil(r.sim, () => false, 10_000_000);
    expect(r.iopkt.input).toHaveLength(2);
  });

  test('shimrxcopy=0 hands the npkt buffer up without a copy; both paths deliver the same bytes', () => {
    const r = makeRig('isa');
    r.iopkt.call(shim.drvrInit(r.iopkt, 'devn-ne2000.so ioport=0x300,irq=5,shimrxcopy=0'));
    const ifp = r.iopkt.ifaces[0]!;
    r.iopkt.call(ifp.ops.init(ifp));
    const f = frame(NIC_MAC, PEER_MAC, 300, 9);
    r.peer.send({ data: f, pktId: 9 });
    expect(runUntil(r.sim, () => r.iopkt.input.length === 1)).toBe(true);
    expect(Buffer.from(r.iopkt.input[0]!.m.data).equals(Buffer.from(f))).toBe(true);
  });

  test('errors: not an io-net module, no card', () => {
    const r = makeRig('isa');
    expect(r.iopkt.call(shim.drvrInit(r.iopkt, '/lib/dll/devnp-ne2000.so ioport=0x300,irq=5'))).toBe(Errno.ENOENT);
    expect(r.iopkt.call(shim.drvrInit(r.iopkt, '/lib/dll/devn-ne2000.so ioport=0x280,irq=3'))).toBe(Errno.ENODEV);
    expect(r.iopkt.ifaces).toHaveLength(0);
  });
});
