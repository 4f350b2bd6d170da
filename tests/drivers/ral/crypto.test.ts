/**
 * devnp-ral's AES engine as io-pkt-*-hc's crypto offload (stack/drivers/ral/crypto.ts) on the real crypto
 * framework (stack/crypto): registration (and `nohwcrypto`, and none on a stack without the API), CCMP requests
 * dispatched to it and served by the chip's one-shot descriptors — the IEEE 802.11-2016 M.6.4 vector encrypted,
 * decrypted, and a MIC failure reported as EBADMSG from ICV_ERROR —, ERESTART back-pressure with one one-shot per
 * direction, and the inline path: an outgoing data frame encrypted in the TX ring and sent by the chip
 * (CRYPTO_F_TXDONE), whose bytes on the air decrypt with the key. The CPU the dispatching thread spends is compared
 * with the software provider's cost computed here from stack/crypto/costs.ts.
 */
import { Simulation } from '../../../emulator/machine/sim/simulation';
import { driverModules } from '../../../stack/drivers';
import type { NativeDriverModule } from '../../../stack/io-pkt/driver-api';
import type { Co } from '../../../stack/kernel/api';
import { IFF_UP, type Ifnet } from '../../../stack/net/if';
import { ieee80211_ic_of } from '../../../stack/net80211/ieee80211';
import { CRD_F_ENCRYPT, CRYPTO_F_IEEE80211_TX, CRYPTO_F_TXDONE, type CryptoFramework, type CryptoRequest } from '../../../stack/crypto/api';
import { hcStation } from './crypto-harness';
import { formatNicinfo } from '../../../stack/utils/nicinfo';
import type { IfInfo } from '../../../stack/io-pkt/ioctl';
import { EBADMSG, EIO } from '../../../stack/crypto/errno';
import { ccmpAad, ccmpNonce, ccmpOpen, mpduLayout } from '../../../nic-models/rt2560/ccmp';
import { RT2560_SECCSR0, RT2560_SECCSR1 } from '../../../stack/drivers/ral/regs';
import type { RalSoftc } from '../../../stack/drivers/ral/softc';
import { M64 } from '../../nic-models/rt2560/cipher-helpers';
import { MAC_AP, MAC_STA, makeAir, runUntil, type Station } from './harness';

const ral = driverModules['devnp-ral.so'] as NativeDriverModule;

function attach(st: Station, opts = ''): Ifnet {
  expect(st.iopkt.call(ral.drvrInit(st.iopkt, opts))).toBe(0);
  return st.iopkt.ifaces[0]!;
}

/** A CCMP request the way net80211's ccmp code fills it (nonce and AAD from the header; the engine may ignore them). */
function request(cf: CryptoFramework, mpdu: Uint8Array, hdrLen: number, encrypt: boolean, key: Uint8Array, done: (crp: CryptoRequest) => void): CryptoRequest {
  const crp = cf.crypto_getreq();
  const l = mpduLayout(mpdu)!;
  crp.buf = mpdu;
  crp.hdrLen = hdrLen;
  crp.skip = hdrLen + 8;
  crp.len = mpdu.length - hdrLen - 16;
  crp.inject = mpdu.length - 8;
  crp.crdFlags = encrypt ? CRD_F_ENCRYPT : 0;
  crp.iv = mpdu.slice(hdrLen, hdrLen + 8);
  crp.ccm = { key, nonce: ccmpNonce(mpdu, l, crp.iv), aad: ccmpAad(mpdu, l) };
  crp.callback = (_ctx, c) => done(c);
  return crp;
}

const vector = (): Uint8Array => Uint8Array.from([...M64.header, ...M64.ccmpHeader, ...M64.plaintext, ...new Array<number>(8).fill(0)]);
const protectedVector = (): Uint8Array => Uint8Array.from([...M64.header, ...M64.ccmpHeader, ...M64.ciphertext, ...M64.mic]);

