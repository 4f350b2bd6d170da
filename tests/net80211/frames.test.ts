/**
 * Management frame byte fixtures: what net80211 emits for a beacon, probe request/response, open-system
 * authentication, association request/response and deauthentication, checked byte by byte against the
 * 802.11 layouts (§7.2.3, elements §7.3.2), parsed back by the wire parsers, and decoded by tshark from a
 * linktype-105 (IEEE802_11) pcap without malformed frames. Also what the parsers say about bad input.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeAir, run, sec } from './fake-air';
import { ieee80211_ioctl } from '../../stack/net80211/ioctl';
import { ieee80211_media_change } from '../../stack/net80211/mode';
import { ieee80211_beacon_alloc, ieee80211_beacon_update } from '../../stack/net80211/beacon';
import { AssocReqRepr, AssocRespRepr, AuthRepr, BeaconRepr, ProbeReqRepr, parseElements } from '../../stack/net80211/wire/mgmt';
import { Ieee80211Frame } from '../../stack/net80211/wire/frame';
import { WireError } from '../../stack/net/wire/view';

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

function setup() {
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
  return { air, a, s };
}

const first = (air: FakeAir, from: string, fc0: number): Uint8Array => air.log.find((f) => f.from === from && f.data[0] === fc0)!.data;

const SSID_HEX = hex(new TextEncoder().encode('qnxnet'));
/** Supported rates: the four CCK rates basic (mixed 11g BSS), then 6–18 Mb/s; extended: 24 … 54. */
const RATES_11G = '0108' + '82848b960c121824';
const XRATES_11G = '3204' + '3048606c';

describe('beacon', () => {
  it('template: header, fixed fields and elements in §7.2.3.1 order', () => {
    const { a } = setup();
    const { m, bo } = ieee80211_beacon_alloc(a.ic, a.ic.bss);
    const d = m.data;
    expect(hex(d.subarray(0, 4))).toBe('80000000'); // beacon, no flags, duration 0
    expect(hex(d.subarray(4, 10))).toBe('ffffffffffff');
    expect(hex(d.subarray(10, 16))).toBe('000e8e000001');
    expect(hex(d.subarray(16, 22))).toBe('000e8e000001');
    const body = d.subarray(24);
    expect(hex(body.subarray(0, 8))).toBe('0000000000000000'); // TSF: the chip stamps it
    expect(hex(body.subarray(8, 10))).toBe('6400'); // 100 TU
    expect(hex(body.subarray(10, 12))).toBe('2104'); // ESS | short preamble | short slot time
    const elems = '0006' + SSID_HEX + RATES_11G + '030106' + '050400010000' + '2a0100' + XRATES_11G;
    expect(hex(body.subarray(12))).toBe(elems);
    expect(bo.caps).toBe(24 + 10);
    expect(d[bo.tim]).toBe(5);
    expect(d[bo.trailer]).toBe(42);
    // update: a new sequence number each time, TIM DTIM count stays 0 with period 1
    ieee80211_beacon_update(a.ic, a.ic.bss, bo, m, 0);
    const s1 = (d[22]! | (d[23]! << 8)) >> 4;
    ieee80211_beacon_update(a.ic, a.ic.bss, bo, m, 0);
    expect((d[22]! | (d[23]! << 8)) >> 4).toBe(s1 + 1);
    expect(hex(d.subarray(bo.tim, bo.tim + 6))).toBe('050400010000');
    const p = BeaconRepr.parse(d.subarray(24));
    if (p instanceof WireError) throw new Error(p.reason);
    expect(new TextDecoder().decode(p.ssid)).toBe('qnxnet');
    expect(p.dsChannel).toBe(6);
    expect(p.tim).toEqual({ count: 0, period: 1, bitctl: 0, bitmap: new Uint8Array([0]) });
    expect([...p.rates!, ...p.xrates!].map((r) => (r & 0x7f) / 2)).toEqual([1, 2, 5.5, 11, 6, 9, 12, 18, 24, 36, 48, 54]);
  });
});

