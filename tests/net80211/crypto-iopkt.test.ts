/**
 * WPA2 inside io-pkt-v4-hc with the fake wireless driver (no chip, so the software provider does CCMP): programs
 * configure WPA, install keys and open the port through SIOCS80211 as hostapd/wpa_supplicant do; the routing
 * socket delivers RTM_IEEE80211 messages; ping runs over CCMP; cryptostat, sysctl net.crypto.* and ifconfig show
 * the state; io-pkt-v4 has no crypto API.
 */
import type { Co, ProgramMain, ThreadCtx } from '../../stack/kernel/api';
import { AF_INET, AF_ROUTE, SOCK_DGRAM, SOCK_RAW, SOL_SOCKET, SO_RCVTIMEO } from '../../stack/include/sys/socket';
import {
  IEEE80211_APPIE_WPA, IEEE80211_CIPHER_AES_CCM, IEEE80211_IOC_APPIE, IEEE80211_IOC_DROPUNENCRYPTED, IEEE80211_IOC_MLME,
  IEEE80211_IOC_PRIVACY, IEEE80211_IOC_WPA, IEEE80211_IOC_WPAKEY, IEEE80211_KEY_DEFAULT, IEEE80211_KEY_GROUP, IEEE80211_KEY_RECV,
  IEEE80211_KEY_XMIT, IEEE80211_KEYIX_NONE, IEEE80211_MLME_AUTHORIZE, parseRtIeee80211Msg,
} from '../../stack/include/net80211/ieee80211_ioctl';
import { ioctl, recvfrom, setsockopt, socket, timevalNs } from '../../stack/lib/socket';
import { connect } from '../io-pkt/fake-net';
import { makeNode, newSim } from '../io-pkt/rig';
import { fakeWifiDriver } from './fake-wifi-driver';

const SEC = 1_000_000_000;
const RSN_IE = Uint8Array.from([0x30, 0x14, 1, 0, 0, 0x0f, 0xac, 4, 1, 0, 0, 0x0f, 0xac, 4, 1, 0, 0, 0x0f, 0xac, 2, 0, 0]);
const TK = Uint8Array.from({ length: 16 }, (_, i) => 0x21 + i);
const GTK = Uint8Array.from({ length: 16 }, (_, i) => 0x61 + i);
const mac = (s: string): Uint8Array => Uint8Array.from(s.split(':').map((x) => parseInt(x, 16)));

function* set(ctx: ThreadCtx, s: number, type: number, val: number, data?: unknown): Co<void> {
  const r = yield* ioctl(ctx, s, 'SIOCS80211', { name: 'ral0', type, val, ...(data !== undefined ? { data } : {}) });
  if (!r) ctx.print(`SIOCS80211 ${type} failed\n`);
}

/** `wpaconf ap|sta`: WPA2 + privacy + the RSN IE (what hostapd/wpa_supplicant set before association). */
const wpaconf: ProgramMain = function* (ctx, argv) {
  const s = yield* socket(ctx, AF_INET, SOCK_DGRAM, 0);
  yield* set(ctx, s, IEEE80211_IOC_WPA, 2);
  yield* set(ctx, s, IEEE80211_IOC_PRIVACY, 1);
  if (argv[1] === 'sta') yield* set(ctx, s, IEEE80211_IOC_DROPUNENCRYPTED, 1);
  yield* set(ctx, s, IEEE80211_IOC_APPIE, IEEE80211_APPIE_WPA, RSN_IE);
  return 0;
};

/** `wpakeys ap|sta PEER`: the keys the 4-way and group handshakes would install; the AP opens the port. */
const wpakeys: ProgramMain = function* (ctx, argv) {
  const s = yield* socket(ctx, AF_INET, SOCK_DGRAM, 0);
  const peer = mac(argv[2]!);
  const k = (keyix: number, m: Uint8Array, data: Uint8Array, flags: number) => ({
    ik_type: IEEE80211_CIPHER_AES_CCM, ik_keyix: keyix, ik_keylen: 16, ik_flags: flags, ik_macaddr: m, ik_keyrsc: 0n, ik_keytsc: 0n, ik_keydata: data,
  });
  yield* set(ctx, s, IEEE80211_IOC_WPAKEY, 0, k(IEEE80211_KEYIX_NONE, peer, TK, IEEE80211_KEY_XMIT | IEEE80211_KEY_RECV));
  const bc = new Uint8Array(6).fill(0xff);
  if (argv[1] === 'ap') {
    yield* set(ctx, s, IEEE80211_IOC_WPAKEY, 0, k(1, bc, GTK, IEEE80211_KEY_XMIT | IEEE80211_KEY_GROUP | IEEE80211_KEY_DEFAULT));
    yield* set(ctx, s, IEEE80211_IOC_MLME, 0, { im_op: IEEE80211_MLME_AUTHORIZE, im_macaddr: peer });
  } else yield* set(ctx, s, IEEE80211_IOC_WPAKEY, 0, k(1, bc, GTK, IEEE80211_KEY_RECV | IEEE80211_KEY_GROUP));
  return 0;
};

