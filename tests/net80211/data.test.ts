/**
 * Data path: 802.3 ⇄ 802.11 encapsulation with LLC/SNAP and ToDS/FromDS addressing (§7.2.2 Table 7-7),
 * sequence numbers, duplicate detection, the AP relaying between its stations (unicast and group), a
 * station dropping its own group frame echoed back, and unassociated senders being told off.
 */
import { FakeAir, ms, run, sec, type FakeNode } from './fake-air';
import { ieee80211_ioctl } from '../../stack/net80211/ioctl';
import { ieee80211_media_change } from '../../stack/net80211/mode';
import { ieee80211_input } from '../../stack/net80211/input';
import type { ThreadCtx } from '../../stack/kernel/api';

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const BCAST = new Uint8Array(6).fill(0xff);

function bss(): { air: FakeAir; a: FakeNode; s1: FakeNode; s2: FakeNode } {
  const air = new FakeAir();
  const a = air.add('ap', '00:0e:8e:00:00:01');
  run(ieee80211_ioctl(a.ic, 'SIOCS80211NWID', { ssid: 'qnxnet' }));
  ieee80211_media_change(a.ic, { subtype: 'autoselect', mode: '11g', opts: ['hostap'] });
  run(ieee80211_ioctl(a.ic, 'SIOCS80211CHANNEL', { chan: 11 }));
  a.up();
  const s1 = air.add('s1', '00:0e:8e:00:00:02');
  const s2 = air.add('s2', '00:0e:8e:00:00:03');
  for (const s of [s1, s2]) {
    run(ieee80211_ioctl(s.ic, 'SIOCS80211NWID', { ssid: 'qnxnet' }));
    s.up();
  }
  air.clock.runUntil(sec(5));
  expect(s1.ic.state).toBe('RUN');
  expect(s2.ic.state).toBe('RUN');
  return { air, a, s1, s2 };
}

const payload = Uint8Array.from([0x45, 0, 0, 20, 1, 2, 3, 4, 5, 6, 7, 8]);

describe('encapsulation', () => {
  it('station → AP: ToDS, A1 = BSSID, A2 = SA, A3 = DA, LLC/SNAP + EtherType; AP decapsulates', () => {
    const { air, a, s1 } = bss();
    const n = air.log.length;
    s1.output(a.mac, 0x0800, payload);
    air.clock.runUntil(air.clock.now + ms(1));
    const f = air.log.slice(n).find((x) => x.from === 's1' && x.data[0] === 0x08)!.data;
    expect(f[1]).toBe(0x01); // ToDS
    expect(hex(f.subarray(4, 10))).toBe(hex(a.mac));
    expect(hex(f.subarray(10, 16))).toBe(hex(s1.mac));
    expect(hex(f.subarray(16, 22))).toBe(hex(a.mac));
    expect(hex(f.subarray(24, 32))).toBe('aaaa030000000800');
    expect(hex(f.subarray(32))).toBe(hex(payload));
    const got = a.delivered.at(-1)!.data;
    expect(hex(got)).toBe(hex(a.mac) + hex(s1.mac) + '0800' + hex(payload));
  });

  it('AP → station: FromDS, A1 = DA, A2 = BSSID, A3 = SA; sequence numbers count up per node', () => {
    const { air, a, s1 } = bss();
    const n = air.log.length;
    a.output(s1.mac, 0x0806, payload);
    a.output(s1.mac, 0x0806, payload);
    air.clock.runUntil(air.clock.now + ms(1));
    const fs = air.log.slice(n).filter((x) => x.from === 'ap' && x.data[0] === 0x08).map((x) => x.data);
    expect(fs.length).toBe(2);
    expect(fs[0]![1]).toBe(0x02); // FromDS
    expect(hex(fs[0]!.subarray(4, 10))).toBe(hex(s1.mac));
    expect(hex(fs[0]!.subarray(10, 16))).toBe(hex(a.mac));
    expect(hex(fs[0]!.subarray(16, 22))).toBe(hex(a.mac));
    const seq = (f: Uint8Array): number => (f[22]! | (f[23]! << 8)) >> 4;
    expect(seq(fs[1]!)).toBe((seq(fs[0]!) + 1) % 4096);
    expect(s1.delivered.length).toBe(2);
    expect(hex(s1.delivered[0]!.data.subarray(12, 14))).toBe('0806');
  });

  it('a retransmission (Retry bit, same sequence control) is dropped as a duplicate', () => {
    const { air, a, s1 } = bss();
    s1.output(a.mac, 0x0800, payload);
    air.clock.runUntil(air.clock.now + ms(1));
    const before = a.delivered.length;
    const f = air.log.filter((x) => x.from === 's1' && x.data[0] === 0x08).at(-1)!.data.slice();
    f[1] = f[1]! | 0x08;
    ieee80211_input({} as ThreadCtx, a.ic, { data: f, pktId: 0 }, 40, 0);
    air.clock.runUntil(air.clock.now + ms(1));
    expect(a.delivered.length).toBe(before);
    expect(a.ic.stats.is_rx_dup).toBe(1);
  });
});

