/**
 * devnp-ral's own register header for the Ralink RT2560 (NetBSD sys/dev/ic/rt2560reg.h names; stack/ never
 * imports nic-models/). Offsets are BAR0 byte offsets; every access is 32 bits. The descriptor layouts are
 * the BSD driver's 48-byte `struct rt2560_tx_desc` / `struct rt2560_rx_desc`.
 */

export const RAL_VENDOR_RALINK = 0x1814;
export const RAL_PRODUCT_RT2560 = 0x0201;
/** Other Ralink PCI parts if_ral_pci.c matches (RT2561/RT2561S/RT2661 run rt2661.c, not this driver). */
export const RAL_OTHER_PRODUCTS: Record<number, string> = { 0x0301: 'RT2561S', 0x0302: 'RT2561', 0x0401: 'RT2661' };

// ---- ring sizes (rt2560reg.h) ------------------------------------------------------------------------
export const RT2560_TX_RING_COUNT = 48;
export const RT2560_ATIM_RING_COUNT = 4;
export const RT2560_PRIO_RING_COUNT = 16;
export const RT2560_BEACON_RING_COUNT = 1;
export const RT2560_RX_RING_COUNT = 32;
export const RT2560_TX_DESC_SIZE = 48;
export const RT2560_RX_DESC_SIZE = 48;
/** An mbuf cluster: the size of every DMA buffer the driver posts. */
export const MCLBYTES = 2048;

// ---- PCI configuration space -------------------------------------------------------------------------
export const PCI_COMMAND_STATUS_REG = 0x04;
export const PCI_COMMAND_MEM_ENABLE = 0x0002;
export const PCI_COMMAND_MASTER_ENABLE = 0x0004;
/** if_ral_pci.c RAL_PCI_BAR0. */
export const RAL_PCI_BAR0 = 0x10;

// ---- control and status registers --------------------------------------------------------------------
export const RT2560_CSR0 = 0x0000;
export const RT2560_CSR1 = 0x0004;
export const RT2560_CSR3 = 0x000c;
export const RT2560_CSR4 = 0x0010;
export const RT2560_CSR5 = 0x0014;
export const RT2560_CSR6 = 0x0018;
export const RT2560_CSR7 = 0x001c;
export const RT2560_CSR8 = 0x0020;
export const RT2560_CSR9 = 0x0024;
export const RT2560_SECCSR0 = 0x0028;
export const RT2560_CSR11 = 0x002c;
export const RT2560_CSR12 = 0x0030;
export const RT2560_CSR13 = 0x0034;
export const RT2560_CSR14 = 0x0038;
export const RT2560_CSR15 = 0x003c;
export const RT2560_CSR16 = 0x0040;
export const RT2560_CSR17 = 0x0044;
export const RT2560_CSR18 = 0x0048;
export const RT2560_CSR19 = 0x004c;
export const RT2560_CSR21 = 0x0054;
export const RT2560_TXCSR0 = 0x0060;
export const RT2560_TXCSR1 = 0x0064;
export const RT2560_TXCSR2 = 0x0068;
export const RT2560_TXCSR3 = 0x006c;
export const RT2560_TXCSR4 = 0x0070;
export const RT2560_TXCSR5 = 0x0074;
export const RT2560_TXCSR6 = 0x0078;
export const RT2560_RXCSR0 = 0x0080;
export const RT2560_RXCSR1 = 0x0084;
export const RT2560_RXCSR2 = 0x0088;
export const RT2560_PCICSR = 0x008c;
export const RT2560_RXCSR3 = 0x0090;
export const RT2560_ARSP_PLCP_0 = 0x0098;
export const RT2560_ARSP_PLCP_1 = 0x009c;
export const RT2560_CNT0 = 0x00a0;
export const RT2560_CNT3 = 0x00b8;
export const RT2560_CNT4 = 0x00bc;
export const RT2560_PWRCSR0 = 0x00c4;
export const RT2560_PSCSR0 = 0x00c8;
export const RT2560_PSCSR1 = 0x00cc;
export const RT2560_PSCSR2 = 0x00d0;
export const RT2560_PSCSR3 = 0x00d4;
export const RT2560_PWRCSR1 = 0x00d8;
export const RT2560_TIMECSR = 0x00dc;
export const RT2560_MACCSR0 = 0x00e0;
export const RT2560_MACCSR1 = 0x00e4;
export const RT2560_RALINKCSR = 0x00e8;
export const RT2560_BBPCSR = 0x00f0;
export const RT2560_RFCSR = 0x00f4;
export const RT2560_LEDCSR = 0x00f8;
export const RT2560_SECCSR3 = 0x00fc;
export const RT2560_TXACKCSR0 = 0x0110;
export const RT2560_GPIOCSR = 0x0120;
export const RT2560_BCNOCSR = 0x0130;
export const RT2560_RLPWCSR = 0x0134;
export const RT2560_TESTCSR = 0x0138;
export const RT2560_PLCP1MCSR = 0x013c;
export const RT2560_PLCP2MCSR = 0x0140;
export const RT2560_PLCP5p5MCSR = 0x0144;
export const RT2560_PLCP11MCSR = 0x0148;
export const RT2560_ACKPCTCSR = 0x014c;
export const RT2560_ARTCSR1 = 0x0150;
export const RT2560_ARTCSR2 = 0x0154;
export const RT2560_SECCSR1 = 0x0158;
export const RT2560_BBPCSR1 = 0x015c;

