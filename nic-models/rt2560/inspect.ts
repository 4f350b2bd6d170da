/**
 * The debugger's view of an RT2560 (`show nic`): the CSR window from the register table through `peek` (the
 * clear-on-read CNT registers are peeked, never read), the BBP registers the drivers program, the RF words as last
 * written, the rings from the chip's own indices (host memory is not DMA-read), the TSF, the DCF state and counters.
 * Observation only.
 */
import { bitNames, RegisterTable } from '../../emulator/machine/bus/register-table';
import type { NicInspection, NicRegisterView } from '../kind';
import type { Rt2560Core } from './core';
import { rxGeometry, TX_RINGS, txGeometry } from './rings';

const h8 = (v: number): string => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

export function inspectRt2560(c: Rt2560Core): NicInspection {
  const reg = (o: number): number => c.get(o);
  const summary = [
    `power bbp ${c.bbpState} rf ${c.rfState}${c.awake ? ' (awake)' : ''}`,
    `channel ${c.dcf.channel ?? 'untuned'}`,
    `rx ${c.rx.enabled ? 'on' : 'off'}`,
    `TSF ${c.tsf.value()} µs`,
    `INTA# ${c.irqAsserted ? 'asserted' : 'low'}`,
    c.tx.job ? `tx ${c.tx.job.ring}[${c.tx.job.index}] ${c.tx.job.stage}` : 'tx idle',
    c.dcf.port ? 'on the air' : 'no medium',
  ].join(', ');
  const csr: NicRegisterView[] = [];
  for (const r of c.table.regs) {
    const value = RegisterTable.peekValue(r);
    if (value === undefined) continue;
    csr.push(r.bits ? { name: r.name, value, width: 4, bits: bitNames(value, r.bits) } : { name: r.name, value, width: 4 });
  }
  const bbp: NicRegisterView[] = [];
  for (let i = 0; i < 128; i++) if (c.bbprf.bbp[i] !== 0) bbp.push({ name: `BBP_R${i}`, value: c.bbprf.bbp[i]!, width: 1 });
  const rf: NicRegisterView[] = [1, 2, 3, 4].map((n) => ({ name: `RF_R${n}`, value: c.bbprf.rf[[0, 2, 1, 3][n - 1]!]!, width: 4 }));
  const rings: NicInspection['rings'] = TX_RINGS.map((ring) => {
    const g = txGeometry(reg, ring);
    return { name: `${ring} ring`, summary: `base ${h8(g.base)}, ${g.count} × ${g.stride} bytes, index ${c.tx.idx[ring]}`, entries: [] };
  });
  const g = rxGeometry(reg);
  rings.push({ name: 'rx ring', summary: `base ${h8(g.base)}, ${g.count} × ${g.stride} bytes, index ${c.rx.idx}, decrypt index ${c.cipher.dec.idx}`, entries: [] });
  rings.push({ name: 'cipher engine', summary: `encrypt index ${c.cipher.enc.idx}${c.cipher.enc.job ? ' (busy)' : ''}, decrypt index ${c.cipher.dec.idx}${c.cipher.dec.job ? ' (busy)' : ''}`, entries: [] });
  const counters = Object.entries(c.counters).map(([name, value]) => ({ name, value }));
  return { summary, registers: [{ group: 'CSR', regs: csr }, { group: 'BBP', regs: bbp }, { group: 'RF (as written)', regs: rf }], rings, counters };
}
