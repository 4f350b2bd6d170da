/**
 * The RT2560's CSR window as one register table (emulator/machine/bus/register-table.ts). 32-bit registers only:
 * rt2500pci (rt2x00mmio_register_read/write) and NetBSD (RAL_READ/RAL_WRITE, bus_space_*_4) never use another width;
 * any other access is unmapped, traced, reads open bus. Registers with behaviour:
 * - CSR7 interrupt source, write 1 to clear; CSR8 mask (1 = masked): INTx follows CSR7 & ~CSR8.
 * - CSR1 SOFT_RESET (engines back to entry 0), BBP_RESET (BBP held in reset while 1), HOST_READY (stored).
 * - CSR21 the EEPROM pins; DATA_OUT reads the 93C66's DO; TYPE_93C46 strap reads 0 (a 93C66).
 * - CSR14/CSR12/CSR16/CSR17 the TSF timer and beacon generator (tsf.ts).
 * - TXCSR0 kicks; TXCSR3–6 and RXCSR2 ring bases (a write puts the ring's index back at entry 0).
 * - RXCSR0 DISABLE_RX and the filter; SECCSR0/SECCSR1 cipher engine kicks, read back as the engine's descriptor.
 * - CNT0–CNT5 clear on read; PWRCSR1 power-state requests; BBPCSR/RFCSR serial interfaces.
 * Everything else (PSCSRx, TIMECSR, MACCSRx, ARCSRx, …) is plain storage the drivers program.
 */
import type { RegisterDef } from '../../emulator/machine/bus/register-table';
import type { Rt2560Core } from './core';
import {
  BBPCSR_BITS, CSR, CSR1_BITS, CSR11_BITS, CSR14_BITS, CSR15_BITS, CSR21_BITS, INT, PWRCSR1_BITS, RFCSR_BITS, RXCSR0_BITS,
  SECCSR_BITS, TXCSR0_BITS, TXCSR1_BITS,
} from './regs';

/** The decoded window: 0x000–0x19f (UART2CSR4 is the last register rt2500pci.h names). */
export const CSR_SPAN = 0x200;

/**
 * Reset values. NetBSD's RT2560_DEF_MAC and rt2500pci_init_registers program all of these; the values are the ones
 * the reference driver writes where no datasheet gives a reset value *(I)*: CSR8 all masked, RXCSR0 receiver off.
 */
export const CSR_RESET: ReadonlyArray<readonly [number, number]> = [
  [CSR.CSR8, 0xffffffff],
  [CSR.CSR9, 0x00000780],
  [CSR.CSR11, 0x07041483],
  [CSR.CSR18, 0x0000000a | (30 << 16)],
  [CSR.CSR19, 50 | (364 << 16)],
  [CSR.TXCSR1, 0x07614562],
  [CSR.RXCSR0, RXCSR0_BITS.DISABLE_RX],
  [CSR.GPIOCSR, 0x0000ff00],
  [CSR.BCNCSR1, 0x00020400],
];

/** Every register name rt2500pci.h gives, in offset order (CSR keys). */
const NAMES = Object.entries(CSR) as [string, number][];

