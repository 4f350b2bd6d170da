/**
 * nc, ttcp and netstat over TCP on two simulated QNX nodes (real kernel, io-pkt, fake NICs on a test wire),
 * and netstat's formatting of PCB rows and protocol statistics from data.
 */
import type { Co, ProgramMain, ThreadCtx } from '../../stack/kernel/api';
import { accept, bind, listen, socket } from '../../stack/lib/socket';
import { sockaddrIn, sockaddrIn6 } from '../../stack/include/netinet/in';
import { AF_INET, SOCK_STREAM } from '../../stack/include/sys/socket';
import type { PcbRow } from '../../stack/io-pkt/sysctl';
import { TCPS_ESTABLISHED, TCPS_LISTEN, TCPS_TIME_WAIT } from '../../stack/net/tcp/fsm';
import { parseIpv4 } from '../../stack/net/wire/addr';
import { parseIpv6 } from '../../stack/net/wire/addr6';
import { ncPattern, parseNcArgs } from '../../stack/utils/nc-args';
import { formatInet6Sockets, formatInetSockets } from '../../stack/utils/netstat-sockets';
import { formatTcpStats, formatUdpStats } from '../../stack/utils/netstat-stats';
import { formatIcmp6Stats } from '../../stack/utils/netstat-stats6';
import { outfmt } from '../../stack/utils/ttcp';
import { connect } from './fake-net';
import { makeNode, newSim, type TestNode } from './rig';

const S = 1_000_000_000;

/** A server that accepts one connection on port 7000 and never reads it (its receive queue fills). */
const acceptonly: ProgramMain = function* (ctx: ThreadCtx): Co<number> {
  const s = yield* socket(ctx, AF_INET, SOCK_STREAM, 0);
  yield* bind(ctx, s, sockaddrIn(0, 7000));
  yield* listen(ctx, s, 5);
  const a = yield* accept(ctx, s);
  ctx.print(`accepted fd ${a.fd >= 0 ? 'ok' : 'failed'}\n`);
  yield* ctx.sleep(1000 * S);
  return 0;
};

function pair(seed = 4) {
  const sim = newSim(seed);
  const programs = { acceptonly };
  const a = makeNode(sim, 'alpha', { macBase: 1, programs });
  const b = makeNode(sim, 'beta', { macBase: 2, programs });
  connect(a.nics[0]!, b.nics[0]!, 200_000);
  b.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.2/24']);
  a.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.1/24']);
  return { sim, a, b };
}

/** The tcp rows of a `netstat -an` output: [recvq, sendq, local, foreign, state]. */
function tcpRows(out: string): string[][] {
  return out.split('\n').filter((l) => l.startsWith('tcp ')).map((l) => l.trim().split(/\s+/).slice(1));
}

function tcpStat(n: TestNode) {
  return n.iopkt().stack.tcp.stats;
}

