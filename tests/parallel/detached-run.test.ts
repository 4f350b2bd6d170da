/**
 * Detached accesses change nothing (docs/guest-time-model.md "Detached accesses"): a guest in the threaded engine
 * whose CPU skips the catch-up at the NE2000 data-port transfers its model calls detached gives the run, record for
 * record, of one that catches up at every access. The guest here is hosted on the main thread (`threads: 1`, one
 * guest: emulator/app/assembly/hosted-guest.ts), so the test's switch (`guestDetach`) reaches it; in a worker the same
 * code runs. The guest boots, and alpha pings linux1 (rtl8029, one hub): the REP INSL of every received
 * frame and the REP OUTSL of every sent one go through the data port.
 */
import { runScenarioCheckedAsync } from '../../emulator/app/testing/api';
import { guestDetach } from '../../emulator/machine/v86/guest-window';
import { ensureGuestImage } from '../../emulator/app/guest-image';
import { example } from '../system/helpers';

const RUN_MS = 300_000;

beforeAll(async () => {
  await ensureGuestImage({ progress: false });
}, RUN_MS);

afterEach(() => {
  guestDetach.enabled = true;
});

test('guest-ne2k-pci to 4.5 s, threaded: the same trace-hash, events and consoles with detached accesses and without', async () => {
  const sc = { ...example('guest-ne2k-pci.yaml'), until: 4_500_000_000 };
  const run = async (enabled: boolean) => {
    guestDetach.enabled = enabled;
    const before = guestDetach.skipped;
    const r = await runScenarioCheckedAsync(sc, { threads: 1 });
    return { hash: r.traceHash, events: r.events, consoles: [...r.consoles.entries()], skipped: guestDetach.skipped - before };
  };
  const reference = await run(false);
  const detached = await run(true);
  expect(reference.skipped).toBe(0);
  // A ping frame is about 25 data-port dwords each way: some hundreds of transfers skipped their catch-up.
  expect(detached.skipped).toBeGreaterThan(100);
  expect(detached.hash).toBe(reference.hash);
  expect(detached.events).toBe(reference.events);
  expect(detached.consoles).toEqual(reference.consoles);
  expect(detached.consoles.find(([n]) => n === 'alpha')?.[1]).toMatch(/64 bytes from 10\.0\.0\.3/);
}, RUN_MS);
