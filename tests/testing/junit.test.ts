/**
 * `qnxemu test` and its JUnit XML: a failing scenario is a <failure> whose message gives the failed
 * expectations with expected and actual; a malformed one is an <error> with file:line:col; artifacts land
 * under <dir>/<scenario>/. Checked in process (runSuite + junitXml) and through the CLI bundle's workers.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { junitXml, xmlEscape } from '../../emulator/app/testing/junit';
import { runSuite, findScenarioFiles, artifactDirs } from '../../emulator/app/testing/runner';
import { runScenarioChecked } from '../../emulator/app/testing/api';
import { findAll, parseXml, type XmlElement } from './xml';
import { section, twoNodes } from './helpers';

const REPO = path.resolve(__dirname, '../..');
const CLI = path.join(REPO, 'dist/qnxemu.js');
const PING = '{ at: 1s, node: alpha, ping: { to: 10.0.0.2, count: 10, interval: 100ms } }';
const NO_LOSS = '{ node: alpha, console: "10 packets transmitted, 10 packets received, 0.0% packet loss" }';
const ODD = '{ node: beta, console_not: "<never & \\"seen\\">" }';
const ODD_MISSING = `{ node: beta, console: "<never & 'seen'>" }`;

function suiteDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qnxemu-junit-'));
  const base = twoNodes('hub', '3s');
  fs.writeFileSync(path.join(dir, 'a-pass.yaml'), base.replace('name: t', 'name: pass') + section('actions', [PING]) + section('expect', [NO_LOSS, ODD]));
  fs.writeFileSync(
    path.join(dir, 'b-fail.yaml'),
    base.replace('name: t', 'name: fail') + section('actions', [PING]) + section('faults', ['{ at: 1.2s, until: 1.6s, link: net0, kind: down }']) + section('expect', [NO_LOSS, ODD_MISSING]),
  );
  fs.mkdirSync(path.join(dir, 'more'));
  fs.writeFileSync(path.join(dir, 'more', 'c-bad.yaml'), base + section('faults', ['{ link: net0, kind: lose, probability: 0.1 }']));
  return dir;
}

function cases(xml: string): Map<string, XmlElement> {
  const doc = parseXml(xml);
  expect(doc.name).toBe('testsuites');
  return new Map(findAll(doc, 'testcase').map((t) => [t.attrs['name']!, t]));
}

function checkReport(xml: string, dir: string): void {
  const doc = parseXml(xml);
  expect(doc.attrs).toMatchObject({ tests: '3', failures: '1', errors: '1' });
  const suite = findAll(doc, 'testsuite')[0]!;
  expect(suite.attrs).toMatchObject({ tests: '3', failures: '1', errors: '1' });
  const c = cases(xml);
  expect([...c.keys()]).toEqual(['pass', 'fail', 'c-bad']);
  const pass = c.get('pass')!;
  expect(pass.children.map((x) => x.name)).toEqual(['system-out']);
  expect(findAll(pass, 'system-out')[0]!.text).toContain('ok   expect[1] beta console does not show "<never & \\"seen\\">": not shown');
  const fail = c.get('fail')!;
  expect(fail.attrs['classname']).toBe('b-fail');
  const failure = findAll(fail, 'failure')[0]!;
  const msg = failure.attrs['message']!.split('\n');
  expect(msg).toHaveLength(2);
  expect(msg[0]).toMatch(
    /^expect\[0\] .*: expected alpha console shows "10 packets transmitted, 10 packets received, 0\.0% packet loss"; actual not found; closest line at [\d.]+: "10 packets transmitted, [0-9] packets received, [\d.]+% packet loss"$/,
  );
  expect(msg[1]).toBe(`expect[1] beta console shows "<never & 'seen'>": expected beta console shows "<never & 'seen'>"; actual not found (0 console lines)`);
  expect(failure.text).toContain(msg[0]);
  const bad = c.get('c-bad')!;
  expect(bad.attrs['classname']).toBe('more.c-bad');
  const error = findAll(bad, 'error')[0]!;
  expect(error.attrs['message']).toBe(`${path.join(dir, 'more', 'c-bad.yaml')}:20:25: faults.0.kind: must be one of "down", "loss", "corrupt", "rx-burst", "irq-storm", "interference", "crash", "hang", "power-cycle", "unplug"`);
}

describe('JUnit XML', () => {
  test('escaping keeps any text intact through a parser', () => {
    const nasty = `a<b>&"c'\nd\u0001`;
    const el = parseXml(`<x a="${xmlEscape(nasty)}"/>`);
    expect(el.attrs['a']).toBe('a<b>&"c\'\nd\\x01');
  });

  test('in process: a failure with the reasons, an error with the location, a pass', async () => {
    const dir = suiteDir();
    const files = findScenarioFiles([dir]);
    expect(files.map((f) => path.relative(dir, f))).toEqual(['a-pass.yaml', 'b-fail.yaml', path.join('more', 'c-bad.yaml')]);
    const outcomes = await runSuite(files, { inProcess: true });
    expect(outcomes.map((o) => o.status)).toEqual(['passed', 'failed', 'error']);
    checkReport(junitXml(outcomes, { root: dir, timestamp: '2000-01-01T00:00:00Z' }), dir);
  });

  test('artifact folders are per scenario file, deduplicated', () => {
    expect([...artifactDirs(['x/a.yaml', 'y/a.yaml', 'b.yml'], 'out').values()]).toEqual(['out/a', 'out/a-2', 'out/b']);
  });
});

describe('qnxemu test (the CLI bundle, in worker processes)', () => {
  test('runs a folder with two workers, writes JUnit and artifacts, prints a summary, exits 1', () => {
    const dir = suiteDir();
    const junit = path.join(dir, 'out', 'junit.xml');
    const art = path.join(dir, 'art');
    const r = spawnSync(process.execPath, [CLI, 'test', '.', '--junit', junit, '--artifacts', art, '--jobs', '2'], { cwd: dir, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines[lines.length - 1]).toMatch(/^3 scenarios: 1 passed, 1 failed, 1 error in [\d.]+ s \(2 workers\)$/);
    expect(lines).toContain(`junit ${junit}`);
    expect(r.stdout).toMatch(/^FAIL  b-fail\.yaml \(fail\)/m);
    expect(r.stdout).toMatch(/^ {6}expect\[0\] .*; actual not found; closest line/m);
    expect(r.stdout).toMatch(/^ERROR more\/c-bad\.yaml +[\d.]+ s\n {6}more\/c-bad\.yaml:20:25: faults\.0\.kind: must be one of/m);
    const xml = fs.readFileSync(junit, 'utf8');
    // Classnames are relative to the current directory; the error names the file as given (relative here).
    checkReport(xml.replace(/"more\/c-bad\.yaml:20:25/, `"${path.join(dir, 'more', 'c-bad.yaml')}:20:25`), dir);
    for (const name of ['a-pass', 'b-fail']) {
      for (const f of ['net0.pcap', 'trace.jsonl', 'console-alpha.log', 'console-beta.log', 'result.json']) expect(fs.existsSync(path.join(art, name, f))).toBe(true);
      expect([0xa1b2c3d4, 0xa1b23c4d]).toContain(fs.readFileSync(path.join(art, name, 'net0.pcap')).readUInt32LE(0));
    }
    // A worker's run is the same run as in this process: same trace hash.
    const res = JSON.parse(fs.readFileSync(path.join(art, 'b-fail', 'result.json'), 'utf8')) as { traceHash: string; status: string };
    expect(res.status).toBe('failed');
    expect(res.traceHash).toBe(runScenarioChecked(path.join(dir, 'b-fail.yaml')).traceHash);
    const trace = fs.readFileSync(path.join(art, 'b-fail', 'trace.jsonl'), 'utf8').trim().split('\n');
    expect(trace.some((l) => l.includes('"layer":"fault","probe":"down"'))).toBe(true);
  });

  test('a passing run exits 0; the regression suite passes through the CLI', () => {
    const r = spawnSync(process.execPath, [CLI, 'test', 'tests/scenarios', '--jobs', '3'], { cwd: REPO, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n').pop()).toMatch(/^\d+ scenarios: (\d+) passed, 0 failed, 0 errors in [\d.]+ s \(3 workers\)$/);
  });

  test('nothing to run, and bad options, are errors', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'qnxemu-empty-'));
    const r = spawnSync(process.execPath, [CLI, 'test', empty], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no scenario files/);
    const j = spawnSync(process.execPath, [CLI, 'test', empty, '--jobs', '0'], { encoding: 'utf8' });
    expect(j.status).not.toBe(0);
    expect(j.stderr).toMatch(/--jobs: an integer >= 1/);
  });

  test('qnxemu run also runs actions and faults, reports expectations and exits 1 when one fails', () => {
    const dir = suiteDir();
    const r = spawnSync(process.execPath, [CLI, 'run', path.join(dir, 'b-fail.yaml')], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^alpha \| # ping -c 10 -i 0\.1 -s 56 10\.0\.0\.2$/m);
    expect(r.stdout).toMatch(/^faults\[0\] down: link net0 went down 1 time\(s\)$/m);
    expect(r.stdout).toMatch(/^FAIL expect\[0\] .*: not found; closest line at/m);
    expect(r.stdout).toMatch(/^expectations: 0 passed, 2 failed$/m);
    expect(r.stdout.trim().split('\n').pop()).toMatch(/^trace-hash [0-9a-f]{64}$/);
    const ok = spawnSync(process.execPath, [CLI, 'run', path.join(dir, 'a-pass.yaml')], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^expectations: 2 passed, 0 failed$/m);
  });
});
