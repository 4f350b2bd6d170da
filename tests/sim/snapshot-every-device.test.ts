/**
 * The generic snapshot test over every device (STYLE.md §9): for each world, (1) save → load into a freshly
 * built twin → save is deep-equal and the twin has the same pending events in the same order; (2) "run 2N
 * events" equals "run N, save, restore into a twin, run N": the same trace records after the restore point,
 * the same frames on the wire, and the same final state.
 */
import { saveParts } from '../../emulator/machine/sim/snapshot';
import { boardWorlds } from './worlds/board';
import { mediaWorlds } from './worlds/media';
import { ne2000Worlds } from './worlds/ne2000';
import { pending, restoreTwin, runToBusy, save, sawRecord, type BuildWorld } from './snapshot-harness';

const worlds: Record<string, BuildWorld> = { ...boardWorlds, ...mediaWorlds, ...ne2000Worlds };

describe.each(Object.entries(worlds))('%s', (_name, build) => {
  const seed = 7;
  const whole = build(seed);
  whole.start();
  const total = whole.sim.queue.runUntilIdle(5_000_000);
  const points = [Math.floor(total / 5), Math.floor(total / 2), Math.floor((total * 4) / 5)];

  test('the workload ends by itself and is not trivial', () => {
    expect(whole.sim.queue.pending).toBe(0);
    expect(total).toBeGreaterThan(200);
    expect(whole.mustSee.filter((w) => !sawRecord(whole.recs, w))).toEqual([]);
  });

  test.each(points)('save → load into a twin → save is identical (after %i events)', (n) => {
    const w = build(seed);
    w.start();
    runToBusy(w, n);
    expect(w.busy()).toBe(true);
    const snap = save(w);
    const twin = restoreTwin(build, seed, snap);
    expect(JSON.parse(JSON.stringify(saveParts(twin.sim.queue, twin.parts)))).toEqual(snap);
    expect(pending(twin)).toEqual(pending(w));
  });

  test.each(points)('run 2N equals run N (%i), save, restore into a twin, run N', (n) => {
    const ref = build(seed);
    ref.start();
    runToBusy(ref, n);
    const snap = save(ref);
    const recMark = ref.recs.length;
    const frameMark = ref.frames.length;
    ref.sim.queue.runUntilIdle(n);

    const twin = restoreTwin(build, seed, snap);
    twin.sim.queue.runUntilIdle(n);
    expect(twin.recs.map((r) => JSON.stringify(r))).toEqual(ref.recs.slice(recMark).map((r) => JSON.stringify(r)));
    expect(twin.frames).toEqual(ref.frames.slice(frameMark));
    expect(save(twin)).toEqual(save(ref));
  });
});
