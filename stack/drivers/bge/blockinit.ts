/**
 * bge_blockinit (5700 family): the buffer manager and its watermarks, the flow-through queues, the standard
 * (and disabled jumbo and mini) receive producer rings, the send and return ring control blocks in NIC SRAM
 * (through the BAR window), MAC backoff seed and lengths, receive list placement, host coalescing (bge's
 * defaults: 150 µs / 64 BDs receive, 300 µs / 400 BDs send, no in-interrupt thresholds), the statistics and
 * status blocks, every state machine's enable, MII auto-poll and the link-change attention.
 */
import { Errno, type Co, type ThreadCtx } from '../../kernel/api';
import { DELAY } from './csr';
import {
  BGE_BLOCK_ATTN, BGE_BLOCK_ENABLE, BGE_BMAN_DMA_DESCPOOL_BASEADDR, BGE_BMAN_DMA_DESCPOOL_HIWAT,
  BGE_BMAN_DMA_DESCPOOL_LEN, BGE_BMAN_DMA_DESCPOOL_LOWAT, BGE_BMAN_MBUFPOOL_BASEADDR, BGE_BMAN_MBUFPOOL_HIWAT,
  BGE_BMAN_MBUFPOOL_LEN, BGE_BMAN_MBUFPOOL_MACRX_LOWAT, BGE_BMAN_MBUFPOOL_READDMA_LOWAT, BGE_BMAN_MODE,
  BGE_BUFFPOOL_1, BGE_DMAC_MODE, BGE_EVTENB_LINK_CHANGED, BGE_FTQ_RESET, BGE_HCC_MODE, BGE_HCC_RX_COAL_TICKS,
  BGE_HCC_RX_COAL_TICKS_INT, BGE_HCC_RX_MAX_COAL_BDS, BGE_HCC_RX_MAX_COAL_BDS_INT, BGE_HCC_STATS_ADDR_HI,
  BGE_HCC_STATS_ADDR_LO, BGE_HCC_STATS_BASEADDR, BGE_HCC_STATS_TICKS, BGE_HCC_STATUSBLK_ADDR_HI,
  BGE_HCC_STATUSBLK_ADDR_LO, BGE_HCC_STATUSBLK_BASEADDR, BGE_HCC_TX_COAL_TICKS, BGE_HCC_TX_COAL_TICKS_INT,
  BGE_HCC_TX_MAX_COAL_BDS, BGE_HCC_TX_MAX_COAL_BDS_INT, BGE_HCCMODE_ENABLE, BGE_JUMBO_RX_RINGS, BGE_MAC_EVT_ENB,
  BGE_MAC_MODE, BGE_MAC_STS, BGE_MACMODE_FRMHDR_DMA_ENB, BGE_MACMODE_RX_STATS_CLEAR, BGE_MACMODE_RX_STATS_ENB,
  BGE_MACMODE_RXDMA_ENB, BGE_MACMODE_TX_STATS_CLEAR, BGE_MACMODE_TX_STATS_ENB, BGE_MACMODE_TXDMA_ENB,
  BGE_MACSTAT_LINK_ATTN_CLEAR, BGE_MAX_FRAMELEN, BGE_MBCF_MODE, BGE_MBX_RX_CONS0_LO, BGE_MBX_RX_JUMBO_PROD_LO,
  BGE_MBX_RX_MINI_PROD_LO, BGE_MBX_RX_STD_PROD_LO, BGE_MEMWIN_START, BGE_MI_MODE, BGE_MI_STS, BGE_MIMODE_AUTOPOLL,
  BGE_MIMODE_BASE, BGE_MIMODE_PHYADDR, BGE_MISC_LOCAL_CTL, BGE_MLC_INTR_ONATTN, BGE_NIC_TXRING_ADDR0,
  BGE_PCI_MEMWIN_BASEADDR, BGE_PORTMODE_MII, BGE_RBDC_MODE, BGE_RBDI_JUMBO_REPL_THRESH, BGE_RBDI_MODE,
  BGE_RBDI_STD_REPL_THRESH, BGE_RCB_FLAG_RING_DISABLED, BGE_RCB_FLAG_USE_EXT_RX_BD, BGE_RCB_MAXLEN_FLAGS,
  BGE_RDBDI_MODE, BGE_RDC_MODE, BGE_RDMA_MODE, BGE_RDMAMODE_ALL_ATTNS, BGE_RETURN_RING_CNT, BGE_RX_JUMBO_RCB,
  BGE_RX_MINI_RCB, BGE_RX_RETURN_RING_RCB, BGE_RX_RINGS_MAX, BGE_RX_RULES_CFG, BGE_RX_STD_RCB, BGE_RXLP_CFG,
  BGE_RXLP_MODE, BGE_RXLP_STATS_CTL, BGE_RXLP_STATS_ENABLE_MASK, BGE_RXLS_MODE, BGE_SBDC_MODE, BGE_SBDI_MODE,
  BGE_SDC_MODE, BGE_SDI_MODE, BGE_SDI_STATS_CTL, BGE_SDI_STATS_ENABLE_MASK, BGE_SDISTATSCTL_ENABLE,
  BGE_SDISTATSCTL_FASTER, BGE_SEND_RING_RCB, BGE_SRS_MODE, BGE_STATBLKSZ_32BYTE, BGE_STATS_BLOCK,
  BGE_STATUS_BLK_SZ, BGE_STATUS_BLOCK, BGE_STD_RX_RINGS, BGE_TIMEOUT, BGE_TX_LENGTHS, BGE_TX_RANDOM_BACKOFF,
  BGE_TX_RING_CNT, BGE_TX_RINGS_EXTSSRAM_MAX, BGE_WDMA_MODE, BGE_WDMAMODE_ALL_ATTNS,
} from './regs';
import type { BgeSoftc } from './softc';
import { _SLOG_ERROR } from '../../io-pkt/driver-api';

