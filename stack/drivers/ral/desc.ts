/**
 * Descriptor and PHY arithmetic of the BSD driver (rt2560.c rt2560_plcp_signal, rt2560_rxrate, rt2560_ack_rate,
 * rt2560_txtime, rt2560_setup_tx_desc). Rates are net80211's: units of 500 kb/s (2 = 1 Mb/s, 108 = 54 Mb/s).
 * Descriptors are 48-byte little-endian records in host memory (regs.ts TXD_* / RXD_* offsets).
 */
import {
  RT2560_AIFSN, RT2560_IVOFFSET, RT2560_LOGCWMAX, RT2560_TX_CIPHER_AES, TXD_IV, TXD_KEY, RT2560_LOGCWMIN, RT2560_PLCP_LENGEXT, RT2560_TX_BUSY, RT2560_TX_CIPHER_BUSY,
  RT2560_TX_DESC_SIZE, RT2560_TX_OFDM, RT2560_TX_VALID, TXD_FLAGS, TXD_PHYSADDR, TXD_PLCP_LENGTH_HI,
  TXD_PLCP_LENGTH_LO, TXD_PLCP_SERVICE, TXD_PLCP_SIGNAL, TXD_WME,
} from './regs';

/** 802.11 ACK and CTS: 10 bytes + FCS. */
export const RAL_ACK_SIZE = 14;
export const RAL_CTS_SIZE = 14;
/** SIFS, µs (802.11b/g). */
export const RAL_SIFS = 10;
/** The RF's receive-to-transmit turnaround, µs, taken off SIFS in CSR18. */
export const RT2560_RXTX_TURNAROUND = 10;
/** IEEE80211_CRC_LEN. */
export const IEEE80211_CRC_LEN = 4;

/** RAL_RATE_IS_OFDM: every rate of 6 Mb/s and up except 11 Mb/s CCK. */
export function ralRateIsOfdm(rate: number): boolean {
  return rate >= 12 && rate !== 22;
}

/** rt2560_plcp_signal: CCK rates are device codes 0–3; OFDM the 802.11a RATE field (Table 80). 0xff = unknown. */
export function rt2560PlcpSignal(rate: number): number {
  switch (rate) {
    case 2: return 0x0;
    case 4: return 0x1;
    case 11: return 0x2;
    case 22: return 0x3;
    case 12: return 0xb;
    case 18: return 0xf;
    case 24: return 0xa;
    case 36: return 0xe;
    case 48: return 0x9;
    case 72: return 0xd;
    case 96: return 0x8;
    case 108: return 0xc;
    default: return 0xff;
  }
}

/** rt2560_rxrate: the RX descriptor's rate byte (OFDM signal code, or CCK in 100 kb/s) back to 500 kb/s units. */
export function rt2560Rxrate(ofdm: boolean, code: number): number {
  if (ofdm) {
    switch (code) {
      case 0xb: return 12;
      case 0xf: return 18;
      case 0xa: return 24;
      case 0xe: return 36;
      case 0x9: return 48;
      case 0xd: return 72;
      case 0x8: return 96;
      case 0xc: return 108;
    }
  } else {
    if (code === 10) return 2;
    if (code === 20) return 4;
    if (code === 55) return 11;
    if (code === 110) return 22;
  }
  return 2;
}

/** rt2560_ack_rate: the rate the receiver's ACK comes back at (11b mode acknowledges CCK at 2 Mb/s). */
export function rt2560AckRate(rate: number, mode11b: boolean): number {
  switch (rate) {
    case 2: return 2;
    case 4: case 11: case 22: return mode11b ? 4 : rate;
    case 12: case 18: return 12;
    case 24: case 36: return 24;
    case 48: case 72: case 96: case 108: return 48;
    default: return 2;
  }
}

/**
 * rt2560_txtime: µs to send `len` bytes at `rate`. OFDM (802.11a-1999 17.4.3): 16 µs preamble + 4 µs SIGNAL
 * + 4 µs symbols of 16 service + 8·len + 6 tail bits + 6 µs signal extension. DSSS/CCK (802.11b-1999 18.3.4):
 * the PLCP (long 144 + 48 µs; short 72 + 24 µs except at 1 Mb/s) + 8·len / Mb/s.
 */
