/**
 * The wireless medium's versioned snapshot: every signal on the air (the transmissions, with their frames, and
 * each radio's arrivals of them), each radio's channel, TX power, reception state, CCA as last reported, its
 * pending events (absolute times) and its error stream. Restored into a medium built the same way (same radios
 * attached in the same order); positions belong to the nodes (position.ts has its own state).
 */
import { b64ToBytes, bytesToB64, readState, stateVersions } from '../../sim/snapshot';
import type { Ppdu, WifiRate } from './radio';
import { FCS_LEN, ppduTiming } from './phy';
import type { Arrival, Transmission } from './air-radio';
import type { WirelessChannel } from './medium';

export const WIRELESS_MEDIUM_STATE = stateVersions('wireless medium', 1);

interface TransmissionState {
  id: number;
  from: string;
  channel: number;
  ofdm: boolean;
  airtimeNs: number;
  /** The frame: MPDU base64, packet id, rate, short preamble; null for noise. */
  ppdu: { mpdu: string; pktId: number; rate: number; shortPreamble: boolean } | null;
}

interface ArrivalState {
  tx: number;
  powerDbm: number;
  start: number;
  end: number;
  detectAt: number;
  detected: boolean;
}

interface RadioState {
  name: string;
  channel: number;
  txPowerDbm: number;
  arrivals: ArrivalState[];
  past: ArrivalState[];
  /** Index into `arrivals` of the frame being received, or -1. */
  locked: number;
  headerChecked: boolean;
  tx: number | null;
  cca: boolean;
  next: number;
  txEnd: number;
  rng: [number, number, number, number];
}

export interface WirelessMediumState {
  v: 1;
  nextId: number;
  transmissions: TransmissionState[];
  radios: RadioState[];
}

export function saveMedium(m: WirelessChannel, nextId: number): WirelessMediumState {
  const txs = new Map<number, Transmission>();
  const arr = (a: Arrival): ArrivalState => {
    txs.set(a.tx.id, a.tx);
    return { tx: a.tx.id, powerDbm: a.powerDbm, start: a.start, end: a.end, detectAt: a.detectAt, detected: a.detected };
  };
  const radios: RadioState[] = m.radios.map((r) => {
    if (r.tx) txs.set(r.tx.id, r.tx);
    return {
      name: r.name,
      channel: r.channel,
      txPowerDbm: r.txPowerDbm,
      arrivals: r.arrivals.map(arr),
      past: r.past.map(arr),
      locked: r.locked ? r.arrivals.indexOf(r.locked) : -1,
      headerChecked: r.headerChecked,
      tx: r.tx ? r.tx.id : null,
      cca: r.cca,
      next: r.next.scheduled ? r.next.when : -1,
      txEnd: r.txEnd.scheduled ? r.txEnd.when : -1,
      rng: r.rng.state(),
    };
  });
  const transmissions: TransmissionState[] = [...txs.values()].sort((a, b) => a.id - b.id).map((t) => ({
    id: t.id,
    from: t.from,
    channel: t.channel,
    ofdm: t.ofdm,
    airtimeNs: t.airtimeNs,
    ppdu: t.ppdu ? { mpdu: bytesToB64(t.ppdu.mpdu), pktId: t.ppdu.pktId, rate: t.ppdu.rate, shortPreamble: t.ppdu.shortPreamble } : null,
  }));
  return { v: 1, nextId, transmissions, radios };
}

/** Load into `m` (same radios, same order); returns the transmission id counter. */
export function loadMedium(m: WirelessChannel, saved: { v: number }): number {
  const s = readState<WirelessMediumState>(m.name, WIRELESS_MEDIUM_STATE, saved);
  const names = m.radios.map((r) => r.name);
  if (s.radios.map((r) => r.name).join() !== names.join()) {
    throw new Error(`${m.name}: the snapshot's radios are [${s.radios.map((r) => r.name).join(', ')}], these are [${names.join(', ')}]`);
  }
  const txs = new Map<number, Transmission>();
  for (const t of s.transmissions) {
    let ppdu: Ppdu | null = null;
    if (t.ppdu) ppdu = { mpdu: b64ToBytes(t.ppdu.mpdu), pktId: t.ppdu.pktId, rate: t.ppdu.rate as WifiRate, shortPreamble: t.ppdu.shortPreamble };
    const timing = ppdu ? ppduTiming(ppdu.mpdu.length + FCS_LEN, ppdu.rate, ppdu.shortPreamble) : null;
    txs.set(t.id, { id: t.id, from: t.from, channel: t.channel, ppdu, ofdm: t.ofdm, timing, airtimeNs: t.airtimeNs });
  }
  const tx = (id: number): Transmission => {
    const t = txs.get(id);
    if (!t) throw new Error(`${m.name}: the snapshot names transmission ${id} but does not hold it`);
    return t;
  };
  const arr = (a: ArrivalState): Arrival => ({ tx: tx(a.tx), powerDbm: a.powerDbm, start: a.start, end: a.end, detectAt: a.detectAt, detected: a.detected });
  const q = m.queue;
  s.radios.forEach((rs, i) => {
    const r = m.radios[i]!;
    r.channel = rs.channel;
    r.txPowerDbm = rs.txPowerDbm;
    r.arrivals = rs.arrivals.map(arr);
    r.past = rs.past.map(arr);
    r.locked = rs.locked >= 0 ? (r.arrivals[rs.locked] ?? null) : null;
    r.headerChecked = rs.headerChecked;
    r.tx = rs.tx === null ? null : tx(rs.tx);
    r.cca = rs.cca;
    r.rng.setState(rs.rng);
    if (r.next.scheduled) q.deschedule(r.next);
    if (rs.next >= 0) q.schedule(r.next, rs.next);
    if (r.txEnd.scheduled) q.deschedule(r.txEnd);
    if (rs.txEnd >= 0) q.schedule(r.txEnd, rs.txEnd);
  });
  return s.nextId;
}