test('registration: ral0 registers AES-CCM as a hardware engine; nohwcrypto and a stack without the API do not', () => {
  const sim = new Simulation(1);
  const a = hcStation(sim, 'a', MAC_AP, null);
  const ifa = attach(a);
  expect(a.hc.cf.crypto_drivers().map((d) => [d.name, d.kind, d.algs])).toEqual([['swcrypto', 'software', ['aes-ccm']], [ifa.name, 'hardware', ['aes-ccm']]]);
  expect(a.hc.logs).toContain(`${ifa.name}: AES-CCM engine registered (hardware crypto)`);
  const b = hcStation(sim, 'b', MAC_STA, null);
  attach(b, 'nohwcrypto');
  expect(b.hc.cf.crypto_drivers().map((d) => d.name)).toEqual(['swcrypto']);
  const c = hcStation(sim, 'c', MAC_STA, null);
  c.hc.hasCrypto = false;
  attach(c);
  expect((c.iopkt.ifaces[0]!.softc as RalSoftc).crypto).toBeNull();
  // Detach gives the engine back.
  expect(a.iopkt.call(ifa.ops.detach!(ifa))).toBe(0);
  expect(a.hc.cf.crypto_driver_stats(1)!.gone).toBe(true);
});

test('one-shot requests: M.6.4 encrypted and decrypted by the chip, a flipped MIC is EBADMSG from ICV_ERROR', () => {
  const sim = new Simulation(1);
  const a = hcStation(sim, 'a', MAC_AP, null);
  const ifa = attach(a);
  // Up (scanning): rt2560_init unmasks the chip's interrupts.
  ifa.flags |= IFF_UP;
  expect(a.iopkt.call(ifa.ops.init(ifa))).toBe(0);
  const cf = a.hc.cf;
  const got: CryptoRequest[] = [];
  const enc = request(cf, vector(), 24, true, M64.tk, (c) => got.push(c));
  const dec = request(cf, protectedVector(), 24, false, M64.tk, (c) => got.push(c));
  const bad = protectedVector();
  bad[bad.length - 1] = bad[bad.length - 1]! ^ 0x80;
  const mic = request(cf, bad, 24, false, M64.tk, (c) => got.push(c));
  a.iopkt.call((function* (): Co<void> {
    for (const crp of [enc, dec, mic]) cf.crypto_dispatch(a.hc.ctx, crp);
  })());
  expect(runUntil(sim, () => got.length === 3, 10_000_000)).toBe(true);
  expect(got.map((c) => [c.id, c.etype])).toEqual([[enc.id, 0], [dec.id, 0], [mic.id, EBADMSG]]);
  expect(Array.from(enc.buf)).toEqual(Array.from(protectedVector()));
  expect(Array.from(dec.buf.subarray(32, 52))).toEqual(Array.from(M64.plaintext));
  expect(Array.from(mic.buf)).toEqual(Array.from(bad));
  const k = cf.crypto_driver_stats(1)!;
  // Two ERESTARTs for the second decrypt: at its dispatch, and when the encrypt slot's completion unblocked the engine
  // while the decrypt slot was still busy.
  expect([k.name, k.requests, k.encrypts, k.decrypts, k.micFailures, k.blocks]).toEqual([ifa.name, 3, 1, 2, 1, 2]);
  // The chip was driven through its one-shot descriptors: SECCSR1/SECCSR0 with ONE_SHOT | KICK.
  const kicks = a.mmio.filter((m) => m.dir === 'w' && (m.off === RT2560_SECCSR1 || m.off === RT2560_SECCSR0) && (m.value & 3) === 3);
  expect(kicks.map((m) => m.off)).toEqual([RT2560_SECCSR1, RT2560_SECCSR0, RT2560_SECCSR0]);
  expect(a.nic.core.counters.cipherIcvErrors).toBe(1);
  const cfg = ifa.ops.config(ifa);
  expect(cfg.crypto).toMatchObject({ engine: ifa.name, requests: 3, micFailures: 1 });
  // nicinfo prints them under the configuration block.
  const text = formatNicinfo(ifa.name, cfg, ifa.ops.stats(ifa), { name: ifa.name, media: { linkUp: false } } as unknown as IfInfo);
  expect(text).toMatch(/Hardware Crypto Engine \.+ ral0 \(aes-ccm\)/);
  expect(text).toMatch(/Crypto Requests \.+ 3 \(1 encrypt, 2 decrypt\)/);
  expect(text).toMatch(/Crypto Errors \.+ 1 \(1 MIC failures\)/);
});

