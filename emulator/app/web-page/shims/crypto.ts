/**
 * node:crypto for the web page's bundle (esbuild aliases `node:crypto` here: scripts/build.mjs through
 * ./esbuild-browser.mjs). The subset the simulation uses, on audited synchronous libraries (@noble/hashes,
 * @noble/ciphers; docs/dependencies.md), with node's semantics:
 * - createHash(sha1 | sha224 | sha256 | sha384 | sha512 | md5): update/digest/copy — the trace-hash
 *   (emulator/machine/sim/trace-encoding.ts);
 * - createHmac('sha1' …) and pbkdf2Sync — WPA's PRF, MIC and PSK (stack/utils/wpa/crypto.ts);
 * - createCipheriv/createDecipheriv for 'aes-128-ccm' (CCMP: stack/crypto/swcrypto.ts and the 802.11 NIC model's cipher engine;
 *   ./ccm.ts) and 'id-aes128-wrap' (RFC 3394 key wrap, noble's aeskw: stack/utils/wpa/crypto.ts).
 * Anything else throws "not available in the web page" naming the algorithm. Outputs are Buffers (the page's
 * bundle injects the `buffer` package as the global Buffer: ./buffer-global.ts).
 */
import { aeskw } from '@noble/ciphers/aes';
import { hmac } from '@noble/hashes/hmac';
import { md5, sha1 } from '@noble/hashes/legacy';
import { pbkdf2 } from '@noble/hashes/pbkdf2';
import { sha224, sha256, sha384, sha512 } from '@noble/hashes/sha2';
import type { CHash, Hash as NobleHash } from '@noble/hashes/utils';
import { ccmDecrypt, ccmEncrypt } from './ccm';

type BinaryLike = string | Uint8Array;
type Encoding = 'hex' | 'base64' | 'utf8' | 'utf-8' | 'latin1' | 'binary' | 'ascii';

const HASHES: Record<string, CHash> = { sha1, sha224, sha256, sha384, sha512, md5 };

export class CryptoShimError extends Error {}

function hashOf(algorithm: string): CHash {
  const h = HASHES[algorithm.toLowerCase().replace('-', '')];
  if (!h) throw new CryptoShimError(`node:crypto in the web page: digest '${algorithm}' is not available (${Object.keys(HASHES).join(', ')})`);
  return h;
}

function bytes(data: BinaryLike, enc?: Encoding): Uint8Array {
  return typeof data === 'string' ? Buffer.from(data, enc ?? 'utf8') : data;
}

function out(b: Uint8Array, enc?: Encoding): Buffer | string {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.length);
  return enc ? buf.toString(enc) : buf;
}

/** node's Hash and Hmac: update (chainable), digest once, copy. */
export class Hash {
  constructor(private readonly h: NobleHash<any>) {}
  update(data: BinaryLike, enc?: Encoding): this {
    this.h.update(bytes(data, enc));
    return this;
  }
  digest(): Buffer;
  digest(enc: Encoding): string;
  digest(enc?: Encoding): Buffer | string {
    return out(this.h.digest(), enc);
  }
  copy(): Hash {
    return new Hash(this.h.clone());
  }
}

export function createHash(algorithm: string): Hash {
  return new Hash(hashOf(algorithm).create());
}

export function createHmac(algorithm: string, key: BinaryLike): Hash {
  return new Hash(hmac.create(hashOf(algorithm), bytes(key)));
}

export function pbkdf2Sync(password: BinaryLike, salt: BinaryLike, iterations: number, keylen: number, digest: string): Buffer {
  return out(pbkdf2(hashOf(digest), bytes(password), bytes(salt), { c: iterations, dkLen: keylen })) as Buffer;
}

interface CcmOptions {
  authTagLength?: number;
}

const AUTH_FAILED = 'Unsupported state or unable to authenticate data';

