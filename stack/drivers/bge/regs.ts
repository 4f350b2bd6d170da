/**
 * The driver's register header: the BCM570x registers, bits, SRAM map and descriptor layouts devnp-bge uses,
 * under NetBSD `if_bgereg.h` names (BGE_*). A driver carries its own header: these numbers are the same as
 * the chip model's (nic-models/bcm5701/regs.ts, named after Linux tg3.h) but are deliberately not shared —
 * stack/ never imports nic-models/.
 */

/** PCI IDs: Broadcom BCM5701 (pcidevs PCI_PRODUCT_BROADCOM_BCM5701). */
export const BGE_VENDOR_BROADCOM = 0x14e4;
export const BGE_PRODUCT_BCM5701 = 0x1645;
/** Other Tigon3 functions this driver knows by name but does not drive (probe notes only). */
export const BGE_OTHER_PRODUCTS: Readonly<Record<number, string>> = {
  0x1644: 'BCM5700', 0x1647: 'BCM5703', 0x1648: 'BCM5704C', 0x1653: 'BCM5705', 0x1659: 'BCM5721',
};

/** PCI configuration registers (BGE_PCI_*). */
export const BGE_PCI_CMD = 0x04;
export const BGE_PCI_CACHESZ = 0x0c;
export const BGE_PCI_BAR0 = 0x10;
export const BGE_PCI_SUBSYS = 0x2c;
export const BGE_PCI_MISC_CTL = 0x68;
export const BGE_PCI_DMA_RW_CTL = 0x6c;
export const BGE_PCI_PCISTATE = 0x70;
export const BGE_PCI_REG_BASEADDR = 0x78;
export const BGE_PCI_MEMWIN_BASEADDR = 0x7c;
export const BGE_PCI_REG_DATA = 0x80;
export const BGE_PCI_MEMWIN_DATA = 0x84;

export const PCIM_CMD_MEMEN = 0x0002;
export const PCIM_CMD_BUSMASTEREN = 0x0004;
export const PCIM_CMD_MWIEN = 0x0010;

/** MISC_CTL (config 0x68): BGE_PCIMISCCTL_*. */
export const BGE_PCIMISCCTL_CLEAR_INTA = 0x1;
export const BGE_PCIMISCCTL_MASK_PCI_INTR = 0x2;
export const BGE_PCIMISCCTL_ENDIAN_WORDSWAP = 0x8;
export const BGE_PCIMISCCTL_PCISTATE_RW = 0x10;
export const BGE_PCIMISCCTL_INDIRECT_ACCESS = 0x80;
export const BGE_PCIMISCCTL_ASICREV_SHIFT = 16;
export const BGE_HIF_SWAP_OPTIONS = BGE_PCIMISCCTL_ENDIAN_WORDSWAP;
/** bge_chipinit's value: swap options, CLEAR_INTA, MASK_PCI_INTR, INDIRECT_ACCESS (0x8b). */
export const BGE_INIT = BGE_HIF_SWAP_OPTIONS | BGE_PCIMISCCTL_CLEAR_INTA | BGE_PCIMISCCTL_MASK_PCI_INTR | BGE_PCIMISCCTL_INDIRECT_ACCESS;

/** PCISTATE (config 0x70). */
export const BGE_PCISTATE_INTR_STATE = 0x2; // 1 = INTA# not asserted
export const BGE_PCISTATE_PCI_BUSMODE = 0x4; // 1 = conventional PCI, 0 = PCI-X
export const BGE_PCISTATE_PCI_BUSSPEED = 0x8;
export const BGE_PCISTATE_32BIT_BUS = 0x10;
export const BGE_PCISTATE_ROM_ENABLE = 0x20;
export const BGE_PCISTATE_ROM_RETRY_ENABLE = 0x40;

/** DMA_RW_CTL for a conventional-PCI 5700-family chip (bge_chipinit: READ 0x6, WRITE 0x7, watermarks 7/7, 0x0f). */
export const BGE_DMA_RW_CTL_PCI = 0x76ff000f;

/** Chip id (config 0x68 bits 31:16 shifted down) and its decoding. */
export const BGE_CHIPID_BCM5701_B5 = 0x0105;
export function bgeAsicRev(chipid: number): number {
  return chipid >>> 12;
}
export const BGE_ASICREV_BCM5701 = 0x0;
export const BGE_ASICREV_BCM5700 = 0x7;

