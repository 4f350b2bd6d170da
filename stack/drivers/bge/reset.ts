/**
 * Chip reset and stop, as if_bge.c does them on the 5700 family:
 * - bge_reset: save the cache-line/latency dword and the command register, put MISC_CTL in indirect mode with
 *   interrupts masked, write the boot-code handshake magic to SRAM 0xb50, reset the core through
 *   REG_BASEADDR/REG_DATA (the reset clears the command register's memory enable, so the BAR cannot be used
 *   until the command word is restored), wait 1 ms, restore PCI state, enable the memory arbiter, set the
 *   swap mode, wait for the boot code (bge_poll_fw), restore the MAC port mode.
 * - bge_chipinit: MISC_CTL, clear the statistics and status areas of SRAM, DMA control, mode, MWI off, timer.
 * - bge_stop_block / bge_stop's register part: every block disabled and polled, FTQs reset.
 */
import type { Co, ThreadCtx } from '../../kernel/api';
import { DELAY } from './csr';
import {
  BGE_32BITTIME_66MHZ, BGE_BLOCK_ENABLE, BGE_BMAN_MODE, BGE_DMA_RW_CTL_PCI, BGE_DMA_SWAP_OPTIONS, BGE_DMAC_MODE,
  BGE_FTQ_RESET, BGE_HCC_MODE, BGE_HIF_SWAP_OPTIONS, BGE_INIT, BGE_MAC_MODE, BGE_MACMODE_HALF_DUPLEX,
  BGE_MACMODE_PORTMODE, BGE_MACMODE_TXDMA_ENB, BGE_MARB_MODE, BGE_MBCF_MODE, BGE_MBX_IRQ0_LO, BGE_MISC_CFG,
  BGE_MISCCFG_RESET_CORE_CLOCKS, BGE_MODE_CTL, BGE_MODECTL_BYTESWAP_DATA, BGE_MODECTL_FORCE_PCI32,
  BGE_MODECTL_HOST_SEND_BDS, BGE_MODECTL_MAC_ATTN_INTR, BGE_MODECTL_TX_NO_PHDR_CSUM, BGE_MODECTL_WORDSWAP_DATA,
  BGE_MODECTL_WORDSWAP_NONFRAME, BGE_PCI_CACHESZ, BGE_PCI_CMD, BGE_PCI_DMA_RW_CTL, BGE_PCI_MEMWIN_BASEADDR,
  BGE_PCI_MISC_CTL, BGE_PCI_PCISTATE, BGE_PCIMISCCTL_INDIRECT_ACCESS, BGE_PCIMISCCTL_MASK_PCI_INTR,
  BGE_PCIMISCCTL_PCISTATE_RW, BGE_PCISTATE_ROM_ENABLE, BGE_PCISTATE_ROM_RETRY_ENABLE, BGE_RBDC_MODE, BGE_RBDI_MODE,
  BGE_RDBDI_MODE, BGE_RDC_MODE, BGE_RDMA_MODE, BGE_RX_MODE, BGE_RXLP_MODE, BGE_RXLS_MODE, BGE_SBDC_MODE,
  BGE_SBDI_MODE, BGE_SDC_MODE, BGE_SDI_MODE, BGE_SRAM_FW_MB, BGE_SRAM_FW_MB_MAGIC, BGE_SRS_MODE, BGE_STATS_BLOCK,
  BGE_STATS_BLOCK_END, BGE_STATUS_BLOCK, BGE_STATUS_BLOCK_END, BGE_TIMEOUT, BGE_TX_MODE, BGE_WDMA_MODE,
  PCIM_CMD_MWIEN,
} from './regs';
import type { BgeSoftc } from './softc';
import { _SLOG_ERROR } from '../../io-pkt/driver-api';

/** MISC_CTL during a reset: indirect access, interrupts masked, word swap, PCISTATE writable (0x9a). */
const RESET_MISC_CTL = BGE_PCIMISCCTL_INDIRECT_ACCESS | BGE_PCIMISCCTL_MASK_PCI_INTR | BGE_HIF_SWAP_OPTIONS | BGE_PCIMISCCTL_PCISTATE_RW;

