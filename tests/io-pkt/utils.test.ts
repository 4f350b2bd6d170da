import { ArpPacket, EtherType, EthernetFrame, parseIpv4 } from '../../stack/net/wire';
import { connect } from './fake-net';
import { makeNode, newSim } from './rig';

function pair(seed = 4) {
  const sim = newSim(seed);
  const a = makeNode(sim, 'alpha', { macBase: 1 });
  const b = makeNode(sim, 'beta', { macBase: 2 });
  connect(a.nics[0]!, b.nics[0]!, 200_000);
  b.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.2/24']);
  return { sim, a, b };
}

describe('network utilities', () => {
  test('ifconfig: all interfaces, netmask form, down/up, mtu', () => {
    const { sim, a } = pair();
    a.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.1 netmask 255.255.0.0 up', 'ifconfig en0 down', 'ifconfig en0 mtu 1400',
      'ifconfig -a', 'ifconfig en0 up', 'ifconfig en0', 'ifconfig en7']);
    sim.queue.runUntil(2_000_000_000);
    expect(a.console()).toBe(
      'lo0: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> mtu 33192\n\tinet 127.0.0.1 netmask 0xff000000\n' +
      'en0: flags=8802<BROADCAST,SIMPLEX,MULTICAST> mtu 1400\n\taddress: 00:50:c2:00:00:01\n\tmedia: Ethernet 10baseT half-duplex\n' +
      '\tstatus: active\n\tinet 10.0.0.1 netmask 0xffff0000 broadcast 10.0.255.255\n' +
      'en0: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> mtu 1400\n\taddress: 00:50:c2:00:00:01\n\tmedia: Ethernet 10baseT half-duplex\n' +
      '\tstatus: active\n\tinet 10.0.0.1 netmask 0xffff0000 broadcast 10.0.255.255\n' +
      'ifconfig: SIOCGIFFLAGS en7: No such device or address\n',
    );
  });

  test('ping a host that never answers ARP: 5 requests, then "Host is down", exit 2', () => {
    const { sim, a } = pair();
    a.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.1/24', 'ping -c 8 10.0.0.77', 'echo status $?', 'arp -a']);
    sim.queue.runUntil(30_000_000_000);
    expect(a.console()).toBe(
      'PING 10.0.0.77 (10.0.0.77): 56 data bytes\nping: sendto: Host is down\nping: sendto: Host is down\n\n' +
      '----10.0.0.77 PING Statistics----\n8 packets transmitted, 0 packets received, 100.0% packet loss\nstatus 2\n' +
      '? (10.0.0.77) at (incomplete) on en0\n',
    );
    const arpRequests = a.nics[0]!.sent.filter((f) => {
      const eth = new EthernetFrame(f.data);
      return eth.ethertype === EtherType.ARP && new ArpPacket(eth.payload).tpa === parseIpv4('10.0.0.77');
    });
    expect(arpRequests).toHaveLength(5);
  });

  test('ping 127.0.0.1 (lo0), -q summary only, and a bad option', () => {
    const { sim, a } = pair();
    a.run(['io-pkt-v4', 'waitfor /dev/socket', 'ping -q -c 2 -i 0.1 127.0.0.1', 'ping -z 1.2.3.4', 'ping nosuchhost']);
    sim.queue.runUntil(5_000_000_000);
    const out = a.console();
    expect(out).toMatch(/^PING 127\.0\.0\.1 \(127\.0\.0\.1\): 56 data bytes\n\n----127\.0\.0\.1 PING Statistics----\n2 packets transmitted, 2 packets received, 0\.0% packet loss\nround-trip min\/avg\/max\/stddev = [\d.]+\/[\d.]+\/[\d.]+\/[\d.]+ ms\n/);
    expect(out).toContain('ping: illegal option -- z\nusage: \n');
    expect(out).toContain('ping: Cannot resolve "nosuchhost" (Unknown host)\n');
  });

  test('route add default, netstat -rn in table order, errors as NetBSD route prints them', () => {
    const { sim, a } = pair();
    a.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.1/24', 'ping -q -c 1 10.0.0.2',
      'route add default 10.0.0.254', 'route add default 10.0.0.254', 'route add -net 192.168.5.0 -netmask 255.255.255.0 10.9.9.9',
      'route add -host 172.16.1.1 10.0.0.2', 'route delete -net 192.168.9.0/24 10.0.0.2', 'netstat -rn']);
    sim.queue.runUntil(5_000_000_000);
    const out = a.console();
    expect(out).toContain(
      'add net default: gateway 10.0.0.254\n' +
      'route: writing to routing socket: File exists\nadd net default: gateway 10.0.0.254: File exists\n' +
      'route: writing to routing socket: Network is unreachable\nadd net 192.168.5.0: gateway 10.9.9.9: Network is unreachable\n' +
      'add host 172.16.1.1: gateway 10.0.0.2\n' +
      'route: writing to routing socket: No such process\ndelete net 192.168.9.0/24: gateway 10.0.0.2: not in table\n',
    );
    expect(out).toContain(
      'Routing tables\n\nInternet:\n' +
      'Destination        Gateway            Flags    Refs      Use    Mtu  Interface\n' +
      'default            10.0.0.254         UGS         0        0      -  en0\n' +
      '10.0.0/24          link#2             UC          0        1      -  en0\n' +
      '10.0.0.2           00:50:c2:00:00:02  UHLc        0        1      -  en0\n' +
      '127.0.0.1          127.0.0.1          UH          0        0  33192  lo0\n' +
      '172.16.1.1         10.0.0.2           UGHS        0        0      -  en0\n',
    );
  });

  test('netstat -s (ip, icmp), netstat -an, arp host', () => {
    const { sim, a } = pair();
    a.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.1/24', 'ping -q -c 2 -i 0.2 10.0.0.2', 'netstat -s -p ip', 'netstat -s -p icmp', 'arp 10.0.0.2', 'arp 10.0.0.3']);
    sim.queue.runUntil(5_000_000_000);
    const out = a.console();
    expect(out).toContain('ip:\n\t2 total packets received\n\t0 bad header checksums\n');
    expect(out).toContain('\t2 packets for this host\n');
    expect(out).toContain('\t2 packets sent from this host\n');
    expect(out).toContain('icmp:\n\t0 calls to icmp_error\n');
    expect(out).toContain('\tInput histogram:\n\t\techo reply: 2\n');
    expect(out).toContain('? (10.0.0.2) at 00:50:c2:00:00:02 on en0\n10.0.0.3 (10.0.0.3) -- no entry\n');
  });
});