/** `rtmwatch SECONDS`: print the RTM_IEEE80211 messages a routing socket reads. */
const rtmwatch: ProgramMain = function* (ctx, argv) {
  const s = yield* socket(ctx, AF_ROUTE, SOCK_RAW, 0);
  yield* setsockopt(ctx, s, SOL_SOCKET, SO_RCVTIMEO, timevalNs(Number(argv[1] ?? 1)));
  for (;;) {
    const r = yield* recvfrom(ctx, s, 2048);
    if (r.n < 0) break;
    const m = parseRtIeee80211Msg(r.data);
    if (!m) continue;
    const addr = 'addr' in m.event ? Array.from(m.event.addr, (b) => b.toString(16).padStart(2, '0')).join(':') : '';
    ctx.print(`rtm ${m.ifname} ${m.event.what} ${addr}\n`);
  }
  return 0;
};

const programs = { wpaconf, wpakeys, rtmwatch };

function pair() {
  const sim = newSim(11);
  const ap = makeNode(sim, 'ap', { macBase: 1, programs });
  const sta = makeNode(sim, 'sta', { macBase: 2, programs });
  ap.modules['devnp-fakewifi.so'] = fakeWifiDriver(() => ap.nics);
  sta.modules['devnp-fakewifi.so'] = fakeWifiDriver(() => sta.nics);
  connect(ap.nics[0]!, sta.nics[0]!, 1_000);
  return { sim, ap, sta };
}

describe('WPA2 in io-pkt-v4-hc (software CCMP)', () => {
  test('routing messages on association; ping over CCMP after the keys; cryptostat and ifconfig', () => {
    const { sim, ap, sta } = pair();
    ap.run(['io-pkt-v4-hc -dfakewifi', 'waitfor /dev/socket', 'ifconfig ral0 ssid qnxwpa mode 11g mediaopt hostap chan 6', 'wpaconf ap', 'ifconfig ral0 10.0.0.1/24 up', 'rtmwatch 4 &']);
    sta.run(['io-pkt-v4-hc -dfakewifi', 'waitfor /dev/socket', 'rtmwatch 4 &', 'ifconfig ral0 ssid qnxwpa', 'wpaconf sta', 'ifconfig ral0 10.0.0.2/24 up']);
    sim.queue.runUntil(5 * SEC);
    expect(ap.console()).toContain('rtm ral0 103 00:50:c2:00:00:02\n'); // RTM_IEEE80211_JOIN
    expect(sta.console()).toContain('rtm ral0 100 00:50:c2:00:00:01\n'); // RTM_IEEE80211_ASSOC
    // No keys yet: ping gets nothing through.
    ap.out.length = 0;
    sta.out.length = 0;
    sta.run(['ping -c 1 10.0.0.1']);
    sim.queue.runUntil(7 * SEC);
    expect(sta.console()).not.toContain('bytes from');
    ap.run(['wpakeys ap 00:50:c2:00:00:02']);
    sta.run(['wpakeys sta 00:50:c2:00:00:01']);
    sim.queue.runUntil(8 * SEC);
    sta.out.length = 0;
    ap.out.length = 0;
    sta.run(['ping -c 2 10.0.0.1', 'ifconfig ral0', 'cryptostat']);
    ap.run(['ifconfig ral0']);
    sim.queue.runUntil(12 * SEC);
    const so = sta.console();
    expect(so).toMatch(/2 packets transmitted, 2 packets received, 0.0% packet loss/);
    expect(so).toContain('\tauthmode WPA2/802.11i privacy ON deftxkey UNDEF AES-CCM 2:128-bit AES-CCM ucast:128-bit dropunencrypted\n');
    expect(so).toMatch(/^\d+ symmetric crypto ops \(0 errors, 0 times driver blocked\)$/m);
    expect(so).toMatch(/^swcrypto +software aes-ccm +[1-9]\d* +[1-9]\d* +[1-9]\d* /m);
    expect(ap.console()).toContain('\tauthmode WPA2/802.11i privacy ON deftxkey 2 AES-CCM 2:128-bit\n');
  });

  test('io-pkt-v4 has no crypto API: cryptostat fails', () => {
    const sim = newSim(3);
    const n = makeNode(sim, 'alpha', { programs });
    n.run(['io-pkt-v4', 'waitfor /dev/socket', 'cryptostat']);
    sim.queue.runUntil(2 * SEC);
    expect(n.console()).toBe('cryptostat: net.crypto.stats: No such file or directory\n');
  });
});
