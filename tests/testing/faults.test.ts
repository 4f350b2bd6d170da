/**
 * Each fault kind changes the outcome the way it should, and expectations catch it: the same scenario and
 * expectations pass without the fault and fail with it, with a reason that says what happened instead.
 */
import { run, twoNodes } from './helpers';

const PING20 = '{ at: 1s, node: alpha, ping: { to: 10.0.0.2, count: 20, interval: 100ms } }';
const NO_LOSS = '{ node: alpha, console: "20 packets transmitted, 20 packets received, 0.0% packet loss" }';

function received(text: string): number {
  const m = /20 packets transmitted, (\d+) packets received/.exec(text);
  if (!m) throw new Error(`no ping summary in:\n${text}`);
  return Number(m[1]);
}

describe('link down', () => {
  test.each(['hub', 'cable', 'switch'] as const)('on a %s: pings sent while it is down are lost; "0%% loss" fails with the real summary', (link) => {
    const base = twoNodes(link);
    const ok = run(base, { actions: [PING20], expect: [NO_LOSS] });
    expect(ok.failures).toEqual([]);
    const down = run(base, { actions: [PING20], faults: ['{ at: 1.5s, until: 2.5s, link: net0, node: beta, kind: down }'], expect: [NO_LOSS] });
    expect(down.passed).toBe(false);
    const got = received(down.consoles.get('alpha')!);
    expect(got).toBeGreaterThanOrEqual(8);
    expect(got).toBeLessThanOrEqual(12);
    expect(down.failures).toHaveLength(1);
    expect(down.failures[0]).toMatch(
      /^expect\[0\] .*: expected alpha console shows "20 packets transmitted, 20 packets received, 0\.0% packet loss"; actual not found; closest line at [\d.]+: "20 packets transmitted, \d+ packets received, \d+\.\d% packet loss"$/,
    );
    // The pings after the link came back were answered.
    expect(down.consoles.get('alpha')).toMatch(/icmp_seq=19 /);
    expect(down.faultNotes[0]).toMatch(/down: link net0 .* went down 1 time/);
  });

  test('a whole-link down with no end keeps everything off the wire', () => {
    const r = run(twoNodes('hub'), { actions: [PING20], faults: ['{ at: 1.2s, link: net0, kind: down }'], expect: [NO_LOSS] });
    expect(received(r.consoles.get('alpha')!)).toBe(2);
    expect(r.passed).toBe(false);
  });
});

describe('loss', () => {
  test('a probability of frames vanish, the same ones for the same seed; an expectation on the count catches it', () => {
    const fault = '{ link: net0, kind: loss, probability: 0.25 }';
    const a = run(twoNodes('hub'), { actions: [PING20], faults: [fault], expect: [NO_LOSS] });
    const b = run(twoNodes('hub'), { actions: [PING20], faults: [fault], expect: [NO_LOSS] });
    const got = received(a.consoles.get('alpha')!);
    expect(got).toBeLessThan(20);
    expect(got).toBeGreaterThan(2);
    expect(received(b.consoles.get('alpha')!)).toBe(got);
    expect(a.faultNotes).toEqual(b.faultNotes);
    expect(a.faultNotes[0]).toMatch(/loss: \d+ frame\(s\) lost on net0/);
    expect(a.failures[0]).toMatch(/actual not found; closest line .*packet loss"$/);
    const none = run(twoNodes('hub'), { actions: [PING20], faults: ['{ link: net0, kind: loss, probability: 0 }'], expect: [NO_LOSS] });
    expect(none.failures).toEqual([]);
  });

  test('loss only at one node\'s port, and only inside the window', () => {
    const r = run(twoNodes('switch'), {
      actions: [PING20],
      faults: ['{ at: 2s, until: 2.5s, link: net0, node: alpha, kind: loss, probability: 1 }'],
      expect: [NO_LOSS],
    });
    // Five replies fall in the window (2.0–2.5 s); everything else arrives.
    expect(received(r.consoles.get('alpha')!)).toBe(15);
    expect(r.faultNotes[0]).toBe('faults[0] loss: 5 frame(s) lost on net0');
  });

  test('a UDP stream under loss: the delivered count expectation fails with the count and the gaps', () => {
    const udp = '{ at: 1s, node: alpha, udp: { to: 10.0.0.2, port: 7000, rate: 100, count: 100, size: 64, sink: beta } }';
    const want = '{ node: beta, udp_delivered: { port: 7000, op: "==", value: 100 } }';
    expect(run(twoNodes('hub', '4s'), { actions: [udp], expect: [want] }).failures).toEqual([]);
    const r = run(twoNodes('hub', '4s'), { actions: [udp], faults: ['{ at: 1.1s, link: net0, node: beta, kind: loss, probability: 0.2 }'], expect: [want] });
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0]).toMatch(/^expect\[0\] .*: expected udp port 7000 delivered == 100 on beta; actual (\d+) delivered \((\d+) missing by sequence\)$/);
    const [, got, missing] = /actual (\d+) delivered \((\d+) missing/.exec(r.failures[0]!)!;
    expect(Number(got) + Number(missing)).toBe(100);
  });
});

