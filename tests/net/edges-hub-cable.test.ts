/**
 * Edges of the repeater hub, the cable and the clause 28 / 40.5 resolution that the main tests leave open: a MAC
 * that transmits while still serialising, the port named in a collision's drop record, the names of the pending
 * events a snapshot file lists, a snapshot restored into a cable with other ends, parallel detection against a PHY
 * offering only full duplex, and a manual SLAVE against an automatic partner.
 */
import { forcedAbilities, Mode, resolveLink, resolveMasterSlave, type LinkAbilities } from '../../emulator/machine/net/autoneg';
import { Cable } from '../../emulator/machine/net/cable';
import { fullAbilities } from '../../emulator/machine/net/endpoints';
import { Hub } from '../../emulator/machine/net/hub';
import { frameWireTimeNs } from '../../emulator/machine/net/link';
import { Switch } from '../../emulator/machine/net/switch';
import { RawEnd, Station, ethFrame, mac, rig } from './helpers';

const an = (a: Partial<LinkAbilities>) => fullAbilities(a);

describe('hub', () => {
  test('a transmit while the port still sends is dropped as "busy"; the frame on the wire goes on undisturbed', () => {
    // wire-probes.ts DropReason 'busy': a MAC bug (a driver kicking the transmitter twice); the hub must not
    // start a second signal from the same port (a port has one transmitter) nor lose the first frame.
    const r = rig();
    const hub = new Hub(r.ctx('hub0'));
    const a = new RawEnd(r, hub, 'a');
    const b = new RawEnd(r, hub, 'b');
    const W60 = frameWireTimeNs(60, 10_000_000);
    r.at(0, () => a.port.transmit(ethFrame(mac(2), mac(1), 60, 1)));
    r.at(1000, () => a.port.transmit(ethFrame(mac(2), mac(1), 60, 2)));
    r.sim.queue.runUntilIdle();
    expect(r.find('wire', 'drop').map((x) => [x.t, x.pkt, x.f])).toEqual([[1000, 2, { reason: 'busy', port: 'a' }]]);
    expect(r.find('wire', 'tx-start').map((x) => x.pkt)).toEqual([1]);
    expect(a.of('done').map((e) => e.t)).toEqual([W60]);
    expect(b.of('rx').map((e) => [e.t, e.frame!.pktId])).toEqual([[W60 + hub.propagation, 1]]);
  });

  test('a collision drops each sender\'s frame with a record naming its port', () => {
    // docs/formats/trace.md: wire `drop` (reason, …); the debugger's drop analysis (emulator/app/debug/drops)
    // groups records by port, so each collided frame names the port it came from.
    const r = rig(3);
    const hub = new Hub(r.ctx('hub0'));
    const a = new RawEnd(r, hub, 'a');
    const b = new RawEnd(r, hub, 'b');
    new RawEnd(r, hub, 'c');
    r.at(0, () => a.port.transmit(ethFrame(mac(2), mac(1), 60, 1)));
    r.at(0, () => b.port.transmit(ethFrame(mac(1), mac(2), 60, 2)));
    r.sim.queue.runUntilIdle();
    const jamEnd = hub.propagation + hub.jamNs; // each detects the other's signal at P and jams 32 bits
    expect(r.find('wire', 'drop').map((x) => [x.t, x.pkt, x.f])).toEqual([
      [jamEnd, 1, { reason: 'collision', port: 'a' }],
      [jamEnd, 2, { reason: 'collision', port: 'b' }],
    ]);
    expect(a.of('collision')).toHaveLength(1);
    expect(b.of('collision')).toHaveLength(1);
  });

  test('pending transmissions are listed as <medium>.<port>.txend: the names a snapshot file and the debugger show', () => {
    // docs/formats/snapshot.md: a snapshot's meta.events is the pending events as "name@time", checked against
    // the run that rebuilds it; the debugger's event list (emulator/app/debug/show.ts) prints the same names.
    const r = rig();
    const hub = new Hub(r.ctx('hub0'));
    const a = new RawEnd(r, hub, 'a');
    new RawEnd(r, hub, 'b');
    const sw = new Switch(r.ctx('sw0'));
    const h = new Station(r, 'h', sw); // a DP8390-like station: the switch port runs half duplex (CSMA/CD segment)
    const W60 = frameWireTimeNs(60, 10_000_000);
    r.at(1000, () => {
      a.port.transmit(ethFrame(mac(2), mac(1), 60, 1));
      h.send(ethFrame(mac(9), mac(3), 60, 2));
    });
    r.sim.queue.runUntil(2000);
    const pending = r.sim.queue.list().map((e) => `${e.name}@${e.when}`);
    expect(pending).toContain(`hub0.a.txend@${1000 + W60}`);
    // The half-duplex switch port's segment is a hub named after the port: sw0.p0.seg, station port 'h'.
    expect(sw.portFullDuplex('h')).toBe(false);
    expect(pending).toContain(`sw0.p0.seg.h.txend@${1000 + W60}`);
  });
});

