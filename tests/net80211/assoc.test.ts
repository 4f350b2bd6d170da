/**
 * The association state machine per state, on a fake air with a fake driver (no chip): an AP comes up on
 * its channel and beacons; a station scans (probe request per channel, dwell), finds it, authenticates (open
 * system, transactions 1 and 2), associates (AID 1) and runs; the frames on the air come in that order.
 */
import { FakeAir, ms, run, sec } from './fake-air';
import { ieee80211_ioctl } from '../../stack/net80211/ioctl';
import { ieee80211_media_change } from '../../stack/net80211/mode';
import { IEEE80211_TU_NS } from '../../stack/net80211/var';
import { IEEE80211_RATE_VAL } from '../../stack/net80211/rates';
import { ieee80211_input } from '../../stack/net80211/input';
import type { ThreadCtx } from '../../stack/kernel/api';

const SSID = 'qnxnet';

function ap(air: FakeAir, chan = 6, mode = '11g') {
  const a = air.add('ap', '00:0e:8e:00:00:01');
  run(ieee80211_ioctl(a.ic, 'SIOCS80211NWID', { ssid: SSID }));
  ieee80211_media_change(a.ic, { subtype: 'autoselect', mode, opts: ['hostap'] });
  run(ieee80211_ioctl(a.ic, 'SIOCS80211CHANNEL', { chan }));
  a.up();
  return a;
}

function sta(air: FakeAir, name = 'sta', mac = '00:0e:8e:00:00:02', ssid = SSID) {
  const s = air.add(name, mac);
  run(ieee80211_ioctl(s.ic, 'SIOCS80211NWID', { ssid }));
  return s;
}

describe('hostap: INIT → RUN on the desired channel', () => {
  it('creates the BSS on channel 6 at once and beacons every 100 TU', () => {
    const air = new FakeAir();
    const a = ap(air);
    expect(a.ic.state).toBe('RUN');
    expect(a.ic.curchan.ieee).toBe(6);
    expect(Array.from(a.ic.bss.bssid)).toEqual(Array.from(a.mac));
    expect(a.linkUp).toBe(true);
    air.clock.runUntil(ms(1000));
    const beacons = air.log.filter((f) => f.from === 'ap' && f.data[0] === 0x80);
    // first beacon one interval after RUN, then every interval: ⌊1 s / 102.4 ms⌋
    expect(beacons.length).toBe(Math.floor(1e9 / (100 * IEEE80211_TU_NS)));
    expect(beacons[1]!.t - beacons[0]!.t).toBe(100 * IEEE80211_TU_NS);
  });
});

describe('hostap without a channel: a passive scan, then the first quiet channel', () => {
  it('listens on every channel (no probe requests), hears an AP on 1 and camps on 2', () => {
    const air = new FakeAir();
    ap(air, 1);
    const b = air.add('ap2', '00:0e:8e:00:00:0b');
    run(ieee80211_ioctl(b.ic, 'SIOCS80211NWID', { ssid: 'other' }));
    ieee80211_media_change(b.ic, { subtype: 'autoselect', mode: '11g', opts: ['hostap'] });
    b.up();
    expect(b.ic.state).toBe('SCAN');
    air.clock.runUntil(sec(4));
    expect(b.ic.state).toBe('RUN');
    expect(b.ic.curchan.ieee).toBe(2);
    expect(air.log.some((f) => f.from === 'ap2' && f.data[0] === 0x40)).toBe(false);
    expect(b.ic.stats.is_scan_passive).toBe(1);
  });
});

