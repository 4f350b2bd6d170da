/**
 * Link impairments from a scenario file, end to end on two simulated QNX nodes (no guest): UDP one-way latencies
 * follow the configured delay and jitter, an `impair` action changes the impairment at its time, a NIC's
 * impairment overrides its link's, the report lines reach `notes`, and the same seed gives the same trace and pcap
 * bytes while another seed draws other delays. Bounds are computed here from the configuration.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseScenarioText, runScenarioChecked, type CheckedRun } from '../../emulator/app/testing/api';
import { tmpdir } from './helpers';
import { Simulation } from '../../emulator/machine/sim/simulation';
import { buildNetwork } from '../../emulator/app/assembly/network';
import { NO_IMPAIRMENT } from '../../emulator/machine/net/impair/config';

interface Rec { t: number; node: string; layer: string; probe: string; pkt: number; f?: Record<string, unknown> }

const DATAGRAMS = 200;
/** udpgen at 100 datagrams per second from 2 s: the last leaves at 3.99 s. */
const UDP = `{ at: 2s, node: alpha, udp: { to: 10.0.0.2, port: 9000, rate: 100, count: ${DATAGRAMS}, size: 256, sink: beta } }`;

/** alpha and beta on cable net0; `wan`: the link's impair, `beta`: beta's NIC's. */
function scenario(o: { wan?: string; beta?: string; actions?: string[]; seed?: number }): string {
  return `name: impair-e2e
seed: ${o.seed ?? 1}
until: 5s
nodes:
  alpha:
    nics: [{ model: rtl8029, mac: "00:00:e8:0a:00:01", link: net0 }]
    script: |
      io-pkt-v4 -dne2000
      waitfor /dev/socket 10
      ifconfig en0 10.0.0.1/24 up
  beta:
    nics: [{ model: rtl8029, mac: "00:00:e8:0b:00:02", link: net0${o.beta ? `, impair: ${o.beta}` : ''} }]
    script: |
      io-pkt-v4 -dne2000
      waitfor /dev/socket 10
      ifconfig en0 10.0.0.2/24 up
links:
  net0: { type: cable${o.wan ? `, impair: ${o.wan}` : ''} }
actions:
  - { at: 1s, node: alpha, ping: { to: 10.0.0.2, count: 1 } }
${[UDP, ...(o.actions ?? [])].map((a) => `  - ${a}\n`).join('')}`;
}

function run(text: string, opts: Parameters<typeof runScenarioChecked>[1] = {}): CheckedRun {
  return runScenarioChecked(parseScenarioText(text), { keepTrace: true, ...opts });
}

function records(r: CheckedRun, layer: string, probe?: string): Rec[] {
  return r.run.trace.map((l) => JSON.parse(l) as Rec).filter((x) => x.layer === layer && (probe === undefined || x.probe === probe));
}

/** udpsink's summary on beta: received and min/avg/max latency in ns. */
function sink(r: CheckedRun): { received: number; missing: number; min: number; avg: number; max: number } {
  const text = r.consoles.get('beta')!;
  const c = /(\d+) datagrams received, \d+ bytes, \d+ duplicates, \d+ out of order, (\d+) missing/.exec(text);
  const l = /latency min\/avg\/max = ([\d.]+)\/([\d.]+)\/([\d.]+) ms/.exec(text);
  if (!c || !l) throw new Error(`no udpsink summary on beta:\n${text}`);
  const ns = (s: string) => Math.round(Number(s) * 1e6);
  return { received: Number(c[1]), missing: Number(c[2]), min: ns(l[1]!), avg: ns(l[2]!), max: ns(l[3]!) };
}

const MS = 1_000_000;

