/**
 * CCMP end to end between two devnp-ral nodes with net80211 and the crypto framework: after association the
 * pairwise key and the group key are installed as IEEE80211_IOC_WPAKEY does (ieee80211_crypto_setkey); data goes
 * both ways. With the RT2560 engine registered, transmit frames are encrypted inline in the TX ring and received
 * ones decrypted through one-shot descriptors — every frame on the air is Protected and decrypts with the key;
 * with `nohwcrypto` the software provider does the same work and the frames on the air are the same.
 * The CPU the stack and interrupt threads spend differs by the software AES-CCM cost, computed here.
 */
import { Simulation } from '../../../emulator/machine/sim/simulation';
import { driverModules } from '../../../stack/drivers';
import type { NativeDriverModule } from '../../../stack/io-pkt/driver-api';
import { IFF_UP, type Ifnet } from '../../../stack/net/if';
import { ieee80211_ic_of } from '../../../stack/net80211/ieee80211';
import { ieee80211_crypto_setkey } from '../../../stack/net80211/crypto';
import { IEEE80211_F_PRIVACY } from '../../../stack/net80211/var';
import { ieee80211_node_authorize } from '../../../stack/net80211/hostap';
import { IEEE80211_CIPHER_AES_CCM, IEEE80211_KEY_DEFAULT, IEEE80211_KEY_GROUP, IEEE80211_KEY_RECV, IEEE80211_KEY_XMIT, IEEE80211_KEYIX_NONE } from '../../../stack/include/net80211/ieee80211_ioctl';
import { ccmpOpen, mpduLayout } from '../../../nic-models/rt2560/ccmp';
import { hcStation, type HcStation } from './crypto-harness';
import { MAC_AP, MAC_STA, makeAir, runUntil } from './harness';

const ral = driverModules['devnp-ral.so'] as NativeDriverModule;
const TK = Uint8Array.from({ length: 16 }, (_, i) => 0x10 + i);
const GTK = Uint8Array.from({ length: 16 }, (_, i) => 0x80 + i);

function ether(dst: number[], src: number[], len: number, seed = 0): Uint8Array {
  const f = new Uint8Array(len);
  f.set(dst, 0);
  f.set(src, 6);
  f[12] = 0x88;
  f[13] = 0xb5;
  for (let i = 14; i < len; i++) f[i] = (i * 7 + seed * 13) & 0xff;
  return f;
}

function world(opts: string) {
  const sim = new Simulation(3);
  const air = makeAir(sim, 6);
  const ap = hcStation(sim, 'ap', MAC_AP, air, 0);
  const sta = hcStation(sim, 'sta', MAC_STA, air, 20);
  const att = (st: HcStation): Ifnet => {
    expect(st.iopkt.call(ral.drvrInit(st.iopkt, opts))).toBe(0);
    return st.iopkt.ifaces[0]!;
  };
  const iap = att(ap);
  const ista = att(sta);
  for (const [st, ifp, hostap] of [[ap, iap, true], [sta, ista, false]] as const) {
    const ic = ieee80211_ic_of(ifp)!;
    ic.desEssid = new TextEncoder().encode('qnxwpa');
    if (hostap) {
      ic.opmode = 'hostap';
      ic.desChan = ic.chan(6)!;
    }
    ifp.flags |= IFF_UP;
    expect(st.iopkt.call(ifp.ops.init(ifp))).toBe(0);
  }
  const icAp = ieee80211_ic_of(iap)!;
  const icSta = ieee80211_ic_of(ista)!;
  expect(runUntil(sim, () => icSta.state === 'RUN', 5_000_000_000)).toBe(true);
  // What hostapd / wpa_supplicant install after the 4-way and group handshakes.
  const pair = (mac: number[]) => ({
    ik_type: IEEE80211_CIPHER_AES_CCM, ik_keyix: IEEE80211_KEYIX_NONE, ik_keylen: 16, ik_flags: IEEE80211_KEY_XMIT | IEEE80211_KEY_RECV,
    ik_macaddr: Uint8Array.from(mac), ik_keyrsc: 0n, ik_keytsc: 0n, ik_keydata: TK,
  });
  const group = (xmit: boolean) => ({
    ik_type: IEEE80211_CIPHER_AES_CCM, ik_keyix: 1, ik_keylen: 16,
    ik_flags: (xmit ? IEEE80211_KEY_XMIT | IEEE80211_KEY_DEFAULT : IEEE80211_KEY_RECV) | IEEE80211_KEY_GROUP,
    ik_macaddr: new Uint8Array(6).fill(0xff), ik_keyrsc: 0n, ik_keytsc: 0n, ik_keydata: GTK,
  });
  // Privacy on (IEEE80211_IOC_PRIVACY) and the 802.1X ports opened (IEEE80211_MLME_AUTHORIZE) as after the handshakes.
  for (const ic of [icAp, icSta]) ic.flags |= IEEE80211_F_PRIVACY;
  ieee80211_node_authorize(icSta, icSta.bss);
  ieee80211_node_authorize(icAp, icAp.sta.find(Uint8Array.from(MAC_STA))!);
  expect(ieee80211_crypto_setkey(icAp, pair(MAC_STA))).toBe(0);
  expect(ieee80211_crypto_setkey(icAp, group(true))).toBe(0);
  expect(ieee80211_crypto_setkey(icSta, pair(MAC_AP))).toBe(0);
  expect(ieee80211_crypto_setkey(icSta, group(false))).toBe(0);
  const onAir: { from: string; mpdu: Uint8Array }[] = [];
  air.tap((tx) => {
    if (tx.ppdu && (tx.ppdu.mpdu[0]! & 0x0c) === 0x08) onAir.push({ from: tx.from, mpdu: tx.ppdu.mpdu.slice() });
  });
  return { sim, ap, sta, iap, ista, onAir };
}