/** Mailboxes (low dword of each 64-bit slot). */
export const BGE_MBX_IRQ0_LO = 0x0204;
export const BGE_MBX_RX_STD_PROD_LO = 0x026c;
export const BGE_MBX_RX_JUMBO_PROD_LO = 0x0274;
export const BGE_MBX_RX_MINI_PROD_LO = 0x027c;
export const BGE_MBX_RX_CONS0_LO = 0x0284;
export const BGE_MBX_TX_HOST_PROD0_LO = 0x0304;
export const BGE_MBX_TX_NIC_PROD0_LO = 0x0384;

/** MAC registers. */
export const BGE_MAC_MODE = 0x0400;
export const BGE_MAC_STS = 0x0404;
export const BGE_MAC_EVT_ENB = 0x0408;
export const BGE_MAC_ADDR1_LO = 0x0410;
export const BGE_MAC_ADDR1_HI = 0x0414;
export const BGE_TX_RANDOM_BACKOFF = 0x0438;
export const BGE_RX_MTU = 0x043c;
export const BGE_MI_COMM = 0x044c;
export const BGE_MI_STS = 0x0450;
export const BGE_MI_MODE = 0x0454;
export const BGE_TX_MODE = 0x045c;
export const BGE_TX_LENGTHS = 0x0464;
export const BGE_RX_MODE = 0x0468;
export const BGE_RX_STS = 0x046c;
export const BGE_MAR0 = 0x0470;
export const BGE_RX_RULES_CFG = 0x0500;
export const BGE_MAX_RX_FRAME_LOWAT = 0x0504;

export const BGE_MACMODE_HALF_DUPLEX = 0x00000002;
export const BGE_MACMODE_PORTMODE = 0x0000000c;
export const BGE_PORTMODE_MII = 0x00000004;
export const BGE_PORTMODE_GMII = 0x00000008;
export const BGE_MACMODE_RX_STATS_ENB = 0x00000800;
export const BGE_MACMODE_RX_STATS_CLEAR = 0x00001000;
export const BGE_MACMODE_TX_STATS_ENB = 0x00004000;
export const BGE_MACMODE_TX_STATS_CLEAR = 0x00008000;
export const BGE_MACMODE_TXDMA_ENB = 0x00200000;
export const BGE_MACMODE_RXDMA_ENB = 0x00400000;
export const BGE_MACMODE_FRMHDR_DMA_ENB = 0x00800000;

export const BGE_MACSTAT_CFG_CHANGED = 0x00000008;
export const BGE_MACSTAT_SYNC_CHANGED = 0x00000010;
export const BGE_MACSTAT_LINK_CHANGED = 0x00001000;
export const BGE_MACSTAT_MI_COMPLETE = 0x00400000;
/** What bge_link_upd and bge_blockinit write to clear the link attention. */
export const BGE_MACSTAT_LINK_ATTN_CLEAR = BGE_MACSTAT_SYNC_CHANGED | BGE_MACSTAT_CFG_CHANGED | BGE_MACSTAT_MI_COMPLETE | BGE_MACSTAT_LINK_CHANGED;
export const BGE_EVTENB_LINK_CHANGED = 0x00001000;

export const BGE_MICOMM_DATA = 0x0000ffff;
export const BGE_MICMD_WRITE = 0x04000000;
export const BGE_MICMD_READ = 0x08000000;
export const BGE_MICOMM_READFAIL = 0x10000000;
export const BGE_MICOMM_BUSY = 0x20000000;
export const BGE_MIPHY = (phy: number): number => (phy & 0x1f) << 21;
export const BGE_MIREG = (reg: number): number => (reg & 0x1f) << 16;
export const BGE_MISTS_LINK = 0x1;
export const BGE_MIMODE_AUTOPOLL = 0x00000010;
export const BGE_MIMODE_BASE = 0x000c0000;
export const BGE_MIMODE_PHYADDR = (phy: number): number => (phy & 0x1f) << 5;

