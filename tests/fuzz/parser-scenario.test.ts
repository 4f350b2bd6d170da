/**
 * `parser/scenario` (fuzz/parser/scenario.ts): the shipped examples load and run; a short pass of mutated
 * examples gives only located errors and clean runs; the inputs are a function of (seed, episode); and planted
 * bugs in the loader — a TypeError, a location outside the file, a two-line answer, a Node warning, a run that
 * throws — are each caught as a failure with a replayable input.
 */
import { parseScenario } from '../../emulator/app/scenario/load';
import { LocatedError } from '../../emulator/app/scenario/errors';
import { corpus } from '../../fuzz/parser/corpus';
import { checkScenario, makeScenarioTarget, scenarioInput, scenarioTarget, RUN_EVERY, type ScenarioInput } from '../../fuzz/parser/scenario';
import { hasGuests, shortRun } from '../../fuzz/parser/short-run';

const dir = (f: string) => f.slice(0, f.lastIndexOf('/'));

test('every shipped example loads, and every one without guest nodes runs 20 ms of virtual time', () => {
  const examples = corpus().scenarios;
  expect(examples.length).toBeGreaterThanOrEqual(20);
  let ran = 0;
  for (const s of examples) {
    const sc = parseScenario(s.text, s.file, dir(s.file));
    if (hasGuests(sc)) continue;
    expect([s.rel, shortRun(sc, 20_000_000)]).toEqual([s.rel, null]);
    ran++;
  }
  expect(ran).toBeGreaterThanOrEqual(15);
});

test(`a short pass: 150 mutated examples (every ${RUN_EVERY}th run), 0 failures`, () => {
  const failures: string[] = [];
  let inputs = 0;
  for (let e = 0; e < 150; e++) {
    const r = scenarioTarget.episode(1, e, 1);
    inputs += r.inputs;
    if (r.failure !== null) failures.push(`episode ${e}: ${r.failure}`);
  }
  expect(failures).toEqual([]);
  expect(inputs).toBe(150);
});

test('every mutated example that loads also runs without an exception (40 inputs, all run)', () => {
  let loaded = 0;
  for (let e = 0; e < 40; e++) {
    const input = { ...scenarioInput(2, e), run: true };
    expect([e, checkScenario(input)]).toEqual([e, null]);
    try {
      const s = corpus().scenarios.find((x) => x.rel === input.example)!;
      parseScenario(input.text, s.file, dir(s.file));
      loaded++;
    } catch (err) {
      expect(err).toBeInstanceOf(LocatedError);
    }
  }
  expect(loaded).toBeGreaterThan(0);
});

test('determinism: the same seed gives the same mutated texts; another seed others', () => {
  const a = Array.from({ length: 30 }, (_, e) => scenarioInput(5, e));
  const b = Array.from({ length: 30 }, (_, e) => scenarioInput(5, e));
  const c = Array.from({ length: 30 }, (_, e) => scenarioInput(6, e));
  expect(b).toEqual(a);
  expect(c.filter((x, i) => x.text === a[i]!.text).length).toBeLessThan(5);
  expect(a.map((x) => x.run)).toEqual(a.map((_, e) => e % RUN_EVERY === 0));
});

describe('planted bugs are caught, and their reproducer input replays them', () => {
  const first = (t: ReturnType<typeof makeScenarioTarget>) => {
    for (let e = 0; e < 50; e++) {
      const r = t.episode(3, e, 1);
      if (r.failure !== null) return r;
    }
    throw new Error('the planted bug was never hit');
  };

  test('a loader that throws a TypeError', () => {
    const t = makeScenarioTarget((text, file, d) => {
      if (text.includes('nics')) throw new TypeError('planted: cannot read properties of undefined');
      return parseScenario(text, file, d);
    });
    const r = first(t);
    expect(r.failure).toMatch(/^exception: TypeError: planted: cannot read properties of undefined at /);
    expect(t.replay(r.input)).toBe(r.failure);
    // The same input through the real loader passes: the failure was the plant's.
    expect(scenarioTarget.replay(r.input)).toBeNull();
    expect(JSON.parse(JSON.stringify(r.input))).toEqual(r.input);
  });

  test('a located error outside the file, and one of two lines', () => {
    const outside = makeScenarioTarget((_text, file) => {
      throw new LocatedError(file, 9999, 1, 'planted');
    });
    expect(first(outside).failure).toMatch(/^located error at line 9999, outside \S+\.yaml \(\d+ lines\)/);
    const twoLines = makeScenarioTarget((_text, file) => {
      const e = new LocatedError(file, 1, 1, 'x');
      Object.defineProperty(e, 'message', { value: `${file}:1:1: x\n    at nowhere` });
      Object.defineProperty(e, 'problem', { value: 'x\n    at nowhere' });
      throw e;
    });
    expect(first(twoLines).failure).toMatch(/^located error of more than one line/);
  });

  test('a loader that prints a Node warning', () => {
    const t = makeScenarioTarget((text, file, d) => {
      process.emitWarning('planted warning');
      return parseScenario(text, file, d);
    });
    expect(first(t).failure).toBe('the loader printed a Node warning: planted warning');
  });

  test('a scenario whose run throws', () => {
    const t = makeScenarioTarget((text, file, d) => {
      const sc = parseScenario(text, file, d);
      return { ...sc, nodes: sc.nodes.map((n) => ({ ...n, nics: n.nics.map((x) => ({ ...x, model: 'planted-nosuch' })) })) };
    });
    const input: ScenarioInput = { example: 'docs/examples/ping.yaml', text: corpus().scenarios.find((s) => s.rel === 'docs/examples/ping.yaml')!.text, ops: [], run: true };
    expect(t.replay(input)).toMatch(/^run \(until 20000000 ns\): exception: \w+: .*planted-nosuch/);
    expect(scenarioTarget.replay(input)).toBeNull();
  });

  test('a malformed reproducer input is a failure line, not a throw', () => {
    expect(scenarioTarget.replay({ text: 1 })).toMatch(/^replay: not a parser\/scenario input/);
    expect(scenarioTarget.replay({ example: '/etc/passwd', text: '', ops: [], run: false })).toMatch(/not a path under docs\/examples/);
    // An example renamed since the reproducer was written: the text is replayed under the recorded path.
    const text = corpus().scenarios.find((s) => s.rel === 'docs/examples/ping.yaml')!.text;
    expect(scenarioTarget.replay({ example: 'docs/examples/renamed.yaml', text, ops: [], run: false })).toBeNull();
    expect(scenarioTarget.replay({ example: 'docs/examples/renamed.yaml', text: 'seed: *x\n', ops: [], run: false })).toBeNull();
  });
});
