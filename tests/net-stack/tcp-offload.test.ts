/**
 * TCP checksum offload on output (NetBSD tcp_output + ip_output's in_delayed_cksum): every IPv4 segment leaves
 * TCP with the pseudo-header seed in th_sum and M_CSUM_TCPv4 asked; an interface with IFCAP_CSUM_TCPv4_Tx gets
 * the flag and completes the sum itself, otherwise ip_output computes it (charged per byte there). Two stacks
 * back to back, the sender's fake interface playing the chip; then two QNX nodes with BCM5701s (devnp-bge),
 * whose pcap tshark must find every TCP checksum good in.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseScenarioText, runScenarioChecked } from '../../emulator/app/testing/api';
import { IOPKT_LOCAL_KEY } from '../../stack/io-pkt/main';
import { pseudoHeaderSeed, tcpTxOffload } from '../../stack/net/csum-offload';
import { NetCost, bytesCost } from '../../stack/net/costs';
import { IFCAP_CSUM_TCPv4_Tx, IFCAP_CSUM_UDPv4_Tx, IFF_LOOPBACK, type Ifnet } from '../../stack/net/if';
import { M_CSUM_TCPv4, type Mbuf } from '../../stack/net/mbuf';
import { foldComplement, onesSum } from '../../stack/net/wire/checksum';
import { ETHER_HDR_LEN } from '../../stack/net/wire/ethernet';
import { IpProto, Ipv4Packet } from '../../stack/net/wire/ipv4';
import { TcpPacket, tcpPseudoSum4 } from '../../stack/net/wire/tcp';
import { Pair, drain } from './tcp-pair';
import { sharedRun } from '../helpers/shared-run';

const data = new Uint8Array(65536).map((_, i) => (i * 13 + (i >> 9)) & 0xff);

/** A 64 KiB transfer a → b; with `offload`, a's en0 offers IFCAP_CSUM_TCPv4_Tx and completes flagged sums. */
function run(offload: boolean) {
  const p = new Pair();
  const sent: { flagged: boolean; seedOk: boolean; tcpLen: number }[] = [];
  if (offload) p.a.en0.capenable = IFCAP_CSUM_TCPv4_Tx;
  const q = p.a.en0.snd;
  q.push = (...ms: Mbuf[]): number => {
    for (const m of ms) {
      const ipp = new Ipv4Packet(m.data.subarray(ETHER_HDR_LEN));
      if (m.data[12] !== 0x08 || m.data[13] !== 0x00 || ipp.protocol !== IpProto.TCP) continue;
      const t = new TcpPacket(ipp.buf.subarray(ipp.headerLen, ipp.totalLen));
      const flagged = ((m.csumFlags ?? 0) & M_CSUM_TCPv4) !== 0;
      const seedOk = t.checksum === pseudoHeaderSeed(ipp.src, ipp.dst, IpProto.TCP, t.buf.length);
      sent.push({ flagged, seedOk, tcpLen: t.buf.length });
      if (flagged) {
        // The chip (NO_TX_PHDR_CSUM convention): sum the segment with the seed in place, fold, complement.
        t.checksum = foldComplement(onesSum(t.buf, 0, t.buf.length));
      }
      expect(t.verifyChecksum(tcpPseudoSum4(ipp.src, ipp.dst, t.buf.length))).toBe(true);
    }
    return Array.prototype.push.apply(q, ms);
  };
  const { cli, srv } = p.connect();
  const parts: Uint8Array[] = [];
  let got = 0;
  let put = 0;
  const app = () => {
    for (let k = 1; put < data.length && k > 0; put += Math.max(k, 0)) k = p.a.s.sockets.sendStream(cli, data.subarray(put), 1);
    const d = drain(p.b, srv);
    parts.push(d);
    got += d.length;
    return got === data.length;
  };
  for (let i = 0; i < 1000 && !app(); i++) p.step(10_000_000, app);
  expect(Buffer.from(Buffer.concat(parts)).equals(Buffer.from(data))).toBe(true);
  expect(p.b.s.tcp.stats.rcvbadsum).toBe(0);
  return { p, sent, charged: p.a.env.charged };
}