export const BGE_TXMODE_ENABLE = 0x2;
export const BGE_TXMODE_FLOWCTL_ENABLE = 0x10;
export const BGE_RXMODE_ENABLE = 0x2;
export const BGE_RXMODE_FLOWCTL_ENABLE = 0x4;
export const BGE_RXMODE_RX_PROMISC = 0x100;
export const BGE_RXSTAT_REMOTE_XOFFED = 0x1;
export const BGE_RXSTAT_RCVD_XOFF = 0x2;
export const BGE_RXSTAT_RCVD_XON = 0x4;

/** State machine blocks: each MODE register has ENABLE at bit 1 (and ATTN at bit 2 where present). */
export const BGE_SDI_MODE = 0x0c00;
export const BGE_SDI_STATS_CTL = 0x0c08;
export const BGE_SDI_STATS_ENABLE_MASK = 0x0c0c;
export const BGE_SDC_MODE = 0x1000;
export const BGE_SRS_MODE = 0x1400;
export const BGE_SBDI_MODE = 0x1800;
export const BGE_SBDC_MODE = 0x1c00;
export const BGE_RXLP_MODE = 0x2000;
export const BGE_RXLP_CFG = 0x2010;
export const BGE_RXLP_STATS_CTL = 0x2014;
export const BGE_RXLP_STATS_ENABLE_MASK = 0x2018;
export const BGE_RDBDI_MODE = 0x2400;
export const BGE_RX_JUMBO_RCB = 0x2440;
export const BGE_RX_STD_RCB = 0x2450;
export const BGE_RX_MINI_RCB = 0x2460;
export const BGE_RDC_MODE = 0x2800;
export const BGE_RBDI_MODE = 0x2c00;
export const BGE_RBDI_STD_REPL_THRESH = 0x2c18;
export const BGE_RBDI_JUMBO_REPL_THRESH = 0x2c1c;
export const BGE_RBDC_MODE = 0x3000;
export const BGE_RXLS_MODE = 0x3400;
export const BGE_MBCF_MODE = 0x3800;
export const BGE_HCC_MODE = 0x3c00;
export const BGE_HCC_RX_COAL_TICKS = 0x3c08;
export const BGE_HCC_TX_COAL_TICKS = 0x3c0c;
export const BGE_HCC_RX_MAX_COAL_BDS = 0x3c10;
export const BGE_HCC_TX_MAX_COAL_BDS = 0x3c14;
export const BGE_HCC_RX_COAL_TICKS_INT = 0x3c18;
export const BGE_HCC_TX_COAL_TICKS_INT = 0x3c1c;
export const BGE_HCC_RX_MAX_COAL_BDS_INT = 0x3c20;
export const BGE_HCC_TX_MAX_COAL_BDS_INT = 0x3c24;
export const BGE_HCC_STATS_TICKS = 0x3c28;
export const BGE_HCC_STATS_ADDR_HI = 0x3c30;
export const BGE_HCC_STATS_ADDR_LO = 0x3c34;
export const BGE_HCC_STATUSBLK_ADDR_HI = 0x3c38;
export const BGE_HCC_STATUSBLK_ADDR_LO = 0x3c3c;
export const BGE_HCC_STATS_BASEADDR = 0x3c40;
export const BGE_HCC_STATUSBLK_BASEADDR = 0x3c44;
export const BGE_MARB_MODE = 0x4000;
export const BGE_BMAN_MODE = 0x4400;
export const BGE_BMAN_MBUFPOOL_BASEADDR = 0x4408;
export const BGE_BMAN_MBUFPOOL_LEN = 0x440c;
export const BGE_BMAN_MBUFPOOL_READDMA_LOWAT = 0x4410;
export const BGE_BMAN_MBUFPOOL_MACRX_LOWAT = 0x4414;
export const BGE_BMAN_MBUFPOOL_HIWAT = 0x4418;
export const BGE_BMAN_DMA_DESCPOOL_BASEADDR = 0x442c;
export const BGE_BMAN_DMA_DESCPOOL_LEN = 0x4430;
export const BGE_BMAN_DMA_DESCPOOL_LOWAT = 0x4434;
export const BGE_BMAN_DMA_DESCPOOL_HIWAT = 0x4438;
export const BGE_RDMA_MODE = 0x4800;
export const BGE_WDMA_MODE = 0x4c00;
export const BGE_RXCPU_MODE = 0x5000;
export const BGE_FTQ_RESET = 0x5c00;
export const BGE_DMAC_MODE = 0x6400;

