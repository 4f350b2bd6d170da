/**
 * net80211's WPA2 side, driven the way hostapd and wpa_supplicant drive it (SIOCS80211 ioctls), on the fake air
 * with the software crypto provider: the RSN IE in beacons, probe responses and association requests; the AP's
 * closed 802.1X port (EAPOL only) until IEEE80211_MLME_AUTHORIZE; pairwise and group keys (WPAKEY) with CCMP on
 * the air — checked by decrypting the captured frames independently with node:crypto —; the receive PN replay
 * check (RTM_IEEE80211_REPLAY), MIC failures, DROPUNENCRYPTED, key deletion, MLME deauth, and the routing
 * messages (JOIN, ASSOC, LEAVE).
 */
import { createDecipheriv } from 'node:crypto';
import { FakeAir, ms, run, sec, type FakeNode } from './fake-air';
import { ieee80211_ioctl } from '../../stack/net80211/ioctl';
import { ieee80211_media_change } from '../../stack/net80211/mode';
import { ieee80211_input } from '../../stack/net80211/input';
import { ccmpAad, ccmpNonce, parseCcmpHeader } from '../../stack/net80211/ccmp';
import type { ThreadCtx } from '../../stack/kernel/api';
import {
  IEEE80211_APPIE_WPA, IEEE80211_CIPHER_AES_CCM, IEEE80211_IOC_APPIE, IEEE80211_IOC_DELKEY, IEEE80211_IOC_DROPUNENCRYPTED,
  IEEE80211_IOC_MLME, IEEE80211_IOC_PRIVACY, IEEE80211_IOC_WPA, IEEE80211_IOC_WPAIE, IEEE80211_IOC_WPAKEY, IEEE80211_KEY_DEFAULT,
  IEEE80211_KEY_GROUP, IEEE80211_KEY_RECV, IEEE80211_KEY_XMIT, IEEE80211_KEYIX_NONE, IEEE80211_MLME_AUTHORIZE, IEEE80211_MLME_DEAUTH,
  parseRtIeee80211Msg, RTM_IEEE80211_ASSOC, RTM_IEEE80211_JOIN, RTM_IEEE80211_LEAVE, RTM_IEEE80211_REPLAY, type Ieee80211reqKey,
  type Ieee80211reqWpaie,
} from '../../stack/include/net80211/ieee80211_ioctl';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
/** The RSN IE for PSK/CCMP (facts/rt2560.md §4). */
const RSN_IE = Uint8Array.from([0x30, 0x14, 0x01, 0x00, 0x00, 0x0f, 0xac, 0x04, 0x01, 0x00, 0x00, 0x0f, 0xac, 0x04, 0x01, 0x00, 0x00, 0x0f, 0xac, 0x02, 0x00, 0x00]);
const TK = Uint8Array.from({ length: 16 }, (_, i) => 0x10 + i);
const GTK = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
const payload = Uint8Array.from({ length: 40 }, (_, i) => i * 3);
const NULL_CTX = { charge: () => {}, trace: () => {} } as unknown as ThreadCtx;

function set(n: FakeNode, type: number, val: number, data?: unknown): unknown {
  return run(ieee80211_ioctl(n.ic, 'SIOCS80211', { name: 'ral0', type, val, ...(data !== undefined ? { data } : {}) }));
}
function get(n: FakeNode, type: number, data?: unknown): unknown {
  return run(ieee80211_ioctl(n.ic, 'SIOCG80211', { name: 'ral0', type, ...(data !== undefined ? { data } : {}) }));
}
function key(keyix: number, mac: Uint8Array, k: Uint8Array, flags: number): Ieee80211reqKey {
  return { ik_type: IEEE80211_CIPHER_AES_CCM, ik_keyix: keyix, ik_keylen: 16, ik_flags: flags, ik_macaddr: mac, ik_keyrsc: 0n, ik_keytsc: 0n, ik_keydata: k };
}