// RXCSR0
export const RT2560_DISABLE_RX = 1 << 0;
export const RT2560_DROP_CRC_ERROR = 1 << 1;
export const RT2560_DROP_PHY_ERROR = 1 << 2;
export const RT2560_DROP_CTL = 1 << 3;
export const RT2560_DROP_NOT_TO_ME = 1 << 4;
export const RT2560_DROP_TODS = 1 << 5;
export const RT2560_DROP_VERSION_ERROR = 1 << 6;
// CSR1
export const RT2560_RESET_ASIC = 1 << 0;
export const RT2560_RESET_BBP = 1 << 1;
export const RT2560_HOST_READY = 1 << 2;
// CSR14
export const RT2560_ENABLE_TSF = 1 << 0;
export const RT2560_ENABLE_TSF_SYNC = (x: number): number => (x & 3) << 1;
export const RT2560_ENABLE_TBCN = 1 << 3;
export const RT2560_ENABLE_BEACON_GENERATOR = 1 << 6;
// CSR21 (93Cx6 EEPROM pins)
export const RT2560_C = 1 << 1;
export const RT2560_S = 1 << 2;
export const RT2560_D = 1 << 3;
export const RT2560_Q = 1 << 4;
export const RT2560_93C46 = 1 << 5;
export const RT2560_SHIFT_D = 3;
export const RT2560_SHIFT_Q = 4;
// TXCSR0
export const RT2560_KICK_TX = 1 << 0;
export const RT2560_KICK_ATIM = 1 << 1;
export const RT2560_KICK_PRIO = 1 << 2;
export const RT2560_ABORT_TX = 1 << 3;
// SECCSR0 / SECCSR1
export const RT2560_KICK_DECRYPT = 1 << 0;
export const RT2560_KICK_ENCRYPT = 1 << 0;
// CSR7 / CSR8
export const RT2560_BEACON_EXPIRE = 0x001;
export const RT2560_WAKEUP_EXPIRE = 0x002;
export const RT2560_ATIM_EXPIRE = 0x004;
export const RT2560_TX_DONE = 0x008;
export const RT2560_ATIM_DONE = 0x010;
export const RT2560_PRIO_DONE = 0x020;
export const RT2560_RX_DONE = 0x040;
export const RT2560_DECRYPTION_DONE = 0x080;
export const RT2560_ENCRYPTION_DONE = 0x100;
/** CSR8 value with the sources rt2560_softintr serves unmasked (1 = masked). */
export const RT2560_INTR_MASK = ~(RT2560_BEACON_EXPIRE | RT2560_WAKEUP_EXPIRE | RT2560_TX_DONE | RT2560_PRIO_DONE |
  RT2560_RX_DONE | RT2560_DECRYPTION_DONE | RT2560_ENCRYPTION_DONE) >>> 0;