export function rt2560Txtime(len: number, rate: number, shortPreamble: boolean): number {
  if (ralRateIsOfdm(rate)) {
    const symbols = Math.floor((8 + 4 * len + 3 + rate - 1) / rate);
    return 16 + 4 + 4 * symbols + 6;
  }
  let t = Math.floor((16 * len + rate - 1) / rate);
  t += rate !== 2 && shortPreamble ? 72 + 24 : 144 + 48;
  return t;
}

function put32(b: Uint8Array, off: number, v: number): void {
  b[off] = v & 0xff;
  b[off + 1] = (v >>> 8) & 0xff;
  b[off + 2] = (v >>> 16) & 0xff;
  b[off + 3] = (v >>> 24) & 0xff;
}

export function le32(b: Uint8Array, off: number): number {
  return (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24)) >>> 0;
}

/** A descriptor for the AES engine: IV_OFFSET (the MAC header's length), the CCMP header (W4/W5), the key (W6–W9). */
export interface RalTxCipher {
  ivOffset: number;
  iv: Uint8Array;
  key: Uint8Array;
  /** The protected MPDU's length (header + 8 + payload + 8), for the PLCP LENGTH. */
  airLen: number;
}

/**
 * rt2560_setup_tx_desc: a TX descriptor for an MPDU of `len` bytes (FCS excluded) at `rate`. `encrypt` hands
 * it to the cipher engine (CIPHER_BUSY) instead of the transmitter (BUSY|VALID). Contention from the
 * descriptor: AIFSN 2, CWmin 2^3−1… as the BSD driver sets it. PLCP LENGTH is bytes for OFDM and µs for CCK
 * (with the 11 Mb/s length-extension bit, 802.11b 18.2.3.5).
 */
export function rt2560SetupTxDesc(flags: number, len: number, rate: number, encrypt: boolean, physaddr: number, shortPreamble: boolean, cipher?: RalTxCipher): Uint8Array {
  const d = new Uint8Array(RT2560_TX_DESC_SIZE);
  // NetBSD sets CIPHER_BUSY alone for the cipher engine; rt2560_encryption_intr adds BUSY|VALID afterwards.
  let f = flags | (len << 16) | (encrypt || cipher ? RT2560_TX_CIPHER_BUSY : RT2560_TX_BUSY | RT2560_TX_VALID);
  put32(d, TXD_PHYSADDR, physaddr);
  let wme = RT2560_AIFSN(2) | RT2560_LOGCWMIN(3) | RT2560_LOGCWMAX(8);
  if (cipher) {
    // The engine inserts the CCMP header at IV_OFFSET and appends the MIC (nic-models/rt2560/cipher.ts).
    f |= RT2560_TX_CIPHER_AES;
    wme |= RT2560_IVOFFSET(cipher.ivOffset);
    d.set(cipher.iv.subarray(0, 8), TXD_IV);
    d.set(cipher.key.subarray(0, 16), TXD_KEY);
  }
  d[TXD_WME] = wme & 0xff;
  d[TXD_WME + 1] = (wme >>> 8) & 0xff;
  let signal = rt2560PlcpSignal(rate);
  let service = 4;
  // The PLCP length is what goes on the air: with the cipher, the protected MPDU.
  const plen = (cipher ? cipher.airLen : len) + IEEE80211_CRC_LEN;
  if (ralRateIsOfdm(rate)) {
    f |= RT2560_TX_OFDM;
    const l = plen & 0xfff;
    d[TXD_PLCP_LENGTH_HI] = l >>> 6;
    d[TXD_PLCP_LENGTH_LO] = l & 0x3f;
  } else {
    const l = Math.floor((16 * plen + rate - 1) / rate);
    if (rate === 22) {
      const remainder = (16 * plen) % 22;
      if (remainder !== 0 && remainder < 7) service |= RT2560_PLCP_LENGEXT;
    }
    d[TXD_PLCP_LENGTH_HI] = (l >>> 8) & 0xff;
    d[TXD_PLCP_LENGTH_LO] = l & 0xff;
    if (rate !== 2 && shortPreamble) signal |= 0x08;
  }
  d[TXD_PLCP_SIGNAL] = signal;
  d[TXD_PLCP_SERVICE] = service;
  put32(d, TXD_FLAGS, f >>> 0);
  return d;
}
