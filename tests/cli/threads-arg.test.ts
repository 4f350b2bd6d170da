/**
 * `--threads <n>` (run, test, console; emulator/app/cli/args.ts): 1..256, or `auto` for the machine's cores. Any n
 * gives the same run (tests/system/threads.test.ts compares 1 and 2), so `auto` is as reproducible as a number.
 */
import { availableParallelism } from 'node:os';
import { InvalidArgumentError } from 'commander';
import { threadsArg } from '../../emulator/app/cli/args';

describe('--threads', () => {
  test('a whole number from 1 to 256', () => {
    expect([threadsArg('1'), threadsArg('2'), threadsArg('256')]).toEqual([1, 2, 256]);
  });

  test("auto: the machine's cores, at most 256", () => {
    expect(threadsArg('auto')).toBe(Math.min(256, availableParallelism()));
    expect(threadsArg('auto')).toBeGreaterThanOrEqual(1);
  });

  test.each(['0', '257', 'x', '1.5', '-1', 'AUTO', ''])('%j is refused, naming the choices', (v) => {
    expect(() => threadsArg(v)).toThrow(InvalidArgumentError);
    expect(() => threadsArg(v)).toThrow('--threads is an integer 1..256, or auto');
  });
});
