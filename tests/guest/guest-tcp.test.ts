/**
 * docs/examples/guest-tcp.yaml: a Linux guest's TCP (Debian 6.1, busybox nc) and io-pkt's TCP (QNX nc) move
 * 1 MiB each way on a 10BASE-T hub. One run of the example (one guest boot) with a pcap; the tests read its
 * result: the expectations (byte counts on both sides, the md5 of what QNX sent as Linux received it), the
 * capture as tshark decodes it (checksums, handshakes, options, no retransmissions without faults), and the
 * transfer times against the wire's capacity.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadScenario, runScenarioCheckedAsync, type CheckedRun } from '../../emulator/app/testing/api';
import { ncPattern } from '../../stack/utils/nc';
import { badFrames, tshark } from './tcp-ipv6-pcap';

const EXAMPLE = path.resolve(__dirname, '../../docs/examples/guest-tcp.yaml');
const QNX = '10.0.0.1';
const LINUX = '10.0.0.3';
const MIB = 1 << 20;

let r: CheckedRun;
let pcap: string;

beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qnxemu-guest-tcp-'));
  r = await runScenarioCheckedAsync(loadScenario(EXAMPLE), { pcapDir: dir });
  pcap = path.join(dir, 'hub0.pcap');
}, 600_000);

interface Seg {
  n: number;
  t: number;
  src: string;
  sport: number;
  dport: number;
  flags: number;
  seq: number;
  ack: number;
  len: number;
  hasTs: boolean;
  mss: number | null;
  ws: number | null;
  sackOk: boolean;
  /** tshark's TCP analysis: retransmission, fast retransmission, lost segment or duplicate ACK. */
  anomaly: boolean;
}

/** Every TCP segment of the capture, read with one tshark pass (relative sequence numbers per connection). */
let all: Seg[] | null = null;
function tcpSegments(): Seg[] {
  all ??= tshark(pcap, ['frame.number', 'frame.time_epoch', 'ip.src', 'tcp.srcport', 'tcp.dstport', 'tcp.flags', 'tcp.seq', 'tcp.ack', 'tcp.len', 'tcp.options.timestamp.tsval', 'tcp.options.mss_val', 'tcp.options.wscale.shift', 'tcp.options.sack_perm', 'tcp.analysis.retransmission', 'tcp.analysis.fast_retransmission', 'tcp.analysis.lost_segment', 'tcp.analysis.duplicate_ack'], 'tcp').map((f) => ({
    n: Number(f[0]),
    t: Number(f[1]),
    src: f[2]!,
    sport: Number(f[3]),
    dport: Number(f[4]),
    flags: Number(f[5]),
    seq: Number(f[6]),
    ack: Number(f[7]),
    len: Number(f[8]),
    hasTs: f[9] !== '',
    mss: f[10] ? Number(f[10]) : null,
    ws: f[11] ? Number(f[11]) : null,
    sackOk: f[12] !== '',
    anomaly: f.slice(13).some((x) => x !== ''),
  }));
  return all;
}

/** The segments of the connection to server port `port`, both ways. */
const segments = (port: number) => tcpSegments().filter((x) => x.sport === port || x.dport === port);
const payload = (ss: Seg[], src: string) => ss.filter((x) => x.src === src).reduce((n, x) => n + x.len, 0);

const SYN = 0x02;
const ACK = 0x10;
const FIN = 0x01;
const RST = 0x04;

