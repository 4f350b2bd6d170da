import { parseScenarioText, runScenarioChecked, type CheckedRun } from '../../emulator/app/testing/api';
import type { Scenario } from '../../emulator/app/scenario/types';

/** Two QNX nodes (alpha: ISA NE2000 at 0x300/IRQ 5, 10.0.0.1; beta: RTL8029, 10.0.0.2) on one link. */
export function twoNodes(link: 'hub' | 'cable' | 'switch', until = '6s'): string {
  return `name: t
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
links:
  net0: { type: ${link} }
`;
}

/** A YAML list section from flow-style items. */
export function section(name: string, items: string[]): string {
  return items.length === 0 ? '' : `${name}:\n${items.map((i) => `  - ${i}\n`).join('')}`;
}

export function build(base: string, parts: { actions?: string[]; faults?: string[]; expect?: string[] }): Scenario {
  return parseScenarioText(base + section('actions', parts.actions ?? []) + section('faults', parts.faults ?? []) + section('expect', parts.expect ?? []));
}

export function run(base: string, parts: { actions?: string[]; faults?: string[]; expect?: string[] }): CheckedRun {
  return runScenarioChecked(build(base, parts));
}
