/**
 * devnp-ral's crypto offload: the RT2560's AES engine registered with io-pkt-*-hc's hardware crypto API
 * (stack/crypto/api.ts, BSD opencrypto's crypto_get_driverid/crypto_register/crypto_done) as engine `ral<unit>`
 * for CRYPTO_AES_CCM_16. `-d ral nohwcrypto` (io-pkt's own `nocryptodev` style) leaves it unregistered, so
 * CCMP falls to the always-present software provider. io-pkt-v4 has no crypto API: nothing registers.
 *
 * How requests reach the chip (nic-models/rt2560/cipher.ts states the engine's contract):
 * - Encryption of an outgoing frame of this interface (CRYPTO_F_IEEE80211_TX, crp.ifp = ours): inline, through the
 *   TX ring as the BSD driver routes every data frame — tx.ts rt2560TxData fills the descriptor with CIPHER_BUSY,
 *   CIPHER_ALG = AES, IV_OFFSET = the header length, W4/W5 = the CCMP header, W6–W9 = the key, the buffer holding
 *   header ‖ plaintext, and writes SECCSR1 = KICK_ENCRYPT. On ENCRYPTION_DONE (intr.ts rt2560EncryptionIntr) the
 *   protected MPDU is read back into crp.buf, CRYPTO_F_TXDONE is set and crypto_done called; the descriptor becomes
 *   BUSY|VALID and TX is kicked — the frame leaves without a second trip through net80211.
 * - Any other request (decryption of a received frame, an encryption for elsewhere): one one-shot descriptor per
 *   direction outside the rings (SECCSR0/SECCSR1 with ONE_SHOT | KICK and its address). Decrypt: the whole MPDU in
 *   the buffer, W0 = CIPHER_BUSY | AES | IV_OFFSET | length, key in W6–W9; on DECRYPTION_DONE the descriptor's
 *   ICV_ERROR gives EBADMSG (a MIC failure: net80211 counts it and reports RTM_IEEE80211_MICHAEL), else the
 *   plaintext goes back into crp.buf. One request per direction at a time: a second gets ERESTART (the framework
 *   queues it until crypto_unblock, called when the slot frees).
 * The TX ring full: ERESTART too; rt2560_tx_intr unblocks when it frees descriptors.
 */
import type { ThreadCtx } from '../../kernel/api';
import { CCMP_MIC_LEN, CRD_F_ENCRYPT, CRYPTO_AES_CCM_16, CRYPTO_F_IEEE80211_TX, CRYPTO_F_TXDONE, CRYPTOCAP_F_HARDWARE, type CryptoDriverStats, type CryptoRequest } from '../../crypto/api';
import { EBADMSG, EIO, ERESTART } from '../../crypto/errno';
import { IFF_RUNNING } from '../../net/if';
import { ieee80211_crypto_txnode } from '../../net80211/crypto';
import { ieee80211_find_txnode } from '../../net80211/output';
import { HOST_DESC_ACCESS_NS, RAL_CRYPTO_DONE_NS, RAL_CRYPTO_SUBMIT_NS } from './costs';
import { le32 } from './desc';
import {
  MCLBYTES, RT2560_KICK_DECRYPT, RT2560_KICK_ENCRYPT, RT2560_ONE_SHOT, RT2560_RX_CIPHER_AES, RT2560_RX_CIPHER_BUSY,
  RT2560_RX_ICV_ERROR, RT2560_RX_IVOFFSET, RT2560_SECCSR0, RT2560_SECCSR1, RT2560_TX_CIPHER_AES, RT2560_TX_CIPHER_BUSY,
  RT2560_TX_DESC_SIZE, RT2560_TX_RING_COUNT, RT2560_IVOFFSET, TXD_IV, TXD_KEY, TXD_PHYSADDR, TXD_WME,
} from './regs';
import type { RalSoftc } from './softc';
import { rt2560TxData } from './tx';
import { _SLOG_INFO, _SLOG_WARNING } from '../../io-pkt/driver-api';

/** The CCMP header and MIC the engine adds (802.11-2016 12.5.3.2). */
const CCMP_OVERHEAD = 16;
/** The largest payload one descriptor buffer holds: a cluster less a 4-address QoS header and the CCMP overhead. */
export const RAL_CRYPTO_MAXOPLEN = MCLBYTES - 32 - CCMP_OVERHEAD;

/** One one-shot descriptor and its buffer. */
export interface RalCryptoSlot {
  desc: number;
  buf: number;
  crp: CryptoRequest | null;
}

/** The engine's registration and the driver's own counts (shown by nicinfo next to the framework's). */
export class RalCrypto {
  driverid = -1;
  blocked = false;
  readonly counts = { inline: 0, oneShotEncrypt: 0, oneShotDecrypt: 0, icvErrors: 0, engineFaults: 0 };

  constructor(readonly enc: RalCryptoSlot, readonly dec: RalCryptoSlot) {}
}

function put32(b: Uint8Array, off: number, v: number): void {
  b[off] = v & 0xff;
  b[off + 1] = (v >>> 8) & 0xff;
  b[off + 2] = (v >>> 16) & 0xff;
  b[off + 3] = (v >>> 24) & 0xff;
}

