/**
 * BCM5701 configuration space, register file and access paths (design §6.1 items 1–5, 8): identity and
 * capabilities, MISC_HOST_CTRL/PCISTATE, read-back of every read/write register, side-effect-free reads, the
 * BAR0 config mirror, indirect register and SRAM access, unmapped accesses, and the scope of a core reset.
 */
import { RegisterTable } from '../../../emulator/machine/bus/register-table';
import { Simulation, componentContext } from '../../../emulator/machine/sim';
import { Bcm5701Pci } from '../../../nic-models/bcm5701/bcm5701-pci';
import { BAR, Host, MAC, MS, SLOT, US } from './fixture';

describe('BCM5701 PCI function', () => {
  test('identity, class, capabilities PCI-X (0x40) then PM (0x48), subsystem 14e4:0001', () => {
    const h = new Host();
    expect(h.cr(0x00)).toBe(0x164514e4);
    expect(h.cr(0x08) >>> 8).toBe(0x020000);
    expect(h.cr(0x2c)).toBe(0x000114e4);
    expect(h.cr(0x06, 2) & 0x10).toBe(0x10);
    expect(h.cr(0x34, 1)).toBe(0x40);
    expect(h.cr(0x40, 1)).toBe(0x07); // tg3_get_invariants: "Cannot find PCI-X capability" otherwise
    expect(h.cr(0x41, 1)).toBe(0x48);
    expect(h.cr(0x48, 1)).toBe(0x01);
    expect(h.cr(0x49, 1)).toBe(0x00);
    expect(h.cr(0x4a, 2)).toBe(0xc002);
    expect(h.cr(0x3d, 1)).toBe(1);
    // BAR0: 64 KiB memory, 32-bit, non-prefetchable.
    expect(h.cr(0x10)).toBe(BAR);
    h.cw(0x10, 0xffffffff);
    expect(h.cr(0x10)).toBe(0xffff0000);
    h.cw(0x10, BAR);
  });

  test('MISC_HOST_CTRL: chip revision 0x0105 read-only, the rest as written; PCISTATE for a 33 MHz 32-bit slot', () => {
    const h = new Host();
    expect(h.cr(0x68)).toBe(0x01050000);
    h.cw(0x68, 0xffff009a);
    expect(h.cr(0x68)).toBe(0x0105009a);
    expect(h.cr(0x70)).toBe(0x16); // CONV_PCI_MODE | BUS_32BIT | INT_NOT_ACTIVE
    h.cw(0x70, 0x60); // tg3_restore_pci_state: ROM_ENABLE|ROM_RETRY, allowed by PCISTATE_RW (0x10 in 0x9a)
    expect(h.cr(0x70)).toBe(0x76);
    h.cw(0x68, 0x0000008a); // PCISTATE_RW off: writes ignored
    h.cw(0x70, 0x0);
    expect(h.cr(0x70)).toBe(0x76);
    // Byte access to a dword register: read-modify-write.
    expect(h.cr(0x6a, 2)).toBe(0x0105);
    h.cw(0x68, 0x02, 1);
    expect(h.cr(0x68)).toBe(0x01050002);
  });

  test('PCISTATE reports the slot: 66/64 → 0x0e, 33/64 → 0x06, 66/32 → 0x1e', () => {
    const pcistate = (mhz66: boolean, wide64: boolean): number | undefined =>
      new Bcm5701Pci(componentContext(new Simulation(1), 'n', 'n.nic'), { mac: MAC, bus: { mhz66, wide64 } }).configRead(0x70, 4);
    expect(pcistate(true, true)).toBe(0x0e);
    expect(pcistate(false, true)).toBe(0x06);
    expect(pcistate(true, false)).toBe(0x1e);
  });

  test('BAR0 0x00-0xff mirrors config space, device registers included', () => {
    const h = new Host();
    for (let off = 0; off < 0x100; off += 4) {
      if (off === 0x80 || off === 0x84) continue; // indirect data registers reach other state
      expect(h.r(off)).toBe(h.cr(off));
    }
    h.w(0x68, 0x0105029a); // tg3_enable_ints etc. use MMIO
    expect(h.cr(0x68)).toBe(0x0105029a);
    h.w(0x6c, 0x76ff000f);
    expect(h.cr(0x6c)).toBe(0x76ff000f);
  });

  test('every read/write register reads back what was written (masked), reads have no side effects', () => {
    const h = new Host();
    h.delay(2 * MS); // boot code done
    const t = h.core.table;
    // Registers whose write acts (resets, interrupt, indices, engines) are not blindly written.
    const skip = /^(GRC_MISC_CFG|GRC_LOCAL_CTRL|GRC_EEPROM_ADDR|GRC_TIMER|MAC_MI_|HOSTCC_MODE|FTQ_|MAILBOX_|REG_|MEM_WIN|PCI_|MISC_|PCISTATE|STD_RING|RCV_RET|SND_PROD|INT_MBOX|MAC_MODE|MAC_TX_MODE|MAC_RX_MODE|.*_MODE$)/;
    for (const reg of t.regs) {
      if (reg.access !== 'rw' || skip.test(reg.name) || reg.offset < 0x100) continue;
      h.w(reg.offset, 0xffffffff);
      const a = h.r(reg.offset);
      expect(h.r(reg.offset)).toBe(a); // a second read sees the same
      h.w(reg.offset, 0);
      expect({ name: reg.name, v: h.r(reg.offset) }).toEqual({ name: reg.name, v: 0 });
      expect(a).not.toBe(0);
    }
    // MODE registers: RESET reads 0, the rest as written.
    for (const name of ['SNDDATAI_MODE', 'RCVLPC_MODE', 'BUFMGR_MODE', 'RDMAC_MODE', 'WDMAC_MODE', 'DMAC_MODE']) {
      const reg = t.byName(name)!;
      h.w(reg.offset, 0x3ff);
      expect(h.r(reg.offset)).toBe(0x3fe);
      h.w(reg.offset, 0);
      expect(h.r(reg.offset)).toBe(0);
    }
    // Peek equals read for every readable register.
    for (const reg of t.regs) {
      if (!reg.read || reg.offset < 0x100) continue;
      expect(RegisterTable.peekValue(reg)).toBe(h.r(reg.offset));
    }
  });

  test('unmapped offsets read 0 and drop writes, traced; narrow accesses to registers likewise', () => {
    const h = new Host();
    expect(h.r(0x0800)).toBe(0);
    h.w(0x7000, 0x1234);
    expect(h.board.mmio.read(BAR + 0x6800, 2)).toBe(0);
    expect(h.traced('reg-unmapped').map((r) => r.f!['off'])).toEqual([0x800, 0x7000, 0x6800]);
    h.w(0x3c50, 5); // read-only HOSTCC_JUMBO_CON_IDX
    expect(h.traced('reg-ignored').length).toBe(1);
  });
});

