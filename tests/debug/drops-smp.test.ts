/**
 * The kernel's starvation records on a node with two CPUs (stack/kernel/starvation.ts): an interrupt's thread is
 * starved only when every CPU holds a higher priority. One spin at 40 leaves io-pkt the other CPU (no record, no
 * ring overrun); two spins hold both, and the record names both.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseScenarioText } from '../../emulator/app/testing/api';
import { runTimeline } from '../../emulator/app/testing/execute';
import type { TraceRecord } from '../../emulator/machine/sim/trace';
import { DropAnalyzer } from '../../emulator/app/debug/drops/analyze';
import { tmpdir } from './cli-helpers';

const dir = tmpdir('drops-smp');

function scenario(spins: number): string {
  const actions = Array.from({ length: spins }, () => '  - { at: 1100ms, node: beta, command: "[pri=40] spin 0.2" }').join('\n');
  return `name: smp-starve
seed: 1
until: 2s
nodes:
  alpha:
    nics: [{ model: rtl8029, mac: "00:00:e8:0a:00:01", link: hub0 }]
    script: |
      io-pkt-v4 -dne2000
      waitfor /dev/socket 10
      ifconfig en0 10.0.0.1/24 up
  beta:
    cpus: 2
    nics: [{ model: ne2000-isa, ioport: 0x300, irq: 5, mac: "00:00:e8:0b:00:02", link: hub0 }]
    script: |
      io-pkt-v4 -dne2000 ioport=0x300,irq=5
      waitfor /dev/socket 10
      ifconfig en0 10.0.0.2/24 up
links:
  hub0: { type: hub }
actions:
  - { at: 500ms, node: alpha, command: "ping -f -q -c 300 -s 1400 10.0.0.2" }
${actions}
`;
}

function records(spins: number): TraceRecord[] {
  const file = path.join(dir, `spins-${spins}.jsonl`);
  runTimeline(parseScenarioText(scenario(spins)), { traceFile: file });
  return fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TraceRecord);
}

const kernel = (recs: TraceRecord[], probe: string) => recs.filter((r) => r.node === 'beta' && r.layer === 'kernel' && r.probe === probe);

describe('starvation on two CPUs', () => {
  test('one spin above io-pkt: the other CPU serves the NIC, nothing is starved or dropped', () => {
    const recs = records(1);
    expect(kernel(recs, 'spawn').some((r) => r.f?.['name'] === 'spin')).toBe(true);
    // The flood goes on while the spin runs: beta's driver keeps taking frames out of the ring.
    expect(recs.filter((r) => r.node === 'beta' && r.layer === 'driver' && r.probe === 'rx' && r.t > 1_101_000_000 && r.t < 1_300_000_000).length).toBeGreaterThan(20);
    expect(kernel(recs, 'starved')).toEqual([]);
    expect(kernel(recs, 'ran-late')).toEqual([]);
    const a = new DropAnalyzer();
    for (const r of recs) a.feed(r);
    expect(a.finish().groups).toEqual([]);
  });

  test('two spins hold both CPUs: one starved record naming both, one ran-late when a spin ends', () => {
    const recs = records(2);
    const starved = kernel(recs, 'starved');
    const late = kernel(recs, 'ran-late');
    expect(starved).toHaveLength(1);
    expect(late).toHaveLength(1);
    const spins = kernel(recs, 'spawn').filter((r) => r.f?.['name'] === 'spin').map((r) => Number(r.f!['pid']));
    const held = String(starved[0]!.f!['held']).split('; ');
    expect(held).toHaveLength(2);
    for (const h of held) expect(h).toMatch(/^cpu[01] spin \(pid \d+ tid 1 prio 40\)$/);
    expect(new Set(held.map((h) => h.slice(0, 4)))).toEqual(new Set(['cpu0', 'cpu1']));
    expect(new Set(held.map((h) => /pid (\d+)/.exec(h)![1]))).toEqual(new Set(spins.map(String)));
    // It runs when the first spin exits: its latency is from the starved record (the pulse) to that exit.
    const firstExit = Math.min(...kernel(recs, 'exit').filter((r) => spins.includes(Number(r.f!['pid']))).map((r) => r.t));
    expect(late[0]!.t).toBe(firstExit);
    expect(late[0]!.f!['latency']).toBe(firstExit - starved[0]!.t);
  });
});
