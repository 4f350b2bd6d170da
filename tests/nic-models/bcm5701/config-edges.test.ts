/**
 * Edges of the BCM5701's PCI face and configuration registers (bcm5701-pci.ts, config-regs.ts) and of two
 * register/EEPROM details (mac-regs.ts, eeprom.ts): what each BAR0 region costs the CPU, PMCSR written the way
 * Linux's PCI core writes it (a config word), the indirect-register window's upper bound, the config alias of the
 * standard ring producer tg3's indirect mailbox writes use, the trace of an enabled receive rule, and the VPD
 * read-only keywords.
 */
import { buildEepromImage } from '../../../nic-models/bcm5701/eeprom';
import { Host, MAC, MS } from './fixture';

/** Every record of the chip's core carries its name. */
const NIC = { nic: 'alpha.nic0' };

describe('PCI target timing of BAR0 (timing.ts PCI_WAIT_*, pci-bus.ts, 33 MHz segment: 30 ns a clock)', () => {
  test('reads: mailboxes 8 clocks, registers 11, the SRAM window 13; memory writes are posted (2 clocks)', () => {
    const h = new Host();
    h.delay(2 * MS);
    const readNs = (off: number): number => {
      const t0 = h.now;
      h.r(off);
      return h.now - t0;
    };
    // host request 2 + address 1 + DEVSEL medium 2 + wait states + return 1 + turnaround 1
    const MBOX = (7 + 1) * 30;
    const REG = (7 + 4) * 30;
    const SRAM = (7 + 6) * 30;
    const regions: [number, number][] = [
      [0x01fc, REG], // below the mailboxes (reads 0)
      [0x0200, MBOX], // interrupt mailbox 0, high word: the first mailbox
      [0x03fc, MBOX], // the last mailbox
      [0x0400, REG], // MAC_MODE
      [0x57fc, REG],
      [0x5800, MBOX], // GRC mailbox aliases 0x5800–0x59ff (tg3_write_indirect_mbox's "off + 0x5600")
      [0x59fc, MBOX],
      [0x5a00, REG],
      [0x7ffc, REG],
      [0x8000, SRAM], // the memory window
      [0xfffc, SRAM],
    ];
    expect(regions.map(([off]) => [off, readNs(off)])).toEqual(regions);
    // A memory BAR: the host bridge posts writes (the i440FX's posting buffer takes one in 2 clocks).
    const t0 = h.now;
    h.w(0x3c08, 150); // HOSTCC_RXCOL_TICKS
    expect(h.now - t0).toBe(2 * 30);
    expect(h.r(0x3c08)).toBe(150);
  });
});

describe('power management (PMCSR at 0x4c: PCI PM 1.1 §3.2.4)', () => {
  test('config word writes as pci_raw_set_power_state makes them; PME_En kept by a byte write; pm-state only on a change', () => {
    const h = new Host();
    h.delay(2 * MS);
    // pci_pme_active(dev, true) in D0: PME_En | PME_Status (write 1 to clear), one config word
    h.cw(0x4c, 0x8100, 2);
    expect(h.cr(0x4c, 2)).toBe(0x0100);
    h.cw(0x4c, 0x00, 1); // a byte write of PowerState = D0 leaves PME_En (bits 15:8) alone
    expect(h.cr(0x4c, 2)).toBe(0x0100);
    expect(h.traced('pm-state')).toEqual([]); // still D0
    // pci_set_power_state(D3hot): read the word, PowerState = 3, write the word
    h.cw(0x4c, (h.cr(0x4c, 2) & ~3) | 3, 2);
    expect(h.cr(0x4c, 2)).toBe(0x0103);
    expect(h.r(0x68)).toBe(0xffffffff); // D3hot: the BAR does not decode (PCI PM 1.1 §5.4)
    h.cw(0x4c, 0x0100, 2); // back to D0
    expect(h.traced('pm-state').map((r) => r.f)).toEqual([{ ...NIC, from: 0, to: 3 }, { ...NIC, from: 3, to: 0 }]);
  });
});

describe('indirect access through config space', () => {
  test('REG_BASE_ADDR 0x8000 is past the registers: nothing read or written, traced with the base', () => {
    const h = new Host();
    h.delay(2 * MS);
    h.cw(0x78, 0x7ffc); // the last register offset is still in range (nothing there: reg-unmapped)
    expect(h.cr(0x80)).toBe(0);
    expect(h.traced('indirect-out-of-range')).toEqual([]);
    h.cw(0x78, 0x8000);
    expect(h.cr(0x80)).toBe(0);
    h.cw(0x80, 0x1234);
    expect(h.traced('indirect-out-of-range').map((r) => r.f)).toEqual([{ ...NIC, base: 0x8000 }, { ...NIC, base: 0x8000 }]);
    expect(h.traced('reg-unmapped').map((r) => r.f!['off'])).toEqual([0x7ffc]);
  });

  test('config 0x9c is the standard ring producer (tg3_write_indirect_mbox for TG3_RX_STD_PROD_IDX_REG), 0xa4 the return consumer', () => {
    const h = new Host();
    h.delay(2 * MS);
    h.cw(0x9c, 42); // TG3PCI_STD_RING_PROD_IDX + TG3_64BIT_REG_LOW
    expect(h.r(0x26c)).toBe(42);
    expect(h.cr(0x9c)).toBe(42);
    h.cw(0xa4, 7); // TG3PCI_RCV_RET_RING_CON_IDX + TG3_64BIT_REG_LOW
    expect(h.r(0x284)).toBe(7);
    expect(h.traced('cfg-ignored')).toEqual([]);
  });
});

describe('receive rules', () => {
  test('a rule written with its enable bit (31) is not evaluated: traced once per rule, with the value', () => {
    const h = new Host();
    h.delay(2 * MS);
    h.wr(0x480, 0x42000000); // tg3's rule 0, enable clear: nothing to say
    h.wr(0x490, 0x86000004); // rule 2 enabled
    h.wr(0x490, 0x86000004);
    h.wr(0x498, 0xc2000000); // rule 3 enabled
    expect(h.traced('rx-rule-unsupported').map((r) => r.f)).toEqual([
      { ...NIC, rule: 2, value: 0x86000004 },
      { ...NIC, rule: 3, value: 0xc2000000 },
    ]);
    expect(h.r(0x490)).toBe(0x86000004); // stored all the same
  });
});

describe('EEPROM VPD', () => {
  test('the read-only section holds PN, EC and RV keywords in turn (PCI 2.2 §6.4), EC = the B5 stepping', () => {
    const v = buildEepromImage({ mac: MAC }).subarray(0x100, 0x200);
    const idLen = v[1]! | (v[2]! << 8);
    const ro = 3 + idLen; // the RO tag (0x90) follows the identifier string
    expect(v[ro]).toBe(0x90);
    const end = ro + 3 + (v[ro + 1]! | (v[ro + 2]! << 8));
    const keywords: [string, string][] = [];
    for (let o = ro + 3; o < end; o += 3 + v[o + 2]!) {
      const data = v.subarray(o + 3, o + 3 + v[o + 2]!);
      keywords.push([String.fromCharCode(v[o]!, v[o + 1]!), v[o] === 0x52 ? `len ${data.length}` : Buffer.from(data).toString()]);
    }
    expect(keywords).toEqual([['PN', 'BCM95701A5'], ['EC', 'B5'], ['RV', 'len 1']]);
    expect(v[end]).toBe(0x78); // end tag right after RV
  });
});
