/**
 * CPU cost of the software crypto provider (swcr) of io-pkt-*-hc, charged to the thread that runs the request
 * (the one that dispatched it: the stack context, or an interrupt thread running a driver's if_start).
 *
 * Derivation (assumptions for the ~1 GHz x86 without AES instructions of the QNX 6.6 era that the other cost
 * tables assume; NetBSD's CCMP uses the table-driven C rijndael of sys/crypto/rijndael):
 *  - one AES-128 block encryption: 10 rounds × 16 table look-ups + key XORs ≈ 18 cycles/byte × 16 bytes
 *    ≈ 290 cycles ≈ 290 ns;
 *  - CCM (802.11-2016 12.5.3.3, RFC 3610) costs two block encryptions per 16-byte payload block — one for the
 *    CBC-MAC, one for the CTR key stream — plus the XORs: ≈ 600 ns per block (AES_CCM_BLOCK_NS);
 *  - per frame: B0 and the two AAD blocks through the CBC-MAC (3 blocks), A0 for the tag (1 block), building the
 *    nonce and AAD from the header (~200 cycles): ≈ 4 × 290 + 200 ≈ 1 400 ns (AES_CCM_SETUP_NS). The key schedule
 *    is cached per key (ccmp_setkey), so it is not per frame;
 *  - dispatch and completion bookkeeping of the framework: ≈ 300 ns per request (CRYPTO_DISPATCH_NS), charged to
 *    whoever dispatches, whatever engine serves.
 * A 1 500-byte frame thus costs 1 400 + 94 × 600 ≈ 57.8 µs of CPU in software; a hardware engine only the
 * dispatch plus what its driver charges for descriptors and register accesses.
 */
export const CryptoCost = {
  /** Per-request framework bookkeeping (crypto_dispatch + crypto_done + the return queue). */
  CRYPTO_DISPATCH_NS: 300,
  /** Software AES-CCM per request: B0, AAD and tag blocks, nonce/AAD construction. */
  AES_CCM_SETUP_NS: 1400,
  /** Software AES-CCM per 16-byte block of payload (CBC-MAC + CTR). */
  AES_CCM_BLOCK_NS: 600,
  /** AES block size. */
  AES_BLOCK: 16,
} as const;

/** Software CCM cost of a `len`-byte payload (ns). */
export function swAesCcmCost(len: number): number {
  return CryptoCost.AES_CCM_SETUP_NS + Math.ceil(Math.max(0, len) / CryptoCost.AES_BLOCK) * CryptoCost.AES_CCM_BLOCK_NS;
}
