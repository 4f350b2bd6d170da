/** Stream sockets through libsocket and io-pkt: connect/accept/echo, refused and unanswered connects. */
import { connect as wire } from './fake-net';
import { makeNode, newSim } from './rig';
import { streamPrograms, type Ev } from './stream-progs';

function pair(seed = 31) {
  const sim = newSim(seed);
  const log: Ev[] = [];
  const a = makeNode(sim, 'alpha', { macBase: 1, programs: streamPrograms(log) });
  const b = makeNode(sim, 'beta', { macBase: 2, programs: streamPrograms(log) });
  wire(a.nics[0]!, b.nics[0]!, 100_000);
  a.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.1/24']);
  b.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.2/24']);
  return { sim, log, a, b };
}

describe('stream sockets', () => {
  test('blocking connect, accept on a new descriptor, echo, EOF', () => {
    const { sim, a, b } = pair();
    b.run(['sleep 0.5', 'tcpserv 5000']);
    a.run(['sleep 0.6', 'tcpcli 10.0.0.2 5000 hello-tcp']);
    sim.queue.runUntil(3_000_000_000);
    expect(a.console()).toBe('connect\nconnected to 10.0.0.2.5000\nsent 9\necho hello-tcp\n');
    expect(b.console()).toMatch(/^listening\naccepted 10\.0\.0\.1\.\d+ on 10\.0\.0\.2\.5000\neof after 9\n$/);
  });
});

describe('connect failures', () => {
  test('a closed port answers RST: ECONNREFUSED one round trip later', () => {
    const { sim, log, a } = pair();
    a.run(['sleep 0.6', 'tcpconn 10.0.0.2 5999']);
    sim.queue.runUntil(2_000_000_000);
    expect(a.console()).toBe('connect\nconnect: Connection refused\n');
    const dt = log.find((e) => e.what.startsWith('connect:'))!.t - log.find((e) => e.what === 'connect')!.t;
    // ARP, then SYN and RST cross the 100 µs wire: at least 4 × 100 µs, well under a retransmission.
    expect(dt).toBeGreaterThan(400_000);
    expect(dt).toBeLessThan(5_000_000);
  });

  test('an address nobody answers: ETIMEDOUT when the connection-establishment timer (75 s) runs out', () => {
    const { sim, log, a, b } = pair();
    const syns: number[] = [];
    sim.tracer.addSink((r) => {
      if (r.node === 'alpha' && r.layer === 'tcp' && r.probe === 'output' && r.f?.flags === 'S') syns.push(r.t);
    });
    // Resolve beta's MAC first, then stop beta's io-pkt: the SYNs go out and nothing comes back.
    a.run(['sleep 0.6', 'ping -q -c 1 10.0.0.2', 'sleep 0.5', 'tcpconn 10.0.0.2 5000']);
    sim.queue.runUntil(1_000_000_000);
    const stack = b.k.procs.list().find((p) => p.name === 'io-pkt-v4')!;
    b.k.procs.kill(stack.pid);
    sim.queue.runUntil(100_000_000_000);
    expect(a.console()).toContain('connect\nconnect: Connection timed out\n');
    const start = log.find((e) => e.what === 'connect')!.t;
    const end = log.find((e) => e.what.startsWith('connect:'))!.t;
    // TCPT_KEEP = TCPTV_KEEP_INIT = 150 slow ticks, counted by tcp_slowtimo on 500 ms boundaries: the drop
    // is at the 150th boundary after the SYN (the SYN leaves a few µs after `start`, same 500 ms slot).
    const tick = 500_000_000;
    const drop = (Math.floor(start / tick) + 150) * tick;
    expect(end).toBeGreaterThanOrEqual(drop);
    expect(end - drop).toBeLessThan(200_000);
    // The SYN was retransmitted on the backoff table (1, 2, 4, 8, …) times the initial RTO of 3 s = 6 ticks
    // (TCPTV_SRTTDFLT): 6, 12, 24, 48 ticks apart, i.e. 6, 18, 42, 90 ticks after the SYN's slot; the next
    // (96 ticks later, at 186) is after the drop at 150.
    const st = a.iopkt().stack.tcp.stats;
    expect(st.rexmttimeo).toBe(4);
    // Each retransmission leaves at its slow tick (plus the io-pkt timer pulse and tcp_output: < 100 µs).
    const slot = Math.floor(syns[0]! / tick) * tick;
    expect(syns).toHaveLength(5);
    [6, 18, 42, 90].forEach((ticks, i) => {
      expect(syns[i + 1]! - (slot + ticks * tick)).toBeGreaterThanOrEqual(0);
      expect(syns[i + 1]! - (slot + ticks * tick)).toBeLessThan(100_000);
    });
    expect(st.timeoutdrop + st.conndrops).toBeGreaterThanOrEqual(1);
  });
});

describe('reads and writes', () => {
  test('MSG_PEEK, MSG_WAITALL across segments, SO_RCVTIMEO, EOF, EPIPE after SHUT_WR, non-blocking accept', () => {
    const { sim, log, a, b } = pair();
    b.run(['sleep 0.5', 'reader 5000']);
    a.run(['sleep 0.6', 'pieces 10.0.0.2 5000 300 abcdef ghij klmnop']);
    sim.queue.runUntil(3_000_000_000);
    expect(b.console()).toBe(
      'accept -1 EWOULDBLOCK\n' +
      'peek 4 "abcd"\npeek 4 "abcd"\n' +
      'waitall 10 "abcdefghij"\n' + // 6 bytes, then the next piece 300 ms later completes it
      'timeo -1 Resource temporarily unavailable\n' + // the last piece comes 300 ms later: after the 200 ms timeout
      'read 6 "klmnop"\nread 0 ""\n' +
      'write after SHUT_WR -1 Broken pipe\n',
    );
    const wa = log.find((e) => e.what.startsWith('waitall'))!.t;
    const to = log.find((e) => e.what.startsWith('timeo'))!.t;
    expect(to - wa).toBeGreaterThanOrEqual(200_000_000);
    expect(to - wa).toBeLessThan(200_100_000);
  });

  test('many small writes, each blocking while so_snd is full, arrive in order byte for byte', () => {
    const { sim, a, b } = pair();
    b.run(['sleep 0.5', 'tcpserv 5000 0 sink']);
    a.run(['sleep 0.6', 'chunkwrite 10.0.0.2 5000 100000 2048']);
    sim.queue.runUntil(5_000_000_000);
    expect(a.console()).toBe('wrote 100000\n');
    expect(b.console()).toMatch(/eof after 100000\n$/);
  });
});

test('-ptcpip somaxconn=N bounds the listen backlog (solisten)', () => {
  const sim = newSim(33);
  const log: Ev[] = [];
  const n = makeNode(sim, 'alpha', { programs: streamPrograms(log) });
  n.run(['io-pkt-v4 -dfake -ptcpip somaxconn=2', 'waitfor /dev/socket', 'listenonly 5000']);
  sim.queue.runUntil(500_000_000);
  expect(n.console()).toBe('listening\n');
  const so = n.iopkt().stack.sockets.list.find((x) => x.lport === 5000)!;
  expect(so.acceptConn).toBe(true);
  expect(so.qlimit).toBe(2); // listenonly asked for 5
});
