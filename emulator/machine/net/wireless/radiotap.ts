/**
 * radiotap pcaps of a wireless link (LINKTYPE_IEEE802_11_RADIOTAP, 127): every PPDU on the air once, as a sniffer
 * with an antenna everywhere would log it. The record is stamped with the virtual time the PPDU's first symbol left
 * the transmitter (what mac80211 calls the MAC time of the start of the frame), so the gap between a frame and the
 * ACK after it reads as its airtime + SIFS + propagation in Wireshark's frame times. The header (radiotap.org,
 * "Defined fields"; little endian, each field aligned to its size) carries:
 *   Flags (bit 1): short preamble 0x02 (DSSS/CCK rates other than 1 Mb/s), FCS at end 0x10 (we append the CRC-32
 *     the sender's MAC would);
 *   Rate (bit 2): 500 kb/s units;
 *   Channel (bit 3): centre frequency MHz, flags 2 GHz 0x0080 | CCK 0x0020 or OFDM 0x0040;
 *   dBm antenna signal / dBm antenna noise (bits 5, 6): at the radio the frame is addressed to (Address 1), its
 *     received power and thermal noise floor; for a group-addressed frame (beacons, broadcasts) at the radio that
 *     receives it strongest; left out for a unicast address no radio has and when no other radio is attached;
 *   dBm TX power (bit 10): the transmitter's power.
 * Interference bursts carry no frame and are not recorded.
 */
import type { Time } from '../../sim/time';
import { LINKTYPE_IEEE802_11_RADIOTAP, PcapFileWriter, type PcapOptions, type PcapWriter } from '../pcap';
import { crc32 } from '../crc32';
import type { Ppdu } from './radio';
import { FCS_LEN, channelFrequencyMHz, rateInfo, usesShortPreamble } from './phy';

export { LINKTYPE_IEEE802_11_RADIOTAP };

/** it_present bits (radiotap.org). */
export const RT_FLAGS = 1;
export const RT_RATE = 2;
export const RT_CHANNEL = 3;
export const RT_DBM_ANTSIGNAL = 5;
export const RT_DBM_ANTNOISE = 6;
export const RT_DBM_TX_POWER = 10;

/** Flags field bits. */
export const RT_F_SHORTPRE = 0x02;
export const RT_F_FCS = 0x10;
export const RT_F_BADFCS = 0x40;

/** Channel flags. */
export const RT_CHAN_CCK = 0x0020;
export const RT_CHAN_OFDM = 0x0040;
export const RT_CHAN_2GHZ = 0x0080;

/** What the record says about one PPDU. */
export interface RadiotapInfo {
  readonly ppdu: Ppdu;
  readonly channel: number;
  readonly txPowerDbm: number;
  /** Signal and noise at the addressed receiver (dBm), or null. */
  readonly rx: { readonly signalDbm: number; readonly noiseDbm: number } | null;
}

/** IEEE 802.11 FCS: the CRC-32 of IEEE 802 (802.11-2016 9.2.4.8), reflected, sent least significant byte first. */
export function fcs32(data: Uint8Array): number {
  return crc32(data);
}

function dbmByte(dbm: number): number {
  return Math.max(-128, Math.min(127, Math.round(dbm))) & 0xff;
}

/** The radiotap header and the MPDU with its FCS appended. */
export function radiotapRecord(info: RadiotapInfo): Uint8Array {
  const { ppdu } = info;
  const r = rateInfo(ppdu.rate);
  let present = (1 << RT_FLAGS) | (1 << RT_RATE) | (1 << RT_CHANNEL) | (1 << RT_DBM_TX_POWER);
  if (info.rx) present |= (1 << RT_DBM_ANTSIGNAL) | (1 << RT_DBM_ANTNOISE);
  // 8-byte header; flags @8, rate @9, channel @10 (u16 aligned), [signal, noise], TX power.
  const hdrLen = 8 + 1 + 1 + 4 + (info.rx ? 2 : 0) + 1;
  const out = new Uint8Array(hdrLen + ppdu.mpdu.length + FCS_LEN);
  const v = new DataView(out.buffer);
  v.setUint8(0, 0);
  v.setUint8(1, 0);
  v.setUint16(2, hdrLen, true);
  v.setUint32(4, present >>> 0, true);
  let flags = RT_F_FCS;
  if (usesShortPreamble(ppdu.rate, ppdu.shortPreamble)) flags |= RT_F_SHORTPRE;
  v.setUint8(8, flags);
  v.setUint8(9, r.radiotapRate);
  v.setUint16(10, channelFrequencyMHz(info.channel), true);
  v.setUint16(12, RT_CHAN_2GHZ | (r.ofdm ? RT_CHAN_OFDM : RT_CHAN_CCK), true);
  let off = 14;
  if (info.rx) {
    v.setUint8(off++, dbmByte(info.rx.signalDbm));
    v.setUint8(off++, dbmByte(info.rx.noiseDbm));
  }
  v.setUint8(off++, dbmByte(info.txPowerDbm));
  out.set(ppdu.mpdu, off);
  v.setUint32(off + ppdu.mpdu.length, fcs32(ppdu.mpdu), true);
  return out;
}

/** Something that reports each PPDU as it starts (WirelessChannel.tapRadiotap). */
export interface RadiotapSource {
  tapRadiotap(fn: (t: Time, info: RadiotapInfo) => void): void;
}

export function attachRadiotapPcap<W extends PcapWriter>(medium: RadiotapSource, writer: W): W {
  medium.tapRadiotap((t, info) => writer.writeRecord(t, radiotapRecord(info)));
  return writer;
}

/** Open `path` and capture the wireless medium into it (radiotap); close() the writer at the end of the run. */
export function openRadiotapPcap(medium: RadiotapSource, path: string, opts: PcapOptions = {}): PcapFileWriter {
  return attachRadiotapPcap(medium, new PcapFileWriter(path, { ...opts, linktype: LINKTYPE_IEEE802_11_RADIOTAP }));
}
