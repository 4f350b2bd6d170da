import { EtherType, EthernetFrame, IpProto, Ipv4Packet } from '../../stack/net/wire';
import { connect } from './fake-net';
import { makeNode, newSim } from './rig';

describe('ping between two io-pkt nodes over a test wire', () => {
  function setup(latencyNs = 200_000) {
    const sim = newSim(3);
    const a = makeNode(sim, 'alpha', { macBase: 1 });
    const b = makeNode(sim, 'beta', { macBase: 2 });
    connect(a.nics[0]!, b.nics[0]!, latencyNs);
    return { sim, a, b };
  }

  test('ping -c 3: console lines, ARP first, RTTs from virtual time', () => {
    const { sim, a, b } = setup();
    b.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.2/24']);
    a.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.1/24', 'sleep 1', 'ping -c 3 10.0.0.2']);
    sim.queue.runUntil(10_000_000_000);
    expect(a.k.crashes).toEqual([]);
    expect(b.k.crashes).toEqual([]);
    const lines = a.console().split('\n');
    const i = lines.indexOf('PING 10.0.0.2 (10.0.0.2): 56 data bytes');
    expect(i).toBeGreaterThanOrEqual(0);
    const replies = lines.slice(i + 1, i + 4);
    const rtts: number[] = [];
    replies.forEach((l, seq) => {
      const m = new RegExp(`^64 bytes from 10\\.0\\.0\\.2: icmp_seq=${seq} ttl=255 time=(\\d+\\.\\d{3}) ms$`).exec(l);
      expect(m).not.toBeNull();
      rtts.push(Number(m![1]));
    });
    expect(lines[i + 4]).toBe('');
    expect(lines[i + 5]).toBe('----10.0.0.2 PING Statistics----');
    expect(lines[i + 6]).toBe('3 packets transmitted, 3 packets received, 0.0% packet loss');
    expect(lines[i + 7]).toMatch(/^round-trip min\/avg\/max\/stddev = \d+\.\d{3}\/\d+\.\d{3}\/\d+\.\d{3}\/\d+\.\d{3} ms$/);
    // Two wire crossings of 0.2 ms each: every RTT is above 0.4 ms; the first also waited for ARP.
    for (const r of rtts) expect(r).toBeGreaterThan(0.4);
    expect(rtts[0]!).toBeGreaterThan(rtts[1]!);
    // The wire saw: gratuitous ARPs, ARP request/reply, 3 requests and 3 replies.
    const isIcmp = (data: Uint8Array): boolean => {
      const eth = new EthernetFrame(data);
      return eth.ethertype === EtherType.IPv4 && new Ipv4Packet(eth.payload).protocol === IpProto.ICMP;
    };
    const icmpFrom = (n: typeof a) => n.nics[0]!.sent.filter((f) => isIcmp(f.data));
    expect(icmpFrom(a)).toHaveLength(3);
    expect(icmpFrom(b)).toHaveLength(3);
  });

  test('the run is deterministic', () => {
    const runOnce = () => {
      const { sim, a, b } = setup();
      const trace: string[] = [];
      sim.tracer.addLineSink((_r, line) => trace.push(line));
      b.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.2/24']);
      a.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.1/24', 'ping -c 2 -i 0.5 10.0.0.2']);
      sim.queue.runUntil(5_000_000_000);
      return { out: a.console(), digest: sim.tracer.digest(), n: trace.length };
    };
    const x = runOnce();
    const y = runOnce();
    expect(x.out).toBe(y.out);
    expect(x.digest).toBe(y.digest);
    expect(x.n).toBeGreaterThan(50);
  });
});
