/**
 * docs/examples/impairments.yaml: a WAN-like cable (delay, normal jitter, rate, Gilbert-Elliott burst loss) under a
 * UDP stream. It passes under `qnxemu test` and `qnxemu run` prints the impairment's report; it is deterministic;
 * and its expectations, derived from the configuration in its header, hold for other seeds too (they are not tuned
 * to seed 1's draws).
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { runScenarioChecked } from '../../emulator/app/testing/api';
import { REPO } from './helpers';

const FILE = path.join(REPO, 'docs/examples/impairments.yaml');

describe('docs/examples/impairments.yaml', () => {
  test('qnxemu test passes it; qnxemu run prints the expectations and one report line per impaired port', () => {
    const t = spawnSync(process.execPath, [path.join(REPO, 'dist/qnxemu.js'), 'test', FILE, '--no-progress'], { cwd: REPO, encoding: 'utf8' });
    expect(t.stderr).toBe('');
    expect(t.stdout).toMatch(/^PASS +docs\/examples\/impairments\.yaml|PASS .*impairments\.yaml/m);
    expect(t.status).toBe(0);
    const r = spawnSync(process.execPath, [path.join(REPO, 'dist/qnxemu.js'), 'run', FILE, '--no-color'], { cwd: REPO, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^wan→beta\.nic0: 1003 frames, \d+ lost \(gilbert-elliott\), mean delay 4\d\.\d ms$/m);
    expect(r.stdout).toMatch(/^wan→alpha\.nic0: \d+ frames, mean delay \d+\.\d ms$/m);
    expect(r.stdout).toMatch(/^expectations: 5 passed, 0 failed$/m);
  });

  test('the same seed gives the same run; seeds 2 and 3 draw other losses and delays and still pass', () => {
    const a = runScenarioChecked(FILE);
    const b = runScenarioChecked(FILE);
    expect(a.failures).toEqual([]);
    expect(b.traceHash).toBe(a.traceHash);
    expect(b.faultNotes).toEqual(a.faultNotes);
    for (const seed of [2, 3]) {
      const c = runScenarioChecked(FILE, { seed });
      expect(c.failures).toEqual([]);
      expect(c.traceHash).not.toBe(a.traceHash);
      expect(c.faultNotes).not.toEqual(a.faultNotes);
    }
  });
});
