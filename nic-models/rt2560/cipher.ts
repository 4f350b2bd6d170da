/**
 * The RT2560's inline cipher engine: the encrypt walk of the TX ring (SECCSR1) and the decrypt walk of the RX ring
 * (SECCSR0), with AES-CCM (CCMP, IEEE 802.11-2016 12.5.3) from node:crypto (ccmp.ts).
 *
 * How the BSD driver uses it (NetBSD rt2560.c): rt2560_tx_data fills a TX descriptor with CIPHER_BUSY alone and
 * writes SECCSR1 = KICK_ENCRYPT; rt2560_encryption_intr, on ENCRYPTION_DONE, reads SECCSR1 (the engine's descriptor
 * address), turns every descriptor before it into BUSY|VALID and kicks TX. rt2560_rx_intr marks each received
 * descriptor CIPHER_BUSY and writes SECCSR0 = KICK_DECRYPT; rt2560_decryption_intr, on DECRYPTION_DONE, takes the
 * frames before SECCSR0's address. NetBSD only ever passes frames through (CIPHER_NONE); what the engine does with
 * a cipher is not published. The model's contract, after the descriptor fields both drivers name (NetBSD
 * rt2560_tx_desc/rt2560_rx_desc iv, eiv, key[16]; Linux TXD_W2_IV_OFFSET, TXD_W4_IV, TXD_W5_EIV, TXD_W6–9_KEY,
 * RXD_W0_IV_OFFSET, RXD_W0_ICV_ERROR) and the convention Ralink's later chips follow in Linux rt2x00crypto.c
 * (the driver takes the IV out of the frame and gives it in the descriptor; the chip inserts it, appends the MIC on
 * transmit and strips both on receive) — all *(I)*:
 *
 * Encrypt (CIPHER_ALG = AES): the buffer holds the MAC header (IV_OFFSET bytes, which must be the header length
 * the Frame Control implies) and the plaintext; W4/W5 hold the 8-byte CCMP header in frame order (PN0, PN1, 0,
 * KeyID|ExtIV, PN2…PN5) and W6–W9 the 128-bit temporal key. The engine writes back, in place, header ‖ CCMP header ‖
 * ciphertext ‖ MIC and W0 with DATABYTE_COUNT + 16 and CIPHER_OWNER clear. The header is not changed (software sets
 * Protected).
 * Decrypt (CIPHER_ALG = AES set by the driver, IV_OFFSET = the header length, key in W6–W9): the engine copies the
 * frame's CCMP header into W4/W5, checks the MIC and on success writes header ‖ plaintext back in place with
 * DATABYTE_COUNT − 16; on failure it sets ICV_ERROR and leaves the frame as received. The PN replay check is
 * software's (the engine keeps no receive counters).
 * CIPHER_NONE passes the frame through untouched. WEP40/WEP104/TKIP are traced `cipher-unimplemented`, the values
 * 5–7 `cipher-invalid`; on transmit such a frame passes through unencrypted, on receive it gets ICV_ERROR.
 *
 * One-shot (SECCSRx with ONE_SHOT | KICK and a descriptor address in bits 31:2) *(I: the bit is named in
 * rt2500pci.h, no driver uses it)*: the engine processes that one descriptor — anywhere in host memory, not in a
 * ring; CIPHER_OWNER must be set — with the same rules, raises the same interrupt and leaves the ring walk's
 * position alone (SECCSRx keeps reading the ring pointer). One-shot kicks while the engine is busy are queued, up
 * to ONE_SHOT_QUEUE deep (more are traced `cipher-oneshot-overflow` and dropped); they go before the ring.
 *
 * Timing: one descriptor at a time — descriptor and frame read by bus-master DMA, the AES processing time
 * (timing.ts cipherProcessNs), then frame, W4/W5 and W0 written back; the walk's interrupt (ENCRYPTION_DONE /
 * DECRYPTION_DONE) follows each descriptor's W0 write, and SECCSRx reads the descriptor the engine will look at
 * next. A walk stops at the first descriptor not handed to the engine, after a full turn of the ring, or when the
 * bus fails; a kick during a walk is remembered and restarts it when it stops.
 */