/**
 * A cipher or decipher as node hands it out. CCM is one-shot (node allows one update): the AAD comes first
 * (setAAD), update computes, final checks the tag (decipher: throws as node does). Key wrap gathers the input
 * and wraps or unwraps it in final (node's output is the same once update's and final's are concatenated).
 */
class Cipher {
  private aad = new Uint8Array(0);
  private tag: Uint8Array | null = null;
  private authFailed = false;
  private pending: Uint8Array[] = [];
  private done = false;

  constructor(
    private readonly mode: 'ccm' | 'wrap',
    private readonly encrypt: boolean,
    private readonly key: Uint8Array,
    private readonly iv: Uint8Array,
    private readonly tagLength: number,
  ) {}

  setAAD(aad: Uint8Array, _opts?: { plaintextLength: number }): this {
    this.aad = aad.slice();
    return this;
  }
  setAuthTag(tag: Uint8Array): this {
    this.tag = tag.slice();
    return this;
  }
  getAuthTag(): Buffer {
    if (!this.encrypt || !this.tag) throw new CryptoShimError('node:crypto in the web page: getAuthTag before the cipher ran');
    return out(this.tag) as Buffer;
  }
  setAutoPadding(): this {
    return this;
  }

  update(data: Uint8Array): Buffer {
    if (this.mode === 'wrap') {
      this.pending.push(data.slice());
      return Buffer.alloc(0);
    }
    if (this.done) throw new CryptoShimError('node:crypto in the web page: CCM takes one update');
    this.done = true;
    if (this.encrypt) {
      const r = ccmEncrypt(this.key, this.iv, this.aad, data, this.tagLength);
      this.tag = r.tag;
      return out(r.ciphertext) as Buffer;
    }
    if (!this.tag) throw new CryptoShimError('node:crypto in the web page: setAuthTag is required before update for CCM decryption');
    const plain = ccmDecrypt(this.key, this.iv, this.aad, data, this.tag);
    if (!plain) {
      // node returns nothing usable and throws from final.
      this.authFailed = true;
      return Buffer.alloc(0);
    }
    return out(plain) as Buffer;
  }

  final(): Buffer {
    if (this.mode === 'ccm') {
      if (this.authFailed) throw new CryptoShimError(AUTH_FAILED);
      return Buffer.alloc(0);
    }
    const input = Buffer.concat(this.pending);
    this.pending = [];
    const kw = aeskw(this.key);
    try {
      return out(this.encrypt ? kw.encrypt(input) : kw.decrypt(input)) as Buffer;
    } catch {
      throw new CryptoShimError(AUTH_FAILED);
    }
  }
}

function cipherOf(algorithm: string, encrypt: boolean, key: BinaryLike, iv: BinaryLike, opts: CcmOptions = {}): Cipher {
  const k = bytes(key);
  const alg = algorithm.toLowerCase();
  if (alg === 'aes-128-ccm' && k.length === 16) return new Cipher('ccm', encrypt, k, bytes(iv), opts.authTagLength ?? 16);
  if (alg === 'id-aes128-wrap' && k.length === 16) {
    // noble's aeskw uses RFC 3394's default IV (A6A6A6A6A6A6A6A6), the only one the simulation passes.
    const ivb = bytes(iv);
    if (ivb.length !== 8 || !ivb.every((b) => b === 0xa6)) throw new CryptoShimError('node:crypto in the web page: id-aes128-wrap supports only the default IV');
    return new Cipher('wrap', encrypt, k, ivb, 0);
  }
  throw new CryptoShimError(`node:crypto in the web page: cipher '${algorithm}' with a ${k.length}-byte key is not available (aes-128-ccm, id-aes128-wrap)`);
}

export function createCipheriv(algorithm: string, key: BinaryLike, iv: BinaryLike, opts?: CcmOptions): Cipher {
  return cipherOf(algorithm, true, key, iv, opts);
}

export function createDecipheriv(algorithm: string, key: BinaryLike, iv: BinaryLike, opts?: CcmOptions): Cipher {
  return cipherOf(algorithm, false, key, iv, opts);
}

export type { Cipher };
