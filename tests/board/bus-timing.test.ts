/**
 * What one access costs on the board's buses (emulator/machine/board/isa-bus.ts, pci-bus.ts). Every expected
 * figure is computed here from the model's parts: PCI clocks of 30 ns (33⅓ MHz) and ISA BCLKs of 120 ns.
 *
 * PCI side of a transaction, in clocks: 2 host request + 1 address + DEVSEL (fast 1, medium 2, slow 3,
 * subtractive 4; a read's data phase not before the 2nd clock) + target wait states + 1 read return + 1 idle.
 * ISA side, in BCLKs: 1 sync + per cycle (8-bit 6 or 16-bit 3 + IOCHRDY waits + 4.5 I/O recovery).
 */
import { Board } from '../../emulator/machine/board/board';
import { isaIoNs, INTERRUPT_ACKNOWLEDGE_NS } from '../../emulator/machine/board/isa-bus';
import { pciAccessNs, configCycleNs } from '../../emulator/machine/board/pci-bus';
import type { SystemPage } from '../../emulator/machine/bus/node-bus';
import { ISA_8BIT_TARGET, isaTarget, PCI_DEFAULT_TARGET, type PciTargetTiming } from '../../emulator/machine/bus/timing';
import { pciConfigAddress } from '../../emulator/machine/bus/pc-platform';
import { RecordingHandler, fakeNic, testSim } from './fake-pci';

const CLK = 30;
const BCLK = 120;
/** PCI-side clocks around an ISA cycle the PIIX3 claims subtractively: read 2+1+4+1+1, write 2+1+4+1. */
const SUB_READ = 9 * CLK;
const SUB_WRITE = 8 * CLK;
/** ... and one it claims as its own register (medium DEVSEL): read 2+1+2+1+1, write 2+1+2+1. */
const PIIX_READ = 7 * CLK;
const PIIX_WRITE = 6 * CLK;
/** One ISA I/O cycle with its recovery, in BCLKs. */
const CYCLE8 = 6 + 4.5;
const CYCLE16 = 3 + 4.5;

const WORD_CARD = isaTarget({ io16: (o) => o >= 0x10 && o < 0x18 });

describe('ISA cycles behind the PIIX3', () => {
  test('8-bit and 16-bit I/O cycles, read and write', () => {
    expect(isaIoNs(ISA_8BIT_TARGET, 'subtractive', 0, 1, false)).toBe(SUB_READ + (1 + CYCLE8) * BCLK); // 1650
    expect(isaIoNs(ISA_8BIT_TARGET, 'subtractive', 0, 1, true)).toBe(SUB_WRITE + (1 + CYCLE8) * BCLK); // 1620
    expect(isaIoNs(WORD_CARD, 'subtractive', 0x10, 2, false)).toBe(SUB_READ + (1 + CYCLE16) * BCLK); // 1290
    expect(isaIoNs(WORD_CARD, 'subtractive', 0x10, 2, true)).toBe(SUB_WRITE + (1 + CYCLE16) * BCLK); // 1260
    expect([1650, 1620, 1290, 1260]).toEqual([
      isaIoNs(ISA_8BIT_TARGET, 'subtractive', 0, 1, false), isaIoNs(ISA_8BIT_TARGET, 'subtractive', 0, 1, true),
      isaIoNs(WORD_CARD, 'subtractive', 0x10, 2, false), isaIoNs(WORD_CARD, 'subtractive', 0x10, 2, true),
    ]);
  });

  test('a byte access to a 16-bit target is one 16-bit cycle; wider accesses to 8-bit targets are split', () => {
    expect(isaIoNs(WORD_CARD, 'subtractive', 0x10, 1, false)).toBe(SUB_READ + (1 + CYCLE16) * BCLK);
    // 16-bit access where the card does not assert IOCS16#: two 8-bit cycles.
    expect(isaIoNs(WORD_CARD, 'subtractive', 0x00, 2, false)).toBe(SUB_READ + (1 + 2 * CYCLE8) * BCLK); // 2910
    // 32-bit: two 16-bit cycles on the data port, four 8-bit cycles on the registers.
    expect(isaIoNs(WORD_CARD, 'subtractive', 0x10, 4, true)).toBe(SUB_WRITE + (1 + 2 * CYCLE16) * BCLK); // 2160
    expect(isaIoNs(WORD_CARD, 'subtractive', 0x00, 4, true)).toBe(SUB_WRITE + (1 + 4 * CYCLE8) * BCLK); // 5400
  });

  test('IOCHRDY wait states lengthen each cycle by a BCLK', () => {
    const slow = isaTarget({ waitStates: (_o, write) => (write ? 1 : 3) });
    expect(isaIoNs(slow, 'subtractive', 0, 1, false)).toBe(SUB_READ + (1 + CYCLE8 + 3) * BCLK);
    expect(isaIoNs(slow, 'subtractive', 0, 1, true)).toBe(SUB_WRITE + (1 + CYCLE8 + 1) * BCLK);
    // Split into two cycles: each pays its wait states.
    expect(isaIoNs(slow, 'subtractive', 0, 2, false)).toBe(SUB_READ + (1 + 2 * (CYCLE8 + 3)) * BCLK);
  });

  test('the PIIX3 claims its own registers with medium DEVSEL#; the INTA cycle is two 8-bit pulses', () => {
    expect(isaIoNs(ISA_8BIT_TARGET, 'piix3', 0, 1, false)).toBe(PIIX_READ + (1 + CYCLE8) * BCLK); // 1590
    expect(isaIoNs(ISA_8BIT_TARGET, 'piix3', 0, 1, true)).toBe(PIIX_WRITE + (1 + CYCLE8) * BCLK); // 1560
    expect(INTERRUPT_ACKNOWLEDGE_NS).toBe(PIIX_READ + (1 + 2 * 6) * BCLK); // 1770
  });
});