describe('indirect access and the SRAM window', () => {
  test('REG_BASE_ADDR/REG_DATA equals MMIO; 0x5600 + mailbox aliases the mailboxes', () => {
    const h = new Host();
    h.w(0x3c08, 150);
    h.cw(0x78, 0x3c08);
    expect(h.cr(0x80)).toBe(150);
    h.cw(0x80, 77);
    expect(h.r(0x3c08)).toBe(77);
    h.cw(0x78, 0x5600 + 0x26c); // GRCMBOX alias of the std producer mailbox
    h.cw(0x80, 17);
    expect(h.r(0x26c)).toBe(17);
    expect(h.r(0x5600 + 0x26c)).toBe(17);
    h.cw(0x78, 0x80); // the config mirror itself: nothing, traced
    expect(h.cr(0x80)).toBe(0);
    expect(h.traced('indirect-out-of-range').length).toBe(1);
  });

  test('SRAM through config 0x7c/0x84, MMIO 0x7c/0x84 and the BAR window at every 32 KiB base', () => {
    const h = new Host();
    h.sramW(0x2000, 0xdeadbeef, 'bge-cfg');
    expect(h.sramR(0x2000, 'tg3')).toBe(0xdeadbeef);
    expect(h.sramR(0x2000, 'bge-win')).toBe(0xdeadbeef);
    h.sramW(0x1a004, 0x11223344, 'tg3');
    h.w(0x7c, 0x18000);
    expect(h.r(0x8000 + 0x2004)).toBe(0x11223344);
    expect(h.board.mmio.read(BAR + 0x8000 + 0x2005, 1)).toBe(0x33);
    h.w(0x7c, 0);
    // Beyond 128 KiB: 0, dropped, traced.
    h.cw(0x7c, 0x20000);
    h.cw(0x84, 5);
    expect(h.cr(0x84)).toBe(0);
    expect(h.traced('sram-out-of-range').length).toBe(2);
  });
});

