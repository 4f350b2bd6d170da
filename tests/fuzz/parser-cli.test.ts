/**
 * `parser/cli` (fuzz/parser/cli.ts): every README command line parses; a short pass of mutated ones gives only
 * parsed commands with usable values, one-line usage errors and help; the inputs are a function of (seed,
 * episode); and planted bugs in the command tree — commander's usage text after an error (what `qnxemu` printed
 * before issue 14's part G), an argument parser that throws a TypeError, one that lets NaN through, one that
 * writes to stderr itself, one that calls process.exit — are each caught with a replayable input. The bugs the
 * fuzzer found (a NaN or 2^32 seed for `console`, a 1e20 ns `debug --until`) replay from fuzz/reproducers/.
 */
import { Command, InvalidArgumentError } from 'commander';
import { buildProgram } from '../../emulator/app/cli/program';
import { checkArgv, cliInput, cliTarget, makeCliTarget, type CliOutcome, type ProgramBuilder } from '../../fuzz/parser/cli';
import { CLI_CORPUS } from '../../fuzz/parser/cli-ops';
import { runTarget } from '../../fuzz/runner';

test('every corpus command line parses (or is help / the version), printing nothing else', () => {
  for (const argv of CLI_CORPUS) {
    const kinds: CliOutcome[] = [];
    expect([argv, checkArgv({ argv: [...argv], ops: [] }, buildProgram, (k) => kinds.push(k))]).toEqual([argv, null]);
    expect([argv, kinds]).toEqual([argv, [argv[0] === '--version' || argv[0] === 'help' ? 'help' : 'parsed']]);
  }
});

test('a short pass: 1500 mutated command lines, 0 failures, all three outcomes reached', () => {
  const counts: Record<CliOutcome, number> = { parsed: 0, error: 0, help: 0 };
  const failures: string[] = [];
  for (let e = 0; e < 1500; e++) {
    const f = checkArgv(cliInput(1, e), buildProgram, (k) => counts[k]++);
    if (f !== null) failures.push(`episode ${e}: ${f}`);
  }
  expect(failures).toEqual([]);
  expect(counts.parsed).toBeGreaterThan(150);
  expect(counts.error).toBeGreaterThan(300);
  expect(counts.help).toBeGreaterThan(10);
});

test('determinism: the same seed gives the same vectors; another seed others', () => {
  const a = Array.from({ length: 50 }, (_, e) => cliInput(5, e));
  expect(Array.from({ length: 50 }, (_, e) => cliInput(5, e))).toEqual(a);
  const c = Array.from({ length: 50 }, (_, e) => cliInput(6, e));
  expect(c.filter((x, i) => JSON.stringify(x) === JSON.stringify(a[i])).length).toBeLessThan(10);
  const r1 = runTarget({ target: cliTarget, seed: 3, inputs: 300 });
  const r2 = runTarget({ target: cliTarget, seed: 3, inputs: 300 });
  expect({ ...r1, ms: 0 }).toEqual({ ...r2, ms: 0 });
});

test('usage errors are one line naming the command, even for an argument holding a newline', () => {
  const err = (argv: string[]): string => {
    let text = '';
    const p = buildProgram({ fail: (e) => { throw e; } }, { output: { writeOut: () => undefined, writeErr: (s) => (text += s) }, exitOverride: true });
    expect(() => p.parse(argv, { from: 'user' })).toThrow();
    return text;
  };
  expect(err(['boot', '--seed', 'abc'])).toBe("qnxemu: option '--seed <n>' argument 'abc' is invalid. the seed is an integer 0..4294967295 (qnxemu boot --help: usage)\n");
  expect(err(['run', 'x.yaml', '--seed', '1\n2'])).toBe("qnxemu: option '--seed <n>' argument '1\\n2' is invalid. the seed is an integer 0..4294967295 (qnxemu run --help: usage)\n");
  expect(err(['bogus'])).toBe("qnxemu: unknown command 'bogus' (qnxemu --help: usage)\n");
  expect(err(['guest', 'build', '--x'])).toBe("qnxemu: unknown option '--x' (qnxemu guest build --help: usage)\n");
});

/** The real tree with one more option on `run`, parsed by `parse`. */
const withOption = (parse: (v: string) => unknown): ProgramBuilder => (services, opts) => {
  const p = buildProgram(services, opts);
  (p.commands.find((c) => c.name() === 'run') as Command).option('--planted <v>', 'planted', parse);
  return p;
};

test.each<[string, ProgramBuilder, RegExp]>([
  [
    'usage text after the error (commander showHelpAfterError)',
    (s, o) => {
      const p = buildProgram(s, o);
      for (const c of [p, ...p.commands]) c.showHelpAfterError();
      return p;
    },
    /^error 'commander\.\w+' is not one line: /,
  ],
  ['a parser that throws a TypeError', withOption((v) => (v as unknown as { x: { y: number } }).x.y), /^exception: TypeError: .* at /],
  ['a parser that lets NaN through', withOption((v) => (v === '' ? NaN : Number(v))), /^parsed 'run' with planted parsed as NaN$/],
  ['a parser that writes to stderr itself', withOption((v) => (process.stderr.write(`bad ${v}\n`), v)), /^wrote to the process's own stdout\/stderr: /],
  [
    'a parser that exits',
    withOption((v) => {
      if (v === '') process.exit(3);
      throw new InvalidArgumentError('no');
    }),
    /^called process\.exit\(3\)$/,
  ],
])('a planted bug is caught and replays: %s', (_what, build, want) => {
  const target = makeCliTarget(build);
  // The planted option needs to be typed: vectors made with it end with `--planted <value>`.
  const plantedInput = { argv: ['run', 'docs/examples/ping.yaml', '--planted', ''], ops: [] };
  const direct = target.replay(plantedInput);
  const r = runTarget({ target, seed: 1, inputs: 400 });
  const first = r.reproducers[0];
  const line = first ? first.failure : direct;
  expect(line).toMatch(want);
  if (first) {
    expect(target.replay(first.input)).toBe(first.failure);
    expect(cliTarget.replay(first.input)).toBeNull();
  } else expect(cliTarget.replay({ argv: ['run', 'docs/examples/ping.yaml'], ops: [] })).toBeNull();
});
