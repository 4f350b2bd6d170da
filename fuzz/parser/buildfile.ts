/**
 * `parser/buildfile`: each input is one shipped buildfile (a *.build under docs/examples, chosen by the seed)
 * mutated by 1–3 operators (mkifs-aware: fuzz/parser/buildfile-ops.ts; lines and bytes: text-ops.ts) and
 * parsed by firmware/buildfile.ts `parseBuildfile`. It passes when the parser returns an image description or
 * throws one `BuildfileError` located inside the file (fuzz/parser/verdict.ts). Every BOOT_EVERY-th input that
 * parses is also booted: the one-node scenario of fuzz/parser/corpus.ts is loaded with the mutated text in
 * place of the buildfile (the loader reads it through its `readFile` parameter) and run for BOOT_RUN_NS of
 * virtual time, long enough for the boot script to start io-pkt and the driver to parse its options (the
 * examples' io-pkt lines run 10–100 ms after power-on). A bad option must be an slog line and a failed
 * mount, as on QNX (docs/errors.md "Driver init failures"), never an exception.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Rng } from '../../emulator/machine/sim/rng';
import { parseBuildfile } from '../../firmware/buildfile';
import { parseScenario } from '../../emulator/app/scenario/load';
import type { FuzzTarget, EpisodeResult } from '../target';
import { buildfileSeed, corpus } from './corpus';
import { mutate, pick, TEXT_MUTATORS, type Mutator } from './text-ops';
import { BUILDFILE_MUTATORS } from './buildfile-ops';
import { exceptionLine, locatedFailure } from './verdict';
import { shortRun } from './short-run';

export interface BuildfileInput {
  /** The buildfile it was made from, from the repository root ("docs/examples/default/alpha.build"). */
  example: string;
  text: string;
  ops: string[];
  /** Also boot it (if it parses). */
  boot: boolean;
}

/** mkifs-aware operators weigh as much as the line/byte ones. */
export const BUILDFILE_ALL_MUTATORS: readonly Mutator[] = [
  ...BUILDFILE_MUTATORS, ...BUILDFILE_MUTATORS, ...BUILDFILE_MUTATORS, ...TEXT_MUTATORS,
];
export const MAX_OPS = 3;
/** Every BOOT_EVERY-th input (episode 0, BOOT_EVERY, …) is booted when it parses. */
export const BOOT_EVERY = 20;
/** Virtual time a booted buildfile runs. */
export const BOOT_RUN_NS = 150_000_000;

export type BuildfileParser = typeof parseBuildfile;

export function buildfileInput(seed: number, episode: number): BuildfileInput {
  const rng = new Rng(seed, `parser/buildfile#${episode}`);
  const example = pick(rng, corpus().buildfiles);
  const m = mutate(example.text, rng, BUILDFILE_ALL_MUTATORS, MAX_OPS);
  return { example: example.rel, text: m.text, ops: m.ops, boot: episode % BOOT_EVERY === 0 };
}

export function checkBuildfile(input: BuildfileInput, parse: BuildfileParser = parseBuildfile): string | null {
  try {
    const seed = buildfileSeed(input.example);
    if (!seed) return `input names ${input.example}, not a buildfile in the corpus`;
    try {
      parse(input.text, seed.file);
    } catch (e) {
      return locatedFailure(e, (f) => (f === seed.file ? input.text : null), true);
    }
    if (!input.boot) return null;
    const read = new Map<string, string>([[seed.boot.file, seed.boot.text], [seed.file, input.text]]);
    const readFile = (p: string): string => {
      if (p === seed.file) return input.text;
      const t = fs.readFileSync(p, 'utf8');
      read.set(p, t);
      return t;
    };
    let sc;
    try {
      sc = parseScenario(seed.boot.text, seed.boot.file, path.dirname(seed.boot.file), readFile);
    } catch (e) {
      return locatedFailure(e, (f) => read.get(f) ?? null);
    }
    return shortRun(sc, BOOT_RUN_NS);
  } catch (e) {
    return exceptionLine(e, 'fuzzer');
  }
}

function isBuildfileInput(x: unknown): x is BuildfileInput {
  const o = x as Partial<BuildfileInput> | null;
  return typeof o === 'object' && o !== null && typeof o.example === 'string' && typeof o.text === 'string' && typeof o.boot === 'boolean';
}

export function makeBuildfileTarget(parse: BuildfileParser = parseBuildfile): FuzzTarget {
  return {
    name: 'parser/buildfile',
    description: `mutated docs/examples buildfiles: a located BuildfileError or an image; every ${BOOT_EVERY}th boots ${BOOT_RUN_NS / 1e6} ms in a one-node scenario`,
    defaultInputs: 20_000,
    quickInputs: 1_500,
    episode(seed: number, episode: number, budget: number): EpisodeResult {
      if (budget < 1) return { inputs: 0, failure: null };
      let input: BuildfileInput;
      try {
        input = buildfileInput(seed, episode);
      } catch (e) {
        return { inputs: 1, failure: exceptionLine(e, 'fuzzer') };
      }
      const failure = checkBuildfile(input, parse);
      return failure === null ? { inputs: 1, failure } : { inputs: 1, failure, input };
    },
    replay(input: unknown): string | null {
      if (!isBuildfileInput(input)) return 'replay: not a parser/buildfile input ({example, text, ops, boot})';
      return checkBuildfile(input, parse);
    },
  };
}

export const buildfileTarget = makeBuildfileTarget();
