/**
 * The hardware crypto API of io-pkt-*-hc ("a separate hardware crypto API that allows the stack to use a crypto
 * offload engine when it's encrypting or decrypting data for secure links"), in the shape of BSD opencrypto
 * (sys/opencrypto/cryptodev.h, crypto.c): engines take a driver id (crypto_get_driverid), register the
 * algorithms they do (crypto_register); a consumer (the 802.11 layer's CCMP) fills a request (struct cryptop
 * with one struct cryptodesc folded in) and dispatches it (crypto_dispatch); the framework hands it to the best
 * engine — a hardware one when registered, else the software provider that is always present (swcr); the engine
 * finishes it with crypto_done from whatever thread it runs on, and the framework runs the consumer's callback in
 * the stack context (crypto_ret_q → crp_callback).
 *
 * HOW AN ENGINE (a driver such as devnp-ral) USES IT:
 *   const cf = iopkt.crypto?.() ?? null;          // null on io-pkt-v4 (no crypto API), as ieee80211Host
 *   const id = cf.crypto_get_driverid('ral0', CRYPTOCAP_F_HARDWARE);
 *   cf.crypto_register(id, CRYPTO_AES_CCM_16, maxoplen, 0, { process(ctx, crp) { …; return 0; } });
 *   process(): runs on the dispatching thread (the stack context, or an interrupt thread running if_start);
 *     must not block; returns 0 (accepted: the engine owns crp until crypto_done), ERESTART (busy now: the
 *     framework keeps crp, in order, and offers it again after crypto_unblock(id)), or another errno (crp
 *     fails with that crp_etype at once).
 *   completion: set crp.etype (0, or EBADMSG for a MIC failure, EIO for a hardware fault) and the result in
 *     crp.buf, then cf.crypto_done(ctx, crp) — from the interrupt thread is fine.
 *   detach: cf.crypto_unregister_all(id) (queued requests then go to the software provider).
 *   nicinfo: cf.crypto_driver_stats(id) gives the counters this framework keeps per engine.
 *
 * Sessions (crypto_newsession) are not modelled: every request carries its key, as the RT2560 descriptor does
 * (rt2560reg.h struct rt2560_tx_desc key[]), so rekeying needs no session change.
 */
import type { ThreadCtx } from '../kernel/api';
import type { Ifnet } from '../net/if';

/** Algorithms (FreeBSD sys/opencrypto/cryptodev.h numbering; AES-CCM with a 16-byte block = CCMP's cipher). */
export const CRYPTO_AES_CCM_16 = 40;
export type CryptoAlg = typeof CRYPTO_AES_CCM_16;
export const CRYPTO_ALG_NAMES: Readonly<Record<CryptoAlg, string>> = { [CRYPTO_AES_CCM_16]: 'aes-ccm' };

/** crypto_get_driverid flags (CRYPTOCAP_F_*): what kind of engine registers. */
export const CRYPTOCAP_F_HARDWARE = 0x01000000;
export const CRYPTOCAP_F_SOFTWARE = 0x02000000;
export const CRYPTOCAP_F_SYNC = 0x04000000;

/** crd_flags of the (single) descriptor: encrypt when set, decrypt + verify when clear. */
export const CRD_F_ENCRYPT = 0x01;

/**
 * crp_flags. CRYPTO_F_IEEE80211_TX marks the encryption of an outgoing 802.11 frame for interface `crp.ifp`;
 * an engine that is that interface's own inline cipher (the RT2560 encrypts in its TX ring and transmits the
 * same descriptor) may send the frame itself and set CRYPTO_F_TXDONE before crypto_done: the consumer then does
 * not queue the frame for transmission again.
 */
export const CRYPTO_F_IEEE80211_TX = 0x0100;
export const CRYPTO_F_TXDONE = 0x0200;

/** CCM's tag length for CCMP (IEEE 802.11-2016 12.5.3.1: M = 8). */
export const CCMP_MIC_LEN = 8;
/** CCMP header (12.5.3.2: PN0 PN1 rsvd keyid|ExtIV PN2 PN3 PN4 PN5). */
export const CCMP_HDR_LEN = 8;

/** CCM parameters of one request, computed by the consumer (ccmp_init_blocks, 802.11-2016 12.5.3.3.3/.4). */
export interface CryptoCcm {
  /** Temporal key (16 bytes). */
  key: Uint8Array;
  /** 13-byte nonce: flags/priority ‖ A2 ‖ PN5…PN0. */
  nonce: Uint8Array;
  /** Additional authenticated data: the masked 802.11 header (22, 24, 28 or 30 bytes). */
  aad: Uint8Array;
}

/**
 * struct cryptop with its one struct cryptodesc (crd_skip/crd_len/crd_inject). `buf` is the whole MPDU —
 * 802.11 header, CCMP header, payload, MIC — and the engine works in place: encrypt turns
 * buf[skip, skip+len) into ciphertext and writes the MIC at buf[inject, inject+8); decrypt turns the ciphertext
 * back into plaintext after checking the MIC at `inject` (a mismatch: etype EBADMSG, payload undefined).
 * A hardware engine may ignore `ccm.nonce`/`ccm.aad` and derive them from the header and `iv` as the chip does.
 */