describe('PCI transactions through the host bridge', () => {
  const t = (devsel: PciTargetTiming['devsel'], wait: number): PciTargetTiming => ({ devsel, waitClocks: () => wait });

  test('DEVSEL# speed, read turnaround and target wait states', () => {
    // fast: write 2+1+1 = 4 (+0 return) +1 idle; read 2+1+max(1,2)+1+1.
    expect(pciAccessNs(t('fast', 0), 0, 'io', 0, 1, true)).toBe(5 * CLK);
    expect(pciAccessNs(t('fast', 0), 0, 'io', 0, 1, false)).toBe(7 * CLK);
    expect(pciAccessNs(t('medium', 0), 0, 'io', 0, 2, true)).toBe(6 * CLK);
    expect(pciAccessNs(t('medium', 0), 0, 'io', 0, 2, false)).toBe(7 * CLK);
    expect(pciAccessNs(t('slow', 3), 0, 'io', 0, 4, true)).toBe((2 + 1 + 3 + 3 + 1) * CLK);
    expect(pciAccessNs(t('slow', 3), 0, 'io', 0, 4, false)).toBe((2 + 1 + 3 + 3 + 1 + 1) * CLK);
    expect(PCI_DEFAULT_TARGET.devsel).toBe('medium');
  });

  test('memory writes are posted: the CPU pays 2 clocks; memory reads are not', () => {
    expect(pciAccessNs(t('slow', 5), 0, 'mem32', 0, 4, true)).toBe(2 * CLK);
    expect(pciAccessNs(t('slow', 5), 0, 'mem32', 0, 4, false)).toBe((2 + 1 + 3 + 5 + 1 + 1) * CLK);
  });

  test('configuration cycles: claimed at the function\'s DEVSEL# speed, or a master abort', () => {
    expect(configCycleNs('medium', false)).toBe(7 * CLK);
    expect(configCycleNs('fast', true)).toBe(5 * CLK);
    // No DEVSEL# by the 5th clock: 2 request + 5 + (read: 1 return) + 1 idle.
    expect(configCycleNs(null, false)).toBe(9 * CLK);
    expect(configCycleNs(null, true)).toBe(8 * CLK);
  });
});

