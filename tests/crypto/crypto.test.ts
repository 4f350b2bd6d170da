/**
 * The hc stack's crypto API (stack/crypto): the software provider against the IEEE 802.11 Annex M CCMP test
 * vector, its CPU cost from the cost table, MIC failures, engine selection (hardware before software), ERESTART
 * back-pressure and crypto_unblock, completion from another thread, unregistering an engine, hostile requests.
 */
import type { ThreadCtx } from '../../stack/kernel/api';
import { CRD_F_ENCRYPT, CRYPTO_AES_CCM_16, CRYPTOCAP_F_HARDWARE, type CryptoRequest } from '../../stack/crypto/api';
import { Crypto } from '../../stack/crypto/crypto';
import { CryptoCost, swAesCcmCost } from '../../stack/crypto/costs';
import { EBADMSG, EINVAL, ENXIO, ERESTART } from '../../stack/crypto/errno';
import { ccmpAad, ccmpHeader, ccmpNonce, parseCcmpHeader } from '../../stack/net80211/ccmp';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const unhex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

/** IEEE 802.11 Annex M CCMP test vector (also in FreeBSD's ccmp_test.c "CCMP test mpdu 1"). */
const V = {
  tk: unhex('c97c1f67ce371185514a8a19f2bdd52f'),
  pn: 0xb5039776e70cn,
  hdr: unhex('08 48 c3 2c 0f d2 e1 28 a5 7c 50 30 f1 84 44 08 ab ae a5 b8 fc ba 80 33'),
  aad: unhex('08 40 0f d2 e1 28 a5 7c 50 30 f1 84 44 08 ab ae a5 b8 fc ba 00 00'),
  ccmpHdr: unhex('0c e7 00 20 76 97 03 b5'),
  nonce: unhex('00 50 30 f1 84 44 08 b5 03 97 76 e7 0c'),
  plain: unhex('f8 ba 1a 55 d0 2f 85 ae 96 7b b6 2f b6 cd a8 eb 7e 78 a0 50'),
  mpdu: unhex('08 48 c3 2c 0f d2 e1 28 a5 7c 50 30 f1 84 44 08 ab ae a5 b8 fc ba 80 33 0c e7 00 20 76 97 03 b5 f3 d0 a2 fe 9a 3d bf 23 42 a6 43 e4 32 46 e8 0c 3c 04 d0 19 78 45 ce 0b 16 f9 76 23'),
};

/** A thread that records what it was charged and traced. */
function fakeCtx(): ThreadCtx & { charged: number; traces: { probe: string; f: Record<string, unknown> }[] } {
  const c = {
    charged: 0,
    traces: [] as { probe: string; f: Record<string, unknown> }[],
    charge(ns: number) {
      c.charged += ns;
    },
    trace(_l: string, probe: string, _p: number, f?: Record<string, unknown>) {
      c.traces.push({ probe, f: f ?? {} });
    },
  };
  return c as unknown as ThreadCtx & typeof c;
}

function setup(): { cf: Crypto; ctx: ReturnType<typeof fakeCtx>; wakes: number[] } {
  const wakes: number[] = [];
  const cf = new Crypto({ wake: () => wakes.push(1) });
  return { cf, ctx: fakeCtx(), wakes };
}

/** The vector as a request: header ‖ CCMP header ‖ payload ‖ MIC room. */
function vectorRequest(cf: Crypto, encrypt: boolean, done: CryptoRequest[]): CryptoRequest {
  const crp = cf.crypto_getreq();
  const buf = encrypt ? new Uint8Array(V.mpdu.length) : V.mpdu.slice();
  if (encrypt) {
    buf.set(V.hdr, 0);
    buf.set(V.ccmpHdr, 24);
    buf.set(V.plain, 32);
  }
  crp.alg = CRYPTO_AES_CCM_16;
  crp.crdFlags = encrypt ? CRD_F_ENCRYPT : 0;
  crp.buf = buf;
  crp.hdrLen = 24;
  crp.skip = 32;
  crp.len = V.plain.length;
  crp.inject = 32 + V.plain.length;
  crp.ccm = { key: V.tk, nonce: ccmpNonce(V.hdr, V.pn), aad: ccmpAad(V.hdr) };
  crp.iv = V.ccmpHdr.slice();
  crp.callback = (_c, r) => done.push(r);
  return crp;
}