describe('AP relay (ieee80211_deliver_data)', () => {
  it('unicast between two stations goes back out FromDS and not up the AP stack', () => {
    const { air, a, s1, s2 } = bss();
    const up = a.delivered.length;
    s1.output(s2.mac, 0x0800, payload);
    air.clock.runUntil(air.clock.now + ms(2));
    expect(a.delivered.length).toBe(up);
    const got = s2.delivered.at(-1)!.data;
    expect(hex(got)).toBe(hex(s2.mac) + hex(s1.mac) + '0800' + hex(payload));
    const relayed = air.log.filter((x) => x.from === 'ap' && x.data[0] === 0x08).at(-1)!.data;
    expect(hex(relayed.subarray(16, 22))).toBe(hex(s1.mac)); // A3 = SA
  });

  it('a broadcast goes up the AP and back out; the sender drops its own echo', () => {
    const { air, a, s1, s2 } = bss();
    const up = a.delivered.length;
    const s1n = s1.delivered.length;
    s1.output(BCAST, 0x0806, payload);
    air.clock.runUntil(air.clock.now + ms(2));
    expect(a.delivered.length).toBe(up + 1);
    expect(hex(s2.delivered.at(-1)!.data.subarray(0, 12))).toBe(hex(BCAST) + hex(s1.mac));
    expect(s1.delivered.length).toBe(s1n);
    expect(s1.ic.stats.is_rx_mcastecho).toBe(1);
  });
});

describe('data from strangers', () => {
  it('an AP deauthenticates a station that sends data without authenticating', () => {
    const { air, a } = bss();
    const x = air.add('x', '00:0e:8e:00:00:09');
    // x pretends to be associated: force RUN on channel 11 with the AP as its BSS
    run(ieee80211_ioctl(x.ic, 'SIOCS80211NWID', { ssid: 'qnxnet' }));
    x.up();
    x.ic.curchan = x.ic.channels[11]!;
    const raw = new Uint8Array(24 + 8);
    raw[0] = 0x08;
    raw[1] = 0x01;
    raw.set(a.mac, 4);
    raw.set(x.mac, 10);
    raw.set(a.mac, 16);
    ieee80211_input({} as ThreadCtx, a.ic, { data: raw, pktId: 0 }, 30, 0);
    const n = air.log.length;
    air.clock.runUntil(air.clock.now + 1);
    const deauth = air.log.slice(n).find((f) => f.from === 'ap' && f.data[0] === 0xc0)!.data;
    expect(hex(deauth.subarray(4, 10))).toBe(hex(x.mac));
    expect(deauth[24]).toBe(6); // reason: class 2 frame from nonauthenticated station (§7.3.1.7)
    expect(a.ic.stats.is_rx_notassoc).toBe(1);
  });
});

describe('duplicate detection is per sender', () => {
  it('two unknown stations authenticating with the same sequence number (the second a retry) both get answers', () => {
    const air = new FakeAir();
    const a = air.add('ap', '00:0e:8e:00:00:01');
    run(ieee80211_ioctl(a.ic, 'SIOCS80211NWID', { ssid: 'qnxnet' }));
    ieee80211_media_change(a.ic, { subtype: 'autoselect', mode: '11g', opts: ['hostap'] });
    run(ieee80211_ioctl(a.ic, 'SIOCS80211CHANNEL', { chan: 1 }));
    a.up();
    const auth = (ta: number, retry: boolean): Uint8Array => {
      const f = new Uint8Array(30);
      f[0] = 0xb0;
      f[1] = retry ? 0x08 : 0;
      f.set(a.mac, 4);
      f.set([0, 0x0e, 0x8e, 0, 0, ta], 10);
      f.set(a.mac, 16);
      f[22] = 0xe0; // sequence number 14
      f[26] = 1; // transaction 1
      return f;
    };
    const n = air.log.length;
    ieee80211_input({} as ThreadCtx, a.ic, { data: auth(0x21, false), pktId: 0 }, 40, 0);
    ieee80211_input({} as ThreadCtx, a.ic, { data: auth(0x22, true), pktId: 0 }, 40, 0);
    air.clock.runUntil(air.clock.now + ms(1));
    const answers = air.log.slice(n).filter((f) => f.from === 'ap' && f.data[0] === 0xb0).map((f) => f.data[9]);
    expect(answers).toEqual([0x21, 0x22]);
    expect(a.ic.stats.is_rx_dup).toBe(0);
    // a real retransmission from a known station is still a duplicate
    ieee80211_input({} as ThreadCtx, a.ic, { data: auth(0x22, true), pktId: 0 }, 40, 0);
    air.clock.runUntil(air.clock.now + ms(1));
    expect(a.ic.stats.is_rx_dup).toBe(1);
  });
});