function exchange(opts: string) {
  const w = world(opts);
  const { sim, ap, sta, iap, ista } = w;
  const cpu0 = [ap.hc.stack.charged + ap.hc.intrThread.charged, sta.hc.stack.charged + sta.hc.intrThread.charged];
  const up = Array.from({ length: 10 }, (_, i) => ether(MAC_AP, MAC_STA, 1514, i));
  const down = Array.from({ length: 10 }, (_, i) => ether(MAC_STA, MAC_AP, 1514, 100 + i));
  sta.iopkt.send(ista, up.map((data) => ({ data, pktId: 0 })));
  ap.iopkt.send(iap, down.map((data) => ({ data, pktId: 0 })));
  expect(runUntil(sim, () => ap.iopkt.ether.length === 10 && sta.iopkt.ether.length === 10, 200_000_000)).toBe(true);
  expect(ap.iopkt.ether.map((e) => Array.from(e.m.data))).toEqual(up.map((f) => Array.from(f)));
  expect(sta.iopkt.ether.map((e) => Array.from(e.m.data))).toEqual(down.map((f) => Array.from(f)));
  runUntil(sim, () => false, 20_000_000);
  const cpu = [ap.hc.stack.charged + ap.hc.intrThread.charged - cpu0[0]!, sta.hc.stack.charged + sta.hc.intrThread.charged - cpu0[1]!];
  return { ...w, cpu };
}

test('hardware engine: every data frame on the air is CCMP under the pairwise key; the engines did the work', () => {
  const { ap, sta, onAir, cpu } = exchange('');
  const data = onAir.filter((f) => f.mpdu.length > 1000);
  expect(data.length).toBeGreaterThanOrEqual(20);
  for (const f of data) {
    expect(f.mpdu[1]! & 0x40).toBe(0x40);
    expect(f.mpdu[27]! & 0x20).toBe(0x20);
    const plain = ccmpOpen(TK, f.mpdu, mpduLayout(f.mpdu)!, 24);
    expect(plain).not.toBeNull();
    expect(plain!.length).toBe(1514 - 14 + 8);
  }
  for (const st of [ap, sta]) {
    const [sw, hw] = st.hc.cf.crypto_drivers();
    expect([sw!.requests, hw!.name, hw!.encrypts, hw!.decrypts, hw!.micFailures]).toEqual([0, 'ral0', 10, 10, 0]);
    expect([st.nic.core.counters.cipherEncrypted, st.nic.core.counters.cipherDecrypted]).toEqual([10, 10]);
  }
  // Both io-pkt threads of each node, 10 frames out and 10 in: the driver's and the framework's work only.
  for (const c of cpu) expect(c).toBeLessThan(20 * 5000);
});

test('nohwcrypto: the software provider does CCMP; the same frames go on the air; the CPU pays the AES', () => {
  const hw = exchange('');
  const sw = exchange('nohwcrypto');
  const protectedFrames = (x: typeof hw) => x.onAir.filter((f) => f.mpdu.length > 1000).map((f) => Buffer.from(f.mpdu.subarray(24)).toString('hex'));
  // Same keys, same PNs, same plaintext: the same ciphertext (the Duration and Retry bits may differ).
  expect(protectedFrames(sw).slice(0, 20).sort()).toEqual(protectedFrames(hw).slice(0, 20).sort());
  for (const st of [sw.ap, sw.sta]) {
    const drivers = st.hc.cf.crypto_drivers();
    expect(drivers.map((d) => [d.name, d.encrypts, d.decrypts])).toEqual([['swcrypto', 10, 10]]);
    expect(st.nic.core.counters.cipherEncrypted).toBe(0);
  }
  // Software AES-CCM of 1508-byte payloads (LLC/SNAP + 1500), 10 out and 10 in per node: stack/crypto/costs.ts.
  const perFrame = 1400 + Math.ceil(1508 / 16) * 600;
  for (let i = 0; i < 2; i++) expect(sw.cpu[i]! - hw.cpu[i]!).toBeGreaterThan(20 * perFrame * 0.8);
});
