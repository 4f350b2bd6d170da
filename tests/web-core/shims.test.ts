/**
 * The web page's node built-in shims (emulator/app/web-page/shims) against node's own modules on the same inputs:
 * hashes, HMAC and PBKDF2, AES-CCM (CCMP's 8-byte MIC and others, tampering refused as node refuses it), AES key
 * wrap, CRC-32, path; and the read-only virtual file system over a bundle's files.
 */
import * as nodeCrypto from 'node:crypto';
import * as nodePath from 'node:path';
import * as nodeZlib from 'node:zlib';
import * as crypto from '../../emulator/app/web-page/shims/crypto';
import * as zlib from '../../emulator/app/web-page/shims/zlib';
import * as path from '../../emulator/app/web-page/shims/path';
import * as fs from '../../emulator/app/web-page/shims/fs';
import { aesUnwrap, aesWrap } from '../../stack/utils/wpa/crypto';

/** Reproducible bytes (xorshift32). */
function bytes(n: number, seed: number): Uint8Array {
  let x = seed | 1;
  return Uint8Array.from({ length: n }, () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x & 0xff;
  });
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('node:crypto', () => {
  test.each(['sha1', 'sha224', 'sha256', 'sha384', 'sha512', 'md5'])('createHash(%s) on random bytes, chunked, copied', (alg) => {
    for (const n of [0, 1, 63, 64, 65, 1000, 70_000]) {
      const data = bytes(n, n + 7);
      const mine = crypto.createHash(alg).update(data.subarray(0, n >> 1)).update(data.subarray(n >> 1));
      const theirs = nodeCrypto.createHash(alg).update(data.subarray(0, n >> 1)).update(data.subarray(n >> 1));
      const copy = mine.copy();
      expect(mine.digest('hex')).toBe(theirs.copy().digest('hex'));
      copy.update('more text, é');
      expect(copy.digest('base64')).toBe(theirs.update('more text, é').digest('base64'));
    }
  });

  test('an unknown digest is refused by name', () => {
    expect(() => crypto.createHash('whirlpool')).toThrow("digest 'whirlpool' is not available");
  });

  test('HMAC-SHA1 and HMAC-SHA256', () => {
    for (const alg of ['sha1', 'sha256']) {
      for (const [k, m] of [[0, 0], [16, 50], [64, 100], [100, 1]] as const) {
        const key = bytes(k, k + 1);
        const msg = bytes(m, m + 3);
        expect(hex(crypto.createHmac(alg, key).update(msg).update(Uint8Array.of(0)).digest())).toBe(hex(nodeCrypto.createHmac(alg, key).update(msg).update(Uint8Array.of(0)).digest()));
      }
    }
  });

  test('PBKDF2-SHA1: the 802.11i PSK vector and node', () => {
    // IEEE 802.11i-2004 H.4.1: passphrase "password", SSID "IEEE".
    expect(crypto.pbkdf2Sync(Buffer.from('password', 'ascii'), 'IEEE', 4096, 32, 'sha1').toString('hex')).toBe('f42c6fc52df0ebef9ebb4b90b38a5f902e83fe1b135a70e23aed762e9710a12e');
    const salt = bytes(12, 5);
    expect(hex(crypto.pbkdf2Sync('secret', salt, 100, 48, 'sha256'))).toBe(hex(nodeCrypto.pbkdf2Sync('secret', salt, 100, 48, 'sha256')));
  });

  test('AES-128-CCM encrypt and decrypt as node (CCMP: 13-byte nonce, 8-byte MIC; and other sizes)', () => {
    let cases = 0;
    for (const [nonceLen, tag] of [[13, 8], [13, 16], [12, 4], [7, 16]] as const) {
      for (const aadLen of [0, 1, 22, 30]) {
        for (const len of [0, 1, 15, 16, 17, 100, 1500]) {
          const seed = nonceLen * 10007 + aadLen * 101 + len;
          const key = bytes(16, seed);
          const nonce = bytes(nonceLen, seed + 1);
          const aad = bytes(aadLen, seed + 2);
          const plain = bytes(len, seed + 3);
          const n = nodeCrypto.createCipheriv('aes-128-ccm', key, nonce, { authTagLength: tag });
          if (aadLen > 0) n.setAAD(aad, { plaintextLength: len });
          else n.setAAD(new Uint8Array(0), { plaintextLength: len });
          const want = Buffer.concat([n.update(plain), n.final()]);
          const c = crypto.createCipheriv('aes-128-ccm', key, nonce, { authTagLength: tag });
          c.setAAD(aad, { plaintextLength: len });
          const got = Buffer.concat([c.update(plain), c.final()]);
          expect(hex(got)).toBe(hex(want));
          expect(hex(c.getAuthTag())).toBe(hex(n.getAuthTag()));
          const d = crypto.createDecipheriv('aes-128-ccm', key, nonce, { authTagLength: tag });
          d.setAuthTag(n.getAuthTag());
          d.setAAD(aad, { plaintextLength: len });
          expect(hex(d.update(got))).toBe(hex(plain));
          expect(() => d.final()).not.toThrow();
          cases++;
        }
      }
    }
    expect(cases).toBe(4 * 4 * 7);
  });

  test('AES-CCM: a tampered MIC or ciphertext fails final() as in node', () => {
    const key = bytes(16, 1);
    const nonce = bytes(13, 2);
    const c = crypto.createCipheriv('aes-128-ccm', key, nonce, { authTagLength: 8 });
    c.setAAD(bytes(22, 3), { plaintextLength: 40 });
    const ct = c.update(bytes(40, 4));
    c.final();
    const tag = c.getAuthTag();
    for (const [cbytes, t] of [[Buffer.from(ct).fill(1, 0, 1), tag], [ct, Buffer.from(tag).fill(0, 0, 1)]] as const) {
      for (const impl of [crypto, nodeCrypto]) {
        const d = impl.createDecipheriv('aes-128-ccm', key, nonce, { authTagLength: 8 });
        d.setAuthTag(t);
        d.setAAD(bytes(22, 3), { plaintextLength: 40 });
        d.update(cbytes);
        expect(() => d.final()).toThrow('Unsupported state or unable to authenticate data');
      }
    }
  });

  test('AES key wrap (RFC 3394 §4.1 vector, node, and WPA’s aesWrap/aesUnwrap through the shim)', () => {
    const kek = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
    const key = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const iv = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');
    const c = crypto.createCipheriv('id-aes128-wrap', kek, iv);
    const wrapped = Buffer.concat([c.update(key), c.final()]);
    expect(wrapped.toString('hex')).toBe('1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5');
    const n = nodeCrypto.createCipheriv('id-aes128-wrap', kek, iv);
    expect(wrapped.toString('hex')).toBe(Buffer.concat([n.update(key), n.final()]).toString('hex'));
    const d = crypto.createDecipheriv('id-aes128-wrap', kek, iv);
    expect(Buffer.concat([d.update(wrapped), d.final()]).toString('hex')).toBe(key.toString('hex'));
    const bad = crypto.createDecipheriv('id-aes128-wrap', kek, iv);
    bad.update(Buffer.from(wrapped).fill(0, 0, 1));
    expect(() => bad.final()).toThrow('unable to authenticate');
    // The stack's users, on node's module, agree with the shim's output.
    expect(hex(aesWrap(kek, key))).toBe(wrapped.toString('hex'));
    expect(aesUnwrap(kek, Buffer.from(wrapped).fill(0, 0, 1))).toBeNull();
  });

  test('other ciphers are refused by name', () => {
    expect(() => crypto.createCipheriv('aes-256-gcm', bytes(32, 1), bytes(12, 1))).toThrow("cipher 'aes-256-gcm' with a 32-byte key is not available");
  });
});

