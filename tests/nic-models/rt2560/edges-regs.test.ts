/**
 * RT2560 register edges: the reset values the drivers' read-modify-writes start from, CSR1.SOFT_RESET acting on its
 * rising edge only, the `rx-enable` record only when RXCSR0.DISABLE_RX changes, an RFCSR word for the IF chip not
 * retuning the RF synthesizer, the debugger's `show nic` view (channel, BBP and RF groups, CSR bit names), and a
 * bus-master transfer ending exactly at 4 GiB versus one running past it.
 */
import { Bed, BCAST, frame, MAC_A, US } from './fixture';
import { LINUX_BBP } from './drivers';
import { CSR } from '../../../nic-models/rt2560/regs';
import { r2Word } from '../../../nic-models/rt2560/bbp-rf';
import { RF_SERIAL_NS } from '../../../nic-models/rt2560/timing';

test('RST#: TXCSR1, GPIOCSR, CSR11, CSR8 and RXCSR0 read the values the drivers build on; a power cycle restores them', () => {
  const bed = new Bed();
  const c = bed.chips[0]!;
  const expected: [number, number][] = [
    // ACK_TIMEOUT 0x162 (354 µs), ACK_CONSUME 0xa2, TSF_OFFSET 24, AUTORESPONDER: rt2500pci_config_erp rewrites the
    // fields by read-modify-write, NetBSD RT2560_DEF_MAC writes this very value.
    [CSR.TXCSR1, 0x07614562],
    // rt2500pci_probe_hw read-modify-writes GPIOCSR (DIR0); bit 0, the rfkill input, reads 0 (docs/models/rt2560.md).
    [CSR.GPIOCSR, 0x0000ff00],
    // rt2500pci_config_erp changes only SLOT_TIME of CSR11: retry limits 7/4, CWmin/CWmax exponents 3/8.
    [CSR.CSR11, 0x07041483],
    // Every interrupt masked, the receiver off until the driver turns it on.
    [CSR.CSR8, 0xffffffff],
    [CSR.RXCSR0, 0x1],
  ];
  for (const [off, v] of expected) expect([off, c.r(off)]).toEqual([off, v]);
  c.w(CSR.TXCSR1, 0);
  c.w(CSR.GPIOCSR, 0x100);
  c.nic.reset();
  expect(c.r(CSR.TXCSR1)).toBe(0x07614562);
  expect(c.r(CSR.GPIOCSR)).toBe(0x0000ff00);
});

test('CSR1.SOFT_RESET acts on its rising edge: HOST_READY alone, or SOFT_RESET written while still set, leaves the rings alone', () => {
  const bed = new Bed();
  const c = bed.chips[0]!;
  c.open({ style: 'linux' });
  const base = c.rings!.prio.base;
  for (let i = 0; i < 3; i++) c.send('prio', frame(0x08, BCAST, MAC_A, MAC_A, [i]), { rate: 11 });
  bed.delay(5000 * US);
  expect(c.r(CSR.PRIPTR)).toBe(base + 3 * 44);
  const resets = (): number => bed.traced('reset', c.name).length;
  const r0 = resets();
  // rt2500pci_init_registers' second CSR1 write: SOFT_RESET = 0, HOST_READY = 1.
  c.w(CSR.CSR1, 0x4);
  expect(c.r(CSR.PRIPTR)).toBe(base + 3 * 44);
  expect(resets()).toBe(r0);
  c.w(CSR.CSR1, 0x1);
  expect(c.r(CSR.PRIPTR)).toBe(base);
  expect(resets()).toBe(r0 + 1);
  c.cur.prio = 0;
  c.send('prio', frame(0x08, BCAST, MAC_A, MAC_A, [9]), { rate: 11 });
  bed.delay(2000 * US);
  expect(c.r(CSR.PRIPTR)).toBe(base + 44);
  c.w(CSR.CSR1, 0x1 | 0x4); // SOFT_RESET already 1: no edge
  expect(c.r(CSR.PRIPTR)).toBe(base + 44);
  expect(resets()).toBe(r0 + 1);
});

test('rx-enable is traced when DISABLE_RX changes, not for filter-only RXCSR0 writes (rt2500pci_config_filter)', () => {
  const bed = new Bed();
  const c = bed.chips[0]!;
  c.open({ style: 'linux' });
  const recs = () => bed.traced('rx-enable', c.name).map((r) => r.f!['on']);
  expect(recs()).toEqual([true]);
  // FIF_PROMISC_IN_BSS / FIF_CONTROL: DROP_NOT_TO_ME and DROP_CONTROL cleared, the receiver stays on.
  c.w(CSR.RXCSR0, 0x02 | 0x04 | 0x20 | 0x40);
  c.w(CSR.RXCSR0, 0x02 | 0x04 | 0x08 | 0x10 | 0x20 | 0x40);
  expect(recs()).toEqual([true]);
  // rt2500pci_config: DISABLE_RX around a channel change.
  c.w(CSR.RXCSR0, 0x01 | 0x02 | 0x04 | 0x08 | 0x10 | 0x20 | 0x40);
  c.w(CSR.RXCSR0, 0x01);
  expect(recs()).toEqual([true, false]);
});