export function csrDefs(c: Rt2560Core): RegisterDef[] {
  const plain = (name: string, offset: number): RegisterDef => ({
    offset, name, width: 4, access: 'rw', read: () => c.get(offset), write: (v) => c.set(offset, v),
  });
  const special = new Map<number, RegisterDef>();
  const add = (d: RegisterDef): void => void special.set(d.offset, d);
  const rw = (offset: number, name: string, write: (v: number, old: number) => void, bits?: Record<string, number>, read?: () => number): void =>
    add({
      offset, name, width: 4, access: 'rw', read: read ?? (() => c.get(offset)),
      write: (v) => {
        const old = c.get(offset);
        c.set(offset, v);
        write(v >>> 0, old);
      },
      ...(bits ? { bits } : {}),
    });
  const ro = (offset: number, name: string, read: () => number, bits?: Record<string, number>): void =>
    add({ offset, name, width: 4, access: 'ro', read, ...(bits ? { bits } : {}) });
  const rc = (offset: number, name: string): void =>
    add({
      offset, name, width: 4, access: 'rc', readEffect: 'clears the counter', peek: () => c.get(offset),
      read: () => {
        const v = c.get(offset);
        c.set(offset, 0);
        return v;
      },
    });

  ro(CSR.CSR0, 'CSR0', () => c.get(CSR.CSR0));
  rw(CSR.CSR1, 'CSR1', (v, old) => {
    if (v & CSR1_BITS.SOFT_RESET && !(old & CSR1_BITS.SOFT_RESET)) c.softReset();
    c.bbprf.holdBbp((v & CSR1_BITS.BBP_RESET) !== 0);
  }, CSR1_BITS);
  rw(CSR.CSR5, 'CSR5', () => undefined);
  add({
    offset: CSR.CSR7, name: 'CSR7', width: 4, access: 'w1c', bits: INT, read: () => c.get(CSR.CSR7),
    write: (v) => {
      c.set(CSR.CSR7, c.get(CSR.CSR7) & ~v);
      c.updateIrq();
    },
  });
  rw(CSR.CSR8, 'CSR8', () => c.updateIrq(), INT);
  rw(CSR.SECCSR0, 'SECCSR0', (v) => {
    if (v & SECCSR_BITS.KICK) c.cipher.kick('decrypt', v & SECCSR_BITS.ONE_SHOT ? v & SECCSR_BITS.DESC_ADDRESS : undefined);
  }, SECCSR_BITS, () => c.cipher.pointer('decrypt'));
  rw(CSR.SECCSR1, 'SECCSR1', (v) => {
    if (v & SECCSR_BITS.KICK) c.cipher.kick('encrypt', v & SECCSR_BITS.ONE_SHOT ? v & SECCSR_BITS.DESC_ADDRESS : undefined);
  }, SECCSR_BITS, () => c.cipher.pointer('encrypt'));
  rw(CSR.CSR11, 'CSR11', () => undefined, CSR11_BITS);
  rw(CSR.CSR12, 'CSR12', () => c.tsf.configChanged(), { BEACON_INTERVAL: 0xffff, CFP_MAX_DURATION: 0xffff0000 });
  rw(CSR.CSR14, 'CSR14', (v, old) => c.tsf.csr14Written(v, old), CSR14_BITS);
  ro(CSR.CSR15, 'CSR15', () => c.get(CSR.CSR15), CSR15_BITS);
  rw(CSR.CSR16, 'CSR16', (v) => c.tsf.write(0, v), undefined, () => c.tsf.readLow());
  rw(CSR.CSR17, 'CSR17', (v) => c.tsf.write(1, v), undefined, () => c.tsf.readHigh());
  rw(CSR.CSR21, 'CSR21', (v) => {
    c.eeprom.pins((v & CSR21_BITS.EEPROM_CHIP_SELECT) !== 0, (v & CSR21_BITS.EEPROM_DATA_CLOCK) !== 0, (v & CSR21_BITS.EEPROM_DATA_IN) !== 0);
  }, CSR21_BITS, () => {
    // DATA_OUT is the part's DO pin; TYPE_93C46 is a strap (0: 93C66); RELOAD reads 0 once the load is done.
    const v = c.get(CSR.CSR21) & (CSR21_BITS.EEPROM_CHIP_SELECT | CSR21_BITS.EEPROM_DATA_CLOCK | CSR21_BITS.EEPROM_DATA_IN);
    return v | (c.eeprom.dataOut ? CSR21_BITS.EEPROM_DATA_OUT : 0);
  });
  rw(CSR.TXCSR0, 'TXCSR0', (v) => c.tx.kick(v), TXCSR0_BITS, () => 0);
  rw(CSR.TXCSR1, 'TXCSR1', () => undefined, TXCSR1_BITS);
  rw(CSR.TXCSR2, 'TXCSR2', () => c.tx.geometryChanged(), { TXD_SIZE: 0xff, NUM_TXD: 0xff00, NUM_ATIM: 0xff0000, NUM_PRIO: 0xff000000 });
  rw(CSR.TXCSR3, 'TXCSR3', () => c.tx.baseWritten('tx'));
  rw(CSR.TXCSR4, 'TXCSR4', () => c.tx.baseWritten('atim'));
  rw(CSR.TXCSR5, 'TXCSR5', () => c.tx.baseWritten('prio'));
  rw(CSR.TXCSR6, 'TXCSR6', () => c.tx.baseWritten('beacon'));
  rw(CSR.RXCSR0, 'RXCSR0', (v, old) => c.rx.controlChanged(v, old), RXCSR0_BITS);
  // A new RX geometry puts the ring (and the decrypt walk) back at entry 0, as TXCSR2 does for the TX rings *(I)*:
  // both drivers write RXCSR1 just before RXCSR2, which resets them anyway; without it a shrunk ring left the
  // chip's index past its last entry (found by the fuzzer, nic/rt2560).
  rw(CSR.RXCSR1, 'RXCSR1', () => c.rx.baseWritten(), { RXD_SIZE: 0xff, NUM_RXD: 0xff00 });
  rw(CSR.RXCSR2, 'RXCSR2', () => c.rx.baseWritten());
  for (const n of ['CNT0', 'CNT1', 'CNT2', 'CNT3', 'CNT4', 'CNT5'] as const) rc(CSR[n], n);
  rw(CSR.PWRCSR1, 'PWRCSR1', (v) => c.setPowerState(v), PWRCSR1_BITS, () => c.pwrcsr1());
  rw(CSR.BBPCSR, 'BBPCSR', (v) => c.bbprf.writeBbpcsr(v), BBPCSR_BITS, () => c.bbprf.bbpcsr);
  rw(CSR.RFCSR, 'RFCSR', (v) => c.bbprf.writeRfcsr(v), RFCSR_BITS, () => c.bbprf.rfcsr);
  ro(CSR.RXPTR, 'RXPTR', () => c.rx.pointer());
  ro(CSR.TXPTR, 'TXPTR', () => c.tx.pointer('tx'));
  ro(CSR.PRIPTR, 'PRIPTR', () => c.tx.pointer('prio'));
  ro(CSR.ATIMPTR, 'ATIMPTR', () => c.tx.pointer('atim'));

  return NAMES.map(([name, off]) => special.get(off) ?? plain(name, off));
}
