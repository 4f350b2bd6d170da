import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultScenario, example, run, tmpdir } from './helpers';

describe('determinism', () => {
  test('same seed twice: identical trace hash, trace, consoles and byte-identical pcaps', () => {
    const d1 = tmpdir('det1');
    const d2 = tmpdir('det2');
    const a = run(defaultScenario(), { pcapDir: d1, traceFile: path.join(d1, 'trace.jsonl') });
    const b = run(defaultScenario(), { pcapDir: d2, traceFile: path.join(d2, 'trace.jsonl') });
    expect(a.traceHash).toBe(b.traceHash);
    expect(a.events).toBe(b.events);
    expect([...a.consoles]).toEqual([...b.consoles]);
    expect(a.pcaps.map((p) => path.basename(p))).toEqual(['hub0.pcap']);
    expect(Buffer.compare(fs.readFileSync(a.pcaps[0]!), fs.readFileSync(b.pcaps[0]!))).toBe(0);
    expect(fs.readFileSync(path.join(d1, 'trace.jsonl'))).toEqual(fs.readFileSync(path.join(d2, 'trace.jsonl')));
    expect(fs.readFileSync(a.pcaps[0]!).length).toBeGreaterThan(24 + 10 * 16);
  });

  test('another seed gives another run (and still works)', () => {
    const a = run(defaultScenario());
    const b = run(defaultScenario(), { seed: 2 });
    expect(b.seed).toBe(2);
    expect(b.traceHash).not.toBe(a.traceHash);
    expect(b.consoles.get('alpha')).toContain('4 packets transmitted, 4 packets received, 0.0% packet loss');
  });

  test('collisions on a hub: the same seed replays the same backoff draws, another seed draws others', () => {
    const a = run(example('collisions.yaml'));
    const b = run(example('collisions.yaml'));
    const c = run(example('collisions.yaml'), { seed: 99 });
    expect(b.traceHash).toBe(a.traceHash);
    expect(c.traceHash).not.toBe(a.traceHash);
  });
});
