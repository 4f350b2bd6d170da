/**
 * The baseband processor and the RF synthesizer (rt2560.c rt2560_bbp_write, rt2560_bbp_read, rt2560_rf_write,
 * rt2560_set_chan, rt2560_disable_rf_tune, rt2560_set_txantenna, rt2560_set_rxantenna, rt2560_bbp_init).
 *
 * BBP registers go through BBPCSR (REGNUM, VALUE, WRITE, BUSY; a read leaves the value in BBPCSR[7:0]); the
 * RF's four write-only 20-bit registers through RFCSR (BUSY, 20-bit length, value << 2 | register). Both
 * poll BUSY up to 100 times 1 µs apart. A channel is the RF chip's R1–R4 words from the reference tables
 * (the RF2525 gets its "high" R2 word first, then the real one), then, outside scanning, the Japan filter
 * bit of BBP R70, 1 ms for the synthesizer, autotune off and the FCS error counter cleared.
 */
import type { Co, ThreadCtx } from '../../kernel/api';
import { DELAY, type RalCsr } from './csr';
import {
  RT2560_BBP_ANTA, RT2560_BBP_ANTB, RT2560_BBP_ANTMASK, RT2560_BBP_BUSY, RT2560_BBP_DIVERSITY, RT2560_BBP_FLIPIQ,
  RT2560_BBP_RX, RT2560_BBP_TX, RT2560_BBP_VERSION, RT2560_BBP_WRITE, RT2560_BBPCSR, RT2560_BBPCSR1, RT2560_CNT0,
  RT2560_DEF_BBP, RT2560_JAPAN_FILTER, RT2560_RF_20BIT, RT2560_RF_2522, RT2560_RF_2523, RT2560_RF_2524,
  RT2560_RF_2525, RT2560_RF_2525E, RT2560_RF_2526, RT2560_RF_5222, RT2560_RF_BUSY, RT2560_RF1, RT2560_RF1_AUTOTUNE,
  RT2560_RF2, RT2560_RF2522_R2, RT2560_RF2523_R2, RT2560_RF2524_R2, RT2560_RF2525_HI_R2, RT2560_RF2525_R2,
  RT2560_RF2525E_R2, RT2560_RF2526_HI_R2, RT2560_RF2526_R2, RT2560_RF3, RT2560_RF3_AUTOTUNE, RT2560_RF4,
  RT2560_RF5222_2GHZ, RT2560_RFCSR,
} from './regs';
import { _SLOG_ERROR, type SlogSeverity } from '../../io-pkt/driver-api';

/** The part of the softc the serial interfaces need. */
export interface RalRadio {
  readonly csr: RalCsr;
  rfRev: number;
  /** Last value written to each RF register (sc->rf_regs), indexed by RT2560_RF1…RF4. */
  readonly rfRegs: number[];
  /** TX power per channel 1–14 from the EEPROM. */
  txpow: number[];
  /** aprint_error_dev: the messages here are all errors (_SLOG_ERROR). */
  log(text: string, severity: SlogSeverity): void;
}

const BUSY_TRIES = 100;

/** rt2560_bbp_write. */
export function* rt2560BbpWrite(ctx: ThreadCtx, sc: RalRadio, reg: number, val: number): Co<void> {
  let ntries = 0;
  for (; ntries < BUSY_TRIES; ntries++) {
    if (((yield* sc.csr.read(ctx, RT2560_BBPCSR)) & RT2560_BBP_BUSY) === 0) break;
    yield* DELAY(ctx, 1);
  }
  if (ntries === BUSY_TRIES) {
    sc.log('could not write to BBP', _SLOG_ERROR);
    return;
  }
  sc.csr.write(ctx, RT2560_BBPCSR, RT2560_BBP_WRITE | RT2560_BBP_BUSY | ((reg & 0x7f) << 8) | (val & 0xff));
}

/**
 * rt2560_bbp_read: 0 when BUSY never clears ("could not read from BBP"). Waits for a previous access to finish
 * first, as later rt2560.c revisions do: the serial interface ignores a BBPCSR write while BUSY.
 */