describe('a board\'s NodeBus says what each access costs', () => {
  const syspage: SystemPage = {
    cpus: 1, ramBytes: 1 << 20, freeMemBase: 0x100000, freeMemEnd: 1 << 20, interruptController: '8259',
    ioapicBase: 0xfec00000, picVectorBase: 0x30, pci: [], isa: [],
  };

  function board() {
    const { ctx } = testSim();
    const b = new Board(ctx('board'), { ramBytes: 1 << 20, cpus: 1, interruptController: '8259' });
    b.mapIsaDevice('card', 0x300, 0x20, new RecordingHandler(0x20), WORD_CARD);
    const slow: PciTargetTiming = { devsel: 'slow', waitClocks: (bar, _o, write) => (bar === 0 && !write ? 4 : 0) };
    const nic = fakeNic(0x8029, { timing: slow });
    b.addPciDevice(nic.fn, 3);
    return { b, bus: b.nodeBus(syspage) };
  }

  test('ISA card, chipset registers, unclaimed ports', () => {
    const { bus } = board();
    expect(bus.ioCycleNs(0x300, 1, true)).toBe(1620);
    expect(bus.ioCycleNs(0x310, 2, false)).toBe(1290);
    expect(bus.ioCycleNs(0x21, 1, true)).toBe(PIIX_WRITE + (1 + CYCLE8) * BCLK); // 8259 IMR
    expect(bus.ioCycleNs(0x4d0, 1, false)).toBe(PIIX_READ + (1 + CYCLE8) * BCLK); // ELCR1
    // Nobody decodes 0x80: the PIIX3 still runs the 8-bit ISA cycle, split for a word.
    expect(bus.ioCycleNs(0x80, 1, true)).toBe(1620);
    expect(bus.ioCycleNs(0x80, 2, false)).toBe(SUB_READ + (1 + 2 * CYCLE8) * BCLK);
    expect(bus.interruptAcknowledgeNs).toBe(1770);
  });

  test('an access straddling two windows is one cycle per byte, each at its own window\'s cost', () => {
    const { bus } = board();
    // 0x31F is the card's last port (8-bit), 0x320 nobody's.
    expect(bus.ioCycleNs(0x31f, 2, false)).toBe(1650 + 1650);
  });

  test('configuration mechanism #1: CONFIG_ADDRESS inside the host bridge, CONFIG_DATA per selected function', () => {
    const { bus } = board();
    expect(bus.ioCycleNs(0xcf8, 4, true)).toBe(2 * CLK);
    expect(bus.ioCycleNs(0xcf8, 4, false)).toBe(3 * CLK);
    // A byte access at 0xCF8–0xCFB is ordinary ISA I/O through the PIIX3.
    expect(bus.ioCycleNs(0xcf9, 1, true)).toBe(1620);
    bus.out32(0xcf8, pciConfigAddress(0, 3, 0, 0));
    expect(bus.ioCycleNs(0xcfc, 4, false)).toBe((2 + 1 + 3 + 1 + 1) * CLK); // slow DEVSEL, no config wait states
    // The function's status register reports the DEVSEL# timing it is charged with (bits 10:9 = 10, slow).
    bus.out32(0xcf8, pciConfigAddress(0, 3, 0, 0x04));
    expect((bus.in32(0xcfc) >>> 16 >>> 9) & 3).toBe(2);
    bus.out32(0xcf8, pciConfigAddress(0, 9, 0, 0));
    expect(bus.ioCycleNs(0xcfc, 4, false)).toBe(9 * CLK); // master abort
    bus.out32(0xcf8, pciConfigAddress(0, 0, 0, 0));
    expect(bus.ioCycleNs(0xcfc, 2, false)).toBe(3 * CLK); // the host bridge's own configuration space
    bus.out32(0xcf8, pciConfigAddress(0, 1, 0, 0));
    expect(bus.ioCycleNs(0xcfc, 1, true)).toBe(6 * CLK); // the PIIX3: medium DEVSEL
    bus.out32(0xcf8, 0);
    expect(bus.ioCycleNs(0xcfc, 1, false)).toBe(1650); // enable bit off: plain ISA I/O
  });

  test('a PCI I/O BAR is timed by its function\'s PciTargetTiming once decoded', () => {
    const { b, bus } = board();
    bus.out32(0xcf8, pciConfigAddress(0, 3, 0, 0x10));
    bus.out32(0xcfc, 0xc001);
    bus.out32(0xcf8, pciConfigAddress(0, 3, 0, 0x04));
    bus.out16(0xcfc, 0x0001);
    expect(b.io.find(0xc000)?.name).toBe('00:03.0 BAR0');
    expect(bus.ioCycleNs(0xc000, 1, false)).toBe((2 + 1 + 3 + 4 + 1 + 1) * CLK); // slow, 4 read wait states
    expect(bus.ioCycleNs(0xc010, 2, true)).toBe((2 + 1 + 3 + 0 + 1) * CLK);
  });

  test('the I/O APIC on the X-bus: reads one 8-bit cycle per byte, writes posted; unclaimed memory aborts', () => {
    const { bus } = board();
    expect(bus.mmioCycleNs(0xfec00010, 4, false)).toBe(PIIX_READ + (1 + 4 * 6) * BCLK); // 3210
    expect(bus.mmioCycleNs(0xfec00000, 4, true)).toBe(2 * CLK);
    expect(bus.mmioCycleNs(0xd000_0000, 4, false)).toBe(9 * CLK);
    expect(bus.mmioCycleNs(0xd000_0000, 4, true)).toBe(2 * CLK);
  });
});