describe('CCMP framing (802.11-2016 12.5.3) against Annex M', () => {
  it('header, AAD and nonce', () => {
    expect(hex(ccmpHeader(V.pn, 0))).toBe(hex(V.ccmpHdr));
    expect(parseCcmpHeader(V.ccmpHdr)).toEqual({ pn: V.pn, keyid: 0 });
    expect(hex(ccmpAad(V.hdr))).toBe(hex(V.aad));
    expect(hex(ccmpNonce(V.hdr, V.pn))).toBe(hex(V.nonce));
    // No ExtIV: not a CCMP header.
    expect(parseCcmpHeader(unhex('0ce7000076970 3b5'.replace(' ', '')))).toBeNull();
  });
});

describe('software provider (swcrypto)', () => {
  it('encrypts the Annex M MPDU bit for bit, charging dispatch + setup + 2 blocks on the calling thread', () => {
    const { cf, ctx, wakes } = setup();
    const done: CryptoRequest[] = [];
    const crp = vectorRequest(cf, true, done);
    expect(cf.crypto_dispatch(ctx, crp)).toBe(0);
    // The callback waits for the stack context.
    expect(done.length).toBe(0);
    expect(wakes.length).toBe(1);
    expect(cf.runReturns(ctx)).toBe(true);
    expect(done).toEqual([crp]);
    expect(crp.etype).toBe(0);
    expect(hex(crp.buf)).toBe(hex(V.mpdu));
    const blocks = Math.ceil(V.plain.length / 16);
    expect(ctx.charged).toBe(CryptoCost.CRYPTO_DISPATCH_NS + CryptoCost.AES_CCM_SETUP_NS + blocks * CryptoCost.AES_CCM_BLOCK_NS);
    const sw = cf.crypto_driver_stats(cf.swcrId)!;
    expect(sw).toMatchObject({ name: 'swcrypto', kind: 'software', requests: 1, encrypts: 1, decrypts: 0, bytes: 20, errors: 0 });
    expect(cf.crypto_stats()).toMatchObject({ cs_ops: 1, cs_errs: 0, cs_rets: 1 });
  });

  it('decrypts it back; a flipped ciphertext bit is a MIC failure (EBADMSG) that leaves the buffer alone', () => {
    const { cf, ctx } = setup();
    const done: CryptoRequest[] = [];
    const ok = vectorRequest(cf, false, done);
    cf.crypto_dispatch(ctx, ok);
    const bad = vectorRequest(cf, false, done);
    bad.buf[40] = bad.buf[40]! ^ 0x01;
    const before = hex(bad.buf);
    cf.crypto_dispatch(ctx, bad);
    cf.runReturns(ctx);
    expect(ok.etype).toBe(0);
    expect(hex(ok.buf.subarray(32, 52))).toBe(hex(V.plain));
    expect(bad.etype).toBe(EBADMSG);
    expect(hex(bad.buf)).toBe(before);
    expect(cf.crypto_driver_stats(cf.swcrId)).toMatchObject({ requests: 2, decrypts: 2, errors: 1, micFailures: 1 });
  });

  it('per-frame software cost of a 1500-byte payload, from the table', () => {
    expect(swAesCcmCost(1500)).toBe(CryptoCost.AES_CCM_SETUP_NS + Math.ceil(1500 / 16) * CryptoCost.AES_CCM_BLOCK_NS);
  });
});