/** Register the engine (rt2560_attach on an hc stack), unless `nohwcrypto` or the stack has no crypto API. */
export function ralCryptoAttach(ctx: ThreadCtx, sc: RalSoftc): void {
  const cf = sc.iopkt.crypto?.() ?? null;
  if (!cf || sc.opts.nohwcrypto || !sc.ifp) return;
  const slot = (): RalCryptoSlot => ({ desc: ctx.allocPhys(RT2560_TX_DESC_SIZE, 64), buf: ctx.allocPhys(MCLBYTES, 64), crp: null });
  const rc = new RalCrypto(slot(), slot());
  const id = cf.crypto_get_driverid(sc.ifp.name, CRYPTOCAP_F_HARDWARE);
  if (id < 0 || cf.crypto_register(id, CRYPTO_AES_CCM_16, RAL_CRYPTO_MAXOPLEN, 0, { process: (pctx, crp) => ralCryptoProcess(pctx, sc, crp) }) !== 0) {
    sc.log('could not register the cipher engine', _SLOG_WARNING);
    return;
  }
  rc.driverid = id;
  sc.crypto = rc;
  sc.log('AES-CCM engine registered (hardware crypto)', _SLOG_INFO);
}

/** rt2560_detach: unregister (queued requests go to the software provider). */
export function ralCryptoDetach(sc: RalSoftc): void {
  const rc = sc.crypto;
  if (!rc) return;
  sc.iopkt.crypto?.()?.crypto_unregister_all(rc.driverid);
  sc.crypto = null;
}

/** The framework's counters for this engine (nicinfo). */
export function ralCryptoStats(sc: RalSoftc): CryptoDriverStats | null {
  return sc.crypto ? sc.iopkt.crypto?.()?.crypto_driver_stats(sc.crypto.driverid) ?? null : null;
}

/** CryptoEngineOps.process: take the request (0), refuse it for now (ERESTART), or fail it. */
function ralCryptoProcess(ctx: ThreadCtx, sc: RalSoftc, crp: CryptoRequest): number {
  const rc = sc.crypto;
  const ifp = sc.ifp;
  // The chip's interrupts are unmasked only while the interface runs (rt2560_init): refuse otherwise.
  if (!rc || !ifp || sc.detached || (ifp.flags & IFF_RUNNING) === 0) return EIO;
  const enc = (crp.crdFlags & CRD_F_ENCRYPT) !== 0;
  if (enc && (crp.flags & CRYPTO_F_IEEE80211_TX) !== 0 && crp.ifp === ifp) {
    if (sc.txq.queued >= RT2560_TX_RING_COUNT - 1) return block(rc);
    const wh = crp.buf;
    // The node net80211 encrypted for (its rate state picks the rate); a request without one: by receiver address.
    const ni = ieee80211_crypto_txnode(crp) ?? ieee80211_find_txnode(sc.ic, wh.subarray(4, 10)) ?? sc.ic.bss;
    ctx.charge(RAL_CRYPTO_SUBMIT_NS);
    if (!rt2560TxData(ctx, sc, { data: wh, pktId: crp.pktId }, ni, crp)) return EIO;
    rc.counts.inline++;
    sc.txTimer = 5;
    return 0;
  }
  const slot = enc ? rc.enc : rc.dec;
  if (slot.crp) return block(rc);
  slot.crp = crp;
  ctx.charge(RAL_CRYPTO_SUBMIT_NS);
  const d = new Uint8Array(RT2560_TX_DESC_SIZE);
  put32(d, TXD_PHYSADDR, slot.buf);
  d.set(crp.iv.subarray(0, 8), TXD_IV);
  d.set(crp.ccm.key.subarray(0, 16), TXD_KEY);
  if (enc) {
    // The engine's encrypt input: header ‖ plaintext; it inserts the CCMP header and appends the MIC.
    const frame = new Uint8Array(crp.hdrLen + crp.len);
    frame.set(crp.buf.subarray(0, crp.hdrLen));
    frame.set(crp.buf.subarray(crp.skip, crp.skip + crp.len), crp.hdrLen);
    ctx.bus.memWrite(slot.buf, frame);
    d[TXD_WME] = RT2560_IVOFFSET(crp.hdrLen);
    put32(d, 0, (RT2560_TX_CIPHER_BUSY | (frame.length << 16) | RT2560_TX_CIPHER_AES) >>> 0);
    ctx.bus.memWrite(slot.desc, d);
    ctx.charge(HOST_DESC_ACCESS_NS);
    sc.csr.write(ctx, RT2560_SECCSR1, (slot.desc | RT2560_ONE_SHOT | RT2560_KICK_ENCRYPT) >>> 0);
    rc.counts.oneShotEncrypt++;
  } else {
    const frame = crp.buf.subarray(0, crp.inject + CCMP_MIC_LEN);
    ctx.bus.memWrite(slot.buf, frame);
    put32(d, 0, (RT2560_RX_CIPHER_BUSY | RT2560_RX_IVOFFSET(crp.hdrLen) | (frame.length << 16) | RT2560_RX_CIPHER_AES) >>> 0);
    ctx.bus.memWrite(slot.desc, d);
    ctx.charge(HOST_DESC_ACCESS_NS);
    sc.csr.write(ctx, RT2560_SECCSR0, (slot.desc | RT2560_ONE_SHOT | RT2560_KICK_DECRYPT) >>> 0);
    rc.counts.oneShotDecrypt++;
  }
  ctx.trace('driver', enc ? 'crypto-encrypt' : 'crypto-decrypt', crp.pktId, { if: ifp.name, req: crp.id, len: crp.len });
  return 0;
}

