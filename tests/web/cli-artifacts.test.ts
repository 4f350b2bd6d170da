/**
 * `qnxemu test --artifacts DIR` writes a failure bundle for each failed scenario and for no other: the scenario,
 * the run's seed, and its first failure in virtual time (testing/evaluate.ts firstFailure), which `qnxemu web`
 * accepts (it opens the page stopped there: tests/web/browser.test.ts checks the page).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkBundle } from '../../emulator/app/web-page/core/bundle';
import { firstFailure, type ExpectationOutcome } from '../../emulator/app/testing/evaluate';
import { expectOneLine, qnxemu, REPO, tmpdir } from './helpers';

const SUITE = 'tests/web/fixtures/suite';

describe('qnxemu test --artifacts: failure bundles', () => {
  const dir = tmpdir('art');
  let r: ReturnType<typeof qnxemu>;
  let resultFails: { expectations: { index: number; actual: string }[] };
  beforeAll(() => {
    r = qnxemu(['test', SUITE, '--artifacts', dir, '--no-progress', '--seed', '3']);
    resultFails = JSON.parse(fs.readFileSync(path.join(dir, 'ping-fails', 'result.json'), 'utf8')) as typeof resultFails;
  });

  test('only the failed scenario gets one, and the command says where', () => {
    expect(r.status).toBe(1);
    const bundles = fs.readdirSync(dir).filter((f) => f.endsWith('.bundle.json'));
    expect(bundles).toEqual(['ping-fails.bundle.json']);
    const file = path.join(dir, 'ping-fails.bundle.json');
    expect(r.stdout).toContain(`failure bundle ${file} (expect[1] no reply at all at `);
    expect(r.stdout).toContain(`: npx qnxemu web ${file}\n`);
    expect(r.stdout).not.toMatch(/ping-passes\.bundle/);
  });

  test('it holds the scenario, the seed of the run and the earliest failure with its virtual time', () => {
    const b = checkBundle(JSON.parse(fs.readFileSync(path.join(dir, 'ping-fails.bundle.json'), 'utf8')));
    expect(b.file).toBe(path.join(SUITE, 'ping-fails.yaml'));
    expect(b.yaml).toBe(fs.readFileSync(path.join(REPO, SUITE, 'ping-fails.yaml'), 'utf8'));
    expect(b.seed).toBe(3);
    // expect[1] (console_not) failed when the first reply line showed: the time the run's own report gives for it,
    // before expect[2]'s `at: 2500ms`.
    const shown = /^shown at (\d+)\.(\d{9}):/.exec(resultFails.expectations.find((e) => e.index === 1)!.actual);
    expect(shown).not.toBeNull();
    const t = Number(shown![1]) * 1e9 + Number(shown![2]);
    expect(t).toBeLessThan(2_500_000_000);
    expect(b.failure).toEqual({
      t,
      expectation: 'expect[1] no reply at all',
      message: expect.stringMatching(/^expected alpha console does not show "bytes from 10\.0\.0\.2"; actual shown at /),
    });
  });

  test('qnxemu web takes it; --seed on a failure bundle is refused', () => {
    const file = path.join(dir, 'ping-fails.bundle.json');
    const out = path.join(tmpdir('art-out'), 'site');
    const w = qnxemu(['web', file, '--out', out]);
    expect(w.status).toBe(0);
    expect(w.stdout).toMatch(/^qnxemu web: ping-fails, seed 3, stopped at 1\.\d{9} where expect\[1\] no reply at all failed: serve /m);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'bundle.json'), 'utf8'))).toEqual(JSON.parse(fs.readFileSync(file, 'utf8')));
    expectOneLine(qnxemu(['web', file, '--seed', '4', '--out', out]), /--seed: a failure bundle replays the failed run \(seed 3\)/);
  });

  test('without --artifacts nothing is written', () => {
    const r2 = qnxemu(['test', path.join(SUITE, 'ping-fails.yaml'), '--no-progress']);
    expect(r2.status).toBe(1);
    expect(r2.stdout).not.toMatch(/failure bundle/);
  });
});

describe('firstFailure: the earliest failure in virtual time', () => {
  const o = (index: number, ok: boolean, t: number): ExpectationOutcome => ({ index, label: `e${index}`, ok, expected: `x${index}`, actual: `y${index}`, t });

  test('earliest time wins over file order; ties go to the first in the file', () => {
    expect(firstFailure([o(0, false, 9), o(1, true, 1), o(2, false, 5), o(3, false, 5)], [], 10)).toEqual({ t: 5, expectation: 'expect[2] e2', message: 'expected x2; actual y2' });
  });
  test('an action that never ran counts at the end', () => {
    expect(firstFailure([o(0, true, 1)], ['actions[2] never ran: alpha never booted'], 10)).toEqual({ t: 10, expectation: 'actions[2]', message: 'never ran: alpha never booted' });
  });
  test('a passing run has none', () => {
    expect(firstFailure([o(0, true, 1)], [], 10)).toBeNull();
  });
});