/** bge's host-coalescing defaults (bge_attach). */
export const BGE_RX_COAL_TICKS = 150;
export const BGE_RX_MAX_COAL_BDS = 64;
export const BGE_TX_COAL_TICKS = 300;
export const BGE_TX_MAX_COAL_BDS = 400;
/** Statistics block DMA period, µs (BGE_TICKS_PER_SEC). */
export const BGE_STAT_TICKS = 1_000_000;
/** The MII address of the BCM5701's integrated PHY (bge_phy_addr). */
export const BGE_PHY_ADDR = 1;

/** An RCB in NIC SRAM through the BAR window: hostaddr hi, lo, maxlen_flags, nicaddr. */
function rcbWrite(ctx: ThreadCtx, sc: BgeSoftc, sram: number, field: 0 | 4 | 8 | 12, value: number): void {
  sc.csr.write(ctx, BGE_MEMWIN_START + sram + field, value);
}

/** Poll `reg` until (value & mask) == want; false after `max` polls. */
function* poll(ctx: ThreadCtx, sc: BgeSoftc, reg: number, mask: number, want: number, max: number): Co<boolean> {
  for (let i = 0; i < max; i++) {
    if (((yield* sc.csr.read(ctx, reg)) & mask) === want) return true;
    yield* DELAY(ctx, 10);
  }
  return false;
}

