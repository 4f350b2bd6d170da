/**
 * `parser/buildfile` (fuzz/parser/buildfile.ts): every shipped buildfile parses and boots in its one-node
 * scenario; a short pass of mutated buildfiles gives only located BuildfileErrors and clean boots; a bad driver
 * option reaches the driver and is a failed attach, not an exception; the inputs are a function of (seed,
 * episode); planted parser bugs are caught with a replayable input.
 */
import { parseScenario } from '../../emulator/app/scenario/load';
import { runScenarioChecked } from '../../emulator/app/testing/api';
import { BuildfileError, parseBuildfile } from '../../firmware/buildfile';
import { corpus } from '../../fuzz/parser/corpus';
import { BOOT_EVERY, BOOT_RUN_NS, buildfileInput, buildfileTarget, checkBuildfile, makeBuildfileTarget, type BuildfileInput } from '../../fuzz/parser/buildfile';

const dir = (f: string) => f.slice(0, f.lastIndexOf('/'));
const alpha = () => corpus().buildfiles.find((s) => s.rel === 'docs/examples/default/alpha.build')!;

test('every shipped buildfile parses and boots in its one-node scenario', () => {
  const all = corpus().buildfiles;
  expect(all.length).toBeGreaterThanOrEqual(8);
  for (const b of all) {
    const input: BuildfileInput = { example: b.rel, text: b.text, ops: [], boot: true };
    expect([b.rel, checkBuildfile(input)]).toEqual([b.rel, null]);
  }
});

test('the one-node boot reaches the boot script: alpha configures en0 within the boot time', () => {
  const b = alpha();
  const sc = parseScenario(b.boot.text, b.boot.file, dir(b.boot.file));
  expect(sc.nodes.map((n) => n.name)).toEqual(['alpha']);
  const r = runScenarioChecked(sc, { until: BOOT_RUN_NS });
  expect(r.consoles.get('alpha')).toMatch(/en0: flags=8843<UP,BROADCAST,RUNNING/);
});

test('a bad driver option in a mutated buildfile is the driver refusing to attach, and a valid run', () => {
  const b = alpha();
  const text = b.text.replace('-dne2000 ioport=0x300,irq=5', '-v -dne2000 ioport=zz,irq=5');
  expect(checkBuildfile({ example: b.rel, text, ops: ['script-arg'], boot: true })).toBeNull();
  const sc = parseScenario(b.boot.text, b.boot.file, dir(b.boot.file), (p) => (p === b.file ? text : ''));
  const console = runScenarioChecked(sc, { until: BOOT_RUN_NS }).consoles.get('alpha')!;
  expect(console).toContain("devnp-ne2000: bad value for ioport: 'zz'");
  expect(console).toMatch(/Unable to init devnp-ne2000\.so: /);
});

test(`a short pass: 400 mutated buildfiles (every ${BOOT_EVERY}th booted), 0 failures`, () => {
  const failures: string[] = [];
  for (let e = 0; e < 400; e++) {
    const r = buildfileTarget.episode(1, e, 1);
    if (r.failure !== null) failures.push(`episode ${e}: ${r.failure}`);
  }
  expect(failures).toEqual([]);
});

test('every mutated buildfile that parses also boots without an exception (25 inputs, all booted)', () => {
  let parsed = 0;
  for (let e = 0; e < 25; e++) {
    const input = { ...buildfileInput(2, e), boot: true };
    expect([e, checkBuildfile(input)]).toEqual([e, null]);
    try {
      parseBuildfile(input.text, 'x.build');
      parsed++;
    } catch (err) {
      expect(err).toBeInstanceOf(BuildfileError);
    }
  }
  expect(parsed).toBeGreaterThan(0);
});

test('determinism: the same seed gives the same mutated texts; another seed others', () => {
  const a = Array.from({ length: 40 }, (_, e) => buildfileInput(5, e));
  expect(Array.from({ length: 40 }, (_, e) => buildfileInput(5, e))).toEqual(a);
  const c = Array.from({ length: 40 }, (_, e) => buildfileInput(6, e));
  expect(c.filter((x, i) => x.text === a[i]!.text).length).toBeLessThan(5);
});

describe('planted parser bugs are caught', () => {
  const first = (t: ReturnType<typeof makeBuildfileTarget>) => {
    for (let e = 1; e < 50; e++) {
      const r = t.episode(3, e, 1);
      if (r.failure !== null) return r;
    }
    throw new Error('the planted bug was never hit');
  };

  test('a parser that throws a RangeError', () => {
    const t = makeBuildfileTarget((text, file) => {
      if (text.includes('io-pkt')) throw new RangeError('planted: offset out of range');
      return parseBuildfile(text, file);
    });
    const r = first(t);
    expect(r.failure).toMatch(/^exception: RangeError: planted: offset out of range at /);
    expect(t.replay(r.input)).toBe(r.failure);
    expect(buildfileTarget.replay(r.input)).toBeNull();
  });

  test('a BuildfileError past the last line, or in another file', () => {
    const past = makeBuildfileTarget((text, file) => {
      throw new BuildfileError(file, text.split('\n').length + 1, 1, 'planted');
    });
    expect(first(past).failure).toMatch(/^located error at line \d+, outside \S+\.build/);
    const elsewhere = makeBuildfileTarget(() => {
      throw new BuildfileError('/elsewhere.build', 1, 1, 'planted');
    });
    expect(first(elsewhere).failure).toMatch(/^located error in \/elsewhere\.build, a file the input does not read/);
  });
});
