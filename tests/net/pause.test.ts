import { StaticEndpoint } from '../../emulator/machine/net/endpoints';
import { frameWireTimeNs } from '../../emulator/machine/net/link';
import { buildPauseFrame, isBridgeReserved, parsePause, PAUSE_DA, pauseTimeNs } from '../../emulator/machine/net/mac-control';
import { PcapMemoryWriter } from '../../emulator/machine/net/pcap';
import { attachPcap } from '../../emulator/machine/net/pcap-tap';
import { Switch } from '../../emulator/machine/net/switch';
import { BROADCAST, Station, ethFrame, mac, rig } from './helpers';

const G = 1_000_000_000;
// Wire times come from the model under test: functions, so they are computed inside the tests that use them.
const W1514_1G = () => frameWireTimeNs(1514, G);
const W60_1G = () => frameWireTimeNs(60, G); // a PAUSE frame: 576 ns
const IFG_1G = 96;
const W1514_10 = () => frameWireTimeNs(1514, 10e6);
const IFG_10 = 9_600;
const PROP = 50;
const LAT = 2_000;
const phy = (pause: boolean) => new StaticEndpoint({ pause }, { timeScale: 0.001 });

describe('802.3x PAUSE frames', () => {
  test('build and parse: reserved address, type 0x8808, opcode 1, pause_time, padded to 60 bytes', () => {
    const f = buildPauseFrame([2, 0, 0, 0, 0, 9], 0x1234);
    expect(Array.from(f.data.subarray(0, 18))).toEqual([...PAUSE_DA, 2, 0, 0, 0, 0, 9, 0x88, 0x08, 0, 1, 0x12, 0x34]);
    expect(f.data.length).toBe(60);
    expect(parsePause(f.data)).toBe(0x1234);
    expect(isBridgeReserved(f.data)).toBe(true);
    const other = f.data.slice();
    other[15] = 2; // another MAC Control opcode
    expect(parsePause(other)).toBeNull();
    const unicast = f.data.slice();
    unicast.set([2, 0, 0, 0, 0, 7], 0);
    expect(parsePause(unicast)).toBeNull();
    expect(parsePause(unicast, [2, 0, 0, 0, 0, 7])).toBe(0x1234); // to the receiver's own address
    expect(pauseTimeNs(0xffff, G)).toBe(33_553_920); // 65535 × 512 ns
    expect(pauseTimeNs(1, 10e6)).toBe(51_200);
  });
});

/** A 1 Gb/s station that honours PAUSE floods a 10 Mb/s DP8390-like station through a switch with flow control. */
function flood(seed: number, pcap?: PcapMemoryWriter) {
  const r = rig(seed);
  const sw = new Switch(r.ctx('sw0'));
  if (pcap) attachPcap(sw, pcap, r.sim.queue);
  const fast = new Station(r, 'f', sw, { fullDuplex: true, autoneg: phy(true), pause: true });
  const slow = new Station(r, 's', sw);
  slow.send(ethFrame(BROADCAST, mac(2), 60, 1));
  r.sim.queue.runUntilIdle();
  const t0 = r.sim.queue.now + 1000;
  const N = 100;
  fast.sendAt(t0, ...Array.from({ length: N }, (_, k) => ethFrame(mac(2), mac(1), 1514, 10 + k)));
  r.sim.queue.runUntilIdle();
  return { r, sw, fast, slow, t0, N };
}

