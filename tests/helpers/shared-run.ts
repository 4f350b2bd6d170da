/**
 * A result that several tests of a file check (a scenario run, a reference simulation), computed inside the tests
 * that use it instead of in a `describe` body or at the top of the file.
 *
 * In a normal run it is computed once, by the first test that asks, and shared. Under mutation testing (StrykerJS
 * puts `__stryker__` on the test environment's global) each test computes it again, so that Stryker's per-test
 * coverage records every test that depends on the result. Work done while no test runs is what Stryker calls
 * *static*: a mutant there cannot be traced to its tests, so it runs the area's whole test set — and a mutant
 * that makes that work throw fails the file's loading, a "runtime error" the score leaves out
 * (docs/testing.md "Static mutants").
 */
export function sharedRun<T>(compute: () => T): () => T {
  let memo: { test: string | undefined; value: T } | null = null;
  return () => {
    const test = underMutationTesting() ? (expect.getState().currentTestName ?? '') : undefined;
    if (memo === null || memo.test !== test) memo = { test, value: compute() };
    return memo.value;
  };
}

/** True inside a StrykerJS test environment (its jest runner sets the instrumenter's context on the global). */
export function underMutationTesting(): boolean {
  return '__stryker__' in globalThis;
}
