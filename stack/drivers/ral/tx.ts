/**
 * Transmission (rt2560.c rt2560_tx_bcn, rt2560_tx_mgt, rt2560_get_rts, rt2560_tx_data, rt2560_start,
 * rt2560_watchdog).
 *
 * Management frames from net80211's ic_mgtq go on the PRIO ring at 1 Mb/s, straight to the transmitter
 * (BUSY|VALID, KICK_PRIO). Data frames — Ethernet frames from if_snd, encapsulated by ieee80211_encap for the
 * node ieee80211_find_txnode picks — go on the TX ring at the rate rssadapt (or the fixed rate) chooses, and
 * pass through the cipher engine first as the BSD driver routes them: the descriptor is handed over with
 * CIPHER_BUSY and SECCSR1 = KICK_ENCRYPT; the engine's ENCRYPTION_DONE interrupt (intr.ts) turns it into
 * BUSY|VALID and kicks the transmitter. Unicast frames ask for an ACK (the MAC retries on its own) and carry
 * a Duration of SIFS + ACK at the ACK rate; probe responses get the hardware timestamp. Frames longer than
 * the RTS threshold are preceded by an RTS on the TX ring (MORE_FRAG) and sent SIFS after it.
 */
import type { ThreadCtx } from '../../kernel/api';
import type { CryptoRequest } from '../../crypto/api';
import { IFF_OACTIVE, IFF_RUNNING } from '../../net/if';
import type { Mbuf } from '../../net/mbuf';
import type { Ieee80211Node } from '../../net80211/node';
import { IEEE80211_MODE_11B, IEEE80211_RATE_VAL } from '../../net80211/rates';
import { ieee80211_encap, ieee80211_find_txnode } from '../../net80211/output';
import { IEEE80211_F_SHPREAMBLE, IEEE80211_FIXED_RATE_NONE } from '../../net80211/var';
import { HOST_DESC_ACCESS_NS, RAL_TX_FRAME_NS } from './costs';
import { RAL_ACK_SIZE, RAL_CTS_SIZE, RAL_SIFS, rt2560AckRate, rt2560SetupTxDesc, rt2560Txtime } from './desc';
import {
  MCLBYTES, RT2560_KICK_ENCRYPT, RT2560_KICK_PRIO, RT2560_PRIO_RING_COUNT, RT2560_SECCSR1, RT2560_TX_ACK,
  RT2560_TX_IFS_NEWBACKOFF, RT2560_TX_IFS_SIFS, RT2560_TX_LONG_RETRY, RT2560_TX_MORE_FRAG, RT2560_TX_RING_COUNT,
  RT2560_TX_TIMESTAMP, RT2560_TXCSR0,
} from './regs';
import type { RalSoftc, RalTxRing } from './softc';
import { _SLOG_ERROR } from '../../io-pkt/driver-api';

/** Management and beacon rate in the 2.4 GHz band: 1 Mb/s. */
const RAL_MGT_RATE = 2;
/** struct ieee80211_frame_rts: fc, duration, RA, TA. */
const RTS_LEN = 16;

function isGroup(frame: Uint8Array): boolean {
  return ((frame[4] ?? 0) & 1) !== 0;
}

function setDuration(frame: Uint8Array, dur: number): void {
  frame[2] = dur & 0xff;
  frame[3] = (dur >>> 8) & 0xff;
}

function shortPreamble(sc: RalSoftc): boolean {
  return (sc.ic.flags & IEEE80211_F_SHPREAMBLE) !== 0;
}

/** Copy a frame into slot `i`'s DMA buffer and write its descriptor (the bus_dmamap_load + desc fill). */
function fillSlot(ctx: ThreadCtx, ring: RalTxRing, i: number, frame: Uint8Array, desc: Uint8Array, pktId: number): void {
  ctx.bus.memWrite(ring.buf(i), frame);
  ctx.tagPacket?.(frame, pktId);
  ctx.bus.memWrite(ring.desc(i), desc);
  ctx.charge(RAL_TX_FRAME_NS + HOST_DESC_ACCESS_NS);
}

/**
 * rt2560_tx_bcn: the beacon into the BEACON ring's descriptor, valid for the beacon generator (no kick: the
 * chip sends it at each TBTT, stamping the TSF, after a new backoff).
 */
export function rt2560TxBcn(ctx: ThreadCtx, sc: RalSoftc, m: Mbuf, ni: Ieee80211Node): boolean {
  const ring = sc.bcnq;
  const i = ring.cur;
  if (m.data.length === 0 || m.data.length > MCLBYTES) {
    sc.log(`could not map mbuf (beacon of ${m.data.length} bytes)`, _SLOG_ERROR);
    return false;
  }
  ring.data[i] = { pktId: m.pktId, len: m.data.length, frame: m.data, ni, rateidx: -1, rssi: 0 };
  const desc = rt2560SetupTxDesc(RT2560_TX_IFS_NEWBACKOFF | RT2560_TX_TIMESTAMP, m.data.length, RAL_MGT_RATE, false, ring.buf(i), shortPreamble(sc));
  fillSlot(ctx, ring, i, m.data, desc, m.pktId);
  sc.counters.txBeacon++;
  ctx.trace('driver', 'tx-beacon', m.pktId, { if: sc.ifp?.name ?? 'ral', len: m.data.length });
  return true;
}