describe('nc', () => {
  test('a listener sinks what a client sends: byte counts, the -o file holds the generated pattern, half-close ends both', () => {
    const { sim, a, b } = pair();
    b.run(['sleep 0.5', 'nc -v -l -p 5001 -o /dev/shmem/got', 'echo status $?']);
    a.run(['sleep 1', 'nc -v -N -c 100000 10.0.0.2 5001', 'echo status $?']);
    sim.queue.runUntil(5 * S);
    expect(a.console()).toBe('Connection to 10.0.0.2 5001 port [tcp/*] succeeded!\nnc: 100000 bytes sent, 0 bytes received\nstatus 0\n');
    expect(b.console()).toBe('Connection from 10.0.0.1 65535 received!\nnc: 0 bytes sent, 100000 bytes received\nstatus 0\n');
    expect(b.k.files.read('/dev/shmem/got')).toEqual(ncPattern(0, 100000));
    // The counters agree with what nc moved: every byte in sequence once, no losses on this wire.
    expect(tcpStat(a).sndbyte).toBe(100000);
    expect(tcpStat(a).sndrexmitpack).toBe(0);
    expect(tcpStat(b).rcvbyte).toBe(100000);
    expect(tcpStat(a).connattempt).toBe(1);
    expect(tcpStat(b).accepts).toBe(1);
  });

  test('without -o what arrives is printed; the listener sends its own -c input back', () => {
    const { sim, a, b } = pair();
    b.run(['sleep 0.5', 'nc -l -c 10 5001']);
    a.run(['sleep 1', 'nc -N -c 95 10.0.0.2 5001']);
    sim.queue.runUntil(5 * S);
    const text = new TextDecoder().decode(ncPattern(0, 95));
    expect(b.console()).toBe(text);
    expect(a.console()).toBe(text.slice(0, 10));
  });

  test('-z scans a port range; refused ports are reported with -v; exit 0 when one connected', () => {
    const { sim, a, b } = pair();
    b.run(['sleep 0.5', 'nc -l -p 5001']);
    a.run(['sleep 1', 'nc -v -z 10.0.0.2 4999-5001', 'echo status $?', 'nc -z 10.0.0.2 4999', 'echo status $?', 'nc 10.0.0.2 5001', 'echo status $?']);
    sim.queue.runUntil(5 * S);
    expect(a.console()).toBe(
      'nc: connect to 10.0.0.2 port 4999 (tcp) failed: Connection refused\n' +
      'nc: connect to 10.0.0.2 port 5000 (tcp) failed: Connection refused\n' +
      'Connection to 10.0.0.2 5001 port [tcp/*] succeeded!\nstatus 0\n' +
      'status 1\n' +
      // The listener took the scan's connection and exited: the port is closed now.
      'nc: connect to 10.0.0.2 port 5001 (tcp) failed: Connection refused\nstatus 1\n',
    );
  });

  test('-w bounds the connect: a host that never answers fails after exactly the timeout', () => {
    const { sim, a } = pair();
    a.run(['sleep 1', 'nc -w 2 10.0.0.77 80']);
    // The shell's sleep ends at 1 s plus the boot lines' time; nc starts then and waits 2 s.
    sim.queue.runUntil(2.9 * S);
    expect(a.console()).toBe('');
    sim.queue.runUntil(3.2 * S);
    expect(a.console()).toBe('nc: connect to 10.0.0.77 port 80 (tcp) failed: Connection timed out\n');
  });

  test('UDP: the listener takes the first datagram\'s sender as its peer and answers it', () => {
    const { sim, a, b } = pair();
    b.run(['sleep 0.5', 'nc -v -u -w 1 -l -c 5 6000']);
    a.run(['sleep 1', 'ping -q -c 1 10.0.0.2 >/dev/null', 'nc -v -u -w 1 -c 3000 10.0.0.2 6000']);
    sim.queue.runUntil(5 * S);
    const sent = new TextDecoder().decode(ncPattern(0, 3000));
    // Two datagrams (2048 + 952; ARP was resolved by the ping, else the first would be lost to the ARP hold
    // queue): the first makes the peer, both are printed.
    expect(b.console()).toBe(`Connection from 10.0.0.1 65535 received!\n${sent}nc: 5 bytes sent, 3000 bytes received\n`);
    expect(a.console()).toBe(`Connection to 10.0.0.2 6000 port [udp/*] succeeded!\n${sent.slice(0, 5)}nc: 3000 bytes sent, 5 bytes received\n`);
  });

  test('terminated in the middle of a connection, nc -v still says what it moved', () => {
    const { sim, a, b } = pair();
    b.run(['sleep 0.5', 'nc -v -u -l -o /dev/null 6000']);
    a.run(['sleep 1', 'ping -q -c 1 10.0.0.2 >/dev/null', 'nc -u -w 1 -c 100 10.0.0.2 6000']);
    b.run(['sleep 3', 'slay nc']);
    sim.queue.runUntil(4 * S);
    expect(b.console()).toBe('Connection from 10.0.0.1 65535 received!\nnc: 0 bytes sent, 100 bytes received\n');
  });

  test('argument checks as netcat words them', () => {
    expect(parseNcArgs(['nc', '-k', 'h', '1'])).toBe('must use -l with -k');
    expect(parseNcArgs(['nc', 'h'])).toBe('missing hostname and port');
    expect(parseNcArgs(['nc', 'h', '0'])).toBe('port range not valid: 0');
    expect(parseNcArgs(['nc', '-l'])).toBe('missing port number');
    expect(parseNcArgs(['nc', '-lz', '5'])).toBe('cannot use -z and -l');
    expect(parseNcArgs(['nc', '-c', '5', '-f', 'x', 'h', '1'])).toBe('-c and -f are exclusive');
    const o = parseNcArgs(['nc', '-l', '-p', '5001']);
    expect(typeof o !== 'string' && o.ports).toEqual([5001]);
    const z = parseNcArgs(['nc', '-z', 'h', '20-22']);
    expect(typeof z !== 'string' && z.ports).toEqual([20, 21, 22]);
  });
});