import { SimEvent } from '../../emulator/machine/sim/event';
import { Priority } from '../../emulator/machine/sim/priority';
import { b64ToBytes, bytesToB64 } from '../../emulator/machine/sim/snapshot';
import type { Rt2560Core } from './core';
import { CCMP_HDRLEN, CCMP_MICLEN, ccmpAad, ccmpBlocks, ccmpOpen, ccmpSeal, mpduLayout } from './ccmp';
import { CIPHER, INT, MIN_DESC_SIZE, RXD_W0, TXD_W0, TXD_W2 } from './regs';
import { entryAddr, le32, put32, rxGeometry, txGeometry, type RingGeometry } from './rings';
import { cipherProcessNs } from './timing';
import { MAX_TX_MPDU } from './tx';

export type CipherDir = 'encrypt' | 'decrypt';
/** Descriptor bytes the engine reads: W0–W9 (flags, buffer, IV_OFFSET/WME, PLCP, IV, EIV, key). */
export const CIPHER_DESC_BYTES = 40;
/** Offsets of the cipher words in both descriptors (NetBSD rt2560_tx_desc/rt2560_rx_desc iv, eiv, key). */
export const DESC_IV = 16;
export const DESC_KEY = 24;
/** The largest frame the decrypt walk reads (the RX descriptor's 12-bit DATABYTE_COUNT). */
const MAX_RX_FRAME = 0xfff;
const CCMP_OVERHEAD = CCMP_HDRLEN + CCMP_MICLEN;
/** One-shot kicks the engine holds while busy *(I)*. */
export const ONE_SHOT_QUEUE = 4;

/** What the engine writes back when a descriptor's processing ends. */
interface CipherJob {
  /** Ring index, or -1 for a one-shot descriptor. */
  index: number;
  addr: number;
  frameAddr: number;
  /** The frame to write back (null: untouched). */
  frame: Uint8Array | null;
  /** The CCMP header for W4/W5 (decrypt only). */
  iv: Uint8Array | null;
  w0: number;
}

export interface CipherWalkState {
  idx: number;
  walked: number;
  rekick: boolean;
  ring: boolean;
  oneShots: number[];
  job: { index: number; addr: number; frameAddr: number; frame: string | null; iv: string | null; w0: number } | null;
  procAt: number;
  irqAt: number;
}

class CipherWalk {
  idx = 0;
  walked = 0;
  rekick = false;
  /** A ring walk is in progress (a kick started it and it has not stopped). */
  ring = false;
  /** One-shot descriptor addresses waiting for the engine. */
  oneShots: number[] = [];
  job: CipherJob | null = null;
  readonly procEv: SimEvent;
  readonly irqEv: SimEvent;

  constructor(c: Rt2560Core, readonly dir: CipherDir, done: () => void) {
    this.procEv = new SimEvent(`${c.ctx.name}.${dir}-process`, done, Priority.Device);
    this.irqEv = new SimEvent(`${c.ctx.name}.${dir}-done`, () => c.raise(dir === 'encrypt' ? INT.ENCRYPTION_DONE : INT.DECRYPTION_DONE), Priority.Device);
  }
}

export class CipherEngine {
  readonly enc: CipherWalk;
  readonly dec: CipherWalk;

  constructor(private readonly c: Rt2560Core) {
    this.enc = new CipherWalk(c, 'encrypt', () => this.processed(this.enc));
    this.dec = new CipherWalk(c, 'decrypt', () => this.processed(this.dec));
  }

  reset(): void {
    for (const w of [this.enc, this.dec]) this.stopWalk(w, true);
  }

  /** TXCSR3 or TXCSR2 written: the encrypt walk starts over at entry 0 (rings.ts). */
  txRingChanged(): void {
    this.enc.idx = 0;
  }

  /** RXCSR2 written. */
  rxRingChanged(): void {
    this.dec.idx = 0;
  }

  private geometry(w: CipherWalk): RingGeometry {
    return w.dir === 'encrypt' ? txGeometry((o) => this.c.get(o), 'tx') : rxGeometry((o) => this.c.get(o));
  }

