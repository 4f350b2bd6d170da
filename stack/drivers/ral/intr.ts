/**
 * The interrupt (rt2560.c rt2560_intr, rt2560_softintr and the handlers it dispatches to).
 *
 * rt2560_intr: CSR7 = 0 means the (shared) line is not ours; otherwise mask every source (CSR8 = ~0) and,
 * if the interface runs, do the soft-interrupt work: read CSR7 and write it back (write-1-to-clear), then in
 * the BSD order beacon expiry, wake-up expiry, encryption done, TX done, PRIO done, decryption done, RX done,
 * and unmask the served sources (CSR8 = RT2560_INTR_MASK). io-pkt runs this in its interrupt thread and
 * unmasks the PIC line afterwards.
 *
 * The receive path crosses the cipher engine too: rt2560_rx_intr marks each completed descriptor
 * CIPHER_BUSY and kicks SECCSR0; rt2560_decryption_intr, on DECRYPTION_DONE, takes the frames up to the
 * engine's position (SECCSR0), hands them to net80211 with their RSSI, and gives the descriptors back to the
 * chip (BUSY).
 *
 * The AES engine's requests (crypto.ts) finish here too: inline TX descriptors in rt2560_encryption_intr, the
 * one-shot descriptors on ENCRYPTION_DONE / DECRYPTION_DONE.
 */
import type { Co, ThreadCtx } from '../../kernel/api';
import { IFF_OACTIVE, IFF_RUNNING } from '../../net/if';
import type { Mbuf } from '../../net/mbuf';
import type { Ieee80211Node } from '../../net80211/node';
import { ieee80211_input } from '../../net80211/input';
import { ieee80211_beacon_update } from '../../net80211/beacon';
import { HOST_DESC_ACCESS_NS, RAL_BEACON_UPDATE_NS, RAL_INTR_NS, RAL_RX_FRAME_NS, RAL_RX_MARK_NS, RAL_TX_DONE_NS, RAL_TX_ENCRYPT_DONE_NS } from './costs';
import { le32 } from './desc';
import {
  MCLBYTES, RT2560_BEACON_EXPIRE, RT2560_BEACON_RING_COUNT, RT2560_CSR7, RT2560_CSR8, RT2560_DECRYPTION_DONE,
  RT2560_ENCRYPTION_DONE, RT2560_INTR_MASK, RT2560_KICK_DECRYPT, RT2560_KICK_TX, RT2560_PRIO_DONE,
  RT2560_PRIO_RING_COUNT, RT2560_RX_BUSY, RT2560_RX_CIPHER_BUSY, RT2560_RX_CIPHER_MASK, RT2560_RX_CRC_ERROR,
  RT2560_RX_DESC_SIZE, RT2560_RX_DONE, RT2560_RX_ICV_ERROR, RT2560_RX_OFDM, RT2560_RX_PHY_ERROR, RT2560_RX_RING_COUNT,
  RT2560_SECCSR0, RT2560_SECCSR1, RT2560_TX_BUSY, RT2560_TX_CIPHER_BUSY, RT2560_TX_DESC_SIZE, RT2560_TX_DONE,
  RT2560_TX_FAIL_RETRY, RT2560_TX_RESULT_MASK, RT2560_TX_RING_COUNT, RT2560_TX_SUCCESS, RT2560_TX_SUCCESS_RETRY,
  RT2560_TX_VALID, RT2560_TXCSR0, RT2560_WAKEUP_EXPIRE, RXD_RATE, RXD_RSSI,
} from './regs';
import { rt2560Rxrate } from './desc';
import type { RalSoftc, RalTxRing } from './softc';
import { rt2560Start, rt2560TxBcn } from './tx';
import { ralCryptoOneShotIntr, ralCryptoTxEncrypted, ralCryptoUnblock } from './crypto';
import { _SLOG_ERROR } from '../../io-pkt/driver-api';

function readFlags(ctx: ThreadCtx, addr: number): number {
  const b = new Uint8Array(4);
  ctx.bus.memRead(addr, b);
  ctx.charge(HOST_DESC_ACCESS_NS);
  return le32(b, 0);
}

