/**
 * The nicinfo rows that come from the NE2000 drivers' own counters and configuration (stack/utils/nicinfo.ts):
 * "Deferred Transmits" from TSR.ND as the driver reads it, "Active Interface Type" from the medium the driver
 * determined, "Memory Allocation Failures on Receive" from failed receive-buffer allocations.
 */
import { driverModules } from '../../stack/drivers';
import { formatNicinfo } from '../../stack/utils/nicinfo';
import type { NativeDriverModule } from '../../stack/io-pkt/driver-api';
import type { IfInfo } from '../../stack/io-pkt/ioctl';
import type { Ifnet } from '../../stack/net/if';
import type { IoNetSelf, Npkt } from '../../stack/drivers/shim/ionet-api';
import { frame, makeRig, NIC_MAC, PEER_MAC, runUntil, type Rig } from './harness/rig';

const native = driverModules['devnp-ne2000.so'] as NativeDriverModule;
const shim = driverModules['devnp-shim.so'] as NativeDriverModule;

function up(kind: 'isa' | 'pci', opts: Parameters<typeof makeRig>[1] = {}): { r: Rig; ifp: Ifnet } {
  const r = makeRig(kind, opts);
  expect(r.iopkt.call(native.drvrInit(r.iopkt, kind === 'isa' ? 'ioport=0x300,irq=5' : ''))).toBe(0);
  const ifp = r.iopkt.ifaces[0]!;
  expect(r.iopkt.call(ifp.ops.init(ifp))).toBe(0);
  return { r, ifp };
}

/** While the peer's long frame is on the hub, our frame is queued: the MAC must defer. */
function sendBehindPeer(r: Rig, ifp: Ifnet): void {
  let fired = false;
  r.sim.tracer.addSink((rec) => {
    if (!fired && rec.layer === 'wire' && rec.probe === 'tx-start' && String(rec.f?.['port']).includes('peer')) {
      fired = true;
      r.iopkt.send(ifp, [{ data: frame(PEER_MAC, NIC_MAC, 200, 1), pktId: 5 }]);
    }
  });
  r.peer.send({ data: frame([0x02, 0, 0, 0, 0, 0x42], PEER_MAC, 1514), pktId: 4 });
  expect(runUntil(r.sim, () => ifp.data.opackets === 1, 100_000_000)).toBe(true);
  expect(fired).toBe(true);
}

function info(ifp: Ifnet): IfInfo {
  return { name: ifp.name, index: 1, flags: ifp.flags, mtu: ifp.mtu, lladdr: ifp.lladdr, type: 'ether', media: { ...ifp.media }, addrs: [], data: { ...ifp.data }, driver: ifp.driver };
}

function rowOf(text: string, label: string): string {
  const line = text.split('\n').find((l) => l.trimStart().startsWith(`${label} .`));
  return line ? line.replace(/^.*\.\.\. /, '') : `(no row ${label})`;
}

describe('Deferred Transmits', () => {
  test('ISA NE2000 on a hub: a frame that waited for the peer\'s reads TSR.ND = 0 and is counted', () => {
    const { r, ifp } = up('isa', { medium: 'hub' });
    sendBehindPeer(r, ifp);
    const s = ifp.ops.stats(ifp);
    expect(s.txDeferred).toBe(1);
    expect(s.txOk).toBe(1);
    expect(rowOf(formatNicinfo(ifp.name, ifp.ops.config(ifp), s, info(ifp)), 'Deferred Transmits')).toBe('1');
  });

  test('an undeferred frame is not counted', () => {
    const { r, ifp } = up('isa', { medium: 'hub' });
    r.iopkt.send(ifp, [{ data: frame(PEER_MAC, NIC_MAC, 200, 1), pktId: 5 }]);
    expect(runUntil(r.sim, () => ifp.data.opackets === 1, 100_000_000)).toBe(true);
    expect(ifp.ops.stats(ifp).txDeferred).toBe(0);
  });

  test('RTL8029: the MAC deferred, but TSR bit 1 always reads 1, so the driver cannot see it', () => {
    const { r, ifp } = up('pci', { medium: 'hub' });
    const macDefers: number[] = [];
    r.sim.tracer.addSink((rec) => {
      if (rec.layer === 'mac' && rec.probe === 'defer') macDefers.push(rec.pkt);
    });
    sendBehindPeer(r, ifp);
    expect(macDefers).toEqual([5]);
    expect(ifp.ops.stats(ifp).txDeferred).toBe(0);
  });
});

