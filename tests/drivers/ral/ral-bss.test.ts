/**
 * Two RT2560s with devnp-ral in one WirelessChannel, 20 m apart: an AP (hostap on channel 6) and a station.
 * The AP beacons from the chip's beacon generator every 100 TU; the station scans, authenticates and associates
 * (management frames on the PRIO ring at 1 Mb/s); data goes on the TX ring through the cipher engine's
 * pass-through (CIPHER_BUSY → SECCSR1 KICK_ENCRYPT → ENCRYPTION_DONE → BUSY|VALID → KICK_TX) and comes in
 * through SECCSR0/DECRYPTION_DONE; the chips ACK each other. Moved out of range the station loses the AP
 * (beacon miss) and finds it again when moved back.
 */
import { driverModules } from '../../../stack/drivers';
import type { NativeDriverModule } from '../../../stack/io-pkt/driver-api';
import { IFF_UP, type Ifnet } from '../../../stack/net/if';
import { Simulation } from '../../../emulator/machine/sim/simulation';
import { ieee80211_ic_of } from '../../../stack/net80211/ieee80211';
import { RT2560_SECCSR0, RT2560_SECCSR1, RT2560_TXCSR0 } from '../../../stack/drivers/ral/regs';
import { MAC_AP, MAC_STA, makeAir, makeStation, runUntil, type Station } from './harness';

const ral = driverModules['devnp-ral.so'] as NativeDriverModule;

/** An Ethernet II frame with a local experimental ethertype and a patterned payload. */
function ether(dst: number[], src: number[], len: number, seed = 0): Uint8Array {
  const f = new Uint8Array(len);
  f.set(dst, 0);
  f.set(src, 6);
  f[12] = 0x88;
  f[13] = 0xb5;
  for (let i = 14; i < len; i++) f[i] = (i * 7 + seed * 13) & 0xff;
  return f;
}

function attach(st: Station): Ifnet {
  expect(st.iopkt.call(ral.drvrInit(st.iopkt, ''))).toBe(0);
  return st.iopkt.ifaces[0]!;
}

/** What `ifconfig ral0 ssid NAME [mediaopt hostap chan N] up` leaves in the 802.11 state, then if_init. */
function up(st: Station, ifp: Ifnet, ssid: string, hostap: boolean, chan?: number): void {
  const ic = ieee80211_ic_of(ifp)!;
  ic.desEssid = new TextEncoder().encode(ssid);
  if (hostap) ic.opmode = 'hostap';
  if (chan !== undefined) ic.desChan = ic.chan(chan)!;
  ifp.flags |= IFF_UP;
  expect(st.iopkt.call(ifp.ops.init(ifp))).toBe(0);
}

interface Rec {
  t: number;
  node: string;
  layer: string;
  probe: string;
  f: Record<string, unknown>;
}

function world() {
  const sim = new Simulation(1);
  const air = makeAir(sim, 6);
  const ap = makeStation(sim, 'ap', MAC_AP, air, { x: 0, y: 0, z: 0 });
  const sta = makeStation(sim, 'sta', MAC_STA, air, { x: 20, y: 0, z: 0 });
  const iap = attach(ap);
  const ista = attach(sta);
  const recs: Rec[] = [];
  sim.tracer.addSink((rec) => {
    if (rec.layer === 'ieee80211' || rec.layer === 'driver' || rec.layer === 'nic') recs.push({ t: rec.t, node: rec.node, layer: rec.layer, probe: rec.probe, f: (rec.f ?? {}) as Record<string, unknown> });
  });
  up(ap, iap, 'qnxnet', true, 6);
  up(sta, ista, 'qnxnet', false);
  return { sim, ap, sta, iap, ista, recs, icAp: ieee80211_ic_of(iap)!, icSta: ieee80211_ic_of(ista)! };
}

