/**
 * Trace records as the debugger keeps them (with the number of the event that emitted them) and how it
 * prints them: fields, times, and the Packet-Tracer-like location "at device X, layer Y, inbound/outbound".
 */
import { formatTime, type Time } from '../../machine/sim/time';
import type { TraceFields, TraceRecord } from '../../machine/sim/trace';

export interface DebugRecord extends TraceRecord {
  /** Number of the event that emitted it (the queue's `executed` count then; 0 = while building). */
  readonly ev: number;
}

export function fieldsText(f: TraceFields | undefined): string {
  if (!f) return '';
  return Object.entries(f)
    .map(([k, v]) => `${k}=${typeof v === 'string' && /\s/.test(v) ? JSON.stringify(v) : String(v)}`)
    .join(' ');
}

/** `alpha nic/tx-start pkt 3 nic=alpha.nic0 page=64 len=98` */
export function recordText(r: TraceRecord): string {
  const f = fieldsText(r.f);
  return `${r.node || '(net)'} ${r.layer}/${r.probe}${r.pkt ? ` pkt ${r.pkt}` : ''}${f ? ' ' + f : ''}`;
}

export function timeText(t: Time): string {
  return formatTime(t);
}

/** A duration in the largest unit that keeps it readable: 0, 750ns, 12.345us, 1.250000ms, 2.000000000s. */
export function durationText(ns: number): string {
  if (ns === 0) return '0';
  const a = Math.abs(ns);
  if (a < 1_000) return `${ns}ns`;
  if (a < 1_000_000) return `${(ns / 1_000).toFixed(3)}us`;
  if (a < 1_000_000_000) return `${(ns / 1_000_000).toFixed(6)}ms`;
  return `${(ns / 1_000_000_000).toFixed(9)}s`;
}

/** Parse a time argument: "1.5s", "250ms", "300us", a bare integer (ns) or a decimal (seconds, as printed). */
export function parseTimeArg(text: string): Time | null {
  const s = text.trim();
  if (/^\d+\.\d+$/.test(s)) {
    const [whole, frac] = s.split('.');
    return Number(whole) * 1_000_000_000 + Number((frac! + '000000000').slice(0, 9));
  }
  const m = /^(\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s)?$/.exec(s);
  if (!m) return null;
  const unit = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9 }[m[2] ?? 'ns'] ?? 1;
  return Math.round(Number(m[1]) * unit);
}

export type Direction = 'inbound' | 'outbound' | 'internal';

const OUT = /(^|-)(out|output|send|tx|request|reply|hold|resolve|defer|backoff|collision|abort)$|^tx-/;
const IN = /(^|-)(in|input|rx|recv|deliver|enqueue|accept|reject|ring|resolved)$|^rx-/;

/** Which way the packet is going at this probe, as seen by the device it is at. */
export function directionOf(r: TraceRecord): Direction {
  if (r.layer === 'irq' || r.layer === 'kernel' || r.layer === 'console') return 'internal';
  if (r.layer === 'arp' && r.probe === 'resolved') return 'inbound';
  if (r.layer === 'driver' && r.probe === 'intr') return 'inbound';
  if (IN.test(r.probe)) return 'inbound';
  if (OUT.test(r.probe)) return 'outbound';
  return 'internal';
}

/** OSI-style label for a layer (what Packet Tracer shows as "Layer N"). */
export const LAYER_LABELS: Record<string, string> = {
  app: 'L7 application',
  socket: 'L4 socket',
  udp: 'L4 UDP',
  tcp: 'L4 TCP',
  icmp: 'L3 ICMP',
  ip: 'L3 IPv4',
  arp: 'L2 ARP',
  ifnet: 'L2 ifnet',
  driver: 'L2 driver',
  nic: 'L1/L2 NIC',
  mac: 'L1 MAC',
  wire: 'L1 wire',
  irq: 'interrupt controller',
  kernel: 'kernel',
  fault: 'fault injector',
  pci: 'PCI',
  firmware: 'firmware',
  console: 'console',
};

/**
 * Where a record happened, Packet Tracer style. Network-wide records (node "") name the port they are about:
 * `portToLink` maps "alpha.nic0" to its link ("hub0").
 */
export function locationText(r: TraceRecord, portToLink: (port: string) => string | undefined): string {
  const dir = directionOf(r);
  const label = LAYER_LABELS[r.layer];
  let device = r.node;
  let extra = '';
  if (!r.node) {
    const port = r.f?.['port'] ?? r.f?.['to'];
    const link = typeof port === 'string' ? portToLink(port) : undefined;
    device = link ?? 'the network';
    if (typeof port === 'string') extra = r.probe === 'deliver' ? `, arriving at ${port}` : `, from ${port}`;
  } else if (r.layer === 'nic' && typeof r.f?.['nic'] === 'string') {
    device = `${r.node} (${String(r.f['nic']).slice(r.node.length + 1)})`;
  }
  const d = dir === 'internal' ? '' : `, ${dir}`;
  return `at device ${device}, layer ${r.layer}${label ? ` (${label})` : ''}${extra}${d}`;
}