export interface CryptoRequest {
  /** Request number (set by crypto_dispatch; traces follow it). */
  id: number;
  alg: CryptoAlg;
  /** crd_flags (CRD_F_ENCRYPT). */
  crdFlags: number;
  /** crp_flags (CRYPTO_F_*). */
  flags: number;
  buf: Uint8Array;
  /** 802.11 header length; the CCMP header is buf[hdrLen, hdrLen+8). */
  hdrLen: number;
  /** crd_skip: first payload byte (hdrLen + 8). */
  skip: number;
  /** crd_len: payload bytes (without the MIC). */
  len: number;
  /** crd_inject: where the MIC is (skip + len). */
  inject: number;
  ccm: CryptoCcm;
  /** The 8-byte CCMP header as the hardware takes it: IV = bytes 0–3, EIV = bytes 4–7 (the iv/eiv descriptor words of Ralink engines). */
  iv: Uint8Array;
  /** net80211 key index (wk_keyix) — a hardware key slot hint; the key itself is in ccm.key. */
  keyix: number;
  /** Packet id for traces. */
  pktId: number;
  /** The interface a CRYPTO_F_IEEE80211_TX frame leaves by. */
  ifp: Ifnet | null;
  /** crp_opaque: the consumer's (net80211 keeps its node/key/continuation here). */
  opaque: unknown;
  /** crp_callback: run in the stack context once the engine is done (or the dispatch failed). */
  callback: (ctx: ThreadCtx, crp: CryptoRequest) => void;
  /** crp_etype: 0, EBADMSG (MIC failure), EINVAL (bad request), EIO (engine fault), ENODEV (no engine). */
  etype: number;
  /** The engine that took it (set by the framework), -1 before. */
  driverid: number;
  /** For the engine's own bookkeeping (ring slot, …). */
  engineData: unknown;
}

/** What an engine gives crypto_register. */
export interface CryptoEngineOps {
  /** Accept `crp` (0), refuse for now (ERESTART), or fail it (another errno). Must not block. */
  process(ctx: ThreadCtx, crp: CryptoRequest): number;
}

/** Counters the framework keeps per engine (what cryptostat, sysctl net.crypto.drivers and nicinfo show). */
export interface CryptoDriverStats {
  driverid: number;
  name: string;
  /** 'hardware' | 'software' (CRYPTOCAP_F_*). */
  kind: 'hardware' | 'software';
  algs: string[];
  /** Requests handed to the engine (accepted by process). */
  requests: number;
  encrypts: number;
  decrypts: number;
  /** Payload bytes of accepted requests. */
  bytes: number;
  /** Completions with crp_etype ≠ 0 (MIC failures included). */
  errors: number;
  /** Completions with EBADMSG (CCM MIC mismatch). */
  micFailures: number;
  /** process() answered ERESTART (cs_blocks). */
  blocks: number;
  /** Requests the engine holds now. */
  inflight: number;
  /** Requests waiting for crypto_unblock. */
  queued: number;
  /** Unregistered (detached) — kept for the record. */
  gone: boolean;
}

/** struct cryptostats (net.crypto.stats): totals over all engines. */
export interface CryptoStats {
  cs_ops: number;
  cs_errs: number;
  cs_blocks: number;
  cs_rets: number;
  /** Requests that found no engine for their algorithm (crp_etype ENODEV). */
  cs_nodev: number;
}

/** The framework, one per io-pkt-*-hc (IoPkt.crypto() for drivers, Ieee80211Host.crypto for net80211). */
export interface CryptoFramework {
  /** A new driver id, or -1. `name` is what the counters are shown under (e.g. "ral0", "swcrypto"). */
  crypto_get_driverid(name: string, flags: number): number;
  /** Register `alg` for `driverid` (0 or EINVAL). maxoplen: the largest payload the engine takes (0 = any). */
  crypto_register(driverid: number, alg: CryptoAlg, maxoplen: number, flags: number, ops: CryptoEngineOps): number;
  /** Unregister everything of `driverid`; its queued requests go to the next best engine. */
  crypto_unregister_all(driverid: number): number;
  /** A new request with the defaults filled (crypto_getreq). */
  crypto_getreq(): CryptoRequest;
  /** Hand `crp` to the best engine for its algorithm; the callback always runs (0 = dispatched). */
  crypto_dispatch(ctx: ThreadCtx, crp: CryptoRequest): number;
  /** An engine finished `crp` (any thread): the callback is queued for the stack context. */
  crypto_done(ctx: ThreadCtx, crp: CryptoRequest): void;
  /** The engine can take requests again: queued ones are offered, in order. */
  crypto_unblock(ctx: ThreadCtx, driverid: number): void;
  /** The driver id a request for `alg` would go to now (-1: none). */
  crypto_select(alg: CryptoAlg, len: number): number;
  crypto_driver_stats(driverid: number): CryptoDriverStats | null;
  crypto_drivers(): CryptoDriverStats[];
  crypto_stats(): CryptoStats;
}
