/**
 * Readers for what the browser tests compare (tests/web/browser.test.ts): the path table `qnxemu debug` prints,
 * a pcap's frame count (walking its records, as a reader would), and a PNG's size (its IHDR chunk).
 */

export interface DebugHop {
  n: number;
  /** Virtual time as the REPL prints it: "1.107538792". */
  t: string;
  device: string;
  layer: string;
  probe: string;
  /** The `=>` row. */
  cursor: boolean;
}

/**
 * The hops of the last `path` table in a `qnxemu debug` transcript (docs/debugger.md "path"):
 * `=>   3  1.107542666  +1.044us    3.874us    alpha   ip      out  output  src=…` (no +hop on the first).
 */
export function parseDebugPath(transcript: string): DebugHop[] {
  const table = transcript.split(/^ {5}# {2}time .*$/m).pop() ?? '';
  const hops: DebugHop[] = [];
  for (const line of table.split('\n')) {
    const m = /^(=>| \.| {2}) +(\d+) +(\d+\.\d{9}) +(?:\+\S+ +)?(\S+) +(\S+) +(\S+) +(\S+) +(\S+)/.exec(line);
    if (!m) {
      if (hops.length > 0) break;
      continue;
    }
    hops.push({ n: Number(m[2]), t: m[3]!, device: m[5]!, layer: m[6]!, probe: m[8]!, cursor: m[1] === '=>' });
  }
  if (hops.length === 0) throw new Error(`no path table in:\n${transcript}`);
  return hops;
}

/** Frames in a classic pcap (either byte order); throws on a bad header or a record cut short. */
export function pcapFrames(b: Buffer): number {
  const magic = b.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!le && b.readUInt32BE(0) !== 0xa1b2c3d4 && b.readUInt32BE(0) !== 0xa1b23c4d) throw new Error(`not a pcap: magic ${magic.toString(16)}`);
  let n = 0;
  for (let off = 24; off < b.length; n++) {
    if (off + 16 > b.length) throw new Error(`pcap record header cut at ${off}`);
    const incl = le ? b.readUInt32LE(off + 8) : b.readUInt32BE(off + 8);
    off += 16 + incl;
    if (off > b.length) throw new Error(`pcap record ${n} cut short`);
  }
  return n;
}

/** A PNG's width and height (IHDR, right after the 8-byte signature). */
export function pngSize(b: Buffer): { width: number; height: number } {
  if (!b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) || b.toString('latin1', 12, 16) !== 'IHDR') throw new Error('not a PNG');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}