// ---- TX descriptor (48 bytes) -------------------------------------------------------------------------
export const TXD_FLAGS = 0;
export const TXD_PHYSADDR = 4;
export const TXD_WME = 8;
export const TXD_PLCP_SIGNAL = 12;
export const TXD_PLCP_SERVICE = 13;
export const TXD_PLCP_LENGTH_LO = 14;
export const TXD_PLCP_LENGTH_HI = 15;
export const TXD_IV = 16;
export const TXD_EIV = 20;
export const TXD_KEY = 24;

export const RT2560_TX_BUSY = 1 << 0;
export const RT2560_TX_VALID = 1 << 1;
export const RT2560_TX_RESULT_MASK = 0x1c;
export const RT2560_TX_SUCCESS = 0 << 2;
export const RT2560_TX_SUCCESS_RETRY = 1 << 2;
export const RT2560_TX_FAIL_RETRY = 2 << 2;
export const RT2560_TX_FAIL_INVALID = 3 << 2;
export const RT2560_TX_FAIL_OTHER = 4 << 2;
export const RT2560_TX_MORE_FRAG = 1 << 8;
export const RT2560_TX_ACK = 1 << 9;
export const RT2560_TX_TIMESTAMP = 1 << 10;
export const RT2560_TX_OFDM = 1 << 11;
export const RT2560_TX_CIPHER_BUSY = 1 << 12;
export const RT2560_TX_IFS_BACKOFF = 0 << 13;
export const RT2560_TX_IFS_SIFS = 1 << 13;
export const RT2560_TX_IFS_NEWBACKOFF = 2 << 13;
export const RT2560_TX_IFS_NONE = 3 << 13;
export const RT2560_TX_LONG_RETRY = 1 << 15;
export const RT2560_TX_CIPHER_MASK = 0xe0000000;
export const RT2560_TX_CIPHER_NONE = 0;
export const RT2560_TX_CIPHER_TKIP = 3 << 29;
export const RT2560_TX_CIPHER_AES = 4 << 29;
export const RT2560_RX_CIPHER_AES = 4 << 29;
export const RT2560_IVOFFSET = (x: number): number => x & 0x3f;
/** RX descriptor flags IV_OFFSET[15:10] (rt2500pci.h RXD_W0_IV_OFFSET; not in rt2560reg.h). */
export const RT2560_RX_IVOFFSET = (x: number): number => (x & 0x3f) << 10;
/** SECCSR0/SECCSR1 ONE_SHOT (rt2500pci.h SECCSR0_ONE_SHOT / SECCSR1_ONE_SHOT; not in rt2560reg.h). */
export const RT2560_ONE_SHOT = 1 << 1;
export const RT2560_LOGCWMAX = (x: number): number => (x & 0xf) << 12;
export const RT2560_LOGCWMIN = (x: number): number => (x & 0xf) << 8;
export const RT2560_AIFSN = (x: number): number => (x & 0x3) << 6;
export const RT2560_PLCP_LENGEXT = 0x80;

// ---- RX descriptor (48 bytes) -------------------------------------------------------------------------
export const RXD_FLAGS = 0;
export const RXD_PHYSADDR = 4;
export const RXD_RATE = 8;
export const RXD_RSSI = 9;
export const RXD_TA = 10;

export const RT2560_RX_BUSY = 1 << 0;
export const RT2560_RX_CRC_ERROR = 1 << 5;
export const RT2560_RX_OFDM = 1 << 6;
export const RT2560_RX_PHY_ERROR = 1 << 7;
export const RT2560_RX_CIPHER_BUSY = 1 << 8;
export const RT2560_RX_ICV_ERROR = 1 << 9;
export const RT2560_RX_CIPHER_MASK = 0xe0000000;