describe('devnp-ral AP and station in the air', () => {
  test('the AP beacons every 100 TU; the station scans, authenticates and associates over the PRIO ring', () => {
    const w = world();
    const { sim, recs, icAp, icSta } = w;
    expect(icAp.state).toBe('RUN');
    expect(runUntil(sim, () => icSta.state === 'RUN', 5_000_000_000)).toBe(true);
    // Beacons: the chip's beacon generator at each TBTT (CSR12 = 16·100), jittered only by the backoff the
    // chip draws from BCNCSR1's CWmin (2^5 − 1 slots of 20 µs at most) and by the deferral to other traffic.
    const bcn = recs.filter((r) => r.node === 'ap' && r.probe === 'tx-start' && r.f['ring'] === 'beacon').map((r) => r.t);
    expect(bcn.length).toBeGreaterThanOrEqual(20);
    const tu = 1_024_000;
    for (let i = 1; i < bcn.length; i++) expect(Math.abs(bcn[i]! - bcn[i - 1]! - 100 * tu)).toBeLessThan(2 * 31 * 20_000 + 2_000_000);
    // Management exchange at 1 Mb/s on the PRIO ring (NetBSD rt2560_tx_mgt): auth, auth, assoc req, assoc resp.
    const mgt = recs.filter((r) => r.probe === 'tx-start' && r.f['ring'] === 'prio');
    expect(mgt.every((r) => r.f['rate'] === 1)).toBe(true);
    const subtypes = recs.filter((r) => r.layer === 'ieee80211' && r.probe === 'tx-mgt').map((r) => `${r.node}:${String(r.f['subtype'])}`);
    const i = subtypes.indexOf('sta:auth');
    expect(subtypes.slice(i, i + 4)).toEqual(['sta:auth', 'ap:auth', 'sta:assoc_req', 'ap:assoc_resp']);
    // rt2560_update_slot (ic_updateslot): the 11g AP uses the short slot; SIFS and DIFS less the RF turnaround.
    const { ap } = w;
    const core = ap.nic.core;
    expect((core.get(0x2c) >>> 8) & 0x1f).toBe(9);
    expect(core.get(0x48)).toBe(((10 - 10 + 9) << 16) | (10 - 10));
    expect(core.get(0x4c)).toBe((60 << 16) | (10 - 10 + 2 * 9));
    const assoc = icAp.sta.list().filter((n) => n.associd !== 0);
    expect(assoc.map((n) => [Array.from(n.macaddr), n.associd & 0x3fff])).toEqual([[MAC_STA, 1]]);
  });

  test('data both ways through the cipher engine pass-through at 54 Mb/s, ACKed by the chips', () => {
    const { sim, ap, sta, iap, ista, recs, icSta } = world();
    expect(runUntil(sim, () => icSta.state === 'RUN', 5_000_000_000)).toBe(true);
    recs.length = 0;
    sta.mmio.length = 0;
    sta.iopkt.send(ista, [{ data: ether(MAC_AP, MAC_STA, 1000, 1), pktId: 0 }]);
    expect(runUntil(sim, () => ap.iopkt.ether.length === 1, 100_000_000)).toBe(true);
    expect(Array.from(ap.iopkt.ether[0]!.m.data)).toEqual(Array.from(ether(MAC_AP, MAC_STA, 1000, 1)));
    ap.iopkt.send(iap, [{ data: ether(MAC_STA, MAC_AP, 1514, 2), pktId: 0 }]);
    expect(runUntil(sim, () => sta.iopkt.ether.length === 1, 100_000_000)).toBe(true);
    expect(Array.from(sta.iopkt.ether[0]!.m.data)).toEqual(Array.from(ether(MAC_STA, MAC_AP, 1514, 2)));
    runUntil(sim, () => ista.data.opackets === 1 && iap.data.opackets === 1, 10_000_000);
    // The station's register sequence for one data frame: SECCSR1 KICK_ENCRYPT, (ENCRYPTION_DONE) a read of
    // SECCSR1 for the engine's position, KICK_TX; on receive SECCSR0 KICK_DECRYPT, then a read of SECCSR0.
    const seq = sta.mmio.filter((a) => [RT2560_SECCSR1, RT2560_TXCSR0, RT2560_SECCSR0].includes(a.off)).map((a) => `${a.dir}${a.off.toString(16)}${a.dir === 'w' ? `=${a.value}` : ''}`);
    expect(seq.slice(0, 3)).toEqual([`w${RT2560_SECCSR1.toString(16)}=1`, `r${RT2560_SECCSR1.toString(16)}`, `w${RT2560_TXCSR0.toString(16)}=1`]);
    expect(seq).toContain(`w${RT2560_SECCSR0.toString(16)}=1`);
    expect(seq).toContain(`r${RT2560_SECCSR0.toString(16)}`);
    // Both data frames went out on the TX ring at 54 Mb/s (rssadapt at -61 dBm) and were ACKed first time.
    const data = recs.filter((r) => r.probe === 'tx-start' && r.f['ring'] === 'tx');
    expect(data.map((r) => [r.node, r.f['rate'], r.f['len']])).toEqual([['sta', 54, 24 + 8 + 1000 - 14], ['ap', 54, 24 + 8 + 1514 - 14]]);
    const done = recs.filter((r) => r.layer === 'driver' && r.probe === 'tx-done');
    expect(done.map((r) => [r.node, r.f['result'], r.f['retries']])).toEqual([['sta', 0, 0], ['ap', 0, 0]]);
    expect(ista.data.opackets).toBe(1);
    expect(iap.data.opackets).toBe(1);
  });

  test('the TX ring (48), its cipher-engine index and the RX ring (32) wrap: 120 frames in bursts of 20 arrive in order', () => {
    const { sim, ap, sta, ista, icSta } = world();
    expect(runUntil(sim, () => icSta.state === 'RUN', 5_000_000_000)).toBe(true);
    for (let b = 0; b < 6; b++) {
      sta.iopkt.send(ista, Array.from({ length: 20 }, (_, i) => ({ data: ether(MAC_AP, MAC_STA, 600, b * 20 + i), pktId: 0 })));
      expect(runUntil(sim, () => ap.iopkt.ether.length === (b + 1) * 20, 200_000_000)).toBe(true);
    }
    expect(ap.iopkt.ether.map((e) => e.m.data[20])).toEqual(Array.from({ length: 120 }, (_, i) => ether(MAC_AP, MAC_STA, 600, i)[20]));
    runUntil(sim, () => ista.data.opackets === 120, 100_000_000);
    expect(ista.data.opackets).toBe(120);
    expect(ista.data.oerrors).toBe(0);
    const sc = ista.softc as { txq: { cur: number; next: number; curEncrypt: number; nextEncrypt: number; queued: number } };
    // 120 data frames (no RTS: below the threshold) = 2 wraps of 48 plus 24.
    expect([sc.txq.curEncrypt, sc.txq.nextEncrypt, sc.txq.next, sc.txq.queued]).toEqual([120 % 48, 120 % 48, 120 % 48, 0]);
  });

  test('moved out of range the station loses the AP (beacon miss, rescan); moved back it re-associates', () => {
    const { sim, sta, recs, icSta } = world();
    expect(runUntil(sim, () => icSta.state === 'RUN', 5_000_000_000)).toBe(true);
    sta.pos = { x: 1000, y: 0, z: 0 };
    const t0 = sim.queue.now;
    expect(runUntil(sim, () => icSta.state !== 'RUN', 3_000_000_000)).toBe(true);
    const misses = recs.filter((r) => r.node === 'sta' && r.probe === 'beacon-miss' && r.t > t0);
    expect(misses.length).toBe(2);
    runUntil(sim, () => false, 2_000_000_000);
    sta.pos = { x: 20, y: 0, z: 0 };
    expect(runUntil(sim, () => icSta.state === 'RUN', 20_000_000_000)).toBe(true);
  });

  test('detach (ifconfig ral0 destroy): TSF sync and beacons off, RX disabled, interrupts masked, interface gone', () => {
    const { sim, ap, iap, recs, icAp } = world();
    expect(icAp.state).toBe('RUN');
    runUntil(sim, () => false, 500_000_000);
    ap.mmio.length = 0;
    expect(ap.iopkt.call(iap.ops.detach!(iap))).toBe(0);
    expect(ap.iopkt.ifaces).toHaveLength(0);
    expect(ap.iopkt.entries.every((e) => e.removed)).toBe(true);
    runUntil(sim, () => false, 1_000_000); // the posted writes reach the chip
    const w = ap.mmio.filter((a) => a.dir === 'w').map((a) => [a.off, a.value]);
    // rt2560_stop: net80211 to INIT (the driver's hook writes CSR14 = 0 leaving RUN), ABORT, DISABLE_RX,
    // ASIC reset, every interrupt masked and cleared.
    expect(w.slice(0, 7)).toEqual([[0x38, 0], [0xf8, (70 << 8) | 30], [0x60, 8], [0x80, 1], [0x04, 1], [0x04, 0], [0x20, 0xffffffff]]);
    const t = sim.queue.now;
    runUntil(sim, () => false, 1_000_000_000);
    expect(recs.filter((r) => r.node === 'ap' && r.probe === 'tx-start' && r.t > t)).toEqual([]);
  });
});
