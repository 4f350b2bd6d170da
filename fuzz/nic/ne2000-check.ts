/**
 * The NE2000 targets' own invariants (docs/fuzzing.md), read through the core's fields (no read path, no
 * side effects):
 * - the interrupt output is (ISR & IMR & 0x7F) != 0 — DP8390D datasheet, "Interrupt Status Register": an
 *   interrupt is asserted while a status bit and its mask bit are both set; RST (bit 7) has no mask and never
 *   raises the line (facts/ne2000.md §1);
 * - every page pointer and count holds what its register can hold (8-bit pointers, 16-bit TBCR, remote DMA
 *   address and count, a 4-bit NCR; the tally counters stop at 192, datasheet "Tally Counters");
 * - the remote DMA address moves as the DP8390 moves it (datasheet section 11 "Remote DMA"): across a data-port
 *   access, each transfer advances it by 1 (byte mode) or 2 (word mode, DCR.WTS), wrapping at 16 bits, and an
 *   address entering page PSTOP continues at the same offset of page PSTART; the count falls by the same and the
 *   channel stops at zero. This oracle is computed here from the state before the access, independently of the
 *   model's remote-dma.ts.
 */
import type { Dp8390Core } from '../../nic-models/ne2000/dp8390-core';
import { COUNTER_MAX } from '../../nic-models/ne2000/counters';
import type { NicRig } from './harness';

interface RemoteSeen {
  addr: number;
  count: number;
  mode: string;
}

const DATA_FIRST = 0x10;
const DATA_END = 0x18;

export function coreOf(rig: NicRig): Dp8390Core {
  return (rig.device as unknown as { core: Dp8390Core }).core;
}

const in8 = (v: number): boolean => Number.isInteger(v) && v >= 0 && v <= 0xff;
const in16 = (v: number): boolean => Number.isInteger(v) && v >= 0 && v <= 0xffff;

/** Remote DMA state before each op, per rig (the check runs after every op). */
const before = new WeakMap<NicRig, RemoteSeen>();

export function checkNe2000(rig: NicRig): string | null {
  const core = coreOf(rig);
  const r = core.regs;
  const want = (r.isr & r.imr & 0x7f) !== 0;
  if (rig.irqLevel !== want) return `interrupt output ${rig.irqLevel ? 'high' : 'low'} with ISR 0x${r.isr.toString(16)} IMR 0x${r.imr.toString(16)}`;
  for (const [name, v] of [['CURR', r.curr], ['BNRY', r.bnry], ['PSTART', r.pstart], ['PSTOP', r.pstop], ['TPSR', r.tpsr], ['ISR', r.isr], ['IMR', r.imr]] as const) {
    if (!in8(v)) return `${name} holds ${String(v)}, not an 8-bit value`;
  }
  if (!in16(r.tbcr)) return `TBCR holds ${String(r.tbcr)}`;
  if (!in8(r.tsr) || !in8(r.rsr) || !(in8(r.ncr) && r.ncr <= 0x0f)) return `TSR/RSR/NCR hold ${r.tsr}/${r.rsr}/${r.ncr} (NCR counts collisions in 4 bits)`;
  for (const i of [0, 1, 2] as const) {
    const c = core.counters.peek(i);
    if (!(Number.isInteger(c) && c >= 0 && c <= COUNTER_MAX)) return `CNTR${i} holds ${c}; the tally counters stop at 0x${COUNTER_MAX.toString(16)}`;
  }
  const rd = core.remote;
  if (!in16(rd.addr) || !in16(rd.count)) return `remote DMA address/count ${String(rd.addr)}/${String(rd.count)} outside 16 bits`;
  const prev = before.get(rig);
  const now: RemoteSeen = { addr: rd.addr, count: rd.count, mode: rd.mode };
  before.set(rig, now);
  const op = rig.lastOp;
  if (!prev || !op || (op.op !== 'rd' && op.op !== 'wr') || op.space !== 'io' || op.bar !== 0) return null;
  if (op.off < DATA_FIRST || op.off + op.size > DATA_END || !rig.lastDecoded) return null;
  const want2 = expectedRemote(prev, op.op === 'rd' ? 'read' : 'write', op.size, r.wordMode, r.pstart, r.pstop, (a) => core.mem.read8(a));
  if (op.op === 'rd' && rig.lastResult !== want2.value) {
    return `the data port read 0x${(rig.lastResult ?? 0).toString(16)}; the remote DMA at 0x${prev.addr.toString(16)} (count ${prev.count}, ${prev.mode}) reads 0x${want2.value.toString(16)}`;
  }
  if (want2.addr !== now.addr || want2.count !== now.count || (want2.mode === 'idle') !== (now.mode === 'idle')) {
    return `remote DMA moved from 0x${prev.addr.toString(16)}/${prev.count} to 0x${now.addr.toString(16)}/${now.count} (${now.mode}); the DP8390 goes to 0x${want2.addr.toString(16)}/${want2.count} (${want2.mode})`;
  }
  return null;
}

/**
 * Where a data-port access of `size` takes the remote DMA (see the header), and for a read the value the host
 * gets: each transfer reads the byte at the address (byte mode) or the word at address & ~1 (word mode: the
 * NE2000's RAM ignores A0, facts/ne2000.md §2 "ne2k-pci"), little-endian, the transfers of one host access
 * packed low to high; a byte access in word mode gets the word's low byte; once the count has run out the
 * channel is idle and the rest reads all ones.
 */
export function expectedRemote(
  s: RemoteSeen,
  dir: 'read' | 'write',
  size: 1 | 2 | 4,
  word: boolean,
  pstart: number,
  pstop: number,
  read8: (addr: number) => number = () => 0xff,
): RemoteSeen & { value: number } {
  let { addr, count, mode } = s;
  const step = word ? 2 : 1;
  const transfers = size === 1 ? 1 : size / step;
  let value = 0;
  for (let t = 0; t < transfers; t++) {
    let unit = word ? 0xffff : 0xff;
    if (mode === dir) {
      if (dir === 'read') unit = word ? read8(addr & 0xfffe) | (read8((addr & 0xfffe) + 1) << 8) : read8(addr);
      const next = (addr + step) & 0xffff;
      addr = (next >> 8) !== (addr >> 8) && next >> 8 === pstop ? ((pstart << 8) | (next & 0xff)) & 0xffff : next;
      count = Math.max(0, count - step);
      if (count === 0) mode = 'idle';
    }
    value += unit * 2 ** (8 * step * t);
  }
  return { addr, count, mode, value: size === 1 ? value & 0xff : value };
}
