/**
 * The crypto framework of one io-pkt-*-hc (sys/opencrypto/crypto.c): the driver table (crypto_get_driverid,
 * crypto_register, crypto_unregister_all), driver selection (crypto_select_driver: a hardware engine before the
 * software one, then the least loaded), dispatch with ERESTART back-pressure (crypto_invoke, the per-driver
 * blocked queue, crypto_unblock), and completion (crypto_done → crypto_ret_q → crp_callback in the stack
 * context). The software provider (swcrypto.ts) registers itself at creation, so a request always finds an
 * engine for CRYPTO_AES_CCM_16.
 */
import type { ThreadCtx } from '../kernel/api';
import type { TraceFieldValue } from '../net/env';
import {
  CCMP_HDR_LEN, CRD_F_ENCRYPT, CRYPTO_AES_CCM_16, CRYPTO_ALG_NAMES, CRYPTOCAP_F_HARDWARE, CRYPTOCAP_F_SOFTWARE,
  CRYPTOCAP_F_SYNC, type CryptoAlg, type CryptoDriverStats, type CryptoEngineOps, type CryptoFramework,
  type CryptoRequest, type CryptoStats,
} from './api';
import { CryptoCost } from './costs';
import { EBADMSG, EINVAL, ENODEV, ENXIO, ERESTART } from './errno';
import { checkCcmRequest, swcrProcess } from './swcrypto';

/** What the framework needs from the io-pkt it lives in. */
export interface CryptoHost {
  /** Callbacks were queued by thread `ctx`: have the stack context run runReturns soon. */
  wake(ctx: ThreadCtx): void;
}

interface Driver {
  readonly id: number;
  readonly name: string;
  readonly flags: number;
  readonly algs: Map<CryptoAlg, { maxoplen: number; ops: CryptoEngineOps }>;
  blocked: boolean;
  readonly queue: CryptoRequest[];
  readonly inflight: Set<CryptoRequest>;
  gone: boolean;
  st: { requests: number; encrypts: number; decrypts: number; bytes: number; errors: number; micFailures: number; blocks: number };
}

/** The software provider's name (cryptosoft's swcr). */
export const SWCR_NAME = 'swcrypto';

export class Crypto implements CryptoFramework {
  private readonly drivers: Driver[] = [];
  private readonly retq: CryptoRequest[] = [];
  /** Requests to offer again (their engine went away). */
  private readonly redispatch: CryptoRequest[] = [];
  private nextReq = 1;
  private readonly st: CryptoStats = { cs_ops: 0, cs_errs: 0, cs_blocks: 0, cs_rets: 0, cs_nodev: 0 };
  readonly swcrId: number;

  constructor(private readonly host: CryptoHost) {
    this.swcrId = this.crypto_get_driverid(SWCR_NAME, CRYPTOCAP_F_SOFTWARE | CRYPTOCAP_F_SYNC);
    this.crypto_register(this.swcrId, CRYPTO_AES_CCM_16, 0, 0, { process: swcrProcess });
  }

  crypto_get_driverid(name: string, flags: number): number {
    if ((flags & (CRYPTOCAP_F_HARDWARE | CRYPTOCAP_F_SOFTWARE)) === 0) return -1;
    const id = this.drivers.length;
    this.drivers.push({
      id, name, flags, algs: new Map(), blocked: false, queue: [], inflight: new Set(), gone: false,
      st: { requests: 0, encrypts: 0, decrypts: 0, bytes: 0, errors: 0, micFailures: 0, blocks: 0 },
    });
    return id;
  }

  crypto_register(driverid: number, alg: CryptoAlg, maxoplen: number, _flags: number, ops: CryptoEngineOps): number {
    const d = this.drivers[driverid];
    if (!d || d.gone || !(alg in CRYPTO_ALG_NAMES) || typeof ops?.process !== 'function') return EINVAL;
    d.algs.set(alg, { maxoplen: Math.max(0, maxoplen | 0), ops });
    return 0;
  }

  crypto_unregister_all(driverid: number): number {
    const d = this.drivers[driverid];
    if (!d || d.gone || driverid === this.swcrId) return EINVAL;
    d.gone = true;
    d.algs.clear();
    // Queued requests move to the next best engine; requests the engine held are lost with it (ENXIO).
    this.redispatch.push(...d.queue.splice(0));
    for (const crp of d.inflight) {
      crp.etype = ENXIO;
      d.st.errors++;
      this.retq.push(crp);
    }
    d.inflight.clear();
    return 0;
  }

  crypto_getreq(): CryptoRequest {
    return {
      id: 0, alg: CRYPTO_AES_CCM_16, crdFlags: 0, flags: 0, buf: new Uint8Array(0), hdrLen: 0, skip: 0, len: 0, inject: 0,
      ccm: { key: new Uint8Array(16), nonce: new Uint8Array(13), aad: new Uint8Array(0) }, iv: new Uint8Array(CCMP_HDR_LEN),
      keyix: 0, pktId: 0, ifp: null, opaque: null, callback: () => {}, etype: 0, driverid: -1, engineData: null,
    };
  }

  crypto_select(alg: CryptoAlg, len: number): number {
    let best: Driver | null = null;
    for (const d of this.drivers) {
      const a = d.gone ? undefined : d.algs.get(alg);
      if (!a || (a.maxoplen > 0 && len > a.maxoplen)) continue;
      if (!best) best = d;
      else {
        const hw = (d.flags & CRYPTOCAP_F_HARDWARE) !== 0;
        const bhw = (best.flags & CRYPTOCAP_F_HARDWARE) !== 0;
        if (hw && !bhw) best = d;
        else if (hw === bhw && d.inflight.size + d.queue.length < best.inflight.size + best.queue.length) best = d;
      }
    }
    return best ? best.id : -1;
  }

