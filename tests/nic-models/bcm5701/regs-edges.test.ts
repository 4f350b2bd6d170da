/**
 * Edges of the BCM5701 register file and its access paths that the driver tests do not reach: register names at
 * the offsets of tg3.h (as the verbose trace and `break reg` name them), verbose-only register records, the SRAM
 * window's first and last bytes and out-of-range window addresses, GRC_TIMER and the GRC_MODE byte-order warning,
 * the debugger's view (`inspect()`, `show nic`), and the NIC kind's scenario fields and countable probes.
 */
import { componentContext, Simulation, type TraceRecord } from '../../../emulator/machine/sim';
import { bcm5701Kind } from '../../../nic-models/bcm5701';
import type { Bcm5701Pci } from '../../../nic-models/bcm5701/bcm5701-pci';
import { BAR, Host, MAC, MS, US } from './fixture';
import { linkedTg3 } from './linked';
import { attachPartner, cableWithPartner, PARTNER_MAC, udpFrame } from './partner';
import { Tg3 } from './tg3';

/** The register a verbose trace names for the last access of `probe` at `off`. */
function named(h: Host, probe: 'reg-read' | 'reg-write', off: number): unknown {
  return h.recs.filter((r) => r.layer === 'nic' && r.probe === probe && r.f?.['off'] === off).at(-1)?.f?.['reg'];
}

describe('register names and verbose register records', () => {
  test('registers answer at the offsets of tg3.h and a verbose trace names them', () => {
    const h = new Host({ verbose: true });
    h.delay(2 * MS);
    // tg3.h offsets; both drivers and the debugger's `break reg` go by these names.
    const regs: [number, string][] = [
      [0x0c10, 'SNDDATAI_STATSINCMASK'],
      [0x2004, 'RCVLPC_STATUS'],
      [0x201c, 'RCVLPC_STATS_INCMASK'],
      [0x24c0, 'RCVDBDI_HWDIAG'],
      [0x3404, 'RCVLSC_STATUS'],
      [0x4004, 'MEMARB_STATUS'],
      [0x4420, 'BUFMGR_RX_MB_ALLOC_RESP'],
      [0x4434, 'BUFMGR_DMA_LOW_WATER'], // tg3_reset_hw writes DEFAULT_DMA_LOW_WATER (5) here
      [0x6008, 'MSGINT_FIFO'],
      // Mailboxes (64-bit, value in the low dword): MAILBOX_GENERAL_0 0x220 … SNDNIC_PROD_IDX_15 0x3f8.
      [0x224, 'MAILBOX_GENERAL_0'],
      [0x25c, 'MAILBOX_GENERAL_7'],
      [0x264, 'MAILBOX_RELOAD_STAT'],
      [0x26c, 'MAILBOX_RCV_STD_PROD_IDX'],
      [0x3fc, 'MAILBOX_SNDNIC_PROD_IDX_15'],
    ];
    for (const [off] of regs) h.r(off);
    expect(regs.map(([off]) => [off, named(h, 'reg-read', off)])).toEqual(regs);
    expect(h.traced('reg-unmapped')).toEqual([]);
    // Writes are named too, with the value; tg3_rings_reset zeroes the NIC send producer mailboxes up to 0x3fc,
    // and tw32_f reads the stored value back.
    h.w(0x4434, 5);
    h.w(0x3fc, 0x1234);
    expect(h.r(0x4434)).toBe(5);
    expect(h.r(0x3fc)).toBe(0x1234);
    expect(named(h, 'reg-write', 0x4434)).toBe('BUFMGR_DMA_LOW_WATER');
    expect(h.traced('reg-write').at(-1)!.f).toMatchObject({ off: 0x3fc, reg: 'MAILBOX_SNDNIC_PROD_IDX_15', value: 0x1234 });
  });

  test('reg-read and reg-write are verbose-only records (docs/formats/trace.md)', () => {
    const h = new Host();
    h.delay(2 * MS);
    h.w(0x3c08, 20);
    expect(h.r(0x3c08)).toBe(20);
    expect(h.recs.filter((r) => r.probe === 'reg-read' || r.probe === 'reg-write')).toEqual([]);
  });
});

