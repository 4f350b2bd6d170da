/**
 * The committed regression corpus: every reproducer in fuzz/reproducers/ (failures the fuzzers found and that
 * were fixed at their root, docs/fuzzing.md "Reproducers") is replayed by its target and must pass now.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FUZZ_TARGETS } from '../../fuzz/registry';
import { replayReproducer, reproducerName, reproducerProblem } from '../../fuzz/runner';
import type { Reproducer } from '../../fuzz/target';
import { REPO } from './helpers';

const DIR = path.join(REPO, 'fuzz/reproducers');
const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

test('the corpus holds reproducers, and nothing else but .gitkeep', () => {
  expect(files.length).toBeGreaterThan(0);
  expect(fs.readdirSync(DIR).filter((f) => !f.endsWith('.json') && f !== '.gitkeep')).toEqual([]);
});

describe.each(files)('%s', (file) => {
  test('is a reproducer of a target in this build, named as the runner names it', () => {
    const rep = JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')) as Reproducer;
    expect(reproducerProblem(rep)).toBeNull();
    expect(FUZZ_TARGETS.map((t) => t.name)).toContain(rep.target);
    expect(reproducerName(rep)).toBe(file);
  });

  test('replays without failing', () => {
    const rep = JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')) as Reproducer;
    const target = FUZZ_TARGETS.find((t) => t.name === rep.target)!;
    expect({ file, failure: replayReproducer(target, rep) }).toEqual({ file, failure: null });
  });
});
