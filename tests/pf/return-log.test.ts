/**
 * block return-rst / return-icmp (pf_send_tcp, pf_send_icmp) and pflog records (pflog_packet's struct pfloghdr
 * of OpenBSD 3.7, 48 bytes, in front of the packet, handed to BPF on pflog0): bytes checked field by field.
 */
import { makeRouter, rule } from './harness';
import { checksumsOk, ipPacket, parse, tcp, udp } from './pkt';
import { DLT_PFLOG } from '../../stack/include/net/pfvar';

describe('block return', () => {
  test('return-rst answers a SYN with RST|ACK: seq = its ack, ack = its seq + 1; not answered: a RST', () => {
    const r = makeRouter();
    r.load({ filter: [rule({ action: 'block', direction: 'in', proto: 6, blockPolicy: 'return-rst' })] });
    r.rx(r.en1, ipPacket({ src: '192.0.2.9', dst: '192.0.2.1', proto: 6 }, tcp({ sport: 41000, dport: 22, flags: 0x02, seq: 7000, ack: 0, data: 0 })));
    const [rst] = r.sent(r.en1);
    expect(rst).toBeDefined();
    const p = parse(rst!);
    expect([p.src, p.dst, p.sport, p.dport, p.flags, p.seq, p.ack, p.ttl]).toEqual(['192.0.2.1', '192.0.2.9', 22, 41000, 0x14, 0, 7001, 64]);
    expect(checksumsOk(rst!)).toEqual({ ip: true, transport: true });
    // A data segment with FIN: ack = seq + 10 bytes + 1 for the FIN.
    r.rx(r.en1, ipPacket({ src: '192.0.2.9', dst: '192.0.2.1', proto: 6 }, tcp({ sport: 41000, dport: 22, flags: 0x11, seq: 100, ack: 555, data: 10 })));
    const q = parse(r.sent(r.en1)[0]!);
    expect([q.seq, q.ack]).toEqual([555, 111]);
    r.rx(r.en1, ipPacket({ src: '192.0.2.9', dst: '192.0.2.1', proto: 6 }, tcp({ sport: 41000, dport: 22, flags: 0x04, seq: 100 })));
    expect(r.sent(r.en1)).toHaveLength(0);
  });

  test('return-icmp answers UDP with port unreachable quoting the datagram', () => {
    const r = makeRouter();
    r.load({ filter: [rule({ action: 'block', direction: 'in', proto: 17, blockPolicy: 'return-icmp' })] });
    const u = ipPacket({ src: '192.0.2.9', dst: '192.0.2.1', proto: 17 }, udp(5000, 161));
    r.rx(r.en1, u);
    const [e] = r.sent(r.en1);
    const p = parse(e!);
    expect([p.src, p.dst, p.icmpType, p.icmpCode]).toEqual(['192.0.2.1', '192.0.2.9', 3, 3]);
    expect(Array.from(p.payload.subarray(8, 8 + 28))).toEqual(Array.from(u.subarray(0, 28)));
    expect(checksumsOk(e!)).toMatchObject({ ip: true, transport: true, quotedIp: true });
  });

  test('a packet blocked on the way out of the router draws ICMP host unreachable from ip_forward', () => {
    const r = makeRouter();
    r.load({ filter: [rule({ action: 'block', direction: 'out', ifname: 'en1', proto: 17 })] });
    r.rx(r.en0, ipPacket({ src: '10.0.0.5', dst: '192.0.2.9', proto: 17 }, udp(3333, 53)));
    expect(r.sent(r.en1)).toHaveLength(0);
    const [e] = r.sent(r.en0);
    expect([parse(e!).icmpType, parse(e!).icmpCode, parse(e!).dst]).toEqual([3, 1, '10.0.0.5']);
    expect(r.s.stats.ip.cantforward).toBe(1);
  });
});

describe('pflog', () => {
  test('a logged block writes pfloghdr + packet to BPF on pflog0', () => {
    const r = makeRouter();
    expect(r.pflog0.dlt).toBe(DLT_PFLOG);
    const taps: { ifname: string; frame: Uint8Array; out: boolean }[] = [];
    const orig = r.s.bpf.tap.bind(r.s.bpf);
    r.s.bpf.tap = (ifp, frame, out, pktId, from) => {
      taps.push({ ifname: ifp.name, frame: frame.slice(), out });
      orig(ifp, frame, out, pktId, from);
    };
    r.load({ filter: [rule({ action: 'pass' }), rule({ action: 'block', direction: 'in', proto: 17, log: 'first' })] });
    const u = ipPacket({ src: '192.0.2.9', dst: '192.0.2.1', proto: 17 }, udp(5000, 161));
    r.rx(r.en1, u);
    const logged = taps.filter((t) => t.ifname === 'pflog0');
    expect(logged).toHaveLength(1);
    const f = logged[0]!.frame;
    expect(f.length).toBe(48 + u.length);
    expect(f[0]).toBe(45); // PFLOG_REAL_HDRLEN
    expect(f[1]).toBe(2); // AF_INET
    expect(f[2]).toBe(1); // PF_DROP (the rule's action)
    expect(f[3]).toBe(0); // PFRES_MATCH
    expect(Buffer.from(f.subarray(4, 20)).toString('latin1').replace(/\0+$/, '')).toBe('en1');
    expect(Array.from(f.subarray(20, 36))).toEqual(new Array(16).fill(0)); // main ruleset
    expect(Array.from(f.subarray(36, 40))).toEqual([0, 0, 0, 1]); // rulenr 1, network order
    expect(Array.from(f.subarray(40, 44))).toEqual([255, 255, 255, 255]); // subrulenr -1
    expect(f[44]).toBe(1); // PF_IN
    expect(Array.from(f.subarray(45, 48))).toEqual([0, 0, 0]); // pad
    expect(Array.from(f.subarray(48))).toEqual(Array.from(u));
    expect(r.pflog0.data.opackets).toBe(1);
  });

  test('log (all) logs every packet of the state; log logs only the first', () => {
    const count = (log: 'first' | 'all') => {
      const r = makeRouter();
      let n = 0;
      r.s.bpf.tap = (ifp) => { if (ifp.name === 'pflog0') n++; };
      r.load({ filter: [rule({ action: 'pass', keepState: 'keep', log })] });
      const u = ipPacket({ src: '192.0.2.1', dst: '192.0.2.9', proto: 17 }, udp(5000, 53));
      for (let i = 0; i < 3; i++) r.pf.test('out', r.en1, { data: u, pktId: 1 }, u.slice());
      return n;
    };
    expect(count('first')).toBe(1);
    expect(count('all')).toBe(3);
  });
});
