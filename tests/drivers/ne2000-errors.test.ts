import { driverModules } from '../../stack/drivers';
import type { NativeDriverModule } from '../../stack/io-pkt/driver-api';
import type { Ifnet } from '../../stack/net/if';
import { frame, makeRig, NIC_MAC, PEER_MAC, runUntil, type Rig } from './harness/rig';

const native = driverModules['devnp-ne2000.so'] as NativeDriverModule;

function upIsa(opts: Parameters<typeof makeRig>[1] = {}): { r: Rig; ifp: Ifnet } {
  const r = makeRig('isa', opts);
  expect(r.iopkt.call(native.drvrInit(r.iopkt, 'ioport=0x300,irq=5'))).toBe(0);
  const ifp = r.iopkt.ifaces[0]!;
  expect(r.iopkt.call(ifp.ops.init(ifp))).toBe(0);
  return { r, ifp };
}

describe('devnp-ne2000 error paths', () => {
  test('a receive burst the handler cannot serve overruns the ring; the handler recovers and counts it', () => {
    const { r, ifp } = upIsa();
    r.iopkt.paused = true; // the io-pkt thread is busy elsewhere
    for (let i = 0; i < 30; i++) r.peer.send({ data: frame(NIC_MAC, PEER_MAC, 1514, i), pktId: 200 + i });
    runUntil(r.sim, () => r.peer.received.length < 0, 60_000_000);
    expect(r.nic.core.receiver.inOverflow).toBe(true);
    r.iopkt.resume();
    runUntil(r.sim, () => false, 50_000_000);
    const over = r.k.traces.filter((t) => t.probe === 'overrun');
    expect(over).toHaveLength(1);
    const s = ifp.ops.stats(ifp);
    expect(s.rxOverruns).toBe(1);
    // What fitted in the 52-page ring (8 frames of 6 pages) was drained in order before OVW was acked.
    const got = r.iopkt.input.map((x) => x.m.pktId);
    expect(got.length).toBeGreaterThanOrEqual(7);
    expect(got).toEqual(got.slice().sort((a, b) => a - b));
    expect(ifp.data.ierrors).toBe(1);
    expect(r.nic.core.receiver.inOverflow).toBe(false);
    // The receiver works again afterwards.
    const before = r.iopkt.input.length;
    r.peer.send({ data: frame(NIC_MAC, PEER_MAC, 200, 77), pktId: 777 });
    expect(runUntil(r.sim, () => r.iopkt.input.length === before + 1)).toBe(true);
    expect(r.iopkt.input[before]!.m.pktId).toBe(777);
  });

  test('missed frames reach the tally counter; CNT is harvested into rxMissed', () => {
    const { r, ifp } = upIsa();
    r.iopkt.paused = true;
    // 2-page frames: the ring (52 pages) takes 25 of them, the rest are missed.
    for (let i = 0; i < 200; i++) r.peer.send({ data: frame(NIC_MAC, PEER_MAC, 300, i), pktId: 1000 + i });
    runUntil(r.sim, () => false, 100_000_000);
    r.iopkt.resume();
    runUntil(r.sim, () => false, 50_000_000);
    const s = ifp.ops.stats(ifp);
    expect(s.rxOverruns).toBe(1);
    expect(s.rxMissed).toBeGreaterThanOrEqual(128);
    expect(s.rxMissed + r.iopkt.input.length).toBeLessThanOrEqual(200);
  });

  test('a corrupt ring header resets the NIC (NetBSD) and reception continues', () => {
    const { r, ifp } = upIsa();
    r.iopkt.paused = true;
    r.peer.send({ data: frame(NIC_MAC, PEER_MAC, 300, 1), pktId: 1 });
    runUntil(r.sim, () => false, 5_000_000);
    // Frame stored at page 0x4D (CURR = PSTART + 1 after init): break its next-page pointer.
    const mem = r.nic.core.mem;
    expect(mem.read8(0x4d00 + 1)).toBe(0x4f);
    mem.write8(0x4d00 + 1, 0x60);
    r.iopkt.resume();
    runUntil(r.sim, () => false, 20_000_000);
    const resets = r.k.traces.filter((t) => t.probe === 'reset');
    expect(resets).toHaveLength(1);
    expect(String(resets[0]!.f?.['reason'])).toMatch(/ring corrupt at page 77: next 96/);
    expect(ifp.data.ierrors).toBe(1);
    expect(r.iopkt.input).toHaveLength(0);
    r.peer.send({ data: frame(NIC_MAC, PEER_MAC, 90, 2), pktId: 2 });
    expect(runUntil(r.sim, () => r.iopkt.input.length === 1)).toBe(true);
  });

  test('no medium: transmissions lose carrier, the link is reported down', () => {
    const { r, ifp } = upIsa({ medium: 'none' });
    r.iopkt.send(ifp, [{ data: frame(PEER_MAC, NIC_MAC, 100), pktId: 1 }]);
    runUntil(r.sim, () => ifp.data.opackets + ifp.data.oerrors === 1, 100_000_000);
    expect(ifp.ops.stats(ifp).txCarrierLost).toBe(1);
    expect(r.iopkt.links.at(-1)).toEqual({ name: 'en0', up: false });
    expect(ifp.media.linkUp).toBe(false);
  });

  test('collisions on a hub are counted from NCR', () => {
    const { r, ifp } = upIsa({ medium: 'hub' });
    // The peer starts its own frame the instant our NIC starts on the wire: the first attempt collides.
    let fired = false;
    r.sim.tracer.addSink((rec) => {
      if (!fired && rec.layer === 'wire' && rec.probe === 'tx-start' && String(rec.f?.['port']).includes('ne0')) {
        fired = true;
        r.peer.send({ data: frame(NIC_MAC, PEER_MAC, 500), pktId: 3 });
      }
    });
    r.iopkt.send(ifp, [{ data: frame(PEER_MAC, NIC_MAC, 500), pktId: 2 }]);
    runUntil(r.sim, () => ifp.data.opackets + ifp.data.oerrors === 1, 100_000_000);
    expect(fired).toBe(true);
    expect(ifp.data.opackets).toBe(1);
    expect(ifp.data.collisions).toBeGreaterThanOrEqual(1);
    const s = ifp.ops.stats(ifp);
    expect(s.txSingleCollisions + s.txMultiCollisions).toBe(1);
  });

  test('a transmit that never completes trips the 2 s watchdog, which resets the NIC', () => {
    const { r, ifp } = upIsa();
    r.iopkt.paused = true; // completion interrupts are never served
    r.iopkt.send(ifp, [{ data: frame(PEER_MAC, NIC_MAC, 100), pktId: 1 }]);
    runUntil(r.sim, () => r.k.traces.some((t) => t.probe === 'reset'), 5_000_000_000);
    const reset = r.k.traces.find((t) => t.probe === 'reset');
    expect(reset?.f?.['reason']).toBe('transmit watchdog');
    expect(r.sim.queue.now).toBeGreaterThanOrEqual(2_000_000_000);
    expect(ifp.data.oerrors).toBe(1);
    expect(r.iopkt.logs).toContain('ne2000: device timeout');
    r.iopkt.resume();
    r.iopkt.send(ifp, [{ data: frame(PEER_MAC, NIC_MAC, 100), pktId: 2 }]);
    expect(runUntil(r.sim, () => ifp.data.opackets === 1)).toBe(true);
    runUntil(r.sim, () => false, 5_000_000_000);
    expect(r.sim.queue.pending).toBe(0); // the watchdog callout is gone once nothing is outstanding
  });
});