// ---- BBP and RF serial interfaces ---------------------------------------------------------------------
export const RT2560_BBP_BUSY = 1 << 15;
export const RT2560_BBP_WRITE = 1 << 16;
export const RT2560_RF_20BIT = 20 << 24;
export const RT2560_RF_BUSY = 1 << 31;

/** RF register numbers as the RFCSR address field encodes them. */
export const RT2560_RF1 = 0;
export const RT2560_RF2 = 2;
export const RT2560_RF3 = 1;
export const RT2560_RF4 = 3;
export const RT2560_RF1_AUTOTUNE = 0x08000;
export const RT2560_RF3_AUTOTUNE = 0x00040;

export const RT2560_RF_2522 = 0x00;
export const RT2560_RF_2523 = 0x01;
export const RT2560_RF_2524 = 0x02;
export const RT2560_RF_2525 = 0x03;
export const RT2560_RF_2525E = 0x04;
export const RT2560_RF_2526 = 0x05;
export const RT2560_RF_5222 = 0x10;

export const RT2560_BBP_VERSION = 0;
export const RT2560_BBP_TX = 2;
export const RT2560_BBP_RX = 14;
export const RT2560_BBP_ANTA = 0x00;
export const RT2560_BBP_DIVERSITY = 0x01;
export const RT2560_BBP_ANTB = 0x02;
export const RT2560_BBP_ANTMASK = 0x03;
export const RT2560_BBP_FLIPIQ = 0x04;
export const RT2560_JAPAN_FILTER = 0x08;

// ---- EEPROM words ---------------------------------------------------------------------------------------
export const RT2560_EEPROM_CONFIG0 = 16;
export const RT2560_EEPROM_BBP_BASE = 19;
export const RT2560_EEPROM_TXPOWER = 35;
/** Minimum hold time of each CSR21 pin state, µs. */
export const RT2560_EEPROM_DELAY = 1;

// ---- defaults from the reference driver ----------------------------------------------------------------

/** MAC registers rt2560_init writes after the rings (rt2560_def_mac). */
export const RT2560_DEF_MAC: readonly (readonly [number, number])[] = [
  [RT2560_PSCSR0, 0x00020002], [RT2560_PSCSR1, 0x00000002], [RT2560_PSCSR2, 0x00020002],
  [RT2560_PSCSR3, 0x00000002], [RT2560_TIMECSR, 0x00003f21], [RT2560_CSR9, 0x00000780],
  [RT2560_CSR11, 0x07041483], [RT2560_CNT3, 0x00000000], [RT2560_TXCSR1, 0x07614562],
  [RT2560_ARSP_PLCP_0, 0x8c8d8b8a], [RT2560_ACKPCTCSR, 0x7038140a], [RT2560_ARTCSR1, 0x1d21252d],
  [RT2560_ARTCSR2, 0x1919191d], [RT2560_RXCSR0, 0xffffffff], [RT2560_RXCSR3, 0xb3aab3af],
  [RT2560_PCICSR, 0x000003b8], [RT2560_PWRCSR0, 0x3f3b3100], [RT2560_GPIOCSR, 0x0000ff00],
  [RT2560_TESTCSR, 0x000000f0], [RT2560_PWRCSR1, 0x000001ff], [RT2560_MACCSR0, 0x00213223],
  [RT2560_MACCSR1, 0x00235518], [RT2560_RLPWCSR, 0x00000040], [RT2560_RALINKCSR, 0x9a009a11],
  [RT2560_CSR7, 0xffffffff], [RT2560_BBPCSR1, 0x82188200], [RT2560_TXACKCSR0, 0x00000020],
  [RT2560_SECCSR3, 0x0000e78f],
];

