/**
 * The station address: bge_get_eaddr tries, in order, what the boot code left in NIC SRAM (the "HK"
 * mailbox at 0xc14/0xc18, bge_get_eaddr_mem) and the serial EEPROM (bge_get_eaddr_eeprom: bytes
 * BGE_EE_MAC_OFFSET + 2 … + 7, one bge_eeprom_getbyte each through the chip's auto-access engine).
 */
import type { Co, ThreadCtx } from '../../kernel/api';
import { DELAY } from './csr';
import {
  BGE_EE_ADDR, BGE_EE_DATA, BGE_EE_MAC_OFFSET, BGE_EE_READCMD, BGE_EEADDR_DONE, BGE_EEADDR_RESET, BGE_EEHALFCLK,
  BGE_HALFCLK_384SCL, BGE_MISC_LOCAL_CTL, BGE_MLC_AUTO_EEPROM, BGE_SRAM_MAC_ADDR_HIGH_MB, BGE_SRAM_MAC_ADDR_LOW_MB,
  BGE_TIMEOUT,
} from './regs';
import type { BgeSoftc } from './softc';
import { _SLOG_ERROR } from '../../io-pkt/driver-api';

/** bge_eeprom_getbyte: one byte, or null when the EEPROM never completes ("eeprom read timed out"). */
export function* bgeEepromGetbyte(ctx: ThreadCtx, sc: BgeSoftc, addr: number): Co<number | null> {
  const csr = sc.csr;
  yield* csr.setBit(ctx, BGE_MISC_LOCAL_CTL, BGE_MLC_AUTO_EEPROM);
  csr.write(ctx, BGE_EE_ADDR, BGE_EEADDR_RESET | BGE_EEHALFCLK(BGE_HALFCLK_384SCL));
  yield* DELAY(ctx, 20);
  csr.write(ctx, BGE_EE_ADDR, BGE_EE_READCMD | addr);
  for (let i = 0; i < BGE_TIMEOUT * 10; i++) {
    yield* DELAY(ctx, 10);
    if ((yield* csr.read(ctx, BGE_EE_ADDR)) & BGE_EEADDR_DONE) {
      const word = yield* csr.read(ctx, BGE_EE_DATA);
      return (word >>> (8 * (addr % 4))) & 0xff;
    }
  }
  sc.log('eeprom read timed out', _SLOG_ERROR);
  return null;
}

/** bge_read_eeprom: `cnt` bytes from `off`, or null. */
export function* bgeReadEeprom(ctx: ThreadCtx, sc: BgeSoftc, off: number, cnt: number): Co<Uint8Array | null> {
  const out = new Uint8Array(cnt);
  for (let i = 0; i < cnt; i++) {
    const b = yield* bgeEepromGetbyte(ctx, sc, off + i);
    if (b === null) return null;
    out[i] = b;
  }
  return out;
}

/** bge_get_eaddr_mem: the boot code's copy, valid when the high word carries "HK" (0x484b). */
function* eaddrMem(ctx: ThreadCtx, sc: BgeSoftc): Co<Uint8Array | null> {
  const hi = yield* sc.csr.readmemInd(ctx, BGE_SRAM_MAC_ADDR_HIGH_MB);
  if (hi >>> 16 !== 0x484b) return null;
  const lo = yield* sc.csr.readmemInd(ctx, BGE_SRAM_MAC_ADDR_LOW_MB);
  return Uint8Array.of((hi >>> 8) & 0xff, hi & 0xff, lo >>> 24, (lo >>> 16) & 0xff, (lo >>> 8) & 0xff, lo & 0xff);
}

/** bge_get_eaddr: SRAM first, then the EEPROM (unless the RX CPU reported ROMFAIL). */
export function* bgeGetEaddr(ctx: ThreadCtx, sc: BgeSoftc): Co<Uint8Array | null> {
  const mem = yield* eaddrMem(ctx, sc);
  if (mem) return mem;
  if (sc.noEeprom) return null;
  return yield* bgeReadEeprom(ctx, sc, BGE_EE_MAC_OFFSET + 2, 6);
}