describe('corruption', () => {
  test('frames arrive with a bad FCS: the NE2000 rejects them as CRC errors and netstat -i counts input errors', () => {
    const clean = ['{ node: beta, iface: en0, counter: ierrors, op: "==", value: 0 }', '{ node: beta, nic: 0, counter: rx-reject.crc, op: "==", value: 0 }'];
    expect(run(twoNodes('hub'), { actions: [PING20], expect: clean }).failures).toEqual([]);
    const r = run(twoNodes('hub'), { actions: [PING20], faults: ['{ link: net0, node: beta, kind: corrupt, probability: 0.3 }'], expect: clean });
    expect(r.failures).toHaveLength(2);
    const hits = Number(/corrupt: (\d+) frame/.exec(r.faultNotes[0]!)![1]);
    expect(hits).toBeGreaterThan(0);
    // Every corrupted frame is a CRC reject in the model and an input error the driver saw (ISR.RXE).
    expect(r.counters.get('beta')).toEqual({ 'en0.ierrors': hits, 'nics[0].rx-reject.crc': hits });
    expect(r.failures[0]).toBe(`expect[0] beta en0 ierrors == 0: expected en0 ierrors == 0 (netstat -i on beta); actual ${hits}`);
    expect(received(r.consoles.get('alpha')!)).toBe(20 - hits);
  });
});

describe('rx-burst', () => {
  const spin = '{ at: 2s, node: beta, command: "[pri=40] spin 0.1" }';
  const ping = '{ at: 3s, node: alpha, ping: { to: 10.0.0.2, count: 5, interval: 200ms } }';
  const noOverrun = ['{ node: beta, iface: en0, counter: rx_overruns, op: "==", value: 0 }', '{ node: beta, nic: 0, counter: rx-reject.overflow, op: "==", value: 0 }'];

  test('a busy receiver alone does not overrun; a burst into it exhausts the ring, the driver recovers', () => {
    const quiet = run(twoNodes('hub'), { actions: [spin, ping], expect: noOverrun });
    expect(quiet.failures).toEqual([]);
    const r = run(twoNodes('hub'), {
      actions: [spin, ping],
      faults: ['{ at: 2s, node: beta, kind: rx-burst, frames: 200, size: 1514 }'],
      expect: [...noOverrun, '{ node: alpha, console: "5 packets transmitted, 5 packets received, 0.0% packet loss" }'],
    });
    expect(r.failures).toHaveLength(2);
    expect(r.failures[0]).toMatch(/^expect\[0\] beta en0 rx_overruns == 0: expected en0 rx_overruns == 0 \(nicinfo en0 on beta\); actual [1-9]\d*$/);
    expect(r.failures[1]).toMatch(/rx-reject\.overflow == 0: .* actual [1-9]\d*$/);
    expect(r.faultNotes).toEqual(['faults[0] rx-burst: 200 of 200 frame(s) sent to beta.nics[0]']);
  });

  test('a burst through a switch (flooded: beta has not sent yet) fills the ring too', () => {
    const r = run(twoNodes('switch'), {
      actions: [spin],
      faults: ['{ at: 2s, node: beta, kind: rx-burst, frames: 100, size: 1000 }'],
      expect: ['{ node: beta, nic: 0, counter: rx-accept, op: ">=", value: 10 }', '{ node: beta, nic: 0, counter: rx-reject.overflow, op: ">", value: 0 }'],
    });
    expect(r.failures).toEqual([]);
  });
});

