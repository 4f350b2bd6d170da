/**
 * TCP between a Linux guest and io-pkt through frame loss: the nodes of docs/examples/guest-tcp.yaml on a hub
 * that loses 2 % of the frames it hands to each station (a `loss` fault) once both are up. 1 MiB goes each
 * way; both transfers complete with the right bytes (md5 of what arrived at Linux), every resent segment is
 * one the fault made necessary, and each side's own count of retransmitted segments — io-pkt's tcpstat
 * (`netstat -s`) and Linux's RetransSegs (/proc/net/snmp) — equals what tshark finds in the capture.
 * One guest boot; the commands are typed in order and each runs to completion (no timing guesses).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inject } from '../../emulator/app/testing/inject';
import type { Assembled } from '../../emulator/app/assembly/run';
import { ncPattern } from '../../stack/utils/nc';
import { boot, consoleSince, guestRun, MS, qnxStart, runUntil, scenarioOf, SEC } from './helpers';
import { badFrames, tshark } from './tcp-ipv6-pcap';

const MIB = 1 << 20;
const QNX = '10.0.0.1';
const LINUX = '10.0.0.3';
/** The loss starts once the guest has booted (≈3.6 s) and the boot helper's settling time has passed. */
const LOSS_FROM_S = 5;

const YAML = `
seed: 3
until: 120s
nodes:
  alpha:
    nics: [{ model: ne2000-isa, ioport: 0x300, irq: 5, mac: "00:00:e8:0a:00:01", link: hub0 }]
    script: |
      io-pkt-v4-hc -dne2000 ioport=0x300,irq=5
      waitfor /dev/socket 10
      ifconfig en0 10.0.0.1/24 up
  linux1:
    kind: guest
    nics: [{ model: rtl8029, mac: "52:54:00:00:00:03", link: hub0 }]
    ip: 10.0.0.3/24
links:
  hub0: { type: hub }
faults:
  - { at: ${LOSS_FROM_S}s, link: hub0, kind: loss, probability: 0.02 }
`;

let a: Assembled;
let pcap: string;
/** Frames the fault took, by the port that did not get them. */
const lost = new Map<string, number>();
let alphaOut = '';
let linuxOut: string[] = [];

/** Run a QNX command line on alpha to completion; what it printed. */
function qnxRun(line: string, limit = 60 * SEC): string {
  const from = consoleSince(a, 'alpha', 0).length;
  const pid = qnxStart(a, 'alpha', line);
  const k = a.nodes.find((n) => n.name === 'alpha')!.kernel!;
  if (!runUntil(a, () => !k.processes.some((p) => p.pid === pid), limit)) throw new Error(`alpha: '${line}' did not finish`);
  return consoleSince(a, 'alpha', from);
}

beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qnxemu-guest-tcp-loss-'));
  const sc = scenarioOf(YAML, 'guest-tcp-loss');
  a = await boot(sc, {
    pcapDir: dir,
    onTrace: (rec) => {
      if (rec.layer === 'fault' && rec.probe === 'loss') {
        const port = String(rec.f?.['port']);
        lost.set(port, (lost.get(port) ?? 0) + 1);
      }
    },
  });
  expect(a.sim.queue.now).toBeLessThan(LOSS_FROM_S * SEC);
  inject(a, sc);
  runUntil(a, () => false, LOSS_FROM_S * SEC - a.sim.queue.now + 10 * MS);
  // Linux → QNX: QNX nc listens; busybox nc sends 1 MiB of zeros and half-closes.
  const k = a.nodes.find((n) => n.name === 'alpha')!.kernel!;
  const listener = qnxStart(a, 'alpha', 'nc -l -v -o /dev/null 5001');
  runUntil(a, () => false, 50 * MS);
  linuxOut = guestRun(a, 'linux1', 'dd if=/dev/zero bs=1k count=1024 2>/dev/null | nc 10.0.0.1 5001; echo "linux nc exit $?"', 60 * SEC);
  runUntil(a, () => !k.processes.some((p) => p.pid === listener), 10 * SEC);
  // QNX → Linux: Linux listens in the background; QNX nc sends 1 MiB of the pattern and half-closes.
  linuxOut.push(...guestRun(a, 'linux1', 'nc -l -p 5002 > /tmp/rx &'));
  runUntil(a, () => false, 100 * MS);
  alphaOut = qnxRun('nc -N -v -c 1048576 10.0.0.3 5002');
  linuxOut.push(...guestRun(a, 'linux1', 'wait; wc -c < /tmp/rx; md5sum /tmp/rx; grep Tcp: /proc/net/snmp', 30 * SEC));
  alphaOut += qnxRun('netstat -s -p tcp');
  a.close();
  pcap = path.join(dir, 'hub0.pcap');
}, 900_000);

