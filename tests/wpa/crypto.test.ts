/**
 * The WPA2 key hierarchy against published vectors: IEEE 802.11-2016 Annex J.4 (PSK from a passphrase,
 * the same figures as M.4), J.3 (the HMAC-SHA1 PRF), RFC 3394 4.1 (AES key wrap), and EAPOL-Key encoding.
 */
import { aesUnwrap, aesWrap, derivePtk, pbkdf2Psk, prfSha1 } from '../../stack/utils/wpa/crypto';
import {
  emitEapolKey, EAPOL_KEY_FIXED, gtkKde, padKeyData, parseEapolKey, parseKeyData, parseRsnIe, RSN_IE_PSK_CCMP,
  verifyEapolKeyMic, WPA_KEY_INFO_ACK, WPA_KEY_INFO_KEY_TYPE, WPA_KEY_INFO_MIC,
} from '../../stack/utils/wpa/eapol';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('PSK (802.11-2016 J.4.2 test vectors)', () => {
  it('password / IEEE', () => {
    expect(toHex(pbkdf2Psk('password', Buffer.from('IEEE'))!)).toBe('f42c6fc52df0ebef9ebb4b90b38a5f902e83fe1b135a70e23aed762e9710a12e');
  });
  it('ThisIsAPassword / ThisIsASSID', () => {
    expect(toHex(pbkdf2Psk('ThisIsAPassword', Buffer.from('ThisIsASSID'))!)).toBe(
      '0dc0d6eb90555ed6419756b9a15ec3e3209b63df707dd508d14581f8982721af',
    );
  });
  it('aaaa…(32) / ZZZZ…(32)', () => {
    expect(toHex(pbkdf2Psk('a'.repeat(32), Buffer.from('Z'.repeat(32)))!)).toBe(
      'becb93866bb8c3832cb777c2f559807c8c59afcb6eae734885001300a981cc62',
    );
  });
  it('refuses passphrases outside 8…63 printable characters', () => {
    expect(pbkdf2Psk('short', Buffer.from('x'))).toBeNull();
    expect(pbkdf2Psk('x'.repeat(64), Buffer.from('x'))).toBeNull();
    expect(pbkdf2Psk('tab\there!', Buffer.from('x'))).toBeNull();
  });
});

describe('PRF (802.11-2016 J.3.2, HMAC-SHA1 PRF test vectors)', () => {
  it('test case 1: key 0x0b×20, "prefix", "Hi There", 512 bits', () => {
    expect(toHex(prfSha1(new Uint8Array(20).fill(0x0b), 'prefix', Buffer.from('Hi There'), 64))).toBe(
      'bcd4c650b30b9684951829e0d75f9d54b862175ed9f00606e17d8da35402ffee75df78c3d31e0f889f012120c0862beb67753e7439ae242edb8373698356cf5a',
    );
  });
  it('test case 2: key "Jefe", "prefix", "what do ya want for nothing?"', () => {
    expect(toHex(prfSha1(Buffer.from('Jefe'), 'prefix', Buffer.from('what do ya want for nothing?'), 64))).toBe(
      '51f4de5b33f249adf81aeb713a3c20f4fe631446fabdfa58244759ae58ef9009a99abf4eac2ca5fa87e692c440eb40023e7babb206d61de7b92f41529092b8fc',
    );
  });
  it('PTK is symmetric in who is the authenticator and splits KCK | KEK | TK', () => {
    const pmk = pbkdf2Psk('ThisIsAPassword', Buffer.from('ThisIsASSID'))!;
    const aa = hex('a0a1a2a3a4a5');
    const spa = hex('b0b1b2b3b4b5');
    const an = new Uint8Array(32).fill(1);
    const sn = new Uint8Array(32).fill(2);
    const p = derivePtk(pmk, aa, spa, an, sn);
    const q = derivePtk(pmk, spa, aa, sn, an);
    expect(toHex(p.kck)).toBe(toHex(q.kck));
    const whole = prfSha1(pmk, 'Pairwise key expansion', new Uint8Array([...aa, ...spa, ...an, ...sn]), 48);
    expect(toHex(new Uint8Array([...p.kck, ...p.kek, ...p.tk]))).toBe(toHex(whole));
  });
});

