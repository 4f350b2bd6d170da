/**
 * What one trace record says about a packet's fate (docs/drops.md "Rules"): a drop (the packet, or this copy of
 * it, was discarded), a copy discarded where it was not addressed (an address filter, an ARP request for another
 * host: not a drop), a hold (the packet waits in a buffer: a socket's receive buffer, a chip's receive ring),
 * a release (it left that buffer, or a NIC, a driver, a socket took it: a drop of it before did not end its
 * journey), or nothing. Probe names and reasons are the trace's (docs/formats/trace.md).
 */
import type { TraceRecord } from '../../../machine/sim/trace';

export type Verdict =
  | { kind: 'drop'; cause: string }
  | { kind: 'hold'; place: 'socket' | 'ring' }
  | { kind: 'release' }
  | { kind: 'benign' }
  | null;

/**
 * Probes that discard what they are about, whatever layer emits them. Not RT2560 `nic/tx-abort`: TXCSR0.ABORT
 * only cancels kicks not yet taken (the RT2560 model's transmit side); frames it leaves in the ring are sent later.
 */
const DROP_PROBES = new Set([
  'drop', 'rx-reject', 'rx-drop', 'tx-drop', 'tx-discard', 'rx-nobuf', 'hold-drop', 'noport', 'abort', 'rx-abort',
  'rx-crypto-drop', 'tx-crypto-drop', 'rx-mgt-discard', 'mgtq-full', 'response-dropped', 'loss', 'queue-full',
]);

/**
 * Reasons a copy is discarded where it was not addressed: the DP8390's and BCM5701's address filters, the
 * RT2560's RXCSR0 DROP_NOT_TO_ME/MC/BC/CONTROL filters, ARP and ND for another host (RFC 826, RFC 4861 7.2.3),
 * a station's own multicast relayed back by its AP (IEEE 802.11 "mcast echo", NetBSD ieee80211_input).
 */
const NOT_ADDRESSED = new Set([
  'filter', 'address', 'not-to-me', 'multicast', 'broadcast', 'control', 'request for another host', 'target is not ours',
  'our own packet', 'mcast echo',
]);

/**
 * Reasons of a packet its protocol used before freeing it: NetBSD tcp_input counts a duplicate ACK (fast
 * retransmit, RFC 5681 3.2) and then frees it at its `drop` label. It reached its destination.
 */
const CONSUMED = new Set(['duplicate ACK']);

export function reasonOf(r: TraceRecord): string {
  const f = r.f ?? {};
  const v = f['reason'] ?? f['why'];
  if (typeof v === 'string' && v !== '') return v;
  if (r.probe === 'noport' && typeof f['port'] === 'number') return `no socket on port ${f['port']}`;
  if (r.probe === 'abort' && r.layer === 'mac') return 'excessive collisions';
  return r.probe;
}

export function classify(r: TraceRecord): Verdict {
  const { layer, probe } = r;
  if (layer === 'kernel' || layer === 'console' || layer === 'irq' || layer === 'trace') return null;
  if (DROP_PROBES.has(probe) || (layer === 'fault' && probe === 'loss')) {
    const cause = reasonOf(r);
    if (NOT_ADDRESSED.has(cause) || CONSUMED.has(cause) || cause.startsWith('promiscuous: not for us')) return { kind: 'benign' };
    // A collision is not a loss: the CSMA/CD MAC sends the frame again (IEEE 802.3 4.2.3.2.5); its `abort` after
    // attemptLimit is.
    if (layer === 'wire' && cause === 'collision') return null;
    // A switch does not send a frame back out of the port it came in on (its destination is on that segment), and
    // ends MAC Control and 802.1D reserved-group frames at the port (IEEE 802.1D 7.12.6): they arrived where meant.
    if (layer === 'wire' && (cause === 'filtered' || cause === 'mac-control' || cause === 'reserved')) return { kind: 'benign' };
    // A MAC Control frame (PAUSE) is acted on by the receiving MAC and never handed to its client (IEEE 802.3
    // Annex 31B; BCM5701 RX_MODE.KEEP_PAUSE clear): it arrived where meant.
    if (layer === 'nic' && cause === 'mac-control') return { kind: 'benign' };
    // A driver's stale transmit discarded by a reset carries no packet: still a loss of what was queued.
    return { kind: 'drop', cause };
  }
  if (r.pkt <= 0) return null;
  if (layer === 'socket' && probe === 'enqueue') return { kind: 'hold', place: 'socket' };
  if (layer === 'nic' && probe === 'rx-ring') return { kind: 'hold', place: 'ring' };
  // Arrivals: a NIC accepted it (an 802.11 retry after a bad CRC, a broadcast copy another node took), its driver
  // took it out of the ring, a socket or an application got it.
  if ((layer === 'socket' && probe === 'deliver') || (layer === 'driver' && probe === 'rx') || (layer === 'app' && probe === 'recv') || probe === 'rx-accept') return { kind: 'release' };
  return null;
}

/** The chip ran out of receive buffer: the causes explained with the servicing thread's scheduling. */
export function isRingOverrun(r: TraceRecord, cause: string): boolean {
  if (r.layer !== 'nic') return false;
  // NE2000: DP8390 ring overflow (OVW, CNTR2); BCM5701: receive mbuf pool exhausted (rx_discards);
  // RT2560: no free RX descriptor (the driver has not given the ring back).
  return cause === 'overflow' || cause === 'mbuf-pool-full' || cause === 'no-descriptor' || cause === 'ring-unusable';
}

/** Words for a cause: "RX ring overflow", "no socket on port 9", … */
export function causeText(r: TraceRecord, cause: string): string {
  if (r.layer === 'nic') {
    const words: Record<string, string> = {
      overflow: 'RX ring overflow', 'mbuf-pool-full': 'RX mbuf pool full (no buffer)', 'no-descriptor': 'RX ring full (no free descriptor)',
      'ring-unusable': 'RX ring unusable', stopped: 'receiver stopped', loopback: 'receiver in loopback',
      crc: 'bad CRC', runt: 'runt frame', 'no-link': 'no link', reset: 'chip reset',
    };
    return `${r.probe.startsWith('tx') ? 'TX' : 'RX'} ${words[cause] ?? cause}`.replace(/^(TX|RX) (RX|TX) /, '$2 ');
  }
  if (r.layer === 'fault') return 'lost by an injected fault';
  if (r.layer === 'wire') return `on the wire: ${cause}`;
  return cause;
}
