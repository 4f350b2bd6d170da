/**
 * Issue 18/16: the trace's packet id follows a frame through the RT2560 (nic-models/rt2560: tx.ts, rx.ts,
 * cipher.ts). The chip never learns ids: the test plays the driver's part, tagging the bytes it hands over
 * (Tracer.provenance.tag, what devnp-ral's fillSlot does through ThreadCtx.tagPacket) and asking what the bytes it
 * reads back are (provenance.lookup, what ThreadCtx.identify does). Between the two, the chip's nic records, the
 * air records and the receiving chip's records carry the id — retransmissions (Retry bit set, other bytes) and the
 * CCMP engine's output (other bytes again) included. An ACK is a frame of its own (id 0); a frame nobody tagged
 * stays 0 everywhere: the model invents no ids.
 */
import type { TraceRecord } from '../../../emulator/machine/sim';
import { frame, MAC_A, MAC_B, US, MAC_C, openPair } from './fixture';
import { CIPHER_AES, decDesc, encDesc, M64 } from './cipher-helpers';
import { CSR } from '../../../nic-models/rt2560/regs';


const pair = () => openPair('bsd');

/** "layer/probe@where pkt" for the nic and air records, where = the nic or radio (air rx: the receiving radio). */
function hops(recs: TraceRecord[]): string[] {
  return recs
    .filter((r) => (r.layer === 'nic' && ['tx-start', 'tx-done', 'rx-accept', 'ack-received', 'auto-response', 'cipher-encrypt', 'cipher-decrypt', 'cipher-icv-error'].includes(r.probe)) || r.layer === 'air' && (r.probe === 'tx-start' || r.probe === 'rx-end'))
    .map((r) => `${r.layer}/${r.probe}@${String(r.f?.['nic'] ?? r.f?.['radio'])} ${r.pkt}`);
}

test('a tagged frame: its id on the sender’s tx-start, the air, the receiver’s rx-accept and the bytes in its RX ring; the ACK is 0', () => {
  const { bed, a, b } = pair();
  const f = frame(0x08, MAC_B, MAC_A, MAC_A, Array.from({ length: 60 }, (_, i) => i));
  bed.sim.tracer.provenance.tag(f, 77);
  a.send('tx', f, { ack: true, rate: 11 });
  bed.delay(3000 * US);
  expect(hops(bed.recs)).toEqual([
    `nic/tx-start@${a.name} 77`,
    `air/tx-start@${a.name} 77`,
    `air/rx-end@${b.name} 77`,
    `nic/rx-accept@${b.name} 77`,
    `nic/auto-response@${b.name} 0`,
    `air/tx-start@${b.name} 0`,
    `air/rx-end@${a.name} 0`,
    // The sender's record of the ACK is about the frame it acknowledges.
    `nic/ack-received@${a.name} 77`,
    `nic/tx-done@${a.name} 77`,
  ]);
  // What the receiver's driver reads out of its RX ring names the packet (ThreadCtx.identify).
  const rx = b.rxDesc(0);
  expect(Array.from(rx.data)).toEqual(Array.from(f));
  expect(bed.sim.tracer.provenance.lookup(rx.data)).toBe(77);
});

test('retransmissions keep the id although the Retry bit changes the bytes; a station that hears them drops them under it', () => {
  const { bed, a, b } = pair();
  // To C, who is not there: 1 + 7 transmissions (CSR11 SHORT_RETRY as NetBSD sets it), every one pkt 91.
  const f = frame(0x08, MAC_C, MAC_A, MAC_A, [1, 2, 3, 4]);
  bed.sim.tracer.provenance.tag(f, 91);
  a.send('prio', f, { ack: true, rate: 1 });
  bed.delay(100_000 * US);
  const starts = bed.recs.filter((r) => r.layer === 'air' && r.probe === 'tx-start' && r.f?.['radio'] === a.name);
  expect(starts.length).toBe(8);
  expect(starts.map((r) => r.pkt)).toEqual(Array(8).fill(91));
  expect(bed.traced('tx-start', a.name).filter((r) => r.layer === 'nic').map((r) => [r.f?.['retry'], r.pkt])).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((n) => [n, 91]));
  expect(bed.traced('tx-done', a.name).map((r) => r.pkt)).toEqual([91]);
  // B hears them all (not to it: RXCSR0 DROP_NOT_TO_ME), each air rx-end and rx-drop carrying 91.
  const heard = bed.recs.filter((r) => r.probe === 'rx-end' && r.f?.['radio'] === b.name);
  expect(heard.length).toBe(8);
  expect(heard.every((r) => r.pkt === 91)).toBe(true);
  expect(bed.traced('rx-drop', b.name, 'not-to-me').map((r) => r.pkt)).toEqual(Array(8).fill(91));
});

