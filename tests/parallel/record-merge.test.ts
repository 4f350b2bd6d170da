/**
 * RecordMerge (emulator/machine/parallel/record-merge.ts): guests' records and console lines go into the main trace
 * by time, then guest order, then the order the guest made them — whatever order they arrived in.
 */
import { Simulation } from '../../emulator/machine/sim/simulation';
import { RecordMerge } from '../../emulator/machine/parallel/record-merge';
import type { TraceRecord } from '../../emulator/machine/sim/trace';

function harness() {
  const sim = new Simulation(1);
  const got: string[] = [];
  sim.tracer.addSink((r: TraceRecord) => got.push(`${r.t} ${r.node} ${r.probe}`));
  const merge = new RecordMerge(sim.tracer, (g, text, t) => got.push(`${t} line${g} ${text}`));
  return { sim, got, merge };
}

describe('RecordMerge', () => {
  test('orders by time, then guest index, then the order each guest made them', () => {
    const { got, merge } = harness();
    merge.push(1, [
      [10, 'b', 'nic', 'b1', 0, undefined],
      [10, 'b', 'nic', 'b2', 0, undefined],
    ]);
    merge.push(0, [
      [20, 'a', 'nic', 'a2', 0, undefined],
      [10, 'a', 'nic', 'a1', 0, undefined],
    ]);
    merge.flushBefore(Infinity);
    expect(got).toEqual(['10 a a1', '10 b b1', '10 b b2', '20 a a2']);
  });

  test('flushBefore(t) emits only records before t and keeps the rest for later', () => {
    const { got, merge } = harness();
    merge.push(0, [
      [5, 'a', 'nic', 'x', 0, undefined],
      [7, 'a', 'nic', 'y', 0, undefined],
    ]);
    merge.flushBefore(7);
    expect(got).toEqual(['5 a x']);
    merge.pushLine(0, 6, 'late line');
    merge.flushBefore(8);
    expect(got).toEqual(['5 a x', '6 line0 late line', '7 a y']);
  });

  test('the merged records enter the trace hash at their own times', () => {
    const a = harness();
    const b = harness();
    a.merge.push(0, [[3, 'a', 'nic', 'p', 1, { len: 60 }]]);
    a.merge.flushBefore(Infinity);
    b.sim.queue.runUntil(3);
    b.sim.tracer.emit('a', 'nic', 'p', 1, { len: 60 });
    expect(a.sim.tracer.digest()).toBe(b.sim.tracer.digest());
  });
});
