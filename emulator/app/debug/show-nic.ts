/**
 * `show nic <node>.<nic>`: a DP8390's registers page by page with their datasheet names (read from the model's
 * fields, never through the register interface: reading CNTRx or FIFO through it would change them), the
 * receive ring and what is stored in it, the transmitter, the remote DMA and the tally counters.
 */
import { ISR, RSR, TSR, RCR, TCR, DCR } from '../../../nic-models/ne2000/regs';
import type { NicRef } from './instance';
import { ifnetOf } from './targets';

const h2 = (v: number): string => `0x${(v & 0xff).toString(16).padStart(2, '0')}`;
const h4 = (v: number): string => `0x${(v & 0xffff).toString(16).padStart(4, '0')}`;

function bits(v: number, names: Record<string, number>): string {
  const set = Object.entries(names).filter(([, b]) => (b & (b - 1)) === 0 && (v & b) !== 0).map(([n]) => n);
  return `[${set.join(' ')}]`;
}

function table(rows: [string, string][], perLine = 4): string[] {
  const out: string[] = [];
  const w = Math.max(...rows.map(([n, v]) => n.length + v.length + 1));
  for (let i = 0; i < rows.length; i += perLine) {
    out.push('    ' + rows.slice(i, i + perLine).map(([n, v]) => `${n}=${v}`.padEnd(w + 2)).join('').trimEnd());
  }
  return out;
}

export function showNic(nic: NicRef, provenance: (bytes: Uint8Array) => number): string[] {
  const c = nic.core;
  const r = c.regs;
  const ifp = ifnetOf(nic);
  const out: string[] = [];
  const where = nic.model === 'ne2000-isa' ? `ISA io 0x${nic.node.spec.nics[nic.index]!.ioport.toString(16)} irq ${nic.node.spec.nics[nic.index]!.irq}` : 'PCI';
  const mac = [...nic.mac].map((b) => b.toString(16).padStart(2, '0')).join(':');
  out.push(`${nic.name}${ifp ? ` (${ifp.name})` : ''}: ${nic.model} [${where}] PROM ${mac}, link ${nic.link}, ${r.stopped ? 'stopped' : 'running'}, page ${c.page}, interrupt output ${c.irqAsserted ? 'asserted' : 'low'}`);
  const rd = (r.cr >> 3) & 7;
  const rdName = rd >= 4 ? 'abort/complete' : ['not allowed', 'remote read', 'remote write', 'send packet'][rd]!;
  out.push(`  CR=${h2(r.cr | (c.transmitter.active ? 0x04 : 0))} ${bits(r.cr | (c.transmitter.active ? 0x04 : 0), { STP: 1, STA: 2, TXP: 4 })} RD=${rd} (${rdName}) PS=${c.page}`);
  out.push(`  ISR=${h2(r.isr)} ${bits(r.isr, ISR)}  IMR=${h2(r.imr)} ${bits(r.imr, ISR)}  pending=${h2(r.isr & r.imr & 0x7f)}`);
  out.push('  page 0 (read side):');
  out.push(
    ...table([
      ['CLDA0', h2(r.clda)], ['CLDA1', h2(r.clda >> 8)], ['BNRY', h2(r.bnry)], ['TSR', `${h2(r.tsr)}${bits(r.tsr, TSR)}`],
      ['NCR', String(r.ncr)], ['FIFO', h2(r.fifo[r.fifoIdx & 7]!)], ['ISR', h2(r.isr)], ['CRDA0', h2(c.remote.addr)],
      ['CRDA1', h2(c.remote.addr >> 8)], ['RSR', `${h2(r.rsr)}${bits(r.rsr, RSR)}`], ['CNTR0', String(c.counters.peek(0))],
      ['CNTR1', String(c.counters.peek(1))], ['CNTR2', String(c.counters.peek(2))],
    ]),
  );
  out.push('  page 0 (write side, as last written):');
  out.push(
    ...table([
      ['PSTART', h2(r.pstart)], ['PSTOP', h2(r.pstop)], ['TPSR', h2(r.tpsr)], ['TBCR', String(r.tbcr)],
      ['RSAR', h4(c.remote.addr)], ['RBCR', String(c.remote.count)], ['RCR', `${h2(r.rcr)}${bits(r.rcr, RCR)}`],
      ['TCR', `${h2(r.tcr)}${bits(r.tcr, TCR)}`], ['DCR', `${h2(r.dcr)}${bits(r.dcr, DCR)}`], ['IMR', h2(r.imr)],
    ]),
  );
  out.push('  page 1:');
  const par = [...r.par].map((b) => b.toString(16).padStart(2, '0')).join(':');
  const mar = [...r.mar].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  out.push(`    PAR0-5=${par}  CURR=${h2(r.curr)}  MAR0-7=${mar}`);
  out.push('  page 2:');
  out.push(...table([['RNPP', h2(r.rnpp)], ['LNPP', h2(r.lnpp)], ['ACU', h2(r.ac >> 8)], ['ACL', h2(r.ac)]]));
  if (c.rtl) {
    const s = c.rtl.saveState();
    out.push('  page 3 (RTL8029):');
    out.push(...table([['9346CR', h2(s.cr9346)], ['CONFIG2', h2(s.config2)], ['CONFIG3', h2(s.config3)], ['HLTCLK', h2(s.hltclk)]]));
  }
  out.push(...ringSummary(nic, provenance));
  const mac2 = c.mac.saveState();
  out.push(`  transmitter: ${c.transmitter.active ? 'busy' : 'idle'}, MAC ${mac2.phase}${mac2.attempts ? ` (attempt ${mac2.attempts})` : ''}; TPSR ${h2(r.tpsr)} TBCR ${r.tbcr}`);
  out.push(`  remote DMA: ${c.remote.mode}, address ${h4(c.remote.addr)}, ${c.remote.count} bytes left`);
  out.push(`  tally counters: CNTR0 (frame alignment) ${c.counters.peek(0)}, CNTR1 (CRC) ${c.counters.peek(1)}, CNTR2 (missed) ${c.counters.peek(2)}`);
  return out;
}