test('an RFCSR word for the IF chip (IF_SELECT) leaves the RF synthesizer where it is', () => {
  const bed = new Bed({ air: {} });
  const c = bed.chips[0]!;
  c.tune(6);
  bed.delay(10 * US);
  expect(c.core.dcf.port!.channel).toBe(6);
  // BUSY | 20 bits | IF_SELECT with channel 11's R2 word: rt2500pci_rf_write always clears IF_SELECT for the RF chip.
  c.w(CSR.RFCSR, (0x80000000 | 0x20000000 | (20 << 24) | r2Word(11)) >>> 0);
  bed.delay(RF_SERIAL_NS);
  expect(c.r(CSR.RFCSR) >>> 30).toBe(0b01); // BUSY clear, PLL_LD
  expect(c.core.dcf.port!.channel).toBe(6);
  expect(bed.traced('rf-tune', c.name).map((r) => r.f!['channel'])).toEqual([6]);
});

test('show nic: channel untuned until an R2 word, the BBP registers that are not 0, RF R1–R4 as written, CSR bit names', () => {
  const bed = new Bed();
  const c = bed.chips[0]!;
  let v = c.nic.inspect();
  expect(v.summary).toContain('channel untuned');
  expect(v.registers.map((g) => g.group)).toEqual(['CSR', 'BBP', 'RF (as written)']);
  expect(v.registers[2]!.regs.map((r) => [r.name, r.value])).toEqual([['RF_R1', 0], ['RF_R2', 0], ['RF_R3', 0], ['RF_R4', 0]]);
  c.open({ style: 'linux' });
  const version = c.bbpRead(0);
  v = c.nic.inspect();
  expect(v.summary).toContain('channel 6');
  expect(v.registers.map((g) => g.group)).toEqual(['CSR', 'BBP', 'RF (as written)']);
  // R0 (the version) and the 30 registers rt2500pci_init_bbp writes, every value non-zero, in register order.
  expect(v.registers[1]!.regs).toEqual([
    { name: 'BBP_R0', value: version, width: 1 },
    ...LINUX_BBP.map(([reg, val]) => ({ name: `BBP_R${reg}`, value: val, width: 1 })),
  ]);
  // The fixture's rt2500pci_config_channel words for channel 6 at 18 dBm (18-bit data, register bits stripped).
  expect(v.registers[2]!.regs).toEqual([
    { name: 'RF_R1', value: 0x08808, width: 4 },
    { name: 'RF_R2', value: r2Word(6) >>> 2, width: 4 },
    { name: 'RF_R3', value: 0x18044 | (18 << 7), width: 4 },
    { name: 'RF_R4', value: 0x00281, width: 4 },
  ]);
  const csr = (name: string) => v.registers[0]!.regs.find((r) => r.name === name)!;
  expect(csr('CSR1').bits).toEqual(['HOST_READY']);
  expect(csr('RXCSR0').bits).toEqual(['DROP_CRC', 'DROP_PHYSICAL', 'DROP_CONTROL', 'DROP_NOT_TO_ME', 'DROP_TODS', 'DROP_VERSION_ERROR']);
});

test('bus-master reads: one ending exactly at 4 GiB goes on the bus (nothing claims it), one byte further the chip refuses', () => {
  const bed = new Bed();
  const c = bed.chips[0]!;
  c.open({ style: 'linux' });
  const R = c.rings!;
  const top = 0x1_0000_0000;
  c.fillDesc(R.prio.base, top - 40, 40, 1, {});
  c.fillDesc(R.prio.base + 44, top - 39, 40, 1, {});
  c.w(CSR.TXCSR0, 4);
  bed.delay(200 * US);
  const nicAborts = bed.recs.filter((r) => r.layer === 'nic' && r.probe === 'master-abort').map((r) => {
    const { dir, addr, len, reason } = r.f!;
    return { dir, addr, len, reason };
  });
  expect(nicAborts).toEqual([
    // The board's bus master finds no RAM there: its own abort (beyond-ram), the chip's record says 'dma'.
    { dir: 'read', addr: top - 40, len: 40, reason: 'dma' },
    // 4 GiB + 1 byte cannot be put on a 32-bit bus at all.
    { dir: 'read', addr: top - 39, len: 40, reason: 'range' },
  ]);
  const busAborts = bed.recs.filter((r) => r.layer === 'dma' && r.probe === 'master-abort');
  expect(busAborts.map((r) => [r.f!['addr'], r.f!['reason']])).toEqual([[top - 40, 'beyond-ram']]);
  // Both frames complete with RESULT = FAIL_OTHER (4); PCI status Received Master Abort is set.
  expect([0, 1].map((i) => (c.txW0('prio', i) >>> 2) & 7)).toEqual([4, 4]);
  expect((c.cr(0x04) >>> 16) & 0x2000).toBe(0x2000);
});
