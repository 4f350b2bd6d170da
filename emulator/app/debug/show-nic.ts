/**
 * `show nic <node>.<nic>`: any NIC model through its `inspect()` (nic-models/kind.ts), which reads the model's
 * own register tables without side effects: registers by group with their datasheet names and set bits, rings
 * and engines with the entries of interest (frames not yet taken by the driver…), and counters.
 */
import type { NicInspection, NicRegisterView } from '../../../nic-models/kind';
import { resourcesText } from '../assembly/nics';
import type { NicRef } from './instance';
import { ifnetOf } from './targets';

function regText(r: NicRegisterView): string {
  const v = `0x${r.value.toString(16).padStart(2 * r.width, '0')}`;
  return r.bits && r.bits.length > 0 ? `${r.name}=${v}[${r.bits.join(' ')}]` : `${r.name}=${v}`;
}

/** Registers in rows of `perLine`, each column padded to its widest entry. */
function table(cells: string[], perLine = 4): string[] {
  const widths = Array.from({ length: perLine }, (_, col) => Math.max(0, ...cells.filter((_, i) => i % perLine === col).map((c) => c.length)));
  const out: string[] = [];
  for (let i = 0; i < cells.length; i += perLine) out.push('    ' + cells.slice(i, i + perLine).map((c, col) => c.padEnd(widths[col]! + 2)).join('').trimEnd());
  return out;
}

export function showNic(nic: NicRef): string[] {
  const view: NicInspection = nic.device.inspect();
  const ifp = ifnetOf(nic);
  const mac = [...nic.mac].map((b) => b.toString(16).padStart(2, '0')).join(':');
  const out = [`${nic.name}${ifp ? ` (${ifp.name})` : ''}: ${nic.model} [${resourcesText(nic.spec)}] PROM ${mac}, link ${nic.link}, ${view.summary}`];
  for (const g of view.registers) {
    out.push(`  ${g.group}:`);
    out.push(...table(g.regs.map(regText)));
  }
  for (const ring of view.rings) {
    out.push(`  ${ring.name}: ${ring.summary}`);
    for (const e of ring.entries) out.push(`    ${e}`);
  }
  if (view.counters.length > 0) out.push(`  counters: ${view.counters.map((c) => `${c.name} ${c.value}`).join(', ')}`);
  return out;
}
