/**
 * The two halves of a guest NIC's attachment across threads, joined here directly (no threads): the main thread's
 * StationProxy on a real hub, and the worker's RemotePort replica. The medium's calls reach the guest's listener with
 * the port state of their moment, calls made inside attach() are not lost, and the guest's frames reach the hub.
 */
import { Switch } from '../../emulator/machine/net/switch';
import { Mode } from '../../emulator/machine/net/autoneg';
import type { AutonegControl, AutonegEndpoint } from '../../emulator/machine/net/link-segment';
import { Simulation } from '../../emulator/machine/sim/simulation';
import { componentContext } from '../../emulator/machine/sim/context';
import { Hub } from '../../emulator/machine/net/hub';
import type { Frame, NetPortListener } from '../../emulator/machine/net/link';
import { frameOf, StationProxy } from '../../emulator/machine/parallel/station-proxy';
import { RemoteMedia } from '../../emulator/machine/parallel/remote-medium';
import type { PortCall, PortState } from '../../emulator/machine/parallel/messages';

test('a hub station through the stand-ins: attach-time link, frames both ways, carrier and transmit done', () => {
  const sim = new Simulation(1);
  const hub = new Hub(componentContext(sim, '', 'hub0'));
  const heard: string[] = [];
  const guestListener: NetPortListener = {
    frameReceived: (f: Frame) => heard.push(`rx ${f.data.length} pkt ${f.pktId} @${sim.queue.now}`),
    transmitDone: () => heard.push(`done @${sim.queue.now}`),
    collision: () => heard.push('collision'),
    carrierChanged: (busy) => heard.push(`carrier ${busy} (port says ${port.carrier()})`),
    linkChanged: (up) => heard.push(`link ${up}`),
  };
  // Worker side: what the MAC does goes "to the main thread" (here: straight to the proxy, at the same time).
  let proxy: StationProxy;
  const media = new RemoteMedia({
    transmit: (_p, f) => proxy.transmit(frameOf({ data: f.data, pkt: f.pktId })),
    renegotiate: () => undefined,
    autonegRestart: () => undefined,
    autonegAbilities: () => undefined,
    radio: () => undefined,
  });
  const port = media.medium('hub0').attach(guestListener, 'g.nic0');
  expect(media.attaches).toEqual([{ link: 'hub0', name: 'g.nic0', fdx: false }]);
  // Main side: the medium's calls are applied to the replica "in the worker" (here: at once).
  const calls: [PortCall, PortState][] = [];
  proxy = new StationProxy(
    hub,
    media.attaches[0]!,
    0,
    (i, call, st, x) => {
      calls.push([call, st]);
      media.ports[i]!.apply(call, st, x.v, x.frame);
    },
    () => undefined,
  );
  media.ports[0]!.setState(proxy.state());
  expect(port.linkUp()).toBe(true);
  expect(port.bitRate).toBe(10_000_000);
  // Another station on the hub sends us a frame: carrier, then the frame at its end.
  const other: NetPortListener = { frameReceived: () => undefined, transmitDone: () => heard.push(`other done @${sim.queue.now}`), collision: () => undefined };
  const otherPort = hub.attach(other, 'q.nic0');
  otherPort.transmit({ data: new Uint8Array(60), pktId: 7 });
  sim.queue.runUntil(1_000_000);
  expect(heard).toContain('carrier true (port says true)');
  expect(heard.some((h) => h.startsWith('rx 60 pkt 7 @'))).toBe(true);
  // The guest sends a frame: the hub completes it and says so through the proxy.
  heard.length = 0;
  port.transmit({ data: new Uint8Array(100), pktId: 0 });
  sim.queue.runUntil(2_000_000);
  // 8 preamble + 100 + 4 FCS bytes at 10 Mb/s = 89.6 µs after it started at 1 ms.
  expect(heard).toContain(`done @${1_000_000 + 89_600}`);
  expect(calls.every(([, st]) => st[0] === 10_000_000)).toBe(true);
});