/** rt2560_tx_mgt: one management frame on the PRIO ring, then KICK_PRIO. */
export function rt2560TxMgt(ctx: ThreadCtx, sc: RalSoftc, m: Mbuf, ni: Ieee80211Node): boolean {
  const ring = sc.prioq;
  const i = ring.cur;
  const wh = m.data;
  if (wh.length < 10 || wh.length > MCLBYTES) {
    sc.log(`could not map mbuf (management frame of ${wh.length} bytes)`, _SLOG_ERROR);
    return false;
  }
  let flags = 0;
  if (!isGroup(wh)) {
    flags |= RT2560_TX_ACK;
    setDuration(wh, rt2560Txtime(RAL_ACK_SIZE, RAL_MGT_RATE, shortPreamble(sc)) + RAL_SIFS);
    // The hardware stamps the TSF into probe responses.
    if ((wh[0]! & 0xfc) === 0x50) flags |= RT2560_TX_TIMESTAMP;
  }
  ring.data[i] = { pktId: m.pktId, len: wh.length, frame: wh, ni, rateidx: -1, rssi: 0 };
  fillSlot(ctx, ring, i, wh, rt2560SetupTxDesc(flags, wh.length, RAL_MGT_RATE, false, ring.buf(i), shortPreamble(sc)), m.pktId);
  ring.queued++;
  ring.cur = (i + 1) % RT2560_PRIO_RING_COUNT;
  sc.csr.write(ctx, RT2560_TXCSR0, RT2560_KICK_PRIO);
  sc.counters.txMgt++;
  ctx.trace('driver', 'tx-mgt', m.pktId, { if: sc.ifp?.name ?? 'ral', len: wh.length, slot: i, subtype: wh[0]! >>> 4 });
  return true;
}

/** rt2560_get_rts: an RTS for `wh` reserving the medium for `dur` µs. */
function rt2560GetRts(wh: Uint8Array, dur: number): Uint8Array {
  const rts = new Uint8Array(RTS_LEN);
  rts[0] = 0xb4; // version 0, control, RTS
  rts[1] = 0;
  setDuration(rts, dur);
  rts.set(wh.subarray(4, 10), 4);
  rts.set(wh.subarray(10, 16), 10);
  return rts;
}

/**
 * rt2560_tx_data: one data frame (and its RTS) on the TX ring through the cipher engine, then KICK_ENCRYPT. With
 * `crp` (crypto.ts: an inline CCMP request) `m.data` is the protected MPDU's layout (header, CCMP header, payload,
 * room for the MIC): the buffer gets header ‖ payload and the descriptor AES with the request's IV and key; the
 * PLCP length and the RTS's Duration are the protected frame's.
 */
