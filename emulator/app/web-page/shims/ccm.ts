/**
 * AES-CCM (RFC 3610, NIST SP 800-38C) for the node:crypto shim (./crypto.ts): 802.11's CCMP in the page's bundle
 * (stack/crypto/swcrypto.ts and the 802.11 NIC model's cipher engine). @noble/ciphers has no CCM mode, so this file puts its two
 * halves together from noble's audited AES modes: the CBC-MAC is noble's CBC over the formatted blocks (zero IV,
 * no padding; the tag is the last block), the encryption noble's CTR from counter block A1, and the tag is
 * masked with E(A0) (noble's ECB on one block). Only the formatting of B0, the AAD length and the counter
 * blocks is written here. tests/web-core/shims.test.ts checks it against node's own aes-128-ccm.
 */
import { cbc, ctr, ecb } from '@noble/ciphers/aes';

const BLOCK = 16;

/** Zero-pad to a whole number of blocks. */
function padded(b: Uint8Array): Uint8Array {
  const n = Math.ceil(b.length / BLOCK) * BLOCK;
  if (n === b.length) return b;
  const out = new Uint8Array(n);
  out.set(b);
  return out;
}

/** RFC 3610 §2.2: the associated data with its length prefix (2, 6 or 10 octets), zero-padded. */
function aadBlocks(aad: Uint8Array): Uint8Array {
  if (aad.length === 0) return new Uint8Array(0);
  let head: number[];
  const a = aad.length;
  if (a < 0xff00) head = [a >> 8, a & 0xff];
  else head = [0xff, 0xfe, (a >>> 24) & 0xff, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff];
  const out = new Uint8Array(head.length + a);
  out.set(head);
  out.set(aad, head.length);
  return padded(out);
}

/** Counter block A_i: flags L−1, the nonce, i in L octets. */
function counterBlock(nonce: Uint8Array, i: number): Uint8Array {
  const L = 15 - nonce.length;
  const a = new Uint8Array(BLOCK);
  a[0] = L - 1;
  a.set(nonce, 1);
  for (let k = 0, v = i; k < L; k++, v = Math.floor(v / 256)) a[BLOCK - 1 - k] = v & 0xff;
  return a;
}

function check(nonce: Uint8Array, tagLength: number): void {
  if (nonce.length < 7 || nonce.length > 13) throw new RangeError(`CCM: nonce of ${nonce.length} bytes (7 to 13)`);
  if (tagLength < 4 || tagLength > 16 || tagLength % 2 !== 0) throw new RangeError(`CCM: tag of ${tagLength} bytes (4, 6, …, 16)`);
}

/** The unmasked tag T: CBC-MAC over B0 ‖ AAD blocks ‖ message blocks. */
function cbcMac(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, msg: Uint8Array, tagLength: number): Uint8Array {
  const L = 15 - nonce.length;
  const b0 = new Uint8Array(BLOCK);
  b0[0] = (aad.length > 0 ? 0x40 : 0) | (((tagLength - 2) / 2) << 3) | (L - 1);
  b0.set(nonce, 1);
  for (let k = 0, v = msg.length; k < L; k++, v = Math.floor(v / 256)) b0[BLOCK - 1 - k] = v & 0xff;
  const a = aadBlocks(aad);
  const m = padded(msg);
  const all = new Uint8Array(BLOCK + a.length + m.length);
  all.set(b0);
  all.set(a, BLOCK);
  all.set(m, BLOCK + a.length);
  const chain = cbc(key, new Uint8Array(BLOCK), { disablePadding: true }).encrypt(all);
  return chain.subarray(chain.length - BLOCK, chain.length - BLOCK + tagLength);
}

function maskTag(key: Uint8Array, nonce: Uint8Array, t: Uint8Array): Uint8Array {
  const s0 = ecb(key, { disablePadding: true }).encrypt(counterBlock(nonce, 0));
  return t.map((x, i) => x ^ s0[i]!);
}

function ctrCrypt(key: Uint8Array, nonce: Uint8Array, data: Uint8Array): Uint8Array {
  return data.length === 0 ? new Uint8Array(0) : ctr(key, counterBlock(nonce, 1)).encrypt(data);
}

export function ccmEncrypt(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plain: Uint8Array, tagLength: number): { ciphertext: Uint8Array; tag: Uint8Array } {
  check(nonce, tagLength);
  const tag = maskTag(key, nonce, cbcMac(key, nonce, aad, plain, tagLength));
  return { ciphertext: ctrCrypt(key, nonce, plain), tag };
}

/** The plaintext, or null when the tag does not verify (compared in constant time over its length). */
export function ccmDecrypt(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array): Uint8Array | null {
  check(nonce, tag.length);
  const plain = ctrCrypt(key, nonce, ciphertext);
  const want = maskTag(key, nonce, cbcMac(key, nonce, aad, plain, tag.length));
  let diff = 0;
  for (let i = 0; i < tag.length; i++) diff |= want[i]! ^ tag[i]!;
  return diff === 0 ? plain : null;
}
