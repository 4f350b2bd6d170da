/**
 * BCM5701 register offsets and bits, named after Linux `tg3.h` (the datasheet's names are not public; NetBSD
 * `if_bgereg.h` uses the same numbers under BGE_* names). Values only, no logic. Offsets are BAR0 offsets
 * (config-space registers 0x64–0xff also appear at the same BAR0 offset through the config mirror).
 */

/** PCI identity (tg3.h TG3PCI_DEVICE_TIGON3_2 = BCM5701; revision from MISC_HOST_CTRL bits 31:16). */
export const PCI_ID = { VENDOR: 0x14e4, DEVICE: 0x1645, REVISION: 0x15, CLASS: 0x020000, SUBSYS_VENDOR: 0x14e4, SUBSYS_ID: 0x0001 } as const;
/** Chip revision id 0x0105: ASIC_REV_5701 (0x01), CHIPREV_ID_5701_B5 (tg3.h). */
export const CHIP_REV_ID = 0x0105;

/** Device-specific configuration registers (tg3.h TG3PCI_*). */
export const CFG = {
  MSI_DATA: 0x64,
  MISC_HOST_CTRL: 0x68,
  DMA_RW_CTRL: 0x6c,
  PCISTATE: 0x70,
  CLOCK_CTRL: 0x74,
  REG_BASE_ADDR: 0x78,
  MEM_WIN_BASE_ADDR: 0x7c,
  REG_DATA: 0x80,
  MEM_WIN_DATA: 0x84,
  MODE_CTRL: 0x88,
  MISC_CFG: 0x8c,
  MISC_LOCAL_CTRL: 0x90,
  STD_RING_PROD_IDX: 0x98,
  RCV_RET_RING_CON_IDX: 0xa0,
  SND_PROD_IDX: 0xa8,
  INT_MBOX: 0xb0,
  DUAL_MAC_CTRL: 0xb8,
  PRODID_ASICREV: 0xbc,
} as const;

export const MISC_HOST_CTRL_BITS = {
  CLEAR_INT: 0x1,
  MASK_PCI_INT: 0x2,
  BYTE_SWAP: 0x4,
  WORD_SWAP: 0x8,
  PCISTATE_RW: 0x10,
  CLKREG_RW: 0x20,
  REGWORD_SWAP: 0x40,
  INDIR_ACCESS: 0x80,
  IRQ_MASK_MODE: 0x100,
  TAGGED_STATUS: 0x200,
  CHIPREV: 0xffff0000,
} as const;

export const PCISTATE_BITS = {
  FORCE_RESET: 0x1,
  INT_NOT_ACTIVE: 0x2,
  CONV_PCI_MODE: 0x4,
  BUS_SPEED_HIGH: 0x8,
  BUS_32BIT: 0x10,
  ROM_ENABLE: 0x20,
  ROM_RETRY_ENABLE: 0x40,
  FLAT_VIEW: 0x100,
  RETRY_SAME_DMA: 0x2000,
} as const;
/** PCISTATE bits writable while MISC_HOST_CTRL.PCISTATE_RW is set (*(I)*, design §1.3.3). */
export const PCISTATE_WRITABLE = 0x2160;

export const CLOCK_CTRL_BITS = {
  CORECLK_DISABLE: 0x200,
  RXCLK_DISABLE: 0x400,
  TXCLK_DISABLE: 0x800,
  ALTCLK: 0x1000,
  PWRDOWN_PLL133: 0x8000,
  CLK_44MHZ_CORE: 0x40000,
  DELAY_PCI_GRANT: 0x80000000,
} as const;

/** Mailboxes (tg3.h MAILBOX_*; the low dword of each 64-bit slot carries the value). */
export const MBOX = {
  INTERRUPT_0: 0x204,
  RCV_STD_PROD_IDX: 0x26c,
  RCV_JUMBO_PROD_IDX: 0x274,
  RCV_MINI_PROD_IDX: 0x27c,
  RCVRET_CON_IDX_0: 0x284,
  SNDHOST_PROD_IDX_0: 0x304,
  SNDNIC_PROD_IDX_0: 0x384,
} as const;
/** The GRC mailbox alias: BAR0 0x5600 + mailbox offset (tg3.h GRCMBOX_BASE). */
export const GRCMBOX_BASE = 0x5600;