/** A WPA2 AP and a WPA2 station, associated, no keys yet. */
function wpa2(): { air: FakeAir; a: FakeNode; s: FakeNode } {
  const air = new FakeAir();
  const a = air.add('ap', '00:0e:8e:00:00:01');
  a.enableCrypto();
  run(ieee80211_ioctl(a.ic, 'SIOCS80211NWID', { ssid: 'qnxwpa' }));
  ieee80211_media_change(a.ic, { subtype: 'autoselect', mode: '11g', opts: ['hostap'] });
  run(ieee80211_ioctl(a.ic, 'SIOCS80211CHANNEL', { chan: 6 }));
  set(a, IEEE80211_IOC_WPA, 2);
  set(a, IEEE80211_IOC_PRIVACY, 1);
  set(a, IEEE80211_IOC_APPIE, IEEE80211_APPIE_WPA, RSN_IE);
  a.up();
  const s = air.add('sta', '00:0e:8e:00:00:02');
  s.enableCrypto();
  run(ieee80211_ioctl(s.ic, 'SIOCS80211NWID', { ssid: 'qnxwpa' }));
  set(s, IEEE80211_IOC_WPA, 2);
  set(s, IEEE80211_IOC_PRIVACY, 1);
  set(s, IEEE80211_IOC_DROPUNENCRYPTED, 1);
  set(s, IEEE80211_IOC_APPIE, IEEE80211_APPIE_WPA, RSN_IE);
  s.up();
  air.clock.runUntil(sec(5));
  expect(s.ic.state).toBe('RUN');
  return { air, a, s };
}

/** What hostapd and wpa_supplicant install after the 4-way and group handshakes, and the AP's port opening. */
function installKeys(a: FakeNode, s: FakeNode): void {
  expect(set(a, IEEE80211_IOC_WPAKEY, 0, key(IEEE80211_KEYIX_NONE, s.mac, TK, IEEE80211_KEY_XMIT | IEEE80211_KEY_RECV))).toBe(0);
  expect(set(a, IEEE80211_IOC_WPAKEY, 0, key(1, new Uint8Array(6).fill(0xff), GTK, IEEE80211_KEY_XMIT | IEEE80211_KEY_GROUP | IEEE80211_KEY_DEFAULT))).toBe(0);
  expect(set(a, IEEE80211_IOC_MLME, 0, { im_op: IEEE80211_MLME_AUTHORIZE, im_macaddr: s.mac })).toBe(0);
  expect(set(s, IEEE80211_IOC_WPAKEY, 0, key(IEEE80211_KEYIX_NONE, a.mac, TK, IEEE80211_KEY_XMIT | IEEE80211_KEY_RECV))).toBe(0);
  expect(set(s, IEEE80211_IOC_WPAKEY, 0, key(1, new Uint8Array(6).fill(0xff), GTK, IEEE80211_KEY_RECV | IEEE80211_KEY_GROUP))).toBe(0);
}

/** Decrypt a captured Protected data frame independently (node:crypto), returning the plaintext body. */
function decryptAir(f: Uint8Array, tk: Uint8Array): Uint8Array {
  const hdr = f.subarray(0, 24);
  const h = parseCcmpHeader(f.subarray(24, 32))!;
  const d = createDecipheriv('aes-128-ccm', tk, ccmpNonce(hdr, h.pn), { authTagLength: 8 });
  d.setAuthTag(f.subarray(f.length - 8));
  d.setAAD(ccmpAad(hdr), { plaintextLength: f.length - 40 });
  const out = d.update(f.subarray(32, f.length - 8));
  d.final();
  return Uint8Array.from(out);
}

