/**
 * docs/examples/tcp-transfer.yaml end to end: 1 MiB over TCP between two QNX nodes on a hub losing 2 % of
 * its frames. The transfer completes; the sender's `netstat -s` retransmission line agrees with the trace
 * (data segments TCP sent again, below the highest sequence number it had sent) and with what tshark's TCP
 * analysis finds in the pcap; the pcap decodes without malformed frames or bad checksums; and the same run
 * without the loss fault retransmits nothing.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { runScenarioChecked, type CheckedRun } from '../../emulator/app/testing/api';
import type { TraceRecord } from '../../emulator/machine/sim/trace';
import { example, tmpdir } from './helpers';

function tshark(args: string[]): string {
  try {
    return execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') throw new Error('tshark is not installed: apt-get install tshark (.ci/run does this)');
    throw new Error(`tshark failed: ${err.stderr ?? err.message}`);
  }
}

/** Data segments a node's TCP sent below the highest sequence it had already sent (NetBSD: snd_nxt < snd_max). */
class RexmitCounter {
  segments = 0;
  bytes = 0;
  /** Virtual time of the first retransmission and of the first frame the loss fault dropped. */
  firstRexmit = -1;
  firstLoss = -1;
  private readonly maxSent = new Map<string, number>();
  constructor(private readonly node: string) {}
  sink = (rec: TraceRecord): void => {
    if (rec.layer === 'fault' && rec.probe === 'loss' && this.firstLoss < 0) this.firstLoss = rec.t;
    if (rec.node !== this.node || rec.layer !== 'tcp' || rec.probe !== 'output' || !rec.f) return;
    const len = Number(rec.f['len']);
    const seq = Number(rec.f['seq']);
    if (!(len > 0)) return;
    const key = `${rec.f['src']}>${rec.f['dst']}`;
    const max = this.maxSent.get(key);
    if (max !== undefined && ((seq - max) | 0) < 0) {
      this.segments++;
      this.bytes += len;
      if (this.firstRexmit < 0) this.firstRexmit = rec.t;
    }
    const end = (seq + len) >>> 0;
    if (max === undefined || ((end - max) | 0) > 0) this.maxSent.set(key, end);
  };
}

function retransmitted(console: string): { segments: number; bytes: number } {
  const m = /\n\t\t(\d+) data packets? \((\d+) bytes?\) retransmitted\n/.exec(console);
  if (!m) throw new Error(`no retransmission line in:\n${console}`);
  return { segments: Number(m[1]), bytes: Number(m[2]) };
}

function run(withLoss: boolean): { r: CheckedRun; trace: RexmitCounter; pcap: string } {
  const sc = example('tcp-transfer.yaml');
  if (!withLoss) {
    sc.faults = [];
    // The expectations about losses do not hold without them.
    sc.expect = (sc.expect ?? []).filter((e) => !/lost|retransmitted/.test(e.label));
  }
  const dir = tmpdir(withLoss ? 'tcp-loss' : 'tcp-clean');
  const trace = new RexmitCounter('alpha');
  const r = runScenarioChecked(sc, { artifactsDir: dir, onTrace: trace.sink });
  return { r, trace, pcap: path.join(dir, 'hub0.pcap') };
}

/** Frames tshark marks as retransmissions of alpha's data: fields frame number and TCP payload length. */
function tsharkRetransmissions(pcap: string): number[] {
  const filter = 'ip.src == 10.0.0.1 && tcp.len > 0 && (tcp.analysis.retransmission || tcp.analysis.fast_retransmission || tcp.analysis.spurious_retransmission)';
  const out = tshark(['-r', pcap, '-Y', filter, '-T', 'fields', '-e', 'tcp.len']).trim();
  return out ? out.split('\n').map(Number) : [];
}

/** Frames with a malformed-packet note, an error-level expert note, or a bad IP or TCP checksum. */
function badFrames(pcap: string): string {
  const filter = '_ws.malformed || _ws.expert.severity >= error || ip.checksum.status == 0 || tcp.checksum.status == 0';
  return tshark(['-r', pcap, '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-Y', filter, '-T', 'fields', '-e', 'frame.number', '-e', '_ws.expert.message']).trim();
}

describe('tcp-transfer: 1 MiB over TCP through frame loss', () => {
  test('completes with 2 % loss; netstat -s, the trace and tshark count the same retransmissions; clean pcap', () => {
    const { r, trace, pcap } = run(true);
    expect(r.failures).toEqual([]);
    expect(r.faultNotes.join('\n')).toMatch(/faults\[0\] loss: [1-9]\d* frame\(s\) lost on hub0/);
    const alpha = r.consoles.get('alpha')!;
    const netstat = retransmitted(alpha);
    expect(netstat.segments).toBeGreaterThan(0);
    // netstat's counters are tcp_output's: each retransmitted segment is one traced output below snd_max.
    expect(netstat).toEqual({ segments: trace.segments, bytes: trace.bytes });
    // Nothing was sent again before the fault first dropped a frame.
    expect(trace.firstLoss).toBeGreaterThan(0);
    expect(trace.firstRexmit).toBeGreaterThan(trace.firstLoss);
    // The capture sees every frame as sent (losses happen at delivery): tshark finds the same segments.
    const ts = tsharkRetransmissions(pcap);
    expect(ts.length).toBe(netstat.segments);
    expect(ts.reduce((a, b) => a + b, 0)).toBe(netstat.bytes);
    expect(badFrames(pcap)).toBe('');
  });

  test('without the loss fault nothing is retransmitted', () => {
    const { r, trace, pcap } = run(false);
    expect(r.failures).toEqual([]);
    expect(retransmitted(r.consoles.get('alpha')!)).toEqual({ segments: 0, bytes: 0 });
    expect(trace.segments).toBe(0);
    expect(r.consoles.get('alpha')).toContain('\t0 retransmit timeouts\n');
    expect(tsharkRetransmissions(pcap)).toEqual([]);
    expect(tshark(['-r', pcap, '-Y', 'tcp.analysis.lost_segment || tcp.analysis.duplicate_ack', '-T', 'fields', '-e', 'frame.number']).trim()).toBe('');
    expect(badFrames(pcap)).toBe('');
  });
});
