/**
 * `npm run bench`: measured in one run, printed as ratios. Wall-clock reads are fine here: the benchmark
 * stands outside the simulated world and only observes it.
 *
 * 1. Bare event-queue throughput (events per wall second).
 * 2. A saturated NE2000 ping flood between two simulated QNX nodes on a hub: virtual seconds simulated per
 *    wall second, with the event count.
 * 3. Guest (v86) boots and pings (bench-guest.ts).
 * 4. A 1 Gb/s UDP stream between two QNX nodes with BCM5701s: frames per virtual second delivered (line rate
 *    81 274) and virtual seconds per wall second for the stream's second — in 33 MHz 32-bit slots (the i440FX
 *    board's) and in 66 MHz 64-bit ones (the scenario's node `pci:` field).
 * 5. Two 802.11g stations (RT2560, devnp-ral) saturating one QNX access point with UDP at 54 Mb/s for 1 s
 *    virtual: goodput at the AP against the ≈ 25–30 Mb/s UDP ceiling of 802.11g DCF, and virtual s per wall s.
 * 6. WPA2-PSK between two QNX nodes with RT2560s: the io-pkt CPU cost of CCMP per frame, offloaded to the chip's
 *    cipher engine vs the hc stack's software provider, in virtual µs (bench-ccmp.ts).
 * 7. TCP bulk transfer with ttcp between two QNX nodes, over NE2000s on a hub (≈ 9 Mb/s of 10 expected) and over
 *    BCM5701s on a gigabit cable: goodput in virtual time and virtual s per wall s (bench-tcp.ts).
 * 8. A QNX router forwarding 64-byte frames both ways with ipflow on 1 CPU and on 2: packets per virtual s, the
 *    ratio, and virtual s per wall s (bench-router.ts).
 * 9. Qnet message passing between two QNX nodes with BCM5701s: 64-byte messages back to back over /net, messages
 *    per virtual s, the mean round trip, virtual s per wall s (bench-qnet.ts).
 */
import { EventQueue, SimEvent } from '../emulator/machine/sim';
import * as path from 'node:path';
import { loadScenarioFile } from '../emulator/app/scenario/load';
import { repoRoot } from '../emulator/app/guest-image/cache';
import { assemble } from '../emulator/app/assembly/run';
import { inject } from '../emulator/app/testing/inject';
import { benchGuest } from './bench-guest';
import { benchCcmp } from './bench-ccmp';
import { benchTcpLines } from './bench-tcp';
import { benchRouterLines } from './bench-router';
import { benchQnetLines } from './bench-qnet';

function wallNs(): bigint {
  return process.hrtime.bigint();
}

function benchQueue(): { events: number; seconds: number } {
  const q = new EventQueue();
  const N = 64; // concurrent self-rescheduling events, as a few busy components would be
  let x = 1;
  const evs: SimEvent[] = [];
  for (let i = 0; i < N; i++) {
    const ev: SimEvent = new SimEvent(`e${i}`, () => {
      x = (x * 1103515245 + 12345) >>> 0;
      q.scheduleIn(ev, 1 + (x & 1023));
    });
    evs.push(ev);
    q.schedule(ev, i);
  }
  const target = 2_000_000;
  const t0 = wallNs();
  q.runUntilIdle(target);
  const seconds = Number(wallNs() - t0) / 1e9;
  return { events: q.executed, seconds };
}

/** The flood scenario (a data file: which NIC models it uses is the scenario's business, not the benchmark's). */
const FLOOD = path.join(repoRoot(__dirname) ?? process.cwd(), 'scripts/scenarios/bench-flood.yaml');

function benchFlood(): { virtual: number; seconds: number; events: number; frames: number } {
  const sc = loadScenarioFile(FLOOD);
  const a = assemble(sc);
  let frames = 0;
  a.sim.tracer.addSink((rec) => {
    if (rec.layer === 'wire' && rec.probe === 'deliver') frames++;
  });
  const t0 = wallNs();
  a.sim.queue.runUntil(sc.until);
  const seconds = Number(wallNs() - t0) / 1e9;
  a.close();
  return { virtual: a.sim.queue.now / 1e9, seconds, events: a.sim.queue.executed, frames };
}

/**
 * The gigabit stream scenarios (scripts/scenarios/bench-bcm5701-udp*.yaml, the same but for the nodes' PCI
 * segment): the stream runs from 4 s for 1 s.
 */
const GIGABIT = [
  { slot: '33 MHz 32-bit PCI', file: path.join(repoRoot(__dirname) ?? process.cwd(), 'scripts/scenarios/bench-bcm5701-udp.yaml') },
  { slot: '66 MHz 64-bit PCI', file: path.join(repoRoot(__dirname) ?? process.cwd(), 'scripts/scenarios/bench-bcm5701-udp-66-64.yaml') },
];
const STREAM_START_NS = 4_000_000_000;
const STREAM_NS = 1_000_000_000;

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
  a.sim.queue.runUntil(STREAM_START_NS + STREAM_NS);
  const seconds = Number(wallNs() - t0) / 1e9;
  a.close();
  return { frames, seconds, events: a.sim.queue.executed - e0 };
}

