/**
 * The RT2560's PHY side as the MAC sees it: the PLCP SIGNAL codes of its descriptors (rt2560_plcp_signal in
 * NetBSD rt2560.c; rt2x00 writes the same), the rate of a received frame as RXD_W2.SIGNAL reports it
 * (rt2500pci_fill_rxdone), the basic-rate bitmap order of ARCSR1, and the 802.11b/g durations the MAC needs
 * for the fields it computes itself (ACK/CTS Duration/ID, the timestamp of beacons and probe responses).
 *
 * Durations (IEEE 802.11-2012): DSSS/CCK (clauses 16, 17) = PLCP preamble + header, 192 µs long / 96 µs short,
 * plus ceil(8·L / R) whole µs; ERP-OFDM (clause 19, 18.4.3) = 16 µs preamble + 4 µs SIGNAL + 4 µs per symbol of
 * 16 service + 8·L + 6 tail bits, plus the 6 µs signal extension of 2.4 GHz OFDM (19.3.2.4). L includes the FCS.
 */
import type { WifiRate } from '../../emulator/machine/net/wireless/radio';

/** Rates in ARCSR1 bit order (mac80211 band rate index of rt2x00: CCK 1, 2, 5.5, 11, then OFDM 6 … 54). */
export const RATE_ORDER: readonly WifiRate[] = [1, 2, 5.5, 11, 6, 9, 12, 18, 24, 36, 48, 54];

export const isOfdm = (r: WifiRate): boolean => r !== 1 && r !== 2 && r !== 5.5 && r !== 11;

/** OFDM SIGNAL RATE codes (802.11-2012 Table 18-6). */
const OFDM_CODE: ReadonlyMap<WifiRate, number> = new Map<WifiRate, number>([
  [6, 0x0b], [9, 0x0f], [12, 0x0a], [18, 0x0e], [24, 0x09], [36, 0x0d], [48, 0x08], [54, 0x0c],
]);
const CCK_RATES: readonly WifiRate[] = [1, 2, 5.5, 11];
/** Data bits per OFDM symbol (802.11-2012 Table 18-4). */
const N_DBPS: ReadonlyMap<WifiRate, number> = new Map<WifiRate, number>([
  [6, 24], [9, 36], [12, 48], [18, 72], [24, 96], [36, 144], [48, 192], [54, 216],
]);

/** The short-preamble flag the drivers OR into a CCK SIGNAL byte (rt2560_setup_tx_desc; ARCSR3–5). */
export const PLCP_SHORT_PREAMBLE = 0x08;

/** A descriptor's TXD_W3 SIGNAL byte and W0.OFDM bit decoded; null for a code no rate has (RESULT invalid). */
export function decodeTxSignal(signal: number, ofdm: boolean): { rate: WifiRate; shortPreamble: boolean } | null {
  if (ofdm) {
    for (const [rate, code] of OFDM_CODE) if (code === (signal & 0x0f) && (signal & 0xf0) === 0) return { rate, shortPreamble: false };
    return null;
  }
  const idx = signal & ~PLCP_SHORT_PREAMBLE;
  const rate = CCK_RATES[idx];
  if (idx > 3 || rate === undefined) return null;
  // 1 Mb/s has no short preamble (802.11-2012 17.2.2.3); the flag is ignored there.
  return { rate, shortPreamble: (signal & PLCP_SHORT_PREAMBLE) !== 0 && rate !== 1 };
}

/** The SIGNAL byte a descriptor would carry for `rate` (tests and the auto-responder's own PPDUs). */
export function txSignal(rate: WifiRate, shortPreamble = false): number {
  const code = OFDM_CODE.get(rate);
  if (code !== undefined) return code;
  return CCK_RATES.indexOf(rate) | (shortPreamble && rate !== 1 ? PLCP_SHORT_PREAMBLE : 0);
}

/** RXD_W2.SIGNAL for a frame received at `rate`: CCK in 100 kb/s units, OFDM the PLCP RATE code (rt2500pci_fill_rxdone). */
export function rxSignal(rate: WifiRate): number {
  return OFDM_CODE.get(rate) ?? Math.round(rate * 10);
}

/** µs of the PLCP preamble and header before the first MPDU bit. */
export function plcpUs(rate: WifiRate, shortPreamble: boolean): number {
  if (isOfdm(rate)) return 20;
  return shortPreamble && rate !== 1 ? 96 : 192;
}

/** Airtime in ns of a PPDU whose MPDU + FCS is `bytes` long. */
export function airtimeNs(bytes: number, rate: WifiRate, shortPreamble: boolean): number {
  if (isOfdm(rate)) {
    const ndbps = N_DBPS.get(rate)!;
    return (20 + 4 * Math.ceil((16 + 8 * bytes + 6) / ndbps) + 6) * 1000;
  }
  // Clause 16 TXTIME: Ceiling(LENGTH × 8 / DATARATE) whole µs (in tenths of Mb/s so that 5.5 stays exact).
  return (plcpUs(rate, shortPreamble) + Math.ceil((80 * bytes) / Math.round(rate * 10))) * 1000;
}

/**
 * ns from the start of a PPDU to the first bit of MPDU byte `offset` (where the chip inserts the TSF:
 * TXCSR1.TSF_OFFSET, 24 for beacons and probe responses). 802.11-2012 10.1.3.1: the timestamp is the TSF
 * at the time the first bit of the timestamp leaves the PHY.
 */
export function byteOffsetNs(offset: number, rate: WifiRate, shortPreamble: boolean): number {
  if (isOfdm(rate)) return (20 + 4 * Math.floor((16 + 8 * offset) / N_DBPS.get(rate)!)) * 1000;
  return plcpUs(rate, shortPreamble) * 1000 + Math.floor((8 * offset * 1000) / rate);
}

/**
 * The rate of a control response (ACK, CTS) to a frame received at `rxRate` (802.11-2012 9.7.6.5.2): the highest
 * rate in the basic rate set (ARCSR1, bit i = RATE_ORDER[i]) that is ≤ the received rate and of the same modulation
 * class; without one, the highest mandatory rate of that class ≤ the received rate (1 Mb/s; 6, 12, 24 Mb/s).
 */
export function responseRate(rxRate: WifiRate, basicRates: number): WifiRate {
  const ofdm = isOfdm(rxRate);
  let best: WifiRate | null = null;
  RATE_ORDER.forEach((r, i) => {
    if ((basicRates >>> i) & 1 && isOfdm(r) === ofdm && r <= rxRate && (best === null || r > best)) best = r;
  });
  if (best !== null) return best;
  const mandatory: readonly WifiRate[] = ofdm ? [6, 12, 24] : [1];
  return mandatory.filter((r) => r <= rxRate).pop() ?? mandatory[0]!;
}
