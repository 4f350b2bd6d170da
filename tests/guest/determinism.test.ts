/**
 * A mixed run (Linux guest + simulated QNX node) is reproducible: two independent runs of the shipped example
 * give the same trace hash, the same consoles and byte-identical pcaps, and the run ends with the guest's
 * ping summary.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadScenarioFile } from '../../emulator/app/scenario/load';
import { runScenario, type RunResult } from '../../emulator/app/assembly/run';
import { prepareGuests } from '../../emulator/app/assembly/guest-node';
import * as runtime from '../../emulator/machine/v86/v86-runtime';

const EXAMPLE = path.join(__dirname, '../../docs/examples/guest-ne2k-pci.yaml');

async function runOnce(): Promise<{ r: RunResult; pcap: Buffer; printed: string[] }> {
  const sc = loadScenarioFile(EXAMPLE);
  const guests = await prepareGuests(sc);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qnxemu-guest-'));
  const printed: string[] = [];
  const r = runScenario(sc, { guests, pcapDir: dir, onConsoleLine: (node, text) => printed.push(`${node} | ${text}`) });
  const pcap = fs.readFileSync(path.join(dir, 'hub0.pcap'));
  fs.rmSync(dir, { recursive: true, force: true });
  return { r, pcap, printed };
}

let one: Awaited<ReturnType<typeof runOnce>>;
let two: Awaited<ReturnType<typeof runOnce>>;

beforeAll(async () => {
  one = await runOnce();
  two = await runOnce();
}, 240_000);

describe('determinism of a mixed guest + QNX run', () => {
  test('same trace hash, same consoles, byte-identical pcap', () => {
    expect(two.r.traceHash).toBe(one.r.traceHash);
    expect(two.r.consoles.get('linux1')).toBe(one.r.consoles.get('linux1'));
    expect(two.r.consoles.get('alpha')).toBe(one.r.consoles.get('alpha'));
    expect(one.pcap.length).toBeGreaterThan(24 + 10 * 16);
    expect(Buffer.compare(one.pcap, two.pcap)).toBe(0);
    // Every clock, date and random read v86 made came while a guest was executing (none unpinned).
    expect(runtime.unpinnedReads).toBe(0);
  });

  test('both directions ping with 0 % loss and the run ends with the guest ping summary', () => {
    expect(one.r.consoles.get('alpha')).toContain('3 packets transmitted, 3 packets received, 0.0% packet loss');
    const tail = one.printed.slice(-3);
    expect(tail[0]).toBe('linux1 | --- 10.0.0.1 ping statistics ---');
    expect(tail[1]).toBe('linux1 | 3 packets transmitted, 3 packets received, 0% packet loss');
    expect(tail[2]).toMatch(/^linux1 \| round-trip min\/avg\/max = [\d.]+\/[\d.]+\/[\d.]+ ms$/);
  });
});