function writeFlags(ctx: ThreadCtx, addr: number, flags: number): void {
  const b = new Uint8Array(4);
  b[0] = flags & 0xff;
  b[1] = (flags >>> 8) & 0xff;
  b[2] = (flags >>> 16) & 0xff;
  b[3] = (flags >>> 24) & 0xff;
  ctx.bus.memWrite(addr, b);
  ctx.charge(HOST_DESC_ACCESS_NS);
}

/**
 * The ring index of the descriptor address a cipher-engine register holds, or null when it points outside
 * the ring (a chip that never ran the engine, or garbage): the driver then takes nothing this time.
 */
function engineIndex(reg: number, base: number, size: number, count: number): number | null {
  const off = ((reg & ~3) >>> 0) - base;
  if (off < 0 || off % size !== 0 || off / size >= count) return null;
  return off / size;
}

/** rt2560_encryption_intr: descriptors the engine has passed become BUSY|VALID for the transmitter; KICK_TX. */
function* rt2560EncryptionIntr(ctx: ThreadCtx, sc: RalSoftc): Co<void> {
  const ring = sc.txq;
  const hw = engineIndex(yield* sc.csr.read(ctx, RT2560_SECCSR1), ring.physaddr, RT2560_TX_DESC_SIZE, RT2560_TX_RING_COUNT);
  for (let n = 0; hw !== null && ring.nextEncrypt !== hw && n < RT2560_TX_RING_COUNT; n++) {
    const addr = ring.desc(ring.nextEncrypt);
    const flags = readFlags(ctx, addr);
    if (flags & (RT2560_TX_BUSY | RT2560_TX_CIPHER_BUSY)) break;
    // (TKIP would swap the EIV here; this driver uses the engine for AES-CCM only.)
    const crp = ring.data[ring.nextEncrypt]?.crp;
    if (crp) {
      ring.data[ring.nextEncrypt]!.crp = null;
      ralCryptoTxEncrypted(ctx, sc, crp, flags, ring.buf(ring.nextEncrypt));
    }
    writeFlags(ctx, addr, (flags | RT2560_TX_BUSY | RT2560_TX_VALID) >>> 0);
    ctx.charge(RAL_TX_ENCRYPT_DONE_NS);
    ring.nextEncrypt = (ring.nextEncrypt + 1) % RT2560_TX_RING_COUNT;
  }
  sc.csr.write(ctx, RT2560_TXCSR0, RT2560_KICK_TX);
  ralCryptoOneShotIntr(ctx, sc, true);
}

/** One completed descriptor's bookkeeping, shared by the TX and PRIO rings. Returns false at the first not done. */
function txDone(ctx: ThreadCtx, sc: RalSoftc, ring: RalTxRing, count: number, data: boolean): boolean {
  const ifp = sc.ifp!;
  const addr = ring.desc(ring.next);
  const flags = readFlags(ctx, addr);
  const busy = data ? RT2560_TX_BUSY | RT2560_TX_CIPHER_BUSY : RT2560_TX_BUSY;
  if (flags & busy || !(flags & RT2560_TX_VALID)) return false;
  const d = ring.data[ring.next];
  const ni = d?.ni as Ieee80211Node | undefined;
  const result = flags & RT2560_TX_RESULT_MASK;
  const retries = (flags >>> 5) & 7;
  const rs = ni?.rates ?? [];
  if (result === RT2560_TX_SUCCESS) {
    if (data && d && ni && d.rateidx >= 0) ni.rssadapt.raiseRate(rs, { len: d.len, rateidx: d.rateidx, rssi: d.rssi }, ctx.now());
    if (data) ifp.data.opackets++;
  } else if (result === RT2560_TX_SUCCESS_RETRY) {
    sc.counters.txRetries += retries;
    if (data) ifp.data.opackets++;
  } else if (result === RT2560_TX_FAIL_RETRY) {
    sc.counters.txFailRetry++;
    if (data && d && ni && d.rateidx >= 0) ni.rssadapt.lowerRate(rs, { len: d.len, rateidx: d.rateidx, rssi: d.rssi });
    if (data) ifp.data.oerrors++;
  } else {
    sc.counters.txFailOther++;
    sc.log(`sending ${data ? 'data' : 'mgt'} frame failed 0x${flags.toString(16).padStart(8, '0')}`, _SLOG_ERROR);
    if (data) ifp.data.oerrors++;
  }
  ctx.trace('driver', data ? 'tx-done' : 'tx-mgt-done', d?.pktId ?? 0, { if: ifp.name, slot: ring.next, result: result >>> 2, retries });
  ring.data[ring.next] = null;
  // The descriptor is no longer valid.
  writeFlags(ctx, addr, (flags & ~RT2560_TX_VALID) >>> 0);
  ctx.charge(RAL_TX_DONE_NS);
  if (ring.queued > 0) ring.queued--;
  ring.next = (ring.next + 1) % count;
  return true;
}

