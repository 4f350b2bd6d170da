/**
 * The generic snapshot test over every device (STYLE.md §9): for each world, (1) save → load into a freshly
 * built twin → save is deep-equal and the twin has the same pending events in the same order; (2) "run 2N
 * events" equals "run N, save, restore into a twin, run N": the same trace records after the restore point,
 * the same frames on the wire, and the same final state.
 */
import { boardWorlds } from './worlds/board';
import { mediaWorlds } from './worlds/media';
import { ne2000Worlds } from './worlds/ne2000';
import { snapshotChecks, type BuildWorld } from './snapshot-harness';

const worlds: Record<string, BuildWorld> = { ...boardWorlds, ...mediaWorlds, ...ne2000Worlds };

describe.each(Object.entries(worlds))('%s', (_name, build) => {
  snapshotChecks(build, { seed: 7, at: [1 / 5, 1 / 2, 4 / 5], minEvents: 200 });
});
