/**
 * The trace hash's binary encoding (emulator/machine/sim/trace-encoding.ts, docs/formats/trace.md "The trace
 * hash"): its bytes for known records, the hash of a saved file equal to the run's (records with and without f,
 * floats, negatives, -0, non-finite numbers, unicode, escapes, booleans, nested values, long strings, more than
 * one 64 KiB chunk), and a hash independent of sinks.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { Tracer, traceLine, type TraceFields, type TraceRecord } from '../../emulator/machine/sim/trace';
import { TraceEncoder } from '../../emulator/machine/sim/trace-encoding';
import { hashTrace } from '../../emulator/app/debug/trace-stream';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trace-encoding-'));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const f64 = (v: number) => {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return [...b];
};
const str = (s: string) => [Buffer.byteLength(s), ...Buffer.from(s)];

/** Records through a Tracer (clock set per record); returns the digest and the lines a line sink saw. */
function emitAll(recs: TraceRecord[]): { digest: string; lines: string[] } {
  const clock = { now: 0 };
  const tr = new Tracer(clock);
  const lines: string[] = [];
  tr.addLineSink((_r, line) => lines.push(line));
  for (const r of recs) {
    clock.now = r.t;
    tr.emit(r.node, r.layer, r.probe, r.pkt, r.f);
  }
  return { digest: tr.digest(), lines };
}

const odd: TraceRecord[] = [
  { t: 0, node: 'alpha', layer: 'nic', probe: 'tx-start', pkt: 12, f: { page: 64, len: 98 } },
  { t: 5, node: '', layer: 'wire', probe: 'deliver', pkt: 0 },
  { t: 1_107_226_586, node: 'sta', layer: 'air', probe: 'rx-end', pkt: 0, f: { ok: true, header: false, rssi: -61.2, sinr: 32.3, arg: -1, zero: -0 } },
  { t: 2 ** 53 - 1, node: 'nœud', layer: 'console', probe: 'line', pkt: 3, f: { text: 'naïve ☃ 日本 "q" tab\tend 𝄞 \\ \u0001 lone \ud800 x' } },
  { t: 7, node: 'alpha', layer: 'x', probe: 'nonfinite', pkt: 0, f: { nan: NaN, inf: Infinity, ninf: -Infinity, big: 1e21, tiny: 1e-7 } },
  { t: 8, node: 'alpha', layer: 'x', probe: 'nested', pkt: 0, f: { list: [1, 'a', null] as unknown as number, obj: { b: 2, a: [true] } as unknown as number, nul: null as unknown as number } },
  { t: 9, node: 'alpha', layer: 'x', probe: 'skipped', pkt: 0, f: { u: undefined as unknown as number, fn: (() => 1) as unknown as number, kept: 'yes' } },
  { t: 10, node: 'alpha', layer: 'x', probe: 'empty', pkt: 0, f: {} },
  { t: 11, node: 'alpha', layer: 'x', probe: 'long', pkt: 0, f: { text: 'é'.repeat(9000) + 'z'.repeat(70_000) } },
  { t: 12, node: 'alpha', layer: 'x', probe: 'numeric-keys', pkt: 0, f: { b: 1, 2: 'two', a: 3, 1: 'one' } as TraceFields },
];

