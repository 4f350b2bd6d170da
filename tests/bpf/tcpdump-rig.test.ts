/**
 * tcpdump on a simulated QNX node (io-pkt, /dev/bpf) while another node pings it: the startup lines, one
 * line per ICMP packet in tcpdump's format with the node's virtual time, the -c summary, -w then -r, -d on
 * the live interface's link type, the summary on slay (SIGTERM), and the bad-expression and bad-interface
 * errors (one line, exit status 1).
 */
import { connect } from '../io-pkt/fake-net';
import { makeNode, newSim } from '../io-pkt/rig';
import { strerror } from '../../stack/lib/errno';

const SEC = 1_000_000_000;

function pair(alpha: string[], beta: string[], until = 5) {
  const sim = newSim(7);
  const a = makeNode(sim, 'alpha', { macBase: 1 });
  const b = makeNode(sim, 'beta', { macBase: 2 });
  connect(a.nics[0]!, b.nics[0]!, 100_000);
  a.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.1/24', ...alpha]);
  b.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.2/24', 'sleep 1', ...beta]);
  sim.queue.runUntil(until * SEC);
  expect(a.k.crashes).toEqual([]);
  return { a, b };
}

const TS = '\\d\\d:\\d\\d:\\d\\d\\.\\d{6}';

describe('tcpdump on an io-pkt node', () => {
  it('prints the ICMP of a ping in tcpdump\'s format and the statistics after -c', () => {
    const { a } = pair(['tcpdump -i en0 -n -c 4 icmp', 'echo status $?'], ['ping -c 2 10.0.0.1']);
    const lines = a.console().split('\n');
    expect(lines.slice(0, 2)).toEqual([
      'tcpdump: verbose output suppressed, use -v or -vv for full protocol decode',
      'listening on en0, link-type EN10MB (Ethernet), capture size 65535 bytes',
    ]);
    const pkts = lines.slice(2, 6);
    const want = [
      'IP 10.0.0.2 > 10.0.0.1: ICMP echo request, id \\d+, seq 0, length 64',
      'IP 10.0.0.1 > 10.0.0.2: ICMP echo reply, id \\d+, seq 0, length 64',
      'IP 10.0.0.2 > 10.0.0.1: ICMP echo request, id \\d+, seq 1, length 64',
      'IP 10.0.0.1 > 10.0.0.2: ICMP echo reply, id \\d+, seq 1, length 64',
    ];
    pkts.forEach((l, i) => expect(l).toMatch(new RegExp(`^${TS} ${want[i]}$`)));
    // Virtual time of day: ping starts after beta's `sleep 1`, the second request a second later.
    expect(pkts[0]!.startsWith('00:00:01.')).toBe(true);
    expect(pkts[2]!.startsWith('00:00:02.')).toBe(true);
    // Received by the filter (bs_recv): every frame the interface saw since BIOCSETIF — the 4 ICMP plus
    // beta's ARP request for 10.0.0.1 and alpha's ARP reply; captured: the 4 that passed.
    expect(lines.slice(6, 10)).toEqual(['4 packets captured', '6 packets received by filter', '0 packets dropped by kernel', 'status 0']);
  });

  it('-w writes a savefile under /dev/shmem that -r reads back through a filter; -e -tt on the way', () => {
    const { a } = pair(['tcpdump -i en0 -w /dev/shmem/c.pcap -c 6', 'tcpdump -r /dev/shmem/c.pcap -n -e -tt icmp[icmptype] = icmp-echoreply', 'tcpdump -r /dev/shmem/c.pcap -nn -c 1 arp'],
      ['ping -c 2 10.0.0.1']);
    const out = a.console();
    expect(out).toContain('tcpdump: listening on en0, link-type EN10MB (Ethernet), capture size 65535 bytes\n');
    expect(out).toContain('6 packets captured\n');
    expect(out).not.toContain('verbose output suppressed');
    expect(out).toContain('reading from file /dev/shmem/c.pcap, link-type EN10MB (Ethernet)\n');
    const replies = out.split('\n').filter((l) => l.includes('echo reply'));
    expect(replies).toHaveLength(2);
    for (const l of replies) {
      expect(l).toMatch(/^\d+\.\d{6} 00:50:c2:00:00:01 > 00:50:c2:00:00:02, ethertype IPv4 \(0x0800\), length 98: 10\.0\.0\.1 > 10\.0\.0\.2: ICMP echo reply, id \d+, seq \d, length 64$/);
    }
    expect(out).toMatch(new RegExp(`\\n${TS} ARP, Request who-has 10\\.0\\.0\\.1 tell 10\\.0\\.0\\.2, length \\d+\\n`));
  });

  it('-d prints the compiled program for the interface\'s link type and exits', () => {
    const { a } = pair(['tcpdump -i en0 -d icmp', 'tcpdump -i en0 -ddd -s 96 arp'], []);
    expect(a.console()).toBe([
      '(000) ldh      [12]', '(001) jeq      #0x800           jt 2\tjf 5', '(002) ldb      [23]',
      '(003) jeq      #0x1             jt 4\tjf 5', '(004) ret      #65535', '(005) ret      #0',
      '4', '40 0 0 12', '21 0 1 2054', '6 0 0 96', '6 0 0 0', '',
    ].join('\n'));
  });

  it('slay (SIGTERM) ends a capture with a newline and the statistics', () => {
    const { a } = pair(['tcpdump -i en0 -n icmp &', 'sleep 3', 'slay tcpdump'], ['ping -c 1 10.0.0.1']);
    const out = a.console();
    expect(out).toMatch(/ICMP echo reply, id \d+, seq 0, length 64\n\n2 packets captured\n4 packets received by filter\n0 packets dropped by kernel\n/);
  });

  it('a bad expression: one libpcap error line and exit status 1', () => {
    const { a } = pair(['tcpdump -i en0 udp and (', 'echo status $?', 'tcpdump -i en0 port http-alt', 'echo status $?'], []);
    expect(a.console()).toBe("tcpdump: syntax error\nstatus 1\ntcpdump: unknown port 'http-alt'\nstatus 1\n");
  });

  it('an unknown interface, an unreadable savefile and a read-only output path are one line each, exit 1', () => {
    const { a } = pair(['tcpdump -i en9 icmp', 'echo status $?', 'tcpdump -r /dev/shmem/none.pcap', 'echo status $?',
      'tcpdump -i en0 -w /proc/boot/x.pcap', 'echo status $?', 'tcpdump -c', 'echo status $?'], []);
    const lines = a.console().split('\n');
    expect(lines.slice(0, 6)).toEqual([
      'tcpdump: BIOCSETIF: en9: No such device or address', 'status 1',
      'tcpdump: /dev/shmem/none.pcap: No such file or directory', 'status 1',
      // EROFS (30) in the text strerror() gives (stack/lib/errno.ts).
      `tcpdump: /proc/boot/x.pcap: ${strerror(30)}`, 'status 1',
    ]);
    expect(lines[6]).toBe('tcpdump: option requires an argument -- c');
    expect(a.console()).toContain('Usage: tcpdump');
    expect(a.console().trimEnd().endsWith('status 1')).toBe(true);
  });

  it('without -i, tcpdump takes the first interface that is up and not a loopback (pcap_lookupdev)', () => {
    const { a } = pair(['tcpdump -c 1 -q icmp'], ['ping -c 1 10.0.0.1']);
    expect(a.console()).toContain('listening on en0, link-type EN10MB (Ethernet), capture size 65535 bytes\n');
    expect(a.console()).toMatch(/IP 10\.0\.0\.2 > 10\.0\.0\.1: ICMP echo request/);
  });
});

