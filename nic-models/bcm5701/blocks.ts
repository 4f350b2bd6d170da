/**
 * The chip's simple internal blocks as data (design §1.4.3–§1.4.6, §1.5): send data initiator/completion,
 * send BD selector/initiator/completion, receive list placement, receive data and BD initiators and
 * completions, receive list selector, mbuf cluster free, memory arbiter, buffer manager, read/write DMA,
 * DMA completion, message-signalled interrupts and the two (not emulated) RISC CPUs.
 *
 * MODE rules both drivers rely on (`tg3_stop_block`, `bge_stop_block`, `tg3_reset_hw`, `bge_blockinit`):
 * a MODE register reads back what was written except RESET (b0), which acts and reads 0; ENABLE takes effect
 * at once — cleared, it reads 0 on the very next read (an item in flight completes in zero time); set, the
 * block starts at once (BUFMGR_MODE.ENABLE reads 1 immediately). STATUS registers are write-1-to-clear.
 */
import type { RegisterDef } from '../../emulator/machine/bus/register-table';
import { computed, readOnly, stored, storedArray, w1c, type RegFile } from './reg-file';
import {
  BLOCK, BUFMGR, CPU_MODE_HALT, DMAC_STATUS_MSTABORT, MODE_ATTN, MODE_ENABLE, MODE_RESET, RCVDBDI_JUMBO_BD,
  RCVDBDI_MINI_BD, RCVDBDI_STATUS_BITS, RCVDBDI_STD_BD, RCVLPC_STATS_ENABLE, RCVLPC_STATSCTRL, RX_CPU_MODE_ROMFAIL,
  SNDDATAI_STATSCTRL, SNDDATAI_STATSENAB, STATSCTRL_BITS,
} from './regs';

/** What the block registers reach into (the core implements it). */
export interface BlockHooks {
  /** A MODE register changed (after the store); `reset` when RESET (b0) was written 1. */
  modeChanged(base: number, value: number, old: number, reset: boolean): void;
  /** A STATSCTRL register was written with CLEAR (b2). */
  statsClear(group: 'rlp' | 'sdi'): void;
  /** Chip indices read back through the RCVDBDI/SNDBDS/RCVBDI registers. */
  readonly sendConsumer: () => number;
  readonly stdConsumer: () => number;
  readonly stdProducer: () => number;
  /** The RX CPU's ROMFAIL (EEPROM image failed boot-code validation). */
  readonly romFail: () => boolean;
}

const MODE_BITS = { RESET: MODE_RESET, ENABLE: MODE_ENABLE, ATTN_ENABLE: MODE_ATTN } as const;

/** A block MODE register: RESET acts and reads 0; everything else is stored. */
export function modeReg(f: RegFile, h: BlockHooks, base: number, name: string, bits: Readonly<Record<string, number>> = MODE_BITS, reset = 0): RegisterDef {
  f.declare(base, reset);
  return {
    offset: base, name, width: 4, access: 'rw', reset, bits,
    read: () => f.get(base),
    write: (v) => {
      const old = f.get(base);
      f.set(base, v & ~MODE_RESET);
      h.modeChanged(base, f.get(base), old, (v & MODE_RESET) !== 0);
    },
  };
}

/** A block STATUS register: attention/error bits the chip sets, write 1 to clear (the status block's ERROR follows). */
function statusReg(f: RegFile, _h: BlockHooks, off: number, name: string, bits?: Readonly<Record<string, number>>): RegisterDef {
  return w1c(f, off, name, bits ? { bits } : {});
}

function statsCtrl(f: RegFile, h: BlockHooks, off: number, name: string, group: 'rlp' | 'sdi'): RegisterDef {
  return stored(f, off, name, {
    bits: STATSCTRL_BITS,
    after: (v) => {
      if (v & STATSCTRL_BITS.CLEAR) {
        h.statsClear(group);
        f.set(off, v & ~STATSCTRL_BITS.CLEAR);
      }
    },
  });
}

