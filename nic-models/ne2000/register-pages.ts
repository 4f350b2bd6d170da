import type { ChipRegs } from './chip';
import type { TallyCounters } from './counters';
import type { RemoteDma } from './remote-dma';
import { RegisterPage, type RegisterDef } from './regs';

/** What the register tables reach into. */
export interface PageAccess {
  readonly regs: ChipRegs;
  readonly remote: RemoteDma;
  readonly counters: TallyCounters;
  /** ISR write: 1 clears (bit 7 RST excepted). */
  writeIsr(v: number): void;
  writeImr(v: number): void;
  /** Page 0 0x0A/0x0B reads (RTL8029: 'P', 'C'); undefined = reserved (open bus). */
  readonly chipId?: readonly [number, number];
  /** Page 2 RCR readback: bits the variant forces to 1 (RTL8029: 0xC0). */
  readonly rcrReadOnes: number;
}

const lo = (v: number): number => v & 0xff;
const hi = (v: number): number => (v >> 8) & 0xff;
const setLo = (v: number, b: number): number => (v & 0xff00) | (b & 0xff);
const setHi = (v: number, b: number): number => (v & 0x00ff) | ((b & 0xff) << 8);

/**
 * The DP8390 register pages as data (datasheet section 10, "Register Address Map"; the table in
 * facts/ne2000.md §1). Offsets 0x01–0x0F; CR at 0x00 is handled by the core. A missing `read` answers open bus,
 * a missing `write` is traced and ignored.
 */
export function buildPages(a: PageAccess, page3: readonly RegisterDef[]): RegisterPage[] {
  const r = a.regs;
  const dma = a.remote;
  const page0: RegisterDef[] = [
    { offset: 0x01, name: 'CLDA0/PSTART', read: () => lo(r.clda), write: (v) => (r.pstart = v) },
    { offset: 0x02, name: 'CLDA1/PSTOP', read: () => hi(r.clda), write: (v) => (r.pstop = v) },
    { offset: 0x03, name: 'BNRY', read: () => r.bnry, write: (v) => (r.bnry = v) },
    { offset: 0x04, name: 'TSR/TPSR', read: () => r.tsr, write: (v) => (r.tpsr = v) },
    { offset: 0x05, name: 'NCR/TBCR0', read: () => r.ncr, write: (v) => (r.tbcr = setLo(r.tbcr, v)) },
    { offset: 0x06, name: 'FIFO/TBCR1', read: () => r.fifo[r.fifoIdx++ & 7]!, write: (v) => (r.tbcr = setHi(r.tbcr, v)) },
    { offset: 0x07, name: 'ISR', read: () => r.isr, write: (v) => a.writeIsr(v) },
    { offset: 0x08, name: 'CRDA0/RSAR0', read: () => lo(dma.addr), write: (v) => (dma.addr = setLo(dma.addr, v)) },
    { offset: 0x09, name: 'CRDA1/RSAR1', read: () => hi(dma.addr), write: (v) => (dma.addr = setHi(dma.addr, v)) },
    { offset: 0x0a, name: 'ID0/RBCR0', write: (v) => (dma.count = setLo(dma.count, v)), ...idRead(a.chipId, 0) },
    { offset: 0x0b, name: 'ID1/RBCR1', write: (v) => (dma.count = setHi(dma.count, v)), ...idRead(a.chipId, 1) },
    { offset: 0x0c, name: 'RSR/RCR', read: () => r.rsr, write: (v) => (r.rcr = v & 0x3f) },
    { offset: 0x0d, name: 'CNTR0/TCR', read: () => a.counters.readAndClear(0), write: (v) => (r.tcr = v & 0x1f) },
    { offset: 0x0e, name: 'CNTR1/DCR', read: () => a.counters.readAndClear(1), write: (v) => (r.dcr = v & 0x7f) },
    { offset: 0x0f, name: 'CNTR2/IMR', read: () => a.counters.readAndClear(2), write: (v) => a.writeImr(v) },
  ];
  const page1: RegisterDef[] = [];
  for (let i = 0; i < 6; i++) {
    page1.push({ offset: 0x01 + i, name: `PAR${i}`, read: () => r.par[i]!, write: (v) => (r.par[i] = v) });
  }
  page1.push({ offset: 0x07, name: 'CURR', read: () => r.curr, write: (v) => (r.curr = v) });
  for (let i = 0; i < 8; i++) {
    page1.push({ offset: 0x08 + i, name: `MAR${i}`, read: () => r.mar[i]!, write: (v) => (r.mar[i] = v) });
  }
  // Page 2 is for diagnostics: reads give back the page-0 write-only registers.
  const page2: RegisterDef[] = [
    { offset: 0x01, name: 'PSTART/CLDA0', read: () => r.pstart, write: (v) => (r.clda = setLo(r.clda, v)) },
    { offset: 0x02, name: 'PSTOP/CLDA1', read: () => r.pstop, write: (v) => (r.clda = setHi(r.clda, v)) },
    { offset: 0x03, name: 'RNPP', read: () => r.rnpp, write: (v) => (r.rnpp = v) },
    { offset: 0x04, name: 'TPSR', read: () => r.tpsr },
    { offset: 0x05, name: 'LNPP', read: () => r.lnpp, write: (v) => (r.lnpp = v) },
    { offset: 0x06, name: 'ACU', read: () => hi(r.ac), write: (v) => (r.ac = setHi(r.ac, v)) },
    { offset: 0x07, name: 'ACL', read: () => lo(r.ac), write: (v) => (r.ac = setLo(r.ac, v)) },
    { offset: 0x0c, name: 'RCR', read: () => r.rcr | a.rcrReadOnes },
    { offset: 0x0d, name: 'TCR', read: () => r.tcr },
    { offset: 0x0e, name: 'DCR', read: () => r.dcr },
    { offset: 0x0f, name: 'IMR', read: () => r.imr },
  ];
  return [new RegisterPage(0, page0), new RegisterPage(1, page1), new RegisterPage(2, page2), new RegisterPage(3, page3)];
}

function idRead(id: readonly [number, number] | undefined, i: 0 | 1): { read?: () => number } {
  if (!id) return {};
  const v = id[i];
  return { read: () => v };
}
