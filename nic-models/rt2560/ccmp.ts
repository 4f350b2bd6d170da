/**
 * CCMP as the RT2560's AES engine applies it (IEEE 802.11-2016 12.5.3): AES-128 in CCM mode with M = 8 (an 8-byte
 * MIC) and L = 2, the nonce and the additional authentication data built from the MPDU header. The block cipher
 * and the CCM mode are node:crypto's ('aes-128-ccm'); only the 802.11 framing around them is here.
 *
 * - CCMP header (12.5.3.2, Figure 12-16): PN0, PN1, reserved, Key ID << 6 | ExtIV (0x20), PN2, PN3, PN4, PN5.
 * - AAD (12.5.3.3.3): FC with the Subtype bits 4–6 of a Data frame, Retry, Power Management and More Data masked
 *   to 0 and Protected set to 1 (Order masked in a QoS Data frame); A1, A2, A3; SC with the Sequence Number masked
 *   (the Fragment Number kept); A4 when ToDS and FromDS are both set; the QC's TID (other bits masked) in a QoS
 *   Data frame.
 * - Nonce (12.5.3.3.4): Nonce Flags (Priority = the TID, 0 without QC; the Management bit for a management frame),
 *   A2, PN5 … PN0.
 * Nothing here throws on bad input: short headers give null, a wrong MIC gives null.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';

/** CCMP header and MIC lengths (12.5.3.2). */
export const CCMP_HDRLEN = 8;
export const CCMP_MICLEN = 8;
/** 802.11-2016 9.2.4.1: Frame Control bits of octet 1. */
const FC1_TODS = 0x01;
const FC1_FROMDS = 0x02;
const FC1_RETRY = 0x08;
const FC1_PWRMGT = 0x10;
const FC1_MOREDATA = 0x20;
const FC1_PROTECTED = 0x40;
const FC1_ORDER = 0x80;

/** Header facts CCMP needs from the Frame Control field. */
export interface MpduLayout {
  /** The MAC header's length: 24, +6 with A4, +2 with QC. */
  hdrLen: number;
  hasA4: boolean;
  qos: boolean;
  mgmt: boolean;
  tid: number;
}

/** What the MAC header of `f` looks like (null when shorter than its own Frame Control says). */
export function mpduLayout(f: Uint8Array): MpduLayout | null {
  if (f.length < 24) return null;
  const type = (f[0]! >>> 2) & 3;
  const hasA4 = type === 2 && (f[1]! & (FC1_TODS | FC1_FROMDS)) === (FC1_TODS | FC1_FROMDS);
  const qos = type === 2 && (f[0]! & 0x80) !== 0;
  const hdrLen = 24 + (hasA4 ? 6 : 0) + (qos ? 2 : 0);
  if (f.length < hdrLen) return null;
  return { hdrLen, hasA4, qos, mgmt: type === 0, tid: qos ? f[hdrLen - 2]! & 0x0f : 0 };
}

/** AAD (12.5.3.3.3) from the MAC header at the start of `f`. */
export function ccmpAad(f: Uint8Array, l: MpduLayout): Uint8Array {
  const aad = new Uint8Array(22 + (l.hasA4 ? 6 : 0) + (l.qos ? 2 : 0));
  aad[0] = l.mgmt ? f[0]! : f[0]! & 0x8f;
  aad[1] = (f[1]! & ~(FC1_RETRY | FC1_PWRMGT | FC1_MOREDATA | (l.qos ? FC1_ORDER : 0))) | FC1_PROTECTED;
  aad.set(f.subarray(4, 22), 2);
  aad[20] = f[22]! & 0x0f;
  aad[21] = 0;
  let o = 22;
  if (l.hasA4) {
    aad.set(f.subarray(24, 30), o);
    o += 6;
  }
  if (l.qos) {
    aad[o] = f[l.hdrLen - 2]! & 0x0f;
    aad[o + 1] = 0;
  }
  return aad;
}

/** Nonce (12.5.3.3.4): flags, A2, PN5 … PN0. */
export function ccmpNonce(f: Uint8Array, l: MpduLayout, ccmpHdr: Uint8Array): Uint8Array {
  const n = new Uint8Array(13);
  n[0] = (l.tid & 0x0f) | (l.mgmt ? 0x10 : 0);
  n.set(f.subarray(10, 16), 1);
  n.set([ccmpHdr[7]!, ccmpHdr[6]!, ccmpHdr[5]!, ccmpHdr[4]!, ccmpHdr[1]!, ccmpHdr[0]!], 7);
  return n;
}

/**
 * Encrypt: `hdr` the MAC header (its layout `l`), `ccmpHdr` the 8-byte CCMP header, `plain` the payload. Returns the
 * protected MPDU: header ‖ CCMP header ‖ ciphertext ‖ MIC.
 */
export function ccmpSeal(tk: Uint8Array, hdr: Uint8Array, l: MpduLayout, ccmpHdr: Uint8Array, plain: Uint8Array): Uint8Array {
  const c = createCipheriv('aes-128-ccm', tk, ccmpNonce(hdr, l, ccmpHdr), { authTagLength: CCMP_MICLEN });
  c.setAAD(ccmpAad(hdr, l), { plaintextLength: plain.length });
  const body = Buffer.concat([c.update(plain), c.final()]);
  const out = new Uint8Array(l.hdrLen + CCMP_HDRLEN + plain.length + CCMP_MICLEN);
  out.set(hdr.subarray(0, l.hdrLen), 0);
  out.set(ccmpHdr.subarray(0, CCMP_HDRLEN), l.hdrLen);
  out.set(body, l.hdrLen + CCMP_HDRLEN);
  out.set(c.getAuthTag(), out.length - CCMP_MICLEN);
  return out;
}

/**
 * Decrypt and verify: `f` a protected MPDU whose CCMP header sits at `ivOff`. Returns the payload, or null when
 * the MIC does not verify (or the frame is too short to hold a CCMP header and a MIC).
 */
export function ccmpOpen(tk: Uint8Array, f: Uint8Array, l: MpduLayout, ivOff: number): Uint8Array | null {
  const start = ivOff + CCMP_HDRLEN;
  if (f.length < start + CCMP_MICLEN) return null;
  const ccmpHdr = f.subarray(ivOff, start);
  try {
    const d = createDecipheriv('aes-128-ccm', tk, ccmpNonce(f, l, ccmpHdr), { authTagLength: CCMP_MICLEN });
    d.setAuthTag(f.subarray(f.length - CCMP_MICLEN));
    const ct = f.subarray(start, f.length - CCMP_MICLEN);
    d.setAAD(ccmpAad(f, l), { plaintextLength: ct.length });
    const p = d.update(ct);
    d.final();
    return new Uint8Array(p);
  } catch {
    // CCM's tag check failed: node:crypto reports it by throwing from final().
    return null;
  }
}

/** The AES block computations one CCMP MPDU costs (B0, the AAD blocks, the payload blocks, the MIC's A0). */
export function ccmpBlocks(aadLen: number, payloadLen: number): number {
  return 1 + Math.ceil((2 + aadLen) / 16) + Math.ceil(payloadLen / 16) + 1;
}
