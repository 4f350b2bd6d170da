/**
 * Translation through the router's forwarding path (ip_input → pf in → ip_forward → pf out): nat to an address
 * and to `(en1)`, source ports from 50001:65535 from the seeded stream, replies translated back, rdr to an
 * inside server's port, `no nat`, ICMP echo ids, ICMP errors' quoted headers translated back. Every checksum of
 * every translated packet is verified from scratch (pkt.ts), not with pf's incremental arithmetic.
 */
import { makeRouter, rule, addr, any, dynif, port } from './harness';
import { checksumsOk, icmpEcho, icmpError, ipPacket, parse, tcp, udp } from './pkt';
import type { PfPool, PfStateInfo } from '../../stack/include/net/pfvar';

const pool = (a: PfPool['addr'], proxyPort: PfPool['proxyPort'] = null): PfPool => ({ addr: a, proxyPort, staticPort: false });
const natRule = (to: PfPool['addr']) => rule({ action: 'nat', direction: 'out', ifname: 'en1', src: { addr: addr('10.0.0.0/24') }, rpool: pool(to) });

describe('pf translation', () => {
  test('nat → 192.0.2.1: source rewritten, port from 50001:65535, reply translated back; checksums verified', () => {
    const r = makeRouter();
    r.load({ nat: [natRule(addr('192.0.2.1'))], filter: [] });
    const q = ipPacket({ src: '10.0.0.5', dst: '192.0.2.9', proto: 17 }, udp(3333, 53, 5));
    r.rx(r.en0, q);
    const [o] = r.sent(r.en1);
    expect(o).toBeDefined();
    const p = parse(o!);
    expect([p.src, p.dst, p.dport, p.ttl]).toEqual(['192.0.2.1', '192.0.2.9', 53, 63]);
    expect(p.sport).toBeGreaterThanOrEqual(50001);
    expect(p.sport).toBeLessThanOrEqual(65535);
    expect(checksumsOk(o!)).toEqual({ ip: true, transport: true });
    // The state: lan 10.0.0.5:3333, gwy 192.0.2.1:<port>, ext 192.0.2.9:53; created on en1 out (nat creates a
    // state without keep state).
    const [st] = (r.ioctl('DIOCGETSTATES') as { states: PfStateInfo[] }).states;
    expect(st).toMatchObject({ direction: 'out', ifname: 'self', lan: { port: 3333 }, gwy: { port: p.sport }, ext: { port: 53 } });
    expect(Array.from(st!.gwy.addr)).toEqual([192, 0, 2, 1]);
    // The reply to the gwy address and port comes back in on en1: dst → 10.0.0.5:3333, forwarded out en0.
    r.rx(r.en1, ipPacket({ src: '192.0.2.9', dst: '192.0.2.1', proto: 17 }, udp(53, p.sport, 7)));
    const [b] = r.sent(r.en0);
    expect(b).toBeDefined();
    const pb = parse(b!);
    expect([pb.src, pb.dst, pb.sport, pb.dport]).toEqual(['192.0.2.9', '10.0.0.5', 53, 3333]);
    expect(checksumsOk(b!)).toEqual({ ip: true, transport: true });
  });

  test('the port comes from the node\'s seeded stream: another seed, another port; ports differ per flow', () => {
    const ports = (seed: number) => {
      const r = makeRouter();
      r.env.seed = seed;
      r.load({ nat: [natRule(addr('192.0.2.1'))] });
      const got: number[] = [];
      for (const sp of [3333, 3334]) {
        r.rx(r.en0, ipPacket({ src: '10.0.0.5', dst: '192.0.2.9', proto: 17 }, udp(sp, 53)));
        got.push(parse(r.sent(r.en1)[0]!).sport);
      }
      return got;
    };
    const a = ports(11);
    expect(ports(11)).toEqual(a);
    expect(ports(12)).not.toEqual(a);
    expect(a[0]).not.toBe(a[1]);
  });

  test('nat → (en1) uses the interface\'s address at the time of the packet; TCP checksum verified', () => {
    const r = makeRouter();
    r.load({ nat: [natRule(dynif('en1'))] });
    r.rx(r.en0, ipPacket({ src: '10.0.0.5', dst: '192.0.2.9', proto: 6 }, tcp({ sport: 40000, dport: 80, flags: 0x02, data: 3 })));
    const [o] = r.sent(r.en1);
    expect(parse(o!).src).toBe('192.0.2.1');
    expect(checksumsOk(o!)).toEqual({ ip: true, transport: true });
  });

  test('no nat excludes a host: the first matching translation rule wins', () => {
    const r = makeRouter();
    r.load({ nat: [rule({ action: 'no-nat', ifname: 'en1', src: { addr: addr('10.0.0.5') } }), natRule(addr('192.0.2.1'))] });
    r.rx(r.en0, ipPacket({ src: '10.0.0.5', dst: '192.0.2.9', proto: 17 }, udp(3333, 53)));
    expect(parse(r.sent(r.en1)[0]!).src).toBe('10.0.0.5');
    expect(r.pf.states.count).toBe(0);
    expect(r.pf.rules.active.nat.map((k) => k.evaluations)).toEqual([1, 0]);
  });

  test('rdr on en1 port 80 → 10.0.0.5 port 8080, and the server\'s reply leaves with the public address and port', () => {
    const r = makeRouter();
    r.load({ rdr: [rule({ action: 'rdr', direction: 'in', ifname: 'en1', proto: 6, dst: { addr: any(), port: port('eq', 80) }, rpool: pool(addr('10.0.0.5'), { lo: 8080, hi: 0 }) })] });
    r.rx(r.en1, ipPacket({ src: '192.0.2.9', dst: '192.0.2.1', proto: 6 }, tcp({ sport: 41000, dport: 80, flags: 0x02 })));
    const [i] = r.sent(r.en0);
    expect(i).toBeDefined();
    const pi = parse(i!);
    expect([pi.src, pi.dst, pi.sport, pi.dport]).toEqual(['192.0.2.9', '10.0.0.5', 41000, 8080]);
    expect(checksumsOk(i!)).toEqual({ ip: true, transport: true });
    r.rx(r.en0, ipPacket({ src: '10.0.0.5', dst: '192.0.2.9', proto: 6 }, tcp({ sport: 8080, dport: 41000, flags: 0x12, seq: 9, ack: 1001 })));
    const [o] = r.sent(r.en1);
    const po = parse(o!);
    expect([po.src, po.dst, po.sport, po.dport]).toEqual(['192.0.2.1', '192.0.2.9', 80, 41000]);
    expect(checksumsOk(o!)).toEqual({ ip: true, transport: true });
  });

  test('ICMP echo through nat: the address is translated, the id kept (3.7 translates no ids), so ids collide', () => {
    const r = makeRouter();
    r.load({ nat: [natRule(addr('192.0.2.1'))] });
    r.rx(r.en0, ipPacket({ src: '10.0.0.5', dst: '192.0.2.9', proto: 1 }, icmpEcho(8, 0x4242, 1)));
    const [o] = r.sent(r.en1);
    const po = parse(o!);
    expect([po.src, po.icmpId]).toEqual(['192.0.2.1', 0x4242]);
    expect(checksumsOk(o!)).toEqual({ ip: true, transport: true });
    r.rx(r.en1, ipPacket({ src: '192.0.2.9', dst: '192.0.2.1', proto: 1 }, icmpEcho(0, 0x4242, 1)));
    const [b] = r.sent(r.en0);
    const pb = parse(b!);
    expect([pb.dst, pb.icmpId]).toEqual(['10.0.0.5', 0x4242]);
    expect(checksumsOk(b!)).toEqual({ ip: true, transport: true });
    // Another inside host, same id, same destination: its state's ext/gwy key is taken → state-insert, dropped.
    r.rx(r.en0, ipPacket({ src: '10.0.0.6', dst: '192.0.2.9', proto: 1 }, icmpEcho(8, 0x4242, 1)));
    expect(r.sent(r.en1)).toHaveLength(0);
    expect(r.pf.counters[11]).toBe(1); // state-insert
  });

  test('an ICMP error about a NATed datagram: quoted source and port and the outer destination translated back', () => {
    const r = makeRouter();
    r.load({ nat: [natRule(addr('192.0.2.1'))] });
    r.rx(r.en0, ipPacket({ src: '10.0.0.5', dst: '192.0.2.9', proto: 17 }, udp(3333, 53)));
    const [o] = r.sent(r.en1);
    // 192.0.2.9 answers port unreachable quoting what it got (source 192.0.2.1:<gwy port>).
    r.rx(r.en1, ipPacket({ src: '192.0.2.9', dst: '192.0.2.1', proto: 1 }, icmpError(3, 3, o!)));
    const [e] = r.sent(r.en0);
    expect(e).toBeDefined();
    const pe = parse(e!);
    expect([pe.src, pe.dst, pe.icmpType, pe.icmpCode]).toEqual(['192.0.2.9', '10.0.0.5', 3, 3]);
    const quoted = parse(pe.payload.subarray(8));
    expect([quoted.src, quoted.dst, quoted.sport, quoted.dport]).toEqual(['10.0.0.5', '192.0.2.9', 3333, 53]);
    expect(checksumsOk(e!)).toEqual({ ip: true, transport: true, quotedIp: true });
  });

  test('a filter rule sees translated addresses: block out on en1 from 10.0.0.0/24 does not stop NATed traffic', () => {
    const r = makeRouter();
    r.load({ nat: [natRule(addr('192.0.2.1'))], filter: [rule({ action: 'block', direction: 'out', ifname: 'en1', src: { addr: addr('10.0.0.0/24') } })] });
    r.rx(r.en0, ipPacket({ src: '10.0.0.5', dst: '192.0.2.9', proto: 17 }, udp(3333, 53)));
    expect(r.sent(r.en1)).toHaveLength(1);
  });
});