  /** SECCSR1/SECCSR0 read: the descriptor the engine looks at next (rt2560_encryption_intr divides it back). */
  pointer(dir: CipherDir): number {
    const w = dir === 'encrypt' ? this.enc : this.dec;
    return entryAddr(this.geometry(w), w.idx);
  }

  /** SECCSR1.KICK_ENCRYPT / SECCSR0.KICK_DECRYPT; with ONE_SHOT, the descriptor at `oneShot`. */
  kick(dir: CipherDir, oneShot?: number): void {
    const w = dir === 'encrypt' ? this.enc : this.dec;
    if (oneShot !== undefined) {
      if (w.oneShots.length >= ONE_SHOT_QUEUE) return this.c.trace('cipher-oneshot-overflow', { dir, addr: oneShot });
      w.oneShots.push(oneShot >>> 0);
    } else if (w.ring) {
      w.rekick = true;
    } else {
      w.ring = true;
      w.walked = 0;
    }
    if (!w.job) this.step(w);
  }

  private stopWalk(w: CipherWalk, hard = false): void {
    const q = this.c.ctx.queue;
    if (hard) {
      w.idx = 0;
      w.job = null;
      q.deschedule(w.procEv);
      q.deschedule(w.irqEv);
      w.rekick = false;
      w.ring = false;
      w.oneShots = [];
      w.walked = 0;
      return;
    }
    this.c.trace('cipher-walk', { dir: w.dir, descriptors: w.walked });
    w.walked = 0;
    w.ring = false;
  }

  /** Fetch the walk's next descriptor; start its processing or end the walk. */
  private step(w: CipherWalk): void {
    for (;;) {
      const one = w.oneShots.shift();
      if (one !== undefined) {
        if (this.fetch(w, null, one)) return;
        continue;
      }
      if (!w.ring) return;
      const g = this.geometry(w);
      const go = g.count > 0 && g.stride >= MIN_DESC_SIZE;
      if (!go) this.c.trace('cipher-ring-unusable', { dir: w.dir, count: g.count, stride: g.stride });
      if (go && w.walked < g.count && this.fetch(w, g, entryAddr(g, w.idx))) return;
      this.stopWalk(w);
      if (!go || !w.rekick) return;
      w.rekick = false;
      w.ring = true;
    }
  }

  /** Read the descriptor at `addr` (ring entry `w.idx`, or a one-shot when `g` is null); true when the engine took it. */
  private fetch(w: CipherWalk, g: RingGeometry | null, addr: number): boolean {
    const index = g ? w.idx % g.count : -1;
    // A ring descriptor is as long as TXCSR2/RXCSR1 say (rt2500pci.h TXD_SIZE/RXD_SIZE; tx.ts reads min(stride, 44)
    // alike): the engine reads no further, and words past it read as 0. Found by the fuzzer's DMA invariant (nic/rt2560:
    // 40-byte reads from rings of 16-byte descriptors ran past the ring). A one-shot descriptor is W0–W9.
    const size = g ? Math.min(g.stride, CIPHER_DESC_BYTES) : CIPHER_DESC_BYTES;
    const d = new Uint8Array(CIPHER_DESC_BYTES);
    if (!this.c.dma('read', addr, d.subarray(0, size)).ok) return false;
    const w0 = le32(d, 0);
    const mine = w.dir === 'encrypt' ? (w0 & TXD_W0.CIPHER_OWNER) !== 0 : !(w0 & RXD_W0.OWNER_NIC) && (w0 & RXD_W0.CIPHER_OWNER) !== 0;
    if (!mine) {
      if (!g) this.c.trace('cipher-oneshot-not-owned', { dir: w.dir, addr, w0 });
      return false;
    }
    const r = w.dir === 'encrypt' ? this.encrypt(d, w0) : this.decrypt(d, w0);
    // The CCMP header goes back to W4/W5 only in a descriptor that has them.
    if (size < DESC_IV + CCMP_HDRLEN) r.job.iv = null;
    w.job = { index, addr, frameAddr: le32(d, 4), ...r.job };
    this.c.ctx.queue.schedule(w.procEv, Math.max(this.c.now, this.c.busFreeAt) + r.ns);
    return true;
  }