describe('impairments in a scenario, end to end', () => {
  // The same stream without an impairment: the path's own latency (driver, stack, wire) the delays add to.
  const base = sink(run(scenario({})));

  test('uniform delay and jitter on the receiving NIC: every latency within delay ± jitter of the path\'s, the mean near the delay', () => {
    const D = 20 * MS;
    const J = 5 * MS;
    const r = run(scenario({ beta: '{ delay: 20ms, jitter: 5ms }' }));
    const s = sink(r);
    expect(s.received).toBe(DATAGRAMS);
    // Each frame is held D + U(−J, J) (uniform, netem's ±jitter); two frames that leave the emulator close
    // together (jitter reorders them: 10 ms apart, ±5 ms each) are received one after the other, so the second may
    // wait for the first's receive processing: allow one frame's worth of the base path (its max − min spread plus
    // its min) on top.
    expect(s.min).toBeGreaterThanOrEqual(base.min + D - J);
    expect(s.max).toBeLessThanOrEqual(base.max + D + J + base.max);
    // The mean of N uniform draws on ±J has σ = J/√3/√N: within 4σ (+ the base path's spread) of D + the base mean.
    const sigma = J / Math.sqrt(3) / Math.sqrt(DATAGRAMS);
    expect(Math.abs(s.avg - (base.avg + D))).toBeLessThanOrEqual(4 * sigma + (base.max - base.min));
    // The engine's own records: one hold per frame to beta, each D ± J.
    const holds = records(r, 'impair', 'hold').filter((h) => h.f!['port'] === 'beta.nic0');
    expect(holds.length).toBeGreaterThanOrEqual(DATAGRAMS);
    for (const h of holds) {
      expect(h.f!['ns']).toBeGreaterThanOrEqual(D - J);
      expect(h.f!['ns']).toBeLessThanOrEqual(D + J);
    }
    // The run's report lines say what the impairment did.
    expect(r.faultNotes).toEqual([expect.stringMatching(new RegExp(`^net0→beta\\.nic0: ${holds.length} frames, mean delay (19|20)\\.\\d ms$`))]);
  });

  test("a NIC's impairment overrides its link's; the link's applies to the other port", () => {
    const r = run(scenario({ wan: '{ delay: 20ms }', beta: '{ delay: 5ms }' }));
    const holds = records(r, 'impair', 'hold');
    const byPort = (p: string) => new Set(holds.filter((h) => h.f!['port'] === p).map((h) => h.f!['ns']));
    expect(byPort('beta.nic0')).toEqual(new Set([5 * MS]));
    expect(byPort('alpha.nic0')).toEqual(new Set([20 * MS]));
    // The ping at 1 s (ARP both ways, then echo and reply) crosses each direction twice: 2 × (20 + 5) ms on top of the path.
    const rtt = /time=([\d.]+) ms/.exec(r.consoles.get('alpha')!)!;
    expect(Number(rtt[1]) * MS).toBeGreaterThanOrEqual(2 * 25 * MS);
  });

  test('an impair action replaces the impairment at its time and clear removes it; frames held keep their schedule', () => {
    const r = run(scenario({
      beta: '{ delay: 10ms }',
      actions: ['{ at: 2.5s, impair: { link: net0, node: beta, delay: 30ms } }', '{ at: 3.5s, impair: { link: net0, node: beta, clear: true } }'],
    }));
    const changes = records(r, 'scenario', 'impair');
    expect(changes.map((c) => [c.t, c.f])).toEqual([
      [2.5e9, { index: 2, link: 'net0', port: 'beta.nic0', netem: 'limit 1000 delay 30ms' }],
      [3.5e9, { index: 3, link: 'net0', port: 'beta.nic0', netem: 'clear' }],
    ]);
    const holds = records(r, 'impair', 'hold').filter((h) => h.f!['port'] === 'beta.nic0');
    const during = (from: number, to: number) => new Set(holds.filter((h) => h.t >= from && h.t < to).map((h) => h.f!['ns']));
    expect(during(0, 2.5e9)).toEqual(new Set([10 * MS]));
    expect(during(2.5e9, 3.5e9)).toEqual(new Set([30 * MS]));
    expect(during(3.5e9, Infinity)).toEqual(new Set());
    // 100 datagrams a second: about 50 in each of the first two windows, the rest after the clear (not held).
    expect(holds.filter((h) => h.t >= 2.5e9 && h.t < 3.5e9).length).toBeGreaterThanOrEqual(95);
    // Every datagram arrived; those sent just after the clear overtook the last held ones (netem's tfifo after a change to no delay).
    const s = sink(r);
    expect(s.received).toBe(DATAGRAMS);
    expect(s.max).toBeGreaterThanOrEqual(base.min + 30 * MS);
    expect(s.min).toBeLessThanOrEqual(base.max);
  });

  test('Gilbert-Elliott loss: datagrams go missing, each loss traced; the report counts them', () => {
    const r = run(scenario({ beta: '{ loss: { model: gilbert-elliott, p: 5%, r: 20% } }' }));
    const lost = records(r, 'impair', 'loss').filter((x) => x.f!['port'] === 'beta.nic0');
    expect(lost.every((x) => x.f!['model'] === 'gilbert-elliott')).toBe(true);
    const s = sink(r);
    // Every frame to beta that the impairment lost is a datagram that did not arrive (udpsink counts as missing
    // only those before the last one received), or the ARP request or echo request of the ping at 1 s.
    expect(lost.length).toBeGreaterThanOrEqual(DATAGRAMS - s.received);
    expect(lost.length).toBeLessThanOrEqual(DATAGRAMS - s.received + 2);
    expect(s.missing).toBeLessThanOrEqual(DATAGRAMS - s.received);
    // Stationary loss p/(p+r) = 20 %: over ~200 frames, more than none and fewer than half (the chain's σ of the
    // count is √(N·π(1−π)·(2−p−r)/(p+r)) ≈ 17 here, so 0 and 100 are ≥ 2.3σ away).
    expect(lost.length).toBeGreaterThan(0);
    expect(lost.length).toBeLessThan(100);
    expect(r.faultNotes[0]).toMatch(new RegExp(`^net0→beta\\.nic0: \\d+ frames, ${lost.length} lost \\(gilbert-elliott\\)`));
  });

  test('the same seed gives the same trace and pcap bytes; another seed other delays', () => {
    const text = scenario({ wan: '{ delay: 20ms, jitter: 5ms, distribution: normal, loss: 2% }' });
    const d1 = tmpdir('impair1');
    const d2 = tmpdir('impair2');
    const a = run(text, { pcapDir: d1 });
    const b = run(text, { pcapDir: d2 });
    const c = run(scenario({ wan: '{ delay: 20ms, jitter: 5ms, distribution: normal, loss: 2% }', seed: 2 }));
    expect(b.traceHash).toBe(a.traceHash);
    const pcap = (d: string) => fs.readFileSync(path.join(d, 'net0.pcap'));
    expect(Buffer.compare(pcap(d1), pcap(d2))).toBe(0);
    expect(pcap(d1).length).toBeGreaterThan(24 + DATAGRAMS * (16 + 256));
    expect(c.traceHash).not.toBe(a.traceHash);
    const delays = (r: CheckedRun) => records(r, 'impair', 'hold').map((h) => h.f!['ns']);
    expect(delays(b)).toEqual(delays(a));
    expect(delays(c)).not.toEqual(delays(a));
  });
});

