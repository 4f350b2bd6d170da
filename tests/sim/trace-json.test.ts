/**
 * The --trace writer's JSON encoder (emulator/machine/sim/trace-json.ts) writes exactly the bytes of
 * `JSON.stringify(rec) + "\n"`: number edge cases (the int32 split above 1e9, 2^53 − 1, negatives, -0,
 * fractions, non-finite), strings that need escapes or are not ASCII, nested values, skipped keys, records
 * longer than its buffer, the name bytes it keeps per (probe, node, layer) and copies for later records.
 */
import type { TraceRecord } from '../../emulator/machine/sim/trace';
import { JsonLineEncoder } from '../../emulator/machine/sim/trace-json';

const rec = (f: Record<string, unknown> | undefined, extra: Partial<TraceRecord> = {}): TraceRecord =>
  ({ t: 1, node: 'alpha', layer: 'x', probe: 'y', pkt: 0, ...(f ? { f } : {}), ...extra }) as TraceRecord;

function encoded(recs: TraceRecord[], capacity?: number): string {
  const enc = new JsonLineEncoder(capacity);
  let total = 0;
  for (const r of recs) total += enc.line(r);
  expect(total).toBe(enc.pos);
  return enc.buf.toString('utf8', 0, enc.pos);
}
const expected = (recs: TraceRecord[]) => recs.map((r) => JSON.stringify(r) + '\n').join('');

describe('JsonLineEncoder', () => {
  test('numbers as JSON writes them', () => {
    const nums = [0, -0, 1, -1, 9, 10, 99, 999_999_999, 1e9, 1e9 + 1, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 1_107_226_586, 9_999_999_999, 10_000_000_000,
      2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53, 2 ** 53 + 2, 1e21, 1.5, -61.2, 32.3, 0.1 + 0.2, 1e-7, 5e-324, Number.MAX_VALUE, NaN, Infinity, -Infinity];
    for (let k = 1; k < 9_007_199_254; k = k * 3 + 1) nums.push(k * 1e6 - 1, k * 1e6, k * 1e9 - 1, -k * 1e9);
    // Safe integers of every magnitude (a fixed linear congruential sequence, not Math.random).
    let x = 12345;
    for (let i = 0; i < 20_000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      nums.push(Math.floor((x / 2 ** 32) * 2 ** (i % 54)) * (i % 3 === 0 ? -1 : 1));
    }
    const recs = nums.map((v) => rec({ v }, { t: Number.isSafeInteger(v) ? Math.abs(v) : 3, pkt: Number.isSafeInteger(v) ? v : 0 }));
    expect(encoded(recs)).toBe(expected(recs));
  });

  test('strings: escapes, control characters, unicode, lone surrogates; keys that need escapes', () => {
    const texts = ['', 'plain', 'a "quote"', 'back\\slash', 'tab\tnew\nline\r', '\u0000\u001f\u007f', 'naïve ☃ 日本 𝄞', 'lone \ud800 and \udc00', '</script>'];
    const recs = texts.map((s) => rec({ text: s, [s || 'empty']: 1 }, { node: s, probe: s }));
    expect(encoded(recs)).toBe(expected(recs));
  });

  test('booleans, null, nested values, skipped keys, empty and absent f', () => {
    const recs = [
      rec({ ok: true, no: false, nul: null, list: [1, 'a', null, undefined], obj: { b: 2, a: [true, -0] }, u: undefined, fn: () => 1, last: 'x' }),
      rec({ u: undefined }),
      rec({}),
      rec(undefined),
      rec({ 2: 'two', b: 1, 1: 'one' }),
    ];
    expect(encoded(recs)).toBe(expected(recs));
  });

  test('a record longer than the buffer grows it; text() appends a ready line', () => {
    const recs = [rec({ a: 'z'.repeat(300) }), rec({ text: 'é'.repeat(5000), n: 1 }), rec({ b: 1 })];
    expect(encoded(recs, 64)).toBe(expected(recs));
    const enc = new JsonLineEncoder(16);
    expect(enc.text('{"x":"é"}')).toBe(11);
    expect(enc.buf.toString('utf8', 0, enc.pos)).toBe('{"x":"é"}\n');
  });

  test('kept names: the same probe on other nodes and layers, escaped names, repeats after a grown buffer, past the bound', () => {
    const names: [string, string, string][] = [
      ['alpha', 'nic', 'tx'], ['beta', 'nic', 'tx'], ['alpha', 'ip', 'tx'], ['alpha', 'nic', 'rx'], ['', 'wire', 'tx'],
      ['al"pha', 'n\ic', 'tx'], ['ålpha', 'nic', '☃'], ['alpha', 'nic', 'tx-done'], ['alph', 'anic', 'tx'],
    ];
    const recs: TraceRecord[] = [];
    for (let round = 0; round < 3; round++)
      for (const [node, layer, probe] of names) recs.push(rec({ round }, { node, layer, probe, t: round * 1e10 + 7, pkt: round }));
    // Each record again on its own line, starting at a buffer position the first encoding did not have.
    recs.push(...recs.slice(0, names.length).map((r) => ({ ...r, node: r.node + '' })));
    expect(encoded(recs, 32)).toBe(expected(recs));
    // More combinations than are kept (1 << 15): the ones past the bound are encoded every time, still the same bytes.
    const many: TraceRecord[] = [];
    for (let i = 0; i < 40_000; i++) many.push(rec(undefined, { node: `n${i % 20_000}`, layer: i < 20_000 ? 'a' : 'b', probe: 'p' }));
    for (let i = 39_990; i < 40_000; i++) many.push(many[i]!, many[i - 39_990]!);
    expect(encoded(many)).toBe(expected(many));
  });
});