test('an untagged frame is 0 everywhere (nothing is invented)', () => {
  const { bed, a, b } = pair();
  const f = frame(0x08, MAC_B, MAC_A, MAC_A, [5, 5, 5, 5, 5]);
  a.send('tx', f, { ack: true, rate: 2 });
  bed.delay(3000 * US);
  const h = hops(bed.recs);
  expect(h.length).toBe(9);
  expect(h.every((x) => x.endsWith(' 0'))).toBe(true);
  expect(bed.sim.tracer.provenance.lookup(b.rxDesc(0).data)).toBe(0);
});

test('hardware CCMP: the engine’s ciphertext carries the plaintext’s id onto the air, the decrypted frame carries it up', () => {
  const { bed, a, b } = pair();
  const body = Array.from({ length: 200 }, (_, i) => (i * 5) & 0xff);
  // FromDS data to B, Protected set by software; the driver tags header ‖ plaintext (devnp-ral's `plain`).
  const f = frame(0x08, MAC_B, MAC_A, MAC_A, body, 0, 0x42);
  bed.sim.tracer.provenance.tag(f, 123);
  const { desc, buf } = encDesc(bed, a, 0, f, { iv: Uint8Array.of(1, 0, 0, 0x20, 0, 0, 0, 0), key: M64.tk, ack: true });
  a.w(CSR.SECCSR1, 1);
  bed.delay(50 * US);
  const sealed = bed.memR(buf, f.length + 16);
  expect(bed.sim.tracer.provenance.lookup(sealed)).toBe(123);
  // rt2560_encryption_intr: BUSY | VALID, KICK_TX.
  bed.setMem32(desc, bed.mem32(desc) | 0x3);
  a.w(CSR.TXCSR0, 1);
  bed.delay(3000 * US);
  const rx = b.rxDesc(0);
  expect(Array.from(rx.data)).toEqual(Array.from(sealed));
  decDesc(bed, b, 0, { key: M64.tk });
  b.w(CSR.SECCSR0, 1);
  bed.delay(50 * US);
  const plain = b.rxDesc(0).data;
  expect(Array.from(plain)).toEqual(Array.from(f));
  expect(bed.sim.tracer.provenance.lookup(plain)).toBe(123);
  expect(hops(bed.recs).filter((x) => !x.includes('auto-response') && !x.endsWith(' 0'))).toEqual([
    `nic/cipher-encrypt@${a.name} 123`,
    `nic/tx-start@${a.name} 123`,
    `air/tx-start@${a.name} 123`,
    `air/rx-end@${b.name} 123`,
    `nic/rx-accept@${b.name} 123`,
    `nic/ack-received@${a.name} 123`,
    `nic/tx-done@${a.name} 123`,
    `nic/cipher-decrypt@${b.name} 123`,
  ]);
  expect(bed.mem32(desc) >>> 29).toBe(CIPHER_AES);
});

test('a MIC failure is reported with the id of the frame that failed', () => {
  const { bed, a, b } = pair();
  const f = frame(0x08, MAC_B, MAC_A, MAC_A, Array.from({ length: 40 }, (_, i) => i), 0, 0x42);
  bed.sim.tracer.provenance.tag(f, 9);
  const { desc } = encDesc(bed, a, 0, f, { iv: Uint8Array.of(2, 0, 0, 0x20, 0, 0, 0, 0), key: M64.tk, ack: true });
  a.w(CSR.SECCSR1, 1);
  bed.delay(50 * US);
  bed.setMem32(desc, bed.mem32(desc) | 0x3);
  a.w(CSR.TXCSR0, 1);
  bed.delay(3000 * US);
  decDesc(bed, b, 0, { key: Uint8Array.from(M64.tk, (x) => x ^ 0x5a) });
  b.w(CSR.SECCSR0, 1);
  bed.delay(50 * US);
  expect(bed.traced('cipher-icv-error', b.name).map((r) => r.pkt)).toEqual([9]);
});