/** BBP registers rt2560_bbp_init writes (rt2560_def_bbp). */
export const RT2560_DEF_BBP: readonly (readonly [number, number])[] = [
  [3, 0x02], [4, 0x19], [14, 0x1c], [15, 0x30], [16, 0xac], [17, 0x48], [18, 0x18], [19, 0xff],
  [20, 0x1e], [21, 0x08], [22, 0x08], [23, 0x08], [24, 0x80], [25, 0x50], [26, 0x08], [27, 0x23],
  [30, 0x10], [31, 0x2b], [32, 0xb9], [34, 0x12], [35, 0x50], [39, 0xc4], [40, 0x02], [41, 0x60],
  [53, 0x10], [54, 0x18], [56, 0x08], [57, 0x10], [58, 0x08], [61, 0x60], [62, 0x10], [75, 0xff],
];

/** RF R2 words by channel 1–14, per RF chip (the reference driver's tables). */
export const RT2560_RF2522_R2 = [0x307f6, 0x307fb, 0x30800, 0x30805, 0x3080a, 0x3080f, 0x30814, 0x30819, 0x3081e, 0x30823, 0x30828, 0x3082d, 0x30832, 0x3083e];
export const RT2560_RF2523_R2 = [0x00327, 0x00328, 0x00329, 0x0032a, 0x0032b, 0x0032c, 0x0032d, 0x0032e, 0x0032f, 0x00340, 0x00341, 0x00342, 0x00343, 0x00346];
export const RT2560_RF2524_R2 = RT2560_RF2523_R2;
export const RT2560_RF2525_R2 = [0x20327, 0x20328, 0x20329, 0x2032a, 0x2032b, 0x2032c, 0x2032d, 0x2032e, 0x2032f, 0x20340, 0x20341, 0x20342, 0x20343, 0x20346];
export const RT2560_RF2525_HI_R2 = [0x2032f, 0x20340, 0x20341, 0x20342, 0x20343, 0x20344, 0x20345, 0x20346, 0x20347, 0x20348, 0x20349, 0x2034a, 0x2034b, 0x2034e];
export const RT2560_RF2525E_R2 = [0x2044d, 0x2044e, 0x2044f, 0x20460, 0x20461, 0x20462, 0x20463, 0x20464, 0x20465, 0x20466, 0x20467, 0x20468, 0x20469, 0x2046b];
export const RT2560_RF2526_HI_R2 = [0x0022a, 0x0022b, 0x0022b, 0x0022c, 0x0022c, 0x0022d, 0x0022d, 0x0022e, 0x0022e, 0x0022f, 0x0022d, 0x00240, 0x00240, 0x00241];
export const RT2560_RF2526_R2 = [0x00226, 0x00227, 0x00227, 0x00228, 0x00228, 0x00229, 0x00229, 0x0022a, 0x0022a, 0x0022b, 0x0022b, 0x0022c, 0x0022c, 0x0022d];
/** RF5222 in the 2.4 GHz band: R1, R2, R4 by channel 1–14. */
export const RT2560_RF5222_2GHZ: readonly (readonly [number, number, number])[] = [
  [0x08808, 0x0044d, 0x00282], [0x08808, 0x0044e, 0x00282], [0x08808, 0x0044f, 0x00282], [0x08808, 0x00460, 0x00282],
  [0x08808, 0x00461, 0x00282], [0x08808, 0x00462, 0x00282], [0x08808, 0x00463, 0x00282], [0x08808, 0x00464, 0x00282],
  [0x08808, 0x00465, 0x00282], [0x08808, 0x00466, 0x00282], [0x08808, 0x00467, 0x00282], [0x08808, 0x00468, 0x00282],
  [0x08808, 0x00469, 0x00282], [0x08808, 0x0046b, 0x00286],
];

/** rt2560_get_rf. */
export function rfName(rev: number): string {
  switch (rev) {
    case RT2560_RF_2522: return 'RT2522';
    case RT2560_RF_2523: return 'RT2523';
    case RT2560_RF_2524: return 'RT2524';
    case RT2560_RF_2525: return 'RT2525';
    case RT2560_RF_2525E: return 'RT2525e';
    case RT2560_RF_2526: return 'RT2526';
    case RT2560_RF_5222: return 'RT5222';
    default: return 'unknown';
  }
}