describe('Active Interface Type', () => {
  test('ISA: the driver\'s assumption (UTP); RTL8029: read from CONFIG0.BNC at init (UTP on this board)', () => {
    for (const kind of ['isa', 'pci'] as const) {
      const { ifp } = up(kind);
      const c = ifp.ops.config(ifp);
      expect(c.connector).toBe('UTP');
      expect(rowOf(formatNicinfo(ifp.name, c, ifp.ops.stats(ifp), info(ifp)), 'Active Interface Type')).toBe('UTP');
    }
  });

  test('nicinfo prints what the driver reports, not a constant', () => {
    const { ifp } = up('isa');
    const text = formatNicinfo(ifp.name, { ...ifp.ops.config(ifp), connector: 'BNC' }, ifp.ops.stats(ifp), info(ifp));
    expect(rowOf(text, 'Active Interface Type')).toBe('BNC');
    const unknown = formatNicinfo(ifp.name, { ...ifp.ops.config(ifp), connector: 'unknown' }, ifp.ops.stats(ifp), info(ifp));
    expect(rowOf(unknown, 'Active Interface Type')).toBe('Unknown');
  });
});

describe('Memory Allocation Failures on Receive', () => {
  test('devn-ne2000: when io-net has no npkt for a frame, the frame is dropped, counted, and the ring still drains', () => {
    const r = makeRig('isa');
    expect(r.iopkt.call(shim.drvrInit(r.iopkt, '/lib/dll/devn-ne2000.so ioport=0x300,irq=5'))).toBe(0);
    const ifp = r.iopkt.ifaces[0]!;
    expect(r.iopkt.call(ifp.ops.init(ifp))).toBe(0);
    // io-net's npkt pool runs dry for two allocations (the shim's softc holds its io-net emulation).
    const ion = (ifp.softc as { owner: IoNetSelf }).owner;
    const alloc = ion.alloc.bind(ion);
    let refuse = 2;
    ion.alloc = (size: number): Npkt | null => (refuse-- > 0 ? null : alloc(size));
    for (let i = 0; i < 3; i++) r.peer.send({ data: frame(NIC_MAC, PEER_MAC, 300, i), pktId: 60 + i });
    expect(runUntil(r.sim, () => r.iopkt.input.length === 1, 100_000_000)).toBe(true);
    runUntil(r.sim, () => false, 10_000_000);
    expect(r.iopkt.input.map((x) => x.m.pktId)).toEqual([62]);
    expect(r.k.traces.filter((t) => t.probe === 'rx-nobuf')).toHaveLength(2);
    const s = ifp.ops.stats(ifp);
    expect(s.rxFailedAllocs).toBe(2);
    expect(s.rxOk).toBe(1);
    const text = formatNicinfo(ifp.name, ifp.ops.config(ifp), s, info(ifp));
    expect(rowOf(text, 'Memory Allocation Failures on Receive')).toBe('2');
    expect(rowOf(text, 'Memory Allocation Failures on Transmit')).toBe('0');
    // The ring was drained past the dropped frames: the next frame arrives normally.
    r.peer.send({ data: frame(NIC_MAC, PEER_MAC, 300, 9), pktId: 70 });
    expect(runUntil(r.sim, () => r.iopkt.input.length === 2, 100_000_000)).toBe(true);
    expect(r.iopkt.input[1]!.m.pktId).toBe(70);
  });
});
