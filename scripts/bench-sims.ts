/**
 * `npm run bench`: the figures that were the benchmark before issue 15, each as `bench <name>: …` lines
 * (scripts/bench-line.ts):
 *
 * - `event-queue-64`: the event queue on its own 64-event loop (64 self-rescheduling events, LCG delays of
 *   1–1024 ns), M events per wall second.
 * - `gigabit-udp-pci-33-32`, `gigabit-udp-pci-66-64` (+ `-speed`): a 1 Gb/s UDP stream between two QNX nodes with
 *   BCM5701s (scripts/scenarios/bench-bcm5701-udp*.yaml, the same but for the nodes' PCI segment): frames delivered
 *   in the stream's virtual second against the 81 274 line rate, and virtual s per wall s over that second.
 * - `wifi-80211g-udp` (+ `-speed`): two 802.11g stations (RT2560, devnp-ral) saturating one QNX access point with
 *   UDP at 54 Mb/s for 1 s virtual (scripts/scenarios/bench-rt2560-udp.yaml): goodput at the AP against the
 *   ≈ 25–30 Mb/s UDP ceiling of 802.11g DCF, and virtual s per wall s.
 *
 * Wall-clock reads are fine here: the benchmark stands outside the simulated world and only observes it.
 */
import * as path from 'node:path';
import { EventQueue, SimEvent } from '../emulator/machine/sim';
import { loadScenarioFile } from '../emulator/app/scenario/load';
import { repoRoot } from '../emulator/app/guest-image/cache';
import { assemble } from '../emulator/app/assembly/run';
import { inject } from '../emulator/app/testing/inject';
import { benchLine } from './bench-line';

const ROOT = repoRoot(__dirname) ?? process.cwd();

function wallNs(): bigint {
  return process.hrtime.bigint();
}

export function benchQueue64Line(): string {
  const q = new EventQueue();
  const N = 64; // concurrent self-rescheduling events, as a few busy components would be
  let x = 1;
  for (let i = 0; i < N; i++) {
    const ev: SimEvent = new SimEvent(`e${i}`, () => {
      x = (x * 1103515245 + 12345) >>> 0;
      q.scheduleIn(ev, 1 + (x & 1023));
    });
    q.schedule(ev, i);
  }
  const t0 = wallNs();
  q.runUntilIdle(2_000_000);
  const seconds = Number(wallNs() - t0) / 1e9;
  return benchLine(
    'event-queue-64',
    q.executed / seconds / 1e6,
    'M events/s',
    `EventQueue with SimEvents: 64 self-rescheduling events, LCG delays 1–1024 ns; ${q.executed} events in ${seconds.toFixed(3)} s wall`,
  );
}

/** The gigabit stream scenarios: the stream runs from 4 s for 1 s. */
const GIGABIT = [
  { name: 'gigabit-udp-pci-33-32', slot: '33 MHz 32-bit PCI', file: path.join(ROOT, 'scripts/scenarios/bench-bcm5701-udp.yaml') },
  { name: 'gigabit-udp-pci-66-64', slot: '66 MHz 64-bit PCI', file: path.join(ROOT, 'scripts/scenarios/bench-bcm5701-udp-66-64.yaml') },
];
const STREAM_START_NS = 4_000_000_000;
const SEC = 1_000_000_000;
const LINE_RATE = 81_274;

function benchGigabit(file: string): { frames: number; seconds: number; events: number } {
  const sc = loadScenarioFile(file);
  const a = assemble(sc);
  inject(a, sc);
  let frames = 0;
  a.sim.queue.runUntil(STREAM_START_NS);
  const e0 = a.sim.queue.executed;
  // Frames of the stream delivered to beta's MAC (1472-byte datagrams: 1514-byte frames) within the second.
  a.sim.tracer.addSink((rec) => {
    if (rec.layer === 'wire' && rec.probe === 'deliver' && rec.f?.['len'] === 1514) frames++;
  });
  const t0 = wallNs();
  a.sim.queue.runUntil(STREAM_START_NS + SEC);
  const seconds = Number(wallNs() - t0) / 1e9;
  a.close();
  return { frames, seconds, events: a.sim.queue.executed - e0 };
}

export function benchGigabitLines(): string[] {
  return GIGABIT.flatMap(({ name, slot, file }) => {
    const g = benchGigabit(file);
    const what = `2 QNX nodes with devnp-bge, ${slot}, cable, 1472-byte datagrams offered at line rate from 4 s`;
    return [
      benchLine(name, (g.frames / LINE_RATE) * 100, '% of line rate', `${what}: ${g.frames} frames in 1 virtual s, line rate ${LINE_RATE}`, 1),
      benchLine(
        `${name}-speed`,
        1 / g.seconds,
        'virtual s per wall s',
        `the same second: ${g.seconds.toFixed(2)} s wall, ${g.events} events = ${(g.events / g.seconds / 1e6).toFixed(3)} M events/s`,
        3,
      ),
    ];
  });
}

/**
 * The 802.11g saturation scenario: from 6 s two stations each offer 1472-byte datagrams at 5000/s to the AP for
 * one virtual second. Goodput = UDP payload of the data frames the AP's driver hands up in that second
 * (MPDU = 24-byte header + 8 LLC/SNAP + 20 IP + 8 UDP + 1472 = 1532 bytes), less the duplicates net80211 discards.
 */
const WIFI = path.join(ROOT, 'scripts/scenarios/bench-rt2560-udp.yaml');
const WIFI_MPDU = 24 + 8 + 20 + 8 + 1472;

function benchWifi(): { datagrams: number; seconds: number; events: number } {
  const sc = loadScenarioFile(WIFI);
  const a = assemble(sc);
  inject(a, sc);
  a.sim.queue.runUntil(6 * SEC);
  const e0 = a.sim.queue.executed;
  let datagrams = 0;
  a.sim.tracer.addSink((rec) => {
    if (rec.node !== 'ap') return;
    if (rec.layer === 'driver' && rec.probe === 'rx' && rec.f?.['len'] === WIFI_MPDU) datagrams++;
    // A retransmission whose first copy arrived (its ACK was lost) is dropped by net80211's duplicate check.
    if (rec.layer === 'ieee80211' && rec.probe === 'rx-dup') datagrams--;
  });
  const t0 = wallNs();
  a.sim.queue.runUntil(7 * SEC);
  const seconds = Number(wallNs() - t0) / 1e9;
  a.close();
  return { datagrams, seconds, events: a.sim.queue.executed - e0 };
}

export function benchWifiLines(): string[] {
  const w = benchWifi();
  const mbps = (w.datagrams * 1472 * 8) / 1e6;
  return [
    benchLine(
      'wifi-80211g-udp',
      mbps,
      'Mb/s goodput',
      `2 QNX stations -> QNX AP, RT2560/devnp-ral, 54 Mb/s, 1472-byte datagrams: ${w.datagrams} datagrams in 1 virtual s; 802.11g DCF UDP ceiling ≈ 25–30 Mb/s`,
      1,
    ),
    benchLine('wifi-80211g-udp-speed', 1 / w.seconds, 'virtual s per wall s', `the same second: ${w.seconds.toFixed(2)} s wall, ${w.events} events`, 3),
  ];
}