describe('irq storm', () => {
  const ping = '{ at: 1s, node: alpha, ping: { to: 10.0.0.2, count: 5, interval: 200ms } }';
  const clean = '{ node: alpha, console: "5 packets transmitted, 5 packets received, 0.0% packet loss" }';

  test('on an IRQ nothing uses it changes nothing; on the NIC\'s IRQ it slows the node and the latency bound fails', () => {
    // Undisturbed, the first round trip (with its ARP exchange) is 0.758 ms and the others 0.443 ms
    // (tests/system/ping-rtt.test.ts derives the echo from the timing model): an average of 0.506 ms.
    const bound = '{ node: alpha, latency: { from: ping, avg: 600us } }';
    const idle = run(twoNodes('hub', '5s'), { actions: [ping], faults: ['{ at: 900ms, until: 1900ms, node: alpha, kind: irq-storm, irq: 7, period: 20us }'], expect: [clean, bound] });
    expect(idle.failures).toEqual([]);
    expect(idle.faultNotes[0]).toBe('faults[0] irq-storm: 50001 edge(s) on alpha IRQ 7');
    const nic = run(twoNodes('hub', '5s'), { actions: [ping], faults: ['{ at: 900ms, until: 1900ms, node: alpha, kind: irq-storm, irq: 5, period: 20us }'], expect: [clean, bound] });
    // Every edge costs alpha about 12 us (INTA, entry, 8259 mask and EOI as ISA cycles, io-pkt's handler
    // polling the NE2000 over ISA): more than half of each 20 us period. Nothing is lost, but the round
    // trips more than double.
    expect(nic.outcomes.map((o) => o.ok)).toEqual([true, false]);
    expect(nic.failures[0]).toMatch(/^expect\[1\] alpha ping round trip avg <= 600us: .*, avg (9\d\d(\.\d+)?us|1\.\d+ms) over 5 /);
  });
});

describe('latency bounds', () => {
  test('ping round trips and UDP one-way latency are checked in virtual time', () => {
    const r = run(twoNodes('hub', '4s'), {
      actions: ['{ at: 1s, node: alpha, ping: { to: 10.0.0.2, count: 3, interval: 100ms } }', '{ at: 2s, node: alpha, udp: { to: 10.0.0.2, port: 9000, count: 20, interval: 10ms, sink: beta } }'],
      expect: [
        '{ node: alpha, latency: { from: ping, max: 1ms, avg: 1ms } }',
        '{ node: alpha, latency: { from: ping, max: 100us } }',
        '{ node: beta, latency: { from: udp, port: 9000, max: 1ms } }',
        '{ node: beta, latency: { from: udp, max: 10us } }',
      ],
    });
    expect(r.outcomes.map((o) => o.ok)).toEqual([true, false, true, false]);
    expect(r.failures[0]).toMatch(/^expect\[1\] alpha ping round trip max <= 100us: expected alpha ping round trips max <= 100us; actual max [\d.]+us, avg [\d.]+us over 3 sample\(s\)$/);
    expect(r.failures[1]).toMatch(/expected beta udp latency max <= 10us; actual max [\d.]+us, avg [\d.]+us over 20 sample\(s\)$/);
  });

  test('faults on the path show up as latency: a busy receiver delays the replies', () => {
    const bound = '{ node: alpha, latency: { from: ping, max: 2ms } }';
    const ping = '{ at: 1s, node: alpha, ping: { to: 10.0.0.2, count: 5, interval: 20ms } }';
    expect(run(twoNodes('hub', '3s'), { actions: [ping], expect: [bound] }).failures).toEqual([]);
    const r = run(twoNodes('hub', '3s'), { actions: [ping, '{ at: 1s, node: beta, command: "[pri=40] spin 0.05" }'], expect: [bound] });
    expect(r.failures[0]).toMatch(/actual max [\d.]+ms/);
  });
});
