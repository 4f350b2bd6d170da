/**
 * The software provider (sys/opencrypto/cryptosoft.c swcr_process), always registered in io-pkt-*-hc: AES-CCM
 * (CCMP's cipher, 802.11-2016 12.5.3.3) with node:crypto's 'aes-128-ccm' and an 8-byte tag, in place in the
 * request's buffer, synchronously on the dispatching thread, charged per byte from costs.ts.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import type { ThreadCtx } from '../kernel/api';
import { EBADMSG, EINVAL } from './errno';
import { CCMP_MIC_LEN, CRD_F_ENCRYPT, CRYPTO_AES_CCM_16, type CryptoRequest } from './api';
import { swAesCcmCost } from './costs';

/** Why a request cannot be served (bad geometry, key or nonce), or null. */
export function checkCcmRequest(crp: CryptoRequest): string | null {
  if (crp.alg !== CRYPTO_AES_CCM_16) return 'algorithm';
  if (crp.ccm.key.length !== 16) return 'key length';
  if (crp.ccm.nonce.length !== 13) return 'nonce length';
  if (crp.ccm.aad.length > 0xff00) return 'aad length';
  const { skip, len, inject } = crp;
  if (!Number.isInteger(skip) || !Number.isInteger(len) || !Number.isInteger(inject)) return 'geometry';
  if (skip < 0 || len < 0 || skip + len > crp.buf.length || inject < skip + len || inject + CCMP_MIC_LEN > crp.buf.length) return 'geometry';
  return null;
}

/**
 * AES-CCM in place on `crp.buf` (node:crypto): encrypt writes ciphertext and MIC; decrypt verifies the MIC
 * and writes the plaintext, or leaves the buffer and returns EBADMSG. Returns crp_etype.
 */
export function aesCcmInPlace(crp: CryptoRequest): number {
  if (checkCcmRequest(crp)) return EINVAL;
  const { key, nonce, aad } = crp.ccm;
  const data = crp.buf.subarray(crp.skip, crp.skip + crp.len);
  if ((crp.crdFlags & CRD_F_ENCRYPT) !== 0) {
    const c = createCipheriv('aes-128-ccm', key, nonce, { authTagLength: CCMP_MIC_LEN });
    c.setAAD(aad, { plaintextLength: data.length });
    const out = c.update(data);
    c.final();
    crp.buf.set(out, crp.skip);
    crp.buf.set(c.getAuthTag(), crp.inject);
    return 0;
  }
  const d = createDecipheriv('aes-128-ccm', key, nonce, { authTagLength: CCMP_MIC_LEN });
  d.setAuthTag(crp.buf.slice(crp.inject, crp.inject + CCMP_MIC_LEN));
  d.setAAD(aad, { plaintextLength: data.length });
  const out = d.update(data);
  try {
    d.final();
  } catch {
    return EBADMSG; // tag mismatch: node:crypto refuses the plaintext
  }
  crp.buf.set(out, crp.skip);
  return 0;
}

/** swcr_process for CRYPTO_AES_CCM_16: charge the CPU on `ctx`, compute, done. */
export function swcrProcess(ctx: ThreadCtx, crp: CryptoRequest): number {
  ctx.charge(swAesCcmCost(crp.len));
  crp.etype = aesCcmInPlace(crp);
  return 0;
}