describe('TCP between Linux and io-pkt with 2 % frame loss', () => {
  test('the fault lost frames both ways', () => {
    expect(lost.get('alpha.nic0') ?? 0).toBeGreaterThan(0);
    expect(lost.get('linux1.nic0') ?? 0).toBeGreaterThan(0);
  });

  test('both transfers complete: 1 MiB each way, the right bytes at Linux', () => {
    const alpha = consoleSince(a, 'alpha', 0);
    expect(alpha).toContain('nc: 0 bytes sent, 1048576 bytes received');
    expect(alphaOut).toContain('nc: 1048576 bytes sent, 0 bytes received');
    expect(linuxOut).toContain('linux nc exit 0');
    expect(linuxOut).toContain('1048576');
    const md5 = createHash('md5').update(ncPattern(0, MIB)).digest('hex');
    expect(linuxOut).toContain(`${md5}  /tmp/rx`);
  });

  test('tshark decodes every frame: nothing malformed, no bad checksum', () => {
    expect(badFrames(pcap)).toEqual([]);
  });

  test("each side's count of retransmitted data segments is what tshark finds in the capture", () => {
    // tshark marks a segment that repeats sequence space already sent as a retransmission (fast, spurious or
    // plain); with no reordering on a hub an "out-of-order" segment from a sender is one too.
    const rows = tshark(pcap, ['ip.src', 'tcp.len', 'tcp.analysis.retransmission', 'tcp.analysis.fast_retransmission', 'tcp.analysis.spurious_retransmission', 'tcp.analysis.out_of_order'], 'tcp');
    const flagged = rows.filter((r) => r.slice(2).some((x) => x !== ''));
    // io-pkt counts resent segments with data (tcp_output.c: tcps_sndrexmitpack when len > 0 and snd_nxt <
    // snd_max; a bare FIN or SYN again is a control packet); Linux counts every resent segment (RetransSegs:
    // data, FIN, SYN, tail-loss probes).
    const qnxResent = flagged.filter((r) => r[0] === QNX && Number(r[1]) > 0).length;
    const linuxResent = flagged.filter((r) => r[0] === LINUX).length;
    // "N data packets (M bytes) retransmitted" (netstat -s prints the line even at 0; a missing line reads as 0).
    const m = /(\d+) data packets? \((\d+) bytes?\) retransmitted/.exec(alphaOut);
    expect(Number(m?.[1] ?? 0)).toBe(qnxResent);
    // Linux: RetransSegs in /proc/net/snmp's Tcp: line (header line, then values).
    const tcpLines = linuxOut.filter((l) => l.startsWith('Tcp:'));
    expect(tcpLines).toHaveLength(2);
    const names = tcpLines[0]!.split(/\s+/);
    const values = tcpLines[1]!.split(/\s+/);
    expect(Number(values[names.indexOf('RetransSegs')])).toBe(linuxResent);
    // Loss made both sides resend something.
    expect(qnxResent).toBeGreaterThan(0);
    expect(linuxResent).toBeGreaterThan(0);
  });

  test('nothing was resent before the first loss', () => {
    const t0 = Number(tshark(pcap, ['frame.time_epoch'], 'tcp.analysis.retransmission or tcp.analysis.fast_retransmission or tcp.analysis.out_of_order')[0]?.[0] ?? Infinity);
    expect(t0).toBeGreaterThan(LOSS_FROM_S);
  });
});