/** rt2560_tx_intr / rt2560_prio_intr: free what the chip finished, then rt2560_start. */
function rt2560TxIntr(ctx: ThreadCtx, sc: RalSoftc, prio: boolean): void {
  const ring = prio ? sc.prioq : sc.txq;
  const count = prio ? RT2560_PRIO_RING_COUNT : RT2560_TX_RING_COUNT;
  for (let n = 0; n < count && txDone(ctx, sc, ring, count, !prio); n++) {
    // next descriptor
  }
  sc.txTimer = 0;
  sc.ifp!.flags &= ~IFF_OACTIVE;
  if (!prio) ralCryptoUnblock(ctx, sc);
  rt2560Start(ctx, sc);
}

/** rt2560_decryption_intr: frames the engine has passed go up to net80211; descriptors back to the chip. */
function* rt2560DecryptionIntr(ctx: ThreadCtx, sc: RalSoftc): Co<void> {
  const ifp = sc.ifp!;
  const ring = sc.rxq;
  const hw = engineIndex(yield* sc.csr.read(ctx, RT2560_SECCSR0), ring.physaddr, RT2560_RX_DESC_SIZE, RT2560_RX_RING_COUNT);
  ralCryptoOneShotIntr(ctx, sc, false);
  const desc = new Uint8Array(RT2560_RX_DESC_SIZE);
  for (let n = 0; hw !== null && ring.curDecrypt !== hw && n < RT2560_RX_RING_COUNT; n++) {
    const i = ring.curDecrypt;
    ctx.bus.memRead(ring.desc(i), desc);
    ctx.charge(HOST_DESC_ACCESS_NS);
    const flags = le32(desc, 0);
    if (flags & (RT2560_RX_BUSY | RT2560_RX_CIPHER_BUSY)) break;
    if (ring.drop[i]) {
      ifp.data.ierrors++;
      sc.counters.rxDropped++;
    } else if ((flags & RT2560_RX_CIPHER_MASK) !== 0 && flags & RT2560_RX_ICV_ERROR) {
      ifp.data.ierrors++;
    } else {
      const len = (flags >>> 16) & 0xfff;
      const data = new Uint8Array(len);
      ctx.bus.memRead(ring.buf(i), data);
      const rssi = desc[RXD_RSSI]!;
      const rate = rt2560Rxrate((flags & RT2560_RX_OFDM) !== 0, desc[RXD_RATE]!);
      const m: Mbuf = { data, pktId: ctx.identify?.(data) ?? 0, rcvif: ifp };
      ifp.data.ipackets++;
      ctx.charge(RAL_RX_FRAME_NS);
      ctx.trace('driver', 'rx', m.pktId, { if: ifp.name, len, slot: i, rssi, rate });
      ieee80211_input(ctx, sc.ic, m, rssi, 0);
    }
    // Back to the chip.
    writeFlags(ctx, ring.desc(i), RT2560_RX_BUSY);
    ring.curDecrypt = (i + 1) % RT2560_RX_RING_COUNT;
  }
  // In hostap mode net80211 queues relayed frames on if_snd without calling if_start.
  if (ifp.snd.length > 0 && !(ifp.flags & IFF_OACTIVE)) rt2560Start(ctx, sc);
}

