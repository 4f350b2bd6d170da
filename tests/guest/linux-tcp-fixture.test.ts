/**
 * The captured Linux TCP traffic in tests/fixtures/linux-tcp (made by two Linux guests on qnxemu's wire; its
 * README says how): the reader there gives the same frames tshark sees, and what the README says about the
 * captures holds — Linux's SYN options, byte counts, the four lost frames of the loss run and how Linux
 * recovered, the IPv6 neighbour discovery and echoes. No guest boots here: the test reads files.
 */
import * as path from 'node:path';
import { FIXTURE_DIR, linuxTcpFrames, type CapturedFrame } from '../fixtures/linux-tcp/pcap';
import { badFrames, tcpPayload, tshark } from './tcp-ipv6-pcap';

const file = (name: string) => path.join(FIXTURE_DIR, name);
const TH_FIN = 0x01;
const TH_SYN = 0x02;
const TH_PUSH = 0x08;
const TH_ACK = 0x10;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const tcpOf = (frames: CapturedFrame[]) => frames.filter((f) => f.tcp !== null);

describe.each(['nc-64k.pcap', 'nc-64k-loss.pcap', 'nc-8k-ipv6.pcap'])('%s', (name) => {
  test('tshark decodes every frame: nothing malformed, no bad checksum', () => {
    expect(badFrames(file(name))).toEqual([]);
  });

  test('the reader sees the frames tshark sees, with the same time stamps and TCP fields', () => {
    const frames = linuxTcpFrames(name);
    const rows = tshark(file(name), ['frame.number', 'frame.time_epoch', 'tcp.seq_raw', 'tcp.ack_raw', 'tcp.len', 'tcp.flags', 'tcp.window_size_value'], undefined);
    expect(frames.length).toBe(rows.length);
    for (const [i, f] of frames.entries()) {
      const r = rows[i]!;
      expect(f.number).toBe(Number(r[0]));
      // The stamps are nanoseconds of virtual time; tshark prints them to the nanosecond.
      const [sec, frac] = r[1]!.split('.');
      expect(f.tNs).toBe(Number(sec) * 1e9 + Number((frac ?? '').padEnd(9, '0')));
      if (f.tcp) {
        expect([f.tcp.seq, f.tcp.ack, f.tcp.len, f.tcp.flags, f.tcp.win]).toEqual([Number(r[2]), Number(r[3]), Number(r[4]), Number(r[5]), Number(r[6])]);
      } else {
        expect(r[2]).toBe('');
      }
    }
  });
});