describe('cable', () => {
  test('a snapshot restored into a cable with other ends is refused, naming both sets of ends', () => {
    // A restore rebuilds the scenario and loads each part (docs/formats/snapshot.md); a cable whose stations
    // differ from the snapshot's must say so rather than hand one station's frames to another.
    const r = rig();
    const c0 = new Cable(r.ctx('c0'));
    new RawEnd(r, c0, 'a', true);
    new RawEnd(r, c0, 'b', true);
    const saved = c0.saveState();
    const r2 = rig();
    const c1 = new Cable(r2.ctx('c0'));
    new RawEnd(r2, c1, 'a', true);
    new RawEnd(r2, c1, 'x', true);
    expect(() => c1.loadState(saved)).toThrow("c0: the snapshot's ends are [a, b], this cable has [a, x]");
  });
});

describe('auto-negotiation edges (802.3 clause 28, 40.5)', () => {
  test('parallel detection links a PHY that offers the detected speed in full duplex only (28.2.3.1)', () => {
    // Parallel detection recognises the partner's 100BASE-TX idles; the local PHY has that PMA whichever duplex
    // it advertises (ethtool "advertise 0x008": 100 full only), so it links at 100 half (duplex mismatch).
    const phy = an({ modes: Mode.TX100F | Mode.T1000F });
    const r = resolveLink(phy, forcedAbilities(Mode.TX100H));
    expect(r.ok).toBe(true);
    expect(r.ends[0].link).toMatchObject({ speedMbps: 100, fullDuplex: false, parallelDetect: true });
    expect(r.ends[1].link).toMatchObject({ speedMbps: 100, fullDuplex: false, parallelDetect: false });
    // The same from the other side, and at 10 Mb/s (a PHY that offers only 10BASE-T full duplex).
    const r10 = resolveLink(forcedAbilities(Mode.T10H), an({ modes: Mode.T10F }));
    expect(r10.ends[1].link).toMatchObject({ speedMbps: 10, fullDuplex: false, parallelDetect: true });
  });

  test('MASTER-SLAVE (40.5.2): a manual SLAVE is slave against an automatic end, even a multiport one', () => {
    // CTRL1000 bit 12 set, bit 11 clear (manual, SLAVE): the configured end is SLAVE and the automatic partner
    // MASTER; a manual setting beats the multiport preference.
    expect(resolveMasterSlave(an({ ms: 'slave' }), an({}), [2000, 1])).toBe(false);
    expect(resolveMasterSlave(an({ ms: 'slave' }), an({ multiport: true }), [2000, 1])).toBe(false);
    const r = resolveLink(an({ ms: 'slave' }), an({ multiport: true }));
    expect([r.ends[0].link!.master, r.ends[1].link!.master]).toEqual([false, true]);
  });
});
