/**
 * Issue 14: a trace that grows past a limit is cut with a clear record and a warning, not a full disk
 * (emulator/app/assembly/trace-writer.ts, docs/formats/trace.md "Size limit"). The size limit (`--trace-limit`),
 * a full disk (/dev/full: every write fails with ENOSPC), a file size limit hit mid-run (RLIMIT_FSIZE: a write
 * is partial, then EFBIG), a bad size, and `qnxemu trace` on a cut file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { REPO, example, run, tmpdir } from './helpers';
import { CUT_RESERVE, DEFAULT_TRACE_LIMIT, parseTraceLimit, sizeText, TraceWriter } from '../../emulator/app/assembly/trace-writer';
import type { TraceRecord } from '../../emulator/machine/sim/trace';

const PING = path.join(REPO, 'docs/examples/ping.yaml');
const CLI = path.join(REPO, 'dist/qnxemu.js');
const dir = tmpdir('trace-limit');

/** Run the built CLI (jest's global setup builds dist/ first); `sh` runs it under a shell prefix when given. */
function qnxemu(args: string[], sh?: string): { status: number | null; stdout: string; stderr: string } {
  const r = sh
    ? spawnSync('sh', ['-c', `${sh}; exec "$0" "$@"`, process.execPath, CLI, ...args], { cwd: dir, encoding: 'utf8', timeout: 180_000 })
    : spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8', timeout: 180_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every line parses as a record (valid JSON Lines up to the last newline, and the file ends with one). */
function records(file: string): TraceRecord[] {
  const text = fs.readFileSync(file, 'utf8');
  if (text === '') return [];
  expect(text.endsWith('\n')).toBe(true);
  return text.trimEnd().split('\n').map((l) => JSON.parse(l) as TraceRecord);
}

const noStack = (r: { stdout: string; stderr: string }) => expect(r.stderr + r.stdout).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

// The whole trace of ping.yaml (about 34 KiB), for comparison.
const whole = path.join(dir, 'whole.jsonl');
const wholeRun = qnxemu(['run', PING, '--trace', whole]);
const wholeLines = fs.readFileSync(whole, 'utf8').trimEnd().split('\n');

describe('--trace-limit', () => {
  test('the whole run fits under the default limit: no cut, no warning, exit 0', () => {
    expect(wholeRun.status).toBe(0);
    expect(wholeRun.stderr).toBe('');
    expect(wholeLines.length).toBeGreaterThan(200);
    expect(wholeLines.some((l) => l.includes('"layer":"trace"'))).toBe(false);
    const none = path.join(dir, 'none.jsonl');
    expect(qnxemu(['run', PING, '--trace', none, '--trace-limit', '0']).status).toBe(0);
    expect(fs.readFileSync(none, 'utf8')).toBe(fs.readFileSync(whole, 'utf8'));
  });

  test('cut at 10K: the records that fit, then the cut record; the file stays under the limit; one warning; exit 0', () => {
    const file = path.join(dir, 'cut.jsonl');
    const r = qnxemu(['run', PING, '--trace', file, '--trace-limit', '10K']);
    expect(r.status).toBe(0);
    noStack(r);
    const recs = records(file);
    const cut = recs.at(-1)!;
    const kept = recs.slice(0, -1);
    expect(cut).toMatchObject({ node: '', layer: 'trace', probe: 'cut', pkt: 0, f: { reason: 'size limit', limit: 10240, records: kept.length } });
    // The kept records are the whole run's first ones, byte for byte; the next one would not have fitted.
    const keptText = wholeLines.slice(0, kept.length);
    expect(fs.readFileSync(file, 'utf8').startsWith(keptText.join('\n') + '\n')).toBe(true);
    const written = keptText.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
    expect(cut.f!['written']).toBe(written);
    expect(written + Buffer.byteLength(wholeLines[kept.length]!) + 1).toBeGreaterThan(10240 - CUT_RESERVE);
    expect(cut.t).toBe((JSON.parse(wholeLines[kept.length]!) as TraceRecord).t);
    expect(fs.statSync(file).size).toBeLessThanOrEqual(10240);
    // One warning line on stderr, at the end; the run itself went on (same summary and hash as the whole run).
    expect(r.stderr).toBe(`qnxemu: warning: trace cut at 10.0 KiB (--trace-limit) at t=${(cut.t / 1e9).toFixed(9)}: ${file} holds ${kept.length} records (${sizeText(written)}) up to there\n`);
    expect(r.stdout).toBe(wholeRun.stdout);
  });

  test('the trace-hash covers the whole run, written or not: the same at any limit', () => {
    const hash = (s: string) => /^trace-hash ([0-9a-f]{64})$/m.exec(s)![1];
    const small = qnxemu(['run', PING, '--trace', path.join(dir, 'h.jsonl'), '--trace-limit', '2K']);
    expect(hash(small.stdout)).toBe(hash(wholeRun.stdout));
    expect(run(example('ping.yaml')).traceHash).toBe(hash(wholeRun.stdout));
  });

  test('a bad size is one line and exit 1, before anything runs', () => {
    for (const [arg, problem] of [
      ['12Q', "'12Q' is not a size: write bytes or a number with K, M, G or T (500M, 2G), or 0 for no limit"],
      ['-5', "'-5' is not a size: write bytes or a number with K, M, G or T (500M, 2G), or 0 for no limit"],
      ['100', "'100' is smaller than 1024 bytes, too small to hold even the record that says the trace was cut (0 means no limit)"],
      ['99999999T', "'99999999T' is too large (at most 9007199254740991 bytes)"],
    ] as const) {
      const r = qnxemu(['run', PING, '--trace', path.join(dir, 'bad.jsonl'), `--trace-limit=${arg}`]);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(`qnxemu: --trace-limit ${arg}: ${problem}\n`);
      expect(r.stdout).toBe('');
    }
  });

  test('sizes: K, M, G, T are binary; 0 is no limit', () => {
    expect(parseTraceLimit('500M')).toBe(500 * 1024 ** 2);
    expect(parseTraceLimit('2g')).toBe(2 * 1024 ** 3);
    expect(parseTraceLimit('1T')).toBe(1024 ** 4);
    expect(parseTraceLimit('4096')).toBe(4096);
    expect(parseTraceLimit('0')).toBe(0);
    expect(DEFAULT_TRACE_LIMIT).toBe(1024 ** 3);
    expect(sizeText(DEFAULT_TRACE_LIMIT)).toBe('1.0 GiB');
  });
});

describe('qnxemu test --trace-limit', () => {
  test("a cut artifact trace is a warning line under its scenario's line; the scenario still passes", () => {
    const art = path.join(dir, 'art');
    const r = qnxemu(['test', PING, '--artifacts', art, '--trace-limit', '10K', '--no-progress']);
    expect(r.status).toBe(0);
    noStack(r);
    const file = path.join(art, 'ping', 'trace.jsonl');
    const recs = records(file);
    const cut = recs.at(-1)!;
    expect(cut).toMatchObject({ layer: 'trace', probe: 'cut', f: { reason: 'size limit', limit: 10240, records: recs.length - 1 } });
    expect(fs.statSync(file).size).toBeLessThanOrEqual(10240);
    // The records kept are the same as `run --trace` keeps at the same limit.
    if (!fs.existsSync(path.join(dir, 'cut.jsonl'))) qnxemu(['run', PING, '--trace', path.join(dir, 'cut.jsonl'), '--trace-limit', '10K']);
    expect(fs.readFileSync(file, 'utf8')).toBe(fs.readFileSync(path.join(dir, 'cut.jsonl'), 'utf8'));
    const lines = r.stdout.split('\n');
    const i = lines.findIndex((l) => l.startsWith(`PASS  ${PING}`));
    expect(lines[i + 1]).toBe(`      warning: trace cut at 10.0 KiB (--trace-limit) at t=${(cut.t / 1e9).toFixed(9)}: ${file} holds ${recs.length - 1} records (${sizeText(cut.f!['written'] as number)}) up to there`);
    expect(r.stderr).toBe('');
  });

  test('in process the same; without a cut no warning; a bad size is one line before anything runs', () => {
    const art = path.join(dir, 'art-inproc');
    const r = qnxemu(['test', PING, '--artifacts', art, '--trace-limit', '10K', '--no-progress', '--in-process']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ {6}warning: trace cut at 10\.0 KiB \(--trace-limit\)/m);
    const whole = qnxemu(['test', PING, '--artifacts', path.join(dir, 'art-whole'), '--no-progress', '--in-process']);
    expect(whole.status).toBe(0);
    expect(whole.stdout).not.toContain('warning');
    expect(fs.readFileSync(path.join(dir, 'art-whole', 'ping', 'trace.jsonl'), 'utf8')).toBe(fs.readFileSync(path.join(dir, 'whole.jsonl'), 'utf8'));
    const bad = qnxemu(['test', PING, '--trace-limit', '12Q']);
    expect(bad).toMatchObject({ status: 1, stdout: '', stderr: "qnxemu: --trace-limit 12Q: '12Q' is not a size: write bytes or a number with K, M, G or T (500M, 2G), or 0 for no limit\n" });
  });
});

describe('a write that fails during the run', () => {
  test('a full disk (/dev/full, ENOSPC): the run goes on, one warning, exit 1', () => {
    const r = qnxemu(['run', PING, '--trace', '/dev/full']);
    expect(r.status).toBe(1);
    noStack(r);
    expect(r.stderr).toBe('qnxemu: warning: trace cut at t=0.000000000: write failed: no space left on device (ENOSPC): /dev/full holds 0 records (0 B) up to there; the cut record did not fit either\n');
    expect(r.stdout).toBe(wholeRun.stdout); // the summary and trace-hash of the whole run
  });

  test('a file size limit hit mid-run (a partial write, then EFBIG): cut back to the last whole line, the cut record after it', () => {
    const file = path.join(dir, 'fsize.jsonl');
    // 300 blocks of 512 bytes (dash and bash -o posix count ulimit -f that way): two 64 KiB chunks fit, the third does not.
    const r = qnxemu(['run', PING, '--verbose-trace', '--trace', file], "trap '' XFSZ; ulimit -f 300");
    expect(r.status).toBe(1);
    noStack(r);
    const recs = records(file);
    const cut = recs.at(-1)!;
    expect(cut).toMatchObject({ layer: 'trace', probe: 'cut', f: { reason: 'write failed: file too large (EFBIG)', records: recs.length - 1 } });
    expect(recs.length).toBeGreaterThan(100);
    expect(fs.statSync(file).size).toBe((cut.f!['written'] as number) + Buffer.byteLength(JSON.stringify(cut)) + 1);
    expect(r.stderr).toBe(`qnxemu: warning: trace cut at t=${(cut.t / 1e9).toFixed(9)}: write failed: file too large (EFBIG): ${file} holds ${recs.length - 1} records (${sizeText(cut.f!['written'] as number)}) up to there\n`);
    expect(r.stdout).toMatch(/^trace-hash [0-9a-f]{64}$/m);
  });

  test('the writer on its own: a limit cuts between records, close is idempotent', () => {
    const file = path.join(dir, 'unit.jsonl');
    const w = new TraceWriter(file, 2048);
    const line = (i: number) => JSON.stringify({ t: i, node: 'n', layer: 'x', probe: 'y', pkt: 0, f: { pad: 'p'.repeat(60) } });
    for (let i = 0; i < 100; i++) w.write(i, line(i));
    const cut = w.close(500);
    expect(w.close(600)).toBe(cut);
    const recs = records(file);
    expect(cut).toMatchObject({ reason: 'size limit', failed: false, recorded: true, records: recs.length - 1 });
    expect(recs.slice(0, -1).map((r) => r.t)).toEqual([...Array(recs.length - 1).keys()]);
    expect(recs.at(-1)!.t).toBe(recs.length - 1);
    expect(fs.statSync(file).size).toBeLessThanOrEqual(2048);
  });
});

describe('qnxemu trace on a cut file', () => {
  test('prints the records and says on stderr that the file was cut', () => {
    const file = path.join(dir, 'cut.jsonl');
    if (!fs.existsSync(file)) qnxemu(['run', PING, '--trace', file, '--trace-limit', '10K']);
    const recs = records(file);
    const cut = recs.at(-1)!;
    const r = qnxemu(['trace', file, '--format', 'json']);
    expect(r.status).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toEqual(fs.readFileSync(file, 'utf8').trimEnd().split('\n'));
    expect(r.stderr).toBe(`qnxemu: note: ${file} was cut at t=${(cut.t / 1e9).toFixed(9)} (size limit, --trace-limit 10.0 KiB): it holds ${recs.length - 1} records up to there; the rest of the run is not in it\n`);
    // An uncut file gets no note.
    expect(qnxemu(['trace', whole, '--layer', 'app']).stderr).toBe('');
  });
});
