import { RegisterTable, type RegisterDef, type RegisterTableOptions } from '../../emulator/machine/bus/register-table';
import { BufferMemory } from './buffer-memory';
import { ChipRegs } from './chip';
import { TallyCounters } from './counters';
import { RemoteDma } from './remote-dma';
import { CR, DCR, ISR, RCR, RSR, TCR, TSR } from './regs';
import { Rtl8029Config } from './rtl8029-config';

/** What the register tables reach into. */
export interface PageAccess {
  readonly regs: ChipRegs;
  readonly remote: RemoteDma;
  readonly counters: TallyCounters;
  /** CR (offset 0 on every page): the core's command logic. */
  readCr(): number;
  writeCr(v: number): void;
  /** ISR write: 1 clears (bit 7 RST excepted). */
  writeIsr(v: number): void;
  writeImr(v: number): void;
  /** Page 0 0x0A/0x0B reads (RTL8029: 'P', 'C'); undefined = reserved (open bus). */
  readonly chipId?: readonly [number, number];
  /** Page 2 RCR readback: bits the variant forces to 1 (RTL8029: 0xC0). */
  readonly rcrReadOnes: number;
  /** Tracing of accesses on page `page` (the core's reg-read/reg-write/reg-ignored records). */
  hooks(page: number): Pick<RegisterTableOptions, 'onRead' | 'onWrite' | 'unmapped'>;
}

/** Bit and field names for the debugger (datasheet section 10). */
export const CR_BITS = { STP: CR.STP, STA: CR.STA, TXP: CR.TXP, RD: CR.RD_MASK, PS: CR.PS_MASK } as const;
const TCR_BITS = { CRC: TCR.CRC, LB: TCR.LB_MASK, ATD: TCR.ATD, OFST: TCR.OFST } as const;
const DCR_BITS = { WTS: DCR.WTS, BOS: DCR.BOS, LAS: DCR.LAS, LS: DCR.LS, AR: DCR.AR, FT: DCR.FT_MASK } as const;

/** RTL8029AS page 0 0x0A/0x0B reads: 'P', 'C' (facts/ne2000.md §1; Linux ne2k-pci does not check them). */
export const RTL8029_CHIP_ID: readonly [number, number] = [0x50, 0x43];

/** Datasheet "Initialization Procedures": the values the RESET pin leaves. */
const RESET = { CR: CR.STP | CR.RD_ABORT, ISR: ISR.RST, IMR: 0x00, DCR: DCR.LAS } as const;

const lo = (v: number): number => v & 0xff;
const hi = (v: number): number => (v >> 8) & 0xff;
const setLo = (v: number, b: number): number => (v & 0xff00) | (b & 0xff);
const setHi = (v: number, b: number): number => (v & 0x00ff) | ((b & 0xff) << 8);

type Def = RegisterDef;
const ro = (offset: number, name: string, read: () => number, extra: Partial<Def> = {}): Def => ({ offset, name, width: 1, access: 'ro', read, ...extra });
const wo = (offset: number, name: string, write: (v: number) => void, peek: () => number, extra: Partial<Def> = {}): Def =>
  ({ offset, name, width: 1, access: 'wo', write, peek, ...extra });
const rw = (offset: number, name: string, read: () => number, write: (v: number) => void): Def => ({ offset, name, width: 1, access: 'rw', read, write });
const counter = (offset: number, i: 0 | 1 | 2, c: TallyCounters): Def => ({
  offset, name: `CNTR${i}`, width: 1, access: 'rc', readEffect: 'clears the tally counter',
  read: () => c.readAndClear(i), peek: () => c.peek(i),
});

/**
 * The DP8390 register pages as tables (datasheet section 10, "Register Address Map"; facts/ne2000.md §1): CR at
 * 0x00 on every page, then 0x01–0x0F. Where a page reads one register and writes another at the same offset
 * (page 0, page 2) they are two entries, read only and write only. An offset nothing reads answers open bus;
 * a write nothing takes is traced and ignored.
 */