  private invalid(dir: CipherDir, reason: string, alg: number, len: number): void {
    this.c.counters.cipherInvalid++;
    this.c.trace(alg >= CIPHER.WEP40 && alg <= CIPHER.TKIP ? 'cipher-unimplemented' : 'cipher-invalid', { dir, reason, alg, len });
  }

  /** TX descriptor: CCMP-encapsulate the frame (or pass it through). */
  private encrypt(d: Uint8Array, w0: number): { job: Omit<CipherJob, 'index' | 'addr' | 'frameAddr'>; ns: number } {
    const alg = w0 >>> 29;
    const len = (w0 & TXD_W0.DATABYTE_COUNT) >>> 16;
    const pass = { job: { frame: null, iv: null, w0: (w0 & ~TXD_W0.CIPHER_OWNER) >>> 0 }, ns: 0 };
    if (alg === CIPHER.NONE) {
      // Pass-through still streams the frame through the engine.
      if (len > 0 && len <= MAX_TX_MPDU) this.c.dma('read', le32(d, 4), new Uint8Array(len));
      return pass;
    }
    if (alg !== CIPHER.AES) return this.invalid('encrypt', 'algorithm', alg, len), pass;
    if (len < 24 || len + CCMP_OVERHEAD > MAX_TX_MPDU) return this.invalid('encrypt', 'length', alg, len), pass;
    const f = new Uint8Array(len);
    if (!this.c.dma('read', le32(d, 4), f).ok) return this.invalid('encrypt', 'buffer', alg, len), pass;
    const l = mpduLayout(f);
    const ivOff = le32(d, 8) & TXD_W2.IV_OFFSET;
    if (!l || ivOff !== l.hdrLen) return this.invalid('encrypt', 'iv-offset', alg, len), pass;
    const out = ccmpSeal(d.subarray(DESC_KEY, DESC_KEY + 16), f, l, d.subarray(DESC_IV, DESC_IV + CCMP_HDRLEN), f.subarray(ivOff));
    this.c.counters.cipherEncrypted++;
    const pkt = this.follow(f, out);
    this.c.trace('cipher-encrypt', { alg, len, out: out.length }, pkt);
    const nw0 = ((w0 & ~(TXD_W0.CIPHER_OWNER | TXD_W0.DATABYTE_COUNT)) | (out.length << 16)) >>> 0;
    return { job: { frame: out, iv: null, w0: nw0 }, ns: cipherProcessNs(ccmpBlocks(ccmpAad(f, l).length, len - ivOff)) };
  }

