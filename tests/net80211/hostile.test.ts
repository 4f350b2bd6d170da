/**
 * Bad input never throws or hangs: truncated headers, every type/subtype with random bodies and flags,
 * oversized and truncated elements, frames from unknown senders in every state of an AP and a station.
 * What net80211 does instead is count and trace (is_rx_tooshort, is_rx_elem_*, rx-drop).
 */
import type { ThreadCtx } from '../../stack/kernel/api';
import { ieee80211_input } from '../../stack/net80211/input';
import { ieee80211_ioctl } from '../../stack/net80211/ioctl';
import { ieee80211_media_change } from '../../stack/net80211/mode';
import { FakeAir, run, sec } from './fake-air';

/** A small deterministic generator (LCG, Numerical Recipes constants). */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x;
  };
}

it('10 000 random frames at an AP and a station in RUN: no exception, both still associated', () => {
  const air = new FakeAir();
  const a = air.add('ap', '00:0e:8e:00:00:01');
  run(ieee80211_ioctl(a.ic, 'SIOCS80211NWID', { ssid: 'qnxnet' }));
  ieee80211_media_change(a.ic, { subtype: 'autoselect', mode: '11g', opts: ['hostap'] });
  run(ieee80211_ioctl(a.ic, 'SIOCS80211CHANNEL', { chan: 6 }));
  a.up();
  const s = air.add('sta', '00:0e:8e:00:00:02');
  run(ieee80211_ioctl(s.ic, 'SIOCS80211NWID', { ssid: 'qnxnet' }));
  s.up();
  air.clock.runUntil(sec(4));
  expect(s.ic.state).toBe('RUN');
  const rnd = lcg(7);
  const ctx = {} as ThreadCtx;
  for (let i = 0; i < 10_000; i++) {
    const len = rnd() % 80;
    const f = new Uint8Array(len);
    for (let j = 0; j < len; j++) f[j] = rnd() & 0xff;
    // keep most frames addressed to the targets so they get past the receive filter
    if (len >= 22 && rnd() % 4 !== 0) {
      const to = rnd() % 2 ? a : s;
      f.set(to.mac, 4);
      if (rnd() % 2) f.set(a.mac, 16);
      f[0] = f[0]! & 0xfc; // version 0
      // never a deauthentication/disassociation from the real peers (those are legitimate, not hostile)
      if ((f[0]! & 0x0c) === 0 && ((f[0]! & 0xf0) === 0xc0 || (f[0]! & 0xf0) === 0xa0)) f[0] = 0x80;
    }
    ieee80211_input(ctx, rnd() % 2 ? a.ic : s.ic, { data: f, pktId: 0 }, rnd() & 0x7f, 0);
    if (i % 100 === 0) air.clock.runUntil(air.clock.now + 1_000_000);
  }
  air.clock.runUntil(air.clock.now + sec(1));
  expect(a.ic.stats.is_rx_tooshort).toBeGreaterThan(0);
  expect(s.ic.state).toBe('RUN');
  expect(a.ic.sta.find(s.mac)?.associd).toBe(0xc001);
});