describe('TCP checksum offload on output', () => {
  it('with IFCAP_CSUM_TCPv4_Tx every segment leaves with the seed and M_CSUM_TCPv4; the peer gets good sums', () => {
    const { sent } = run(true);
    expect(sent.length).toBeGreaterThan(45);
    expect(sent.every((s) => s.flagged && s.seedOk)).toBe(true);
  });

  it('without it the stack sums every segment itself, and is charged checksumPerByte for exactly those bytes', () => {
    const off = run(true);
    const soft = run(false);
    expect(soft.sent.some((s) => s.flagged)).toBe(false);
    // Same segments both ways (offload changes no timing here: FakeEnv's clock is the pump's).
    expect(soft.sent.map((s) => s.tcpLen)).toEqual(off.sent.map((s) => s.tcpLen));
    const sumCost = soft.sent.reduce((a, s) => a + bytesCost(s.tcpLen, NetCost.checksumPerByte), 0);
    expect(soft.charged - off.charged).toBe(sumCost);
  });

  it('follows capenable; never on loopback; UDP capability alone is not enough', () => {
    const ifp = (capenable: number, flags = 0) => ({ capenable, flags }) as unknown as Ifnet;
    expect(tcpTxOffload(ifp(IFCAP_CSUM_TCPv4_Tx))).toBe(true);
    expect(tcpTxOffload(ifp(IFCAP_CSUM_UDPv4_Tx))).toBe(false);
    expect(tcpTxOffload(ifp(IFCAP_CSUM_TCPv4_Tx, IFF_LOOPBACK))).toBe(false);
  });
});

function tshark(args: string[]): string {
  try {
    return execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') throw new Error('tshark is not installed: apt-get install tshark (.ci/run does this)');
    throw new Error(`tshark failed: ${err.stderr ?? err.message}`);
  }
}

const scenario = (opts: string) => `
name: bge-tcp-csum
seed: 3
until: 7s
nodes:
  alpha:
    nics: [{ model: bcm5701, mac: "00:10:18:01:57:01", link: cable0 }]
    script: |
      io-pkt-v4-hc -d bge ${opts}
      waitfor /dev/socket 10
      ifconfig bge0 10.0.1.1/24 up
  beta:
    nics: [{ model: bcm5701, mac: "00:10:18:01:57:02", link: cable0 }]
    script: |
      io-pkt-v4-hc -d bge ${opts}
      waitfor /dev/socket 10
      ifconfig bge0 10.0.1.2/24 up
links:
  cable0: { type: cable }
actions:
  - { at: 4s, node: beta, command: "nc -l -p 5001 -o /dev/null" }
  - { at: 4100ms, node: alpha, command: "nc -v -N -c 65536 10.0.1.2 5001" }
expect:
  - { node: alpha, console: "nc: 65536 bytes sent, 0 bytes received" }
`;

describe.each([['offload', ''], ['nocsum', 'nocsum']])('TCP over devnp-bge (%s): every TCP checksum on the wire is good', (name, opts) => {
  const transfer = sharedRun(() => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qnxemu-bge-tcp-'));
    const r = runScenarioChecked(parseScenarioText(scenario(opts)), { pcapDir: dir, keepTrace: true });
    const recs = r.run.trace.map((l) => JSON.parse(l) as { node: string; layer: string; probe: string; f?: Record<string, number | string> });
    return { dir, r, recs };
  });

  test('the transfer completes and the receiving stack counts no bad TCP checksum', () => {
    const { r } = transfer();
    expect(r.failures).toEqual([]);
    const beta = r.run.assembled.nodes.find((n) => n.name === 'beta')!;
    const io = beta.kernel!.procs.list().map((p) => p.local.get(IOPKT_LOCAL_KEY)).find((x) => x !== undefined)!;
    expect(io.stack.tcp.stats.rcvbadsum).toBe(0);
    expect(io.stack.tcp.stats.rcvbyte).toBe(65536);
  });

  const pcap = () => {
    const { dir, r } = transfer();
    return r.artifacts.find((f) => f.endsWith('.pcap')) ?? path.join(dir, 'cable0.pcap');
  };

  test(name === 'offload' ? 'alpha asked the chip for the TCP sum of every TCP frame it sent' : 'no send BD asks the chip', () => {
    const { recs } = transfer();
    const tx = recs.filter((x) => x.node === 'alpha' && x.layer === 'driver' && x.probe === 'tx');
    const alphaTcp = tshark(['-r', pcap(), '-Y', 'tcp && ip.src == 10.0.1.1', '-T', 'fields', '-e', 'frame.number']).trim().split('\n').length;
    expect(alphaTcp).toBeGreaterThan(45);
    // BGE_TXBDFLAG_IP_CSUM | TCP_UDP_CSUM = 3: one per TCP frame with offload, none with nocsum.
    expect(tx.filter((x) => Number(x.f?.['csum']) === 3)).toHaveLength(opts ? 0 : alphaTcp);
  });

  test('tshark validates every TCP checksum in the pcap', () => {
    const out = tshark(['-r', pcap(), '-o', 'tcp.check_checksum:TRUE', '-Y', 'tcp', '-T', 'fields', '-e', 'tcp.checksum.status']);
    const rows = out.trim().split('\n');
    expect(rows.length).toBeGreaterThan(60);
    expect(rows.filter((s) => s !== '1')).toEqual([]);
  });
});