describe('boot code and core reset', () => {
  test('after RST# the handshake complement appears only after BOOT_NS, with signature, HWCFG, PHY id, HK MAC', () => {
    const h = new Host();
    expect(h.sramR(0xb50)).toBe(0);
    h.delay(1 * MS);
    expect(h.sramR(0xb50)).toBe(0xb49a89ab);
    expect(h.sramR(0xb54)).toBe(0x4b657654);
    expect(h.sramR(0xb58)).toBe(0x14);
    expect(h.sramR(0xb74)).toBe(0x00206112);
    expect(h.sramR(0xc00)).toBe(0xb49a89ab);
    expect(h.sramR(0xc14)).toBe(0x484b0010);
    expect(h.sramR(0xc18)).toBe(0x18015701);
    expect(h.r(0x410)).toBe(0x0010);
    expect(h.r(0x414)).toBe(0x18015701);
    expect(h.r(0x4000) & 2).toBe(2); // MEMARB enabled
    expect(h.r(0x5000) & 0x40).toBe(0); // no ROMFAIL
  });

  test('core reset: registers to reset values, PCI MEM/MASTER cleared, SRAM kept, boot code reruns', () => {
    const h = new Host();
    h.delay(2 * MS);
    h.cw(0x68, 0x0105029a);
    h.w(0x6c, 0x76ff000f);
    h.w(0x3c08, 20);
    h.w(0x400, 0x00e0dc00);
    h.w(0x6800, 0x04130034);
    h.sramW(0x2000, 0xcafe);
    h.sramW(0xb50, 0x4b657654); // tg3_write_sig_pre_reset
    const cmd = h.cr(0x04, 2);
    h.w(0x6804, 1); // tg3_chip_reset: no read-back
    h.delay(120 * US);
    expect(h.cr(0x04, 2) & 0x6).toBe(0); // "will clear the memory enable bit in PCI register 4"
    expect(h.cr(0x68)).toBe(0x01050000);
    expect(h.cr(0x6c)).toBe(0x76ff000f); // DMA_RW_CTRL kept
    h.cw(0x04, cmd, 2);
    expect(h.r(0x3c08)).toBe(0);
    expect(h.r(0x400)).toBe(0);
    expect(h.r(0x6800)).toBe(0);
    expect(h.r(0x6804)).toBe(0x82);
    expect(h.sramR(0x2000)).toBe(0xcafe);
    expect(h.sramR(0xb50)).toBe(0x4b657654); // still the driver's magic: boot code not done
    h.poll(() => h.sramR(0xb50), 0xffffffff, 0xb49a89ab, 10 * US, 100000, 'tg3_poll_fw');
    expect(h.traced('boot-done').length).toBe(2);
    void SLOT;
  });
});

describe('inspect()', () => {
  test('has no side effects and shows registers by block, the PHY, rings and counters', () => {
    const h = new Host({ verbose: true });
    h.delay(2 * MS);
    h.w(0x3c40, 0x300); // statistics block placed: window reads would materialise it, inspect must not
    const before = JSON.stringify(h.nic.saveState());
    const n = h.recs.length;
    const a = h.nic.inspect();
    const b = h.nic.inspect();
    expect(b).toEqual(a);
    expect(h.recs.length).toBe(n);
    expect(JSON.stringify(h.nic.saveState())).toBe(before);
    expect(a.summary).toMatch(/^idle, link down, non-tagged, INTA# low/);
    expect(a.registers.map((g) => g.group)).toContain('PHY (MII address 1)');
    const mhc = a.registers.find((g) => g.group.startsWith('PCI'))!.regs.find((r) => r.name === 'MISC_HOST_CTRL')!;
    expect(mhc.value).toBe(0x01050000);
    expect(a.rings.map((r) => r.name)).toEqual(['send ring', 'standard receive ring', 'return ring', 'status block']);
  });
});
