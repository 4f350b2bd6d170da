/**
 * Reading back a capture a killed process left (pcap.ts `pcapExtent`, `truncatePcapToRecord`; used by
 * emulator/app/testing/interrupted.ts after Ctrl-C): the global header's magic in either byte order and timestamp
 * resolution (pcap-savefile(5)), complete records counted, a record cut short found and cut off so every reader
 * (Wireshark, tcpdump) takes the file.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PcapMemoryWriter, pcapExtent, truncatePcapToRecord } from '../../emulator/machine/net/pcap';
import { SEC } from '../../emulator/machine/sim';

/** A capture of frames of the given lengths, 1 s apart. */
function capture(lengths: number[], nanosecond = true): Uint8Array {
  const w = new PcapMemoryWriter({ nanosecond });
  lengths.forEach((n, i) => w.writeRecord((i + 1) * SEC, new Uint8Array(n).fill(i)));
  return w.bytes();
}

/** The same capture as a big-endian writer (a capture from a SPARC or PowerPC host) would have written it. */
function bigEndian(le: Uint8Array): Uint8Array {
  const b = le.slice();
  const swap32 = (off: number) => b.subarray(off, off + 4).reverse();
  const swap16 = (off: number) => b.subarray(off, off + 2).reverse();
  swap32(0);
  swap16(4);
  swap16(6);
  for (const off of [8, 12, 16, 20]) swap32(off);
  for (let off = 24; off + 16 <= b.length; ) {
    const incl = new DataView(le.buffer, le.byteOffset + off + 8, 4).getUint32(0, true);
    for (let k = 0; k < 16; k += 4) swap32(off + k);
    off += 16 + incl;
  }
  return b;
}

describe('pcapExtent', () => {
  test('nanosecond and microsecond captures, little endian: every record counted, nothing partial', () => {
    const lens = [60, 1514, 42];
    const whole = 24 + lens.reduce((s, n) => s + 16 + n, 0);
    for (const ns of [true, false]) {
      const b = capture(lens, ns);
      expect(b.length).toBe(whole);
      expect(pcapExtent(b)).toEqual({ records: 3, whole, partial: 0 });
    }
  });

  test('a big-endian capture is read with its own byte order', () => {
    const lens = [60, 1514, 42];
    const whole = 24 + lens.reduce((s, n) => s + 16 + n, 0);
    for (const ns of [true, false]) expect(pcapExtent(bigEndian(capture(lens, ns)))).toEqual({ records: 3, whole, partial: 0 });
  });

  test('a record cut in its header or in its data ends the whole part there', () => {
    const b = capture([60, 1514, 42]);
    const two = 24 + 16 + 60 + 16 + 1514;
    expect(pcapExtent(b.subarray(0, two + 10))).toEqual({ records: 2, whole: two, partial: 10 }); // in the header
    expect(pcapExtent(b.subarray(0, two + 16 + 5))).toEqual({ records: 2, whole: two, partial: 21 }); // in the data
    expect(pcapExtent(b.subarray(0, 24))).toEqual({ records: 0, whole: 24, partial: 0 });
    expect(pcapExtent(b.subarray(0, 20))).toBeNull(); // no global header
    const notPcap = b.slice();
    notPcap.set([0x0a, 0x0d, 0x0d, 0x0a], 0); // a pcapng section header block
    expect(pcapExtent(notPcap)).toBeNull();
  });

  test('truncatePcapToRecord cuts a killed worker\'s capture at its last whole record', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edges-pcap-'));
    try {
      const file = path.join(dir, 'w.pcap');
      const b = capture([60, 60, 60]);
      const two = 24 + 2 * (16 + 60);
      fs.writeFileSync(file, b.subarray(0, two + 30));
      expect(truncatePcapToRecord(file)).toEqual({ records: 2, whole: two, partial: 0 });
      expect(fs.readFileSync(file).equals(Buffer.from(b.subarray(0, two)))).toBe(true);
      // A whole capture is left as it is.
      fs.writeFileSync(file, b);
      expect(truncatePcapToRecord(file)).toEqual({ records: 3, whole: b.length, partial: 0 });
      expect(fs.statSync(file).size).toBe(b.length);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