  /** RX descriptor: verify and strip CCMP (or pass the frame through); ICV_ERROR on a MIC failure. */
  private decrypt(d: Uint8Array, w0: number): { job: Omit<CipherJob, 'index' | 'addr' | 'frameAddr'>; ns: number } {
    const alg = w0 >>> 29;
    const len = (w0 & RXD_W0.DATABYTE_COUNT) >>> 16;
    const clear = (w0 & ~(RXD_W0.CIPHER_OWNER | RXD_W0.ICV_ERROR)) >>> 0;
    const fail = { job: { frame: null, iv: null, w0: (clear | RXD_W0.ICV_ERROR) >>> 0 }, ns: 0 };
    if (alg === CIPHER.NONE) return { job: { frame: null, iv: null, w0: clear }, ns: 0 };
    if (alg !== CIPHER.AES) return this.invalid('decrypt', 'algorithm', alg, len), fail;
    const ivOff = (w0 & RXD_W0.IV_OFFSET) >>> 10;
    if (len < 24 + CCMP_OVERHEAD || len > MAX_RX_FRAME) return this.invalid('decrypt', 'length', alg, len), fail;
    const f = new Uint8Array(len);
    if (!this.c.dma('read', le32(d, 4), f).ok) return this.invalid('decrypt', 'buffer', alg, len), fail;
    const l = mpduLayout(f);
    if (!l || ivOff !== l.hdrLen || len < ivOff + CCMP_OVERHEAD) return this.invalid('decrypt', 'iv-offset', alg, len), fail;
    const iv = f.slice(ivOff, ivOff + CCMP_HDRLEN);
    const ns = cipherProcessNs(ccmpBlocks(ccmpAad(f, l).length, len - ivOff - CCMP_OVERHEAD));
    const plain = ccmpOpen(d.subarray(DESC_KEY, DESC_KEY + 16), f, l, ivOff);
    if (!plain) {
      this.c.counters.cipherIcvErrors++;
      this.c.trace('cipher-icv-error', { alg, len }, this.c.ctx.tracer.provenance.lookup(f));
      return { job: { frame: null, iv, w0: (clear | RXD_W0.ICV_ERROR) >>> 0 }, ns };
    }
    const out = new Uint8Array(ivOff + plain.length);
    out.set(f.subarray(0, ivOff));
    out.set(plain, ivOff);
    this.c.counters.cipherDecrypted++;
    this.c.trace('cipher-decrypt', { alg, len, out: out.length }, this.follow(f, out));
    return { job: { frame: out, iv, w0: ((clear & ~RXD_W0.DATABYTE_COUNT) | (out.length << 16)) >>> 0 }, ns };
  }

  /**
   * Observation only (Tracer.provenance): the engine's output is the same packet as its input, so the transmitter
   * (encrypt) or the driver (decrypt) that reads the output bytes names it. Returns the packet id, or 0.
   */
  private follow(input: Uint8Array, output: Uint8Array): number {
    const p = this.c.ctx.tracer.provenance;
    const pkt = p.lookup(input);
    p.tag(output, pkt);
    return pkt;
  }

  /** Processing done: frame, W4/W5 and W0 back to host memory, the interrupt after them, on to the next. */
  private processed(w: CipherWalk): void {
    const j = w.job;
    if (!j) return;
    if (j.frame) this.c.dma('write', j.frameAddr, j.frame);
    if (j.iv) this.c.dma('write', j.addr + DESC_IV, j.iv);
    const b = new Uint8Array(4);
    put32(b, 0, j.w0);
    const end = this.c.dma('write', j.addr, b).end;
    if (j.index >= 0) {
      const g = this.geometry(w);
      w.idx = g.count > 0 ? (j.index + 1) % g.count : 0;
      w.walked++;
    }
    w.job = null;
    const q = this.c.ctx.queue;
    q.deschedule(w.irqEv);
    q.schedule(w.irqEv, end);
    this.step(w);
  }

  saveWalk(w: CipherWalk): CipherWalkState {
    const j = w.job;
    return {
      idx: w.idx, walked: w.walked, rekick: w.rekick, ring: w.ring, oneShots: [...w.oneShots],
      job: j ? { index: j.index, addr: j.addr, frameAddr: j.frameAddr, frame: j.frame ? bytesToB64(j.frame) : null, iv: j.iv ? bytesToB64(j.iv) : null, w0: j.w0 } : null,
      procAt: w.procEv.scheduled ? w.procEv.when : -1, irqAt: w.irqEv.scheduled ? w.irqEv.when : -1,
    };
  }

  loadWalk(w: CipherWalk, s: CipherWalkState): void {
    w.idx = s.idx;
    w.walked = s.walked;
    w.rekick = s.rekick;
    w.ring = s.ring;
    w.oneShots = [...s.oneShots];
    const j = s.job;
    w.job = j ? { index: j.index, addr: j.addr, frameAddr: j.frameAddr, frame: j.frame !== null ? b64ToBytes(j.frame) : null, iv: j.iv !== null ? b64ToBytes(j.iv) : null, w0: j.w0 } : null;
    const q = this.c.ctx.queue;
    q.deschedule(w.procEv);
    q.deschedule(w.irqEv);
    if (s.procAt >= 0) q.schedule(w.procEv, s.procAt);
    if (s.irqAt >= 0) q.schedule(w.irqEv, s.irqAt);
  }
}