export const BGE_BLOCK_ENABLE = 0x2;
export const BGE_BLOCK_ATTN = 0x4;
export const BGE_RDMAMODE_ALL_ATTNS = 0x3fc;
export const BGE_WDMAMODE_ALL_ATTNS = 0x3fc;
export const BGE_SDISTATSCTL_ENABLE = 0x1;
export const BGE_SDISTATSCTL_FASTER = 0x2;
export const BGE_HCCMODE_ENABLE = 0x2;
export const BGE_HCCMODE_COAL_NOW = 0x8;
export const BGE_STATBLKSZ_32BYTE = 0x100;
export const BGE_RXCPUMODE_ROMFAIL = 0x40;

/** GRC registers. */
export const BGE_MODE_CTL = 0x6800;
export const BGE_MISC_CFG = 0x6804;
export const BGE_MISC_LOCAL_CTL = 0x6808;
export const BGE_EE_ADDR = 0x6838;
export const BGE_EE_DATA = 0x683c;

export const BGE_MODECTL_WORDSWAP_NONFRAME = 0x00000004;
export const BGE_MODECTL_BYTESWAP_DATA = 0x00000010;
export const BGE_MODECTL_WORDSWAP_DATA = 0x00000020;
export const BGE_MODECTL_FORCE_PCI32 = 0x00008000;
export const BGE_MODECTL_STACKUP = 0x00010000;
export const BGE_MODECTL_HOST_SEND_BDS = 0x00020000;
export const BGE_MODECTL_TX_NO_PHDR_CSUM = 0x00100000;
export const BGE_MODECTL_MAC_ATTN_INTR = 0x04000000;
/** Little-endian host (if_bgereg.h BGE_DMA_SWAP_OPTIONS): 0x34. */
export const BGE_DMA_SWAP_OPTIONS = BGE_MODECTL_WORDSWAP_NONFRAME | BGE_MODECTL_BYTESWAP_DATA | BGE_MODECTL_WORDSWAP_DATA;

export const BGE_MISCCFG_RESET_CORE_CLOCKS = 0x00000001;
/** Timer prescaler for a 66 MHz core clock: 65 << 1 (one coalescing tick = 1 µs). */
export const BGE_32BITTIME_66MHZ = 0x00000082;

export const BGE_MLC_INTR_SET = 0x00000004;
export const BGE_MLC_INTR_ONATTN = 0x00000008;
export const BGE_MLC_AUTO_EEPROM = 0x01000000;

export const BGE_EEADDR_DONE = 0x40000000;
export const BGE_EEADDR_START = 0x02000000;
export const BGE_EEADDR_READ = 0x80000000;
export const BGE_EEADDR_RESET = 0x20000000;
export const BGE_HALFCLK_384SCL = 0x180;
export const BGE_EEHALFCLK = (x: number): number => (x & 0x1ff) << 16;
export const BGE_EE_READCMD = BGE_EEHALFCLK(BGE_HALFCLK_384SCL) | BGE_EEADDR_START | BGE_EEADDR_READ | BGE_EEADDR_DONE;
/** EEPROM layout: the station address at BGE_EE_MAC_OFFSET + 2, the hardware config word at 0xc8. */
export const BGE_EE_MAC_OFFSET = 0x7c;
export const BGE_EE_HWCFG_OFFSET = 0xc8;