describe('node:zlib crc32', () => {
  test('random bytes, and continuing a CRC, as zlib', () => {
    for (const n of [0, 1, 14, 60, 1514, 9000]) {
      const data = bytes(n, n + 11);
      expect(zlib.crc32(data)).toBe(nodeZlib.crc32(data));
      const half = n >> 1;
      expect(zlib.crc32(data.subarray(half), zlib.crc32(data.subarray(0, half)))).toBe(nodeZlib.crc32(data));
    }
    expect(zlib.crc32('héllo')).toBe(nodeZlib.crc32('héllo'));
    expect(() => zlib.gzipSync()).toThrow('only crc32 is');
  });
});

describe('node:path', () => {
  test('POSIX functions as node', () => {
    expect(path.resolve('/bundle', 'files/alpha.build')).toBe(nodePath.posix.resolve('/bundle', 'files/alpha.build'));
    expect(path.resolve('/bundle', '../x/./y.build')).toBe('/x/y.build');
    expect(path.join('a', '..', 'b', 'c.txt')).toBe(nodePath.posix.join('a', '..', 'b', 'c.txt'));
    expect(path.dirname('/bundle/f/a.build')).toBe('/bundle/f');
    expect(path.basename('docs/examples/ping.yaml')).toBe('ping.yaml');
    expect(path.relative('/a/b', '/a/c/d')).toBe(nodePath.posix.relative('/a/b', '/a/c/d'));
  });
});

