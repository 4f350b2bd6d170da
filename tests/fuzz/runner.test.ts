/**
 * The fuzz runner (fuzz/runner.ts, fuzz/report.ts) and its command line (dist/fuzz.js): determinism by seed,
 * reproducers written and replayed, jobs not changing results, one-line errors with exit status 2, Ctrl-C.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MAX_REPRODUCERS, matchTargets, replayReproducer, reproducerName, reproducerProblem, runTarget } from '../../fuzz/runner';
import { targetLines } from '../../fuzz/report';
import { FUZZ_TARGETS } from '../../fuzz/registry';
import type { Reproducer } from '../../fuzz/target';
import { fuzzCli, fuzzCliInterrupted, plantedTarget, scratch, withoutTimes } from './helpers';

const strip = (r: ReturnType<typeof runTarget>): Omit<ReturnType<typeof runTarget>, 'ms'> => {
  const { ms: _ms, ...rest } = r;
  return rest;
};

describe('runTarget', () => {
  // A draw below 2^32/400 fails: about one episode in eight of 50 draws.
  const threshold = Math.floor(2 ** 32 / 400);

  test('the same seed gives the same inputs, failures and reproducer bytes', () => {
    const a = plantedTarget(threshold);
    const b = plantedTarget(threshold);
    const ra = runTarget({ target: a, seed: 5, inputs: 2000 });
    const rb = runTarget({ target: b, seed: 5, inputs: 2000 });
    expect(a.seen).toEqual(b.seen);
    expect(strip(ra)).toEqual(strip(rb));
    expect(ra.failed).toBeGreaterThan(0);
    const da = scratch('same-a');
    const db = scratch('same-b');
    targetLines(ra, da);
    targetLines(rb, db);
    const files = fs.readdirSync(da).sort();
    expect(files).toEqual(fs.readdirSync(db).sort());
    expect(files.length).toBe(ra.reproducers.length);
    for (const f of files) expect(fs.readFileSync(path.join(da, f))).toEqual(fs.readFileSync(path.join(db, f)));
  });

  test('a different seed gives different inputs', () => {
    const a = plantedTarget(threshold);
    const b = plantedTarget(threshold);
    runTarget({ target: a, seed: 5, inputs: 500 });
    runTarget({ target: b, seed: 6, inputs: 500 });
    expect(a.seen).toHaveLength(b.seen.length);
    expect(a.seen.filter((x, i) => x === b.seen[i])).toHaveLength(0);
  });

  test('the budget is spent exactly, in episodes, and a failure ends only its episode', () => {
    const t = plantedTarget(threshold);
    const r = runTarget({ target: t, seed: 9, inputs: 2000 });
    expect(r.inputs).toBe(2000);
    expect(r.episodes).toBeGreaterThan(2000 / 50);
    const clean = r.episodes - r.failed;
    expect(clean).toBeGreaterThan(0);
  });

  test('a planted failure is written as a reproducer that replays to the same line', () => {
    const t = plantedTarget(threshold);
    const r = runTarget({ target: t, seed: 11, inputs: 1000 });
    const dir = scratch('planted');
    const lines = targetLines(r, dir);
    expect(lines[0]).toBe(`fuzz test/planted: 1000 inputs, ${r.failed} failures (${lines[0]!.match(/\(([^)]*)\)$/)![1]})`);
    const first = r.reproducers[0]!;
    const file = path.join(dir, `test-planted-s11-e${first.episode}.json`);
    expect(reproducerName(first)).toBe(path.basename(file));
    expect(lines[1]).toBe(`  episode ${first.episode}: ${first.failure} -> ${file}`);
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Reproducer;
    expect(reproducerProblem(parsed)).toBeNull();
    expect(parsed).toMatchObject({ format: 'qnxemu-fuzz-reproducer', v: 1, target: 'test/planted', seed: 11, episode: first.episode });
    expect(replayReproducer(t, parsed)).toBe(first.failure);
    // Fixed: the same input no longer fails.
    expect(replayReproducer(plantedTarget(0), parsed)).toBeNull();
  });

  test(`at most ${MAX_REPRODUCERS} reproducers per target; the rest are counted`, () => {
    const t = plantedTarget(2 ** 31, 10); // half the draws fail
    const r = runTarget({ target: t, seed: 1, inputs: 500 });
    expect(r.failed).toBeGreaterThan(MAX_REPRODUCERS);
    expect(r.reproducers).toHaveLength(MAX_REPRODUCERS);
    const lines = targetLines(r, scratch('cap'));
    expect(lines[lines.length - 1]).toBe(`  and ${r.failed - MAX_REPRODUCERS} more failing episodes (reproducers not written)`);
  });

  test('a target that throws fails its episode with one line and the run goes on', () => {
    const t = { ...plantedTarget(0), episode: () => { throw new RangeError('boom'); } };
    const r = runTarget({ target: t, seed: 1, inputs: 5 });
    expect(r).toMatchObject({ inputs: 5, episodes: 5, failed: 5 });
    expect(r.reproducers[0]!.failure).toMatch(/^the target threw: exception: RangeError: boom at /);
  });

  test('targets are chosen by name or glob', () => {
    const names = (p: string): string[] => matchTargets(FUZZ_TARGETS, p).map((t) => t.name);
    expect(names('nic/ne2000-isa')).toEqual(['nic/ne2000-isa']);
    expect(names('nic/*')).toEqual(expect.arrayContaining(['nic/ne2000-isa', 'nic/rtl8029']));
    expect(names('nic/*').every((n) => n.startsWith('nic/'))).toBe(true);
    expect(names('*')).toEqual([]);
    expect(names('**')).toHaveLength(FUZZ_TARGETS.length);
    expect(names('nic/ne2000')).toEqual([]);
  });
});

describe('dist/fuzz.js', () => {
  test('one line per target, totals last; --jobs 1 and 2 print the same results', () => {
    const args = ['nic/ne2000-isa', 'nic/rtl8029', '--inputs', '3000', '--seed', '3', '--out', scratch('jobs')];
    const one = fuzzCli(...args, '--jobs', '1');
    const two = fuzzCli(...args, '--jobs', '2');
    expect(one.status).toBe(0);
    expect(two.status).toBe(0);
    const lines = withoutTimes(one.stdout);
    expect(lines[1]).toBe('fuzz nic/ne2000-isa: 3000 inputs, 0 failures');
    expect(lines[2]).toBe('fuzz nic/rtl8029: 3000 inputs, 0 failures');
    expect(lines[3]).toBe('fuzz: 2 targets, 6000 inputs, 0 failures');
    expect(one.stdout).toMatch(/^fuzz nic\/ne2000-isa: 3000 inputs, 0 failures \(\d+\.\d s, \d+ inputs\/s\)$/m);
    expect(withoutTimes(two.stdout).slice(1)).toEqual(lines.slice(1));
    expect(lines[0]).toBe(`fuzz: seed 3, 2 targets, 1 jobs, reproducers to ${args[7]}/`);
  });

  test('--list names every target with its budgets', () => {
    const r = fuzzCli('--list');
    expect(r.status).toBe(0);
    for (const t of FUZZ_TARGETS) expect(r.stdout).toMatch(new RegExp(`^${t.name}\\s+${t.defaultInputs}\\s+${t.quickInputs}\\s+\\S`, 'm'));
  });

  test('--replay: "passes", "still fails: <line>" with exit 1, and bad files as one-line errors', () => {
    const dir = scratch('replay');
    const write = (name: string, body: unknown): string => {
      const f = path.join(dir, name);
      fs.writeFileSync(f, typeof body === 'string' ? body : JSON.stringify(body));
      return f;
    };
    const base = { format: 'qnxemu-fuzz-reproducer', v: 1, target: 'nic/ne2000-isa', seed: 1, episode: 0, failure: 'x' };
    const passes = write('passes.json', { ...base, input: { model: 'ne2000-isa', simSeed: 1, ops: [{ op: 'rd', space: 'io', bar: 0, off: 0, size: 1 }] } });
    const fails = write('fails.json', { ...base, input: { model: 'ne2000-isa', simSeed: 1, ops: [{ op: 'poke' }] } });
    const ok = fuzzCli('--replay', passes);
    expect(ok).toMatchObject({ status: 0, stdout: `replay ${passes}: passes\n`, stderr: '' });
    const bad = fuzzCli('--replay', passes, fails);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toBe(`replay ${passes}: passes\nreplay ${fails}: still fails: not a NIC reproducer input: ops[0] is not a NIC op\n`);
    const cases: [string[], RegExp][] = [
      [['--replay', path.join(dir, 'nosuch.json')], /^fuzz: .*nosuch\.json: ENOENT: no such file or directory\n$/],
      [['--replay', write('text.json', 'not json')], /^fuzz: .*text\.json: not JSON \(.*\)\n$/],
      [['--replay', write('other.json', { format: 'x' })], /^fuzz: .*other\.json: format is not 'qnxemu-fuzz-reproducer'\n$/],
      [['--replay', write('gone.json', { ...base, target: 'nic/gone', input: null })], /^fuzz: .*gone\.json: no target 'nic\/gone' in this build\n$/],
    ];
    for (const [args, want] of cases) {
      const r = fuzzCli(...args);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(want);
      expect(r.stdout).toBe('');
    }
  });

  test.each([
    [['--bogus'], "fuzz: unknown option '--bogus'"],
    [['nosuch/target'], "fuzz: no target matches 'nosuch/target' (targets: "],
    [['--seed', 'x'], "fuzz: --seed wants an integer from 0 to 4294967295, not 'x'"],
    [['--seed', '-1'], "fuzz: --seed wants an integer from 0 to 4294967295, not '-1'"],
    [['--jobs', '0'], "fuzz: --jobs wants an integer from 1 to 256, not '0'"],
    [['--inputs', '1.5'], "fuzz: --inputs wants an integer from 1 to 1000000000000, not '1.5'"],
    [['--seed'], "fuzz: option '--seed <n>' argument missing"],
  ])('%j is one line on stderr and exit status 2', (args, start) => {
    const r = fuzzCli(...args);
    expect(r.status).toBe(2);
    expect(r.stderr.startsWith(start)).toBe(true);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test('SIGINT stops the workers, prints the totals of what finished and exits 130', async () => {
    const r = await fuzzCliInterrupted('SIGINT', 1500, 'nic/ne2000-isa', '--inputs', '100000000', '--out', scratch('sigint'));
    expect(r.status).toBe(130);
    expect(r.stdout.trim().split('\n').pop()).toBe('fuzz: 0 targets, 0 inputs, 0 failures (interrupted)');
    expect(r.stderr).toBe('');
  });

  test('SIGTERM (a CI timeout) does the same and exits 143, 128 + 15, as qnxemu does', async () => {
    const r = await fuzzCliInterrupted('SIGTERM', 1500, 'nic/ne2000-isa', '--inputs', '100000000', '--out', scratch('sigterm'));
    expect(r.status).toBe(143);
    expect(r.stdout.trim().split('\n').pop()).toBe('fuzz: 0 targets, 0 inputs, 0 failures (interrupted)');
    expect(r.stderr).toBe('');
  });
});
