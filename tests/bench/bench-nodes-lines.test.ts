/**
 * The `bench nodes-N…` lines (scripts/bench-nodes.ts `nodesBenchLines`) from a measured result: the speed line
 * carries the RSS the targets table judges, and the CPU line the events and CPU µs per ping frame (each echo reply
 * is two frames: the request and the reply). No fleet runs here: the figures are given.
 */
import { nodesBenchLines, type NodesBenchResult } from '../../scripts/bench-nodes';
import { judgeTargets, parseBenchLine } from '../../scripts/bench-line';

const GiB = 2 ** 30;
const RESULT: NodesBenchResult = {
  nodes: 1000,
  switches: 40,
  assemblySeconds: 1.25,
  virtualSeconds: 2,
  wallSeconds: 4,
  cpuSeconds: 12.3,
  startupWallSeconds: 31.5,
  events: 5_807_920,
  rssBytes: 0.9 * GiB,
  peakRssBytes: 0.92 * GiB,
  replies: 20_000,
};

describe('bench nodes lines', () => {
  test('speed, CPU and start-up lines; per frame: events / (2 × replies), CPU µs / (2 × replies)', () => {
    const lines = nodesBenchLines(RESULT, true).map((l) => parseBenchLine(l));
    expect(lines.map((f) => [f?.name, f?.value, f?.unit])).toEqual([
      ['nodes-1000', 0.5, 'virtual s per wall s'],
      ['nodes-1000-cpu', 0.16, 'virtual s per CPU s'],
      ['nodes-1000-startup', 31.5, 's wall'],
    ]);
    expect(lines[0]?.context).toContain('RSS 0.9 GiB');
    expect(lines[0]?.context).toContain('--max-semi-space-size=256');
    // 5 807 920 events over 40 000 frames; 12.3 CPU s over 40 000 frames = 307.5 µs.
    expect(lines[1]?.context).toContain('145.2 events and 308 µs of CPU per ping frame');
  });

  test('no replies: the per-frame figures say n/a instead of dividing by zero', () => {
    const line = nodesBenchLines({ ...RESULT, replies: 0 }, false)[1]!;
    expect(line).toContain('n/a events and n/a µs of CPU per ping frame');
    expect(nodesBenchLines(RESULT, false)[0]).toContain('in this process, default V8 heap');
  });

  test('the targets table reads the RSS from the speed line', () => {
    const figs = nodesBenchLines({ ...RESULT, wallSeconds: 1.5 }, true).map((l) => parseBenchLine(l)!);
    const row = judgeTargets(figs).find((r) => r.name === 'nodes-1000');
    expect(row?.verdict).toBe('met');
  });
});
