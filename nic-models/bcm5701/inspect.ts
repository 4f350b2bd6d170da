/**
 * The debugger's view of a BCM5701 (`show nic`): registers by block from the register table through `peek`
 * (the indirect data registers REG_DATA and MEM_WIN_DATA and the config-space aliases are left out: reading
 * them would reach other registers or materialise statistics into SRAM), the PHY's registers through its own
 * `peek` (never an MDIO transaction), the rings from the chip's indices and its SRAM BD cache (host memory is
 * not DMA-read), the FIFOs, and the statistics counters. Observation only.
 */
import { bitNames, RegisterTable, type RegisterDef } from '../../emulator/machine/bus/register-table';
import type { NicInspection, NicRegisterView } from '../kind';
import type { Bcm5701Core } from './core';
import { CFG, MAC, MAC_MODE_BITS, MISC_HOST_CTRL_BITS, SEND_RING_SIZE, SRAM } from './regs';
import { STAT } from './stats';

const h8 = (v: number): string => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

const GROUPS: readonly { name: string; lo: number; hi: number }[] = [
  { name: 'PCI (config 0x64-0xff)', lo: 0x64, hi: 0x100 },
  { name: 'mailboxes', lo: 0x200, hi: 0x400 },
  { name: 'MAC', lo: 0x400, hi: 0x800 },
  { name: 'send/receive blocks', lo: 0x800, hi: 0x3c00 },
  { name: 'HOSTCC', lo: 0x3c00, hi: 0x4000 },
  { name: 'MEMARB, BUFMGR, DMA', lo: 0x4000, hi: 0x5000 },
  { name: 'RX/TX CPU', lo: 0x5000, hi: 0x5c00 },
  { name: 'FTQ', lo: 0x5c00, hi: 0x6000 },
  { name: 'MSGINT, DMAC, GRC', lo: 0x6000, hi: 0x8000 },
];
/** Readable registers whose read reaches elsewhere (indirect data, aliases): not shown. */
const HIDDEN = new Set(['REG_DATA', 'MEM_WIN_DATA', 'PCI_MODE_CTRL', 'PCI_MISC_CFG', 'MISC_LOCAL_CTRL', 'STD_RING_PROD_IDX_HIGH',
  'STD_RING_PROD_IDX', 'RCV_RET_RING_CON_IDX_HIGH', 'RCV_RET_RING_CON_IDX', 'SND_PROD_IDX_HIGH', 'SND_PROD_IDX', 'INT_MBOX_HIGH', 'INT_MBOX']);

export function inspectBcm5701(c: Bcm5701Core): NicInspection {
  const link = c.phy.link();
  const mhc = c.f.get(CFG.MISC_HOST_CTRL);
  const running = (c.f.get(MAC.MODE) & (MAC_MODE_BITS.TDE_ENABLE | MAC_MODE_BITS.RDE_ENABLE)) !== 0 && c.hc.enabled;
  const summary = [
    c.boot.running ? 'booting' : running ? 'running' : 'idle',
    link ? `link ${link.speedMbps} Mb/s ${link.fullDuplex ? 'full' : 'half'}` : 'link down',
    mhc & MISC_HOST_CTRL_BITS.TAGGED_STATUS ? 'tagged' : 'non-tagged',
    `INTA# ${c.irq.asserted ? 'asserted' : 'low'}${mhc & MISC_HOST_CTRL_BITS.MASK_PCI_INT ? ' (masked)' : ''}`,
    `tx ${(c.send.prod - c.send.compl + SEND_RING_SIZE) % SEND_RING_SIZE} pending`,
    `rx fifo ${c.recv.fifoDepth}`,
  ].join(', ');
  return { summary, registers: registerGroups(c), rings: rings(c), counters: counters(c) };
}

function registerGroups(c: Bcm5701Core): NicInspection['registers'] {
  const out: NicInspection['registers'] = [];
  for (const g of GROUPS) {
    const regs = c.table.regs.filter((r) => r.offset >= g.lo && r.offset < g.hi && !HIDDEN.has(r.name));
    const v = views(regs, g.name === 'mailboxes');
    if (v.length > 0) out.push({ group: g.name, regs: v });
  }
  const phy: NicRegisterView[] = [];
  for (let reg = 0; reg < 0x20; reg++) {
    const value = c.phy.peek(reg);
    if (value !== undefined) phy.push({ name: `PHY_${reg.toString(16).padStart(2, '0')}`, value, width: 2 });
  }
  out.push({ group: 'PHY (MII address 1)', regs: phy });
  return out;
}

function views(regs: readonly RegisterDef[], nonZeroOnly: boolean): NicRegisterView[] {
  const out: NicRegisterView[] = [];
  for (const reg of regs) {
    const value = RegisterTable.peekValue(reg);
    if (value === undefined || (nonZeroOnly && value === 0)) continue;
    out.push(reg.bits ? { name: reg.name, value, width: reg.width, bits: bitNames(value, reg.bits) } : { name: reg.name, value, width: reg.width });
  }
  return out;
}

function rings(c: Bcm5701Core): NicInspection['rings'] {
  const s = c.send;
  const entries: string[] = [];
  const cache = c.sram.read32(SRAM.SEND_RCB + 0xc);
  for (let i = 0, k = s.compl; i < 8 && k !== s.prod; i++, k = (k + 1) % SEND_RING_SIZE) {
    const a = cache + 16 * k;
    const lf = c.sram.read32(a + 8);
    entries.push(`[${k}] ${h8(c.sram.read32(a))}${h8(c.sram.read32(a + 4)).slice(2)} len ${lf >>> 16} flags ${h8(lf & 0xffff)}`);
  }
  const r = c.recv;
  return [
    { name: 'send ring', summary: `producer ${s.prod}, fetched to ${s.cons}, completed to ${s.compl}; FIFO ${s.fifoDepth} frame(s)`, entries },
    { name: 'standard receive ring', summary: `producer ${r.stdProd}, consumer ${r.stdCons}`, entries: [] },
    { name: 'return ring', summary: `producer ${r.retProd}, host consumer ${r.retCons}; receive FIFO ${r.fifoDepth} frame(s)`, entries: [] },
    { name: 'status block', summary: `tag ${c.hc.tag}, host ${h8(c.f.get(0x3c38))}${h8(c.f.get(0x3c3c)).slice(2)}`, entries: [] },
  ];
}

function counters(c: Bcm5701Core): NicInspection['counters'] {
  return (Object.keys(STAT) as (keyof typeof STAT)[]).map((name) => ({ name, value: c.stats.get(name) })).filter((x) => x.value !== 0);
}