describe('AES key wrap (RFC 3394 4.1)', () => {
  it('wraps 128 bits of key data with a 128-bit KEK', () => {
    const kek = hex('000102030405060708090A0B0C0D0E0F');
    const w = aesWrap(kek, hex('00112233445566778899AABBCCDDEEFF'));
    expect(toHex(w)).toBe('1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5');
    expect(toHex(aesUnwrap(kek, w)!)).toBe('00112233445566778899aabbccddeeff');
  });
  it('unwrap with the wrong KEK or a bad length fails without throwing', () => {
    const w = aesWrap(new Uint8Array(16), new Uint8Array(16));
    expect(aesUnwrap(new Uint8Array(16).fill(1), w)).toBeNull();
    expect(aesUnwrap(new Uint8Array(16), w.subarray(0, 20))).toBeNull();
  });
});

describe('EAPOL-Key frames (802.11-2016 12.7.2)', () => {
  const kck = new Uint8Array(16).fill(7);
  const frame = () =>
    emitEapolKey(
      {
        version: 2, keyInfo: WPA_KEY_INFO_ACK | WPA_KEY_INFO_KEY_TYPE | 2, keyLength: 16, replayCounter: 5n,
        nonce: new Uint8Array(32).fill(0xaa), iv: new Uint8Array(16), rsc: new Uint8Array(8), keyData: RSN_IE_PSK_CCMP,
      },
      kck,
    );
  it('lays out the descriptor with 95 fixed octets and a MIC over the whole frame', () => {
    const f = frame();
    expect(f.length).toBe(EAPOL_KEY_FIXED + 22);
    expect(toHex(f.subarray(0, 4))).toBe('0203' + (95 + 22).toString(16).padStart(4, '0'));
    const k = parseEapolKey(f);
    if (typeof k === 'string') throw new Error(k);
    expect(k.keyInfo).toBe(WPA_KEY_INFO_ACK | WPA_KEY_INFO_KEY_TYPE | WPA_KEY_INFO_MIC | 2);
    expect(k.replayCounter).toBe(5n);
    expect(verifyEapolKeyMic(kck, f)).toBe(true);
    f[20] = f[20]! ^ 1;
    expect(verifyEapolKeyMic(kck, f)).toBe(false);
  });
  it('rejects truncated and hostile frames with a reason', () => {
    const f = frame();
    expect(typeof parseEapolKey(f.subarray(0, 50))).toBe('string');
    const g = f.slice();
    g[EAPOL_KEY_FIXED - 2] = 0xff; // Key Data length beyond the body
    expect(parseEapolKey(g)).toMatch(/Key Data length/);
    expect(parseEapolKey(Uint8Array.of(1, 0, 0, 0))).toMatch(/not EAPOL-Key/);
    expect(verifyEapolKeyMic(kck, new Uint8Array(3))).toBe(false);
  });
  it('pads Key Data with 0xdd and zeros to a multiple of 8, at least 16 (12.7.2 j)', () => {
    const kde = gtkKde(1, new Uint8Array(16).fill(9));
    expect(kde.length).toBe(24);
    expect(padKeyData(kde).length).toBe(24);
    const p = padKeyData(new Uint8Array([...RSN_IE_PSK_CCMP, ...kde]));
    expect(p.length).toBe(48);
    expect(p[46]).toBe(0xdd);
    expect(padKeyData(new Uint8Array(3)).length).toBe(16);
    const parts = parseKeyData(p);
    expect(parts.gtk?.keyId).toBe(1);
    expect(toHex(parts.rsnIe!)).toBe(toHex(RSN_IE_PSK_CCMP));
  });
  it('parses the PSK/CCMP RSN element', () => {
    expect(parseRsnIe(RSN_IE_PSK_CCMP)).toEqual({ group: 0x000fac04, pairwise: [0x000fac04], akm: [0x000fac02], capabilities: 0 });
    expect(typeof parseRsnIe(Uint8Array.of(0x30, 0x40, 1, 0))).toBe('string');
  });
});
