/**
 * Ralink RT2560 (RT2500 PCI) register offsets, bits and descriptor layouts, named after Linux `rt2500pci.h` (the
 * names Ralink's own headers use); NetBSD `rt2560reg.h` gives the same numbers under RT2560_* names (noted where
 * they differ). Values only, no logic. Items marked *(I)* are inferred, not read in a source.
 */

/** PCI identity: 1814:0201, class "other network controller" (rt2500pci_device_table; NetBSD pcidevs RT2560). */
export const PCI_ID = { VENDOR: 0x1814, DEVICE: 0x0201, REVISION: 0x01, CLASS: 0x028000 } as const;
/** BAR0: 8 KiB of memory space *(I: only 0x000–0x19c decodes registers)*. */
export const BAR0_SIZE = 0x2000;
/** CSR0 revision: RT2560_VERSION_D (rt2500pci_link_tuner treats revisions below D differently). */
export const ASIC_REVISION = 4;

/** Control/status registers (rt2500pci.h). */
export const CSR = {
  CSR0: 0x000, CSR1: 0x004, CSR2: 0x008, CSR3: 0x00c, CSR4: 0x010, CSR5: 0x014, CSR6: 0x018, CSR7: 0x01c, CSR8: 0x020,
  CSR9: 0x024, SECCSR0: 0x028, CSR11: 0x02c, CSR12: 0x030, CSR13: 0x034, CSR14: 0x038, CSR15: 0x03c, CSR16: 0x040,
  CSR17: 0x044, CSR18: 0x048, CSR19: 0x04c, CSR20: 0x050, CSR21: 0x054, CSR22: 0x058,
  TXCSR0: 0x060, TXCSR1: 0x064, TXCSR2: 0x068, TXCSR3: 0x06c, TXCSR4: 0x070, TXCSR5: 0x074, TXCSR6: 0x078, TXCSR7: 0x07c,
  RXCSR0: 0x080, RXCSR1: 0x084, RXCSR2: 0x088, PCICSR: 0x08c, RXCSR3: 0x090, TXCSR9: 0x094, TXCSR8: 0x098, ARCSR1: 0x09c,
  CNT0: 0x0a0, TIMECSR2: 0x0a8, CNT1: 0x0ac, CNT2: 0x0b0, TIMECSR3: 0x0b4, CNT3: 0x0b8, CNT4: 0x0bc, CNT5: 0x0c0,
  PWRCSR0: 0x0c4, PSCSR0: 0x0c8, PSCSR1: 0x0cc, PSCSR2: 0x0d0, PSCSR3: 0x0d4, PWRCSR1: 0x0d8, TIMECSR: 0x0dc,
  MACCSR0: 0x0e0, MACCSR1: 0x0e4, RALINKCSR: 0x0e8, BCNCSR: 0x0ec, BBPCSR: 0x0f0, RFCSR: 0x0f4, LEDCSR: 0x0f8,
  SECCSR3: 0x0fc, RXPTR: 0x100, TXPTR: 0x104, PRIPTR: 0x108, ATIMPTR: 0x10c, TXACKCSR0: 0x110, ACKCNT0: 0x114,
  ACKCNT1: 0x118, GPIOCSR: 0x120, BBPPCSR: 0x124, FIFOCSR0: 0x128, FIFOCSR1: 0x12c, BCNCSR1: 0x130, MACCSR2: 0x134,
  TESTCSR: 0x138, ARCSR2: 0x13c, ARCSR3: 0x140, ARCSR4: 0x144, ARCSR5: 0x148, ARTCSR0: 0x14c, ARTCSR1: 0x150,
  ARTCSR2: 0x154, SECCSR1: 0x158, BBPCSR1: 0x15c, DBANDCSR0: 0x160, DBANDCSR1: 0x164, BBPPCSR2: 0x168, DBGSEL0: 0x16c,
  DBGSEL1: 0x170, BISTCSR: 0x174, MCAST0: 0x178, MCAST1: 0x17c, UARTCSR0: 0x180, UARTCSR1: 0x184, UARTCSR3: 0x188,
  UARTCSR4: 0x18c, UART2CSR0: 0x190, UART2CSR1: 0x194, UART2CSR3: 0x198, UART2CSR4: 0x19c,
} as const;

export const CSR1_BITS = { SOFT_RESET: 0x1, BBP_RESET: 0x2, HOST_READY: 0x4 } as const;