export function* rt2560BbpRead(ctx: ThreadCtx, sc: RalRadio, reg: number): Co<number> {
  let idle = false;
  for (let ntries = 0; ntries < BUSY_TRIES && !idle; ntries++) {
    idle = ((yield* sc.csr.read(ctx, RT2560_BBPCSR)) & RT2560_BBP_BUSY) === 0;
    if (!idle) yield* DELAY(ctx, 1);
  }
  if (!idle) {
    sc.log('could not read from BBP', _SLOG_ERROR);
    return 0;
  }
  sc.csr.write(ctx, RT2560_BBPCSR, RT2560_BBP_BUSY | ((reg & 0x7f) << 8));
  for (let ntries = 0; ntries < BUSY_TRIES; ntries++) {
    const val = yield* sc.csr.read(ctx, RT2560_BBPCSR);
    if ((val & RT2560_BBP_BUSY) === 0) return val & 0xff;
    yield* DELAY(ctx, 1);
  }
  sc.log('could not read from BBP', _SLOG_ERROR);
  return 0;
}

/** rt2560_rf_write: `reg` is RT2560_RF1…RF4 (the RFCSR address field). */
export function* rt2560RfWrite(ctx: ThreadCtx, sc: RalRadio, reg: number, val: number): Co<void> {
  let ntries = 0;
  for (; ntries < BUSY_TRIES; ntries++) {
    if (((yield* sc.csr.read(ctx, RT2560_RFCSR)) & RT2560_RF_BUSY) === 0) break;
    yield* DELAY(ctx, 1);
  }
  if (ntries === BUSY_TRIES) {
    sc.log('could not write to RF', _SLOG_ERROR);
    return;
  }
  sc.csr.write(ctx, RT2560_RFCSR, (RT2560_RF_BUSY | RT2560_RF_20BIT | ((val & 0xfffff) << 2) | (reg & 3)) >>> 0);
  sc.rfRegs[reg & 3] = val;
}

/** rt2560_disable_rf_tune: clear the autotune bits of R1 (except on the RT2523) and R3. */
export function* rt2560DisableRfTune(ctx: ThreadCtx, sc: RalRadio): Co<void> {
  if (sc.rfRev !== RT2560_RF_2523) yield* rt2560RfWrite(ctx, sc, RT2560_RF1, sc.rfRegs[RT2560_RF1]! & ~RT2560_RF1_AUTOTUNE);
  yield* rt2560RfWrite(ctx, sc, RT2560_RF3, sc.rfRegs[RT2560_RF3]! & ~RT2560_RF3_AUTOTUNE);
}

/**
 * rt2560_set_chan for a 2.4 GHz channel 1–14. `settle` is what the driver decides from net80211's state:
 * true outside monitor mode and scanning (Japan filter, 1 ms, autotune off, CNT0 cleared).
 */
export function* rt2560SetChan(ctx: ThreadCtx, sc: RalRadio, chan: number, settle: boolean): Co<void> {
  if (!Number.isInteger(chan) || chan < 1 || chan > 14) return;
  const power = Math.min(sc.txpow[chan - 1] ?? 0, 31);
  const i = chan - 1;
  const rf = (reg: number, val: number) => rt2560RfWrite(ctx, sc, reg, val);
  const r4 = chan === 14 ? 0x00280 : 0x00286;
  switch (sc.rfRev) {
    case RT2560_RF_2522:
      yield* rf(RT2560_RF1, 0x00814);
      yield* rf(RT2560_RF2, RT2560_RF2522_R2[i]!);
      yield* rf(RT2560_RF3, (power << 7) | 0x00040);
      break;
    case RT2560_RF_2523:
      yield* rf(RT2560_RF1, 0x08804);
      yield* rf(RT2560_RF2, RT2560_RF2523_R2[i]!);
      yield* rf(RT2560_RF3, (power << 7) | 0x38044);
      yield* rf(RT2560_RF4, r4);
      break;
    case RT2560_RF_2524:
      yield* rf(RT2560_RF1, 0x0c808);
      yield* rf(RT2560_RF2, RT2560_RF2524_R2[i]!);
      yield* rf(RT2560_RF3, (power << 7) | 0x00040);
      yield* rf(RT2560_RF4, r4);
      break;
    case RT2560_RF_2525:
      // The "half band higher" word first, then the channel's own.
      for (const r2 of [RT2560_RF2525_HI_R2[i]!, RT2560_RF2525_R2[i]!]) {
        yield* rf(RT2560_RF1, 0x08808);
        yield* rf(RT2560_RF2, r2);
        yield* rf(RT2560_RF3, (power << 7) | 0x18044);
        yield* rf(RT2560_RF4, r4);
      }
      break;
    case RT2560_RF_2525E:
      yield* rf(RT2560_RF1, 0x08808);
      yield* rf(RT2560_RF2, RT2560_RF2525E_R2[i]!);
      yield* rf(RT2560_RF3, (power << 7) | 0x18044);
      yield* rf(RT2560_RF4, chan === 14 ? 0x00286 : 0x00282);
      break;
    case RT2560_RF_2526: {
      const r4odd = chan & 1 ? 0x00386 : 0x00381;
      yield* rf(RT2560_RF2, RT2560_RF2526_HI_R2[i]!);
      yield* rf(RT2560_RF4, r4odd);
      yield* rf(RT2560_RF1, 0x08804);
      yield* rf(RT2560_RF2, RT2560_RF2526_R2[i]!);
      yield* rf(RT2560_RF3, (power << 7) | 0x18044);
      yield* rf(RT2560_RF4, r4odd);
      break;
    }
    case RT2560_RF_5222: {
      const [r1, r2, r4w] = RT2560_RF5222_2GHZ[i]!;
      yield* rf(RT2560_RF1, r1);
      yield* rf(RT2560_RF2, r2);
      yield* rf(RT2560_RF3, (power << 7) | 0x00040);
      yield* rf(RT2560_RF4, r4w);
      break;
    }
    default:
      // An RF chip the driver has no table for: nothing is written (as rt2560_set_chan's switch falls through).
      break;
  }
  if (!settle) return;
  let tmp = (yield* rt2560BbpRead(ctx, sc, 70)) & ~RT2560_JAPAN_FILTER;
  if (chan === 14) tmp |= RT2560_JAPAN_FILTER;
  yield* rt2560BbpWrite(ctx, sc, 70, tmp);
  // "RF needs a 1ms delay here"
  yield* DELAY(ctx, 1000);
  yield* rt2560DisableRfTune(ctx, sc);
  yield* sc.csr.read(ctx, RT2560_CNT0);
}