describe('flow control through the switch', () => {
  test('the switch sends XOFF to a station congesting an output queue, repeats it, sends XON: nothing is dropped', () => {
    const { r, sw, fast, slow, t0, N } = flood(1);
    expect(r.find('wire', 'drop').filter((x) => x.f!.reason === 'queue-full')).toEqual([]);
    expect(slow.received.map((x) => x.frame.pktId)).toEqual(Array.from({ length: N }, (_, k) => 10 + k));
    // Frame k is queued at port s at e_k = t0 + k (W + IFG) + W + P + LAT. Frame 0 goes straight onto the wire, so
    // frames 1..48 are held when frame 48 arrives: 48 = ¾ of 64, XOFF at once on f's idle egress.
    const e = (k: number) => t0 + k * (W1514_1G() + IFG_1G) + W1514_1G() + PROP + LAT;
    const xoffs = r.find('switch', 'xoff');
    const xons = r.find('switch', 'xon');
    expect(xoffs[0]!.t).toBe(e(48));
    // XOFF is 0xffff quanta (33.55 ms at 1 Gb/s), repeated halfway while the queue stays above ¼.
    expect(xoffs[1]!.t).toBe(e(48) + pauseTimeNs(0xffff, G) / 2);
    expect(xoffs[2]!.t).toBe(e(48) + pauseTimeNs(0xffff, G));
    // The station stops handing frames to its MAC once XOFF arrived (W + P after e(48)): frames 0..49 were out.
    const arrived = e(48) + W60_1G() + PROP;
    const handed = (k: number) => t0 + k * (W1514_1G() + IFG_1G) - IFG_1G;
    expect(handed(49)).toBeLessThan(arrived);
    expect(handed(50)).toBeGreaterThan(arrived);
    // XON when s has sent enough that only 16 (¼) of f's frames wait: frame j leaves the queue at the end of j − 1.
    const dq = (j: number) => e(0) + j * W1514_10() + (j - 1) * IFG_10;
    expect(xons[0]!.t).toBe(dq(49 - 16));
    const start50 = r.find('wire', 'tx-start').find((x) => x.pkt === 60)!.t;
    expect(start50).toBe(dq(33) + W60_1G() + PROP);
    expect(sw.portInfo('f').pauseTx).toBe(xoffs.length + xons.length);
    expect(fast.received.filter((x) => parsePause(x.frame.data) !== null)).toHaveLength(xoffs.length + xons.length);
    expect(sw.portInfo('s')).toMatchObject({ drops: 0, tx: N });
  });

  test('pcap taps record the PAUSE frames and are byte-identical across runs', () => {
    const a = new PcapMemoryWriter();
    const b = new PcapMemoryWriter();
    flood(3, a);
    flood(3, b);
    expect(Buffer.from(a.bytes()).equals(Buffer.from(b.bytes()))).toBe(true);
    const bytes = Buffer.from(a.bytes());
    let pauses = 0;
    for (let off = 24; off < bytes.length; ) {
      const len = bytes.readUInt32LE(off + 8);
      if (bytes.readUInt16BE(off + 16 + 12) === 0x8808) pauses++;
      off += 16 + len;
    }
    expect(pauses).toBeGreaterThan(3);
  });

  test('a station\'s PAUSE holds the switch port\'s egress (data only); it is never relayed', () => {
    const r = rig(2);
    const sw = new Switch(r.ctx('sw0'));
    const a = new Station(r, 'a', sw, { fullDuplex: true, autoneg: phy(true), pause: true });
    const b = new Station(r, 'b', sw, { fullDuplex: true, autoneg: phy(true), pause: true });
    r.sim.queue.runUntilIdle();
    const t0 = r.sim.queue.now + 1000;
    b.sendAt(t0, buildPauseFrame(mac(2), 2000, 7));
    a.sendAt(t0 + 1000, ethFrame(mac(2), mac(1), 1514, 8));
    r.sim.queue.runUntilIdle();
    const pausedAt = t0 + W60_1G() + PROP;
    const until = pausedAt + 2000 * 512;
    expect(r.find('switch', 'pause').map((x) => [x.t, x.f!.port, x.f!.quanta])).toEqual([[pausedAt, 'b', 2000]]);
    expect(b.received.map((x) => [x.t, x.frame.pktId])).toEqual([[until + W1514_1G() + PROP, 8]]);
    expect(a.received).toEqual([]); // MAC Control ends at the port
    expect(sw.portInfo('b').pauseRx).toBe(1);
  });

  test('without PAUSE negotiated the switch neither honours nor sends it', () => {
    const r = rig(2);
    const sw = new Switch(r.ctx('sw0'));
    const a = new Station(r, 'a', sw, { fullDuplex: true, autoneg: phy(false) });
    const b = new Station(r, 'b', sw, { fullDuplex: true, autoneg: phy(false) });
    r.sim.queue.runUntilIdle();
    const t0 = r.sim.queue.now + 1000;
    b.sendAt(t0, buildPauseFrame(mac(2), 2000, 7));
    a.sendAt(t0 + 1000, ethFrame(mac(2), mac(1), 60, 8));
    r.sim.queue.runUntilIdle();
    expect(r.find('wire', 'drop').map((x) => [x.pkt, x.f!.reason])).toEqual([[7, 'mac-control']]);
    expect(b.received.map((x) => x.frame.pktId)).toEqual([8]);
    expect(b.received[0]!.t).toBe(t0 + 1000 + W60_1G() + PROP + LAT + W60_1G() + PROP);
    expect(r.find('switch', 'xoff')).toEqual([]);
  });

  test('frames to the 802.1D reserved addresses are not relayed', () => {
    const r = rig(1);
    const sw = new Switch(r.ctx('sw0'));
    const a = new Station(r, 'a', sw, { fullDuplex: true });
    const b = new Station(r, 'b', sw, { fullDuplex: true });
    a.send(ethFrame([0x01, 0x80, 0xc2, 0, 0, 0x0e], mac(1), 60, 1)); // LLDP
    r.sim.queue.runUntilIdle();
    expect(b.received).toEqual([]);
    expect(r.find('wire', 'drop').map((x) => [x.pkt, x.f!.reason])).toEqual([[1, 'reserved']]);
  });
});
