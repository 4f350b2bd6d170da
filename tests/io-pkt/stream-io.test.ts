/**
 * Stream sockets through libsocket and io-pkt: non-blocking connect and writes with select/poll, a write
 * that blocks on a full window, SO_LINGER, POLLHUP, a client that exits without closing, prefix=.
 */
import { TCP_SENDSPACE } from '../../stack/net/socket';
import { connect as wire } from './fake-net';
import { makeNode, newSim } from './rig';
import { streamPrograms, type Ev } from './stream-progs';

function pair(seed = 41) {
  const sim = newSim(seed);
  const log: Ev[] = [];
  const a = makeNode(sim, 'alpha', { macBase: 1, programs: streamPrograms(log) });
  const b = makeNode(sim, 'beta', { macBase: 2, programs: streamPrograms(log) });
  wire(a.nics[0]!, b.nics[0]!, 100_000);
  a.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.1/24']);
  b.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.2/24']);
  return { sim, log, a, b };
}

const at = (log: Ev[], what: string | RegExp): number => {
  const e = log.find((x) => (typeof what === 'string' ? x.what === what : what.test(x.what)));
  if (!e) throw new Error(`no "${String(what)}" in ${JSON.stringify(log.map((x) => x.what))}`);
  return e.t;
};

describe('non-blocking stream sockets', () => {
  test('connect: EINPROGRESS, EALREADY, then select reports writability with SO_ERROR 0, then EISCONN', () => {
    const { sim, a, b } = pair();
    b.run(['sleep 0.5', 'tcpserv 5000']);
    a.run(['sleep 0.6', 'nbconn 10.0.0.2 5000']);
    sim.queue.runUntil(3_000_000_000);
    expect(a.console()).toBe('connect -1 EINPROGRESS\nagain -1 EALREADY\nselect 1 writable=true so_error=0\nthird -1 EISCONN\nread -1 EWOULDBLOCK\n');
  });

  test('connect to a closed port: select reports writability and SO_ERROR is ECONNREFUSED', () => {
    const { sim, a } = pair();
    a.run(['sleep 0.6', 'nbconn 10.0.0.2 5999']);
    sim.queue.runUntil(3_000_000_000);
    expect(a.console()).toContain('select 1 writable=true so_error=Connection refused\n');
  });

  test('writes take what fits (a partial count), then EWOULDBLOCK; poll waits for POLLOUT', () => {
    const { sim, log, a, b } = pair();
    b.run(['sleep 0.5', 'tcpserv 5000 1000 sink']);
    a.run(['sleep 0.6', 'nbwrite 10.0.0.2 5000 10000']);
    sim.queue.runUntil(5_000_000_000);
    // No ACK has come back during the burst: so_snd (32 KiB) takes three whole 10000-byte writes and 2768
    // bytes of the fourth (the rest of sb_hiwat, above the 2048-byte low-water mark), then EWOULDBLOCK.
    expect(a.console()).toBe(`partial ${TCP_SENDSPACE - 30000}\nsend -1 EWOULDBLOCK after ${TCP_SENDSPACE}\npoll 1 out=true\n`);
    // Space opens as the peer's receive buffer takes the data and ACKs it, before its reader wakes.
    const blocked = at(log, /^send -1/);
    const writable = at(log, 'poll 1 out=true');
    expect(writable).toBeGreaterThan(blocked);
    expect(writable).toBeLessThan(at(log, /^accepted/) + 1_000_000_000);
  });
});

describe('blocking stream I/O', () => {
  test('one write larger than the window blocks while the reader sleeps and returns when all is queued', () => {
    const { sim, log, a, b } = pair();
    b.run(['sleep 0.5', 'tcpserv 5000 1000 sink']);
    a.run(['sleep 0.6', 'bigwrite 10.0.0.2 5000 200000']);
    sim.queue.runUntil(10_000_000_000);
    expect(a.console()).toBe('write\nwrote 200000\nclosed\n');
    expect(b.console()).toContain('eof after 200000\n');
    const accepted = at(log, /^accepted/);
    // 200000 bytes cannot be queued before the reader wakes (32 KiB window + 32 KiB so_snd).
    expect(at(log, 'wrote 200000')).toBeGreaterThan(accepted + 1_000_000_000);
  });

  test('SO_LINGER with time 0: close sends RST and the peer reads ECONNRESET', () => {
    const { sim, a, b } = pair();
    b.run(['sleep 0.5', 'tcpserv 5000 200 sink']);
    a.run(['sleep 0.6', 'rstclose 10.0.0.2 5000']);
    sim.queue.runUntil(3_000_000_000);
    expect(a.console()).toBe('closed\n');
    expect(b.console()).toMatch(/read: Connection reset by peer\n$/);
    expect(a.iopkt().stack.tcp.stats.sndrst).toBeGreaterThanOrEqual(1);
  });

  test('SO_LINGER with a time: close returns once the data is acknowledged and the FIN exchanged', () => {
    const { sim, log, a, b } = pair();
    b.run(['sleep 0.5', 'tcpserv 5000 500 sink']);
    a.run(['sleep 0.6', 'lingerclose 10.0.0.2 5000 60000 10']);
    sim.queue.runUntil(5_000_000_000);
    expect(a.console()).toBe('close\nclosed\n');
    // The reader sleeps 500 ms, so the close waited for it (and returned long before the 10 s linger).
    const waited = at(log, 'closed') - at(log, 'close');
    expect(waited).toBeGreaterThan(300_000_000);
    expect(waited).toBeLessThan(2_000_000_000);
  });

  test('poll: the listener is readable with a connection; POLLIN at EOF; POLLHUP once both directions are shut', () => {
    const { sim, a, b } = pair();
    b.run(['sleep 0.5', 'hupwatch 5000']);
    a.run(['sleep 0.6', 'tcpsend 10.0.0.2 5000 x']);
    sim.queue.runUntil(5_000_000_000);
    expect(b.console()).toBe(
      'listener poll 1 in=true\n' +
      'poll 1 in=true hup=false read 1\n' +
      'poll 1 in=true hup=false read 0\n' +
      'after shutdown poll 1 hup=true\n',
    );
  });
});

