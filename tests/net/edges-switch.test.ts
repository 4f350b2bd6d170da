/**
 * Edges of the switch that the main tests leave open: XON waits for the bytes as well as the frames, the source
 * address of the switch's PAUSE frames, truncated MAC Control frames, the `duplex` record only on a change, a
 * station's duplex change while its port is down, and the queue flushed when a port's link goes down.
 */
import { StaticEndpoint } from '../../emulator/machine/net/endpoints';
import { buildPauseFrame, parsePause, PAUSE_DA } from '../../emulator/machine/net/mac-control';
import { Switch } from '../../emulator/machine/net/switch';
import { fnv1a } from '../../emulator/machine/sim/rng';
import { BROADCAST, Station, ethFrame, mac, rig } from './helpers';

const phy = (pause: boolean) => new StaticEndpoint({ pause }, { timeScale: 0.001 });

/** A 1 Gb/s station honouring PAUSE sends `n` 1514-byte frames to a 10 Mb/s DP8390-like station. */
function flood(queueBytes: number, n: number) {
  const r = rig(4);
  const sw = new Switch(r.ctx('sw0'), { queueBytes });
  const fast = new Station(r, 'f', sw, { fullDuplex: true, autoneg: phy(true), pause: true });
  const slow = new Station(r, 's', sw);
  slow.send(ethFrame(BROADCAST, mac(2), 60, 1)); // the switch learns s
  r.sim.queue.runUntilIdle();
  fast.sendAt(r.sim.queue.now + 1000, ...Array.from({ length: n }, (_, k) => ethFrame(mac(2), mac(1), 1514, 10 + k)));
  r.sim.queue.runUntilIdle();
  return { r, sw, fast, slow };
}

describe('802.3x flow control toward a station', () => {
  test('XOFF when the held bytes reach ¾ of the queue; XON only when frames AND bytes are down to ¼', () => {
    // switch.ts: XOFF at ¾ of queueFrames or of queueBytes, XON below ¼ of both. With room for 16 full frames
    // (queueBytes 16 × 1514) the byte bound decides: XOFF with 12 frames held (18168 B = ¾), and XON only with 4
    // held (6056 B = ¼) even though 16 frames (¼ of the 64-frame bound) would satisfy the frame count much earlier.
    const Q = 16 * 1514;
    const { r, sw, slow } = flood(Q, 30);
    // Two rounds: XOFF stops f, s's queue drains to 4 frames, XON, f fills it again.
    const pauses = r.recs.filter((x) => x.layer === 'switch' && (x.probe === 'xoff' || x.probe === 'xon'));
    expect(pauses.map((x) => [x.probe, x.f])).toEqual([
      ['xoff', { port: 'f', held: 12 }],
      ['xon', { port: 'f', held: 4 }],
      ['xoff', { port: 'f', held: 12 }],
      ['xon', { port: 'f', held: 4 }],
    ]);
    expect(r.find('wire', 'drop').filter((x) => x.f!.reason === 'queue-full')).toEqual([]);
    expect(slow.received.filter((x) => x.frame.pktId >= 10)).toHaveLength(30);
    expect(sw.portInfo('s').drops).toBe(0);
  });

  test('the switch\'s PAUSE frames come from the port\'s own address 02:53:57:<hash of the switch name>:<port>', () => {
    // 802.3 annex 31B.1: a PAUSE frame's source_address is the address of the station (here the switch port)
    // sending it; a station's PAUSE addressed to that unicast address is honoured too (parsePause's `own`).
    const { fast } = flood(16 * 1514, 30);
    const pauses = fast.received.filter((x) => parsePause(x.frame.data) !== null);
    expect(pauses.length).toBeGreaterThanOrEqual(2);
    const h = fnv1a('sw0');
    const want = [0x02, 0x53, 0x57, (h >>> 8) & 0xff, h & 0xff, 0]; // f is port 0
    for (const p of pauses) expect(Array.from(p.frame.data.subarray(6, 12))).toEqual(want);
  });
});