describe('SRAM through the BAR window and MEM_WIN_BASE', () => {
  test('BAR0 0x8000 is the first byte of the window and the last SRAM byte answers byte and word reads', () => {
    const h = new Host();
    h.delay(2 * MS);
    // bge reaches SRAM through the window at BAR0 0x8000 + (addr & 0x7fff) with MEM_WIN_BASE = addr & ~0x7fff.
    h.sramW(0x10000, 0x5a5a1234, 'tg3');
    h.w(0x7c, 0x10000);
    expect(h.r(0x8000)).toBe(0x5a5a1234);
    h.w(0x8000, 0xc0ffee);
    h.w(0x7c, 0);
    expect(h.sramR(0x10000, 'tg3')).toBe(0xc0ffee);
    // The last dword of the 128 KiB SRAM, read a byte and a word at a time at its very end.
    h.sramW(0x1fffc, 0xa1b2c3d4, 'tg3');
    h.w(0x7c, 0x18000);
    expect(h.board.mmio.read(BAR + 0xffff, 1)).toBe(0xa1);
    expect(h.board.mmio.read(BAR + 0xfffe, 2)).toBe(0xa1b2);
    expect(h.traced('sram-out-of-range')).toEqual([]);
  });

  test('a window base beyond the SRAM (bit 31 set) reads 0, drops writes, latches MEMARB_TRAP_ADDR, traced', () => {
    const h = new Host();
    h.delay(2 * MS);
    h.cw(0x7c, 0xfffffffc);
    expect(h.cr(0x84)).toBe(0);
    h.cw(0x84, 0x11111111);
    h.cw(0x7c, 0);
    expect(h.traced('sram-out-of-range').map((r) => [r.f!['dir'], r.f!['addr']])).toEqual([['read', 0xfffffffc], ['write', 0xfffffffc]]);
    expect(h.r(0x4008)).toBe(0xfffffffc); // MEMARB_TRAP_ADDR_LOW
  });
});

describe('GRC', () => {
  test('GRC_TIMER counts microseconds from the value written (1 µs ticks at prescaler 65)', () => {
    const h = new Host();
    h.delay(2 * MS);
    h.w(0x680c, 5000);
    const t0 = h.r(0x680c);
    h.delay(250 * US);
    const t1 = h.r(0x680c);
    expect(t0).toBeGreaterThanOrEqual(5000);
    expect(t0).toBeLessThan(5002); // the write and one read take well under 2 µs
    expect(t1 - t0).toBeGreaterThanOrEqual(250);
    expect(t1 - t0).toBeLessThanOrEqual(251);
  });

  test('a GRC_MODE byte order other than the x86 drivers\' 0x34 is traced unsupported-swap once', () => {
    const h = new Host();
    h.delay(2 * MS);
    h.w(0x6800, 0x04130034); // tg3_reset_hw's GRC_MODE: the supported layout, no warning
    h.w(0x6800, 0x04130030);
    h.w(0x6800, 0x04130036);
    expect(h.traced('unsupported-swap').map((r) => r.f!['value'])).toEqual([0x04130030]);
  });
});

describe('inspect()', () => {
  test('groups, set bits of stored registers, non-zero mailboxes only, the summary with the rx FIFO', () => {
    const h = new Host();
    h.delay(2 * MS);
    const groups = () => h.nic.inspect().registers.map((g) => g.group);
    expect(groups()).toEqual(['PCI (config 0x64-0xff)', 'MAC', 'send/receive blocks', 'HOSTCC', 'MEMARB, BUFMGR, DMA', 'RX/TX CPU', 'FTQ', 'MSGINT, DMAC, GRC', 'PHY (MII address 1)']);
    h.w(0x408, 0x1000); // MAC_EVENT LNKSTATE_CHANGED, as tg3_setup_phy leaves it
    h.w(0x26c, 5);
    const a = h.nic.inspect();
    const mac = a.registers.find((g) => g.group === 'MAC')!.regs;
    expect(mac.find((r) => r.name === 'MAC_EVENT')).toEqual({ name: 'MAC_EVENT', value: 0x1000, width: 4, bits: ['LNKSTATE_CHANGED'] });
    expect(a.registers.find((g) => g.group === 'mailboxes')!.regs).toEqual([{ name: 'MAILBOX_RCV_STD_PROD_IDX', value: 5, width: 4 }]);
    expect(a.summary).toBe('idle, link down, non-tagged, INTA# low, tx 0 pending, rx fifo 0');
  });

  test('counters list the non-zero statistics (host coalescing counts its updates and interrupts)', () => {
    const h = new Host();
    h.delay(2 * MS);
    expect(h.nic.inspect().counters).toEqual([]);
    const status = h.alloc(0x50, 64);
    h.w(0x3c3c, status);
    h.w(0x4c00, 2); // WDMAC on: the status block can be written
    h.w(0x3c00, 0x10a); // HOSTCC ENABLE | 32-byte status | NOW
    h.delay(50 * US);
    expect(h.nic.inspect().counters).toEqual([{ name: 'ring_status_update', value: 1 }, { name: 'nic_irqs', value: 1 }]);
  });
});

