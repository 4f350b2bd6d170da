/**
 * A capture taken inside the simulation (`tcpdump -w /dev/shmem/cap.pcap` on beta in docs/examples/tcpdump.yaml)
 * is exported by the artifacts writer as DIR/beta/cap.pcap and tshark reads it: the five frames tcpdump
 * counted, its link type, the ICMP echo and the UDP to port 9000, no malformed frames, virtual timestamps.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadScenario, runScenarioChecked } from '../../emulator/app/testing/api';
import { readSavefile } from '../../stack/lib/pcap/savefile';

function tshark(args: string[]): string {
  try {
    return execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') throw new Error('tshark is not installed: apt-get install tshark (.ci/run does this)');
    throw new Error(`tshark failed: ${err.stderr ?? err.message}`);
  }
}

describe('tcpdump -w savefiles exported as artifacts', () => {
  it('tshark reads the capture beta wrote under /dev/shmem', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tcpdump-art-'));
    const r = runScenarioChecked(loadScenario('docs/examples/tcpdump.yaml'), { artifactsDir: dir });
    expect(r.failures).toEqual([]);
    const file = path.join(dir, 'beta', 'cap.pcap');
    expect(r.artifacts).toContain(file);
    const bytes = new Uint8Array(fs.readFileSync(file));
    const sf = readSavefile(bytes);
    expect('header' in sf && sf.header).toEqual({ versionMajor: 2, versionMinor: 4, snaplen: 65535, linktype: 1 });
    // `-c 5`: 24-byte file header, then five records of 16 bytes plus the frame each.
    expect('records' in sf && sf.records.length).toBe(5);
    const out = tshark(['-r', file, '-T', 'fields', '-E', 'separator=,', '-e', 'frame.time_epoch', '-e', 'icmp.type', '-e', 'udp.dstport', '-e', '_ws.expert.message']);
    const rows = out.trim().split('\n').map((l) => l.split(','));
    expect(rows).toHaveLength(5);
    expect(rows.filter((f) => f[1] === '8')).toHaveLength(2);
    expect(rows.filter((f) => f[1] === '0')).toHaveLength(1);
    expect(rows.filter((f) => f[2] === '9000')).toHaveLength(2);
    expect(rows.filter((f) => (f[3] ?? '').length > 0)).toEqual([]);
    // Virtual time: the first echo request leaves alpha a little over a second after power-on.
    expect(Number(rows[0]![0])).toBeGreaterThan(1.0);
    expect(Number(rows[0]![0])).toBeLessThan(1.2);
    const info = tshark(['-r', file, '-T', 'fields', '-e', 'frame.encap_type']).trim().split('\n');
    expect(new Set(info)).toEqual(new Set(['1']));
  });
});
