/**
 * The regression suite (tests/scenarios/*.yaml) through the jest API: every scenario's expectations hold,
 * and runs are deterministic.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runScenario } from '../../emulator/app/assembly/run';
import { loadScenario, runScenarioChecked } from '../../emulator/app/testing/api';

const DIR = path.resolve(__dirname, '../scenarios');
const FILES = fs.readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();

describe('the regression scenarios', () => {
  test('the suite covers media, every fault kind and every kind of expectation', () => {
    const all = FILES.map((f) => loadScenario(path.join(DIR, f)));
    expect(new Set(all.flatMap((s) => s.links.map((l) => l.type)))).toEqual(new Set(['hub', 'cable', 'switch']));
    expect(new Set(all.flatMap((s) => (s.faults ?? []).map((f) => f.kind)))).toEqual(new Set(['down', 'loss', 'corrupt', 'rx-burst', 'irq-storm']));
    expect(new Set(all.flatMap((s) => (s.expect ?? []).map((e) => e.kind)))).toEqual(
      new Set(['console', 'iface-counter', 'nic-counter', 'udp-delivered', 'latency']),
    );
    expect(new Set(all.flatMap((s) => (s.actions ?? []).map((a) => a.kind)))).toEqual(new Set(['command', 'ping', 'udp']));
  });

  test.each(FILES)('%s passes', (file) => {
    const r = runScenarioChecked(path.join(DIR, file));
    expect(r.failures).toEqual([]);
    expect(r.passed).toBe(true);
    expect(r.outcomes.length).toBeGreaterThan(0);
    expect(r.outcomes.every((o) => o.ok)).toBe(true);
  });

  test('the same scenario and seed give the same trace hash, consoles and fault draws; another seed differs', () => {
    const file = path.join(DIR, 'loss.yaml');
    const a = runScenarioChecked(file);
    const b = runScenarioChecked(file);
    expect(b.traceHash).toBe(a.traceHash);
    expect(b.consoles).toEqual(a.consoles);
    expect(b.faultNotes).toEqual(a.faultNotes);
    const c = runScenarioChecked(file, { seed: 2 });
    expect(c.traceHash).not.toBe(a.traceHash);
  });

  test('the API hands back consoles, counters and fault reports', () => {
    const r = runScenarioChecked(path.join(DIR, 'rx-burst.yaml'));
    expect(r.consoles.get('alpha')).toContain('5 packets transmitted, 5 packets received, 0.0% packet loss');
    const beta = r.counters.get('beta')!;
    expect(beta['en0.rx_overruns']).toBeGreaterThanOrEqual(1);
    expect(beta['nics[0].rx-reject.overflow']).toBeGreaterThan(0);
    expect(r.faultNotes).toEqual(['faults[0] rx-burst: 200 of 200 frame(s) sent to beta.nics[0]']);
    expect(r.traceHash).toMatch(/^[0-9a-f]{64}$/);
  });

  test.each(['link-faults.yaml', 'udp-latency.yaml', 'rx-burst.yaml', 'irq-storm.yaml'])('docs/examples/%s passes', (file) => {
    const r = runScenarioChecked(path.resolve(__dirname, '../../docs/examples', file));
    expect(r.failures).toEqual([]);
  });

  test('a scenario without a timeline runs exactly as before (same trace hash as runScenario)', () => {
    const sc = loadScenario(path.resolve(__dirname, '../../docs/examples/default/default.yaml'));
    expect(runScenarioChecked(sc, { until: 2_000_000_000 }).traceHash).toBe(runScenario(sc, { until: 2_000_000_000 }).traceHash);
  });
});