/** bge_poll_fw: SRAM 0xb50 reads the complement of the magic once the boot code has run. */
export function* bgePollFw(ctx: ThreadCtx, sc: BgeSoftc): Co<boolean> {
  const want = ~BGE_SRAM_FW_MB_MAGIC >>> 0;
  let val = 0;
  for (let i = 0; i < BGE_TIMEOUT; i++) {
    val = yield* sc.csr.readmemInd(ctx, BGE_SRAM_FW_MB);
    if (val === want) return true;
    yield* DELAY(ctx, 10);
  }
  sc.log(`firmware handshake timed out, found 0x${val.toString(16).padStart(8, '0')}`, _SLOG_ERROR);
  return false;
}

/** bge_reset (5700 family: the core reset goes through the indirect register path). */
export function* bgeReset(ctx: ThreadCtx, sc: BgeSoftc): Co<boolean> {
  const csr = sc.csr;
  ctx.trace('driver', 'reset', 0, { if: sc.ifp?.name ?? 'bge' });
  const macMode = (yield* csr.read(ctx, BGE_MAC_MODE)) & (BGE_MACMODE_HALF_DUPLEX | BGE_MACMODE_PORTMODE);
  const cachesize = yield* csr.cfgRead(ctx, BGE_PCI_CACHESZ);
  const command = yield* csr.cfgRead(ctx, BGE_PCI_CMD);
  csr.cfgWrite(ctx, BGE_PCI_MISC_CTL, RESET_MISC_CTL);
  csr.writememInd(ctx, BGE_SRAM_FW_MB, BGE_SRAM_FW_MB_MAGIC);
  csr.writeregInd(ctx, BGE_MISC_CFG, BGE_MISCCFG_RESET_CORE_CLOCKS | BGE_32BITTIME_66MHZ);
  yield* DELAY(ctx, 1000);
  // "From Linux: dummy read to flush PCI posted writes", then the state the reset zapped.
  yield* csr.cfgRead(ctx, BGE_PCI_CMD);
  csr.cfgWrite(ctx, BGE_PCI_MISC_CTL, RESET_MISC_CTL);
  csr.cfgWrite(ctx, BGE_PCI_PCISTATE, BGE_PCISTATE_ROM_ENABLE | BGE_PCISTATE_ROM_RETRY_ENABLE);
  csr.cfgWrite(ctx, BGE_PCI_CACHESZ, cachesize);
  csr.cfgWrite(ctx, BGE_PCI_CMD, command);
  csr.write(ctx, BGE_MARB_MODE, BGE_BLOCK_ENABLE);
  csr.write(ctx, BGE_MODE_CTL, BGE_DMA_SWAP_OPTIONS);
  const ok = yield* bgePollFw(ctx, sc);
  const val = yield* csr.read(ctx, BGE_MAC_MODE);
  yield* csr.writeFlush(ctx, BGE_MAC_MODE, (val & ~(BGE_MACMODE_HALF_DUPLEX | BGE_MACMODE_PORTMODE)) | macMode);
  yield* DELAY(ctx, 40);
  return ok;
}

/** GRC_MODE after bge_chipinit: swap options, MAC attention interrupts, host send BDs, no TX pseudo-header sum, 32-bit PCI. */
export const BGE_CHIPINIT_MODE = BGE_MODECTL_WORDSWAP_NONFRAME | BGE_MODECTL_BYTESWAP_DATA | BGE_MODECTL_WORDSWAP_DATA |
  BGE_MODECTL_MAC_ATTN_INTR | BGE_MODECTL_HOST_SEND_BDS | BGE_MODECTL_TX_NO_PHDR_CSUM | BGE_MODECTL_FORCE_PCI32;