/** CSR7 interrupt sources (write 1 to clear) and CSR8 masks (1 = masked): the same bit for the same event. */
export const INT = {
  TBCN_EXPIRE: 0x001, TWAKE_EXPIRE: 0x002, TATIMW_EXPIRE: 0x004, TXDONE_TXRING: 0x008, TXDONE_ATIMRING: 0x010,
  TXDONE_PRIORING: 0x020, RXDONE: 0x040, DECRYPTION_DONE: 0x080, ENCRYPTION_DONE: 0x100,
} as const;
/** Every source bit rt2500pci.h names (UART and TIMER_CSR3 sources included; this model raises the nine above). */
export const INT_ALL = 0x000fffff;

export const CSR11_BITS = { CWMIN: 0x0000000f, CWMAX: 0x000000f0, SLOT_TIME: 0x00001f00, CW_SELECT: 0x00002000, LONG_RETRY: 0x00ff0000, SHORT_RETRY: 0xff000000 } as const;
export const CSR14_BITS = {
  TSF_COUNT: 0x1, TSF_SYNC: 0x6, TBCN: 0x8, TCFP: 0x10, TATIMW: 0x20, BEACON_GEN: 0x40, CFP_COUNT_PRELOAD: 0xff00, TBCM_PRELOAD: 0xffff0000,
} as const;
export const CSR15_BITS = { CFP: 0x1, ATIMW: 0x2, BEACON_SENT: 0x4 } as const;
/** CSR21: the 93Cx6 pins. DATA_IN is the host's DI output to the EEPROM, DATA_OUT the EEPROM's DO pin. */
export const CSR21_BITS = { RELOAD: 0x1, EEPROM_DATA_CLOCK: 0x2, EEPROM_CHIP_SELECT: 0x4, EEPROM_DATA_IN: 0x8, EEPROM_DATA_OUT: 0x10, TYPE_93C46: 0x20 } as const;
export const TXCSR0_BITS = { KICK_TX: 0x1, KICK_ATIM: 0x2, KICK_PRIO: 0x4, ABORT: 0x8 } as const;
export const TXCSR1_BITS = { ACK_TIMEOUT: 0x000001ff, ACK_CONSUME_TIME: 0x0003fe00, TSF_OFFSET: 0x00fc0000, AUTORESPONDER: 0x01000000 } as const;
export const RXCSR0_BITS = {
  DISABLE_RX: 0x001, DROP_CRC: 0x002, DROP_PHYSICAL: 0x004, DROP_CONTROL: 0x008, DROP_NOT_TO_ME: 0x010, DROP_TODS: 0x020,
  DROP_VERSION_ERROR: 0x040, PASS_CRC: 0x080, PASS_PLCP: 0x100, DROP_MCAST: 0x200, DROP_BCAST: 0x400, ENABLE_QOS: 0x800,
} as const;
export const PWRCSR1_BITS = { SET_STATE: 0x1, BBP_DESIRE_STATE: 0x6, RF_DESIRE_STATE: 0x18, BBP_CURR_STATE: 0x60, RF_CURR_STATE: 0x180, PUT_TO_SLEEP: 0x200 } as const;
/** Power states of PWRCSR1 (rt2x00 enum dev_state): 0 deep sleep, 1 sleep, 2 standby, 3 awake. */
export const STATE_AWAKE = 3;
export const BBPCSR_BITS = { VALUE: 0x000000ff, REGNUM: 0x00007f00, BUSY: 0x00008000, WRITE_CONTROL: 0x00010000 } as const;
export const RFCSR_BITS = { VALUE: 0x00ffffff, NUMBER_OF_BITS: 0x1f000000, IF_SELECT: 0x20000000, PLL_LD: 0x40000000, BUSY: 0x80000000 } as const;
/** SECCSR0 (decrypt, RX ring) and SECCSR1 (encrypt, TX ring): kick, one-shot mode, descriptor address. */
export const SECCSR_BITS = { KICK: 0x1, ONE_SHOT: 0x2, DESC_ADDRESS: 0xfffffffc } as const;
export const BCNCSR1_BITS = { PRELOAD: 0x0000ffff, BEACON_CWMIN: 0x000f0000 } as const;
export const GPIOCSR_BITS = { VAL0: 0x01, DIR0: 0x100 } as const;