export function buildPages(a: PageAccess, page3: readonly Def[]): RegisterTable[] {
  const r = a.regs;
  const dma = a.remote;
  const cr: Def = { offset: 0x00, name: 'CR', width: 1, access: 'rw', reset: RESET.CR, bits: CR_BITS, read: () => a.readCr(), write: (v) => a.writeCr(v) };
  const page0: Def[] = [
    cr,
    ro(0x01, 'CLDA0', () => lo(r.clda)),
    wo(0x01, 'PSTART', (v) => (r.pstart = v), () => r.pstart),
    ro(0x02, 'CLDA1', () => hi(r.clda)),
    wo(0x02, 'PSTOP', (v) => (r.pstop = v), () => r.pstop),
    rw(0x03, 'BNRY', () => r.bnry, (v) => (r.bnry = v)),
    ro(0x04, 'TSR', () => r.tsr, { bits: TSR }),
    wo(0x04, 'TPSR', (v) => (r.tpsr = v), () => r.tpsr),
    ro(0x05, 'NCR', () => r.ncr),
    wo(0x05, 'TBCR0', (v) => (r.tbcr = setLo(r.tbcr, v)), () => lo(r.tbcr)),
    ro(0x06, 'FIFO', () => r.fifo[r.fifoIdx++ & 7]!, { readEffect: 'advances the FIFO read pointer', peek: () => r.fifo[r.fifoIdx & 7]! }),
    wo(0x06, 'TBCR1', (v) => (r.tbcr = setHi(r.tbcr, v)), () => hi(r.tbcr)),
    { offset: 0x07, name: 'ISR', width: 1, access: 'w1c', reset: RESET.ISR, bits: ISR, read: () => r.isr, write: (v) => a.writeIsr(v) },
    ro(0x08, 'CRDA0', () => lo(dma.addr)),
    wo(0x08, 'RSAR0', (v) => (dma.addr = setLo(dma.addr, v)), () => lo(dma.addr)),
    ro(0x09, 'CRDA1', () => hi(dma.addr)),
    wo(0x09, 'RSAR1', (v) => (dma.addr = setHi(dma.addr, v)), () => hi(dma.addr)),
    ...idRegs(a.chipId),
    wo(0x0a, 'RBCR0', (v) => (dma.count = setLo(dma.count, v)), () => lo(dma.count)),
    wo(0x0b, 'RBCR1', (v) => (dma.count = setHi(dma.count, v)), () => hi(dma.count)),
    ro(0x0c, 'RSR', () => r.rsr, { bits: RSR }),
    wo(0x0c, 'RCR', (v) => (r.rcr = v & 0x3f), () => r.rcr, { bits: RCR }),
    counter(0x0d, 0, a.counters),
    wo(0x0d, 'TCR', (v) => (r.tcr = v & 0x1f), () => r.tcr, { bits: TCR_BITS }),
    counter(0x0e, 1, a.counters),
    wo(0x0e, 'DCR', (v) => (r.dcr = v & 0x7f), () => r.dcr, { bits: DCR_BITS, reset: RESET.DCR }),
    counter(0x0f, 2, a.counters),
    wo(0x0f, 'IMR', (v) => a.writeImr(v), () => r.imr, { bits: ISR, reset: RESET.IMR }),
  ];
  const page1: Def[] = [cr];
  for (let i = 0; i < 6; i++) page1.push(rw(0x01 + i, `PAR${i}`, () => r.par[i]!, (v) => (r.par[i] = v)));
  page1.push(rw(0x07, 'CURR', () => r.curr, (v) => (r.curr = v)));
  for (let i = 0; i < 8; i++) page1.push(rw(0x08 + i, `MAR${i}`, () => r.mar[i]!, (v) => (r.mar[i] = v)));
  // Page 2 is for diagnostics: reads give back the page-0 write-only registers.
  const page2: Def[] = [
    cr,
    ro(0x01, 'PSTART', () => r.pstart),
    wo(0x01, 'CLDA0', (v) => (r.clda = setLo(r.clda, v)), () => lo(r.clda)),
    ro(0x02, 'PSTOP', () => r.pstop),
    wo(0x02, 'CLDA1', (v) => (r.clda = setHi(r.clda, v)), () => hi(r.clda)),
    rw(0x03, 'RNPP', () => r.rnpp, (v) => (r.rnpp = v)),
    ro(0x04, 'TPSR', () => r.tpsr),
    rw(0x05, 'LNPP', () => r.lnpp, (v) => (r.lnpp = v)),
    rw(0x06, 'ACU', () => hi(r.ac), (v) => (r.ac = setHi(r.ac, v))),
    rw(0x07, 'ACL', () => lo(r.ac), (v) => (r.ac = setLo(r.ac, v))),
    ro(0x0c, 'RCR', () => r.rcr | a.rcrReadOnes, { bits: RCR }),
    ro(0x0d, 'TCR', () => r.tcr, { bits: TCR_BITS }),
    ro(0x0e, 'DCR', () => r.dcr, { bits: DCR_BITS, reset: RESET.DCR }),
    ro(0x0f, 'IMR', () => r.imr, { bits: ISR, reset: RESET.IMR }),
  ];
  return [page0, page1, page2, [cr, ...page3]].map((defs, page) => new RegisterTable(`DP8390 page ${page}`, defs, { span: 16, ...a.hooks(page) }));
}

/** Page 0 0x0A/0x0B read side: the RTL8029's chip ID; nothing on a National part (reserved: open bus). */
function idRegs(id: readonly [number, number] | undefined): Def[] {
  if (!id) return [];
  const [id0, id1] = id;
  return [ro(0x0a, 'ID0', () => id0), ro(0x0b, 'ID1', () => id1)];
}

/**
 * The register names of a DP8390 board's pages, from the very tables a chip builds, over a detached register
 * file (nothing is read or written): what the NIC kinds give `break reg` (description.ts).
 */
export function pageRegisterNames(variant: 'ne2000' | 'ne1000' | 'rtl8029'): string[] {
  const regs = new ChipRegs();
  const idle = (): void => {};
  const remote = new RemoteDma({
    mem: new BufferMemory(variant, new Uint8Array(6)), pstart: 0, pstop: 0, bnry: 0, wordMode: false,
    remoteDone: idle, sendPacketDone: idle, idleAccess: idle,
  });
  const rtl = variant === 'rtl8029' ? new Rtl8029Config({ config2: 0, config3: 0 }) : null;
  const pages = buildPages(
    {
      regs, remote, counters: new TallyCounters(idle), readCr: () => 0, writeCr: idle, writeIsr: idle, writeImr: idle,
      ...(rtl ? { chipId: RTL8029_CHIP_ID } : {}), rcrReadOnes: 0, hooks: () => ({}),
    },
    rtl ? rtl.defs(idle) : [],
  );
  return [...new Set(pages.flatMap((t) => t.registerNames))];
}