describe('MAC Control frames a PAUSE-capable port does not honour', () => {
  test('a MAC Control frame cut before pause_time is discarded, not read as PAUSE 0', () => {
    // Annex 31B.2: pause_time is the two octets after the opcode; a 16-byte frame (type 0x8808, opcode 0x0001,
    // nothing after) carries none. The port drops it as MAC Control (never relayed) and its pause state is unchanged.
    const r = rig(2);
    const sw = new Switch(r.ctx('sw0'));
    const a = new Station(r, 'a', sw, { fullDuplex: true, autoneg: phy(true), pause: true });
    const b = new Station(r, 'b', sw, { fullDuplex: true, autoneg: phy(true), pause: true });
    r.sim.queue.runUntilIdle();
    const cut = buildPauseFrame(mac(2), 2000, 7).data.slice(0, 16);
    b.sendAt(r.sim.queue.now + 1000, { data: cut, pktId: 7 });
    r.sim.queue.runUntilIdle();
    expect(r.find('wire', 'drop').map((x) => [x.pkt, x.f!.reason])).toEqual([[7, 'mac-control']]);
    expect(r.find('switch', 'pause')).toEqual([]);
    expect(sw.portInfo('b').pauseRx).toBe(0);
    expect(a.received).toEqual([]);
  });

  test('an ordinary frame whose bytes 14–15 read 00 01 is no PAUSE, to the reserved or to our own address', () => {
    // A PAUSE is type 0x8808 (31B.2); an ARP reply to us has hardware type 0x0001 in the same place and protocol
    // type 0x0800 where pause_time would be: read as PAUSE it would hold our transmitter for 2048 quanta.
    const own = mac(5);
    const arp = ethFrame(own, mac(6), 60, 1).data;
    arp.set([0x08, 0x06, 0x00, 0x01, 0x08, 0x00], 12);
    expect(parsePause(arp, own)).toBeNull();
    const reserved = arp.slice();
    reserved.set(PAUSE_DA, 0);
    expect(parsePause(reserved)).toBeNull();
  });
});

describe('port duplex and link', () => {
  test('a renegotiation to the same mode gives no second `duplex` record', () => {
    // docs/formats/trace.md: wire `duplex` (port, mode) is "the mode a cable or switch port resolved": one record
    // per change, not per negotiation.
    const r = rig(1);
    const sw = new Switch(r.ctx('sw0'));
    const ep = phy(false);
    new Station(r, 'a', sw, { fullDuplex: true, autoneg: ep });
    r.sim.queue.runUntilIdle();
    ep.restart();
    r.sim.queue.runUntilIdle();
    expect(r.find('autoneg', 'link-up')).toHaveLength(2); // the link went through a second negotiation
    expect(sw.portInfo('a')).toMatchObject({ up: true, fullDuplex: true, speedMbps: 1000 });
    expect(r.find('wire', 'duplex').map((x) => x.f)).toEqual([{ port: 'a', mode: 'full' }]);
  });

  test('a DP8390-like station that becomes full-duplex capable while its port is down: the port follows at once', () => {
    // An RTL8029 driver setting CONFIG3.FUDUP with the cable pulled (link.ts `renegotiate`): there is no
    // negotiation to wait for, the port takes the station's ability now and says so.
    const r = rig(1);
    const sw = new Switch(r.ctx('sw0'));
    const h = new Station(r, 'h', sw);
    r.sim.queue.runUntilIdle();
    expect(sw.portFullDuplex('h')).toBe(false);
    sw.setLinkUp('h', false);
    const t = r.sim.queue.now + 500;
    r.at(t, () => h.mac.setFullDuplexCapable(true));
    r.sim.queue.runUntilIdle();
    expect(sw.portInfo('h')).toMatchObject({ up: false, fullDuplex: true });
    expect(r.find('wire', 'duplex').filter((x) => x.t >= t).map((x) => [x.t, x.f])).toEqual([[t, { port: 'h', mode: 'full' }]]);
  });

  test('frames waiting for a port whose link goes down are dropped as link-down, each naming the port', () => {
    // switch.ts setLinkUp: "its queue is flushed"; the drop analysis (emulator/app/debug/drops/why.ts) explains
    // `link-down` as the port's link being down.
    const r = rig(1);
    const sw = new Switch(r.ctx('sw0'), { flowControl: false });
    const f = new Station(r, 'f', sw, { fullDuplex: true, autoneg: phy(false) });
    const s = new Station(r, 's', sw);
    s.send(ethFrame(BROADCAST, mac(2), 60, 1));
    r.sim.queue.runUntilIdle();
    const t0 = r.sim.queue.now + 1000;
    f.sendAt(t0, ...Array.from({ length: 6 }, (_, k) => ethFrame(mac(2), mac(1), 1514, 10 + k)));
    // 200 µs later all six have reached the switch (1.2 µs each at 1 Gb/s) and frame 10 is on s's 10 Mb/s wire
    // (1.22 ms): 11..15 wait in the queue.
    const tDown = t0 + 200_000;
    let queued = -1;
    r.at(tDown, () => {
      queued = sw.queueLength('s');
      sw.setLinkUp('s', false);
    });
    r.sim.queue.runUntilIdle();
    expect(queued).toBe(5);
    const drops = r.find('wire', 'drop').filter((x) => x.t === tDown);
    expect(drops.map((x) => [x.pkt, x.f])).toEqual([11, 12, 13, 14, 15].map((p) => [p, { reason: 'link-down', port: 's' }]));
    expect(s.received.map((x) => x.frame.pktId)).not.toContain(11);
  });
});
