/**
 * `npm run bench`: TCP bulk transfer between two simulated QNX nodes with ttcp, over NE2000s on a 10BASE-T
 * hub (scripts/scenarios/bench-tcp-ne2000.yaml: 4 MiB, expect ≈ 9 Mb/s of the 10) and over BCM5701s on a gigabit
 * cable (bench-tcp-bcm5701.yaml: 16 MiB). Goodput is the receiver's own figure — beta's `ttcp -r -s` line, bytes
 * over the virtual seconds from accept to end of stream — and the wall-clock time is measured over the same
 * stretch (from the ttcp-r accept line to its result line), so the ratio is virtual s per wall s of a run that
 * is moving TCP data at full speed. Wall-clock reads are fine here: the benchmark only observes the simulation.
 */
import * as path from 'node:path';
import { loadScenarioFile } from '../emulator/app/scenario/load';
import { repoRoot } from '../emulator/app/guest-image/cache';
import { assemble } from '../emulator/app/assembly/run';
import { inject } from '../emulator/app/testing/inject';
import { benchLine } from './bench-line';

const ROOT = repoRoot(__dirname) ?? process.cwd();

export const TCP_BENCHES = [
  { name: 'tcp-ne2000', label: 'NE2000 (ISA NE2000 -> PCI RTL8029, 10BASE-T hub)', file: path.join(ROOT, 'scripts/scenarios/bench-tcp-ne2000.yaml'), lineRate: 10e6 },
  { name: 'tcp-bcm5701', label: 'BCM5701 (devnp-bge, 1000BASE-T cable)', file: path.join(ROOT, 'scripts/scenarios/bench-tcp-bcm5701.yaml'), lineRate: 1000e6 },
];

/** "ttcp-r: 4194304 bytes in 3.70 real seconds = 1107.25 KB/sec +++" → bytes and seconds. */
export function parseTtcpResult(line: string): { bytes: number; seconds: number } | null {
  const m = /^ttcp-r: (\d+) bytes in ([\d.]+) real seconds = /.exec(line);
  return m ? { bytes: Number(m[1]), seconds: Number(m[2]) } : null;
}

export interface TcpBenchResult {
  bytes: number;
  /** ttcp-r's virtual seconds (printed with 2 decimals) and the same stretch measured on the console timestamps. */
  virtualSeconds: number;
  wallSeconds: number;
  events: number;
}

export function benchTcp(file: string): TcpBenchResult {
  const sc = loadScenarioFile(file);
  let accepted: { t: number; wall: bigint; events: number } | null = null;
  let done: { t: number; wall: bigint; events: number; bytes: number } | null = null;
  const a = assemble(sc, {
    onConsoleLine: (node, text, t) => {
      if (node !== 'beta') return;
      const events = a.sim.queue.executed;
      if (text.startsWith('ttcp-r: accept from')) accepted = { t, wall: process.hrtime.bigint(), events };
      const r = parseTtcpResult(text);
      if (r) done = { t, wall: process.hrtime.bigint(), events, bytes: r.bytes };
    },
  });
  inject(a, sc);
  a.sim.queue.runUntil(sc.until, () => done !== null);
  a.close();
  const acc = accepted as { t: number; wall: bigint; events: number } | null;
  const fin = done as { t: number; wall: bigint; events: number; bytes: number } | null;
  if (!acc || !fin) throw new Error(`${path.basename(file)}: the transfer did not finish by ${sc.until / 1e9} s`);
  return {
    bytes: fin.bytes,
    virtualSeconds: (fin.t - acc.t) / 1e9,
    wallSeconds: Number(fin.wall - acc.wall) / 1e9,
    events: fin.events - acc.events,
  };
}

/** `tcp-ne2000`, `tcp-bcm5701` (goodput in virtual time) and their `-speed` (virtual s per wall s). */
export function benchTcpLines(): string[] {
  const out: string[] = [];
  for (const b of TCP_BENCHES) {
    const r = benchTcp(b.file);
    const mbps = (r.bytes * 8) / r.virtualSeconds / 1e6;
    out.push(
      benchLine(
        b.name,
        mbps,
        'Mb/s goodput',
        `2 QNX nodes, ${b.label}, ttcp -s, ${r.bytes} bytes in ${r.virtualSeconds.toFixed(3)} virtual s; ` +
          `${((mbps * 1e6 / b.lineRate) * 100).toFixed(1)} % of the ${b.lineRate / 1e6} Mb/s line`,
      ),
      benchLine(
        `${b.name}-speed`,
        r.virtualSeconds / r.wallSeconds,
        'virtual s per wall s',
        `the same transfer, accept to result: ${r.wallSeconds.toFixed(2)} s wall, ${r.events} events`,
        3,
      ),
    );
  }
  return out;
}