describe('nc-64k.pcap: 64 KiB from linux2 to linux1, no faults', () => {
  const frames = linuxTcpFrames('nc-64k.pcap');
  const tcp = tcpOf(frames);

  test("Linux's SYN: MSS 1460, SACK-permitted, timestamps, NOP, window scale 4, in that order; the SYN-ACK the same", () => {
    const [syn, synAck, ack] = tcp;
    expect(syn!.number).toBe(9);
    expect(syn!.tcp!.flags).toBe(TH_SYN);
    expect([syn!.src, syn!.dst, syn!.tcp!.dport]).toEqual(['10.0.0.2', '10.0.0.1', 5001]);
    // kind 2 len 4 (0x05b4 = 1460), kind 4 len 2, kind 8 len 10 (TSval, TSecr 0), kind 1, kind 3 len 3 shift 4.
    const o = syn!.tcp!.options;
    expect(o.length).toBe(20);
    expect([hex(o.slice(0, 8)), hex(o.slice(12))]).toEqual(['020405b40402080a', '0000000001030304']);
    expect(syn!.tcp!.win).toBe(64240);
    expect(synAck!.tcp!.flags).toBe(TH_SYN | TH_ACK);
    expect(synAck!.tcp!.ack).toBe((syn!.tcp!.seq + 1) >>> 0);
    expect(hex(synAck!.tcp!.options.slice(0, 8))).toBe('020405b40402080a');
    expect(hex(synAck!.tcp!.options.slice(16))).toBe('01030304');
    // The SYN-ACK echoes the SYN's TSval as its TSecr (RFC 7323 4.3).
    expect(hex(synAck!.tcp!.options.slice(12, 16))).toBe(hex(syn!.tcp!.options.slice(8, 12)));
    // From the third segment on: NOP, NOP, timestamps; windows scaled by 2^4 (64240 = 4015 << 4).
    expect(ack!.tcp!.flags).toBe(TH_ACK);
    expect(hex(ack!.tcp!.options.slice(0, 4))).toBe('0101080a');
    expect(ack!.tcp!.win).toBe(4015);
  });

  test('65536 bytes from 10.0.0.2 to 10.0.0.1 in 1024 + 44 × 1448 + 800, FIN on the last; nothing retransmitted', () => {
    const data = tcp.filter((f) => f.src === '10.0.0.2' && f.tcp!.len > 0);
    expect(data.map((f) => f.tcp!.len)).toEqual([1024, ...Array<number>(44).fill(1448), 800]);
    expect(data.reduce((n, f) => n + f.tcp!.len, 0)).toBe(65536);
    expect(tcpPayload(file('nc-64k.pcap'), '10.0.0.2', '10.0.0.1')).toBe(65536);
    expect(data[data.length - 1]!.tcp!.flags).toBe(TH_FIN | TH_PUSH | TH_ACK);
    expect(tshark(file('nc-64k.pcap'), ['frame.number'], 'tcp.analysis.retransmission or tcp.analysis.duplicate_ack or tcp.analysis.lost_segment')).toEqual([]);
    // Sequence numbers are contiguous: each segment starts where the previous one ended.
    for (let i = 1; i < data.length; i++) expect(data[i]!.tcp!.seq).toBe((data[i - 1]!.tcp!.seq + data[i - 1]!.tcp!.len) >>> 0);
    // linux1 answers the FIN with FIN, ACK; linux2's last ACK closes.
    const tail = tcp.slice(-2);
    expect(tail.map((f) => [f.src, f.tcp!.flags])).toEqual([['10.0.0.1', TH_FIN | TH_ACK], ['10.0.0.2', TH_ACK]]);
  });

  test('the SYN leaves at 4.645801460 s of virtual time (the README and the capture scenario agree)', () => {
    expect(tcp[0]!.tNs).toBe(4_645_801_460);
  });
});

describe('nc-64k-loss.pcap: the same transfer with 5 % loss from 1 s', () => {
  const frames = linuxTcpFrames('nc-64k-loss.pcap');
  const rel = (f: CapturedFrame, isn: number) => (f.tcp!.seq - isn) >>> 0;

  test('the same bytes at the same times as the clean run for 62 frames (the fault draws change no timing); then the PSH bits differ', () => {
    const clean = linuxTcpFrames('nc-64k.pcap');
    for (let i = 0; i < 62; i++) expect([frames[i]!.tNs, hex(frames[i]!.frame)]).toEqual([clean[i]!.tNs, hex(clean[i]!.frame)]);
    expect(hex(frames[62]!.frame)).not.toBe(hex(clean[62]!.frame));
  });

  test("Linux's recovery: a SACK for the hole, the early retransmission, the RTO, the FIN again", () => {
    const isn = frames[8]!.tcp!.seq; // the SYN's: tshark's relative sequence numbers count from it
    const f = (n: number) => frames[n - 1]!;
    // 87: linux1's duplicate ACK for 61841 with one SACK block 63289–64737 (kind 5 len 10 after NOP NOP TS NOP NOP).
    expect(f(87).src).toBe('10.0.0.1');
    expect((f(87).tcp!.ack - isn) >>> 0).toBe(61841);
    const sack = f(87).tcp!.options;
    expect(hex(sack.slice(12, 16))).toBe('0101050a');
    const dv = new DataView(sack.buffer, sack.byteOffset);
    expect([(dv.getUint32(16) - isn) >>> 0, (dv.getUint32(20) - isn) >>> 0]).toEqual([63289, 64737]);
    // 89 (lost as well), 92 (the RTO: 224 ms later), 94 the FIN segment.
    expect([89, 92, 94].map((n) => [rel(f(n), isn), f(n).tcp!.len])).toEqual([[61841, 1448], [61841, 1448], [64737, 800]]);
    expect(f(92).tNs - f(89).tNs).toBe(224_000_098);
    expect(tshark(file('nc-64k-loss.pcap'), ['frame.number'], 'tcp.analysis.retransmission').map((r) => Number(r[0]))).toEqual([89, 92, 94]);
    // SYN + 65536 bytes + FIN: everything acknowledged.
    expect((f(95).tcp!.ack - isn) >>> 0).toBe(65538);
    expect(f(95).tcp!.flags).toBe(TH_FIN | TH_ACK);
  });
});

