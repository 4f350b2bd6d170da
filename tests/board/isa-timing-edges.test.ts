/**
 * ISA I/O timing (emulator/machine/board/isa-bus.ts) defaults the board's mutation run (docs/testing.md) showed no
 * test pinned: an ISA window whose decode is not given is claimed subtractively by the PIIX3 (after the other
 * PCI targets had their chance, PIIX3 datasheet "subtractive decode"), so it costs what an explicit subtractive
 * window costs, more than a positively decoded PIIX3 register block.
 */
import { isaIoNs, isaIoTiming } from '../../emulator/machine/board/isa-bus';
import { ISA_8BIT_TARGET } from '../../emulator/machine/bus/timing';

describe('ISA window decode default', () => {
  test('an ISA window without a decode is claimed subtractively', () => {
    const t = isaIoTiming(ISA_8BIT_TARGET);
    for (const write of [false, true]) {
      expect(t.cycleNs(0, 1, write)).toBe(isaIoNs(ISA_8BIT_TARGET, 'subtractive', 0, 1, write));
      expect(t.cycleNs(0, 1, write)).toBeGreaterThan(isaIoNs(ISA_8BIT_TARGET, 'piix3', 0, 1, write));
    }
  });
});
