/**
 * The debugger's view of a DP8390 (`show nic`, through NicDevice.inspect()): the register pages with their
 * datasheet names, read from the register tables through `peek` — never through the read path, which would
 * clear CNTR0–2 or advance the FIFO —, the receive ring and the frames the driver has not taken yet, the
 * transmitter, the remote DMA and the tally counters. Observation only: nothing here changes the chip.
 */
import { bitNames, RegisterTable, type RegisterDef } from '../../emulator/machine/bus/register-table';
import type { NicInspection, NicRegisterView } from '../kind';
import type { Dp8390Core } from './dp8390-core';
import { RSR } from './regs';

const h2 = (v: number): string => `0x${(v & 0xff).toString(16).padStart(2, '0')}`;
const h4 = (v: number): string => `0x${(v & 0xffff).toString(16).padStart(4, '0')}`;
const setBits = (v: number, bits: Readonly<Record<string, number>>): string => `[${bitNames(v, bits).join(' ')}]`;

/** Everything `show nic` prints about a DP8390-based board. */
export function inspectDp8390(c: Dp8390Core): NicInspection {
  const r = c.regs;
  const pending = r.isr & r.imr & 0x7f;
  return {
    summary: `${r.stopped ? 'stopped' : 'running'}, page ${c.page}, interrupt output ${c.irqAsserted ? 'asserted' : 'low'} (ISR & IMR = ${h2(pending)})`,
    registers: registerGroups(c),
    rings: [
      receiveRing(c),
      {
        name: 'transmitter',
        summary: `${c.transmitter.active ? 'busy' : 'idle'}, MAC ${macPhase(c)}; TPSR ${h2(r.tpsr)} TBCR ${r.tbcr}`,
        entries: [],
      },
      { name: 'remote DMA', summary: `${c.remote.mode}, address ${h4(c.remote.addr)}, ${c.remote.count} bytes left`, entries: [] },
    ],
    counters: [
      { name: 'CNTR0 (frame alignment errors)', value: c.counters.peek(0) },
      { name: 'CNTR1 (CRC errors)', value: c.counters.peek(1) },
      { name: 'CNTR2 (missed packets)', value: c.counters.peek(2) },
    ],
  };
}

/**
 * Each page's table: what a read there would show, then the write-only registers as last written (page 0's
 * PSTART, TPSR, RBCR… are not readable on page 0). CR is shown once, on page 0. Page 3 exists on the RTL8029.
 */
function registerGroups(c: Dp8390Core): NicInspection['registers'] {
  const seen = new Set<RegisterDef>();
  const out: NicInspection['registers'] = [];
  c.pages.forEach((table, page) => {
    const fresh = table.regs.filter((reg) => !seen.has(reg));
    fresh.forEach((reg) => seen.add(reg));
    const label = page === 3 ? `page 3 (${c.variant.toUpperCase()})` : `page ${page}`;
    const readable = views(fresh.filter((reg) => reg.access !== 'wo'));
    const written = views(fresh.filter((reg) => reg.access === 'wo'));
    if (readable.length > 0) out.push({ group: written.length > 0 ? `${label} (read side)` : label, regs: readable });
    if (written.length > 0) out.push({ group: `${label} (write side, as last written)`, regs: written });
  });
  return out;
}

function views(regs: readonly RegisterDef[]): NicRegisterView[] {
  const out: NicRegisterView[] = [];
  for (const reg of regs) {
    const value = RegisterTable.peekValue(reg);
    if (value === undefined) continue;
    const bits = bitNames(value, reg.bits);
    out.push(reg.bits ? { name: reg.name, value, width: reg.width, bits } : { name: reg.name, value, width: reg.width });
  }
  return out;
}

function macPhase(c: Dp8390Core): string {
  const m = c.mac.saveState();
  return `${m.phase}${m.attempts ? ` (attempt ${m.attempts})` : ''}`;
}

/** The receive ring: pointers, frames not yet taken by the driver (BNRY+1 … CURR), and the last one stored. */
function receiveRing(c: Dp8390Core): NicInspection['rings'][number] {
  const r = c.regs;
  const name = 'receive ring';
  if (r.pstart >= r.pstop || r.curr < r.pstart || r.curr >= r.pstop) {
    return { name, summary: `not set up (PSTART ${h2(r.pstart)} PSTOP ${h2(r.pstop)} CURR ${h2(r.curr)})`, entries: [] };
  }
  const ringPages = r.pstop - r.pstart;
  const wrap = (p: number): number => (p >= r.pstop ? p - ringPages : p);
  let page = wrap(r.bnry + 1);
  const entries: string[] = [];
  let frames = 0;
  for (let n = 0; page !== r.curr && n < ringPages; n++) {
    const f = frameAt(c, page);
    if (!f) {
      entries.push(`page ${h2(page)}: header does not parse (ring inconsistent)`);
      break;
    }
    entries.push(f.text);
    frames++;
    page = f.next;
  }
  if (r.lnpp >= r.pstart && r.lnpp < r.pstop) {
    const last = frameAt(c, r.lnpp);
    // Between storing a frame and completing it (CURR advance, ISR.PRX) LNPP still equals CURR.
    if (last && r.lnpp === r.curr) entries.push(`being stored at CURR (completion pending): ${last.text}`);
    else if (last) entries.push(`last stored: ${last.text}`);
  }
  const overflow = c.receiver.inOverflow ? ', RECEIVER IN OVERFLOW' : '';
  return {
    name,
    summary: `PSTART ${h2(r.pstart)} PSTOP ${h2(r.pstop)} (${ringPages} pages), BNRY ${h2(r.bnry)}, CURR ${h2(r.curr)}: ${frames} frame(s) not yet read by the driver${overflow}`,
    entries,
  };
}

/** The ring header at `page` and the frame behind it (its packet id from the tracer's provenance, observation only). */
function frameAt(c: Dp8390Core, page: number): { text: string; next: number } | null {
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
  const pkt = c.ctx.tracer.provenance.lookup(data);
  return { text: `page ${h2(page)}: status ${h2(status)}${setBits(status, RSR)} next ${h2(next)} count ${count} (${len} + FCS)${pkt ? ` pkt ${pkt}` : ''}`, next };
}
