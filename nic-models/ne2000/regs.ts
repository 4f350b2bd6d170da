/**
 * DP8390 register bits (National Semiconductor DP8390D/NS32490D datasheet, section 10 "Register
 * Descriptions"). The pages themselves are tables of the machine's one register-table type
 * (emulator/machine/bus/register-table.ts), built in register-pages.ts.
 */

/** Command register (offset 0 on every page). */
export const CR = {
  STP: 0x01,
  STA: 0x02,
  TXP: 0x04,
  /** RD2..RD0 (bits 5:3): 001 remote read, 010 remote write, 011 send packet, 1xx abort/complete. */
  RD_MASK: 0x38,
  RD_READ: 0x08,
  RD_WRITE: 0x10,
  RD_SEND: 0x18,
  RD_ABORT: 0x20,
  /** PS1..PS0 (bits 7:6): register page. */
  PS_MASK: 0xc0,
} as const;

/** Interrupt status / mask bits (ISR, IMR). */
export const ISR = {
  PRX: 0x01,
  PTX: 0x02,
  RXE: 0x04,
  TXE: 0x08,
  OVW: 0x10,
  CNT: 0x20,
  RDC: 0x40,
  RST: 0x80,
} as const;

/** Receive status (RSR, and the status byte of the ring header). */
export const RSR = {
  PRX: 0x01,
  CRC: 0x02,
  FAE: 0x04,
  FO: 0x08,
  MPA: 0x10,
  /** 1 = the destination was a multicast or broadcast address. */
  PHY: 0x20,
  /** Receiver disabled (monitor mode). */
  DIS: 0x40,
  DFR: 0x80,
} as const;

/** Transmit status. Bit 1 is ND ("not deferred"; RTL8029 documents it as always 1). */
export const TSR = {
  PTX: 0x01,
  ND: 0x02,
  COL: 0x04,
  ABT: 0x08,
  CRS: 0x10,
  FU: 0x20,
  CDH: 0x40,
  OWC: 0x80,
} as const;

/** Receive configuration. */
export const RCR = {
  SEP: 0x01,
  AR: 0x02,
  AB: 0x04,
  AM: 0x08,
  PRO: 0x10,
  MON: 0x20,
} as const;

/** Transmit configuration. */
export const TCR = {
  /** Inhibit CRC: the transmitter does not append the FCS. */
  CRC: 0x01,
  /** LB1..LB0 (bits 2:1): 00 normal, 01 internal (NIC) loopback, 10 ENDEC loopback, 11 external loopback. */
  LB_MASK: 0x06,
  ATD: 0x08,
  OFST: 0x10,
} as const;

/** Data configuration. */
export const DCR = {
  WTS: 0x01,
  BOS: 0x02,
  LAS: 0x04,
  LS: 0x08,
  AR: 0x10,
  FT_MASK: 0x60,
} as const;
