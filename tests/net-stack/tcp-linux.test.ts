/**
 * Our TCP against real Linux TCP (tests/fixtures/linux-tcp: busybox nc between two Linux 6.1 guests; the
 * README there says how the captures were made). Every TCP segment of the captures parses with TcpRepr and
 * its checksum verifies over the IPv4 or IPv6 pseudo-header; Linux's SYN (MSS, SACK-permitted, timestamps,
 * window scale 4) gets our SYN-ACK with the options we negotiate; and replaying the Linux sender's frames to
 * our stack in place of the Linux listener delivers the 64 KiB stream, with and without the lost frames.
 */
import { sockaddrIn } from '../../stack/include/netinet/in';
import { AF_INET, SOCK_STREAM } from '../../stack/include/sys/socket';
import type { Socket } from '../../stack/net/socket';
import { TF_SACK_PERMIT, type TcpCb } from '../../stack/net/tcp/tcpcb';
import { ETHER_HDR_LEN } from '../../stack/net/wire/ethernet';
import { Ipv4Packet } from '../../stack/net/wire/ipv4';
import { TH_ACK, TH_SYN, TcpPacket, TcpRepr, parseTcpOptions, tcpPseudoSum4, tcpPseudoSum6 } from '../../stack/net/wire/tcp';
import { WireError } from '../../stack/net/wire/view';
import { linuxTcpFrames, type CapturedFrame } from '../fixtures/linux-tcp/pcap';
import { makeStack } from './harness';
import { stateOf } from './tcp-peer';

/** Parse a captured TCP frame with our wire code, verifying the checksum. */
function parse(f: CapturedFrame): TcpRepr | WireError {
  const ip = f.ip!;
  const seg = f.segment!;
  const pseudo = f.ipVersion === 4
    ? tcpPseudoSum4(new Ipv4Packet(ip).src, new Ipv4Packet(ip).dst, seg.length)
    : tcpPseudoSum6(ip.subarray(8, 24), ip.subarray(24, 40), seg.length);
  return TcpRepr.parse(new TcpPacket(seg), pseudo);
}

describe('Linux captures through TcpRepr', () => {
  for (const file of ['nc-64k.pcap', 'nc-64k-loss.pcap', 'nc-8k-ipv6.pcap']) {
    it(`parses every TCP segment of ${file}; checksums verify; the header fields match`, () => {
      const frames = linuxTcpFrames(file).filter((f) => f.tcp);
      expect(frames.length).toBeGreaterThan(15);
      for (const f of frames) {
        const r = parse(f);
        if (r instanceof WireError) throw new Error(`frame ${f.number}: ${r.reason}`);
        expect([r.srcPort, r.dstPort, r.seq, r.ack, r.flags, r.window, r.payload.length]).toEqual(
          [f.tcp!.sport, f.tcp!.dport, f.tcp!.seq, f.tcp!.ack, f.tcp!.flags, f.tcp!.win, f.tcp!.len]);
        // Past the SYNs Linux lays out its options as we do (NOP, NOP, timestamps): emitting the parsed
        // segment over the same pseudo-header gives the captured bytes, checksum included.
        if ((r.flags & TH_SYN) === 0) {
          const seg = f.segment!;
          const again = new Uint8Array(TcpRepr.bufferLen(r));
          const ip = f.ip!;
          const pseudo = f.ipVersion === 4
            ? tcpPseudoSum4(new Ipv4Packet(ip).src, new Ipv4Packet(ip).dst, seg.length)
            : tcpPseudoSum6(ip.subarray(8, 24), ip.subarray(24, 40), seg.length);
          TcpRepr.emit(r, new TcpPacket(again), pseudo);
          expect(Buffer.from(again).equals(Buffer.from(seg))).toBe(true);
        }
      }
    });
  }

  it("decodes Linux's SYN options: MSS 1460, SACK-permitted, timestamps, window scale 4", () => {
    const syn = linuxTcpFrames('nc-64k.pcap').find((f) => f.tcp?.flags === TH_SYN)!;
    const r = parse(syn) as TcpRepr;
    expect(r.options).toEqual({ mss: 1460, sackPermitted: true, ts: { val: 3052016916, ecr: 0 }, wscale: 4 });
    expect(r.window).toBe(64240);
  });

  it("a corrupted byte fails Linux's segment's checksum", () => {
    const f = linuxTcpFrames('nc-64k.pcap').find((x) => (x.tcp?.len ?? 0) > 0)!;
    const seg = f.segment!.slice();
    seg[seg.length - 1]! ^= 0x01;
    const ip = new Ipv4Packet(f.ip!);
    const r = TcpRepr.parse(new TcpPacket(seg), tcpPseudoSum4(ip.src, ip.dst, seg.length));
    expect(r instanceof WireError && r.check).toBe('rcvbadsum');
  });
});

/**
 * Our stack in linux1's place (10.0.0.1, 52:54:00:00:00:01, listening on 5001 with linux1's ISN), fed every
 * frame linux2 sent at its captured time (except those the capture says never reached linux1).
 */
