/**
 * DP8390 register bits (National Semiconductor DP8390D/NS32490D datasheet, section 10 "Register
 * Descriptions") and the register-table type the core builds its pages from.
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

/** One register of one page: what a read returns and what a write does (either may be absent). */
export interface RegisterDef {
  /** Offset 0x01–0x0F within the page (CR at 0x00 is common to all pages and not in the tables). */
  readonly offset: number;
  /** Datasheet name ("PSTART", "CNTR0"); "PSTART/CLDA0" style when read and write differ. */
  readonly name: string;
  readonly read?: () => number;
  readonly write?: (value: number) => void;
}

/** A validated page: lookup by offset. */
export class RegisterPage {
  private readonly byOffset: (RegisterDef | undefined)[] = new Array(16).fill(undefined);

  constructor(readonly page: number, defs: readonly RegisterDef[]) {
    for (const d of defs) {
      if (!Number.isInteger(d.offset) || d.offset < 1 || d.offset > 0x0f) {
        throw new Error(`DP8390 page ${page}: register ${d.name} at bad offset ${d.offset}`);
      }
      const prev = this.byOffset[d.offset];
      if (prev) throw new Error(`DP8390 page ${page}: ${d.name} overlaps ${prev.name} at 0x${d.offset.toString(16)}`);
      if (!d.read && !d.write) throw new Error(`DP8390 page ${page}: ${d.name} neither readable nor writable`);
      this.byOffset[d.offset] = d;
    }
  }

  get(offset: number): RegisterDef | undefined {
    return this.byOffset[offset & 0x0f];
  }
}