/** Ring control block registers (host address hi/lo, maxlen_flags, NIC address) at `base`. */
function rcb(f: RegFile, base: number, name: string, maxlenReset: number): RegisterDef[] {
  return [
    stored(f, base, `${name}_HOST_ADDR_HIGH`),
    stored(f, base + 4, `${name}_HOST_ADDR_LOW`),
    stored(f, base + 8, `${name}_MAXLEN_FLAGS`, { reset: maxlenReset }),
    stored(f, base + 0xc, `${name}_NIC_ADDR`),
  ];
}

export function blockDefs(f: RegFile, h: BlockHooks): RegisterDef[] {
  const B = BLOCK;
  return [
    // Send data initiator 0x0c00.
    modeReg(f, h, B.SNDDATAI, 'SNDDATAI_MODE', { ...MODE_BITS, STAT_OFLOW_ENAB: 0x4 }),
    statusReg(f, h, B.SNDDATAI + 4, 'SNDDATAI_STATUS'),
    statsCtrl(f, h, SNDDATAI_STATSCTRL, 'SNDDATAI_STATSCTRL', 'sdi'),
    stored(f, SNDDATAI_STATSENAB, 'SNDDATAI_STATSENAB'),
    stored(f, B.SNDDATAI + 0x10, 'SNDDATAI_STATSINCMASK'),
    // Send data completion 0x1000, BD selector 0x1400, BD initiator 0x1800, BD completion 0x1c00.
    modeReg(f, h, B.SNDDATAC, 'SNDDATAC_MODE', { ...MODE_BITS, CDELAY: 0x10 }),
    modeReg(f, h, B.SNDBDS, 'SNDBDS_MODE'),
    statusReg(f, h, B.SNDBDS + 4, 'SNDBDS_STATUS', { ERROR: 0x4 }),
    stored(f, B.SNDBDS + 8, 'SNDBDS_HWDIAG'),
    computed(B.SNDBDS + 0x40, 'SNDBDS_SEL_CON_IDX_0', () => h.sendConsumer()),
    modeReg(f, h, B.SNDBDI, 'SNDBDI_MODE'),
    statusReg(f, h, B.SNDBDI + 4, 'SNDBDI_STATUS', { ERROR: 0x4 }),
    readOnly(f, B.SNDBDI + 8, 'SNDBDI_IN_PROD_IDX_0'),
    modeReg(f, h, B.SNDBDC, 'SNDBDC_MODE'),
    // Receive list placement 0x2000.
    modeReg(f, h, B.RCVLPC, 'RCVLPC_MODE', { ...MODE_BITS, CLASS0_ATTN: 0x4, MAPOOR_AATTN: 0x8, STAT_OFLOW: 0x10 }),
    statusReg(f, h, B.RCVLPC + 4, 'RCVLPC_STATUS'),
    stored(f, B.RCVLPC + 8, 'RCVLPC_LOCK'),
    readOnly(f, B.RCVLPC + 0xc, 'RCVLPC_NON_EMPTY_BITS'),
    stored(f, B.RCVLPC + 0x10, 'RCVLPC_CONFIG'),
    statsCtrl(f, h, RCVLPC_STATSCTRL, 'RCVLPC_STATSCTRL', 'rlp'),
    stored(f, RCVLPC_STATS_ENABLE, 'RCVLPC_STATS_ENABLE'),
    stored(f, B.RCVLPC + 0x1c, 'RCVLPC_STATS_INCMASK'),
    // Receive data and BD initiator 0x2400: the producer-ring control blocks.
    modeReg(f, h, B.RCVDBDI, 'RCVDBDI_MODE', { ...MODE_BITS, JUMBOBD_NEEDED: 0x4, FRM_TOO_BIG: 0x8, INV_RING_SZ: 0x10 }),
    statusReg(f, h, B.RCVDBDI + 4, 'RCVDBDI_STATUS', RCVDBDI_STATUS_BITS),
    stored(f, B.RCVDBDI + 8, 'RCVDBDI_SPLIT_FRAME_MINSZ'),
    ...rcb(f, RCVDBDI_JUMBO_BD, 'RCVDBDI_JUMBO_BD', 2),
    ...rcb(f, RCVDBDI_STD_BD, 'RCVDBDI_STD_BD', 0),
    ...rcb(f, RCVDBDI_MINI_BD, 'RCVDBDI_MINI_BD', 2),
    computed(B.RCVDBDI + 0x70, 'RCVDBDI_JUMBO_CON_IDX', () => 0),
    computed(B.RCVDBDI + 0x74, 'RCVDBDI_STD_CON_IDX', () => h.stdConsumer()),
    computed(B.RCVDBDI + 0x78, 'RCVDBDI_MINI_CON_IDX', () => 0),
    stored(f, B.RCVDBDI + 0xc0, 'RCVDBDI_HWDIAG'),
    // Receive data completion 0x2800, BD initiator 0x2c00, BD completion 0x3000, list selector 0x3400.
    modeReg(f, h, B.RCVDCC, 'RCVDCC_MODE'),
    modeReg(f, h, B.RCVBDI, 'RCVBDI_MODE', { ...MODE_BITS, RCB_ATTN_ENAB: 0x4 }),
    statusReg(f, h, B.RCVBDI + 4, 'RCVBDI_STATUS', { RCB_ATTN: 0x4 }),
    computed(B.RCVBDI + 8, 'RCVBDI_JUMBO_PROD_IDX', () => 0),
    computed(B.RCVBDI + 0xc, 'RCVBDI_STD_PROD_IDX', () => h.stdProducer()),
    computed(B.RCVBDI + 0x10, 'RCVBDI_MINI_PROD_IDX', () => 0),
    stored(f, B.RCVBDI + 0x14, 'RCVBDI_MINI_THRESH'),
    stored(f, B.RCVBDI + 0x18, 'RCVBDI_STD_THRESH'),
    stored(f, B.RCVBDI + 0x1c, 'RCVBDI_JUMBO_THRESH'),
    modeReg(f, h, B.RCVCC, 'RCVCC_MODE'),
    statusReg(f, h, B.RCVCC + 4, 'RCVCC_STATUS'),
    modeReg(f, h, B.RCVLSC, 'RCVLSC_MODE'),
    statusReg(f, h, B.RCVLSC + 4, 'RCVLSC_STATUS'),
    // Mbuf cluster free 0x3800.
    modeReg(f, h, B.MBFREE, 'MBFREE_MODE'),
    statusReg(f, h, B.MBFREE + 4, 'MBFREE_STATUS'),
    // Memory arbiter 0x4000: the boot code enables it (boot-code.ts).
    modeReg(f, h, B.MEMARB, 'MEMARB_MODE'),
    statusReg(f, h, B.MEMARB + 4, 'MEMARB_STATUS'),
    readOnly(f, B.MEMARB + 8, 'MEMARB_TRAP_ADDR_LOW'),
    readOnly(f, B.MEMARB + 0xc, 'MEMARB_TRAP_ADDR_HIGH'),
    // Buffer manager 0x4400.
    modeReg(f, h, BUFMGR.MODE, 'BUFMGR_MODE', { ...MODE_BITS, BM_TEST: 0x8, MBLOW_ATTN_ENAB: 0x10 }),
    statusReg(f, h, BUFMGR.MODE + 4, 'BUFMGR_STATUS', { ERROR: 0x4, MBLOW: 0x10 }),
    stored(f, BUFMGR.MB_POOL_ADDR, 'BUFMGR_MB_POOL_ADDR'),
    stored(f, BUFMGR.MB_POOL_SIZE, 'BUFMGR_MB_POOL_SIZE'),
    stored(f, BUFMGR.MB_RDMA_LOW_WATER, 'BUFMGR_MB_RDMA_LOW_WATER'),
    stored(f, BUFMGR.MB_MACRX_LOW_WATER, 'BUFMGR_MB_MACRX_LOW_WATER'),
    stored(f, BUFMGR.MB_HIGH_WATER, 'BUFMGR_MB_HIGH_WATER'),
    stored(f, BUFMGR.MODE + 0x1c, 'BUFMGR_RX_MB_ALLOC_REQ'),
    readOnly(f, BUFMGR.MODE + 0x20, 'BUFMGR_RX_MB_ALLOC_RESP'),
    stored(f, BUFMGR.MODE + 0x24, 'BUFMGR_TX_MB_ALLOC_REQ'),
    readOnly(f, BUFMGR.MODE + 0x28, 'BUFMGR_TX_MB_ALLOC_RESP'),
    stored(f, BUFMGR.MODE + 0x2c, 'BUFMGR_DMA_DESC_POOL_ADDR'),
    stored(f, BUFMGR.MODE + 0x30, 'BUFMGR_DMA_DESC_POOL_SIZE'),
    stored(f, BUFMGR.MODE + 0x34, 'BUFMGR_DMA_LOW_WATER'),
    stored(f, BUFMGR.MODE + 0x38, 'BUFMGR_DMA_HIGH_WATER'),
    // Read DMA 0x4800, write DMA 0x4c00: b2–b9 attention enables.
    modeReg(f, h, B.RDMAC, 'RDMAC_MODE', DMA_MODE_BITS),
    statusReg(f, h, B.RDMAC + 4, 'RDMAC_STATUS', { MSTABORT: DMAC_STATUS_MSTABORT }),
    modeReg(f, h, B.WDMAC, 'WDMAC_MODE', DMA_MODE_BITS),
    statusReg(f, h, B.WDMAC + 4, 'WDMAC_STATUS', { MSTABORT: DMAC_STATUS_MSTABORT }),
    // RX/TX RISC CPUs 0x5000/0x5400: not emulated; MODE stored, RESET self-clears, ROMFAIL from the boot code.
    ...cpuDefs(f, h, B.RX_CPU, 'RX_CPU', true),
    ...cpuDefs(f, h, B.TX_CPU, 'TX_CPU', false),
    // Message-signalled interrupts 0x6000 (the 5701 has none usable), DMA completion 0x6400.
    modeReg(f, h, B.MSGINT, 'MSGINT_MODE'),
    statusReg(f, h, B.MSGINT + 4, 'MSGINT_STATUS'),
    computed(B.MSGINT + 8, 'MSGINT_FIFO', () => 0),
    modeReg(f, h, B.DMAC, 'DMAC_MODE'),
  ];
}