const q = benchQueue();
const f = benchFlood();
const lines = [
  `event queue: ${q.events} events in ${q.seconds.toFixed(3)} s wall = ${(q.events / q.seconds / 1e6).toFixed(2)} M events/s`,
  `ne2000 ping flood (2 nodes, hub, 1400-byte payload): ${f.virtual.toFixed(3)} s virtual in ${f.seconds.toFixed(3)} s wall = ${(f.virtual / f.seconds).toFixed(3)} virtual s per wall s, ${f.events} events (${(f.events / f.seconds / 1e6).toFixed(2)} M events/s, ${((f.events / f.seconds) / (q.events / q.seconds) * 100).toFixed(1)} % of bare queue rate)`,
];
lines.push(`flood: ${f.frames} frames delivered on the hub = ${(f.frames / f.virtual).toFixed(0)} frames per virtual s (the flood runs from 0.5 s to the end)`);
for (const l of lines) console.log(l);

for (const { slot, file } of GIGABIT) {
  const g = benchGigabit(file);
  console.log(
    `gigabit UDP stream (2 QNX nodes with devnp-bge, ${slot}, cable, 1472-byte datagrams offered at line rate): ${g.frames} frames in 1 virtual s ` +
      `= ${((g.frames / 81_274) * 100).toFixed(1)} % of line rate (81 274); 1 s virtual in ${g.seconds.toFixed(2)} s wall = ` +
      `${(1 / g.seconds).toFixed(3)} virtual s per wall s, ${g.events} events (${(g.events / g.seconds / 1e6).toFixed(2)} M events/s)`,
  );
}

/**
 * The 802.11g saturation scenario (scripts/scenarios/bench-rt2560-udp.yaml): from 6 s two stations each offer
 * 1472-byte datagrams at 5000/s to the AP for one virtual second. Goodput = UDP payload of the data frames the
 * AP's driver hands up in that second (MPDU = 24-byte header + 8 LLC/SNAP + 20 IP + 8 UDP + 1472 = 1532 bytes),
 * less the duplicates net80211 discards.
 */
const WIFI = path.join(repoRoot(__dirname) ?? process.cwd(), 'scripts/scenarios/bench-rt2560-udp.yaml');
const WIFI_MPDU = 24 + 8 + 20 + 8 + 1472;

function benchWifi(): { datagrams: number; seconds: number; events: number } {
  const sc = loadScenarioFile(WIFI);
  const a = assemble(sc);
  inject(a, sc);
  a.sim.queue.runUntil(6 * STREAM_NS);
  const e0 = a.sim.queue.executed;
  let datagrams = 0;
  a.sim.tracer.addSink((rec) => {
    if (rec.node !== 'ap') return;
    if (rec.layer === 'driver' && rec.probe === 'rx' && rec.f?.['len'] === WIFI_MPDU) datagrams++;
    // A retransmission whose first copy arrived (its ACK was lost) is dropped by net80211's duplicate check.
    if (rec.layer === 'ieee80211' && rec.probe === 'rx-dup') datagrams--;
  });
  const t0 = wallNs();
  a.sim.queue.runUntil(7 * STREAM_NS);
  const seconds = Number(wallNs() - t0) / 1e9;
  a.close();
  return { datagrams, seconds, events: a.sim.queue.executed - e0 };
}

try {
  const w = benchWifi();
  const mbps = (w.datagrams * 1472 * 8) / 1e6;
  console.log(
    `802.11g UDP saturation (2 QNX stations -> QNX AP, RT2560/devnp-ral, 54 Mb/s, 1472-byte datagrams): ${w.datagrams} datagrams in 1 virtual s ` +
      `= ${mbps.toFixed(1)} Mb/s goodput (802.11g DCF UDP ceiling ≈ 25–30 Mb/s); 1 s virtual in ${w.seconds.toFixed(2)} s wall = ` +
      `${(1 / w.seconds).toFixed(3)} virtual s per wall s, ${w.events} events`,
  );
} catch (e) {
  console.log(`802.11g UDP saturation not run: ${(e as Error).message}`);
}

try {
  for (const l of benchCcmp()) console.log(l);
} catch (e) {
  console.log(`CCMP cost per frame not measured: ${(e as Error).message}`);
}

try {
  for (const l of benchTcpLines()) console.log(l);
} catch (e) {
  console.log(`TCP bulk transfer not measured: ${(e as Error).message}`);
}

try {
  for (const l of benchRouterLines()) console.log(l);
  for (const l of benchQnetLines()) console.log(l);
} catch (e) {
  console.log(`router forwarding not measured: ${(e as Error).message}`);
}

// 3. Guest (v86) nodes: boot cold and from a snapshot; 100 pings through our NE2000 vs v86's (scripts/bench-guest.ts).
benchGuest().then(
  (guestLines) => {
    for (const l of guestLines) console.log(l);
  },
  (e: unknown) => console.log(`guest benchmarks not run: ${(e as Error).message}`),
);
