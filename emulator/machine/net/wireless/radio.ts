/**
 * The interface between an 802.11 radio (a NIC model's PHY side, nic-models/) and the wireless medium
 * (emulator/machine/net/wireless). Like link.ts for wires: the medium owns propagation, path loss, noise,
 * interference, SINR, the error model and clear channel assessment; the radio's MAC owns DCF (deferral,
 * backoff, ACK generation and waiting, retries) as the RT2560 does in silicon.
 *
 * The medium is `WirelessChannel` (medium.ts); its physics and timing are documented in docs/net-media.md
 * ("Wireless"): log-distance path loss, thermal noise, SINR over time segments (ns-3 InterferenceHelper), the
 * ns-3 NIST/DSSS error-rate models, PLCP timing (phy.ts), CCA by energy and preamble detection, capture.
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
  /**
   * The PLCP header (SIGNAL/SERVICE/LENGTH, CRC) passed. False: the PHY gave up at the end of the header and
   * `rxEnd` comes then, with `ok` false (the PHY receive procedures end such a reception with
   * PHY-RXEND.indication(FormatViolation)); a MAC counts it as a PHY error and defers EIFS after it.
   */
  readonly headerOk: boolean;
  readonly channel: number;
}

/** What a radio implements; the medium calls it. */
export interface RadioListener {
  /**
   * The PPDU this radio had synchronised to ended at this antenna (its last symbol arrived, or its PLCP header
   * failed: `rx.headerOk`). Exactly one call per PPDU the radio locked onto, unless the lock was lost first (our own
   * transmission, a retune, or capture by a stronger PPDU: traced, no call).
   */
  rxEnd(ppdu: Ppdu, rx: RxInfo): void;
  /**
   * Clear channel assessment changed: busy while the radio is synchronised to a PPDU (preamble detected at or above
   * the receiver sensitivity) or the energy in its channel is at or above the energy-detect threshold (−62 dBm),
   * each noticed 4 µs after the signal reaches the antenna (the OFDM PHY's CCA requirement, IEEE 802.11-2016 clause 17). Our own transmission is
   * not part of it (the MAC knows when it transmits).
   */
  ccaChanged(busy: boolean): void;
  /** Our own transmission's last symbol left the antenna. */
  txDone(): void;
  /**
   * The MAC address the radio answers to (the RT2560's CSR3/CSR4), or null. Read by captures only: a radiotap pcap
   * reports signal and noise at the radio a frame's Address 1 names. Optional.
   */
  macAddress?(): Uint8Array | null;
}

/** A radio's attachment to the medium. */
export interface RadioPort {
  readonly channel: number;
  /**
   * Tune (2.4 GHz channels 1–14; anything else is traced and ignored); a reception in progress is lost. A PPDU
   * being transmitted finishes on the channel it started on (drivers retune with the queues idle).
   */
  setChannel(channel: number): void;
  readonly txPowerDbm: number;
  setTxPowerDbm(dbm: number): void;
  /** The medium is busy at this radio now (CCA). */
  ccaBusy(): boolean;
  /** Our own PPDU is on the air (between `transmit` and `txDone`). */
  transmitting(): boolean;
  /**
   * Start transmitting now, whatever CCA says (DCF deferral is the MAC's); `txDone` follows after the PPDU's
   * airtime. A reception in progress is abandoned (half duplex). Transmitting while busy sending is a MAC bug
   * (traced, dropped).
   */
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
