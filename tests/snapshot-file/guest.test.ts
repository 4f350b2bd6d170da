/**
 * A snapshot file of a scenario with a Linux guest (v86), taken and restored through the timeline runner as
 * `qnxemu run --snapshot-at/--snapshot-out` and `--restore` do (emulator/app/assembly/snapshot-run.ts): the
 * restored run has the trace hash, pcaps and consoles of the run that took the snapshot and went on. One guest
 * boot for the file (docs/examples/guest-ne2k-pci.yaml: the guest pings the QNX node after the snapshot).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadScenarioFile } from '../../emulator/app/scenario/load';
import { prepareGuests } from '../../emulator/app/assembly/guest-node';
import { runTimeline, type TimelineRun } from '../../emulator/app/testing/execute';
import { readSnapshotFile } from '../../emulator/app/assembly/snapshot-file';
import { planRestore, snapshotPause, type SnapshotWritten } from '../../emulator/app/assembly/snapshot-run';
import { REPO, tmpdir } from '../system/helpers';

const scenario = loadScenarioFile(path.join(REPO, 'docs/examples/guest-ne2k-pci.yaml'));
const T = 6_000_000_000;
const dir = tmpdir('snapfile-guest');
const file = path.join(dir, 'g.snap');
let taking: TimelineRun;
let written: SnapshotWritten | null = null;

beforeAll(async () => {
  taking = runTimeline(scenario, { guests: await prepareGuests(scenario), pcapDir: path.join(dir, 'taking'), pauses: [snapshotPause(scenario, T, file, (r) => (written = r))] });
}, 600_000);

test('the snapshot is written at T', () => {
  expect(written).toMatchObject({ ok: true, file, time: T, codec: 'deflate' });
  const header = readSnapshotFile(file).header;
  expect(header).toMatchObject({ time: T, seed: 1, guests: ['linux1'], scenario: { name: 'guest-ne2k-pci' } });
  expect(header.parts.filter((p) => p.name.startsWith('v86:linux1:')).length).toBeGreaterThan(1);
});

test('restoring the file continues the run: same trace hash, pcaps, consoles', async () => {
  const plan = await planRestore(scenario, readSnapshotFile(file), { until: scenario.until });
  await plan.v86Ready;
  const restored = runTimeline(scenario, { ...plan.options, pcapDir: path.join(dir, 'restored'), pauses: [plan.pause] });
  expect(restored.traceHash).toBe(taking.traceHash);
  expect(restored.events).toBe(taking.events);
  expect(restored.consoles).toEqual(taking.consoles);
  expect(taking.consoles.get('linux1')).toMatch(/3 packets transmitted, 3 packets received/);
  for (const pcap of fs.readdirSync(path.join(dir, 'taking'))) expect(fs.readFileSync(path.join(dir, 'restored', pcap)).equals(fs.readFileSync(path.join(dir, 'taking', pcap)))).toBe(true);
}, 300_000);

test('a restore into another scenario with the same guests is refused before anything runs', async () => {
  const other = { ...scenario, name: 'other' };
  await expect(planRestore(other, readSnapshotFile(file), { until: scenario.until })).rejects.toThrow(/^taken of scenario guest-ne2k-pci \(.*\), which is not this one \(other/);
});