test('inline: an outgoing frame is encrypted in the TX ring and sent by the chip (TXDONE); the air carries CCMP', () => {
  const sim = new Simulation(1);
  const air = makeAir(sim, 6);
  const ap = hcStation(sim, 'ap', MAC_AP, air, 0);
  const sta = hcStation(sim, 'sta', MAC_STA, air, 20);
  const iap = attach(ap);
  const ista = attach(sta);
  const up = (st: Station, ifp: Ifnet, hostap: boolean): void => {
    const ic = ieee80211_ic_of(ifp)!;
    ic.desEssid = new TextEncoder().encode('qnxnet');
    if (hostap) {
      ic.opmode = 'hostap';
      ic.desChan = ic.chan(6)!;
    }
    ifp.flags |= IFF_UP;
    expect(st.iopkt.call(ifp.ops.init(ifp))).toBe(0);
  };
  up(ap, iap, true);
  up(sta, ista, false);
  expect(runUntil(sim, () => ieee80211_ic_of(ista)!.state === 'RUN', 5_000_000_000)).toBe(true);
  const onAir: Uint8Array[] = [];
  air.tap((tx) => {
    if (tx.ppdu && tx.ppdu.mpdu[0] === 0x08 && tx.from.startsWith('ap')) onAir.push(tx.ppdu.mpdu.slice());
  });
  // An AP → station data frame, FromDS, Protected, with room for the CCMP header and MIC (what net80211's encap gives).
  const payload = Array.from({ length: 1500 }, (_, i) => (i * 11) & 0xff);
  const hdr = [0x08, 0x42, 0, 0, ...MAC_STA, ...MAC_AP, ...MAC_AP, 0x30, 0x00];
  const pn = [0x01, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00];
  const mpdu = Uint8Array.from([...hdr, ...pn, ...payload, ...new Array<number>(8).fill(0)]);
  const done: CryptoRequest[] = [];
  const crp = request(ap.hc.cf, mpdu, 24, true, M64.tk, (c) => done.push(c));
  crp.flags |= CRYPTO_F_IEEE80211_TX;
  crp.ifp = iap;
  const thread = ap.hc.stack;
  const before = thread.charged;
  ap.iopkt.call((function* (): Co<void> {
    ap.hc.cf.crypto_dispatch(ap.hc.ctx, crp);
  })());
  const hwCpu = thread.charged - before;
  expect(runUntil(sim, () => done.length === 1 && onAir.length >= 1, 50_000_000)).toBe(true);
  expect(crp.etype).toBe(0);
  expect(crp.flags & CRYPTO_F_TXDONE).toBe(CRYPTO_F_TXDONE);
  const air0 = onAir[0]!;
  expect(air0.length).toBe(mpdu.length);
  expect(Array.from(air0.subarray(24, 32))).toEqual(pn);
  expect(Array.from(air0.subarray(0, 2))).toEqual([0x08, 0x42]);
  const plain = ccmpOpen(M64.tk, air0, mpduLayout(air0)!, 24);
  expect(plain && Array.from(plain)).toEqual(payload);
  expect(Array.from(crp.buf.subarray(24))).toEqual(Array.from(air0.subarray(24)));
  // CPU on the dispatching thread: the framework's dispatch and the driver's descriptor work — not the AES.
  // The software provider would have charged 1 400 + ceil(1500/16) · 600 ns (stack/crypto/costs.ts) on top.
  const swCcm = 1400 + Math.ceil(1500 / 16) * 600;
  expect(hwCpu).toBeLessThan(swCcm / 10);
  expect(ap.hc.cf.crypto_driver_stats(1)).toMatchObject({ requests: 1, encrypts: 1, bytes: 1500 });
});

test('rt2560_stop with requests in the engine: they complete with EIO; a stopped interface refuses new ones', () => {
  const sim = new Simulation(1);
  const a = hcStation(sim, 'a', MAC_AP, null);
  const ifa = attach(a);
  ifa.flags |= IFF_UP;
  expect(a.iopkt.call(ifa.ops.init(ifa))).toBe(0);
  const cf = a.hc.cf;
  const got: CryptoRequest[] = [];
  const dec = request(cf, protectedVector(), 24, false, M64.tk, (c) => got.push(c));
  const dec2 = request(cf, protectedVector(), 24, false, M64.tk, (c) => got.push(c));
  a.iopkt.call((function* (): Co<void> {
    cf.crypto_dispatch(a.hc.ctx, dec);
    cf.crypto_dispatch(a.hc.ctx, dec2);
    yield* ifa.ops.stop(ifa, true);
  })());
  expect(runUntil(sim, () => got.length === 2, 10_000_000)).toBe(true);
  expect(got.map((c) => c.etype)).toEqual([EIO, EIO]);
  expect(cf.crypto_driver_stats(1)).toMatchObject({ inflight: 0, queued: 0 });
});
