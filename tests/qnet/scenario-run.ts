/**
 * What the Qnet scenario tests share: running docs/examples/qnet*.yaml with pcaps and the trace kept, reading
 * the pcaps back (libpcap savefile format, https://www.tcpdump.org/manpages/pcap-savefile.5.html), picking
 * out the Qnet frames (EtherType 0x8204) with our own wire views, and running the installed tshark.
 */
import { tshark } from './wire-fixtures';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runScenarioChecked, loadScenario, type CheckedRun } from '../../emulator/app/testing/api';
import { PCAP_GLOBAL_HEADER_LEN, PCAP_MAGIC_NSEC, PCAP_RECORD_HEADER_LEN } from '../../emulator/machine/net/pcap';
import { QnetL4Packet, QnetL4Repr } from '../../stack/net/wire/qnet';
import { WireError } from '../../stack/net/wire/view';
import { ETHERTYPE_QNET } from '../../stack/net/qnet/defaults';

export const REPO = path.resolve(__dirname, '../..');

export interface TraceRec {
  t: number;
  node: string;
  layer: string;
  probe: string;
  pkt: number;
  f?: Record<string, string | number | boolean>;
}

export interface ExampleRun {
  r: CheckedRun;
  /** Where the pcaps went (`<link>.pcap`). */
  dir: string;
  recs: TraceRec[];
  pcap(link: string): string;
  /** A node's console lines with their virtual times. */
  lines(node: string): { t: number; text: string }[];
}

export function runExample(name: string, opts: { seed?: number } = {}): ExampleRun {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `qnxemu-${name.replace(/\W/g, '-')}-`));
  const r = runScenarioChecked(loadScenario(path.join(REPO, 'docs/examples', name)), { pcapDir: dir, keepTrace: true, ...(opts.seed !== undefined ? { seed: opts.seed } : {}) });
  const recs = r.run.trace.map((l) => JSON.parse(l) as TraceRec);
  return {
    r, dir, recs,
    pcap: (link) => path.join(dir, `${link}.pcap`),
    lines: (node) => r.run.consoleLines.get(node) ?? [],
  };
}

export interface PcapRecord {
  /** 1-based, as tshark numbers frames. */
  no: number;
  t: number;
  data: Uint8Array;
}

/** Every record of a pcap file (either timestamp resolution). */
export function readPcap(file: string): PcapRecord[] {
  const b = new Uint8Array(fs.readFileSync(file));
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const nsec = dv.getUint32(0, true) === PCAP_MAGIC_NSEC;
  const out: PcapRecord[] = [];
  for (let off = PCAP_GLOBAL_HEADER_LEN; off + PCAP_RECORD_HEADER_LEN <= b.length;) {
    const sec = dv.getUint32(off, true);
    const frac = dv.getUint32(off + 4, true);
    const incl = dv.getUint32(off + 8, true);
    const start = off + PCAP_RECORD_HEADER_LEN;
    out.push({ no: out.length + 1, t: sec * 1e9 + (nsec ? frac : frac * 1000), data: b.subarray(start, start + incl) });
    off = start + incl;
  }
  return out;
}

export interface QnetFrame extends PcapRecord {
  src: string;
  dst: string;
  l4: QnetL4Repr;
}

const mac = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');

/** The Qnet frames of a pcap, parsed with our views (the CRC checked); a frame we cannot parse throws. */
export function qnetFrames(file: string): QnetFrame[] {
  const out: QnetFrame[] = [];
  for (const rec of readPcap(file)) {
    if (rec.data.length < 14 || ((rec.data[12]! << 8) | rec.data[13]!) !== ETHERTYPE_QNET) continue;
    const l4 = QnetL4Repr.parse(new QnetL4Packet(rec.data.subarray(14)));
    if (l4 instanceof WireError) throw new Error(`${file} frame ${rec.no}: ${l4.reason}`);
    out.push({ ...rec, dst: mac(rec.data.subarray(0, 6)), src: mac(rec.data.subarray(6, 12)), l4 });
  }
  return out;
}


/** tshark -T fields rows (tab-separated, first occurrence of each field), one per frame the filter keeps. */
export function tsharkFields(file: string, filter: string, fields: string[]): string[][] {
  const out = tshark(['-r', file, '-Y', filter, '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=f', ...fields.flatMap((f) => ['-e', f])]);
  return out.replace(/\n$/, '').split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

/** msgping reply lines on a console: sequence number, round trip (ns) and when the line was printed. */
export function msgpingReplies(lines: { t: number; text: string }[], pathText: string): { seq: number; rttNs: number; t: number }[] {
  const out: { seq: number; rttNs: number; t: number }[] = [];
  for (const l of lines) {
    const m = /^\d+ bytes from (\S+): seq=(\d+) time=(\d+\.\d+) ms$/.exec(l.text);
    if (m && m[1] === pathText) out.push({ seq: Number(m[2]), rttNs: Math.round(Number(m[3]) * 1e6), t: l.t });
  }
  return out;
}

export { tshark };
