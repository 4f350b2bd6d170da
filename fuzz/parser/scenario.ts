/**
 * `parser/scenario`: each input is one shipped example scenario (a *.yaml under docs/examples, chosen by the seed)
 * mutated by 1–3 operators (structure-aware: fuzz/parser/yaml-ops.ts; lines and bytes: fuzz/parser/text-ops.ts)
 * and loaded through the loader's in-memory entry `parseScenario(text, file, dir)` — what `loadScenarioFile`
 * (the CLI's entry) calls after reading the file — under the example's own path, so its buildfiles and files
 * resolve as they do for the CLI. It passes when the loader returns a scenario or throws one located error
 * inside the file (fuzz/parser/verdict.ts). Every RUN_EVERY-th input that loads is also run for
 * SCENARIO_RUN_NS of virtual time (fuzz/parser/short-run.ts) and must finish without an exception; scenarios
 * with guest (v86) nodes are loaded only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Rng } from '../../emulator/machine/sim/rng';
import { parseScenario } from '../../emulator/app/scenario/load';
import type { FuzzTarget, EpisodeResult } from '../target';
import { corpus, exampleFile, scenarioSeed } from './corpus';
import { mutate, pick, TEXT_MUTATORS, type Mutator } from './text-ops';
import { YAML_MUTATORS } from './yaml-ops';
import { capturingWarnings, exceptionLine, locatedFailure } from './verdict';
import { hasGuests, shortRun } from './short-run';

/** One input, JSON-safe: the reproducer's `input`. */
export interface ScenarioInput {
  /** The example it was made from, from the repository root ("docs/examples/ping.yaml"). */
  example: string;
  /** The mutated text. */
  text: string;
  /** The operators that made it, in order (information for a reader; replay uses `text`). */
  ops: string[];
  /** Also run it (if it loads). */
  run: boolean;
}

/** Structure-aware operators weigh as much as the line/byte ones. */
export const SCENARIO_MUTATORS: readonly Mutator[] = [...YAML_MUTATORS, ...YAML_MUTATORS, ...TEXT_MUTATORS];
/** Operators applied to one input: 1 … MAX_OPS. */
export const MAX_OPS = 3;
/** Every RUN_EVERY-th input (episode 0, RUN_EVERY, …) is run when it loads. */
export const RUN_EVERY = 5;
/** Virtual time a loaded scenario runs (as `--until 20ms`). */
export const SCENARIO_RUN_NS = 20_000_000;

/** The loader entry under test: `parseScenario(text, file, dir)` (tests plant broken ones). */
export type ScenarioLoader = (text: string, file: string, dir: string) => ReturnType<typeof parseScenario>;

/** The input of episode `episode` of the run seeded `seed`: a function of the two only. */
export function scenarioInput(seed: number, episode: number): ScenarioInput {
  const rng = new Rng(seed, `parser/scenario#${episode}`);
  const example = pick(rng, corpus().scenarios);
  const m = mutate(example.text, rng, SCENARIO_MUTATORS, MAX_OPS);
  return { example: example.rel, text: m.text, ops: m.ops, run: episode % RUN_EVERY === 0 };
}

/** Loads (and maybe runs) one input: null if it passes, else the failure line. Never throws. */
export function checkScenario(input: ScenarioInput, load: ScenarioLoader = parseScenario): string | null {
  try {
    const file = scenarioSeed(input.example)?.file ?? exampleFile(input.example);
    if (!file) return `input names ${input.example}, not a path under docs/examples`;
    const seed = { file };
    const loaded = capturingWarnings(() => {
      try {
        // The loader reads buildfiles itself (its default reader, as for the CLI).
        return { sc: load(input.text, seed.file, path.dirname(seed.file)), failure: null };
      } catch (e) {
        return { sc: null, failure: locatedFailure(e, (f) => textOf(f, seed.file, input.text)) };
      }
    });
    const warning = loaded.warnings[0];
    if (warning !== undefined) return `the loader printed a Node warning: ${warning.split('\n')[0]}`;
    const { sc, failure } = loaded.value;
    if (!sc) return failure;
    return input.run && !hasGuests(sc) ? shortRun(sc, SCENARIO_RUN_NS) : null;
  } catch (e) {
    return exceptionLine(e, 'fuzzer');
  }
}

/**
 * The text of a file a located error names: the scenario's own (mutated) text, or a file the scenario names
 * (a buildfile: its path's last part appears in the text) that is a regular file; null for any other file.
 */
function textOf(file: string, scenarioFile: string, text: string): string | null {
  if (file === scenarioFile) return text;
  if (!text.includes(path.basename(file))) return null;
  try {
    return fs.statSync(file).isFile() ? fs.readFileSync(file, 'utf8') : null;
  } catch {
    return null;
  }
}

function isScenarioInput(x: unknown): x is ScenarioInput {
  const o = x as Partial<ScenarioInput> | null;
  return typeof o === 'object' && o !== null && typeof o.example === 'string' && typeof o.text === 'string' && typeof o.run === 'boolean';
}

/** The target, with the loader it exercises (tests plant a broken one to show the checks bite). */
export function makeScenarioTarget(load: ScenarioLoader = parseScenario): FuzzTarget {
  return {
    name: 'parser/scenario',
    description: `mutated docs/examples scenarios: a located error or a scenario; every ${RUN_EVERY}th also runs ${SCENARIO_RUN_NS / 1e6} ms (guest nodes: load only)`,
    defaultInputs: 10_000,
    quickInputs: 600,
    episode(seed: number, episode: number, budget: number): EpisodeResult {
      if (budget < 1) return { inputs: 0, failure: null };
      let input: ScenarioInput;
      try {
        input = scenarioInput(seed, episode);
      } catch (e) {
        return { inputs: 1, failure: exceptionLine(e, 'fuzzer') };
      }
      const failure = checkScenario(input, load);
      return failure === null ? { inputs: 1, failure } : { inputs: 1, failure, input };
    },
    replay(input: unknown): string | null {
      if (!isScenarioInput(input)) return 'replay: not a parser/scenario input ({example, text, ops, run})';
      return checkScenario(input, load);
    },
  };
}

export const scenarioTarget = makeScenarioTarget();
