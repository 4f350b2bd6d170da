/**
 * `qnxemu trace <file> --drops` (docs/drops.md): the text and JSON reports of a run's trace, --node/--from/--to,
 * options it refuses, and a malformed trace reported in one line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dropsOfFile } from '../../emulator/app/debug/drops/file-drops';
import { formatDrops } from '../../emulator/app/debug/drops/format';
import { REPO, qnxemu, tmpdir } from '../debug/cli-helpers';

const dir = tmpdir('trace-drops');
const file = path.join(dir, 'run.jsonl');
const run = qnxemu(['run', path.join(REPO, 'docs/examples/drop-causes.yaml'), '--trace', file]);

describe('qnxemu trace --drops', () => {
  test('the run passes its expectations and the report is the analysis of the file', () => {
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('expectations: 5 passed, 0 failed');
    const r = qnxemu(['trace', file, '--drops']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    const rep = dropsOfFile(file).report;
    expect(lines).toEqual(formatDrops(rep, 'the whole trace'));
    expect(lines[0]).toBe(`${rep.frames} frames dropped, 5 causes (the whole trace, ${rep.records} records to 4.000000000)`);
    expect(lines.filter((l) => l.startsWith('  why: '))).toHaveLength(5);
    expect(lines.find((l) => l.startsWith('beta  beta.nic0 (en0)  nic/rx-reject overflow  '))).toBeDefined();
    expect(r.stdout).toMatch(/why: beta\.nic0 \(en0\) RX ring overflow \(\d+ frames\): io-pkt-v4 thread \d+ \(prio 21\), made ready by irq 5 at 1\.\d{9}, ran \d+\.\d{6}ms late behind spin \(pid \d+ tid 1 prio 40\) on CPU 0\n/);
  });

  test('--format json is one document with the groups', () => {
    const r = qnxemu(['trace', file, '--drops', '--format', 'json']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as { frames: number; groups: { node: string; record: string; cause: string; count: number; pkts: number[]; why: string }[] };
    const rep = dropsOfFile(file).report;
    expect(doc.frames).toBe(rep.frames);
    expect(doc.groups).toEqual(rep.groups);
  });

  test('--node and --from/--to select drops', () => {
    const beta = qnxemu(['trace', file, '--drops', '--node', 'beta']).stdout.trimEnd().split('\n');
    expect(beta.filter((l) => !l.startsWith('  ')).slice(1).every((l) => l.startsWith('beta  '))).toBe(true);
    expect(beta[0]).toMatch(/^\d+ frames dropped, 3 causes/);
    const late = qnxemu(['trace', file, '--drops', '--from', '2.9s', '--to', '3.1s']).stdout;
    expect(late.split('\n')[0]).toBe(`3 frames dropped, 1 cause (the whole trace, ${dropsOfFile(file).report.records} records to 4.000000000)`);
    expect(late).toContain('gamma  gamma udp  udp/noport no socket on port 7777  3 frames');
  });

  test('options it does not take, and a malformed trace, are one line and a non-zero status', () => {
    const f = qnxemu(['trace', file, '--drops', '--layer', 'nic']);
    expect(f.status).not.toBe(0);
    expect(f.stderr.trim().split('\n')).toHaveLength(1);
    expect(f.stderr).toContain('--drops');
    expect(f.stderr).not.toMatch(/\n\s+at /);
    const bad = path.join(dir, 'bad.jsonl');
    const good = fs.readFileSync(file, 'utf8').split('\n').slice(0, 2);
    fs.writeFileSync(bad, [...good, '{"t":1,"node":"a"', ''].join('\n'));
    const b = qnxemu(['trace', bad, '--drops']);
    expect(b.status).toBe(1);
    expect(b.stdout).toBe('');
    expect(b.stderr).toMatch(new RegExp(`^qnxemu: ${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:3: not JSON: .*\n$`));
  });

  test('a run without starvation has no kernel starvation records and nothing to report', () => {
    const ping = path.join(dir, 'ping.jsonl');
    expect(qnxemu(['run', path.join(REPO, 'docs/examples/ping.yaml'), '--trace', ping]).status).toBe(0);
    expect(fs.readFileSync(ping, 'utf8')).not.toMatch(/"probe":"(starved|ran-late)"/);
    expect(qnxemu(['trace', ping, '--drops']).stdout).toMatch(/^no frame was dropped \(the whole trace, \d+ records to /);
  });
});