/** rt2560_rx_intr: completed descriptors are marked for the cipher engine; KICK_DECRYPT. */
function rt2560RxIntr(ctx: ThreadCtx, sc: RalSoftc): void {
  const ring = sc.rxq;
  for (let n = 0; n < RT2560_RX_RING_COUNT; n++) {
    const i = ring.cur;
    const addr = ring.desc(i);
    const flags = readFlags(ctx, addr);
    if (flags & (RT2560_RX_BUSY | RT2560_RX_CIPHER_BUSY)) break;
    // Errored frames were not asked for (RXCSR0 drops them); a length beyond the cluster cannot be trusted.
    ring.drop[i] = (flags & (RT2560_RX_PHY_ERROR | RT2560_RX_CRC_ERROR)) !== 0 || ((flags >>> 16) & 0xfff) > MCLBYTES;
    writeFlags(ctx, addr, (flags | RT2560_RX_CIPHER_BUSY) >>> 0);
    ctx.charge(RAL_RX_MARK_NS);
    ring.cur = (i + 1) % RT2560_RX_RING_COUNT;
  }
  sc.csr.write(ctx, RT2560_SECCSR0, RT2560_KICK_DECRYPT);
}

/** rt2560_beacon_expire: in hostap/IBSS, refresh the beacon (TIM, …) and put it back in the BEACON ring. */
function rt2560BeaconExpire(ctx: ThreadCtx, sc: RalSoftc): void {
  const ic = sc.ic;
  if (ic.opmode !== 'hostap' && ic.opmode !== 'ibss') return;
  const ring = sc.bcnq;
  const d = ring.data[ring.next];
  if (!d || !sc.bo) return;
  const m: Mbuf = { data: d.frame, pktId: d.pktId };
  ieee80211_beacon_update(ic, d.ni as Ieee80211Node, sc.bo, m, 1);
  ctx.charge(RAL_BEACON_UPDATE_NS);
  rt2560TxBcn(ctx, sc, m, d.ni as Ieee80211Node);
  ring.next = (ring.next + 1) % RT2560_BEACON_RING_COUNT;
}

/** rt2560_intr + rt2560_softintr, in io-pkt's interrupt thread. Always "done" (io-pkt then unmasks the line). */
export function* rt2560Intr(ctx: ThreadCtx, sc: RalSoftc): Co<boolean> {
  yield* sc.lock(ctx);
  try {
    if (sc.detached || !sc.ifp) return true;
    const ifp = sc.ifp;
    ctx.charge(RAL_INTR_NS);
    if ((yield* sc.csr.read(ctx, RT2560_CSR7)) === 0) {
      sc.counters.intrNotOurs++;
      return true;
    }
    sc.csr.write(ctx, RT2560_CSR8, 0xffffffff);
    // Not running: leave every source masked (we are shutting down).
    if (!(ifp.flags & IFF_RUNNING)) return true;
    sc.counters.intr++;
    const r = yield* sc.csr.read(ctx, RT2560_CSR7);
    if (r !== 0) {
      sc.csr.write(ctx, RT2560_CSR7, r);
      ctx.trace('driver', 'intr', 0, { if: ifp.name, csr7: r });
      if (r & RT2560_BEACON_EXPIRE) rt2560BeaconExpire(ctx, sc);
      if (r & RT2560_WAKEUP_EXPIRE) {
        // rt2560_wakeup_expire: nothing to do (no power saving).
      }
      if (r & RT2560_ENCRYPTION_DONE) yield* rt2560EncryptionIntr(ctx, sc);
      if (r & RT2560_TX_DONE) rt2560TxIntr(ctx, sc, false);
      if (r & RT2560_PRIO_DONE) rt2560TxIntr(ctx, sc, true);
      if (r & RT2560_DECRYPTION_DONE) yield* rt2560DecryptionIntr(ctx, sc);
      if (r & RT2560_RX_DONE) rt2560RxIntr(ctx, sc);
    }
    sc.csr.write(ctx, RT2560_CSR8, RT2560_INTR_MASK);
    return true;
  } finally {
    sc.unlock();
  }
}