describe('station: INIT → SCAN → AUTH → ASSOC → RUN', () => {
  it('scans channels 1.. with a probe request each, joins the AP, gets AID 1', () => {
    const air = new FakeAir();
    const a = ap(air);
    const s = sta(air);
    const t0 = air.clock.now;
    s.up();
    expect(s.ic.state).toBe('SCAN');
    expect(s.ic.curchan.ieee).toBe(1);
    const seen: string[] = [];
    let last = s.ic.state;
    for (let t = 0; t < sec(3) && s.ic.state !== 'RUN'; t += ms(1)) {
      air.clock.runUntil(t0 + t);
      if (s.ic.state !== last) seen.push((last = s.ic.state));
    }
    expect(seen).toEqual(['AUTH', 'ASSOC', 'RUN']);
    // one probe request per channel 1..14 (all 14 active, no desired channel), every dwell period
    const probes = air.log.filter((f) => f.from === 'sta' && f.data[0] === 0x40);
    expect(probes.length).toBe(14);
    expect(probes[1]!.t - probes[0]!.t).toBe(s.dwellNs);
    // the pass ends after 14 dwells; then auth (b0), auth (b0), assoc req (00), assoc resp (10)
    const mgmt = air.kinds().filter((k) => !k.endsWith(':80') && !k.endsWith(':40'));
    expect(mgmt.slice(0, 5)).toEqual(['ap:50', 'sta:b0', 'ap:b0', 'sta:00', 'ap:10']);
    expect(s.ic.bss.associd & 0x3fff).toBe(1);
    expect(s.ic.bss.associd & 0xc000).toBe(0xc000);
    expect(s.linkUp).toBe(true);
    expect(s.ic.curchan.ieee).toBe(6);
    const node = a.ic.sta.find(s.mac)!;
    expect(node.associd & 0x3fff).toBe(1);
    expect(node.authorized).toBe(true);
    expect(a.ic.staAssoc).toBe(1);
    // negotiated rates: the full 11g set, tx at the top rate to start with
    expect((node.rates[node.txrate]! & IEEE80211_RATE_VAL) / 2).toBe(54);
  });

  it('`mediaopt hostap` on autoselect locks the first mode the chip has — 11b, as NetBSD does', () => {
    const air = new FakeAir();
    const a = ap(air, 6, 'auto');
    const s = sta(air);
    s.up();
    air.clock.runUntil(sec(4));
    expect(s.ic.state).toBe('RUN');
    expect(a.ic.bss.rates.map((r) => r & IEEE80211_RATE_VAL)).toEqual([2, 4, 11, 22]);
    expect(s.ic.bss.rates.map((r) => (r & IEEE80211_RATE_VAL) / 2)).toEqual([1, 2, 5.5, 11]);
  });

  it('a second station gets AID 2; an SSID mismatch never joins', () => {
    const air = new FakeAir();
    const a = ap(air);
    const s1 = sta(air);
    const s2 = sta(air, 'sta2', '00:0e:8e:00:00:03');
    const s3 = sta(air, 'sta3', '00:0e:8e:00:00:04', 'other');
    s1.up();
    s2.up();
    s3.up();
    air.clock.runUntil(sec(5));
    expect(s1.ic.state).toBe('RUN');
    expect(s2.ic.state).toBe('RUN');
    expect(s3.ic.state).toBe('SCAN');
    expect([s1.ic.bss.associd & 0x3fff, s2.ic.bss.associd & 0x3fff].sort()).toEqual([1, 2]);
    expect(a.ic.staAssoc).toBe(2);
    expect(s3.ic.scan.size).toBeGreaterThan(0); // it saw the AP, but its SSID differs
  });

  it('AUTH with no answer times out after IEEE80211_TRANS_WAIT and rescans', () => {
    const air = new FakeAir();
    const a = ap(air);
    const s = sta(air);
    s.up();
    // let it find the AP, then cut the link as it starts authenticating
    let t = 0;
    while (s.ic.state === 'SCAN' && t < sec(5)) air.clock.runUntil((t += ms(1)));
    expect(s.ic.state).toBe('AUTH');
    air.setLink(a, s, false);
    air.clock.runUntil(t + sec(4));
    expect(s.ic.state).toBe('AUTH');
    air.clock.runUntil(t + sec(6));
    expect(s.probes('mgt-timeout').length).toBe(1);
    expect(['SCAN', 'AUTH']).toContain(s.ic.state);
  });
});

describe('deauthentication and disassociation', () => {
  it('AP going down disassociates its station, which rescans and comes back', () => {
    const air = new FakeAir();
    const a = ap(air);
    const s = sta(air);
    s.up();
    air.clock.runUntil(sec(4));
    expect(s.ic.state).toBe('RUN');
    run(a.ifp.ops.stop(a.ifp, false));
    air.clock.runUntil(air.clock.now);
    // disassociation (a0) went out as the AP went to INIT
    expect(air.kinds().slice(-1)).toEqual(['ap:a0']);
    air.clock.runUntil(sec(4) + ms(10));
    expect(s.ic.state).not.toBe('RUN');
    expect(s.linkUp).toBe(false);
    a.up();
    air.clock.runUntil(sec(20));
    expect(s.ic.state).toBe('RUN');
    expect(s.linkUp).toBe(true);
  });

  it('a station leaving deauthenticates… and the AP frees its AID', () => {
    const air = new FakeAir();
    const a = ap(air);
    const s = sta(air);
    s.up();
    air.clock.runUntil(sec(4));
    run(s.ifp.ops.stop(s.ifp, false));
    air.clock.runUntil(sec(4) + ms(10));
    expect(a.ic.staAssoc).toBe(0);
    expect(a.ic.sta.find(s.mac)).toBeUndefined();
    expect(a.ic.aids.size).toBe(0);
  });
});

describe('hidden SSID (IEEE80211_IOC_HIDESSID)', () => {
  it('beacons carry an empty SSID; a station asking for the SSID by name still finds and joins the AP', () => {
    const air = new FakeAir();
    const a = air.add('ap', '00:0e:8e:00:00:01');
    run(ieee80211_ioctl(a.ic, 'SIOCS80211NWID', { ssid: SSID }));
    run(ieee80211_ioctl(a.ic, 'SIOCS80211', { type: 'IEEE80211_IOC_HIDESSID', val: 1 }));
    ieee80211_media_change(a.ic, { subtype: 'autoselect', mode: '11g', opts: ['hostap'] });
    run(ieee80211_ioctl(a.ic, 'SIOCS80211CHANNEL', { chan: 3 }));
    a.up();
    const s = sta(air);
    s.up();
    air.clock.runUntil(sec(5));
    const beacon = air.log.find((f) => f.from === 'ap' && f.data[0] === 0x80)!.data;
    expect(Array.from(beacon.subarray(36, 38))).toEqual([0, 0]); // SSID element of length 0
    expect(s.ic.state).toBe('RUN');
    // a wildcard probe request is not answered
    const w = sta(air, 'w', '00:0e:8e:00:00:07', '');
    const before = air.log.filter((f) => f.from === 'ap' && f.data[0] === 0x50).length;
    w.up();
    air.clock.runUntil(sec(9));
    const wild = air.log.filter((f) => f.from === 'w' && f.data[0] === 0x40 && f.data[25] === 0).length;
    expect(wild).toBeGreaterThan(0);
    expect(air.log.filter((f) => f.from === 'ap' && f.data[0] === 0x50 && f.data[4 + 5] === 0x07).length).toBe(0);
    expect(before).toBeGreaterThan(0);
  });
});