describe('node:fs (read-only, over a bundle)', () => {
  beforeAll(() => fs.mountFiles({ 'files/alpha.build': Buffer.from('[+script] .script = {\n}\n'), 'b.txt': Uint8Array.of(1, 2, 3) }));

  test('reads, stats and lists what the bundle holds', () => {
    expect(fs.readFileSync('/bundle/files/alpha.build', 'utf8')).toBe('[+script] .script = {\n}\n');
    expect(fs.readFileSync('b.txt')).toEqual(Buffer.from([1, 2, 3]));
    expect(fs.existsSync('/bundle/files')).toBe(true);
    expect(fs.existsSync('/bundle/nothing')).toBe(false);
    expect(fs.statSync('/bundle/b.txt').isFile()).toBe(true);
    expect(fs.statSync('/bundle/b.txt').size).toBe(3);
    expect(fs.statSync('/bundle/files').isDirectory()).toBe(true);
    expect(fs.readdirSync('/bundle')).toEqual(['b.txt', 'files']);
    expect(() => fs.accessSync('/bundle/b.txt', fs.constants.R_OK)).not.toThrow();
  });

  test('a missing file and every write are one clear error', () => {
    expect(() => fs.readFileSync('/bundle/nothing.build', 'utf8')).toThrow("ENOENT: no such file or directory (not in the scenario bundle), open '/bundle/nothing.build'");
    expect(() => fs.readFileSync('/bundle/files')).toThrow(/EISDIR/);
    expect(() => fs.writeFileSync('/bundle/out.pcap')).toThrow("EROFS: read-only file system (the web page keeps captures and traces in memory), write '/bundle/out.pcap'");
    expect(() => fs.mkdirSync('/tmp/x')).toThrow(/EROFS.*mkdir/);
    expect(() => fs.accessSync('/bundle/b.txt', fs.constants.W_OK)).toThrow(/EROFS/);
  });

  test('a guest image mounted with mountFixed stays when a bundle is mounted again', () => {
    fs.mountFixed({ '/guest-image/bzImage': Uint8Array.of(0x4d, 0x5a), '/guest-image/bios.bin': Uint8Array.of(9) });
    fs.mountFiles({ 'c.txt': Uint8Array.of(7) });
    expect(fs.readFileSync('/guest-image/bzImage')).toEqual(Buffer.from([0x4d, 0x5a]));
    expect(fs.statSync('/guest-image/bios.bin').size).toBe(1);
    expect(fs.readdirSync('/guest-image')).toEqual(['bios.bin', 'bzImage']);
    expect(fs.readdirSync('/')).toEqual(['bundle', 'guest-image']);
    expect(fs.existsSync('/bundle/b.txt')).toBe(false);
    expect(fs.readFileSync('/bundle/c.txt')).toEqual(Buffer.from([7]));
    expect(() => fs.writeFileSync('/guest-image/bzImage')).toThrow(/EROFS/);
  });
});