/** NIC SRAM map and the memory window (BAR0 0x8000–0xffff shows 32 KiB of SRAM at MEMWIN_BASEADDR). */
export const BGE_MEMWIN_START = 0x8000;
export const BGE_SEND_RING_RCB = 0x0100;
export const BGE_RX_RETURN_RING_RCB = 0x0200;
export const BGE_STATS_BLOCK = 0x0300;
export const BGE_STATS_BLOCK_END = 0x0aff;
export const BGE_STATUS_BLOCK = 0x0b00;
export const BGE_STATUS_BLOCK_END = 0x0b4f;
export const BGE_SRAM_FW_MB = 0x0b50;
export const BGE_SRAM_DATA_SIG = 0x0b54;
export const BGE_SRAM_DATA_CFG = 0x0b58;
export const BGE_SRAM_DATA_VER = 0x0b5c;
export const BGE_SRAM_MAC_ADDR_HIGH_MB = 0x0c14;
export const BGE_SRAM_MAC_ADDR_LOW_MB = 0x0c18;
export const BGE_SRAM_FW_MB_MAGIC = 0x4b657654;
export const BGE_SRAM_DATA_SIG_MAGIC = 0x4b657654;
export const BGE_NIC_TXRING_ADDR0 = 0x4000;
export const BGE_STD_RX_RINGS = 0x6000;
export const BGE_JUMBO_RX_RINGS = 0x7000;
export const BGE_BUFFPOOL_1 = 0x8000;
export const BGE_HWCFG_ASF = 0x80;
export const BGE_HWCFG_MEDIA = 0x30;
export const BGE_MEDIA_FIBER = 0x20;

/** Rings (5700 family). */
export const BGE_TX_RING_CNT = 512;
export const BGE_STD_RX_RING_CNT = 512;
export const BGE_JUMBO_RX_RING_CNT = 256;
export const BGE_RETURN_RING_CNT = 1024;
/** Standard receive buffers posted at init (if_bgevar.h BGE_SSLOTS). */
export const BGE_SSLOTS = 256;
export const BGE_TX_RINGS_EXTSSRAM_MAX = 16;
export const BGE_RX_RINGS_MAX = 16;
export const BGE_MAX_FRAMELEN = 1536;
export const BGE_RCB_FLAG_USE_EXT_RX_BD = 0x1;
export const BGE_RCB_FLAG_RING_DISABLED = 0x2;
export const BGE_RCB_MAXLEN_FLAGS = (maxlen: number, flags: number): number => ((maxlen << 16) | flags) >>> 0;

/** Send BD (struct bge_tx_bd, 16 bytes LE): addr hi, addr lo, flags | len << 16, vlan_tag. */
export const BGE_TX_BD_SIZE = 16;
export const BGE_TXBDFLAG_TCP_UDP_CSUM = 0x0001;
export const BGE_TXBDFLAG_IP_CSUM = 0x0002;
export const BGE_TXBDFLAG_END = 0x0004;
export const BGE_TXBDFLAG_VLAN_TAG = 0x0040;

/**
 * Receive BD (struct bge_rx_bd, 32 bytes LE): addr hi, addr lo, len | idx << 16, flags | type << 16,
 * tcp_udp_csum | ip_csum << 16, vlan_tag | error_flag << 16, reserved, opaque.
 */
export const BGE_RX_BD_SIZE = 32;
export const BGE_RXBDFLAG_END = 0x0004;
export const BGE_RXBDFLAG_JUMBO_RING = 0x0020;
export const BGE_RXBDFLAG_VLAN_TAG = 0x0040;
export const BGE_RXBDFLAG_ERROR = 0x0400;
export const BGE_RXBDFLAG_IP_CSUM = 0x1000;
export const BGE_RXBDFLAG_TCP_UDP_CSUM = 0x2000;

/** Status block (struct bge_status_block, 32-byte mode). */
export const BGE_STATUS_BLK_SZ = 32;
export const BGE_STATFLAG_UPDATED = 0x1;
export const BGE_STATFLAG_LINKSTATE_CHANGED = 0x2;
export const BGE_STATFLAG_ERROR = 0x4;
export const BGE_SB_STATUS = 0x00;
export const BGE_SB_RX_STD_CONS = 0x0a;
export const BGE_SB_RX_PROD0 = 0x10;
export const BGE_SB_TX_CONS0 = 0x12;

/** Size of the statistics block the chip DMAs (struct bge_stats). */
export const BGE_STATS_SZ = 0x800;

/** Driver timeouts (if_bgereg.h BGE_TIMEOUT as of netbsd-8: 100000 polls). */
export const BGE_TIMEOUT = 100000;
/** Ethernet framing used by the ring code. */
export const ETHER_ALIGN = 2;
export const ETHER_CRC_LEN = 4;
export const ETHER_HDR_LEN = 14;
export const ETHER_VLAN_ENCAP_LEN = 4;
export const ETHER_MIN_NOPAD = 60;
export const MCLBYTES = 2048;