describe('nc-8k-ipv6.pcap: ping6 and TCP over IPv6 between two Linux guests', () => {
  const frames = linuxTcpFrames('nc-8k-ipv6.pcap');

  test('six echo requests, six replies: two to fe80::5054:ff:fe00:1 twice over, two to 2001:db8::1', () => {
    const rows = tshark(file('nc-8k-ipv6.pcap'), ['ipv6.src', 'ipv6.dst', 'icmpv6.type', 'ipv6.hlim'], 'icmpv6.type == 128 or icmpv6.type == 129');
    expect(rows.filter((r) => r[2] === '128').map((r) => r[1])).toEqual([...Array<string>(4).fill('fe80::5054:ff:fe00:1'), '2001:db8::1', '2001:db8::1']);
    expect(rows.filter((r) => r[2] === '129').map((r) => r[0])).toEqual([...Array<string>(4).fill('fe80::5054:ff:fe00:1'), '2001:db8::1', '2001:db8::1']);
    expect(rows.every((r) => r[3] === '64')).toBe(true);
  });

  test('DAD from :: for each address, then address resolution with NS/NA before the first echo', () => {
    const rows = tshark(file('nc-8k-ipv6.pcap'), ['frame.number', 'ipv6.src', 'ipv6.dst', 'icmpv6.type', 'icmpv6.nd.ns.target_address', 'icmpv6.nd.na.flag.s', 'icmpv6.nd.na.flag.o'], 'icmpv6.type == 135 or icmpv6.type == 136');
    const dad = rows.filter((r) => r[1] === '::').map((r) => r[4]);
    expect(dad).toEqual(['fe80::5054:ff:fe00:2', 'fe80::5054:ff:fe00:1', '2001:db8::2', '2001:db8::1']);
    const na = rows.filter((r) => r[3] === '136');
    expect(na[0]!.slice(0, 3)).toEqual(['18', 'fe80::5054:ff:fe00:1', 'fe80::5054:ff:fe00:2']);
    expect([na[0]![5], na[0]![6]]).toEqual(['1', '1']);
  });

  test('8192 bytes over TCP/IPv6 with MSS 1440 (1500 − 40 − 20)', () => {
    const syn = frames.find((f) => f.tcp?.flags === TH_SYN)!;
    expect([syn.ipVersion, syn.src, syn.dst]).toEqual([6, '2001:db8::2', '2001:db8::1']);
    expect(hex(syn.tcp!.options.slice(0, 4))).toBe('020405a0');
    expect(tcpPayload(file('nc-8k-ipv6.pcap'), '2001:db8::2', '2001:db8::1', true)).toBe(8192);
    const data = frames.filter((f) => f.tcp && f.src === '2001:db8::2' && f.tcp.len > 0).map((f) => f.tcp!.len);
    expect(data).toEqual([1024, 1428, 1428, 1428, 1428, 1428, 28]);
  });
});
