/**
 * The 93C46/93C66 serial EEPROM, bit-banged through CSR21 (rt2560.c rt2560_eeprom_read, rt2560_read_eeprom).
 * Each pin state is one RAL_WRITE held RT2560_EEPROM_DELAY µs: one clock with chip select low, chip select
 * up, start bit 1, READ opcode 10, 6 (93C46 strap) or 8 (93C66) address bits MSB first — DI is sampled on
 * the rising clock —, then 16 data bits Q15…Q0 read from the DO pin while the clock is high, then chip
 * select down and a last clock. The 93C46 strap (CSR21 bit 5) is read once per word, as the driver does.
 */
import type { Co, ThreadCtx } from '../../kernel/api';
import type { RalCsr } from './csr';
import {
  RT2560_93C46, RT2560_C, RT2560_CSR21, RT2560_D, RT2560_EEPROM_BBP_BASE, RT2560_EEPROM_CONFIG0, RT2560_EEPROM_TXPOWER,
  RT2560_Q, RT2560_S, RT2560_SHIFT_D, RT2560_SHIFT_Q,
} from './regs';

/** rt2560_eeprom_read: one 16-bit word. */
export function* rt2560EepromRead(ctx: ThreadCtx, csr: RalCsr, addr: number): Co<number> {
  // One clock before the first command, then chip select.
  yield* csr.eepromCtl(ctx, 0);
  yield* csr.eepromCtl(ctx, RT2560_S);
  yield* csr.eepromCtl(ctx, RT2560_S | RT2560_C);
  yield* csr.eepromCtl(ctx, RT2560_S);
  // Start bit, then the READ opcode 1 0.
  for (const bit of [1, 1, 0]) {
    const d = bit ? RT2560_D : 0;
    yield* csr.eepromCtl(ctx, RT2560_S | d);
    yield* csr.eepromCtl(ctx, RT2560_S | d | RT2560_C);
  }
  const top = ((yield* csr.read(ctx, RT2560_CSR21)) & RT2560_93C46) !== 0 ? 5 : 7;
  for (let n = top; n >= 0; n--) {
    const d = ((addr >>> n) & 1) << RT2560_SHIFT_D;
    yield* csr.eepromCtl(ctx, RT2560_S | d);
    yield* csr.eepromCtl(ctx, RT2560_S | d | RT2560_C);
  }
  yield* csr.eepromCtl(ctx, RT2560_S);
  let val = 0;
  for (let n = 15; n >= 0; n--) {
    yield* csr.eepromCtl(ctx, RT2560_S | RT2560_C);
    const tmp = yield* csr.read(ctx, RT2560_CSR21);
    val |= ((tmp & RT2560_Q) >>> RT2560_SHIFT_Q) << n;
    yield* csr.eepromCtl(ctx, RT2560_S);
  }
  yield* csr.eepromCtl(ctx, 0);
  // Chip select down and one more clock.
  yield* csr.eepromCtl(ctx, RT2560_S);
  yield* csr.eepromCtl(ctx, 0);
  yield* csr.eepromCtl(ctx, RT2560_C);
  return val & 0xffff;
}

/** What rt2560_read_eeprom keeps from the EEPROM. */
export interface RalEepromInfo {
  rfRev: number;
  hwRadio: number;
  ledMode: number;
  rxAnt: number;
  txAnt: number;
  nbAnt: number;
  /** 16 BBP overrides (reg 0xff = unused). NetBSD reads them but does not apply them (#if 0). */
  bbpProm: { reg: number; val: number }[];
  /** TX power per channel 1–14. */
  txpow: number[];
}

/** rt2560_read_eeprom: CONFIG0 (RF type, radio switch, LED mode, antennas), the BBP words, TX power. */
export function* rt2560ReadEeprom(ctx: ThreadCtx, csr: RalCsr): Co<RalEepromInfo> {
  const cfg = yield* rt2560EepromRead(ctx, csr, RT2560_EEPROM_CONFIG0);
  const info: RalEepromInfo = {
    rfRev: (cfg >>> 11) & 0x1f,
    hwRadio: (cfg >>> 10) & 1,
    ledMode: (cfg >>> 6) & 7,
    rxAnt: (cfg >>> 4) & 3,
    txAnt: (cfg >>> 2) & 3,
    nbAnt: cfg & 3,
    bbpProm: [],
    txpow: new Array<number>(14).fill(0),
  };
  for (let i = 0; i < 16; i++) {
    const v = yield* rt2560EepromRead(ctx, csr, RT2560_EEPROM_BBP_BASE + i);
    info.bbpProm.push({ reg: v >>> 8, val: v & 0xff });
  }
  // Two channels per word, the odd channel in the high byte.
  for (let i = 0; i < 7; i++) {
    const v = yield* rt2560EepromRead(ctx, csr, RT2560_EEPROM_TXPOWER + i);
    info.txpow[2 * i] = v >>> 8;
    info.txpow[2 * i + 1] = v & 0xff;
  }
  return info;
}