describe('ttcp', () => {
  test('-t/-r with -s: the classic lines, rates from virtual time, calls counted', () => {
    const { sim, a, b } = pair();
    const recvTimes: number[] = [];
    sim.tracer.addSink((rec) => {
      if (rec.node === 'beta' && rec.layer === 'app' && rec.probe === 'recv') recvTimes.push(rec.t);
    });
    b.run(['sleep 0.5', 'ttcp -r -s']);
    a.run(['sleep 1', 'ttcp -t -s -n 128 10.0.0.2']);
    sim.queue.runUntil(10 * S);
    const t = a.console();
    const r = b.console();
    expect(t).toMatch(/^ttcp-t: buflen=8192, nbuf=128, align=16384\/0, port=5001  tcp  -> 10\.0\.0\.2\nttcp-t: socket\nttcp-t: connect\n/);
    expect(r).toMatch(/^ttcp-r: buflen=8192, nbuf=2048, align=16384\/0, port=5001  tcp\nttcp-r: socket\nttcp-r: accept from 10\.0\.0\.1\n/);
    const line = (out: string, tag: string) => {
      const m = new RegExp(`ttcp${tag}: (\\d+) bytes in ([\\d.]+) real seconds = ([\\d.]+) KB/sec \\+\\+\\+\\nttcp${tag}: (\\d+) I/O calls, msec/call = ([\\d.]+), calls/sec = ([\\d.]+)\\n$`).exec(out);
      if (!m) throw new Error(out);
      return { bytes: Number(m[1]), real: Number(m[2]), rate: Number(m[3]), calls: Number(m[4]), msec: Number(m[5]), cps: Number(m[6]) };
    };
    const tx = line(t, '-t');
    const rx = line(r, '-r');
    expect(tx.bytes).toBe(1048576);
    expect(rx.bytes).toBe(1048576);
    expect(tx.calls).toBe(128);
    // The receiver's reads: one per recv record, the last one the end of stream.
    expect(rx.calls).toBe(recvTimes.length);
    // Its clock runs from accept (before the first read) to the end-of-stream read.
    const span = (recvTimes[recvTimes.length - 1]! - recvTimes[0]!) / S;
    expect(rx.real).toBeGreaterThanOrEqual(Math.floor(span * 100) / 100);
    expect(rx.real).toBeLessThan(span + 0.02);
    for (const x of [tx, rx]) {
      // The figures are one another's: KB/s = bytes / real / 1024, msec/call = 1024 × real / calls, calls/s =
      // calls / real — with `real` as printed, rounded to 10 ms.
      expect(x.rate).toBeGreaterThanOrEqual(x.bytes / (x.real + 0.005) / 1024);
      expect(x.rate).toBeLessThanOrEqual(x.bytes / (x.real - 0.005) / 1024);
      expect(x.msec).toBeGreaterThanOrEqual((1024 * (x.real - 0.005)) / x.calls - 0.005);
      expect(x.msec).toBeLessThanOrEqual((1024 * (x.real + 0.005)) / x.calls + 0.005);
      expect(x.cps).toBeGreaterThanOrEqual(x.calls / (x.real + 0.005));
      expect(x.cps).toBeLessThanOrEqual(x.calls / (x.real - 0.005));
    }
  });

  test('-u: sentinels start and stop the receiver; every datagram counted', () => {
    const { sim, a, b } = pair();
    b.run(['sleep 0.5', 'ttcp -r -s -u -l 1024']);
    // ARP first: an unresolved neighbour holds one datagram, and ttcp -u would lose the others to it.
    a.run(['sleep 1', 'ping -q -c 1 10.0.0.2 >/dev/null', 'ttcp -t -s -u -l 1024 -n 30 10.0.0.2']);
    sim.queue.runUntil(10 * S);
    expect(a.console()).toContain('ttcp-t: 30720 bytes in ');
    // The start sentinel and 30 buffers are timed; the four end sentinels follow (counted as calls, not timed).
    expect(a.console()).toContain('ttcp-t: 35 I/O calls,');
    // The receiver: the start sentinel, 30 buffers and the first end sentinel.
    expect(b.console()).toContain('ttcp-r: 30720 bytes in ');
    expect(b.console()).toContain('ttcp-r: 32 I/O calls,');
  });

  test('outfmt units', () => {
    expect(outfmt(1024 * 1024, 'K')).toBe('1024.00 KB');
    expect(outfmt(1024 * 1024, 'm')).toBe('8.00 Mbit');
    expect(outfmt(1024 * 1024, 'M')).toBe('1.00 MB');
    expect(outfmt(128, 'k')).toBe('1.00 Kbit');
  });
});