/** rt2560_set_txantenna: BBP R2 antenna bits (I/Q flip on RF2525E/2526/5222), mirrored into BBPCSR1. */
export function* rt2560SetTxantenna(ctx: ThreadCtx, sc: RalRadio, antenna: number): Co<void> {
  let tx = (yield* rt2560BbpRead(ctx, sc, RT2560_BBP_TX)) & ~RT2560_BBP_ANTMASK;
  tx |= antenna === 1 ? RT2560_BBP_ANTA : antenna === 2 ? RT2560_BBP_ANTB : RT2560_BBP_DIVERSITY;
  if (sc.rfRev === RT2560_RF_2525E || sc.rfRev === RT2560_RF_2526 || sc.rfRev === RT2560_RF_5222) tx |= RT2560_BBP_FLIPIQ;
  yield* rt2560BbpWrite(ctx, sc, RT2560_BBP_TX, tx);
  let tmp = (yield* sc.csr.read(ctx, RT2560_BBPCSR1)) & ~0x00070007;
  tmp |= ((tx & 7) << 16) | (tx & 7);
  sc.csr.write(ctx, RT2560_BBPCSR1, tmp);
}

/** rt2560_set_rxantenna: BBP R14 antenna bits (no I/Q flip on RF2525E/2526). */
export function* rt2560SetRxantenna(ctx: ThreadCtx, sc: RalRadio, antenna: number): Co<void> {
  let rx = (yield* rt2560BbpRead(ctx, sc, RT2560_BBP_RX)) & ~RT2560_BBP_ANTMASK;
  rx |= antenna === 1 ? RT2560_BBP_ANTA : antenna === 2 ? RT2560_BBP_ANTB : RT2560_BBP_DIVERSITY;
  if (sc.rfRev === RT2560_RF_2525E || sc.rfRev === RT2560_RF_2526) rx &= ~RT2560_BBP_FLIPIQ;
  yield* rt2560BbpWrite(ctx, sc, RT2560_BBP_RX, rx);
}

/**
 * rt2560_bbp_init: wait (100 × 1 µs) for BBP R0 to read non-zero ("timeout waiting for BBP" → false), then
 * the reference defaults. The EEPROM's BBP words are not applied (the BSD driver has that loop under #if 0).
 */
export function* rt2560BbpInit(ctx: ThreadCtx, sc: RalRadio): Co<boolean> {
  let ntries = 0;
  for (; ntries < BUSY_TRIES; ntries++) {
    if ((yield* rt2560BbpRead(ctx, sc, RT2560_BBP_VERSION)) !== 0) break;
    yield* DELAY(ctx, 1);
  }
  if (ntries === BUSY_TRIES) {
    sc.log('timeout waiting for BBP', _SLOG_ERROR);
    return false;
  }
  for (const [reg, val] of RT2560_DEF_BBP) yield* rt2560BbpWrite(ctx, sc, reg, val);
  return true;
}
