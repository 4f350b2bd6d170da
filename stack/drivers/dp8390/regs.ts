/**
 * DP8390 (NIC core) and NE2000 (ASIC) register numbers and bits, as drivers name them. Names follow the
 * National DP8390D datasheet ("Register Descriptions"); offsets are relative to the card's I/O base. The
 * facts behind every value are in /work/shared/facts/ne2000.md §1.
 */

/** Command register (every page): b0 STP, b1 STA, b2 TXP, b5:3 RD (remote DMA command), b7:6 PS (page). */
export const CR = 0x00;
export const CR_STP = 0x01;
export const CR_STA = 0x02;
export const CR_TXP = 0x04;
/** RD0 = remote read, RD1 = remote write, RD2 = abort/complete remote DMA. */
export const CR_RD0 = 0x08;
export const CR_RD1 = 0x10;
export const CR_RD2 = 0x20;
export const CR_PAGE0 = 0x00;
export const CR_PAGE1 = 0x40;
export const CR_PAGE2 = 0x80;
export const CR_PAGE3 = 0xc0;

/** Page 0 (write unless noted). */
export const P0_PSTART = 0x01;
export const P0_PSTOP = 0x02;
export const P0_BNRY = 0x03;
/** Read: transmit status; write: transmit page start. */
export const P0_TSR = 0x04;
export const P0_TPSR = 0x04;
/** Read: number of collisions (4 bits); write: transmit byte count low. */
export const P0_NCR = 0x05;
export const P0_TBCR0 = 0x05;
export const P0_TBCR1 = 0x06;
export const P0_ISR = 0x07;
export const P0_RSAR0 = 0x08;
export const P0_RSAR1 = 0x09;
export const P0_RBCR0 = 0x0a;
export const P0_RBCR1 = 0x0b;
/** Read: receive status; write: receive configuration. */
export const P0_RSR = 0x0c;
export const P0_RCR = 0x0c;
/** Read: tally counters (frame alignment, CRC, missed); write: TCR, DCR, IMR. */
export const P0_CNTR0 = 0x0d;
export const P0_TCR = 0x0d;
export const P0_CNTR1 = 0x0e;
export const P0_DCR = 0x0e;
export const P0_CNTR2 = 0x0f;
export const P0_IMR = 0x0f;

/** Page 1: physical address, current page, multicast address registers. */
export const P1_PAR0 = 0x01;
export const P1_CURR = 0x07;
export const P1_MAR0 = 0x08;

/** RTL8029AS page 3 (RTL8029AS datasheet p. 15). */
export const P3_9346CR = 0x01;
export const P3_CONFIG0 = 0x03;
export const P3_CONFIG2 = 0x05;
export const P3_CONFIG3 = 0x06;
export const CONFIG0_BNC = 0x04;
/** CONFIG2 PL1:PL0 (bits 7:6), the network medium: 00 TP/coax auto-detect, 01 10BaseT, 10 10Base5 (AUI), 11 10Base2. */
export const CONFIG2_PL_MASK = 0xc0;
export const CONFIG2_PL_10BASE5 = 0x80;
export const CONFIG2_PL_10BASE2 = 0xc0;
export const CONFIG3_FUDUP = 0x40;

/** ISR / IMR bits. */
export const ISR_PRX = 0x01;
export const ISR_PTX = 0x02;
export const ISR_RXE = 0x04;
export const ISR_TXE = 0x08;
export const ISR_OVW = 0x10;
export const ISR_CNT = 0x20;
export const ISR_RDC = 0x40;
export const ISR_RST = 0x80;

/** TSR bits. */
export const TSR_PTX = 0x01;
/** Not deferred: the transmission did not wait for the medium (RTL8029: always 1). Linux 8390.h ENTSR_ND. */
export const TSR_ND = 0x02;
export const TSR_COL = 0x04;
export const TSR_ABT = 0x08;
export const TSR_CRS = 0x10;
export const TSR_FU = 0x20;
export const TSR_CDH = 0x40;
export const TSR_OWC = 0x80;

/** Receive status (RSR and the ring header's first byte). */
export const RSR_PRX = 0x01;
export const RSR_CRC = 0x02;
export const RSR_FAE = 0x04;
export const RSR_FO = 0x08;
export const RSR_MPA = 0x10;
export const RSR_PHY = 0x20;

/** RCR bits. */
export const RCR_SEP = 0x01;
export const RCR_AR = 0x02;
export const RCR_AB = 0x04;
export const RCR_AM = 0x08;
export const RCR_PRO = 0x10;
export const RCR_MON = 0x20;

/** TCR bits: LB0 = internal loopback (mode 1). */
export const TCR_CRC = 0x01;
export const TCR_LB0 = 0x02;

/** DCR bits: WTS word transfer, LS normal (not loopback), FT1 = FIFO threshold 8 bytes. */
export const DCR_WTS = 0x01;
export const DCR_LS = 0x08;
export const DCR_FT1 = 0x40;

/** NE2000 ASIC ports (offset from the I/O base). A read of the reset port starts a reset, a write ends it. */
export const ASIC_DATA = 0x10;
export const ASIC_RESET = 0x1f;
/** I/O ports the card decodes (NIC 0x00–0x0F, ASIC 0x10–0x1F). */
export const NE2000_NPORTS = 0x20;

/** Buffer memory is addressed in 256-byte pages; a transmit buffer is 6 pages (one full-size frame). */
export const PAGE_SIZE = 256;
export const TXBUF_PAGES = 6;

/** Ethernet sizes without FCS (what the driver uploads): minimum 60, maximum 1514 (1518 with a VLAN tag). */
export const ETHER_MIN_NOFCS = 60;
export const ETHER_MAX_NOFCS = 1518;
/** A receive ring header: status, next page, byte count (lo, hi). */
export const RING_HDR = 4;
export const ETHER_FCS = 4;
/** Largest frame NetBSD's dp8390_rint accepts (MCLBYTES). */
export const MCLBYTES = 2048;
