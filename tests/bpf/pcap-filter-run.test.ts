/**
 * Compiled expressions run by the kernel's filter machine over crafted frames: each primitive accepts the
 * frames it names and rejects the others (returning the snapshot length or 0), including the IPv4 fragment
 * rule for ports and IPv6 through a fragment header; then the compile errors, worded as libpcap's.
 */
import { DLT_EN10MB } from '../../stack/include/net/bpf';
import { bpfFilter } from '../../stack/net/bpf-filter';
import { pcapCompile, PcapCompileError } from '../../stack/lib/pcap/compile';
import { arpReply, arpRequest, BCAST, ether, icmp6, icmpEcho, ipv4, ipv6, LL1, LL2, tcp, udp } from './frames';

const F = {
  echo: ether(0x0800, ipv4(1, '10.0.0.1', '10.0.0.2', icmpEcho(8, 1, 1))),
  reply: ether(0x0800, ipv4(1, '10.0.0.2', '10.0.0.1', icmpEcho(0, 1, 1))),
  arp: ether(0x0806, arpRequest('10.0.0.1', '10.0.0.2'), BCAST),
  arpRep: ether(0x0806, arpReply('10.0.0.2', '10.0.0.1')),
  dns: ether(0x0800, ipv4(17, '10.0.0.1', '192.168.7.9', udp('10.0.0.1', '192.168.7.9', 1025, 53, 30))),
  dnsFrag: ether(0x0800, ipv4(17, '10.0.0.1', '192.168.7.9', udp('10.0.0.1', '192.168.7.9', 1025, 53, 30), { frag: 0x0010 })),
  syn: ether(0x0800, ipv4(6, '10.0.0.1', '10.0.0.2', tcp('10.0.0.1', '10.0.0.2', 1025, 80, 1, 0, 0x02))),
  ack: ether(0x0800, ipv4(6, '10.0.0.1', '10.0.0.2', tcp('10.0.0.1', '10.0.0.2', 1025, 80, 1, 1, 0x10))),
  echo6: ether(0x86dd, ipv6(58, LL1, LL2, icmp6(128, [0, 1, 0, 1]))),
  udp6frag: ether(0x86dd, ipv6(44, LL1, LL2, [17, 0, 0, 0, 0, 0, 0, 1, ...udp('0.0.0.0', '0.0.0.0', 5000, 53, 4)])),
};
type Name = keyof typeof F;

function accepted(expr: string): Name[] {
  const prog = pcapCompile(expr, { dlt: DLT_EN10MB, snaplen: 65535 });
  return (Object.keys(F) as Name[]).filter((n) => {
    const r = bpfFilter(prog, F[n], F[n].length);
    expect([0, 65535]).toContain(r);
    return r === 65535;
  });
}

describe('compiled filters on frames', () => {
  const cases: [string, Name[]][] = [
    ['icmp', ['echo', 'reply']],
    ['arp', ['arp', 'arpRep']],
    ['ip', ['echo', 'reply', 'dns', 'dnsFrag', 'syn', 'ack']],
    ['ip6', ['echo6', 'udp6frag']],
    ['udp', ['dns', 'dnsFrag', 'udp6frag']],
    ['tcp', ['syn', 'ack']],
    ['icmp6', ['echo6']],
    ['host 10.0.0.2', ['echo', 'reply', 'arp', 'arpRep', 'syn', 'ack']],
    ['src host 10.0.0.2', ['reply', 'arpRep']],
    ['dst host 10.0.0.2', ['echo', 'arp', 'syn', 'ack']],
    ['net 192.168.0.0/16', ['dns', 'dnsFrag']],
    ['net 192.168 mask 255.255.0.0', ['dns', 'dnsFrag']],
    // A later fragment carries no UDP header: the port test rejects it (gen_ipfrag).
    ['port 53', ['dns']],
    ['udp dst port 53', ['dns']],
    ['portrange 50-60', ['dns']],
    ['tcp port 80', ['syn', 'ack']],
    ['proto 17', ['dns', 'dnsFrag', 'udp6frag']],
    ['ether broadcast', ['arp']],
    ['ether src 00:50:c2:00:00:02', []],
    ['ether host 00:50:c2:00:00:01', Object.keys(F) as Name[]],
    ['ether proto 0x86dd', ['echo6', 'udp6frag']],
    ['tcp[tcpflags] & tcp-syn != 0', ['syn']],
    ['icmp[icmptype] = icmp-echo', ['echo']],
    ['ip[9] = 6 and not tcp[13] & 2 != 0', ['ack']],
    ['icmp or arp', ['echo', 'reply', 'arp', 'arpRep']],
    ['not ip and not ip6', ['arp', 'arpRep']],
    // Frame lengths: arp 14 + 28 = 42, syn/ack 14 + 20 + 20 = 54, echo6 14 + 40 + 8 = 62, dns 14 + 20 + 8 + 30 = 72,
    // udp6frag 14 + 40 + 8 + 12 = 74, echo/reply 14 + 20 + 64 = 98. `less N` is len <= N, `greater N` len >= N.
    ['less 62', ['arp', 'arpRep', 'syn', 'ack', 'echo6']],
    ['greater 98', ['echo', 'reply']],
    ['len > 72 and len < 98', ['udp6frag']],
    ['', Object.keys(F) as Name[]],
  ];
  for (const [expr, want] of cases) it(`'${expr}' accepts ${want.join(', ') || 'nothing'}`, () => expect(accepted(expr)).toEqual(want));
});

describe('compile errors, worded as libpcap', () => {
  const bad: [string, string][] = [
    ['udp and (', 'syntax error'],
    ['host', 'syntax error'],
    ['10.0.0.1', 'syntax error'],
    ['host nosuch', "unknown host 'nosuch'"],
    ['port foo', "unknown port 'foo'"],
    ['icmp port 53', "illegal qualifier of 'port'"],
    ['tcp host 10.0.0.1', "'tcp' modifier applied to host"],
    ['port 70000', 'illegal port number 70000 > 65535'],
    ['net 10.0.0.1/8', 'non-network bits set in "10.0.0.1/8"'],
    ['host 10.0.0.0/8', 'Mask syntax for networks only'],
    ['ip[1:3] = 0', 'data size must be 1, 2, or 4'],
    ['ip[0] / 0 = 1', 'division by zero'],
    ['ip broadcast', "netmask not known, so 'ip broadcast' not supported"],
    ['ether host 10.0.0.1', 'illegal link layer address'],
    ['host 00:11:22:33:44:55', 'ethernet address used in non-ether expression'],
    ['udp $', "illegal character: '$'"],
    ['vlan and icmp', "'vlan' not supported in this configuration"],
  ];
  for (const [expr, msg] of bad) {
    it(`'${expr}': ${msg}`, () => {
      expect(() => pcapCompile(expr, { dlt: DLT_EN10MB, snaplen: 65535 })).toThrow(new PcapCompileError(msg));
    });
  }
  it('host names come from the table tcpdump reads (/etc/hosts)', () => {
    const hosts = new Map([['beta', [0x0a000002]]]);
    const a = pcapCompile('host beta', { dlt: DLT_EN10MB, snaplen: 96, hosts });
    expect(a).toEqual(pcapCompile('host 10.0.0.2', { dlt: DLT_EN10MB, snaplen: 96 }));
  });
});