export function* bgeBlockinit(ctx: ThreadCtx, sc: BgeSoftc): Co<number> {
  const csr = sc.csr;
  const mem = sc.mem;
  const ifp = sc.ifp;
  csr.cfgWrite(ctx, BGE_PCI_MEMWIN_BASEADDR, 0);

  // Buffer manager: the mbuf pool in SRAM 0x8000–0x1ffff, the DMA descriptor pool, watermarks.
  csr.write(ctx, BGE_BMAN_MBUFPOOL_BASEADDR, BGE_BUFFPOOL_1);
  csr.write(ctx, BGE_BMAN_MBUFPOOL_LEN, 0x18000);
  csr.write(ctx, BGE_BMAN_DMA_DESCPOOL_BASEADDR, 0x2000);
  csr.write(ctx, BGE_BMAN_DMA_DESCPOOL_LEN, 0x2000);
  csr.write(ctx, BGE_BMAN_MBUFPOOL_READDMA_LOWAT, 0x50);
  csr.write(ctx, BGE_BMAN_MBUFPOOL_MACRX_LOWAT, 0x20);
  csr.write(ctx, BGE_BMAN_MBUFPOOL_HIWAT, 0x60);
  csr.write(ctx, BGE_BMAN_DMA_DESCPOOL_LOWAT, 5);
  csr.write(ctx, BGE_BMAN_DMA_DESCPOOL_HIWAT, 10);
  csr.write(ctx, BGE_BMAN_MODE, BGE_BLOCK_ENABLE | BGE_BLOCK_ATTN);
  if (!(yield* poll(ctx, sc, BGE_BMAN_MODE, BGE_BLOCK_ENABLE, BGE_BLOCK_ENABLE, BGE_TIMEOUT * 2))) {
    sc.log('buffer manager failed to start', _SLOG_ERROR);
    return Errno.ENXIO;
  }
  csr.write(ctx, BGE_FTQ_RESET, 0xffffffff);
  csr.write(ctx, BGE_FTQ_RESET, 0);
  if (!(yield* poll(ctx, sc, BGE_FTQ_RESET, 0xffffffff, 0, BGE_TIMEOUT * 2))) {
    sc.log('flow-through queue init failed', _SLOG_ERROR);
    return Errno.ENXIO;
  }

  // Standard receive producer ring; jumbo ring present but disabled; mini ring disabled.
  csr.write(ctx, BGE_RX_STD_RCB, 0);
  csr.write(ctx, BGE_RX_STD_RCB + 4, mem.stdRing);
  csr.write(ctx, BGE_RX_STD_RCB + 8, BGE_RCB_MAXLEN_FLAGS(BGE_MAX_FRAMELEN, 0));
  csr.write(ctx, BGE_RX_STD_RCB + 12, BGE_STD_RX_RINGS);
  csr.writembx(ctx, BGE_MBX_RX_STD_PROD_LO, 0);
  csr.write(ctx, BGE_RX_JUMBO_RCB, 0);
  csr.write(ctx, BGE_RX_JUMBO_RCB + 4, mem.jumboRing);
  csr.write(ctx, BGE_RX_JUMBO_RCB + 8, BGE_RCB_MAXLEN_FLAGS(0, BGE_RCB_FLAG_USE_EXT_RX_BD | BGE_RCB_FLAG_RING_DISABLED));
  csr.write(ctx, BGE_RX_JUMBO_RCB + 12, BGE_JUMBO_RX_RINGS);
  csr.writembx(ctx, BGE_MBX_RX_JUMBO_PROD_LO, 0);
  csr.write(ctx, BGE_RX_MINI_RCB + 8, BGE_RCB_MAXLEN_FLAGS(0, BGE_RCB_FLAG_RING_DISABLED));
  csr.writembx(ctx, BGE_MBX_RX_MINI_PROD_LO, 0);
  csr.write(ctx, BGE_RBDI_STD_REPL_THRESH, 8);
  csr.write(ctx, BGE_RBDI_JUMBO_REPL_THRESH, 8);

  // Send ring control blocks: all disabled, then ring 0 = our host ring.
  for (let i = 0; i < BGE_TX_RINGS_EXTSSRAM_MAX; i++) {
    rcbWrite(ctx, sc, BGE_SEND_RING_RCB + 16 * i, 8, BGE_RCB_MAXLEN_FLAGS(0, BGE_RCB_FLAG_RING_DISABLED));
    rcbWrite(ctx, sc, BGE_SEND_RING_RCB + 16 * i, 12, 0);
  }
  rcbWrite(ctx, sc, BGE_SEND_RING_RCB, 0, 0);
  rcbWrite(ctx, sc, BGE_SEND_RING_RCB, 4, mem.txRing);
  rcbWrite(ctx, sc, BGE_SEND_RING_RCB, 12, BGE_NIC_TXRING_ADDR0);
  rcbWrite(ctx, sc, BGE_SEND_RING_RCB, 8, BGE_RCB_MAXLEN_FLAGS(BGE_TX_RING_CNT, 0));

  // Return ring control blocks: all disabled with their consumer mailboxes at 0, then ring 0.
  for (let i = 0; i < BGE_RX_RINGS_MAX; i++) {
    const rcb = BGE_RX_RETURN_RING_RCB + 16 * i;
    rcbWrite(ctx, sc, rcb, 0, 0);
    rcbWrite(ctx, sc, rcb, 4, 0);
    rcbWrite(ctx, sc, rcb, 8, BGE_RCB_MAXLEN_FLAGS(BGE_RETURN_RING_CNT, BGE_RCB_FLAG_RING_DISABLED));
    rcbWrite(ctx, sc, rcb, 12, 0);
    csr.writembx(ctx, BGE_MBX_RX_CONS0_LO + 8 * i, 0);
  }
  rcbWrite(ctx, sc, BGE_RX_RETURN_RING_RCB, 0, 0);
  rcbWrite(ctx, sc, BGE_RX_RETURN_RING_RCB, 4, mem.returnRing);
  rcbWrite(ctx, sc, BGE_RX_RETURN_RING_RCB, 12, 0);
  rcbWrite(ctx, sc, BGE_RX_RETURN_RING_RCB, 8, BGE_RCB_MAXLEN_FLAGS(BGE_RETURN_RING_CNT, 0));

  const lladdr = ifp?.lladdr ?? sc.eaddr;
  let seed = 0;
  for (const b of lladdr) seed += b;
  csr.write(ctx, BGE_TX_RANDOM_BACKOFF, seed & 0x3ff);
  csr.write(ctx, BGE_TX_LENGTHS, 0x2620);
  csr.write(ctx, BGE_RX_RULES_CFG, 0x08);
  csr.write(ctx, BGE_RXLP_CFG, 0x181);
  csr.write(ctx, BGE_RXLP_STATS_ENABLE_MASK, 0x007fffff);
  csr.write(ctx, BGE_RXLP_STATS_CTL, 0x1);

  // Host coalescing: off, idle, then bge's values, the statistics and status blocks, on.
  csr.write(ctx, BGE_HCC_MODE, 0);
  let idle = false;
  for (let i = 0; i < BGE_TIMEOUT * 2 && !idle; i++) {
    yield* DELAY(ctx, 10);
    idle = ((yield* csr.read(ctx, BGE_HCC_MODE)) & BGE_HCCMODE_ENABLE) === 0;
  }
  if (!idle) {
    sc.log('host coalescing engine failed to idle', _SLOG_ERROR);
    return Errno.ENXIO;
  }
  csr.write(ctx, BGE_HCC_RX_COAL_TICKS, BGE_RX_COAL_TICKS);
  csr.write(ctx, BGE_HCC_TX_COAL_TICKS, BGE_TX_COAL_TICKS);
  csr.write(ctx, BGE_HCC_RX_MAX_COAL_BDS, BGE_RX_MAX_COAL_BDS);
  csr.write(ctx, BGE_HCC_TX_MAX_COAL_BDS, BGE_TX_MAX_COAL_BDS);
  csr.write(ctx, BGE_HCC_RX_COAL_TICKS_INT, 0);
  csr.write(ctx, BGE_HCC_TX_COAL_TICKS_INT, 0);
  csr.write(ctx, BGE_HCC_RX_MAX_COAL_BDS_INT, 0);
  csr.write(ctx, BGE_HCC_TX_MAX_COAL_BDS_INT, 0);
  csr.write(ctx, BGE_HCC_STATS_TICKS, BGE_STAT_TICKS);
  csr.write(ctx, BGE_HCC_STATS_BASEADDR, BGE_STATS_BLOCK);
  csr.write(ctx, BGE_HCC_STATS_ADDR_HI, 0);
  csr.write(ctx, BGE_HCC_STATS_ADDR_LO, mem.statsBlock);
  csr.write(ctx, BGE_HCC_STATUSBLK_BASEADDR, BGE_STATUS_BLOCK);
  csr.write(ctx, BGE_HCC_STATUSBLK_ADDR_HI, 0);
  csr.write(ctx, BGE_HCC_STATUSBLK_ADDR_LO, mem.statusBlock);
  ctx.bus.memWrite(mem.statusBlock, new Uint8Array(BGE_STATUS_BLK_SZ));
  csr.write(ctx, BGE_HCC_MODE, BGE_STATBLKSZ_32BYTE | BGE_HCCMODE_ENABLE);

  csr.write(ctx, BGE_RBDC_MODE, BGE_BLOCK_ENABLE | BGE_BLOCK_ATTN);
  csr.write(ctx, BGE_RXLP_MODE, BGE_BLOCK_ENABLE);
  csr.write(ctx, BGE_RXLS_MODE, BGE_BLOCK_ENABLE);
  yield* csr.writeFlush(ctx, BGE_MAC_MODE, BGE_MACMODE_TXDMA_ENB | BGE_MACMODE_RXDMA_ENB | BGE_MACMODE_RX_STATS_CLEAR |
    BGE_MACMODE_TX_STATS_CLEAR | BGE_MACMODE_RX_STATS_ENB | BGE_MACMODE_TX_STATS_ENB | BGE_MACMODE_FRMHDR_DMA_ENB |
    BGE_PORTMODE_MII);
  yield* DELAY(ctx, 40);
  yield* csr.setBit(ctx, BGE_MISC_LOCAL_CTL, BGE_MLC_INTR_ONATTN);
  csr.write(ctx, BGE_DMAC_MODE, BGE_BLOCK_ENABLE);
  yield* csr.writeFlush(ctx, BGE_WDMA_MODE, BGE_BLOCK_ENABLE | BGE_WDMAMODE_ALL_ATTNS);
  yield* DELAY(ctx, 40);
  yield* csr.writeFlush(ctx, BGE_RDMA_MODE, BGE_BLOCK_ENABLE | BGE_RDMAMODE_ALL_ATTNS);
  yield* DELAY(ctx, 40);
  csr.write(ctx, BGE_RDC_MODE, BGE_BLOCK_ENABLE);
  csr.write(ctx, BGE_RDBDI_MODE, BGE_BLOCK_ENABLE);
  csr.write(ctx, BGE_MBCF_MODE, BGE_BLOCK_ENABLE);
  csr.write(ctx, BGE_SDC_MODE, BGE_BLOCK_ENABLE);
  csr.write(ctx, BGE_SBDC_MODE, BGE_BLOCK_ENABLE);
  csr.write(ctx, BGE_RBDI_MODE, BGE_BLOCK_ENABLE);
  csr.write(ctx, BGE_SDI_MODE, BGE_BLOCK_ENABLE);
  csr.write(ctx, BGE_SBDI_MODE, BGE_BLOCK_ENABLE);
  csr.write(ctx, BGE_SRS_MODE, BGE_BLOCK_ENABLE);
  csr.write(ctx, BGE_SDI_STATS_ENABLE_MASK, 0x007fffff);
  csr.write(ctx, BGE_SDI_STATS_CTL, BGE_SDISTATSCTL_ENABLE | BGE_SDISTATSCTL_FASTER);

  // Link: clear pending attentions, MI_STS 0, auto-poll the PHY, link-change attention on.
  csr.write(ctx, BGE_MAC_STS, BGE_MACSTAT_LINK_ATTN_CLEAR);
  csr.write(ctx, BGE_MI_STS, 0);
  sc.autopoll = true;
  csr.write(ctx, BGE_MI_MODE, BGE_MIMODE_BASE | BGE_MIMODE_AUTOPOLL | BGE_MIMODE_PHYADDR(BGE_PHY_ADDR));
  csr.write(ctx, BGE_MAC_STS, BGE_MACSTAT_LINK_ATTN_CLEAR);
  yield* csr.setBit(ctx, BGE_MAC_EVT_ENB, BGE_EVTENB_LINK_CHANGED);
  return 0;
}
