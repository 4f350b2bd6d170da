/**
 * The comparison operators of scenario expectations (`op:` in nic_counter, iface counters, udp_delivered;
 * docs/formats/scenario.md), as a table: each of ==, !=, <, <=, >, >= at actual equal to, below and above the
 * expected value, directly on `compare` (emulator/app/scenario/actions-util.ts) and through `evaluate`
 * (emulator/app/testing/evaluate.ts), which must pass (actual, op, expected) in that order.
 *
 * Kills any one-operator slip in `compare`: `>=` → `>` (fails at equal), `<=` → `<`, `<` → `<=`, `>` → `>=`,
 * `===` → `!==`, and a swapped case; and in evaluate.ts `compare(v, e.op, e.value)` → `compare(e.value, e.op, v)`
 * (fails for <, <=, >, >= below and above).
 */
import { compare, opSchema, type CompareOp } from '../../emulator/app/scenario/actions-util';
import type { Expectation } from '../../emulator/app/scenario/expect';
import { evaluate } from '../../emulator/app/testing/evaluate';
import { nicKey } from '../../emulator/app/testing/collect';
import type { TimelineRun } from '../../emulator/app/testing/execute';

type Rel = 'equal' | 'below' | 'above';
/** [op, holds when actual == expected, when actual < expected, when actual > expected] */
const TABLE: [CompareOp, boolean, boolean, boolean][] = [
  ['==', true, false, false],
  ['!=', false, true, true],
  ['<', false, true, false],
  ['<=', true, true, false],
  ['>', false, false, true],
  ['>=', true, false, true],
];
const EXPECTED = 10;
const ACTUAL: Record<Rel, number> = { equal: 10, below: 9, above: 11 };
const CASES = TABLE.flatMap(([op, eq, lo, hi]) =>
  ([['equal', eq], ['below', lo], ['above', hi]] as [Rel, boolean][]).map(([rel, want]) => [op, rel, want] as const),
);

describe('compare: every operator at equal, below and above', () => {
  test('the table covers exactly the operators the scenario schema accepts', () => {
    expect(TABLE.map(([op]) => op).sort()).toEqual([...opSchema.enum].sort());
    expect(CASES).toHaveLength(18);
  });

  test.each(CASES)('actual %s expected: %s → %s', (op, rel, want) => {
    expect(compare(ACTUAL[rel], op, EXPECTED)).toBe(want);
  });

  test.each(CASES)('at zero and one apart (counters start at 0): %s %s → %s', (op, rel, want) => {
    const actual = { equal: 0, below: 0, above: 1 }[rel];
    const expected = { equal: 0, below: 1, above: 0 }[rel];
    expect(compare(actual, op, expected)).toBe(want);
  });
});

describe('evaluate: a nic_counter expectation passes actual, op and expected in that order', () => {
  /** A finished run holding one NIC counter value, with one expectation per operator over it. */
  function runWith(actual: number): TimelineRun {
    const expect: Expectation[] = TABLE.map(([op], i) => ({
      index: i, label: `op ${op}`, node: 'alpha', at: null, kind: 'nic-counter', nic: 0, counter: 'rx-overflow', op, value: EXPECTED,
    }));
    const nicCounts = new Map([[nicKey(null, 'alpha', 0, 'rx-overflow'), actual]]);
    return { scenario: { expect }, observer: { nicCounts } } as unknown as TimelineRun;
  }
  const COLUMN: Record<Rel, 1 | 2 | 3> = { equal: 1, below: 2, above: 3 };

  test.each(['equal', 'below', 'above'] as Rel[])('actual %s expected', (rel) => {
    const outcomes = evaluate(runWith(ACTUAL[rel]));
    expect(outcomes.map((o) => [o.label, o.ok])).toEqual(TABLE.map((row) => [`op ${row[0]}`, row[COLUMN[rel]]]));
    for (const o of outcomes) {
      expect(o.actual).toBe(String(ACTUAL[rel]));
      expect(o.expected).toContain(`rx-overflow ${TABLE[o.index]![0]} ${EXPECTED}`);
    }
  });
});