/** MAC block 0x400–0x7ff. */
export const MAC = {
  MODE: 0x400,
  STATUS: 0x404,
  EVENT: 0x408,
  LED_CTRL: 0x40c,
  ADDR_0_HIGH: 0x410,
  ACPI_MBUF_PTR: 0x430,
  ACPI_LEN_OFFSET: 0x434,
  TX_BACKOFF_SEED: 0x438,
  RX_MTU_SIZE: 0x43c,
  PCS_TEST: 0x440,
  TX_AUTO_NEG: 0x444,
  RX_AUTO_NEG: 0x448,
  MI_COM: 0x44c,
  MI_STAT: 0x450,
  MI_MODE: 0x454,
  AUTO_POLL_STATUS: 0x458,
  TX_MODE: 0x45c,
  TX_STATUS: 0x460,
  TX_LENGTHS: 0x464,
  RX_MODE: 0x468,
  RX_STATUS: 0x46c,
  HASH_REG_0: 0x470,
  RCV_RULE_0: 0x480,
  RCV_RULE_CFG: 0x500,
  LOW_WMARK_MAX_RX_FRAME: 0x504,
} as const;

export const MAC_MODE_BITS = {
  RESET: 0x1,
  HALF_DUPLEX: 0x2,
  PORT_MODE: 0xc,
  PORT_INT_LPBACK: 0x10,
  TAGGED_MAC_CTRL: 0x80,
  TX_BURSTING: 0x100,
  MAX_DEFER: 0x200,
  LINK_POLARITY: 0x400,
  RXSTAT_ENABLE: 0x800,
  RXSTAT_CLEAR: 0x1000,
  RXSTAT_FLUSH: 0x2000,
  TXSTAT_ENABLE: 0x4000,
  TXSTAT_CLEAR: 0x8000,
  TXSTAT_FLUSH: 0x10000,
  SEND_CONFIGS: 0x20000,
  MAGIC_PKT_ENABLE: 0x40000,
  ACPI_ENABLE: 0x80000,
  TDE_ENABLE: 0x200000,
  RDE_ENABLE: 0x400000,
  FHDE_ENABLE: 0x800000,
} as const;
/** MAC_MODE bits that clear themselves after acting. */
export const MAC_MODE_SELF_CLEAR = 0x1 | 0x1000 | 0x2000 | 0x8000 | 0x10000;
export const PORT_MODE = { NONE: 0, MII: 1, GMII: 2, TBI: 3 } as const;

export const MAC_STATUS_BITS = {
  PCS_SYNCED: 0x1,
  SIGNAL_DET: 0x2,
  RCVD_CFG: 0x4,
  CFG_CHANGED: 0x8,
  SYNC_CHANGED: 0x10,
  PORT_DEC_ERR: 0x400,
  LNKSTATE_CHANGED: 0x1000,
  MI_COMPLETION: 0x400000,
  MI_INTERRUPT: 0x800000,
  AP_ERROR: 0x1000000,
} as const;
/** MAC_STATUS bits that are write-1-to-clear. */
export const MAC_STATUS_W1C = 0x8 | 0x10 | 0x1000 | 0x400000 | 0x1000000;
/** MAC_STATUS bits that can raise MAC attention (with the MAC_EVENT enable at the same position). */
export const MAC_ATTN_SOURCES = 0x8 | 0x10 | 0x1000 | 0x400000 | 0x800000;

export const TX_MODE_BITS = { RESET: 0x1, ENABLE: 0x2, FLOW_CTRL_ENABLE: 0x10, BIG_BACKOFF: 0x20, LONG_PAUSE: 0x40, MBUF_LOCKUP_FIX: 0x100 } as const;
export const TX_STATUS_BITS = { XOFFED: 0x1, SENT_XOFF: 0x2, SENT_XON: 0x4, LINK_UP: 0x8 } as const;
export const RX_MODE_BITS = {
  RESET: 0x1,
  ENABLE: 0x2,
  FLOW_CTRL_ENABLE: 0x4,
  KEEP_MAC_CTRL: 0x8,
  KEEP_PAUSE: 0x10,
  ACCEPT_OVERSIZED: 0x20,
  ACCEPT_RUNTS: 0x40,
  LEN_CHECK: 0x80,
  PROMISC: 0x100,
  NO_CRC_CHECK: 0x200,
  KEEP_VLAN_TAG: 0x400,
} as const;
export const RX_STATUS_BITS = { REMOTE_TX_XOFFED: 0x1, XOFF_RCVD: 0x2, XON_RCVD: 0x4 } as const;