describe('tcpdump over IPv6 (io-pkt-v6-hc)', () => {
  it('ip6 and icmp6: neighbour discovery and ping6 between link-local addresses', () => {
    const sim = newSim(3);
    const a = makeNode(sim, 'alpha', { macBase: 1 });
    const b = makeNode(sim, 'beta', { macBase: 2 });
    connect(a.nics[0]!, b.nics[0]!, 100_000);
    a.run(['io-pkt-v6-hc -dfake', 'waitfor /dev/socket', 'ifconfig en0 up', 'tcpdump -i en0 -n -c 3 icmp6 and not ip6 multicast']);
    b.run(['io-pkt-v6-hc -dfake', 'waitfor /dev/socket', 'ifconfig en0 up', 'sleep 4', 'ping6 -c 1 fe80::250:c2ff:fe00:1%en0']);
    sim.queue.runUntil(8 * SEC);
    const lines = a.console().split('\n').filter((l) => l.includes('IP6'));
    // `ip6 multicast` is the destination's first byte 0xff: the solicitation to the solicited-node group is
    // left out; its unicast answer and the echo exchange are the three printed.
    expect(lines.some((l) => new RegExp(`^${TS} IP6 fe80::250:c2ff:fe00:2 > fe80::250:c2ff:fe00:1: ICMP6, echo request, id \\d+, seq 0, length \\d+$`).test(l))).toBe(true);
    expect(lines.some((l) => /IP6 fe80::250:c2ff:fe00:1 > fe80::250:c2ff:fe00:2: ICMP6, echo reply, id \d+, seq 0, length \d+$/.test(l))).toBe(true);
    expect(lines.some((l) => /ICMP6, neighbor advertisement, tgt is fe80::250:c2ff:fe00:1, length 32$/.test(l))).toBe(true);
    expect(lines.every((l) => !l.includes('> ff02::'))).toBe(true);
    expect(lines).toHaveLength(3);
    expect(a.console()).toContain('3 packets captured\n');
  });
});

describe('tcpdump with a program longer than BPF_MAXINSNS', () => {
  it('compiles (libpcap does not refuse it) and BIOCSETF refuses it: EINVAL', () => {
    // 11 `port` alternatives: 11 × 52 instructions (each port test as in `port 53`, see the fixture) > 512.
    const expr = Array.from({ length: 11 }, (_, i) => `port ${i + 1}`).join(' or ');
    const { a } = pair([`tcpdump -i en0 ${expr}`, 'echo status $?'], []);
    expect(a.console()).toBe('tcpdump: BIOCSETF: Invalid argument\nstatus 1\n');
  });
});
