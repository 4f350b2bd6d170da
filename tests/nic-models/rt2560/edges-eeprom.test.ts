/**
 * The RT2560's 93C66 programmed through CSR21 (Microwire, e.g. Microchip 93C66 data sheet DS21795: start bit 1,
 * two opcode bits, 8 address bits in x16 mode; EWEN = 00 11xxxxxx, EWDS = 00 00xxxxxx, WRITE = 01 A7…A0 D15…D0;
 * programming starts when CS falls; the part powers up in the EWDS state). The words are read back the way
 * eeprom_93cx6_read does (fixture `eeRead`), and the MAC word as NetBSD rt2560_get_macaddr sees it, in CSR3/CSR4
 * after a power cycle. Plus the chip's refusal of a MAC address that is not 6 bytes.
 */
import { Bed, MAC_A, US, type Chip } from './fixture';
import { CSR, EEPROM_WORD } from '../../../nic-models/rt2560/regs';
import { Rt2560Pci } from '../../../nic-models/rt2560/rt2560-pci';
import { componentContext } from '../../../emulator/machine/sim';

const CS = 0x4, SK = 0x2, DI = 0x8;

/** One Microwire command: CS high, each bit set up on DI and clocked in on the rising SK, then CS low. */
function command(c: Chip, bits: number[], o: { deselect?: boolean } = {}): void {
  const pins = (v: number): void => {
    c.w(CSR.CSR21, v);
    c.bed.delay(US);
  };
  pins(CS);
  for (const b of bits) {
    const d = b ? DI : 0;
    pins(CS | d);
    pins(CS | d | SK);
    pins(CS | d);
  }
  if (o.deselect !== false) pins(0);
}

const bitsOf = (v: number, n: number): number[] => Array.from({ length: n }, (_, i) => (v >>> (n - 1 - i)) & 1);
const EWEN = [1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0];
const EWDS = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
const write = (addr: number, v: number): number[] => [1, 0, 1, ...bitsOf(addr, 8), ...bitsOf(v, 16)];

const programmed = (bed: Bed, c: Chip) => bed.traced('eeprom-program', c.name).map((r) => [r.f!['op'], r.f!['addr']]);

test('WRITE is refused until EWEN (traced write-disabled), lands at CS low after EWEN, and EWDS locks the part again', () => {
  const bed = new Bed();
  const c = bed.chips[0]!;
  const before = c.eeRead(0x20);
  // Power-up state is EWDS: the write is ignored, the word reads as before.
  command(c, write(0x20, 0x1234));
  expect(c.eeRead(0x20)).toBe(before);
  command(c, EWEN);
  command(c, write(0x20, 0x1234));
  expect(c.eeRead(0x20)).toBe(0x1234);
  command(c, write(0x21, 0xbeef));
  expect(c.eeRead(0x21)).toBe(0xbeef);
  command(c, EWDS);
  command(c, write(0x20, 0x5678));
  expect(c.eeRead(0x20)).toBe(0x1234);
  // The model's eeprom-program records (docs/models/rt2560.md): what each CS falling edge did.
  expect(programmed(bed, c)).toEqual([['write-disabled', 0x20], ['write', 0x20], ['write', 0x21], ['write-disabled', 0x20]]);
});

test('a WRITE deselected before its 16th data bit programs nothing (traced incomplete)', () => {
  const bed = new Bed();
  const c = bed.chips[0]!;
  const before = c.eeRead(0x30);
  command(c, EWEN);
  command(c, write(0x30, 0xa5a5).slice(0, 11 + 10));
  expect(c.eeRead(0x30)).toBe(before);
  expect(programmed(bed, c)).toEqual([['incomplete', 0x30]]);
});

test('a power cycle (RST# at power-on) leaves the part write-disabled; the words written before it stay and the MAC preload reads them', () => {
  const bed = new Bed();
  const c = bed.chips[0]!;
  const mac01 = 0x0e02; // new MAC bytes 0 and 1: 02:0e (locally administered)
  command(c, EWEN);
  command(c, write(EEPROM_WORD.MAC_ADDR_0, mac01));
  // node-faults power-cycle: every NIC through its PCI reset.
  c.nic.reset();
  expect(c.eeRead(EEPROM_WORD.MAC_ADDR_0)).toBe(mac01);
  // NetBSD rt2560_get_macaddr reads the preloaded MAC in CSR3/CSR4.
  expect(c.r(CSR.CSR3)).toBe((0x02 | (0x0e << 8) | (MAC_A[2]! << 16) | (MAC_A[3]! << 24)) >>> 0);
  // The EWEN before the power cycle is gone: a 93C66 powers up in EWDS.
  command(c, write(EEPROM_WORD.MAC_ADDR_0, 0xffff));
  expect(c.eeRead(EEPROM_WORD.MAC_ADDR_0)).toBe(mac01);
  expect(programmed(bed, c).at(-1)).toEqual(['write-disabled', EEPROM_WORD.MAC_ADDR_0]);
});

test('a MAC address that is not 6 bytes is refused when the chip is made, naming the NIC', () => {
  const bed = new Bed({ chips: [] });
  expect(() => new Rt2560Pci(componentContext(bed.sim, 'alpha', 'alpha.ral7'), { mac: [0, 0x0c, 0x43, 0x25, 0x60] }))
    .toThrow('alpha.ral7: MAC address needs 6 bytes');
});
