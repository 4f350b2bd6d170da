/**
 * The fleet behind `bench nodes-1000` (scripts/bench-nodes.ts), small: 20 QNX nodes with RTL8029s on two
 * switches, each pinging the next node on its switch every 100 ms. Every node's pings are answered by its
 * neighbour (the ICMP echo replies it received, from the trace, and its console), and the run is deterministic.
 * No speed is asserted here: speed is the benchmark's business.
 */
import { fleetAddress, fleetNeighbour, fleetNodeName, fleetScenario, fleetScenarioText, type FleetOptions } from '../../scripts/bench-nodes';
import { runScenario } from '../../emulator/app/assembly/run';
import type { TraceRecord } from '../../emulator/machine/sim/trace';

const FLEET: FleetOptions = { nodes: 20, perSwitch: 10, untilS: 1.65 };

function runFleet(): { hash: string; replies: Map<string, Map<string, number>>; consoles: Map<string, string> } {
  const replies = new Map<string, Map<string, number>>();
  const r = runScenario(fleetScenario(FLEET), {
    onTrace: (rec: TraceRecord) => {
      if (rec.layer !== 'icmp' || rec.probe !== 'echo-reply-in') return;
      const from = String(rec.f?.['src'] ?? '?');
      const m = replies.get(rec.node) ?? new Map<string, number>();
      m.set(from, (m.get(from) ?? 0) + 1);
      replies.set(rec.node, m);
    },
  });
  return { hash: r.traceHash, replies, consoles: r.consoles };
}

describe('bench-nodes fleet (20 nodes, 2 switches)', () => {
  test('the scenario: one /24 per switch, every node pings the next on its switch, staggered starts', () => {
    const text = fleetScenarioText(FLEET);
    expect(text).toContain('  sw000: { type: switch }\n  sw001: { type: switch }\n');
    expect(text).not.toContain('sw002');
    expect(fleetAddress(0, 10)).toBe('10.0.0.1');
    expect(fleetAddress(19, 10)).toBe('10.1.0.10');
    expect(fleetNeighbour(9, FLEET)).toBe(0);
    expect(fleetNeighbour(10, FLEET)).toBe(11);
    expect(fleetNeighbour(19, FLEET)).toBe(10);
    expect(text).toContain('      sleep 1.019\n      ping -i 0.1 10.1.0.1\n');
    expect(() => fleetScenarioText({ nodes: 21, perSwitch: 10, untilS: 1 })).toThrow(/two nodes/);
  });

  test('every node gets echo replies from its neighbour only, and prints them; the same run twice hashes the same', () => {
    const a = runFleet();
    for (let i = 0; i < FLEET.nodes; i++) {
      const name = fleetNodeName(i);
      const neighbour = fleetAddress(fleetNeighbour(i, FLEET), FLEET.perSwitch);
      // Pings start at 1.000–1.019 s, one every 100 ms: 6 or 7 sent by 1.65 s, the first after an ARP exchange.
      const got = a.replies.get(name);
      expect([...(got?.keys() ?? [])]).toEqual([neighbour]);
      expect(got?.get(neighbour)).toBeGreaterThanOrEqual(6);
      const lines = (a.consoles.get(name) ?? '').split('\n').filter((l) => l.startsWith(`64 bytes from ${neighbour}: icmp_seq=`));
      expect(lines.length).toBe(got?.get(neighbour));
    }
    const b = runFleet();
    expect(b.hash).toBe(a.hash);
    expect([...b.replies]).toEqual([...a.replies]);
  });
});