/** The receive ring: pointers, frames not yet taken by the driver (BNRY+1 … CURR), and the last one stored. */
function ringSummary(nic: NicRef, provenance: (bytes: Uint8Array) => number): string[] {
  const c = nic.core;
  const r = c.regs;
  const out: string[] = [];
  const ringPages = r.pstop - r.pstart;
  if (r.pstart >= r.pstop || r.curr < r.pstart || r.curr >= r.pstop) {
    out.push(`  receive ring: not set up (PSTART ${h2(r.pstart)} PSTOP ${h2(r.pstop)} CURR ${h2(r.curr)})`);
    return out;
  }
  const wrap = (p: number) => (p >= r.pstop ? p - ringPages : p);
  let page = wrap(r.bnry + 1);
  const frames: string[] = [];
  for (let n = 0; page !== r.curr && n < ringPages; n++) {
    const f = frameAt(nic, page, provenance);
    if (!f) {
      frames.push(`page ${h2(page)}: header does not parse (ring inconsistent)`);
      break;
    }
    frames.push(f.text);
    page = f.next;
  }
  out.push(`  receive ring: PSTART ${h2(r.pstart)} PSTOP ${h2(r.pstop)} (${ringPages} pages), BNRY ${h2(r.bnry)}, CURR ${h2(r.curr)}: ${frames.length} frame(s) not yet read by the driver${c.receiver.inOverflow ? ', RECEIVER IN OVERFLOW' : ''}`);
  for (const f of frames) out.push(`    ${f}`);
  if (r.lnpp >= r.pstart && r.lnpp < r.pstop) {
    const last = frameAt(nic, r.lnpp, provenance);
    // Between storing a frame and completing it (CURR advance, ISR.PRX) LNPP still equals CURR.
    if (last && r.lnpp === r.curr) out.push(`    being stored at CURR (completion pending): ${last.text}`);
    else if (last) out.push(`    last stored: ${last.text}`);
  }
  return out;
}

function frameAt(nic: NicRef, page: number, provenance: (bytes: Uint8Array) => number): { text: string; next: number } | null {
  const c = nic.core;
  const r = c.regs;
  const base = page << 8;
  const status = c.mem.read8(base);
  const next = c.mem.read8(base + 1);
  const count = c.mem.read8(base + 2) | (c.mem.read8(base + 3) << 8);
  if (next < r.pstart || next >= r.pstop || count < 4 || count > 1522) return null;
  const len = count - 4;
  const data = new Uint8Array(len);
  let a = base + 4;
  for (let i = 0; i < len; i++) {
    if (a >> 8 === r.pstop) a = r.pstart << 8;
    data[i] = c.mem.read8(a);
    a++;
  }
  const pkt = provenance(data);
  return { text: `page ${h2(page)}: status ${h2(status)}${bits(status, RSR)} next ${h2(next)} count ${count} (${len} + FCS)${pkt ? ` pkt ${pkt}` : ''}`, next };
}