/** Send/receive block MODE registers (common: b0 RESET, b1 ENABLE, b2 ATTN_ENABLE). */
export const MODE_RESET = 0x1;
export const MODE_ENABLE = 0x2;
export const MODE_ATTN = 0x4;

export const BLOCK = {
  SNDDATAI: 0x0c00,
  SNDDATAC: 0x1000,
  SNDBDS: 0x1400,
  SNDBDI: 0x1800,
  SNDBDC: 0x1c00,
  RCVLPC: 0x2000,
  RCVDBDI: 0x2400,
  RCVDCC: 0x2800,
  RCVBDI: 0x2c00,
  RCVCC: 0x3000,
  RCVLSC: 0x3400,
  MBFREE: 0x3800,
  HOSTCC: 0x3c00,
  MEMARB: 0x4000,
  BUFMGR: 0x4400,
  RDMAC: 0x4800,
  WDMAC: 0x4c00,
  RX_CPU: 0x5000,
  TX_CPU: 0x5400,
  FTQ: 0x5c00,
  MSGINT: 0x6000,
  DMAC: 0x6400,
  GRC: 0x6800,
} as const;

export const SNDDATAI_STATSCTRL = 0x0c08;
export const SNDDATAI_STATSENAB = 0x0c0c;
export const RCVLPC_STATSCTRL = 0x2014;
export const RCVLPC_STATS_ENABLE = 0x2018;
export const STATSCTRL_BITS = { ENABLE: 0x1, FASTUPD: 0x2, CLEAR: 0x4 } as const;

/** Receive BD initiator: ring control blocks (host hi, host lo, maxlen_flags, NIC addr). */
export const RCVDBDI_JUMBO_BD = 0x2440;
export const RCVDBDI_STD_BD = 0x2450;
export const RCVDBDI_MINI_BD = 0x2460;
export const RCVDBDI_STD_CON_IDX = 0x2474;
export const RCVDBDI_STATUS_BITS = { JUMBOBD_NEEDED: 0x4, FRM_TOO_BIG: 0x8, INV_RING_SZ: 0x10 } as const;
export const RCVBDI_STD_THRESH = 0x2c18;

export const HOSTCC = {
  MODE: 0x3c00,
  STATUS: 0x3c04,
  RXCOL_TICKS: 0x3c08,
  TXCOL_TICKS: 0x3c0c,
  RXMAX_FRAMES: 0x3c10,
  TXMAX_FRAMES: 0x3c14,
  RXCOAL_TICK_INT: 0x3c18,
  TXCOAL_TICK_INT: 0x3c1c,
  RXCOAL_MAXF_INT: 0x3c20,
  TXCOAL_MAXF_INT: 0x3c24,
  STAT_COAL_TICKS: 0x3c28,
  STATS_BLK_HOST_ADDR: 0x3c30,
  STATUS_BLK_HOST_ADDR: 0x3c38,
  STATS_BLK_NIC_ADDR: 0x3c40,
  STATUS_BLK_NIC_ADDR: 0x3c44,
  FLOW_ATTN: 0x3c48,
  JUMBO_CON_IDX: 0x3c50,
  STD_CON_IDX: 0x3c54,
  MINI_CON_IDX: 0x3c58,
  RET_PROD_IDX_0: 0x3c80,
  SND_CON_IDX_0: 0x3cc0,
} as const;
export const HOSTCC_MODE_BITS = {
  RESET: 0x1,
  ENABLE: 0x2,
  ATTN: 0x4,
  NOW: 0x8,
  FULL_STATUS: 0x0,
  STATUS_SIZE: 0x180,
  CLRTICK_RXBD: 0x200,
  CLRTICK_TXBD: 0x400,
  NOINT_ON_NOW: 0x800,
  NOINT_ON_FORCE: 0x1000,
} as const;
export const FLOW_ATTN_BITS = { MBUF_LWM: 0x40 } as const;

