/**
 * rt2500pci's probe and the register-level parts of its open (and NetBSD rt2560_attach/rt2560_init): PCI identity,
 * CSR0, the 93C66 EEPROM bit-banged through CSR21 (eeprom_93cx6.c and rt2560_eeprom_read), the MAC preloaded into
 * CSR3/CSR4, PWRCSR1 set_state, BBP R0 after the soft reset, BBP/RF serial access with BUSY, RF R2 tuning the
 * radio, CSR7/CSR8 interrupts, clear-on-read counters, unmapped accesses.
 */
import { Bed, MAC_A, MS, US } from './fixture';
import { CSR, EEPROM_WORD } from '../../../nic-models/rt2560/regs';
import { r2Word } from '../../../nic-models/rt2560/bbp-rf';
import { BBP_SERIAL_NS, POWER_TRANSITION_NS } from '../../../nic-models/rt2560/timing';
import { findNicKind } from '../../../nic-models/registry';
import { componentContext } from '../../../emulator/machine/sim';

test('the kind is registered as a wireless PCI NIC bound by rt2500pci', () => {
  const k = findNicKind('rt2560')!;
  expect(k.bus).toBe('pci');
  expect(k.medium).toBe('wireless');
  expect(k.linuxDriver?.module).toBe('rt2500pci');
  expect(k.registerNames).toEqual(expect.arrayContaining(['CSR7', 'CSR8', 'BBPCSR', 'RFCSR', 'TXCSR6', 'SECCSR1']));
});

test('PCI identity 1814:0201 class 0x0280, memory BAR0, CSR0 revision D', () => {
  const bed = new Bed();
  const c = bed.chips[0]!;
  expect(c.cr(0x00)).toBe(0x02011814);
  expect(c.cr(0x08) >>> 8).toBe(0x028000);
  expect((c.cr(0x10) & ~0xf) >>> 0).toBe(c.bar);
  expect(c.cr(0x3d, 1)).toBe(1);
  expect(c.r(CSR.CSR0)).toBe(4);
});

test('EEPROM: 256 words through CSR21 the way eeprom_93cx6 reads them; a valid image', () => {
  const bed = new Bed();
  const c = bed.chips[0]!;
  expect(c.r(CSR.CSR21) & 0x20).toBe(0); // 93C66
  const words = Array.from({ length: 256 }, (_, i) => c.eeRead(i));
  expect(words).toEqual(Array.from(c.core.eeprom.words));
  const mac = [2, 3, 4].flatMap((w) => [words[w]! & 0xff, words[w]! >>> 8]);
  expect(mac).toEqual(MAC_A);
  expect(words[EEPROM_WORD.ANTENNA]).toBe(0x1816);
  expect(words[EEPROM_WORD.ANTENNA]! >>> 11).toBe(3); // RF2525
  for (let w = 0x23; w <= 0x29; w++) expect(words[w]).toBe(0x1212);
});

test('EEPROM: NetBSD rt2560_eeprom_read sequence (leading zero clock, 8 address bits)', () => {
  const bed = new Bed();
  const c = bed.chips[0]!;
  const S = 0x4, C = 0x2, D = 0x8;
  const ctl = (v: number): void => {
    c.w(CSR.CSR21, v);
    bed.delay(US);
  };
  const read = (addr: number): number => {
    ctl(0); ctl(S); ctl(S | C); ctl(S);
    ctl(S | D); ctl(S | D | C);
    ctl(S | D); ctl(S | D | C); ctl(S); ctl(S | C);
    const n = (c.r(CSR.CSR21) & 0x20) ? 5 : 7;
    for (let i = n; i >= 0; i--) {
      const d = ((addr >> i) & 1) ? D : 0;
      ctl(S | d); ctl(S | d | C);
    }
    ctl(S);
    let val = 0;
    for (let i = 15; i >= 0; i--) {
      ctl(S | C);
      val |= ((c.r(CSR.CSR21) & 0x10) >> 4) << i;
      ctl(S);
    }
    ctl(0); ctl(S); ctl(0); ctl(C);
    return val;
  };
  expect(read(EEPROM_WORD.ANTENNA)).toBe(0x1816);
  expect(read(2)).toBe(MAC_A[0]! | (MAC_A[1]! << 8));
  expect(read(0x11)).toBe(0x0002);
});

test('the MAC is preloaded into CSR3/CSR4 at reset (NetBSD rt2560_get_macaddr)', () => {
  const c = new Bed().chips[0]!;
  const lo = c.r(CSR.CSR3);
  const hi = c.r(CSR.CSR4);
  expect([lo & 0xff, (lo >>> 8) & 0xff, (lo >>> 16) & 0xff, lo >>> 24, hi & 0xff, (hi >>> 8) & 0xff]).toEqual(MAC_A);
});

test('PWRCSR1: BBP_CURR/RF_CURR reach the desired state after the transition, polled as rt2500pci_set_state does', () => {
  const bed = new Bed();
  const c = bed.chips[0]!;
  expect((c.r(CSR.PWRCSR1) >>> 5) & 0xf).toBe(0);
  const t0 = bed.now;
  const reads = c.setAwake();
  // One read per 10 ms: the first read after the transition is the one that succeeds.
  expect(reads).toBe(Math.ceil(POWER_TRANSITION_NS / (10 * MS)) + 1);
  expect(bed.now - t0).toBeGreaterThanOrEqual(POWER_TRANSITION_NS);
  expect((c.r(CSR.PWRCSR1) >>> 5) & 0xf).toBe(0xf);
  expect(c.core.awake).toBe(true);
});

