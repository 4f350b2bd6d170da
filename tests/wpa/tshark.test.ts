/**
 * An external check of the key hierarchy and the EAPOL-Key frames: the 4-way handshake between the
 * authenticator and the supplicant, carried in 802.11 data frames (LLC/SNAP, EtherType 0x888E) in a pcap,
 * followed by one CCMP-protected frame encrypted with the TK both ends installed. tshark, given only the
 * passphrase and SSID (`wpa-pwd`), must find the handshake, derive the same PTK and decrypt the frame.
 */
import { execFileSync } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Authenticator } from '../../stack/utils/wpa/authenticator';
import { pbkdf2Psk } from '../../stack/utils/wpa/crypto';
import { RSN_IE_PSK_CCMP } from '../../stack/utils/wpa/eapol';
import { type KeyInstall, type WpaHost } from '../../stack/utils/wpa/sm-host';
import { Supplicant } from '../../stack/utils/wpa/supplicant';
import { ccmpAad, ccmpHeader, ccmpNonce } from '../../stack/net80211/ccmp';

const AP = Uint8Array.of(0x00, 0x0c, 0x43, 0x25, 0x60, 0x01);
const STA = Uint8Array.of(0x00, 0x0c, 0x43, 0x25, 0x60, 0x02);
const SSID = 'qnxwpa';
const PASS = 'correct horse battery staple';
const SNAP = [0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00];

function dataHdr(toDs: boolean, protectedFrame: boolean, seq: number): Uint8Array {
  const h = new Uint8Array(24);
  h[0] = 0x08;
  h[1] = (toDs ? 0x01 : 0x02) | (protectedFrame ? 0x40 : 0);
  if (toDs) {
    h.set(AP, 4);
    h.set(STA, 10);
    h.set(AP, 16);
  } else {
    h.set(STA, 4);
    h.set(AP, 10);
    h.set(AP, 16);
  }
  h[22] = (seq << 4) & 0xff;
  h[23] = seq >> 4;
  return h;
}

function beacon(): Uint8Array {
  const h = new Uint8Array(24);
  h[0] = 0x80;
  h.fill(0xff, 4, 10);
  h.set(AP, 10);
  h.set(AP, 16);
  const body = [0, 0, 0, 0, 0, 0, 0, 0, 0x64, 0x00, 0x11, 0x04, 0x00, SSID.length, ...Buffer.from(SSID), 0x01, 0x04, 0x82, 0x84, 0x8b, 0x96, 0x03, 0x01, 0x06, ...RSN_IE_PSK_CCMP];
  return new Uint8Array([...h, ...body]);
}

function pcap(frames: Uint8Array[]): string {
  const hdr = Buffer.alloc(24);
  hdr.writeUInt32LE(0xa1b2c3d4, 0);
  hdr.writeUInt16LE(2, 4);
  hdr.writeUInt16LE(4, 6);
  hdr.writeUInt32LE(65535, 16);
  hdr.writeUInt32LE(105, 20);
  const recs = frames.map((f, i) => {
    const r = Buffer.alloc(16);
    r.writeUInt32LE(1, 0);
    r.writeUInt32LE(i * 1000, 4);
    r.writeUInt32LE(f.length, 8);
    r.writeUInt32LE(f.length, 12);
    return Buffer.concat([r, Buffer.from(f)]);
  });
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wpa-')), 'handshake.pcap');
  fs.writeFileSync(file, Buffer.concat([hdr, ...recs]));
  return file;
}

describe('tshark decrypts with the passphrase', () => {
  it('finds the 4-way handshake and decrypts a CCMP frame sent with the installed TK', () => {
    const air: Uint8Array[] = [beacon()];
    let seq = 0;
    const keys: KeyInstall[] = [];
    let auth!: Authenticator;
    let supp!: Supplicant;
    const pending: (() => void)[] = [];
    let ctr = 0;
    const host = (name: string, toDs: boolean, deliver: (f: Uint8Array) => void): WpaHost => ({
      now: () => 0,
      sendEapol: (_d, f) => {
        air.push(new Uint8Array([...dataHdr(toDs, false, seq++), ...SNAP, 0x88, 0x8e, ...f]));
        pending.push(() => deliver(f));
      },
      installKey: (k) => void (name === 'sta' && keys.push(k)),
      authorize: () => undefined,
      deauth: () => undefined,
      timeout: () => ({ cancel: () => undefined }),
      random: (n) => new Uint8Array(createHash('sha256').update(`${name}${ctr++}`).digest().subarray(0, n)),
      log: () => undefined,
    });
    const pmk = pbkdf2Psk(PASS, Buffer.from(SSID))!;
    auth = new Authenticator({ ifname: 'ral0', addr: AP, pmk, rsnIe: RSN_IE_PSK_CCMP, groupRekeySec: 0, eapolVersion: 2 }, host('ap', false, (f) => supp.receive(AP, f)));
    supp = new Supplicant({ ifname: 'ral0', addr: STA, pmk, rsnIe: RSN_IE_PSK_CCMP, ssid: SSID, eapolVersion: 1 }, host('sta', true, (f) => auth.receive(STA, f)));
    auth.start();
    supp.associated(AP);
    auth.associated(STA, RSN_IE_PSK_CCMP);
    while (pending.length > 0) pending.shift()!();
    expect(supp.state).toBe('COMPLETED');
    const tk = keys.find((k) => k.kind === 'pairwise')!.key;
    // An ICMP echo request 10.0.2.2 → 10.0.2.1 from the station, CCMP with PN 1 and key id 0.
    const ip = Buffer.from('4500001c000100004001a2d30a0002020a000201' + '0800f7fe00010000', 'hex');
    const plain = new Uint8Array([...SNAP, 0x08, 0x00, ...ip]);
    const h = dataHdr(true, true, seq++);
    const c = createCipheriv('aes-128-ccm', tk, ccmpNonce(h, 1n), { authTagLength: 8 });
    c.setAAD(ccmpAad(h), { plaintextLength: plain.length });
    const ct = Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
    air.push(new Uint8Array([...h, ...ccmpHeader(1n, 0), ...ct]));
    const file = pcap(air);
    const out = execFileSync(
      'tshark',
      ['-r', file, '-o', 'wlan.enable_decryption:TRUE', '-o', `uat:80211_keys:"wpa-pwd","${PASS}:${SSID}"`, '-T', 'fields', '-e', 'wlan_rsna_eapol.keydes.msgnr', '-e', 'icmp.type', '-e', 'ip.src'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const lines = out.replace(/\n$/, '').split('\n').map((l) => l.split('\t'));
    // tshark numbers the handshake messages itself from their Key Information.
    expect(lines.slice(1, 5).map((l) => l[0])).toEqual(['1', '2', '3', '4']);
    expect(lines[5]).toEqual(['', '8', '10.0.2.2']);
  });
});