describe('assembly: the engines a scenario gets', () => {
  test("a link's impair is its medium's default, a NIC's (a guest's too) is its port's own; unimpaired links get no engine until an action asks", () => {
    const sc = parseScenarioText(`until: 2s
nodes:
  alpha:
    nics: [{ model: rtl8029, link: hub0, impair: { delay: 5ms } }, { model: rtl8029, link: sw0 }]
    script: "echo a"
  linux1:
    kind: guest
    nics: [{ model: rtl8029, mac: "52:54:00:00:00:03", link: hub0, impair: { loss: 10% } }]
    ip: 10.0.0.3/24
links:
  hub0: { type: hub, impair: { delay: 1ms } }
  sw0: { type: switch }
`);
    const net = buildNetwork(new Simulation(1), sc);
    const hub = net.impairments.of('hub0');
    expect(hub.configOf('alpha.nic0')).toEqual({ ...NO_IMPAIRMENT, delayNs: 5 * MS });
    expect(hub.configOf('linux1.nic0')).toEqual({ ...NO_IMPAIRMENT, loss: { model: 'random', probability: 0.1 } });
    expect(hub.configOf('some.other')).toEqual({ ...NO_IMPAIRMENT, delayNs: 1 * MS });
    // sw0 has none: its medium has no delivery stage (a run without impairments is the run it always was).
    expect(net.media.get('sw0')!).toHaveProperty('deliveryFilter', null);
    expect(net.impairments.of('sw0').configOf('alpha.nic1')).toBeNull();
    expect(net.media.get('sw0')!).toHaveProperty('deliveryFilter', null);
    expect(net.impairments.report()).toEqual([]);
  });
});
