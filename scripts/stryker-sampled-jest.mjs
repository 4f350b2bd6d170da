// A Stryker test runner plugin, `sampled-jest`: Stryker's jest runner, except that a mutant outside the sample
// (scripts/mutate-sample.cjs; `npm run mutate -- --sample F`) is not run. It is reported as a RuntimeError with the
// reason "not in the sample", a status Stryker leaves out of its score; scripts/mutate.mjs leaves it out as well,
// and the mutants Stryker never runs (not covered) it counts only when they are in the sample.
import path from 'node:path';
import { createRequire } from 'node:module';
import { commonTokens, declareFactoryPlugin, PluginKind, tokens } from '@stryker-mutator/api/plugin';
import { MutantRunStatus } from '@stryker-mutator/api/test-runner';
import { strykerPlugins as jestPlugins } from '@stryker-mutator/jest-runner';

const { mutantKey, inSample, sampleFromEnv } = createRequire(import.meta.url)('./mutate-sample.cjs');
// The jest runner's own factory, from its public plugin list.
const jestTestRunnerFactory = jestPlugins.find((p) => p.name === 'jest').factory;

function sampledJestFactory(injector) {
  const inner = jestTestRunnerFactory(injector);
  const { rate, seed } = sampleFromEnv();
  // The project's root: Stryker gives the original file's absolute path (the sandbox is the cwd here).
  const root = process.env.MUTATE_ROOT ?? process.cwd();
  return {
    capabilities: () => inner.capabilities(),
    init: () => inner.init?.(),
    dispose: () => inner.dispose?.(),
    dryRun: (options) => inner.dryRun(options),
    mutantRun(options) {
      const m = options.activeMutant;
      const loc = {
        start: { line: m.location.start.line + 1, column: m.location.start.column + 1 },
        end: { line: m.location.end.line + 1, column: m.location.end.column + 1 },
      };
      const key = mutantKey(path.relative(root, m.fileName), loc, m.mutatorName, m.replacement);
      if (!inSample(key, rate, seed)) {
        return Promise.resolve({ status: MutantRunStatus.Error, errorMessage: `not in the sample (${rate}, seed ${seed})` });
      }
      return inner.mutantRun(options);
    },
  };
}
sampledJestFactory.inject = tokens(commonTokens.injector);

export const strykerPlugins = [declareFactoryPlugin(PluginKind.TestRunner, 'sampled-jest', sampledJestFactory)];