describe('netstat over TCP', () => {
  test('-an: LISTEN, ESTABLISHED with the queues the stack holds, then TIME_WAIT on the side that closed first', () => {
    const { sim, a, b } = pair();
    b.run(['sleep 0.5', 'acceptonly &', 'nc -l -p 5001']);
    // alpha's nc fills beta's receive buffer and its own send buffer, then blocks in send.
    a.run(['sleep 1', 'nc -c 200000 10.0.0.2 7000 &']);
    sim.queue.runUntil(4 * S);
    const bs = b.iopkt().stack;
    const as = a.iopkt().stack;
    const est = (s: typeof bs) => s.tcp.pcbs().find((p) => p.tp.state === TCPS_ESTABLISHED)!;
    const bq = est(bs).recvQ;
    const aq = est(as).sendQ;
    expect(bq).toBeGreaterThan(30000);
    expect(aq).toBeGreaterThan(30000);
    b.run(['netstat -an']);
    a.run(['netstat -an']);
    sim.queue.runUntil(4.5 * S);
    expect(tcpRows(b.console())).toEqual([
      [String(bq), '0', '10.0.0.2.7000', '10.0.0.1.65535', 'ESTABLISHED'],
      ['0', '0', '*.5001', '*.*', 'LISTEN'],
      ['0', '0', '*.7000', '*.*', 'LISTEN'],
    ]);
    expect(tcpRows(a.console())).toEqual([['0', String(aq), '10.0.0.1.65535', '10.0.0.2.7000', 'ESTABLISHED']]);
    // Without -a the listeners are left out.
    b.run(['netstat -n']);
    sim.queue.runUntil(5 * S);
    expect(b.console()).toMatch(/Active Internet connections\nProto Recv-Q Send-Q  Local Address {10}Foreign Address {8}State\ntcp +\d+ +0  10\.0\.0\.2\.7000 +10\.0\.0\.1\.65535 +ESTABLISHED\n$/);
    // A short exchange with the other listener; alpha half-closes first and ends in TIME_WAIT for 2 MSL.
    a.run(['nc -N -c 10 10.0.0.2 5001', 'netstat -an -p tcp']);
    // The exchange and netstat take a few ms; alpha's send queue only changes at its persist timer's probes.
    sim.queue.runUntil(5.1 * S);
    expect(tcpRows(a.console()).slice(-2)).toEqual([
      ['0', '0', '10.0.0.1.65534', '10.0.0.2.5001', 'TIME_WAIT'],
      ['0', String(est(as).sendQ), '10.0.0.1.65535', '10.0.0.2.7000', 'ESTABLISHED'],
    ]);
    expect(as.tcp.pcbs().map((p) => p.tp.state).sort((x, y) => x - y)).toEqual([TCPS_ESTABLISHED, TCPS_TIME_WAIT]);
    expect(bs.tcp.pcbs().map((p) => p.tp.state).sort((x, y) => x - y)).toEqual([TCPS_LISTEN, TCPS_ESTABLISHED]);
  });

  test('-s -p tcp prints tcpstat in NetBSD\'s words; -ss leaves out the zeros', () => {
    const { sim, a, b } = pair();
    b.run(['sleep 0.5', 'nc -l -p 5001 -o /dev/null']);
    a.run(['sleep 1', 'nc -N -c 3000 10.0.0.2 5001', 'netstat -s -p tcp', 'netstat -ss -p tcp']);
    sim.queue.runUntil(5 * S);
    const out = a.console();
    const st = tcpStat(a);
    expect(out).toContain(`tcp:\n\t${st.sndtotal} packets sent\n\t\t${st.sndpack} data packets (3000 bytes)\n\t\t0 data packets (0 bytes) retransmitted\n`);
    expect(out).toContain('\t1 connection request\n\t0 connection accepts\n\t1 connection established (including accepts)\n');
    const ss = out.slice(out.lastIndexOf('tcp:\n'));
    expect(ss).not.toMatch(/\t0 /);
    expect(ss).toContain('\t1 connection request\n\t1 connection established (including accepts)\n');
    expect(ss).toBe(formatTcpStats(st, 2));
  });
});