describe('RSN IE and the closed port', () => {
  it('beacons and probe responses carry the RSN IE and Privacy; the association request carries the station\'s', () => {
    const { air, a, s } = wpa2();
    const beacon = air.log.find((f) => f.from === 'ap' && f.data[0] === 0x80)!.data;
    expect(hex(beacon)).toContain(hex(RSN_IE));
    expect(beacon[24 + 10]! & 0x10).toBe(0x10); // capability Privacy
    const assocReq = air.log.find((f) => f.from === 'sta' && f.data[0] === 0x00)!.data;
    expect(hex(assocReq)).toContain(hex(RSN_IE));
    const ie = get(a, IEEE80211_IOC_WPAIE, { wpa_macaddr: s.mac }) as { data: Ieee80211reqWpaie };
    expect(hex(ie.data.rsn_ie)).toBe(hex(RSN_IE));
    // The AP announced the station; the station its association (the routing socket messages).
    expect(a.rtm.map((m) => parseRtIeee80211Msg(m)!.event.what)).toContain(RTM_IEEE80211_JOIN);
    const assoc = s.rtm.map((m) => parseRtIeee80211Msg(m)!).find((m) => m.event.what === RTM_IEEE80211_ASSOC)!;
    expect(assoc.ifname).toBe('ral0');
    expect(hex((assoc.event as { addr: Uint8Array }).addr)).toBe(hex(a.mac));
    // The station's SIOCG80211 of the scan entry gives the AP's IE (what wpa_supplicant compares with message 3).
    const scan = run(ieee80211_ioctl(s.ic, 'SIOCG80211SCAN', {})) as { data: { results: { ie: Uint8Array }[] } };
    expect(hex(scan.data.results[0]!.ie)).toBe(hex(RSN_IE));
  });

  it('an association request without an RSN IE is refused while WPA is on', () => {
    const air = new FakeAir();
    const a = air.add('ap', '00:0e:8e:00:00:01');
    run(ieee80211_ioctl(a.ic, 'SIOCS80211NWID', { ssid: 'qnxwpa' }));
    ieee80211_media_change(a.ic, { subtype: 'autoselect', mode: '11g', opts: ['hostap'] });
    run(ieee80211_ioctl(a.ic, 'SIOCS80211CHANNEL', { chan: 6 }));
    set(a, IEEE80211_IOC_WPA, 2);
    set(a, IEEE80211_IOC_PRIVACY, 1);
    set(a, IEEE80211_IOC_APPIE, IEEE80211_APPIE_WPA, RSN_IE);
    a.up();
    const s = air.add('sta', '00:0e:8e:00:00:02');
    run(ieee80211_ioctl(s.ic, 'SIOCS80211NWID', { ssid: 'qnxwpa' }));
    set(s, IEEE80211_IOC_PRIVACY, 1);
    s.up();
    air.clock.runUntil(sec(5));
    expect(a.ic.stats.is_rx_assoc_badwpaie).toBeGreaterThan(0);
    expect(s.ic.state).not.toBe('RUN');
  });

  it('before keys and authorization only EAPOL crosses; other data is dropped on both sides', () => {
    const { air, a, s } = wpa2();
    const n = a.delivered.length;
    s.output(a.mac, 0x888e, payload); // EAPOL
    s.output(a.mac, 0x0800, payload); // IP: no pairwise key → no default key → dropped at the station
    air.clock.runUntil(air.clock.now + ms(5));
    const got = a.delivered.slice(n);
    expect(got.length).toBe(1);
    expect(got[0]!.data[12]).toBe(0x88);
    expect(s.ic.stats.is_tx_nodefkey).toBe(1);
    // The AP refuses IP to a station whose port is closed, but sends EAPOL.
    a.output(s.mac, 0x0800, payload);
    a.output(s.mac, 0x888e, payload);
    air.clock.runUntil(air.clock.now + ms(5));
    expect(s.delivered.map((m) => m.data[12])).toEqual([0x88]);
  });
});