describe('a client that exits without closing', () => {
  test('its TCP connection is closed (the peer reads the data, then EOF) and its UDP socket freed', () => {
    const { sim, a, b } = pair();
    b.run(['sleep 0.5', 'tcpserv 5000 0 echo-less']);
    a.run(['sleep 0.6', 'tcpleaver 10.0.0.2 5000']);
    sim.queue.runUntil(3_000_000_000);
    expect(a.console()).toBe('leaving\n');
    expect(b.console()).toMatch(/eof after 7\n$/);
    const s = a.iopkt().stack;
    expect(s.sockets.list.filter((so) => so.lport === 7777)).toHaveLength(0);
    const states = s.tcp.pcbs().map((p) => p.state);
    expect(states.every((st) => st !== 'ESTABLISHED')).toBe(true);
  });
});

describe('prefix=', () => {
  test('TCP through a stack registered under /alt (SOCK=/alt)', () => {
    const sim = newSim(7);
    const log: Ev[] = [];
    const a = makeNode(sim, 'alpha', { macBase: 1, programs: streamPrograms(log) });
    const b = makeNode(sim, 'beta', { macBase: 2, programs: streamPrograms(log) });
    wire(a.nics[0]!, b.nics[0]!, 100_000);
    a.run(['io-pkt-v4 -dfake -ptcpip prefix=/alt', 'waitfor /alt/dev/socket', 'SOCK=/alt', 'ifconfig en0 10.0.0.1/24', 'sleep 0.5', 'nbconn 10.0.0.2 5000']);
    b.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.2/24', 'tcpserv 5000']);
    sim.queue.runUntil(3_000_000_000);
    expect(a.console()).toContain('select 1 writable=true so_error=0\n');
    expect(b.console()).toMatch(/^listening\naccepted 10\.0\.0\.1\.\d+/);
  });
});

describe('more endings', () => {
  test('SO_SNDTIMEO: a blocked write returns the count queued when the time passes', () => {
    const { sim, log, a, b } = pair();
    b.run(['sleep 0.5', 'tcpserv 5000 10000 sink']);
    a.run(['sleep 0.6', 'bigwrite 10.0.0.2 5000 200000 0 300']);
    sim.queue.runUntil(3_000_000_000);
    const m = /wrote (\d+)\n/.exec(a.console());
    expect(m).not.toBeNull();
    const n = Number(m![1]);
    // Queued: so_snd's 32 KiB plus the peer's 32 KiB window, far less than asked.
    expect(n).toBeGreaterThan(TCP_SENDSPACE);
    expect(n).toBeLessThan(200000);
    const waited = at(log, /^wrote/) - at(log, 'write');
    expect(waited).toBeGreaterThanOrEqual(300_000_000);
    expect(waited).toBeLessThan(300_200_000);
  });

  test('a listener that dies with a connection in its queue: the connection is aborted, the client reads ECONNRESET', () => {
    const { sim, a, b } = pair();
    b.run(['sleep 0.5', 'listenonly 5000']);
    a.run(['sleep 0.6', 'waitreply 10.0.0.2 5000']);
    sim.queue.runUntil(1_000_000_000);
    expect(a.console()).toBe('connected\n');
    const pid = b.k.procs.list().find((p) => p.name === 'listenonly')!.pid;
    b.k.procs.kill(pid);
    sim.queue.runUntil(2_000_000_000);
    expect(a.console()).toBe('connected\nread: Connection reset by peer\n');
    expect(b.iopkt().stack.sockets.list.filter((so) => so.lport === 5000)).toHaveLength(0);
  });
});

test('determinism: the same seed gives the same trace (select, non-blocking connect, a blocked write, linger)', () => {
  const run = () => {
    const { sim, a, b } = pair(77);
    b.run(['sleep 0.5', 'tcpserv 5000 300 sink']);
    a.run(['sleep 0.6', 'nbconn 10.0.0.2 5999', 'bigwrite 10.0.0.2 5000 100000', 'lingerclose 10.0.0.2 5000 1000 5']);
    sim.queue.runUntil(4_000_000_000);
    return sim.tracer.digest();
  };
  expect(run()).toBe(run());
});