describe('netstat and nc over IPv6 (io-pkt-v6-hc)', () => {
  test('tcp6 rows, the Internet6 routing table and the inet6 statistics appear only where the stack has IPv6', () => {
    const sim = newSim(4);
    const a = makeNode(sim, 'alpha', { macBase: 1 });
    const b = makeNode(sim, 'beta', { macBase: 2 });
    connect(a.nics[0]!, b.nics[0]!, 200_000);
    b.run(['io-pkt-v6-hc -dfake', 'waitfor /dev/socket', 'ifconfig en0 inet6 fd00::2 prefixlen 64', 'sleep 3', 'nc -6 -v -l -p 5001 -o /dev/null']);
    a.run(['io-pkt-v6-hc -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.1/24', 'ifconfig en0 inet6 fd00::1 prefixlen 64', 'sleep 4',
      'nc -v -N -c 5000 fd00::2 5001', 'netstat -an', 'netstat -rn -f inet6', 'netstat -s -f inet6 -p icmp6']);
    sim.queue.runUntil(8 * S);
    expect(b.console()).toBe('Connection from fd00::1 65535 received!\nnc: 0 bytes sent, 5000 bytes received\n');
    const out = a.console();
    expect(out).toContain('Connection to fd00::2 5001 port [tcp/*] succeeded!\nnc: 5000 bytes sent, 0 bytes received\n' +
      'Active Internet6 connections (including servers)\nProto Recv-Q Send-Q  Local Address          Foreign Address        (state)\n' +
      'tcp6       0      0  fd00::1.65535          fd00::2.5001           TIME_WAIT\n' +
      'Routing tables\n\nInternet6:\n' +
      'Destination                        Gateway                        Flags    Refs      Use    Mtu  Interface\n');
    expect(out).toMatch(/\nfd00::\/64 +link#2 +U +0 +\d+ +- +en0\n/);
    expect(out).toMatch(/\nfe80::%en0\/64 +link#2 +U +0 +\d+ +- +en0\n/);
    // The v6 stack's neighbour discovery shows in icmp6's histograms.
    expect(out).toMatch(/icmp6:\n\t0 calls to icmp6_error\n[^]*\tOutput packet histogram:\n[^]*\t\tneighbor solicitation: \d+\n/);
    // io-pkt-v4 has no inet6 nodes: nothing to print, no error.
    const v4 = makeNode(sim, 'gamma', { macBase: 3 });
    v4.run(['io-pkt-v4', 'waitfor /dev/socket', 'netstat -s -f inet6', 'netstat -rn', 'echo status $?']);
    sim.queue.runUntil(9 * S);
    expect(v4.console()).not.toContain('Internet6');
    expect(v4.console()).toMatch(/^Routing tables\n\nInternet:\n[^]*\nstatus 0\n$/);
  });
});

describe('netstat formatting', () => {
  const row = (proto: PcbRow['proto'], l: string, lp: number, f: string, fp: number, state = -1, rcvq = 0, sndq = 0): PcbRow => {
    const v4 = !l.includes(':');
    return {
      proto, rcvq, sndq, state,
      local: v4 ? sockaddrIn(parseIpv4(l)!, lp) : sockaddrIn6(parseIpv6(l)!, lp),
      foreign: v4 ? sockaddrIn(parseIpv4(f)!, fp) : sockaddrIn6(parseIpv6(f)!, fp),
    };
  };

  test('protopr: header once, -a filter on the foreign host part, tcp state column, udp rows end at the address', () => {
    const rows = [
      row('tcp', '10.0.0.2', 5001, '10.0.0.1', 65535, TCPS_ESTABLISHED, 1448, 0),
      row('tcp', '0.0.0.0', 5001, '0.0.0.0', 0, TCPS_LISTEN),
      row('udp', '0.0.0.0', 9000, '0.0.0.0', 0),
      row('raw', '0.0.0.0', 0, '0.0.0.0', 0),
    ];
    expect(formatInetSockets(rows, true)).toBe(
      'Active Internet connections (including servers)\n' +
      'Proto Recv-Q Send-Q  Local Address          Foreign Address        State\n' +
      'tcp     1448      0  10.0.0.2.5001          10.0.0.1.65535         ESTABLISHED\n' +
      'tcp        0      0  *.5001                 *.*                    LISTEN\n' +
      'udp        0      0  *.9000                 *.*\n',
    );
    expect(formatInetSockets(rows, false)).toBe(
      'Active Internet connections\nProto Recv-Q Send-Q  Local Address          Foreign Address        State\n' +
      'tcp     1448      0  10.0.0.2.5001          10.0.0.1.65535         ESTABLISHED\n',
    );
    // Nothing to show: no header at all (NetBSD prints it before the first row).
    expect(formatInetSockets(rows.slice(1), false)).toBe('');
  });

  test('ip6protopr: "(state)", hosts cut at 16 characters, "*" for the unspecified address', () => {
    const rows = [
      row('tcp', 'fe80::250:c2ff:fe00:2', 5001, 'fe80::250:c2ff:fe00:1', 65535, TCPS_ESTABLISHED),
      row('tcp', '::', 5001, '::', 0, TCPS_LISTEN),
      row('udp', '::', 9000, '::', 0),
    ];
    expect(formatInet6Sockets(rows, true)).toBe(
      'Active Internet6 connections (including servers)\n' +
      'Proto Recv-Q Send-Q  Local Address          Foreign Address        (state)\n' +
      'tcp6       0      0  fe80::250:c2ff:f.5001  fe80::250:c2ff:f.65535 ESTABLISHED\n' +
      'tcp6       0      0  *.5001                 *.*                    LISTEN\n' +
      'udp6       0      0  *.9000                 *.*\n',
    );
    expect(formatInetSockets(rows, true)).toBe('');
  });

  test('statistics: counters the stack does not keep have no line; -ss drops zeros; computed lines follow', () => {
    expect(formatUdpStats({ ipackets: 5, noport: 2, opackets: 1 })).toBe(
      'udp:\n\t5 datagrams received\n\t2 dropped due to no socket\n\t3 delivered\n\t1 datagram output\n',
    );
    expect(formatUdpStats({ ipackets: 5, noport: 0, opackets: 0 }, 2)).toBe('udp:\n\t5 datagrams received\n\t5 delivered\n');
    const inhist = new Array<number>(256).fill(0);
    inhist[128] = 2;
    inhist[135] = 3;
    expect(formatIcmp6Stats({ error: 1, inhist}, 2)).toBe(
      'icmp6:\n\t1 call to icmp6_error\n\tInput packet histogram:\n\t\techo: 2\n\t\tneighbor solicitation: 3\n',
    );
  });
});