test('BBP: R0 reads 0 right after the soft reset, then the version; writes read back; BUSY for the serial time', () => {
  const bed = new Bed();
  const c = bed.chips[0]!;
  c.w(CSR.CSR1, 1);
  c.w(CSR.CSR1, 4);
  c.w(CSR.BBPCSR, 0x8000);
  expect(c.r(CSR.BBPCSR) & 0x8000).toBe(0x8000);
  bed.delay(BBP_SERIAL_NS);
  expect(c.r(CSR.BBPCSR) & 0xff).toBe(0); // still in reset
  let r0 = 0;
  for (let i = 0; i < 100 && (r0 === 0 || r0 === 0xff); i++) r0 = c.bbpRead(0);
  expect(r0).not.toBe(0);
  expect(r0).not.toBe(0xff);
  c.bbpWrite(17, 0x48);
  c.bbpWrite(0, 0x00); // R0 is read-only
  expect(c.bbpRead(17)).toBe(0x48);
  expect(c.bbpRead(0)).toBe(r0);
  // A write while BUSY is dropped (traced).
  c.w(CSR.BBPCSR, 0x18000 | (18 << 8) | 0x11);
  c.w(CSR.BBPCSR, 0x18000 | (18 << 8) | 0x22);
  expect(bed.traced('bbp-busy').length).toBe(1);
  expect(c.bbpRead(18)).toBe(0x11);
});

test('RF: RFCSR BUSY, the R2 word of channel 11 tunes the radio, R3 sets the TX power', () => {
  const bed = new Bed({ air: {} });
  const c = bed.chips[0]!;
  c.rfWrite(r2Word(11));
  expect(c.r(CSR.RFCSR) >>> 31).toBe(1);
  c.tune(11, 15);
  bed.delay(10 * US);
  expect(c.r(CSR.RFCSR) >>> 31).toBe(0);
  expect(c.core.dcf.channel).toBe(11);
  expect(c.core.dcf.port!.channel).toBe(11);
  expect(c.core.dcf.port!.txPowerDbm).toBe(15);
  c.rfWrite(((0x12345 << 2) | 2) >>> 0);
  bed.delay(10 * US);
  expect(c.core.dcf.channel).toBe(11); // off-table R2: traced, the radio stays
  expect(bed.traced('rf-tune').some((r) => r.f?.['channel'] === 'off')).toBe(true);
});

test('CSR7/CSR8: INTx while CSR7 & ~CSR8, events latch while masked, write 1 to clear', () => {
  const bed = new Bed();
  const c = bed.chips[0]!;
  expect(c.r(CSR.CSR8)).toBe(0xffffffff);
  c.core.raise(0x40);
  expect(c.irq).toBe(false);
  expect(c.r(CSR.CSR7)).toBe(0x40);
  c.w(CSR.CSR8, ~0x40 >>> 0);
  expect(c.irq).toBe(true);
  c.w(CSR.CSR7, 0x08);
  expect(c.irq).toBe(true);
  c.w(CSR.CSR7, c.r(CSR.CSR7));
  expect(c.irq).toBe(false);
  expect(c.r(CSR.CSR7)).toBe(0);
});

test('CNT registers clear on read; the debugger peeks without clearing', () => {
  const bed = new Bed();
  const c = bed.chips[0]!;
  c.core.set(CSR.CNT0, 5);
  expect(c.nic.inspect().registers[0]!.regs.find((r) => r.name === 'CNT0')!.value).toBe(5);
  expect(c.r(CSR.CNT0)).toBe(5);
  expect(c.r(CSR.CNT0)).toBe(0);
});

test('accesses no register answers are traced and read open bus / 0', () => {
  const bed = new Bed();
  const c = bed.chips[0]!;
  expect(c.r(0x1a0)).toBe(0xffffffff);
  expect(c.r(0x1000)).toBe(0);
  c.w(0x1000, 1);
  bed.board.mmio.write(c.bar + CSR.CSR8, 2, 0);
  expect(c.r(CSR.CSR8)).toBe(0xffffffff);
  expect(bed.traced('reg-unmapped').length).toBeGreaterThanOrEqual(3);
});

test('the kind creates a chip from a scenario NIC (txPowerDbm into the EEPROM); inspect() shows it without side effects', () => {
  const bed = new Bed();
  const k = findNicKind('rt2560')!;
  expect(k.check({ slot: 3 })).toBeNull();
  expect(k.check({ ioport: 0x300 })).toMatch(/PCI/);
  if (k.bus !== 'pci') throw new Error('not PCI');
  const dev = k.create(componentContext(bed.sim, 'beta', 'beta.ral0'), { mac: Uint8Array.from(MAC_A), resources: { bus: 'pci', slot: null }, fields: { txPowerDbm: 12 } });
  const core = (dev as unknown as { core: { eepromTxPower(ch: number): number } }).core;
  expect(core.eepromTxPower(1)).toBe(12);
  expect(core.eepromTxPower(14)).toBe(12);
  const c = bed.chips[0]!;
  c.core.set(CSR.CSR7, 0x40);
  const view = c.nic.inspect();
  expect(view.summary).toMatch(/power bbp 0 rf 0/);
  expect(view.rings.map((r) => r.name)).toEqual(['tx ring', 'atim ring', 'prio ring', 'beacon ring', 'rx ring', 'cipher engine']);
  expect(view.registers[0]!.regs.find((r) => r.name === 'CSR7')!.bits).toEqual(['RXDONE']);
  expect(c.r(CSR.CSR7)).toBe(0x40);
});