/** A chip made by the NIC kind from scenario fields, unplugged: its registers through config 0x78/0x80 (bge's path). */
function fromKind(fields: Record<string, unknown>): { sim: Simulation; dev: Bcm5701Pci; recs: TraceRecord[]; reg: (off: number, v?: number) => number } {
  const sim = new Simulation(1);
  const recs: TraceRecord[] = [];
  sim.tracer.addSink((r) => recs.push(r));
  const dev = bcm5701Kind.create(componentContext(sim, 'n', 'n.nic0'), { mac: Uint8Array.from(MAC), resources: { bus: 'pci', slot: null }, fields }) as Bcm5701Pci;
  const reg = (off: number, v?: number): number => {
    dev.configWrite(0x78, 4, off);
    if (v !== undefined) dev.configWrite(0x80, 4, v);
    return dev.configRead(0x80, 4) ?? -1;
  };
  return { sim, dev, recs, reg };
}

/** One EEPROM dword as tg3_nvram_read_using_eeprom reads it (READ | START, poll COMPLETE). */
function eepromDword(x: ReturnType<typeof fromKind>, addr: number): number {
  x.reg(0x6838, (0x00600000 | addr | 0x80000000 | 0x02000000) >>> 0);
  for (let i = 0; i < 20 && !(x.reg(0x6838) & 0x40000000); i++) x.sim.queue.runUntil(x.sim.queue.now + 100 * US);
  expect(x.reg(0x6838) & 0x40000000).toBe(0x40000000);
  return x.reg(0x683c);
}

describe('the bcm5701 NIC kind', () => {
  test('check() refuses a Dell subsystem (tg3 would poll the link) and accepts others', () => {
    expect(bcm5701Kind.check({ subsystem: '1028:00d1' })).toMatch(/Dell/);
    expect(bcm5701Kind.check({ subsystem: '14e4:0001' })).toBeNull();
    expect(bcm5701Kind.check({})).toBeNull();
  });

  test('subsystem and eepromBytes fields reach config space and the EEPROM part', () => {
    const x = fromKind({ subsystem: '8086:10a7', eepromBytes: 2048 });
    // Config 0x2c/0x2e come from the function's spec (registers.test.ts reads them through a board).
    expect([x.dev.spec.subsystemVendorId, x.dev.spec.subsystemId]).toEqual([0x8086, 0x10a7]);
    x.sim.queue.runUntil(2 * MS); // boot code
    // tg3_get_eeprom_size: addresses wrap at the part size, so the magic reappears at 2 KiB, not at 1 KiB.
    expect(eepromDword(x, 0)).toBe(0xaa559966); // 66 99 55 aa, byte at addr in bits 7:0
    expect(eepromDword(x, 0x400)).toBe(0xffffffff);
    expect(eepromDword(x, 0x800)).toBe(0xaa559966);
    const d = fromKind({}).dev.spec;
    expect([d.subsystemVendorId, d.subsystemId]).toEqual([0x14e4, 0x0001]);
  });

  test('phyTimeScale scales auto-negotiation: 0.001 brings the link up within milliseconds', () => {
    const x = fromKind({ phyTimeScale: 0.001 });
    // A partner at real time (scale 1): the link segment negotiates at the faster end's scale, the chip's.
    const { cable, partner } = cableWithPartner(x.sim, undefined, 1);
    x.dev.connect(cable);
    attachPartner(cable, partner);
    x.sim.queue.runUntil(20 * MS); // unscaled 1000BASE-T negotiation takes seconds (bcm57xx facts §6)
    expect(x.recs.filter((r) => r.probe === 'link').map((r) => r.f!['up'])).toEqual([true]);
  });

  test('what a tg3 run traces under counted probes is countable by scenario expectations', () => {
    const { h, t, partner } = linkedTg3();
    t.xmit(udpFrame(PARTNER_MAC, MAC, 100));
    // More frames than the 200 posted standard BDs, the driver not servicing: rx-wait no-std-bd.
    for (let i = 0; i < 210; i++) partner.send(udpFrame(MAC, PARTNER_MAC, 60, i));
    h.delay(3 * MS);
    const probes = new Map(bcm5701Kind.counters.map((c) => [c.probe, c.reasons]));
    const seen = h.recs.filter((r) => r.layer === 'nic' && ['tx-start', 'tx-done', 'rx-accept', 'rx-wait', 'status-update', 'irq', 'link'].includes(r.probe));
    expect(new Set(seen.map((r) => r.probe))).toEqual(new Set(['tx-start', 'tx-done', 'rx-accept', 'rx-wait', 'status-update', 'irq', 'link']));
    for (const r of seen) {
      expect(probes.has(r.probe)).toBe(true);
      const reason = r.f?.['reason'];
      // Probes counted by reason (`rx-wait.no-std-bd`) must list every reason the model gives them.
      if (probes.get(r.probe) && typeof reason === 'string') expect(probes.get(r.probe)).toContain(reason);
    }
    expect(h.traced('rx-wait', 'no-std-bd').length).toBe(1);
  });
});
