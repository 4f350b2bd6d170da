/**
 * Ctrl-C during a guest run (issue 14): a guest's CPU event runs v86 for up to milliseconds, so guest scenarios run
 * in slices of GUEST_SLICE_EVENTS events (20 000 events were a whole run, and `qnxemu run` saw the signal only at
 * its end). Slicing changes nothing in what runs.
 */
import { loadScenarioFile } from '../../emulator/app/scenario/load';
import { prepareGuests } from '../../emulator/app/assembly/guest-node';
import { runScenario } from '../../emulator/app/assembly/run';
import { GUEST_SLICE_EVENTS, runTimelineAsync } from '../../emulator/app/testing/execute';

const FILE = 'docs/examples/guest-ne2k-pci.yaml';
const UNTIL = 1_500_000_000; // 1.5 s of the guest's boot: thousands of events, a few seconds of wall time

test('a stop request is seen after GUEST_SLICE_EVENTS events of a guest run', async () => {
  const scenario = loadScenarioFile(FILE);
  let turns = 0;
  const r = await runTimelineAsync(scenario, { guests: await prepareGuests(scenario) }, async () => void turns++, () => turns >= 1);
  expect(r.events).toBe(GUEST_SLICE_EVENTS);
  expect(r.interruptedAt).toBe(r.virtualTime);
}, 120_000);

test('the guest slices run the same events as no slicing at all: same trace hash and end', async () => {
  const scenario = loadScenarioFile(FILE);
  const guests = await prepareGuests(scenario, { count: 2 });
  const whole = runScenario(scenario, { until: UNTIL, guests }); // runUntil(until): no slices at all
  let turns = 0;
  const sliced = await runTimelineAsync(scenario, { until: UNTIL, guests }, async () => void turns++, () => false);
  expect(turns).toBeGreaterThan(10);
  expect(sliced.traceHash).toBe(whole.traceHash);
  expect(sliced.virtualTime).toBe(whole.virtualTime);
}, 180_000);