function block(rc: RalCrypto): number {
  rc.blocked = true;
  return ERESTART;
}

/**
 * rt2560_stop: requests still in the TX ring or a one-shot slot will never see their interrupt (the ASIC is reset
 * and the rings cleared): complete them with EIO so net80211 counts them and lets go.
 */
export function ralCryptoAbort(ctx: ThreadCtx, sc: RalSoftc): void {
  const rc = sc.crypto;
  const cf = sc.iopkt.crypto?.();
  if (!rc || !cf) return;
  const dead: CryptoRequest[] = [];
  for (const d of sc.txq?.data ?? []) {
    if (d?.crp) dead.push(d.crp);
    if (d) d.crp = null;
  }
  for (const slot of [rc.enc, rc.dec]) {
    if (slot.crp) dead.push(slot.crp);
    slot.crp = null;
  }
  for (const crp of dead) {
    crp.etype = EIO;
    cf.crypto_done(ctx, crp);
  }
  if (dead.length > 0) ctx.trace('driver', 'crypto-abort', 0, { if: sc.ifp?.name ?? 'ral', requests: dead.length });
  ralCryptoUnblock(ctx, sc);
}

/** Room again (a slot or TX descriptors freed): let the framework offer what it queued. */
export function ralCryptoUnblock(ctx: ThreadCtx, sc: RalSoftc): void {
  const rc = sc.crypto;
  if (!rc || !rc.blocked) return;
  rc.blocked = false;
  sc.iopkt.crypto?.()?.crypto_unblock(ctx, rc.driverid);
}

/**
 * ENCRYPTION_DONE for an inline TX descriptor that carried `crp`: the protected MPDU back into crp.buf, TXDONE
 * (the descriptor is about to go to the transmitter), crypto_done.
 */
export function ralCryptoTxEncrypted(ctx: ThreadCtx, sc: RalSoftc, crp: CryptoRequest, flags: number, buf: number): void {
  const len = (flags >>> 16) & 0xfff;
  if (len === crp.buf.length && (flags & 0xe0000000) >>> 0 === RT2560_TX_CIPHER_AES >>> 0) {
    ctx.bus.memRead(buf, crp.buf);
    crp.etype = 0;
  } else {
    // The engine passed the frame through (it refused the descriptor): the frame must not be reported protected.
    crp.etype = EIO;
    if (sc.crypto) sc.crypto.counts.engineFaults++;
  }
  crp.flags |= CRYPTO_F_TXDONE;
  ctx.charge(RAL_CRYPTO_DONE_NS);
  sc.iopkt.crypto?.()?.crypto_done(ctx, crp);
}

/** ENCRYPTION_DONE / DECRYPTION_DONE: finish the one-shot request of that direction if the engine let go of it. */
export function ralCryptoOneShotIntr(ctx: ThreadCtx, sc: RalSoftc, enc: boolean): void {
  const rc = sc.crypto;
  const slot = enc ? rc?.enc : rc?.dec;
  const crp = slot?.crp;
  if (!rc || !slot || !crp) return;
  const b = new Uint8Array(4);
  ctx.bus.memRead(slot.desc, b);
  ctx.charge(HOST_DESC_ACCESS_NS);
  const flags = le32(b, 0);
  if (flags & (enc ? RT2560_TX_CIPHER_BUSY : RT2560_RX_CIPHER_BUSY)) return;
  const len = (flags >>> 16) & 0xfff;
  if (enc) {
    if (len === crp.buf.length) {
      ctx.bus.memRead(slot.buf, crp.buf);
      crp.etype = 0;
    } else {
      crp.etype = EIO;
      rc.counts.engineFaults++;
    }
  } else if (flags & RT2560_RX_ICV_ERROR) {
    crp.etype = EBADMSG;
    rc.counts.icvErrors++;
  } else if (len === crp.hdrLen + crp.len) {
    const plain = new Uint8Array(crp.len);
    ctx.bus.memRead(slot.buf + crp.hdrLen, plain);
    crp.buf.set(plain, crp.skip);
    crp.etype = 0;
  } else {
    crp.etype = EIO;
    rc.counts.engineFaults++;
  }
  slot.crp = null;
  ctx.charge(RAL_CRYPTO_DONE_NS);
  ctx.trace('driver', enc ? 'crypto-encrypted' : 'crypto-decrypted', crp.pktId, { if: sc.ifp?.name ?? 'ral', req: crp.id, etype: crp.etype });
  sc.iopkt.crypto?.()?.crypto_done(ctx, crp);
  ralCryptoUnblock(ctx, sc);
}
