/**
 * The drop analysis on hand-written records (docs/drops.md "Rules"): what counts as a drop, what a retry takes
 * back, what is not addressed to the node, what is held when the records end, and its bounded state.
 */
import type { TraceRecord } from '../../emulator/machine/sim/trace';
import { DropAnalyzer, MAX_PENDING } from '../../emulator/app/debug/drops/analyze';
import { formatDrops } from '../../emulator/app/debug/drops/format';

const rec = (t: number, node: string, layer: string, probe: string, pkt: number, f?: TraceRecord['f']): TraceRecord => ({ t, node, layer, probe, pkt, ...(f ? { f } : {}) });

function analyze(recs: TraceRecord[], q = {}) {
  const a = new DropAnalyzer(q);
  for (const r of recs) a.feed(r);
  return a.finish();
}

describe('drop rules', () => {
  test('a frame rejected by an address filter or an ARP request for another host is not a drop', () => {
    const rep = analyze([
      rec(1, 'gamma', 'nic', 'rx-reject', 3, { nic: 'gamma.nic0', reason: 'filter', len: 60 }),
      rec(2, 'gamma', 'arp', 'drop', 4, { reason: 'request for another host' }),
      rec(3, 'sta', 'nic', 'rx-drop', 0, { nic: 'sta.nic0', reason: 'control', len: 10 }),
    ]);
    expect(rep.groups).toEqual([]);
    expect(formatDrops(rep, 'test')[0]).toBe('no frame was dropped (test, 3 records to 0.000000003)');
  });

  test('a collision is retried by the MAC, not lost; the MAC giving up is a drop', () => {
    const rep = analyze([
      rec(10, '', 'wire', 'drop', 7, { reason: 'collision', port: 'alpha.nic0' }),
      rec(20, '', 'wire', 'drop', 0, { reason: 'collision', port: 'linux1.nic0' }),
      rec(30, 'gamma', 'mac', 'abort', 8, { attempts: 16 }),
    ]);
    expect(rep.groups.map((g) => [g.node, g.record, g.cause, g.count, g.pkts])).toEqual([['gamma', 'mac/abort', 'excessive collisions', 1, [8]]]);
    expect(rep.groups[0]!.why).toBe('gamma mac excessive collisions (1 frame): the MAC gave up after 16 attempts (IEEE 802.3 attemptLimit)');
  });

  test('a later accept takes a drop back (an 802.11 retry); a flooded copy sent elsewhere does not', () => {
    const rep = analyze([
      rec(10, 'sta', 'nic', 'rx-drop', 5, { nic: 'sta.nic0', reason: 'crc', len: 100 }),
      rec(20, '', 'air', 'tx-start', 5, { port: 'ap.nic0' }),
      rec(30, 'sta', 'nic', 'rx-accept', 5, { nic: 'sta.nic0', len: 100 }),
      rec(40, '', 'wire', 'drop', 6, { reason: 'link-down', port: 'delta.nic0' }),
      rec(40, '', 'wire', 'tx-start', 6, { port: 'sw0.p4', len: 98 }),
      rec(50, 'eps', 'nic', 'rx-reject', 6, { nic: 'eps.nic0', reason: 'filter', len: 98 }),
    ]);
    expect(rep.groups.map((g) => [g.node, g.record, g.cause, g.pkts])).toEqual([['delta', 'wire/drop', 'link-down', [6]]]);
  });

  test('what reached its consumer is not a drop: a counted duplicate ACK, EAPOL read through BPF', () => {
    const rep = analyze([
      rec(10, 'alpha', 'tcp', 'drop', 3, { reason: 'duplicate ACK' }),
      rec(20, 'sta', 'bpf', 'capture', 4, { d: 0, if: 'ral0', len: 113, dir: 'in' }),
      rec(21, 'sta', 'ifnet', 'drop', 4, { if: 'ral0', reason: 'unknown ethertype 0x888e' }),
      rec(30, 'ap', 'ifnet', 'drop', 9, { if: 'ral0', reason: 'unknown ethertype 0x86dd' }),
    ]);
    expect(rep.groups.map((g) => [g.resource, g.cause, g.pkts])).toEqual([['ap ifnet ral0', 'unknown ethertype 0x86dd', [9]]]);
  });

  test('a ring is followed only on nodes whose driver is traced (a Linux guest’s is not)', () => {
    const rep = analyze([
      rec(1, 'linux1', 'nic', 'rx-ring', 2, { nic: 'linux1.nic0', page: 70, count: 64, next: 71 }),
      rec(2, 'beta', 'driver', 'intr', 0, { isr: 1 }),
      rec(3, 'beta', 'nic', 'rx-ring', 3, { nic: 'beta.nic0', page: 70, count: 64, next: 71 }),
      rec(4, 'beta', 'kernel', 'crash', 0, { pid: 1, tid: 0, name: 'procnto', error: 'kernel fault (faults[0])', kernel: true }),
    ]);
    expect(rep.undelivered.map((g) => [g.node, g.pkts])).toEqual([['beta', [3]]]);
    expect(rep.undelivered[0]!.why).toBe("beta.nic0 RX ring (1 frame): still in the chip's receive ring when the records end (the driver had not taken it, 1ns after the last): the node's kernel crashed at 0.000000004 (kernel fault (faults[0]))");
  });

  test('drops group by node, resource and cause, with count, first and last time and the first packet ids', () => {
    const recs: TraceRecord[] = [rec(1, 'beta', 'nic', 'start', 0, { nic: 'beta.nic0' }), rec(2, 'beta', 'ifnet', 'attach', 0, { if: 'en0', driver: 'ne2000' })];
    for (let i = 0; i < 12; i++) recs.push(rec(100 + i * 10, 'beta', 'nic', 'rx-reject', 50 + i, { nic: 'beta.nic0', reason: 'overflow', len: 1442 }));
    recs.push(rec(300, 'beta', 'nic', 'rx-reject', 90, { nic: 'beta.nic0', reason: 'stopped', len: 1442 }));
    const rep = analyze(recs);
    expect(rep.frames).toBe(13);
    expect(rep.groups.map((g) => [g.resource, g.cause, g.count, g.first, g.last])).toEqual([
      ['beta.nic0 (en0)', 'overflow', 12, 100, 210],
      ['beta.nic0 (en0)', 'stopped', 1, 300, 300],
    ]);
    expect(rep.groups[0]!.pkts).toEqual([50, 51, 52, 53, 54, 55, 56, 57]);
    // No kernel/starved record: the reason says the thread was never kept from a CPU.
    expect(rep.groups[0]!.why).toMatch(/^beta\.nic0 \(en0\) RX ring overflow \(12 frames\): the ring filled faster than the driver emptied it; no kernel\/starved record/);
    expect(rep.groups[1]!.why).toBe('beta.nic0 (en0) RX receiver stopped (1 frame): arrived with the receiver stopped (CR.STP): the interface was down or being reset');
  });

  test('a ring overrun names the starved thread, its priority, its lateness and what held the CPU', () => {
    const rep = analyze([
      rec(1_000, 'beta', 'kernel', 'starved', 0, { irq: 5, pid: 3, tid: 2, name: 'io-pkt-v4', prio: 21, held: 'cpu0 spin (pid 5 tid 1 prio 40)' }),
      rec(50_000, 'beta', 'nic', 'rx-reject', 9, { nic: 'beta.nic0', reason: 'overflow', len: 1442 }),
      rec(2_001_000, 'beta', 'kernel', 'ran-late', 0, { irq: 5, pid: 3, tid: 2, name: 'io-pkt-v4', prio: 21, cpu: 0, latency: 2_000_000 }),
    ]);
    expect(rep.groups[0]!.why).toBe('beta.nic0 RX ring overflow (1 frame): io-pkt-v4 thread 2 (prio 21), made ready by irq 5 at 0.000001000, ran 2.000000ms late behind spin (pid 5 tid 1 prio 40) on CPU 0');
  });

  test('a thread still starved when the records end is said to have not run', () => {
    const rep = analyze([
      rec(1_000, 'beta', 'kernel', 'starved', 0, { irq: 5, pid: 3, tid: 2, name: 'io-pkt-v4', prio: 21, held: 'cpu0 a (pid 5 tid 1 prio 40); cpu1 b (pid 6 tid 1 prio 30)' }),
      rec(5_000, 'beta', 'nic', 'rx-reject', 9, { nic: 'beta.nic0', reason: 'mbuf-pool-full', len: 1518 }),
    ]);
    expect(rep.groups[0]!.why).toBe('beta.nic0 RX mbuf pool full (no buffer) (1 frame): io-pkt-v4 thread 2 (prio 21), made ready by irq 5 at 0.000001000, had not run when the records end (4.000us after) behind a (pid 5 tid 1 prio 40) on CPU 0 and b (pid 6 tid 1 prio 30) on CPU 1');
  });

  test('datagrams left in a socket buffer: lost when the socket closes, undelivered when the records end', () => {
    const rep = analyze([
      rec(1, 'b', 'kernel', 'spawn', 0, { pid: 6, ppid: 2, name: 'udpsink', prio: 10 }),
      rec(2, 'b', 'socket', 'create', 0, { so: 2, pid: 6 }),
      rec(3, 'b', 'socket', 'create', 0, { so: 3, pid: 6 }),
      rec(10, 'b', 'socket', 'enqueue', 20, { so: 2, len: 100, cc: 100 }),
      rec(11, 'b', 'socket', 'enqueue', 21, { so: 2, len: 100, cc: 200 }),
      rec(12, 'b', 'socket', 'deliver', 20, { so: 2, len: 100, cc: 100 }),
      rec(13, 'b', 'socket', 'enqueue', 22, { so: 3, len: 100, cc: 100 }),
      rec(20, 'b', 'socket', 'close', 0, { so: 2, pid: 6 }),
    ]);
    expect(rep.groups.map((g) => [g.resource, g.cause, g.pkts])).toEqual([['b socket 2 (pid 6 udpsink)', 'closed with data unread', [21]]]);
    expect(rep.undelivered.map((g) => [g.resource, g.cause, g.pkts])).toEqual([['b socket 3 (pid 6 udpsink)', 'socket', [22]]]);
  });

  test('a full socket buffer names the reader and what ran above it', () => {
    const rep = analyze([
      rec(1, 'g', 'kernel', 'spawn', 0, { pid: 6, ppid: 2, name: 'udpsink', prio: 10 }),
      rec(2, 'g', 'socket', 'create', 0, { so: 2, pid: 6 }),
      rec(5, 'g', 'kernel', 'spawn', 0, { pid: 8, ppid: 2, name: 'spin', prio: 15 }),
      rec(6, 'g', 'kernel', 'spawn', 0, { pid: 9, ppid: 2, name: 'low', prio: 9 }),
      rec(10, 'g', 'socket', 'drop', 30, { so: 2, len: 512, cc: 41472, hiwat: 41600, reason: 'so_rcvbuf full' }),
      rec(20, 'g', 'kernel', 'exit', 0, { pid: 8, name: 'spin', status: 0 }),
    ]);
    expect(rep.groups[0]!.why).toBe('g socket 2 (pid 6 udpsink) so_rcvbuf full (1 frame): so_rcvbuf held 41472 of 41600 bytes: the reader udpsink (pid 6, prio 10) had not read them; started at a higher priority and alive meanwhile: spin (pid 8, prio 15, 0.000000005..0.000000020)');
  });

  test('--node, --from and --to select drops; a wire drop belongs to its port’s node', () => {
    const recs = [
      rec(10, '', 'wire', 'drop', 1, { reason: 'link-down', port: 'beta.nic0' }),
      rec(20, 'alpha', 'udp', 'noport', 2, { port: 7 }),
      rec(30, 'alpha', 'udp', 'noport', 3, { port: 7 }),
    ];
    expect(analyze(recs, { nodes: ['beta'] }).groups.map((g) => g.pkts)).toEqual([[1]]);
    expect(analyze(recs, { from: 15, to: 25 }).groups.map((g) => g.pkts)).toEqual([[2]]);
    expect(analyze(recs, { nodes: ['alpha'] }).groups[0]!.why).toBe('alpha udp no socket on port 7 (2 frames): no socket bound to port 7 on alpha: ICMP port unreachable sent back (RFC 1122 4.1.3.1)');
  });

  test('state is bounded: drops settle a second after them, and at most MAX_PENDING packets are held', () => {
    const a = new DropAnalyzer();
    const n = MAX_PENDING + 5;
    a.feed(rec(0, 'b', 'driver', 'intr', 0, { isr: 1 }));
    for (let i = 1; i <= n; i++) a.feed(rec(i, 'b', 'nic', 'rx-ring', i, { nic: 'b.nic0', page: 70, count: 64, next: 71 }));
    const inside = a as unknown as { holds: Map<number, unknown>; drops: Map<number, unknown> };
    expect(inside.holds.size).toBe(MAX_PENDING);
    a.feed(rec(n + 1, 'b', 'udp', 'drop', n + 1, { reason: 'bad UDP checksum (hardware)' }));
    expect(inside.drops.size).toBe(1);
    a.feed(rec(n + 1 + 1_000_000_000, 'b', 'console', 'line', 0, { text: 'x' }));
    expect(inside.drops.size).toBe(0);
    const rep = a.finish();
    expect(rep.groups.map((g) => [g.cause, g.count])).toEqual([['bad UDP checksum (hardware)', 1]]);
    expect(rep.undelivered.map((g) => [g.cause, g.count])).toEqual([['ring', n]]);
  });
});