describe('forwarding', () => {
  test('a router with -ptcpip forward passes pings between two networks; without it, nothing', () => {
    for (const forward of [true, false]) {
      const sim = newSim(8);
      const a = makeNode(sim, 'alpha', { macBase: 1 });
      const r = makeNode(sim, 'router', { macBase: 0x10, nics: 2 });
      const b = makeNode(sim, 'beta', { macBase: 2 });
      connect(a.nics[0]!, r.nics[0]!);
      connect(r.nics[1]!, b.nics[0]!);
      r.run([`io-pkt-v4 -dfake${forward ? ' -ptcpip forward' : ''}`, 'waitfor /dev/socket', 'ifconfig en0 10.0.1.254/24', 'ifconfig en1 10.0.2.254/24']);
      b.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.2.2/24', 'route add default 10.0.2.254']);
      a.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.1.1/24', 'route add default 10.0.1.254', 'sleep 0.2', 'ping -c 2 -w 3 10.0.2.2']);
      sim.queue.runUntil(10_000_000_000);
      const out = a.console();
      if (forward) {
        expect(out).toMatch(/64 bytes from 10\.0\.2\.2: icmp_seq=0 ttl=254 time=/);
        expect(out).toContain('2 packets transmitted, 2 packets received, 0.0% packet loss\n');
      } else {
        expect(out).toContain('2 packets transmitted, 0 packets received, 100.0% packet loss\n');
        expect(r.iopkt().stack.stats.ip.cantforward).toBe(2);
      }
    }
  });
});
