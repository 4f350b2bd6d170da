/**
 * How many threads a scenario's guests get (emulator/app/assembly/guest-threads.ts; docs/guest-time-model.md
 * "Threads by default"): two or more guests run in worker threads, at most the machine's cores at once, unless
 * `--no-threads`; one guest (or none) runs on the single-threaded engine unless `--threads N`. The command-line
 * side (the default run is the `--threads` run, `--no-threads` another): tests/system/threads-actions.test.ts.
 */
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { guestCount, guestThreads, machineThreads, MAX_THREADS, withGuestThreads } from '../../emulator/app/assembly/guest-threads';
import { loadScenarioFile } from '../../emulator/app/scenario/load';
import { threadsArg } from '../../emulator/app/cli/args';

const REPO = path.join(__dirname, '../..');
const scenario = (file: string) => loadScenarioFile(path.join(REPO, file));
const TWO = scenario('tests/fixtures/threads/two-guests-collide.yaml');
const ONE = scenario('docs/examples/guest-ne2k-pci.yaml');
const NONE = scenario('docs/examples/ping.yaml');

test('the machine\'s cores, within 1..256, are what --threads auto gives', () => {
  expect(machineThreads()).toBe(Math.min(MAX_THREADS, Math.max(1, availableParallelism())));
  expect(threadsArg('auto')).toBe(machineThreads());
  expect(threadsArg('3')).toBe(3);
});

test('the fixtures have the guests they are used for here', () => {
  expect([guestCount(TWO), guestCount(ONE), guestCount(NONE)]).toEqual([2, 1, 0]);
});

test('two or more guests: the machine\'s cores by default, --threads N as given, --no-threads the single-threaded engine', () => {
  expect(guestThreads(TWO, undefined)).toBe(machineThreads());
  expect(guestThreads(TWO, 1)).toBe(1);
  expect(guestThreads(TWO, 7)).toBe(7);
  expect(guestThreads(TWO, false)).toBeUndefined();
});

test('one guest: the single-threaded engine by default, threads only when asked', () => {
  expect(guestThreads(ONE, undefined)).toBeUndefined();
  expect(guestThreads(ONE, 2)).toBe(2);
  expect(guestThreads(ONE, false)).toBeUndefined();
});

test('no guests: nothing to put in a thread, whatever was asked', () => {
  expect(guestThreads(NONE, undefined)).toBeUndefined();
  expect(guestThreads(NONE, 4)).toBeUndefined();
  expect(guestThreads(NONE, false)).toBeUndefined();
});

test('a command\'s options with threads resolved: the number kept, or no threads key at all (single-threaded engine)', () => {
  const opts = (threads?: number | false): { seed: number; threads?: number | false } => (threads === undefined ? { seed: 3 } : { seed: 3, threads });
  expect(withGuestThreads(TWO, opts())).toEqual({ seed: 3, threads: machineThreads() });
  expect(withGuestThreads(TWO, opts(false))).toEqual({ seed: 3 });
  expect('threads' in withGuestThreads(ONE, opts())).toBe(false);
  expect(withGuestThreads(ONE, opts(2))).toEqual({ seed: 3, threads: 2 });
});