describe('reassociation (RUN → ASSOC on disassociation)', () => {
  it('a disassociated station sends a reassociation request naming its AP and runs again with its AID', () => {
    const air = new FakeAir();
    const a = ap(air);
    const s = sta(air);
    s.up();
    air.clock.runUntil(sec(4));
    expect(s.ic.state).toBe('RUN');
    // a disassociation (reason 8) from the AP, as the AP's MAC would send it
    const f = new Uint8Array(26);
    f[0] = 0xa0;
    f.set(s.mac, 4);
    f.set(a.mac, 10);
    f.set(a.mac, 16);
    f[24] = 8;
    const n = air.log.length;
    ieee80211_input({} as ThreadCtx, s.ic, { data: f, pktId: 0 }, 40, 0);
    air.clock.runUntil(air.clock.now + ms(50));
    const after = air.log.slice(n);
    const rq = after.find((x) => x.from === 'sta' && x.data[0] === 0x20)!.data;
    expect(Array.from(rq.subarray(28, 34))).toEqual(Array.from(a.mac)); // current AP address (§7.2.3.6)
    expect(after.some((x) => x.from === 'ap' && x.data[0] === 0x30)).toBe(true);
    expect(s.ic.state).toBe('RUN');
    expect(s.ic.bss.associd & 0x3fff).toBe(1);
    expect(a.ic.staAssoc).toBe(1);
  });
});

describe('ERP (§7.3.2.13) in a mixed BSS', () => {
  it('an 11b-only station turns on protection and long slot in the AP; both clear when it leaves', () => {
    const air = new FakeAir();
    const a = ap(air);
    const b = sta(air, 'b', '00:0e:8e:00:00:05');
    b.ic.caps &= ~0x00004000; // no short slot
    b.up();
    // An 802.11b radio offers the CCK rates only: what its association request will carry.
    let t = 0;
    while (b.ic.state !== 'AUTH' && t < sec(4)) air.clock.runUntil((t += ms(1)));
    b.ic.bss.rates = [0x82, 0x84, 0x8b, 0x96];
    air.clock.runUntil(sec(4));
    expect(b.ic.state).toBe('RUN');
    expect(a.ic.nonerpsta).toBe(1);
    expect(a.ic.longslotsta).toBe(1);
    air.clock.runUntil(sec(4) + ms(250));
    const beacon = air.log.filter((f) => f.from === 'ap' && f.data[0] === 0x80).at(-1)!.data;
    // capability without short slot time; ERP: NonERP_Present | Use_Protection
    expect(beacon[24 + 10]! | (beacon[24 + 11]! << 8)).toBe(0x0021);
    const erp = beacon.indexOf(42, 24 + 12);
    expect(beacon[erp + 2]).toBe(0x03);
    run(b.ifp.ops.stop(b.ifp, false));
    air.clock.runUntil(sec(5));
    expect(a.ic.nonerpsta).toBe(0);
    expect(a.ic.longslotsta).toBe(0);
    expect(a.ic.flags & 0x00000400).toBe(0x00000400); // IEEE80211_F_SHSLOT again
  });
});

describe('passive channels (IEEE80211_CHAN_PASSIVE)', () => {
  it('a station waits for a beacon before probing there, then probes and joins', () => {
    const air = new FakeAir();
    ap(air, 12);
    const s = sta(air);
    // channel 12 may only be scanned passively here
    const c = s.ic.channels[12]!;
    s.ic.channels[12] = { ieee: c.ieee, freq: c.freq, flags: c.flags | 0x0200 };
    s.up();
    let t = 0;
    while (s.ic.curchan.ieee !== 12 && t < sec(4)) air.clock.runUntil((t += ms(1)));
    const arrived = air.clock.now;
    air.clock.runUntil(arrived + ms(150));
    const probes = air.log.filter((f) => f.from === 'sta' && f.data[0] === 0x40 && f.t >= arrived);
    const firstBeacon = air.log.find((f) => f.from === 'ap' && f.data[0] === 0x80 && f.t >= arrived)!;
    expect(probes.length).toBe(1);
    expect(probes[0]!.t).toBeGreaterThan(firstBeacon.t); // only after hearing the AP
    air.clock.runUntil(sec(6));
    expect(s.ic.state).toBe('RUN');
  });
});
