/**
 * Checksum offload end to end, verified by Wireshark: on two QNX nodes with BCM5701s, the stack leaves the IPv4
 * header checksum and the UDP checksum (seeded with the pseudo-header sum) to the interface, devnp-bge flags the
 * send BDs, and the chip fills them in. tshark with checksum validation on must call every IPv4 and UDP checksum
 * in the cable's pcap good; the receiver's stack counts no bad checksums (it trusted the chip's report).
 * The same run with `nocsum` on the driver, where the stack computes everything, gives the same verdicts.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseScenarioText, runScenarioChecked } from '../../../emulator/app/testing/api';
import { IOPKT_LOCAL_KEY } from '../../../stack/io-pkt/main';
import { M_CSUM_DATA, M_CSUM_IPv4 } from '../../../stack/net/mbuf';
import { sharedRun } from '../../helpers/shared-run';

function tshark(args: string[]): string {
  try {
    return execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') throw new Error('tshark is not installed: apt-get install tshark (.ci/run does this)');
    throw new Error(`tshark failed: ${err.stderr ?? err.message}`);
  }
}

function scenario(opts: string): string {
  return `
name: bge-csum
seed: 3
until: 6s
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
  - { at: 4s, node: alpha, udp: { to: 10.0.1.2, port: 9000, interval: 1ms, count: 40, size: 16, sink: beta } }
  - { at: 4100ms, node: alpha, udp: { to: 10.0.1.2, port: 9001, interval: 1ms, count: 40, size: 1472, sink: beta } }
  - { at: 4200ms, node: beta, ping: { to: 10.0.1.1, count: 2, interval: 100ms } }
  - { at: 5500ms, node: beta, command: "netstat -s -p udp" }
expect:
  - { node: beta, udp_delivered: { port: 9000, op: "==", value: 40 } }
  - { node: beta, udp_delivered: { port: 9001, op: "==", value: 40 } }
  - { node: beta, console: "2 packets transmitted, 2 packets received" }
`;
}

describe.each([['offload', ''], ['nocsum', 'nocsum']])('UDP over devnp-bge (%s): every checksum on the wire is good', (_name, opts) => {
  const run = sharedRun(() => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qnxemu-bge-csum-'));
    const r = runScenarioChecked(parseScenarioText(scenario(opts)), { pcapDir: dir, keepTrace: true });
    const recs = r.run.trace.map((l) => JSON.parse(l) as { node: string; layer: string; probe: string; f?: Record<string, number | string> });
    const alphaTx = recs.filter((x) => x.node === 'alpha' && x.layer === 'driver' && x.probe === 'tx');
    return { dir, r, recs, alphaTx };
  });

  test('the datagrams arrive; the receiving stack trusted the chip and counts no bad checksums', () => {
    const { r, recs } = run();
    expect(r.failures).toEqual([]);
    const beta = r.run.assembled.nodes.find((n) => n.name === 'beta')!;
    const io = beta.kernel!.procs.list().map((p) => p.local.get(IOPKT_LOCAL_KEY)).find((x) => x !== undefined)!;
    expect(io.stack.stats.ip.badsum).toBe(0);
    expect(io.stack.stats.udp.badsum).toBe(0);
    const rx = recs.filter((x) => x.node === 'beta' && x.layer === 'driver' && x.probe === 'rx');
    // bge_rxcsum reports the IPv4 header check on every IPv4 frame, with or without offload on the sender.
    expect(rx.filter((x) => (Number(x.f?.['csum']) & M_CSUM_IPv4) !== 0).length).toBeGreaterThanOrEqual(82);
    expect(rx.filter((x) => (Number(x.f?.['csum']) & M_CSUM_DATA) !== 0).length).toBeGreaterThanOrEqual(80);
  });

  test(opts ? 'nocsum: the stack computed every checksum, no send BD asks the chip' : 'the stack handed both checksums of every datagram to the chip', () => {
    const { alphaTx } = run();
    const flags = (v: number) => alphaTx.filter((x) => Number(x.f?.['csum']) === v).length;
    // UDP: BGE_TXBDFLAG_IP_CSUM | TCP_UDP_CSUM (3); the echo replies to beta's ping: IP_CSUM only (2).
    expect(flags(3)).toBe(opts ? 0 : 80);
    expect(flags(2)).toBe(opts ? 0 : 2);
    // The 16-byte datagrams are 58-byte frames: bge_cksum_pad made them 60 before the chip summed them.
    if (!opts) expect(alphaTx.filter((x) => Number(x.f?.['csum']) === 3 && Number(x.f?.['len']) === 60)).toHaveLength(40);
  });

  test('tshark validates the IPv4 and UDP checksums of all 80 datagrams', () => {
    const { dir, r } = run();
    const pcap = r.artifacts.find((f) => f.endsWith('.pcap')) ?? path.join(dir, 'cable0.pcap');
    const out = tshark(['-r', pcap, '-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-Y', 'udp',
      '-T', 'fields', '-E', 'separator=,', '-e', 'ip.checksum.status', '-e', 'udp.checksum.status', '-e', 'udp.length']);
    const rows = out.trim().split('\n').map((l) => l.split(','));
    expect(rows).toHaveLength(80);
    // 1 = "Good" in Wireshark's checksum status (0 bad, 2 unverified, 3 not present).
    expect(rows.filter((f) => f[0] !== '1' || f[1] !== '1')).toEqual([]);
    expect(new Set(rows.map((f) => f[2]))).toEqual(new Set(['24', '1480']));
  });
});