/** A PHY that offers 1000BASE-T full duplex and logs what its link segment tells it. */
function fakePhy(log: string[], sim: Simulation): AutonegEndpoint & { restart(): void } {
  let control: AutonegControl | null = null;
  return {
    abilities: () => ({ modes: Mode.T1000F | Mode.TX100F, autoneg: true, pause: true, asymPause: false, ms: 'auto', multiport: false }),
    attached: (c) => (control = c),
    restarted: () => log.push(`restarted @${sim.queue.now}`),
    negotiated: (o) => log.push(`negotiated ${o.link?.speedMbps} @${sim.queue.now}`),
    linkUp: (l) => log.push(`up ${l.speedMbps} ${l.fullDuplex ? 'full' : 'half'} @${sim.queue.now}`),
    linkDown: () => log.push(`down @${sim.queue.now}`),
    restart: () => control?.restart(),
  };
}

test('a PHY of its own negotiates with a switch port through the stand-ins as it does attached directly', () => {
  const run = (remote: boolean): string[] => {
    const sim = new Simulation(1);
    const sw = new Switch(componentContext(sim, '', 'sw0'));
    const log: string[] = [];
    const phy = fakePhy(log, sim);
    const listener: NetPortListener = { frameReceived: () => undefined, transmitDone: () => undefined, collision: () => undefined, linkChanged: (up) => log.push(`link ${up} @${sim.queue.now}`), autoneg: phy };
    if (!remote) {
      sw.attach(listener, 'g.nic0');
    } else {
      // Both directions "at once" (a test harness: the threads' 1 ns boundary is not modelled here).
      let proxy: StationProxy;
      const media = new RemoteMedia({
        transmit: () => undefined,
        renegotiate: () => undefined,
        autonegRestart: (_p, abil) => proxy.autonegRestart(abil),
        autonegAbilities: (_p, abil) => proxy.autonegOffers(abil),
        radio: () => undefined,
      });
      media.medium('sw0').attach(listener, 'g.nic0');
      expect(media.attaches[0]!.an?.abil?.modes).toBe(Mode.T1000F | Mode.TX100F);
      proxy = new StationProxy(
        sw,
        media.attaches[0]!,
        0,
        (i, call, st, x) => media.ports[i]!.apply(call, st, x.v, x.frame),
        (i, c) => media.ports[i]!.applyAutoneg(c),
      );
      media.start();
    }
    sim.queue.runUntil(5_000_000_000);
    phy.restart(); // the driver resets the PHY: the link breaks and negotiation starts over
    sim.queue.runUntil(10_000_000_000);
    return log;
  };
  const direct = run(false);
  expect(direct.filter((l) => l.startsWith('up 1000 full')).length).toBe(2);
  expect(run(true)).toEqual(direct);
});

test("a guest's media are quiet when every station says so (RemoteMedia.quiet)", () => {
  const media = new RemoteMedia({ transmit: () => undefined, renegotiate: () => undefined, autonegRestart: () => undefined, autonegAbilities: () => undefined, radio: () => undefined });
  expect(media.quiet()).toBe(false); // no station at all
  const quiet = [true, true];
  const station = (i: number): NetPortListener => ({ frameReceived: () => undefined, transmitDone: () => undefined, collision: () => undefined, carrierQuiet: () => quiet[i]! });
  media.medium('hub0').attach(station(0), 'g.nic0');
  media.medium('hub1').attach(station(1), 'g.nic1');
  expect(media.quiet()).toBe(true);
  quiet[1] = false;
  expect(media.quiet()).toBe(false);
  quiet[1] = true;
  // A station that does not answer (no carrierQuiet) is never quiet.
  media.medium('hub2').attach({ frameReceived: () => undefined, transmitDone: () => undefined, collision: () => undefined }, 'g.nic2');
  expect(media.quiet()).toBe(false);
});
