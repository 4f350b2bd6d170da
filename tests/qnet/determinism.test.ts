/**
 * Qnet runs are reproducible: the same scenario and seed give the same trace hash, consoles and byte-identical
 * pcaps; another seed gives another run (the hub's backoff draws and every seeded stream change) that still
 * meets its expectations. As tests/system/determinism.test.ts does for the default VM.
 */
import * as fs from 'node:fs';
import { sharedRun } from '../helpers/shared-run';
import { runExample } from './scenario-run';

describe.each(['qnet.yaml', 'qnet-qos.yaml'])('%s', (name) => {
  const runA = sharedRun(() => runExample(name));
  const runB = sharedRun(() => runExample(name));

  test('same seed twice: identical trace hash, event count, consoles and pcaps', () => {
    const a = runA();
    const b = runB();
    expect(b.r.traceHash).toBe(a.r.traceHash);
    expect(b.r.events).toBe(a.r.events);
    expect([...b.r.consoles]).toEqual([...a.r.consoles]);
    const links = a.r.scenario.links.map((l) => l.name);
    expect(links.length).toBeGreaterThan(0);
    for (const l of links) {
      const pa = fs.readFileSync(a.pcap(l));
      expect(pa.length).toBeGreaterThan(24 + 20 * 16);
      expect(Buffer.compare(pa, fs.readFileSync(b.pcap(l)))).toBe(0);
    }
  });

  test('another seed: another run, still meeting every expectation', () => {
    const a = runA();
    const c = runExample(name, { seed: 7 });
    expect(c.r.seed).toBe(7);
    expect(c.r.traceHash).not.toBe(a.r.traceHash);
    expect(c.r.failures).toEqual([]);
  });
});
