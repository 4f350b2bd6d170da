/**
 * RT2560 cipher engine edges (contract in docs/models/rt2560.md, "The cipher contract"): QoS data frames and frames
 * with four addresses, whose AAD and nonce carry the TID and A4 (IEEE 802.11-2016 12.5.3.3.3–4), checked by opening
 * the engine's output with net80211's software CCMP (stack/net80211/ccmp.ts: what a peer without the engine runs);
 * RX descriptors the engine refuses (length, unreadable buffer) and the records saying why; bus mastering switched
 * off while the engine computes; the engine's pending work as the debugger's `show events` lists it.
 */
import { createDecipheriv } from 'node:crypto';
import { Bed, frame, MAC_A, MAC_B, US } from './fixture';
import { CIPHER_AES, decDesc, encDesc, M64 } from './cipher-helpers';
import { CSR } from '../../../nic-models/rt2560/regs';
import { ccmpAad, ccmpHeader, ccmpNonce } from '../../../stack/net80211/ccmp';

const MAC_C = [0x00, 0x0c, 0x43, 0x25, 0x60, 0x0c];
const MAC_D = [0x00, 0x0c, 0x43, 0x25, 0x60, 0x0d];

function chip() {
  const bed = new Bed();
  const c = bed.chips[0]!;
  c.open({ style: 'bsd' });
  return { bed, c };
}

/** net80211's ccmp_decap: AAD and nonce from the received header, AES-CCM with an 8-byte MIC. Throws on a bad MIC. */
function softOpen(tk: Uint8Array, prot: Uint8Array, hdrLen: number, pn: bigint): number[] {
  const hdr = prot.subarray(0, hdrLen);
  const d = createDecipheriv('aes-128-ccm', tk, ccmpNonce(hdr, pn), { authTagLength: 8 });
  d.setAuthTag(prot.subarray(prot.length - 8));
  const ct = prot.subarray(hdrLen + 8, prot.length - 8);
  d.setAAD(ccmpAad(hdr), { plaintextLength: ct.length });
  return Array.from(Buffer.concat([d.update(ct), d.final()]));
}

test('QoS data, four-address data and four-address QoS data: the engine\'s output opens with net80211\'s software CCMP', () => {
  const { bed, c } = chip();
  const payload = Array.from({ length: 77 }, (_, i) => (i * 29) & 0xff);
  // [what, frame (Protected set by software), header length = IV_OFFSET]. Frame Control: QoS Data 0x88, Data 0x08;
  // flags FromDS 0x02 / ToDS|FromDS 0x03, Protected 0x40. After the sequence control: A4, then QoS Control (TID 5).
  const cases: [string, Uint8Array, number][] = [
    ['QoS data, TID 5', frame(0x88, MAC_B, MAC_A, MAC_C, [0x05, 0x00, ...payload], 0, 0x42), 26],
    ['four addresses', frame(0x08, MAC_B, MAC_A, MAC_C, [...MAC_D, ...payload], 0, 0x43), 30],
    ['four addresses, QoS TID 6', frame(0x88, MAC_B, MAC_A, MAC_C, [...MAC_D, 0x06, 0x00, ...payload], 0, 0x43), 32],
  ];
  const descs = cases.map(([, f, hdrLen], i) => encDesc(bed, c, i, f, { ivOffset: hdrLen, iv: ccmpHeader(BigInt(1000 + i), 0), key: M64.tk }));
  c.w(CSR.SECCSR1, 1);
  bed.delay(100 * US);
  cases.forEach(([what, f, hdrLen], i) => {
    const w0 = bed.mem32(descs[i]!.desc);
    expect([what, (w0 >>> 16) & 0xfff, w0 & 0x1000]).toEqual([what, f.length + 16, 0]);
    const prot = bed.memR(descs[i]!.buf, f.length + 16);
    expect(Array.from(prot.subarray(0, hdrLen))).toEqual(Array.from(f.subarray(0, hdrLen)));
    expect([what, softOpen(M64.tk, prot, hdrLen, BigInt(1000 + i))]).toEqual([what, Array.from(f.subarray(hdrLen))]);
  });
  // Each traced with the algorithm, the length in and the length out (docs/models/rt2560.md).
  expect(bed.traced('cipher-encrypt', c.name).map((r) => r.f)).toEqual(
    cases.map(([, f]) => ({ nic: c.name, alg: CIPHER_AES, len: f.length, out: f.length + 16 })),
  );
});