// ---- descriptors (rt2500pci.h TXD_W* / RXD_W*; NetBSD struct rt2560_tx_desc / rt2560_rx_desc) ----

/** TX descriptor word 0. NetBSD: BUSY = OWNER_NIC, CIPHER_BUSY = CIPHER_OWNER, LONG_RETRY = RETRY_MODE. */
export const TXD_W0 = {
  OWNER_NIC: 0x00000001, VALID: 0x00000002, RESULT: 0x0000001c, RETRY_COUNT: 0x000000e0, MORE_FRAG: 0x00000100,
  ACK: 0x00000200, TIMESTAMP: 0x00000400, OFDM: 0x00000800, CIPHER_OWNER: 0x00001000, IFS: 0x00006000,
  RETRY_MODE: 0x00008000, DATABYTE_COUNT: 0x0fff0000, CIPHER_ALG: 0xe0000000,
} as const;
export const TXD_W2 = { IV_OFFSET: 0x0000003f, AIFS: 0x000000c0, CWMIN: 0x00000f00, CWMAX: 0x0000f000 } as const;
export const TXD_W10 = { RTS: 0x1, TX_RATE: 0xfe } as const;
/** TX RESULT codes (NetBSD RT2560_TX_SUCCESS … RT2560_TX_FAIL_OTHER). */
export const TX_RESULT = { SUCCESS: 0, SUCCESS_RETRY: 1, FAIL_RETRY: 2, FAIL_INVALID: 3, FAIL_OTHER: 4 } as const;
/** TXD_W0_IFS: NetBSD RT2560_TX_IFS_BACKOFF, _SIFS, _NEWBACKOFF, _NONE. */
export const IFS = { BACKOFF: 0, SIFS: 1, NEWBACKOFF: 2, NONE: 3 } as const;

export const RXD_W0 = {
  OWNER_NIC: 0x00000001, UNICAST_TO_ME: 0x00000002, MULTICAST: 0x00000004, BROADCAST: 0x00000008, MY_BSS: 0x00000010,
  CRC_ERROR: 0x00000020, OFDM: 0x00000040, PHYSICAL_ERROR: 0x00000080, CIPHER_OWNER: 0x00000100, ICV_ERROR: 0x00000200,
  IV_OFFSET: 0x0000fc00, DATABYTE_COUNT: 0x0fff0000, CIPHER_ALG: 0xe0000000,
} as const;
/** Cipher algorithms of the descriptors' CIPHER_ALG field (NetBSD RT2560_TX_CIPHER_*). */
export const CIPHER = { NONE: 0, WEP40: 1, WEP104: 2, TKIP: 3, AES: 4 } as const;

/** Bytes of the descriptor words the chip uses: W0–W3 and W10 (Linux TXD_DESC_SIZE 44; NetBSD 48). */
export const DESC_WORDS_USED = 11;
/** The smallest stride that holds W0–W3 (a driver giving less gets its descriptors overlapped; traced). */
export const MIN_DESC_SIZE = 16;

/** The RSSI offset: RXD_W2.RSSI = dBm + 121 (rt2500pci.h DEFAULT_RSSI_OFFSET). */
export const RSSI_OFFSET = 121;

/** EEPROM words (rt2500pci.h EEPROM_*; NetBSD RT2560_EEPROM_*). */
export const EEPROM_WORD = { MAC_ADDR_0: 0x02, ANTENNA: 0x10, NIC: 0x11, GEOGRAPHY: 0x12, BBP_START: 0x13, TXPOWER_START: 0x23, CALIBRATE_OFFSET: 0x3e } as const;
/** EEPROM_ANTENNA.RF_TYPE values (rt2500pci.h RF2522 … RF5222). */
export const RF_TYPE = { RF2522: 0x00, RF2523: 0x01, RF2524: 0x02, RF2525: 0x03, RF2525E: 0x04, RF5222: 0x10 } as const;

/** The BBP version register R0: any value but 0x00 and 0xff (rt2500pci_wait_bbp_ready) *(I: the real value is unpublished)*. */
export const BBP_VERSION = 0x11;
/** BBP registers the drivers program (rt2500pci_init_bbp and NetBSD rt2560_def_bbp; R2 TX antenna, R14 RX antenna, R17 VGC, R70 Japan filter). */
export const BBP_R = { VERSION: 0, TX: 2, RX: 14, VGC: 17, JAPAN: 70 } as const;
