/**
 * The TCP wire format (stack/net/wire/tcp.ts) and tcp_input's treatment of malformed segments: counted under
 * tcpstat's names, traced with a reason, never a crash.
 */
import { TH_ACK, TH_SYN, TCP_HDR_LEN, TcpPacket, TcpRepr, emitTcpOptions, parseTcpOptions, tcpFlagsString, tcpPseudoSum4 } from '../../stack/net/wire/tcp';
import { WireError } from '../../stack/net/wire/view';
import { Peer, peerFrame, PEER, US } from './tcp-peer';
import { rx } from './harness';

describe('TcpRepr', () => {
  it('emits and parses a SYN with every option we send, in BSD layout', () => {
    const r: TcpRepr = {
      srcPort: 1025, dstPort: 80, seq: 0xfffffff0, ack: 0, flags: TH_SYN, window: 32768, urgent: 0,
      options: { mss: 1460, wscale: 3, ts: { val: 12345, ecr: 0 } }, payload: new Uint8Array(0),
    };
    const buf = new Uint8Array(TcpRepr.bufferLen(r));
    expect(buf.length).toBe(TCP_HDR_LEN + 4 + 4 + 12);
    TcpRepr.emit(r, new TcpPacket(buf), tcpPseudoSum4(PEER, US, buf.length));
    // MSS, NOP WS, NOP NOP TS (RFC 7323 Appendix A layout)
    expect(Buffer.from(buf.subarray(20)).toString('hex')).toBe('020405b4' + '01030303' + '0101080a0000303900000000');
    const back = TcpRepr.parse(new TcpPacket(buf), tcpPseudoSum4(PEER, US, buf.length));
    expect(back).toEqual(r);
  });

  it('skips unknown options by length and stops at malformed ones', () => {
    expect(parseTcpOptions(Uint8Array.from([30, 4, 0, 0, 2, 4, 5, 0xb4]))).toEqual({ mss: 1460 });
    expect(parseTcpOptions(Uint8Array.from([2, 4, 5, 0xb4, 3, 0]))).toEqual({ mss: 1460 }); // length 0
    expect(parseTcpOptions(Uint8Array.from([2, 4, 5]))).toEqual({}); // truncated
    expect(parseTcpOptions(Uint8Array.from([0, 2, 4, 5, 0xb4]))).toEqual({}); // EOL ends the list
    expect(parseTcpOptions(Uint8Array.from([3, 3, 20]))).toEqual({ wscale: 14 }); // RFC 7323 §2.3: at most 14
    expect(parseTcpOptions(emitTcpOptions({ sackPermitted: true, sack: [{ left: 1, right: 9 }] }))).toEqual({ sackPermitted: true, sack: [{ left: 1, right: 9 }] });
  });

  it('reports a short segment and a bad data offset under their tcpstat names', () => {
    expect((TcpRepr.parse(new TcpPacket(new Uint8Array(10)), 0) as WireError).check).toBe('rcvshort');
    const b = new Uint8Array(20);
    b[12] = 0x40; // 16 bytes
    expect((TcpRepr.parse(new TcpPacket(b), 0) as WireError).check).toBe('rcvbadoff');
    b[12] = 0xf0; // 60 bytes > 20
    expect((TcpRepr.parse(new TcpPacket(b), 0) as WireError).check).toBe('rcvbadoff');
  });

  it('names flags tcpdump style', () => {
    expect(tcpFlagsString(TH_SYN | TH_ACK)).toBe('S.');
  });
});

describe('malformed segments at tcp_input', () => {
  it('a bad checksum is counted (rcvbadsum), traced and dropped without an answer', () => {
    const p = new Peer();
    p.listen(80);
    const f = peerFrame({ seq: 1, flags: TH_SYN });
    f[f.length - 1]! ^= 0xff; // the checksum's low byte
    rx(p.s, p.n.en0, f);
    expect(p.out()).toHaveLength(0);
    expect(p.s.tcp.stats.rcvbadsum).toBe(1);
    expect(p.env.traces.some((t) => t.layer === 'tcp' && t.probe === 'drop' && t.f?.reason === 'bad TCP checksum')).toBe(true);
  });

  it('a truncated header and a bad offset are counted and dropped', () => {
    const p = new Peer();
    const f = peerFrame({ seq: 1, flags: TH_SYN });
    const short = f.slice(0, 14 + 20 + 12);
    short[14 + 3] = 20 + 12; // IP total length
    short[14 + 10] = 0;
    short[14 + 11] = 0;
    // fix the IP header checksum
    let sum = 0;
    for (let i = 14; i < 34; i += 2) sum += (short[i]! << 8) | short[i + 1]!;
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    short[24] = (~sum >> 8) & 0xff;
    short[25] = ~sum & 0xff;
    rx(p.s, p.n.en0, short);
    expect(p.s.tcp.stats.rcvshort).toBe(1);
    const bad = peerFrame({ seq: 1, flags: TH_SYN });
    bad[14 + 20 + 12] = 0x30; // data offset 12 bytes
    rx(p.s, p.n.en0, bad);
    expect(p.s.tcp.stats.rcvbadoff).toBe(1);
    expect(p.out()).toHaveLength(0);
  });

  it('random corruption of the TCP header and data (checksum made right again) never throws', () => {
    const p = new Peer();
    p.env.random32 = () => 1000;
    p.listen(80);
    p.send({ seq: 5000, flags: TH_SYN });
    p.send({ seq: 5001, ack: 1001, flags: TH_ACK });
    let x = 99;
    for (let n = 0; n < 700; n++) {
      const f = peerFrame({ seq: 5001 + (n % 7) * 100, ack: 1001, flags: TH_ACK | (n & 0x2f), data: new Uint8Array(n % 40), opts: n % 3 ? { ts: { val: n, ecr: 0 } } : {} });
      // Keep the ports (so the segment reaches the connection or the listener); corrupt the rest.
      for (let i = 14 + 20 + 4; i < f.length; i++) {
        x = (x * 1103515245 + 12345) >>> 0;
        if ((x >>> 28) === 0) f[i] = x >>> 20;
      }
      const seg = f.subarray(34);
      new TcpPacket(seg).fillChecksum(tcpPseudoSum4(PEER, US, seg.length));
      expect(() => rx(p.s, p.n.en0, f)).not.toThrow();
      p.out();
      if (n % 100 === 0) p.advanceTo(p.env.t + 700e6);
    }
  });
});