describe('engines', () => {
  function hw(cf: Crypto, answer: () => number) {
    const held: CryptoRequest[] = [];
    const id = cf.crypto_get_driverid('ral0', CRYPTOCAP_F_HARDWARE);
    expect(cf.crypto_register(id, CRYPTO_AES_CCM_16, 2300, 0, {
      process: (_ctx, crp) => {
        const r = answer();
        if (r === 0) held.push(crp);
        return r;
      },
    })).toBe(0);
    return { id, held };
  }

  it('a registered hardware engine gets the requests; it completes them from its interrupt thread', () => {
    const { cf, ctx } = setup();
    const { id, held } = hw(cf, () => 0);
    expect(cf.crypto_select(CRYPTO_AES_CCM_16, 100)).toBe(id);
    // Larger than its maxoplen: the software provider takes it.
    expect(cf.crypto_select(CRYPTO_AES_CCM_16, 3000)).toBe(cf.swcrId);
    const done: CryptoRequest[] = [];
    const crp = vectorRequest(cf, true, done);
    cf.crypto_dispatch(ctx, crp);
    expect(held).toEqual([crp]);
    expect(crp.driverid).toBe(id);
    expect(ctx.charged).toBe(CryptoCost.CRYPTO_DISPATCH_NS); // no software AES on the stack thread
    expect(cf.crypto_driver_stats(id)).toMatchObject({ inflight: 1, requests: 1 });
    const intr = fakeCtx();
    crp.etype = 0;
    cf.crypto_done(intr, crp);
    cf.runReturns(ctx);
    expect(done).toEqual([crp]);
    expect(cf.crypto_driver_stats(id)).toMatchObject({ inflight: 0, kind: 'hardware' });
    // A second crypto_done of the same request is traced, not run twice.
    cf.crypto_done(intr, crp);
    cf.runReturns(ctx);
    expect(done.length).toBe(1);
    expect(intr.traces.some((t) => t.probe === 'stray-done')).toBe(true);
  });

  it('ERESTART: the request waits, in order, until crypto_unblock', () => {
    const { cf, ctx } = setup();
    let busy = true;
    const { id, held } = hw(cf, () => (busy ? ERESTART : 0));
    const done: CryptoRequest[] = [];
    const a = vectorRequest(cf, true, done);
    const b = vectorRequest(cf, true, done);
    cf.crypto_dispatch(ctx, a);
    cf.crypto_dispatch(ctx, b);
    expect(held.length).toBe(0);
    expect(cf.crypto_driver_stats(id)).toMatchObject({ blocks: 1, queued: 2 });
    busy = false;
    cf.crypto_unblock(ctx, id);
    expect(held).toEqual([a, b]);
    expect(cf.crypto_stats().cs_blocks).toBe(1);
  });

  it('unregistering: queued requests go to the software provider, held ones fail with ENXIO', () => {
    const { cf, ctx } = setup();
    let n = 0;
    const { id, held } = hw(cf, () => (n++ === 0 ? 0 : ERESTART));
    const done: CryptoRequest[] = [];
    const a = vectorRequest(cf, true, done);
    const b = vectorRequest(cf, true, done);
    cf.crypto_dispatch(ctx, a);
    cf.crypto_dispatch(ctx, b);
    expect(held).toEqual([a]);
    expect(cf.crypto_unregister_all(id)).toBe(0);
    cf.runReturns(ctx);
    expect(a.etype).toBe(ENXIO);
    expect(b.etype).toBe(0);
    expect(b.driverid).toBe(cf.swcrId);
    expect(hex(b.buf)).toBe(hex(V.mpdu));
    expect(done).toContain(a);
    expect(done).toContain(b);
    expect(cf.crypto_driver_stats(id)!.gone).toBe(true);
    // The software provider cannot be unregistered.
    expect(cf.crypto_unregister_all(cf.swcrId)).toBe(EINVAL);
  });

  it('hostile requests fail with EINVAL through the callback, never throw', () => {
    const { cf, ctx } = setup();
    const done: CryptoRequest[] = [];
    const cases: ((r: CryptoRequest) => void)[] = [
      (r) => (r.len = 10_000),
      (r) => (r.skip = -4),
      (r) => (r.inject = r.buf.length - 2),
      (r) => (r.ccm = { ...r.ccm, key: new Uint8Array(5) }),
      (r) => (r.ccm = { ...r.ccm, nonce: new Uint8Array(12) }),
      (r) => (r.len = 1.5),
      (r) => ((r as { alg: number }).alg = 7),
    ];
    for (const mut of cases) {
      const r = vectorRequest(cf, true, done);
      mut(r);
      expect(() => cf.crypto_dispatch(ctx, r)).not.toThrow();
    }
    cf.runReturns(ctx);
    expect(done.length).toBe(cases.length);
    expect(done.every((r) => r.etype === EINVAL)).toBe(true);
    expect(cf.crypto_driver_stats(cf.swcrId)!.requests).toBe(0);
    expect(cf.crypto_register(99, CRYPTO_AES_CCM_16, 0, 0, { process: () => 0 })).toBe(EINVAL);
    expect(cf.crypto_get_driverid('x', 0)).toBe(-1);
  });
});