/** bge_chipinit. */
export function* bgeChipinit(ctx: ThreadCtx, sc: BgeSoftc): Co<number> {
  const csr = sc.csr;
  csr.cfgWrite(ctx, BGE_PCI_MISC_CTL, BGE_INIT);
  // Clear the statistics and status-block areas of NIC SRAM through the BAR window (base 0).
  csr.cfgWrite(ctx, BGE_PCI_MEMWIN_BASEADDR, 0);
  for (let a = BGE_STATS_BLOCK; a <= BGE_STATS_BLOCK_END; a += 4) csr.memwinWrite(ctx, a, 0);
  for (let a = BGE_STATUS_BLOCK; a <= BGE_STATUS_BLOCK_END; a += 4) csr.memwinWrite(ctx, a, 0);
  csr.cfgWrite(ctx, BGE_PCI_DMA_RW_CTL, BGE_DMA_RW_CTL_PCI);
  csr.write(ctx, BGE_MODE_CTL, BGE_CHIPINIT_MODE);
  // Memory write-and-invalidate off.
  const cmd = yield* csr.cfgRead(ctx, BGE_PCI_CMD, 2);
  csr.cfgWrite(ctx, BGE_PCI_CMD, cmd & ~PCIM_CMD_MWIEN, 2);
  csr.write(ctx, BGE_MISC_CFG, BGE_32BITTIME_66MHZ);
  return 0;
}

/** bge_stop_block: clear the enable bit and poll (≤ 1000 × 100 µs) until the block says it stopped. */
export function* bgeStopBlock(ctx: ThreadCtx, sc: BgeSoftc, reg: number, bit = BGE_BLOCK_ENABLE): Co<void> {
  yield* sc.csr.clrBitFlush(ctx, reg, bit);
  for (let i = 0; i < 1000; i++) {
    yield* DELAY(ctx, 100);
    if (((yield* sc.csr.read(ctx, reg)) & bit) === 0) return;
  }
  if (reg !== BGE_SRS_MODE) sc.log(`block failed to stop: reg 0x${reg.toString(16)}, bit 0x${bit.toString(16).padStart(8, '0')}`, _SLOG_ERROR);
}

/** bge_stop's register part: interrupts off, receive then transmit blocks, memory managers, then bge_reset. */
export function* bgeStopChip(ctx: ThreadCtx, sc: BgeSoftc): Co<void> {
  const csr = sc.csr;
  yield* csr.setBit(ctx, BGE_PCI_MISC_CTL, BGE_PCIMISCCTL_MASK_PCI_INTR);
  yield* csr.writembxFlush(ctx, BGE_MBX_IRQ0_LO, 1);
  for (const reg of [BGE_RX_MODE, BGE_RBDI_MODE, BGE_RXLP_MODE, BGE_RXLS_MODE, BGE_RDBDI_MODE, BGE_RDC_MODE, BGE_RBDC_MODE]) {
    yield* bgeStopBlock(ctx, sc, reg);
  }
  for (const reg of [BGE_SRS_MODE, BGE_SBDI_MODE, BGE_SDI_MODE, BGE_RDMA_MODE, BGE_SDC_MODE, BGE_DMAC_MODE, BGE_SBDC_MODE]) {
    yield* bgeStopBlock(ctx, sc, reg);
  }
  yield* csr.clrBitFlush(ctx, BGE_MAC_MODE, BGE_MACMODE_TXDMA_ENB);
  yield* DELAY(ctx, 40);
  yield* bgeStopBlock(ctx, sc, BGE_TX_MODE);
  yield* bgeStopBlock(ctx, sc, BGE_HCC_MODE);
  yield* bgeStopBlock(ctx, sc, BGE_WDMA_MODE);
  yield* bgeStopBlock(ctx, sc, BGE_MBCF_MODE);
  csr.write(ctx, BGE_FTQ_RESET, 0xffffffff);
  csr.write(ctx, BGE_FTQ_RESET, 0);
  yield* bgeStopBlock(ctx, sc, BGE_BMAN_MODE);
  yield* bgeStopBlock(ctx, sc, BGE_MARB_MODE);
  yield* bgeReset(ctx, sc);
}
