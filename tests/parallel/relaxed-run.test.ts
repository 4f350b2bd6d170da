/**
 * The carrier taken late changes nothing (docs/guest-time-model.md "The carrier taken late"): two guests pinging each
 * other on a hub (the collision fixture: both send at once, collide, back off) give the same trace-hash, events and
 * consoles when a quiet guest runs to its relaxed horizon, taking carrier changes in its past late, as when every
 * guest waits for the exact horizon. With `threads: 2` the main thread hosts linux2 (emulator/app/assembly/
 * hosted-guest.ts), so the test's switch (`relaxedHorizon`) reaches it; linux1 runs relaxed in its worker both times,
 * which is the same code.
 */
import { runScenarioCheckedAsync } from '../../emulator/app/testing/api';
import { relaxedHorizon } from '../../emulator/machine/parallel/guest-gate';
import { ensureGuestImage } from '../../emulator/app/guest-image';
import { loadScenarioFile } from '../../emulator/app/scenario/load';
import * as path from 'node:path';

const RUN_MS = 300_000;
const COLLIDE = path.resolve(__dirname, '../fixtures/threads/two-guests-collide.yaml');
/** The worker runs the CLI bundle (jest's global setup builds it), as `qnxemu run --threads` does. */
const CLI = path.resolve(__dirname, '../../dist/qnxemu.js');

beforeAll(async () => {
  await ensureGuestImage({ progress: false });
}, RUN_MS);

afterEach(() => {
  relaxedHorizon.enabled = true;
});

test('two guests colliding on a hub, threaded: the same run with the relaxed horizon and without', async () => {
  const sc = loadScenarioFile(COLLIDE);
  const run = async (enabled: boolean) => {
    relaxedHorizon.enabled = enabled;
    const before = relaxedHorizon.late;
    const r = await runScenarioCheckedAsync(sc, { threads: 2, workerScript: CLI });
    return { hash: r.traceHash, events: r.events, consoles: [...r.consoles.entries()], late: relaxedHorizon.late - before };
  };
  const exact = await run(false);
  const relaxed = await run(true);
  expect(exact.late).toBe(0);
  expect(relaxed.hash).toBe(exact.hash);
  expect(relaxed.events).toBe(exact.events);
  expect(relaxed.consoles).toEqual(exact.consoles);
  expect(relaxed.consoles.find(([n]) => n === 'linux2')?.[1]).toMatch(/20 packets transmitted, 20 packets received/);
  // How many changes come late depends on the threads' timing (16 on the hosted guest in one run here): each one
  // taken at a wrong time would show in the hash, one taken while the MAC was not idle throws.
}, RUN_MS);