  crypto_dispatch(ctx: ThreadCtx, crp: CryptoRequest): number {
    crp.id = this.nextReq++;
    crp.etype = 0;
    this.st.cs_ops++;
    ctx.charge(CryptoCost.CRYPTO_DISPATCH_NS);
    const bad = checkCcmRequest(crp);
    if (bad) {
      this.trace(ctx, 'bad-request', crp, { why: bad });
      this.fail(ctx, crp, EINVAL);
      return EINVAL;
    }
    return this.invoke(ctx, crp);
  }

  /** crypto_invoke: to the selected engine, or onto its blocked queue. */
  private invoke(ctx: ThreadCtx, crp: CryptoRequest): number {
    const id = this.crypto_select(crp.alg, crp.len);
    const d = id >= 0 ? this.drivers[id] : undefined;
    if (!d) {
      this.st.cs_nodev++;
      this.fail(ctx, crp, ENODEV);
      return ENODEV;
    }
    crp.driverid = d.id;
    if (d.blocked) {
      d.queue.push(crp);
      this.trace(ctx, 'queued', crp, { engine: d.name, depth: d.queue.length });
      return 0;
    }
    this.offer(ctx, d, crp);
    return 0;
  }

  /** Hand `crp` to engine `d`: true when it took or failed it, false when it answered ERESTART (now queued). */
  private offer(ctx: ThreadCtx, d: Driver, crp: CryptoRequest): boolean {
    const a = d.algs.get(crp.alg);
    if (!a) {
      this.redispatch.push(crp);
      this.host.wake(ctx);
      return true;
    }
    d.inflight.add(crp);
    const enc = (crp.crdFlags & CRD_F_ENCRYPT) !== 0;
    this.trace(ctx, 'dispatch', crp, { engine: d.name, op: enc ? 'encrypt' : 'decrypt', len: crp.len });
    const r = a.ops.process(ctx, crp);
    if (r === ERESTART) {
      d.inflight.delete(crp);
      d.blocked = true;
      d.st.blocks++;
      this.st.cs_blocks++;
      d.queue.unshift(crp);
      this.trace(ctx, 'blocked', crp, { engine: d.name });
      return false;
    }
    d.st.requests++;
    if (enc) d.st.encrypts++;
    else d.st.decrypts++;
    d.st.bytes += crp.len;
    if (r !== 0) {
      // process() refused it outright.
      if (d.inflight.delete(crp)) this.complete(ctx, d, crp, r);
      return true;
    }
    // A synchronous engine (the software one) has finished already: complete it for it.
    if ((d.flags & CRYPTOCAP_F_SYNC) !== 0 && d.inflight.delete(crp)) this.complete(ctx, d, crp, crp.etype);
    return true;
  }

  crypto_done(ctx: ThreadCtx, crp: CryptoRequest): void {
    const d = this.drivers[crp.driverid];
    if (!d || !d.inflight.delete(crp)) {
      this.trace(ctx, 'stray-done', crp, { engine: d?.name ?? '?' });
      return;
    }
    this.complete(ctx, d, crp, crp.etype);
  }

  private complete(ctx: ThreadCtx, d: Driver, crp: CryptoRequest, etype: number): void {
    crp.etype = etype;
    if (etype !== 0) {
      d.st.errors++;
      this.st.cs_errs++;
      if (etype === EBADMSG) d.st.micFailures++;
    }
    this.st.cs_rets++;
    this.trace(ctx, 'done', crp, { engine: d.name, etype });
    this.retq.push(crp);
    this.host.wake(ctx);
  }

  private fail(ctx: ThreadCtx, crp: CryptoRequest, etype: number): void {
    crp.etype = etype;
    this.st.cs_errs++;
    this.retq.push(crp);
    this.host.wake(ctx);
  }

  crypto_unblock(ctx: ThreadCtx, driverid: number): void {
    const d = this.drivers[driverid];
    if (!d || d.gone) return;
    d.blocked = false;
    while (d.queue.length > 0 && !d.blocked) {
      const crp = d.queue.shift()!;
      if (!this.offer(ctx, d, crp)) break;
    }
  }

  /** Is there a callback or a re-dispatch waiting for the stack context? */
  pending(): boolean {
    return this.retq.length > 0 || this.redispatch.length > 0;
  }

  /** crypto_ret_q processing, in the stack context: re-dispatches, then callbacks in completion order. */
  runReturns(ctx: ThreadCtx): boolean {
    let did = false;
    while (this.redispatch.length > 0) {
      did = true;
      this.invoke(ctx, this.redispatch.shift()!);
    }
    while (this.retq.length > 0) {
      did = true;
      const crp = this.retq.shift()!;
      crp.callback(ctx, crp);
    }
    return did;
  }

  crypto_driver_stats(driverid: number): CryptoDriverStats | null {
    const d = this.drivers[driverid];
    if (!d) return null;
    return {
      driverid: d.id, name: d.name, kind: (d.flags & CRYPTOCAP_F_HARDWARE) !== 0 ? 'hardware' : 'software',
      algs: [...d.algs.keys()].map((a) => CRYPTO_ALG_NAMES[a]), ...d.st, inflight: d.inflight.size, queued: d.queue.length, gone: d.gone,
    };
  }

  crypto_drivers(): CryptoDriverStats[] {
    return this.drivers.map((d) => this.crypto_driver_stats(d.id)!);
  }

  crypto_stats(): CryptoStats {
    return { ...this.st };
  }

  private trace(ctx: ThreadCtx, probe: string, crp: CryptoRequest, f: Record<string, TraceFieldValue>): void {
    ctx.trace('crypto', probe, crp.pktId, { req: crp.id, ...f });
  }
}
