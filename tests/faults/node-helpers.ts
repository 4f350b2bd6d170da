/**
 * Fixture of the node-fault tests (tests/faults/node-*.test.ts, unplug.test.ts): two simulated QNX nodes on one
 * link, alpha (ISA NE2000, 10.0.0.1) and beta (RTL8029, 10.0.0.2), beta printing a banner from its boot script;
 * and helpers over the kept trace.
 */
import { parseScenarioText, runScenarioChecked, type CheckedRun } from '../../emulator/app/testing/api';
import type { Scenario } from '../../emulator/app/scenario/types';
import { section } from '../testing/helpers';

export const BANNER = 'beta: boot script done';

export function pair(link: 'hub' | 'cable' | 'switch', until = '6s'): string {
  return `name: node-faults-test
seed: 1
until: ${until}
nodes:
  alpha:
    nics: [{ model: ne2000-isa, ioport: 0x300, irq: 5, mac: "00:00:e8:0a:00:01", link: net0 }]
    script: |
      io-pkt-v4 -dne2000 ioport=0x300,irq=5
      waitfor /dev/socket 10
      ifconfig en0 10.0.0.1/24 up
  beta:
    nics: [{ model: rtl8029, mac: "00:00:e8:0b:00:02", link: net0 }]
    script: |
      io-pkt-v4 -dne2000
      waitfor /dev/socket 10
      ifconfig en0 10.0.0.2/24 up
      display_msg "${BANNER}"
links:
  net0: { type: ${link} }
`;
}

export interface Parts {
  actions?: string[];
  faults?: string[];
  expect?: string[];
}

export function scenario(base: string, parts: Parts): Scenario {
  return parseScenarioText(base + section('actions', parts.actions ?? []) + section('faults', parts.faults ?? []) + section('expect', parts.expect ?? []));
}

/** Run with the trace kept. */
export function runKept(base: string, parts: Parts, seed?: number): CheckedRun {
  return runScenarioChecked(scenario(base, parts), { keepTrace: true, ...(seed === undefined ? {} : { seed }) });
}

export interface Rec {
  t: number;
  node: string;
  layer: string;
  probe: string;
  pkt: number;
  f?: Record<string, unknown>;
}

export function records(r: CheckedRun): Rec[] {
  return r.run.trace.map((l) => JSON.parse(l) as Rec);
}

/** Sequence numbers of the echo replies a ping printed ("64 bytes from …: icmp_seq=N"). */
export function repliedSeqs(console: string, from: string): number[] {
  const re = new RegExp(`bytes from ${from.replace(/\./g, '\\.')}: icmp_seq=(\\d+) `, 'g');
  return [...console.matchAll(re)].map((m) => Number(m[1]));
}

export const S = 1_000_000_000;
export const MS = 1_000_000;
