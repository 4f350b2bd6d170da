import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultScenario, example, run, tmpdir } from './helpers';

function tshark(args: string[]): string {
  try {
    return execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') throw new Error('tshark is not installed: apt-get install tshark (.ci/run does this)');
    throw new Error(`tshark failed: ${err.stderr ?? err.message}`);
  }
}

describe('pcaps that Wireshark reads', () => {
  test('tshark decodes the ARP exchange and the ICMP echo requests and replies of the default VM', () => {
    const dir = tmpdir('pcap');
    const r = run(defaultScenario(), { pcapDir: dir });
    const file = r.pcaps[0]!;
    const out = tshark(['-r', file, '-T', 'fields', '-E', 'separator=,', '-e', 'frame.time_epoch', '-e', 'eth.src', '-e', 'arp.opcode', '-e', 'icmp.type', '-e', 'icmp.seq', '-e', '_ws.expert.message']);
    const rows = out.trim().split('\n').map((l) => l.split(','));
    const arpRequests = rows.filter((f) => f[2] === '1');
    const arpReplies = rows.filter((f) => f[2] === '2');
    const echoReq = rows.filter((f) => f[3] === '8');
    const echoRep = rows.filter((f) => f[3] === '0');
    expect(arpRequests.length).toBeGreaterThanOrEqual(1);
    expect(arpReplies.length).toBe(1);
    expect(arpReplies[0]![1]).toBe('00:00:e8:0b:00:02');
    expect(echoReq.map((f) => f[4])).toEqual(['0', '1', '2', '3']);
    expect(echoRep.map((f) => f[4])).toEqual(['0', '1', '2', '3']);
    // No malformed-packet or bad-checksum expert notes.
    expect(rows.filter((f) => (f[5] ?? '').length > 0)).toEqual([]);
    // Time stamps are virtual time: the first echo request goes out a little over a second after power-on (boot, `sleep 1`, ARP).
    const t0 = Number(echoReq[0]![0]);
    expect(t0).toBeGreaterThan(1.0);
    expect(t0).toBeLessThan(1.2);
  });

  test('every pcap of a three-node collision run is readable and has no runts or bad frames', () => {
    const dir = tmpdir('pcap3');
    const r = run(example('collisions.yaml'), { pcapDir: dir });
    for (const p of r.pcaps) {
      expect(fs.existsSync(p)).toBe(true);
      const n = Number(tshark(['-r', p, '-q', '-z', 'io,stat,0']).match(/\|\s+(\d+)\s+\|/)?.[1] ?? '0');
      expect(n).toBeGreaterThan(1000);
      const bad = tshark(['-r', p, '-Y', 'frame.len < 60 or _ws.malformed', '-T', 'fields', '-e', 'frame.number']).trim();
      expect(bad).toBe('');
    }
    expect(path.basename(r.pcaps[0]!)).toBe('hub0.pcap');
  });
});