export function rt2560TxData(ctx: ThreadCtx, sc: RalSoftc, m: Mbuf, ni: Ieee80211Node, crp?: CryptoRequest): boolean {
  const ic = sc.ic;
  const ring = sc.txq;
  const wh = m.data;
  if (wh.length < 24 || wh.length > MCLBYTES) {
    sc.log(`could not map mbuf (data frame of ${wh.length} bytes)`, _SLOG_ERROR);
    return false;
  }
  let rate: number;
  let rateidx = -1;
  if (ic.fixedRate !== IEEE80211_FIXED_RATE_NONE) {
    rate = ic.supRates[ic.curmode]?.[ic.fixedRate] ?? RAL_MGT_RATE;
  } else {
    ni.txrate = ni.rssadapt.choose(ni.rates, wh.length, false);
    rateidx = ni.txrate;
    rate = ni.rates[ni.txrate] ?? RAL_MGT_RATE;
  }
  rate &= IEEE80211_RATE_VAL;
  const sp = shortPreamble(sc);
  const mode11b = ic.curmode === IEEE80211_MODE_11B;
  let flags = 0;
  // 802.11-1999 9.2: RTS/CTS for directed frames longer than the RTS threshold.
  if (!isGroup(wh) && wh.length > ic.rtsthreshold) {
    const rtsrate = RAL_MGT_RATE;
    const ackrate = rt2560AckRate(rate, mode11b);
    const dur = rt2560Txtime(wh.length + 4, rate, sp) + rt2560Txtime(RAL_CTS_SIZE, rtsrate, sp) +
      rt2560Txtime(RAL_ACK_SIZE, ackrate, sp) + 3 * RAL_SIFS;
    const rts = rt2560GetRts(wh, dur);
    const j = ring.curEncrypt;
    ring.data[j] = { pktId: 0, len: rts.length, frame: rts, ni, rateidx: -1, rssi: 0 };
    fillSlot(ctx, ring, j, rts, rt2560SetupTxDesc(RT2560_TX_ACK | RT2560_TX_MORE_FRAG, rts.length, rtsrate, true, ring.buf(j), sp), 0);
    ring.queued++;
    ring.curEncrypt = (j + 1) % RT2560_TX_RING_COUNT;
    // The data frame follows the CTS after SIFS.
    flags |= RT2560_TX_LONG_RETRY | RT2560_TX_IFS_SIFS;
  }
  const i = ring.curEncrypt;
  if (!isGroup(wh)) {
    flags |= RT2560_TX_ACK;
    setDuration(wh, rt2560Txtime(RAL_ACK_SIZE, rt2560AckRate(rate, mode11b), sp) + RAL_SIFS);
  }
  ring.data[i] = { pktId: m.pktId, len: wh.length, frame: wh, ni, rateidx, rssi: ni.rssi, crp: crp ?? null };
  if (crp) {
    // rt2x00crypto_tx_remove_iv's convention: the CCMP header travels in the descriptor, not in the buffer.
    const plain = new Uint8Array(crp.hdrLen + crp.len);
    plain.set(wh.subarray(0, crp.hdrLen));
    plain.set(wh.subarray(crp.skip, crp.skip + crp.len), crp.hdrLen);
    const cipher = { ivOffset: crp.hdrLen, iv: crp.iv, key: crp.ccm.key, airLen: wh.length };
    fillSlot(ctx, ring, i, plain, rt2560SetupTxDesc(flags, plain.length, rate, true, ring.buf(i), sp, cipher), m.pktId);
  } else {
    fillSlot(ctx, ring, i, wh, rt2560SetupTxDesc(flags, wh.length, rate, true, ring.buf(i), sp), m.pktId);
  }
  ring.queued++;
  ring.curEncrypt = (i + 1) % RT2560_TX_RING_COUNT;
  sc.csr.write(ctx, RT2560_SECCSR1, RT2560_KICK_ENCRYPT);
  sc.counters.txData++;
  ctx.trace('driver', 'tx', m.pktId, { if: sc.ifp?.name ?? 'ral', len: wh.length, slot: i, rate });
  return true;
}

/**
 * rt2560_start: management frames first (PRIO ring full → IFF_OACTIVE), then, only in RUN, data frames
 * already CCMP-protected by another engine (ic_cryptoq), then data frames from if_snd (TX ring within one
 * descriptor of full → IFF_OACTIVE); ieee80211_encap of a frame that needs CCMP dispatches it to the crypto API and
 * gives nothing back now (this driver's own engine puts it on the TX ring from inside that call, crypto.ts). Arms the 5 s transmit timer. Unlike the NetBSD
 * code, a data frame is left on if_snd (not dequeued and lost) when the ring is full.
 */
export function rt2560Start(ctx: ThreadCtx, sc: RalSoftc): void {
  const ifp = sc.ifp;
  const ic = sc.ic;
  if (!ifp || (ifp.flags & (IFF_RUNNING | IFF_OACTIVE)) !== IFF_RUNNING) return;
  for (;;) {
    const mg = ic.mgtq[0];
    if (mg) {
      if (sc.prioq.queued >= RT2560_PRIO_RING_COUNT) {
        ifp.flags |= IFF_OACTIVE;
        break;
      }
      ic.mgtq.shift();
      if (!rt2560TxMgt(ctx, sc, mg.m, mg.ni)) break;
    } else if (ic.cryptoq.length > 0 && ic.state === 'RUN') {
      // Frames CCMP-encrypted elsewhere (the software provider): on the TX ring as they are (CIPHER_NONE).
      if (sc.txq.queued >= RT2560_TX_RING_COUNT - 1) {
        ifp.flags |= IFF_OACTIVE;
        break;
      }
      const e = ic.cryptoq.shift()!;
      if (!rt2560TxData(ctx, sc, e.m, e.ni)) {
        ifp.data.oerrors++;
        break;
      }
    } else {
      if (ic.state !== 'RUN') break;
      const m0 = ifp.snd[0];
      if (!m0) break;
      if (sc.txq.queued >= RT2560_TX_RING_COUNT - 1) {
        ifp.flags |= IFF_OACTIVE;
        break;
      }
      ifp.snd.shift();
      if (m0.data.length < 14) {
        ifp.data.oerrors++;
        continue;
      }
      const ni = ieee80211_find_txnode(ic, m0.data.subarray(0, 6));
      if (!ni) {
        ifp.data.oerrors++;
        continue;
      }
      const m = ieee80211_encap(ic, m0, ni, ctx);
      if (!m) continue;
      if (!rt2560TxData(ctx, sc, m, ni)) {
        ifp.data.oerrors++;
        break;
      }
    }
    sc.txTimer = 5;
  }
}