export const BUFMGR = {
  MODE: 0x4400,
  MB_POOL_ADDR: 0x4408,
  MB_POOL_SIZE: 0x440c,
  MB_RDMA_LOW_WATER: 0x4410,
  MB_MACRX_LOW_WATER: 0x4414,
  MB_HIGH_WATER: 0x4418,
} as const;
/** RDMAC/WDMAC_STATUS: master abort seen. */
export const DMAC_STATUS_MSTABORT = 0x8;
export const RDMAC_STATUS = 0x4804;
export const WDMAC_STATUS = 0x4c04;
export const RX_CPU_MODE_ROMFAIL = 0x40;
export const CPU_MODE_HALT = 0x400;

export const FTQ_RESET = 0x5c00;
/** Flow-through queue numbers (tg3.h FTQ_*: queue k at 0x5c00 + 0x10·k). */
export const FTQ_QUEUES = 0x11;
export const FTQ_DMA_HIGH_READ = 2;
export const FTQ_DMA_HIGH_WRITE = 7;

export const GRC = {
  MODE: 0x6800,
  MISC_CFG: 0x6804,
  LOCAL_CTRL: 0x6808,
  TIMER: 0x680c,
  RX_CPU_EVENT: 0x6810,
  MEM_POWER_UP: 0x6830,
  EEPROM_ADDR: 0x6838,
  EEPROM_DATA: 0x683c,
  EEPROM_CTRL: 0x6840,
  MDI_CTRL: 0x6844,
  SEEPROM_DELAY: 0x6848,
} as const;
export const GRC_MODE_BITS = {
  UPD_ON_COAL: 0x1,
  BSWAP_NONFRM_DATA: 0x2,
  WSWAP_NONFRM_DATA: 0x4,
  BSWAP_DATA: 0x10,
  WSWAP_DATA: 0x20,
  SPLITHDR: 0x100,
  NOFRM_CRACKING: 0x200,
  INCL_CRC: 0x400,
  ALLOW_BAD_FRMS: 0x800,
  NOIRQ_ON_SENDS: 0x2000,
  NOIRQ_ON_RCV: 0x4000,
  FORCE_PCI32BIT: 0x8000,
  HOST_STACKUP: 0x10000,
  HOST_SENDBDS: 0x20000,
  NO_TX_PHDR_CSUM: 0x100000,
  NO_RX_PHDR_CSUM: 0x800000,
  IRQ_ON_TX_CPU_ATTN: 0x1000000,
  IRQ_ON_RX_CPU_ATTN: 0x2000000,
  IRQ_ON_MAC_ATTN: 0x4000000,
  IRQ_ON_DMA_ATTN: 0x8000000,
  IRQ_ON_FLOW_ATTN: 0x10000000,
  NIC_SEND_RINGS_4X: 0x20000000,
} as const;
/** The swap bits both x86 drivers write (0x34): the only byte order the model implements. */
export const GRC_MODE_SWAP_MASK = 0x36;
export const GRC_MODE_LE_HOST_SWAP = 0x34;
export const GRC_MISC_CFG_BITS = { CORECLK_RESET: 0x1, PRESCALAR: 0xfe, BOARD_ID: 0x1e000 } as const;
export const GRC_LOCAL_CTRL_BITS = {
  INT_ACTIVE: 0x1,
  CLEARINT: 0x2,
  SETINT: 0x4,
  INT_ON_ATTN: 0x8,
  GPIO_INPUT3: 0x20,
  GPIO_OE3: 0x40,
  GPIO_OUTPUT3: 0x80,
  GPIO_INPUT0: 0x100,
  GPIO_INPUT1: 0x200,
  GPIO_INPUT2: 0x400,
  GPIO_OE0: 0x800,
  GPIO_OE1: 0x1000,
  GPIO_OE2: 0x2000,
  GPIO_OUTPUT0: 0x4000,
  GPIO_OUTPUT1: 0x8000,
  GPIO_OUTPUT2: 0x10000,
  EXTMEM_ENABLE: 0x20000,
  AUTO_SEEPROM: 0x1000000,
} as const;
export const EEPROM_ADDR_BITS = {
  ADDR: 0xffff,
  CLKPERD: 0x1ff0000,
  START: 0x2000000,
  DEVID: 0x1c000000,
  FSM_RESET: 0x20000000,
  COMPLETE: 0x40000000,
  READ: 0x80000000,
} as const;