describe('docs/examples/guest-tcp.yaml', () => {
  test('its expectations hold: 1 MiB each way, counted on both sides', () => {
    expect(r.failures).toEqual([]);
    expect(r.passed).toBe(true);
    // The md5 in the example is that of the bytes QNX nc -c generates (ttcp's printable pattern).
    const md5 = createHash('md5').update(ncPattern(0, MIB)).digest('hex');
    expect(r.consoles.get('linux1')).toContain(`${md5}  /tmp/rx`);
  });

  test('tshark decodes every frame: nothing malformed, no bad IPv4 or TCP checksum', () => {
    expect(badFrames(pcap)).toEqual([]);
  });

  test('each connection: a three-way handshake, 1 MiB one way, FINs both ways, no RST, nothing retransmitted', () => {
    for (const [port, client, server, sender] of [[5001, LINUX, QNX, LINUX], [5002, QNX, LINUX, QNX]] as const) {
      const s = segments(port);
      expect(s[0]).toMatchObject({ src: client, flags: SYN });
      expect(s[1]).toMatchObject({ src: server, flags: SYN | ACK, ack: 1 });
      expect(s[2]).toMatchObject({ src: client, flags: ACK, seq: 1, ack: 1 });
      expect(s.filter((x) => (x.flags & SYN) !== 0)).toHaveLength(2);
      expect(s.filter((x) => (x.flags & RST) !== 0)).toEqual([]);
      expect(s.filter((x) => (x.flags & FIN) !== 0).map((x) => x.src).sort()).toEqual([client, server].sort());
      const receiver = sender === LINUX ? QNX : LINUX;
      expect(payload(s, sender)).toBe(MIB);
      expect(payload(s, receiver)).toBe(0);
      // Sequence numbers: every byte once, in order (no faults on the hub, so nothing is resent).
      const data = s.filter((x) => x.src === sender && x.len > 0);
      for (let i = 1; i < data.length; i++) expect(data[i]!.seq).toBe(data[i - 1]!.seq + data[i - 1]!.len);
    }
    // tshark's analysis finds no retransmission, no lost segment, no duplicate ACK.
    expect(tcpSegments().filter((x) => x.anomaly).map((x) => x.n)).toEqual([]);
  });

  test("the SYN options: what Linux offers and what io-pkt answers and offers (RFC 9293 3.7.1, 7323, 2018)", () => {
    const l2q = segments(5001);
    const q2l = segments(5002);
    // Linux's SYN (to QNX): MSS 1460, window scale 4, SACK-permitted, timestamps. Its SYN-ACK (to QNX's SYN)
    // the same, but SACK-permitted only if QNX's SYN offered it (RFC 2018 2).
    expect([l2q[0]!.mss, l2q[0]!.ws, l2q[0]!.sackOk, l2q[0]!.hasTs]).toEqual([1460, 4, true, true]);
    expect([q2l[1]!.mss, q2l[1]!.ws, q2l[1]!.sackOk, q2l[1]!.hasTs]).toEqual([1460, 4, q2l[0]!.sackOk, true]);
    // io-pkt's SYN-ACK and SYN carry its MSS for a 1500-byte Ethernet MTU, and, as NetBSD's with
    // net.inet.tcp.rfc1323=1 (the default), a window scale and timestamps (tcp_output.c).
    for (const s of [l2q[1]!, q2l[0]!]) {
      expect(s.mss).toBe(1460);
      expect(s.ws).not.toBeNull();
      expect(s.hasTs).toBe(true);
    }
    // Timestamps, once both SYNs had them, are on every later segment of both sides (RFC 7323 3.2); without,
    // on none.
    for (const s of [l2q, q2l]) {
      const both = s[0]!.hasTs && s[1]!.hasTs;
      expect(s.slice(2).filter((x) => x.hasTs !== both)).toEqual([]);
    }
    // A SYN-ACK offers window scaling, timestamps or SACK only if the SYN did (RFC 7323 1.3 and 3.2, RFC 2018 2).
    for (const [syn, synAck] of [[l2q[0]!, l2q[1]!], [q2l[0]!, q2l[1]!]]) {
      if (synAck!.ws !== null) expect(syn!.ws).not.toBeNull();
      if (synAck!.hasTs) expect(syn!.hasTs).toBe(true);
      if (synAck!.sackOk) expect(syn!.sackOk).toBe(true);
    }
    // Data segments respect the peer's MSS less the 12 bytes of timestamp option.
    const qnxData = q2l.filter((x) => x.src === QNX && x.len > 0).map((x) => x.len);
    expect(Math.max(...qnxData)).toBeLessThanOrEqual(q2l[2]!.hasTs ? 1448 : 1460);
  });

  test('each MiB takes at least its wire time at 10 Mb/s and no more than 1.5 times that', () => {
    // A full-size segment with timestamps is 1448 bytes of payload in 14 + 20 + 32 + 1448 + 4 (FCS) = 1518
    // bytes, plus 8 of preamble and 12 of inter-frame gap: 1538 byte times = 1.2304 ms at 10 Mb/s. 1 MiB is
    // 724.15 such segments: 891 ms of wire time before any ACK shares the hub.
    const wire = (MIB / 1448) * 1538 * 8 / 10e6;
    expect(wire).toBeCloseTo(0.891, 3);
    for (const port of [5001, 5002]) {
      const s = segments(port);
      const data = s.filter((x) => x.len > 0);
      const dt = data[data.length - 1]!.t - data[0]!.t;
      expect(dt).toBeGreaterThan(wire * 0.99);
      expect(dt).toBeLessThan(wire * 1.5);
    }
  });
});
