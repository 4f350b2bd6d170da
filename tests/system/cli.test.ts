import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO, tmpdir } from './helpers';

const CLI = path.join(REPO, 'dist/qnxemu.js');

function qnxemu(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: REPO, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the qnxemu command line', () => {
  test('boot prints each node prefixed and ends with the trace-hash line', () => {
    const r = qnxemu('boot', '--until', '2s', '--no-color');
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[lines.length - 1]).toMatch(/^trace-hash [0-9a-f]{64}$/);
    expect(lines).toContain('alpha | PING 10.0.0.2 (10.0.0.2): 56 data bytes');
    expect(lines.some((l) => l.startsWith('beta  | '))).toBe(true);
  });

  test('run with --pcap and --trace writes both, and the hash matches boot with the same seed', () => {
    const dir = tmpdir('cli');
    const file = path.join(REPO, 'docs/examples/default/default.yaml');
    const r = qnxemu('run', file, '--until', '2s', '--pcap', dir, '--trace', path.join(dir, 't.jsonl'));
    expect(r.status).toBe(0);
    expect(fs.existsSync(path.join(dir, 'hub0.pcap'))).toBe(true);
    const trace = fs.readFileSync(path.join(dir, 't.jsonl'), 'utf8').trim().split('\n');
    expect(trace.length).toBeGreaterThan(100);
    const boot = qnxemu('boot', '--until', '2s');
    expect(r.stdout.trim().split('\n').pop()).toBe(boot.stdout.trim().split('\n').pop());
  });

  test('a malformed scenario names file, line and problem, and exits 1', () => {
    const dir = tmpdir('bad');
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(bad, 'nodes:\n  a:\n    nics:\n      - { model: ne2000-isa, link: hub0 }\n    script: "true"\nlinks:\n  hub0: { type: token-ring }\n');
    const r = qnxemu('run', bad);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^qnxemu: ${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:7:\\d+: links\\.hub0\\.type: must be one of`));
    expect(r.stdout).toBe('');
  });

  test('a missing file and bad options are errors, not crashes', () => {
    const missing = qnxemu('run', 'no-such.yaml');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^qnxemu: no-such\.yaml:1:1: cannot read scenario/);
    const seed = qnxemu('boot', '--seed', 'abc');
    expect(seed.status).not.toBe(0);
    expect(seed.stderr).toMatch(/the seed is an integer/);
    const until = qnxemu('boot', '--until', 'banana');
    expect(until.status).not.toBe(0);
    expect(until.stderr).toMatch(/a duration such as 10s/);
  });
});