/** NIC SRAM map (tg3.h NIC_SRAM_*). */
export const SRAM_SIZE = 0x20000;
export const SRAM = {
  SEND_RCB: 0x100,
  RCV_RET_RCB: 0x200,
  STATS_BLK: 0x300,
  STATUS_BLK: 0xb00,
  FIRMWARE_MBOX: 0xb50,
  DATA_SIG: 0xb54,
  DATA_CFG: 0xb58,
  DATA_VER: 0xb5c,
  DATA_PHY_ID: 0xb74,
  FW_ASF_STATUS_MBOX: 0xc00,
  MAC_ADDR_HIGH_MBOX: 0xc14,
  MAC_ADDR_LOW_MBOX: 0xc18,
  DATA_CFG_2: 0xd38,
  DATA_CFG_3: 0xd3c,
  TX_BUFFER_DESC: 0x4000,
  RX_STD_BUFFER_DESC: 0x6000,
  MBUF_POOL: 0x8000,
} as const;
export const FIRMWARE_MAGIC = 0x4b657654;
export const FIRMWARE_ACK = 0xb49a89ab;
/** "HK" in MAC_ADDR_HIGH_MBOX bits 31:16 (tg3_get_device_address). */
export const MAC_MBOX_SIG = 0x484b;
/** Ring control block maxlen_flags: b1 DISABLED, b0 USE_EXT; ring size/max length in b31:16. */
export const BDINFO_FLAGS_DISABLED = 0x2;
export const BDINFO_FLAGS_USE_EXT = 0x1;

/** Ring sizes on the 5700 family (tg3.h TG3_TX_RING_SIZE, TG3_RX_STD_MAX_SIZE_5700, TG3_RX_RET_MAX_SIZE_5700). */
export const SEND_RING_SIZE = 512;
export const STD_RING_SIZE = 512;
export const RETURN_RING_SIZE = 1024;
export const JUMBO_RING_SIZE = 256;
export const SEND_BD_BYTES = 16;
export const RX_BD_BYTES = 32;

/** Send BD flags (tg3.h TXD_FLAG_*). */
export const TXD_FLAG = {
  TCPUDP_CSUM: 0x1,
  IP_CSUM: 0x2,
  END: 0x4,
  IP_FRAG: 0x8,
  IP_FRAG_END: 0x10,
  VLAN: 0x40,
  COAL_NOW: 0x80,
  NO_CRC: 0x8000,
} as const;

/** Receive BD flags (tg3.h RXD_FLAG_*) and errors (RXD_ERR_*, in err_vlan b31:16). */
export const RXD_FLAG = {
  END: 0x4,
  JUMBO: 0x20,
  VLAN: 0x40,
  ERROR: 0x400,
  MINI: 0x800,
  IP_CSUM: 0x1000,
  TCPUDP_CSUM: 0x2000,
  IS_TCP: 0x4000,
} as const;
export const RXD_ERR = {
  BAD_CRC: 0x10000,
  COLLISION: 0x20000,
  LINK_LOST: 0x40000,
  PHY_DECODE: 0x80000,
  ODD_NIBBLE: 0x100000,
  MAC_ABRT: 0x200000,
  TOO_SMALL: 0x400000,
  NO_RESOURCES: 0x800000,
  HUGE_FRAME: 0x1000000,
} as const;

/** Status block (tg3.h struct tg3_hw_status, little-endian host) and its status word. */
export const SD_STATUS = { UPDATED: 0x1, LINK_CHG: 0x2, ERROR: 0x4 } as const;
export const STATUS_BLOCK_BYTES = { FULL: 0x50, B64: 0x40, B32: 0x20 } as const;
export const STATS_BLOCK_BYTES = 0x800;

/** The MII address of the integrated PHY (tg3 TG3_PHY_MII_ADDR). */
export const PHY_ADDR = 1;