describe('CCMP on the air', () => {
  it('unicast both ways under the pairwise key, broadcast under the group key; the air decrypts independently', () => {
    const { air, a, s } = wpa2();
    installKeys(a, s);
    const n = air.log.length;
    s.output(a.mac, 0x0800, payload);
    a.output(s.mac, 0x0800, payload);
    a.output(new Uint8Array(6).fill(0xff), 0x0800, payload);
    air.clock.runUntil(air.clock.now + ms(5));
    const data = air.log.slice(n).filter((f) => (f.data[0]! & 0x0c) === 0x08);
    expect(data.length).toBe(3);
    for (const f of data) expect(f.data[1]! & 0x40).toBe(0x40); // Protected
    const [up, down, bcast] = data.map((f) => f.data);
    expect(parseCcmpHeader(up!.subarray(24, 32))).toEqual({ pn: 1n, keyid: 0 });
    expect(parseCcmpHeader(down!.subarray(24, 32))).toEqual({ pn: 1n, keyid: 0 });
    expect(parseCcmpHeader(bcast!.subarray(24, 32))).toEqual({ pn: 1n, keyid: 1 });
    expect(hex(decryptAir(up!, TK).subarray(8))).toBe(hex(payload));
    expect(hex(decryptAir(bcast!, GTK).subarray(8))).toBe(hex(payload));
    expect(hex(a.delivered.at(-1)!.data.subarray(14))).toBe(hex(payload));
    expect(s.delivered.filter((m) => hex(m.data.subarray(14)) === hex(payload)).length).toBe(2);
    expect(a.crypto!.crypto_driver_stats(a.crypto!.swcrId)).toMatchObject({ encrypts: 2, decrypts: 1, errors: 0 });
    // ifconfig's line and the transmit counter the AP's hostapd reads for the GTK RSC.
    const st = (run(ieee80211_ioctl(a.ic, 'SIOCG80211STATUS', {})) as { data: { privacy: boolean; wpa: number; defTxKey: number } }).data;
    expect(st).toMatchObject({ privacy: true, wpa: 2, defTxKey: 1 });
    const gk = get(a, IEEE80211_IOC_WPAKEY, { ik_keyix: 1 }) as { data: Ieee80211reqKey };
    expect(gk.data.ik_keytsc).toBe(1n);
  });

  it('a replayed frame is dropped (is_rx_ccmpreplay) and announced (RTM_IEEE80211_REPLAY); a tampered one fails the MIC', () => {
    const { air, a, s } = wpa2();
    installKeys(a, s);
    const n = air.log.length;
    s.output(a.mac, 0x0800, payload);
    air.clock.runUntil(air.clock.now + ms(5));
    const f = air.log.slice(n).find((x) => x.from === 'sta' && (x.data[0]! & 0x0c) === 0x08)!.data;
    const delivered = a.delivered.length;
    // Replay: same PN (a new sequence number so that it is not a duplicate).
    const replay = f.slice();
    replay[22] = (replay[22]! + 0x10) & 0xff;
    ieee80211_input(NULL_CTX, a.ic, { data: replay, pktId: 0 }, 40, 0);
    // Tamper: PN 9 (fresh) but a flipped payload bit.
    const bad = f.slice();
    bad[24] = 9;
    bad[23] = (bad[23]! + 1) & 0xff;
    bad[40] = bad[40]! ^ 0x80;
    ieee80211_input(NULL_CTX, a.ic, { data: bad, pktId: 0 }, 40, 0);
    air.clock.runUntil(air.clock.now + ms(5));
    expect(a.delivered.length).toBe(delivered);
    expect(a.ic.stats.is_rx_ccmpreplay).toBe(1);
    expect(a.ic.stats.is_rx_ccmpmic).toBe(1);
    const rep = a.rtm.map((m) => parseRtIeee80211Msg(m)!).find((m) => m.event.what === RTM_IEEE80211_REPLAY)!;
    expect(rep.event).toMatchObject({ rsc: 1n, keyrsc: 1n, keyix: 0 });
    expect(a.crypto!.crypto_driver_stats(a.crypto!.swcrId)!.micFailures).toBe(1);
  });

  it('DROPUNENCRYPTED drops cleartext data other than EAPOL; a deleted key stops traffic; MLME deauth sends LEAVE', () => {
    const { air, a, s } = wpa2();
    installKeys(a, s);
    set(a, IEEE80211_IOC_PRIVACY, 0); // the AP now sends in the clear …
    a.output(s.mac, 0x0800, payload);
    air.clock.runUntil(air.clock.now + ms(5));
    expect(s.ic.stats.is_rx_unencrypted).toBe(1); // … which the station refuses
    set(a, IEEE80211_IOC_PRIVACY, 1);
    expect(set(s, IEEE80211_IOC_DELKEY, 0, { idk_keyix: IEEE80211_KEYIX_NONE, idk_macaddr: a.mac })).toBe(0);
    s.output(a.mac, 0x0800, payload);
    air.clock.runUntil(air.clock.now + ms(5));
    expect(s.ic.stats.is_tx_nodefkey).toBe(1); // no pairwise key, and a station has no default transmit key
    expect(set(a, IEEE80211_IOC_MLME, 0, { im_op: IEEE80211_MLME_DEAUTH, im_macaddr: s.mac, im_reason: 2 })).toBe(0);
    expect(a.rtm.map((m) => parseRtIeee80211Msg(m)!.event.what)).toContain(RTM_IEEE80211_LEAVE);
    expect(a.ic.sta.find(s.mac)).toBeUndefined();
  });

  it('bad key requests are refused with errno values, not exceptions', () => {
    const { a, s } = wpa2();
    const bad = (k: Partial<Ieee80211reqKey>): unknown => set(a, IEEE80211_IOC_WPAKEY, 0, { ...key(IEEE80211_KEYIX_NONE, s.mac, TK, 3), ...k });
    expect(bad({ ik_flags: IEEE80211_KEY_XMIT })).toBe(22); // unicast keys are XMIT|RECV
    expect(bad({ ik_macaddr: Uint8Array.from([2, 0, 0, 0, 0, 9]) })).toBe(2); // no such station
    expect(bad({ ik_type: 1 })).toBe(6); // TKIP: no cipher module (ENXIO)
    expect(bad({ ik_keylen: 5 })).toBe(5); // CCMP needs 128 bits (EIO)
    expect(bad({ ik_keyix: 7 })).toBe(22);
    expect(set(a, IEEE80211_IOC_WPA, 9)).toBe(22);
    expect(set(a, IEEE80211_IOC_MLME, 0, { im_op: 99, im_macaddr: s.mac })).toBe(22);
    expect(set(a, IEEE80211_IOC_WPAKEY, 0, 'junk')).toBe(22);
  });

  it('hostile Protected frames (short, no ExtIV, unknown key id, garbage) are counted and dropped, never thrown', () => {
    const { air, a, s } = wpa2();
    installKeys(a, s);
    const n = air.log.length;
    s.output(a.mac, 0x0800, payload);
    air.clock.runUntil(air.clock.now + ms(5));
    const f = air.log.slice(n).find((x) => x.from === 'sta' && (x.data[0]! & 0x0c) === 0x08)!.data;
    const before = a.delivered.length;
    let seed = 7;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    const frames: Uint8Array[] = [
      f.subarray(0, 30), // shorter than header + CCMP header + MIC
      (() => { const x = f.slice(); x[27] = x[27]! & ~0x20; return x; })(), // no ExtIV
      (() => { const x = f.slice(); x[27] = 0x20 | (3 << 6); x[24] = 50; return x; })(), // key id 3: unicast → still the pairwise key, MIC fails
    ];
    for (let i = 0; i < 200; i++) {
      const x = f.slice(0, 24 + (rnd() % 80));
      for (let j = 24; j < x.length; j++) x[j] = rnd();
      x[22] = i & 0xff; // distinct sequence numbers: not duplicates
      x[23] = (i >> 8) & 0xff;
      frames.push(x);
    }
    for (const x of frames) expect(() => ieee80211_input(NULL_CTX, a.ic, { data: x, pktId: 0 }, 40, 0)).not.toThrow();
    expect(() => air.clock.runUntil(air.clock.now + ms(50))).not.toThrow();
    expect(a.delivered.length).toBe(before);
    const st = a.ic.stats;
    expect(st.is_rx_tooshort + st.is_rx_ccmpformat + st.is_rx_badkeyid + st.is_rx_ccmpmic + st.is_rx_ccmpreplay).toBeGreaterThanOrEqual(frames.length);
    expect(st.is_rx_ccmpmic).toBeGreaterThan(0);
    expect(st.is_rx_ccmpformat).toBeGreaterThan(0);
  });

  it('group rekey: the new GTK in slot 2 becomes the default, its PN starts over; a station without it drops (is_rx_badkeyid)', () => {
    const { air, a, s } = wpa2();
    installKeys(a, s);
    const bc = new Uint8Array(6).fill(0xff);
    a.output(bc, 0x0800, payload);
    air.clock.runUntil(air.clock.now + ms(5));
    const GTK2 = GTK.map((b) => b ^ 0x5a);
    expect(set(a, IEEE80211_IOC_WPAKEY, 0, key(2, bc, GTK2, IEEE80211_KEY_XMIT | IEEE80211_KEY_GROUP | IEEE80211_KEY_DEFAULT))).toBe(0);
    const n = air.log.length;
    a.output(bc, 0x0800, payload);
    air.clock.runUntil(air.clock.now + ms(5));
    const f = air.log.slice(n).find((x) => x.from === 'ap' && (x.data[0]! & 0x0c) === 0x08)!.data;
    expect(parseCcmpHeader(f.subarray(24, 32))).toEqual({ pn: 1n, keyid: 2 });
    expect(hex(decryptAir(f, GTK2).subarray(8))).toBe(hex(payload));
    expect(s.ic.stats.is_rx_badkeyid).toBe(1); // the station has not been given slot 2 yet
    expect(set(s, IEEE80211_IOC_WPAKEY, 0, key(2, bc, GTK2, IEEE80211_KEY_RECV | IEEE80211_KEY_GROUP))).toBe(0);
    const got = s.delivered.length;
    a.output(bc, 0x0800, payload);
    air.clock.runUntil(air.clock.now + ms(5));
    expect(s.delivered.length).toBe(got + 1);
  });
});