function replay(file: string, lostToLinux1: number[]) {
  const frames = linuxTcpFrames(file);
  const node = makeStack('52:54:00:00:00:01', '10.0.0.1');
  const { env, s, en0 } = node;
  const synack = frames.find((f) => f.tcp?.flags === (TH_SYN | TH_ACK))!;
  env.random32 = () => synack.tcp!.seq;
  const lis = s.sockets.create(AF_INET, SOCK_STREAM, 0) as Socket;
  s.sockets.bindAddr(lis, sockaddrIn(0, 5001));
  s.sockets.listen(lis, 5);
  const out: TcpRepr[] = [];
  const t0 = frames[0]!.tNs;
  const advance = (t: number) => {
    for (;;) {
      const next = s.callouts.next();
      if (next === null || next > t) break;
      env.t = Math.max(env.t, next);
      s.runTimers();
    }
    env.t = Math.max(env.t, t);
  };
  const collect = () => {
    for (const m of en0.snd.splice(0)) {
      const ip = new Ipv4Packet(m.data.subarray(ETHER_HDR_LEN));
      if (m.data[12] !== 0x08 || m.data[13] !== 0x00 || ip.protocol !== 6) continue;
      const seg = ip.payload;
      const r = TcpRepr.parse(new TcpPacket(seg), tcpPseudoSum4(ip.src, ip.dst, seg.length));
      if (r instanceof WireError) throw new Error(r.reason);
      out.push(r);
    }
  };
  let child: Socket | null = null;
  const got: Uint8Array[] = [];
  const read = () => {
    if (!child && lis.q.length > 0) child = s.sockets.accept(lis) as Socket;
    if (!child) return;
    const r = s.sockets.receiveStream(child, 1 << 20, false);
    if (typeof r === 'object' && r.data.length > 0) got.push(r.data);
  };
  for (const f of frames) {
    if (f.src === '10.0.0.1' || (f.ethertype === 0x0806 && f.frame[11] === 0x01) || lostToLinux1.includes(f.number)) continue;
    if (f.frame[0]! & 1 && f.ethertype !== 0x0806) continue; // IPv6 multicast start-up traffic: not ours
    advance(f.tNs - t0);
    s.input(en0, { data: f.frame.slice(), pktId: f.number });
    s.drainLoopback();
    collect();
    read();
  }
  advance(env.t + 1e9);
  collect();
  read();
  return { s, out, child: child as Socket | null, got: Buffer.concat(got), synack };
}

describe('replaying the Linux sender against our listener', () => {
  it("answers Linux's SYN with our SYN-ACK and negotiates its options", () => {
    const { out, child, s } = replay('nc-64k.pcap', []);
    const ours = out[0]!;
    expect(ours.flags).toBe(TH_SYN | TH_ACK);
    expect(ours.ack).toBe(2804916669);
    // Our options: MSS 1460, window scale 0 (32 KiB so_rcvbuf), SACK-permitted (Linux's SYN offered it, RFC
    // 2018 §2), the timestamp echoing Linux's.
    expect(ours.options.mss).toBe(1460);
    expect(ours.options.wscale).toBe(0);
    expect(ours.options.ts!.ecr).toBe(3052016916);
    expect(ours.options.sackPermitted).toBe(true);
    expect((child!.pcb as TcpCb).flags & TF_SACK_PERMIT).toBe(TF_SACK_PERMIT);
    // Linux's side: window scale 4, MSS 1460, timestamps on.
    const tp = child!.pcb as TcpCb;
    expect(tp.snd_scale).toBe(4);
    expect(tp.rcv_scale).toBe(0);
    expect(tp.maxseg).toBe(1460);
    expect(tp.flags & 0x0180).toBe(0x0180); // TF_REQ_TSTMP | TF_RCVD_TSTMP
    expect(s.tcp.stats.rcvbadsum).toBe(0);
  });

  it('delivers the 65 536 bytes and the FIN; we acknowledge everything', () => {
    const { out, child, got, s } = replay('nc-64k.pcap', []);
    expect(got.length).toBe(65536);
    expect(got.every((b) => b === 0)).toBe(true);
    expect(stateOf(child!)).toBe('CLOSE_WAIT');
    const last = out[out.length - 1]!;
    expect(last.ack).toBe((2804916669 + 65536 + 1) >>> 0);
    expect(s.tcp.stats.rcvbyte + s.tcp.stats.rcvoobyte).toBeGreaterThanOrEqual(65536);
  });

  it('with the lost frames withheld: out-of-order data is queued, the retransmissions fill the holes', () => {
    const { got, child, s, out } = replay('nc-64k-loss.pcap', [85, 88, 89]);
    expect(got.length).toBe(65536);
    expect(stateOf(child!)).toBe('CLOSE_WAIT');
    expect(s.tcp.stats.rcvoopack).toBeGreaterThan(0);
    // A duplicate ACK at the hole went out at once (RFC 5681 §4.2).
    expect(out.some((r, i) => i > 0 && r.ack === out[i - 1]!.ack && r.payload.length === 0)).toBe(true);
  });

  it("our duplicate ACK for the hole carries the SACK block Linux's receiver sent (frame 87)", () => {
    const { out, s } = replay('nc-64k-loss.pcap', [85, 88, 89]);
    const linux = parseTcpOptions(linuxTcpFrames('nc-64k-loss.pcap').find((f) => f.number === 87)!.tcp!.options);
    const linuxAck = linuxTcpFrames('nc-64k-loss.pcap').find((f) => f.number === 87)!.tcp!.ack;
    expect(linux.sack).toHaveLength(1);
    // Our first ACK with a SACK option: the same cumulative ACK and the same block (RFC 2018 §4), the segment
    // after the hole (frame 86) being the only out-of-order data at that point.
    const ours = out.find((r) => r.options.sack);
    expect(ours!.ack).toBe(linuxAck);
    expect(ours!.options.sack).toEqual(linux.sack);
    expect(s.tcp.stats.sack_send_blocks).toBeGreaterThan(0);
  });
});
