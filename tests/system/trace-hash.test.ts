/**
 * Issue 15: the run's `trace-hash` is SHA-256 over a binary encoding of its records (docs/formats/trace.md "The
 * trace hash"), and `qnxemu trace FILE --hash` re-encodes a saved trace to the same hash. Checked on real runs
 * whose records hold floats, negatives, booleans, unicode and escapes (records without f: the unit test); the hash is
 * the same with or without --trace and at any --trace-limit, the same for the same seed and not for another.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { REPO, tmpdir } from './helpers';
import type { TraceRecord } from '../../emulator/machine/sim/trace';

const CLI = path.join(REPO, 'dist/qnxemu.js');
const PING = path.join(REPO, 'docs/examples/ping.yaml');
const WIFI = path.join(REPO, 'docs/examples/wifi-ap-sta.yaml');
const dir = tmpdir('trace-hash');

function qnxemu(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const hashOf = (stdout: string): string => /^trace-hash ([0-9a-f]{64})$/m.exec(stdout)?.[1] ?? `no trace-hash in: ${stdout}`;
const records = (file: string): TraceRecord[] => fs.readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as TraceRecord);

// ping.yaml with a line of unicode, quotes and a tab echoed on alpha's console (a console/line record).
const UNICODE = path.join(dir, 'unicode.yaml');
fs.writeFileSync(UNICODE, fs.readFileSync(PING, 'utf8').replace('      ping -c 2 10.0.0.2', '      echo "naïve ☃ 日本 \\"q\\" tab\tend 𝄞"\n      ping -c 2 10.0.0.2'));

describe('qnxemu trace --hash', () => {
  test('a saved trace hashes to what the run printed: unicode, escapes, records with and without f', () => {
    const file = path.join(dir, 'unicode.jsonl');
    const r = qnxemu(['run', UNICODE, '--trace', file]);
    expect(r.status).toBe(0);
    const recs = records(file);
    expect(recs.some((x) => x.layer === 'console' && x.f?.['text'] === 'naïve ☃ 日本 "q" tab\tend 𝄞')).toBe(true);
    // Records without f come from guest nodes only (guest/power-on): tests/sim/trace-encoding.test.ts covers them.
    const h = qnxemu(['trace', file, '--hash']);
    expect(h).toEqual({ status: 0, stdout: `trace-hash ${hashOf(r.stdout)}\n`, stderr: '' });
  });

  test('floats, negatives and booleans (a wireless run)', () => {
    const file = path.join(dir, 'wifi.jsonl');
    // Cut short at 1.2 s (the first rssi/sinr records), the scenario's expectations fail (exit 1): only its trace matters here.
    const r = qnxemu(['run', WIFI, '--until', '1.2s', '--trace', file]);
    expect(r.stdout).toMatch(/^trace-hash [0-9a-f]{64}$/m);
    const values = records(file).flatMap((x) => Object.values(x.f ?? {}));
    expect(values.some((v) => typeof v === 'number' && !Number.isInteger(v))).toBe(true);
    expect(values.some((v) => typeof v === 'number' && v < 0)).toBe(true);
    expect(values.some((v) => v === true) && values.some((v) => v === false)).toBe(true);
    expect(qnxemu(['trace', file, '--hash']).stdout).toBe(`trace-hash ${hashOf(r.stdout)}\n`);
  });

  test('the hash: the same without --trace and at any --trace-limit; same seed same hash, another seed another', () => {
    const whole = qnxemu(['run', PING]);
    const cutFile = path.join(dir, 'cut.jsonl');
    const cut = qnxemu(['run', PING, '--trace', cutFile, '--trace-limit', '2K']);
    expect(hashOf(cut.stdout)).toBe(hashOf(whole.stdout));
    expect(hashOf(qnxemu(['run', PING]).stdout)).toBe(hashOf(whole.stdout));
    expect(hashOf(qnxemu(['run', PING, '--seed', '2']).stdout)).not.toBe(hashOf(whole.stdout));
    // A cut file's hash covers the records in it only, and says so.
    const h = qnxemu(['trace', cutFile, '--hash']);
    expect(h.status).toBe(0);
    expect(hashOf(h.stdout)).not.toBe(hashOf(whole.stdout));
    const kept = records(cutFile).length - 1;
    expect(h.stderr).toMatch(new RegExp(`^qnxemu: note: ${cutFile} was cut at t=[0-9.]+ \\(size limit, --trace-limit 2\\.0 KiB\\): it holds ${kept} records up to there; the rest of the run is not in it; this hash covers those ${kept} records, not the run's\\n$`));
  });

  test('bad input: one line, exit 1', () => {
    const bad = path.join(dir, 'bad.jsonl');
    fs.writeFileSync(bad, '{"t":1,"node":"a","layer":"b","probe":"c","pkt":0}\n{"t":2,\n');
    expect(qnxemu(['trace', bad, '--hash'])).toMatchObject({ status: 1, stdout: '', stderr: expect.stringMatching(new RegExp(`^qnxemu: ${bad}:2: not JSON: [^\\n]+\\n$`)) });
    expect(qnxemu(['trace', bad, '--hash', '--node', 'a'])).toEqual({ status: 1, stdout: '', stderr: 'qnxemu: --hash: hashes every record of the file: it takes no --node\n' });
    expect(qnxemu(['trace', path.join(dir, 'missing.jsonl'), '--hash'])).toMatchObject({ status: 1, stdout: '', stderr: expect.stringMatching(/^qnxemu: trace .*missing\.jsonl: cannot read trace: no such file or directory \(ENOENT\)\n$/) });
  });
});
