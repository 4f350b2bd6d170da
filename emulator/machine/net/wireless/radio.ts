/**
 * The interface between an 802.11 radio (a NIC model's PHY side, nic-models/) and the wireless medium
 * (emulator/machine/net/wireless). Like link.ts for wires: the medium owns propagation, path loss, noise,
 * interference, SINR, the error model and clear channel assessment; the radio's MAC owns DCF (deferral,
 * backoff, ACK generation and waiting, retries) as the RT2560 does in silicon.
 *
 * DRAFT (issue 9): refined by the engineers who implement it; keep changes coherent with both sides.
 */

/** 802.11b/g data rates in Mb/s: DSSS/CCK (1, 2, 5.5, 11) and ERP-OFDM (6 … 54). */
export type WifiRate = 1 | 2 | 5.5 | 11 | 6 | 9 | 12 | 18 | 24 | 36 | 48 | 54;

export const DSSS_RATES: readonly WifiRate[] = [1, 2, 5.5, 11];
export const OFDM_RATES: readonly WifiRate[] = [6, 9, 12, 18, 24, 36, 48, 54];

/** One PPDU on the air: the MPDU (802.11 MAC header + body, FCS excluded) and how it is modulated. */
export interface Ppdu {
  readonly mpdu: Uint8Array;
  /** Packet id for tracing (0 = unknown). */
  readonly pktId: number;
  readonly rate: WifiRate;
  /** DSSS/CCK short PLCP preamble (72 + 24 µs instead of 144 + 48). Ignored for OFDM. */
  readonly shortPreamble: boolean;
}

/** How one receiver heard one PPDU. */
export interface RxInfo {
  /** Received signal strength at this antenna, dBm. */
  readonly rssiDbm: number;
  /** Noise floor plus the interference summed over the frame, dBm. */
  readonly noiseDbm: number;
  /** Signal to interference-plus-noise ratio over the frame, dB (the worst segment). */
  readonly sinrDb: number;
  /** The error model's draw: false = the frame arrives corrupted (the MAC sees a CRC error). */
  readonly ok: boolean;
  readonly channel: number;
}

/** What a radio implements; the medium calls it. */
export interface RadioListener {
  /** A PPDU ended at this antenna while the radio listened on its channel. */
  rxEnd(ppdu: Ppdu, rx: RxInfo): void;
  /** Clear channel assessment changed (energy above the CCA threshold or a decodable preamble). */
  ccaChanged(busy: boolean): void;
  /** Our own transmission's last symbol left the antenna. */
  txDone(): void;
}

/** A radio's attachment to the medium. */
export interface RadioPort {
  readonly channel: number;
  /** Tune (2.4 GHz channels 1–14); a transmission or reception in progress is lost. */
  setChannel(channel: number): void;
  setTxPowerDbm(dbm: number): void;
  /** The medium is busy at this radio now (CCA). */
  ccaBusy(): boolean;
  /** Start transmitting now; `txDone` follows after the PPDU's airtime. Transmitting while busy sending is a MAC bug (traced, dropped). */
  transmit(ppdu: Ppdu): void;
  /** Airtime (ns) of a PPDU whose MPDU + FCS is `bytes` long (preamble, PLCP header, payload, signal extension). */
  airtimeNs(bytes: number, rate: WifiRate, shortPreamble: boolean): number;
}

/** A position in metres. */
export interface Position {
  x: number;
  y: number;
  z: number;
}

/** The wireless medium accepts radios at positions (a node's position, which a `move` action may change). */
export interface WirelessMedium {
  readonly name: string;
  readonly kind: 'wireless';
  attach(listener: RadioListener, name: string, position: () => Position): RadioPort;
}