describe('the exchange on the air', () => {
  it('probe request, probe response, auth ×2, assoc request/response byte layouts', () => {
    const { air } = setup();
    const preq = first(air, 'sta', 0x40);
    expect(hex(preq.subarray(4, 10))).toBe('ffffffffffff');
    expect(hex(preq.subarray(16, 22))).toBe('ffffffffffff');
    expect(hex(preq.subarray(24))).toBe('0006' + SSID_HEX + RATES_11G + XRATES_11G);
    expect(ProbeReqRepr.parse(preq.subarray(24))).not.toBeInstanceOf(WireError);
    const presp = first(air, 'ap', 0x50);
    expect(hex(presp.subarray(4, 10))).toBe('000e8e000002');
    expect(hex(presp.subarray(24 + 8 + 4))).toBe('0006' + SSID_HEX + RATES_11G + '030106' + '2a0100' + XRATES_11G); // no TIM
    const auths = air.log.filter((f) => f.data[0] === 0xb0).map((f) => f.data);
    expect(hex(auths[0]!.subarray(24))).toBe('000001000000'); // open system, transaction 1, status 0
    expect(hex(auths[1]!.subarray(24))).toBe('000002000000'); // transaction 2, success
    expect(AuthRepr.parse(auths[1]!.subarray(24))).toEqual({ algo: 0, seq: 2, status: 0, others: [] });
    const areq = first(air, 'sta', 0x00);
    // capability: ESS | short preamble | short slot; listen interval 100
    expect(hex(areq.subarray(24, 28))).toBe('21046400');
    // the station offers the AP's rate set as it keeps it: sorted by rate (ieee80211_fix_rate DOSORT)
    expect(hex(areq.subarray(28))).toBe('0006' + SSID_HEX + '0108' + '82848b0c12961824' + XRATES_11G);
    const q = AssocReqRepr.parse(areq.subarray(24), false);
    if (q instanceof WireError) throw new Error(q.reason);
    expect(q.lintval).toBe(100);
    const aresp = first(air, 'ap', 0x10);
    // capability, status 0, AID 1 with bits 14–15 set
    expect(hex(aresp.subarray(24, 30))).toBe('21040000' + '01c0');
    const r = AssocRespRepr.parse(aresp.subarray(24));
    if (r instanceof WireError) throw new Error(r.reason);
    expect(r.associd).toBe(0xc001);
  });

  it('tshark decodes every frame of the exchange without malformed frames', () => {
    const { air, s, a } = setup();
    s.output(a.mac, 0x0800, Uint8Array.from([0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 2, 10, 0, 0, 1]));
    air.clock.runUntil(air.clock.now + 1_000_000);
    const frames = air.log;
    const hdr = Buffer.alloc(24);
    hdr.writeUInt32LE(0xa1b2c3d4, 0);
    hdr.writeUInt16LE(2, 4);
    hdr.writeUInt16LE(4, 6);
    hdr.writeUInt32LE(65535, 16);
    hdr.writeUInt32LE(105, 20); // LINKTYPE_IEEE802_11, no FCS
    const recs = frames.map((f) => {
      const r = Buffer.alloc(16);
      r.writeUInt32LE(Math.floor(f.t / 1e9), 0);
      r.writeUInt32LE(Math.floor((f.t % 1e9) / 1e3), 4);
      r.writeUInt32LE(f.data.length, 8);
      r.writeUInt32LE(f.data.length, 12);
      return Buffer.concat([r, Buffer.from(f.data)]);
    });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'net80211-')), 'mgmt.pcap');
    fs.writeFileSync(file, Buffer.concat([hdr, ...recs]));
    const out = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'wlan.fc.type_subtype', '-e', 'wlan.ssid', '-e', '_ws.malformed', '-e', 'wlan.fixed.aid', '-e', 'llc.type'], {
      encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines = out.trim().split('\n').map((l) => l.split('\t'));
    expect(lines.length).toBe(frames.length);
    expect(lines.every((l) => (l[2] ?? '') === '')).toBe(true);
    const types = lines.map((l) => Number(l[0]));
    for (const t of [0x04, 0x05, 0x08, 0x0b, 0x00, 0x01]) expect(types).toContain(t);
    // tshark prints the SSID as text or, depending on its version, as hex
    expect(['qnxnet', SSID_HEX]).toContain(lines.find((l) => Number(l[0]) === 0x08)![1]);
    expect(lines.find((l) => Number(l[0]) === 0x01)![3]).toMatch(/^(0x0*1|1|0xc001)$/);
  });
});

describe('parsers on bad input (never throw)', () => {
  it('an element running past the end, an oversized SSID, a short header', () => {
    expect(parseElements(Uint8Array.from([0, 10, 1, 2]))).toBeInstanceOf(WireError);
    const big = new Uint8Array(12 + 2 + 33);
    big[12] = 0;
    big[13] = 33;
    expect(BeaconRepr.parse(big)).toBeInstanceOf(WireError);
    expect(new Ieee80211Frame(Uint8Array.from([0x80, 0, 0])).checkLen()).toMatch(/shorter/);
    expect(AuthRepr.parse(new Uint8Array(3))).toBeInstanceOf(WireError);
  });
});