describe('the trace hash encoding', () => {
  test('bytes of two records: float64 numbers, length-prefixed UTF-8 names and strings, typed fields', () => {
    const enc = new TraceEncoder();
    enc.record(1000, 'a', 'nic', 'irq', 0, { isr: 64, on: true, r: 'x', u: 'é', n: NaN });
    enc.record(2000, '', 'nic', 'irq', -0, undefined);
    const bytes = Buffer.from([
      ...[0x02, ...f64(1000), ...f64(0), ...str('a'), ...str('nic'), ...str('irq')],
      ...[0x01, ...str('isr'), ...f64(64), 0x04, ...str('on'), 0x02, ...str('r'), ...str('x'), 0x02, ...str('u'), 0x02, 0xc3, 0xa9, 0x05, ...str('n'), 0x00],
      ...[0x01, ...f64(2000), ...f64(0), 0x00, ...str('nic'), ...str('irq')],
    ]);
    expect(enc.digest()).toBe(sha(bytes));
    // digest() does not disturb the running hash: asking twice, or in between, changes nothing.
    expect(enc.digest()).toBe(sha(bytes));
  });

  test('a saved trace hashes to the run\'s hash (qnxemu trace --hash): odd values, long strings, many chunks', () => {
    const many: TraceRecord[] = [];
    for (let i = 0; i < 5000; i++) many.push({ t: i * 1000, node: i % 2 ? 'alpha' : 'beta', layer: 'irq', probe: 'raise', pkt: i, f: { irq: i % 16, vector: -i / 3 } });
    const recs = [...odd, ...many, ...odd];
    const { digest, lines } = emitAll(recs);
    expect(lines.length).toBe(recs.length);
    expect(lines.map((l) => JSON.parse(l) as TraceRecord).map(traceLine)).toEqual(lines); // canonical
    const file = path.join(dir, 'odd.jsonl');
    fs.writeFileSync(file, lines.join('\n') + '\n');
    expect(hashTrace(file)).toEqual({ hash: digest, records: recs.length, cut: null });
  });

  test('the writer\'s cut record is not hashed; a cut file hashes its records only', () => {
    const { digest, lines } = emitAll(odd.slice(0, 3));
    const file = path.join(dir, 'cut.jsonl');
    const cut = { t: 9, node: '', layer: 'trace', probe: 'cut', pkt: 0, f: { reason: 'size limit', limit: 1024, written: 100, records: 3 } };
    fs.writeFileSync(file, [...lines, JSON.stringify(cut)].join('\n') + '\n');
    expect(hashTrace(file)).toEqual({ hash: digest, records: 3, cut });
  });

  test('the hash is the same with no sink, record sinks, line sinks, and sinks removed mid-run', () => {
    const run = (setup: (tr: Tracer) => void): string => {
      const clock = { now: 0 };
      const tr = new Tracer(clock);
      setup(tr);
      for (const r of odd) {
        clock.now = r.t;
        tr.emit(r.node, r.layer, r.probe, r.pkt, r.f);
      }
      return tr.digest();
    };
    const none = run(() => undefined);
    const seen: string[] = [];
    expect(run((tr) => tr.addSink((r) => seen.push(r.probe)))).toBe(none);
    expect(run((tr) => tr.addLineSink((_r, l) => seen.push(l)))).toBe(none);
    expect(run((tr) => {
      const off = tr.addLineSink(() => off());
      tr.addSink(() => undefined);
    })).toBe(none);
    expect(emitAll(odd).digest).toBe(none);
    // A different record stream, a different hash.
    expect(emitAll(odd.slice(1)).digest).not.toBe(none);
  });

  test('record sinks get records, line sinks the JSON line, in the order they were added', () => {
    const clock = { now: 42 };
    const tr = new Tracer(clock);
    const got: string[] = [];
    tr.addSink((r) => got.push(`rec ${r.probe}`));
    tr.addLineSink((_r, l) => got.push(`line ${l}`));
    tr.addSink((r) => got.push(`rec2 ${r.t}`));
    tr.emit('n', 'l', 'p', 1, { a: 1 });
    tr.emit('n', 'l', 'q', 0);
    expect(got).toEqual([
      'rec p',
      'line {"t":42,"node":"n","layer":"l","probe":"p","pkt":1,"f":{"a":1}}',
      'rec2 42',
      'rec q',
      'line {"t":42,"node":"n","layer":"l","probe":"q","pkt":0}',
      'rec2 42',
    ]);
    expect(tr.count).toBe(2);
  });
});