test('RX descriptors the decrypt walk refuses: too short for a CCMP header and MIC, an unreadable buffer — ICV_ERROR and the reason', () => {
  const { bed, c } = chip();
  const R = c.rings!;
  // Host-owned received frames (OWNER_NIC = 0) of 30 and 100 bytes; the second one's buffer is where no RAM is.
  bed.setMem32(R.rx.base, (30 << 16) >>> 0);
  bed.setMem32(R.rx.base + R.stride + 4, 0xfff00000);
  bed.setMem32(R.rx.base + R.stride, (100 << 16) >>> 0);
  decDesc(bed, c, 0, { key: M64.tk });
  decDesc(bed, c, 1, { key: M64.tk });
  c.w(CSR.SECCSR0, 1);
  bed.delay(50 * US);
  expect(bed.traced('cipher-invalid', c.name).map((r) => [r.f!['dir'], r.f!['reason'], r.f!['alg'], r.f!['len']])).toEqual([
    ['decrypt', 'length', CIPHER_AES, 30],
    ['decrypt', 'buffer', CIPHER_AES, 100],
  ]);
  // W0: CIPHER_OWNER clear, ICV_ERROR set, the length unchanged; DECRYPTION_DONE.
  expect([0, 1].map((i) => bed.mem32(R.rx.base + i * R.stride) & 0x0fff0300)).toEqual([(30 << 16) | 0x200, (100 << 16) | 0x200]);
  expect(c.r(CSR.CSR7) & 0x80).toBe(0x80);
  expect(c.core.counters.cipherInvalid).toBe(2);
});

test('bus mastering switched off while the engine computes: the frame and W0 write-backs master-abort, memory keeps the plaintext, the walk stops', () => {
  const { bed, c } = chip();
  const mpdu = Uint8Array.from([...M64.header, ...M64.plaintext]);
  const { desc, buf } = encDesc(bed, c, 0, mpdu, { iv: M64.ccmpHeader, key: M64.tk });
  c.w(CSR.SECCSR1, 1);
  // The descriptor and frame were read at the kick; the AES work is still going on.
  bed.board.pci.get(c.slot)!.write(0x04, 2, 0x0002);
  bed.delay(20 * US);
  const aborts = bed.traced('master-abort', c.name).map((r) => [r.f!['dir'], r.f!['addr'], r.f!['len'], r.f!['reason']]);
  expect(aborts).toEqual([
    ['write', buf, mpdu.length + 16, 'bus-master-off'],
    ['write', desc, 4, 'bus-master-off'],
    // The walk goes on to the next descriptor (W0–W9), cannot read it either, and stops there.
    ['read', desc + 48, 40, 'bus-master-off'],
  ]);
  expect(Array.from(bed.memR(buf, mpdu.length))).toEqual(Array.from(mpdu));
  expect(bed.mem32(desc) & 0x1000).toBe(0x1000);
  expect((c.cr(0x04) >>> 16) & 0x2000).toBe(0x2000);
});

test('show events: a descriptor in the engine is pending as <nic>.encrypt-process / <nic>.decrypt-process until its write-back', () => {
  const { bed, c } = chip();
  const pending = (): string[] => bed.sim.queue.list().map((e) => e.name).filter((n) => n.endsWith('-process'));
  const mpdu = Uint8Array.from([...M64.header, ...M64.plaintext]);
  encDesc(bed, c, 0, mpdu, { iv: M64.ccmpHeader, key: M64.tk });
  c.w(CSR.SECCSR1, 1);
  expect(pending()).toEqual(['alpha.ral0.encrypt-process']);
  bed.delay(20 * US);
  expect(pending()).toEqual([]);
  // A received frame handed back for decryption (here a pass-through, CIPHER_NONE).
  const R = c.rings!;
  const f = frame(0x08, MAC_A, MAC_B, MAC_B, [1, 2, 3]);
  bed.memW(R.rx.bufs[0]!, f);
  bed.setMem32(R.rx.base, (f.length << 16) >>> 0);
  decDesc(bed, c, 0, { alg: 0 });
  c.w(CSR.SECCSR0, 1);
  expect(pending()).toEqual(['alpha.ral0.decrypt-process']);
  bed.delay(20 * US);
  expect(bed.mem32(R.rx.base) & 0x100).toBe(0);
});