const DMA_MODE_BITS = {
  ...MODE_BITS, TGTABORT_ENAB: 0x4, MSTABORT_ENAB: 0x8, PARITYERR_ENAB: 0x10, ADDROFLOW_ENAB: 0x20, FIFOOFLOW_ENAB: 0x40,
  FIFOURUN_ENAB: 0x80, FIFOOREAD_ENAB: 0x100, LNGREAD_ENAB: 0x200,
} as const;

function cpuDefs(f: RegFile, h: BlockHooks, base: number, name: string, rx: boolean): RegisterDef[] {
  const bits = { RESET: MODE_RESET, ...(rx ? { ROMFAIL: RX_CPU_MODE_ROMFAIL } : {}), HALT: CPU_MODE_HALT };
  f.declare(base, 0);
  const mode: RegisterDef = {
    offset: base, name: `${name}_MODE`, width: 4, access: 'rw', bits,
    read: () => (f.get(base) & ~RX_CPU_MODE_ROMFAIL) | (rx && h.romFail() ? RX_CPU_MODE_ROMFAIL : 0),
    write: (v) => f.set(base, v & ~(MODE_RESET | RX_CPU_MODE_ROMFAIL)),
  };
  return [
    mode,
    computed(base + 4, `${name}_STATE`, () => (f.get(base) & CPU_MODE_HALT ? 0x400 : 0)),
    ...storedArray(f, base + 0x10, `${name}_REG`, 10),
  ];
}
