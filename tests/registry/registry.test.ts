/** The NIC registry and the NE2000 family's self-description (nic-models/registry.ts, nic-models/ne2000/description.ts). */
import { Simulation, componentContext } from '../../emulator/machine/sim';
import { RegisterTable } from '../../emulator/machine/bus/register-table';
import { NIC_DRIVER_MODULES } from '../../emulator/app/guest-image/modules';
import { ISA_RESOURCE_FIELDS, PCI_RESOURCE_FIELDS, type NicConfig, type NicKind } from '../../nic-models/kind';
import { findNicKind, NIC_KINDS, nicKind, nicModels, validateKinds } from '../../nic-models/registry';
import { ne2000IsaKind, rtl8029Kind } from '../../nic-models/ne2000/description';
import { Ne2000Isa } from '../../nic-models/ne2000/ne2000-isa';
import { Rtl8029Pci } from '../../nic-models/ne2000/rtl8029-pci';
import type { Dp8390Core } from '../../nic-models/ne2000/dp8390-core';

const ctx = (sim: Simulation, name: string) => componentContext(sim, 'alpha', `alpha.${name}`);
const cfg = (resources: NicConfig['resources'], fields: Record<string, unknown> = {}): NicConfig => ({ mac: Uint8Array.of(0, 0, 0xe8, 1, 2, 3), resources, fields });

describe('the registry', () => {
  test('lists the NE2000 family and finds kinds by model', () => {
    expect(nicModels()).toEqual(['ne2000-isa', 'rtl8029', 'bcm5701', 'rt2560']);
    expect(nicKind('rtl8029')).toBe(rtl8029Kind);
    expect(findNicKind('e1000')).toBeUndefined();
    expect(() => nicKind('e1000')).toThrow(/no NIC model 'e1000' in the registry \(models: ne2000-isa, rtl8029, bcm5701, rt2560\)/);
  });

  test('refuses inconsistent kinds: duplicate models, common fields, one field with two schemas, ISA without resources', () => {
    const pci = (model: string, fields: NicKind['fields'] = {}): NicKind => ({ ...rtl8029Kind, model, fields });
    expect(() => validateKinds([pci('a'), pci('a')])).toThrow(/'a' registered twice/);
    expect(() => validateKinds([pci('Bad_Name')])).toThrow(/model names are lower case/);
    expect(() => validateKinds([pci('a', { mac: { schema: {}, doc: '' } })])).toThrow(/field 'mac' is common to every NIC/);
    expect(() => validateKinds([pci('a', { speed: { schema: { enum: [10] }, doc: '' } }), pci('b', { speed: { schema: { enum: [100] }, doc: '' } })])).toThrow(
      /'a' and 'b' give field 'speed' different schemas/,
    );
    expect(() => validateKinds([{ ...ne2000IsaKind, model: 'x', fields: { ...PCI_RESOURCE_FIELDS } }])).toThrow(/an ISA card takes ioport and irq/);
    expect(() => validateKinds([{ ...ne2000IsaKind, model: 'x', ports: 0 }])).toThrow(/needs a port count/);
    expect(() => validateKinds([{ ...rtl8029Kind, registerNames: ['CR', 'ISR', 'CR'] }])).toThrow(/register name CR listed twice/);
    expect(validateKinds(NIC_KINDS)).toBe(NIC_KINDS);
  });

  test('bus resources: ISA kinds take ioport/irq, PCI kinds a slot; the kinds check the rest with their own messages', () => {
    expect(ne2000IsaKind.fields).toEqual(ISA_RESOURCE_FIELDS);
    expect(rtl8029Kind.fields).toEqual(PCI_RESOURCE_FIELDS);
    expect(ne2000IsaKind.check({ ioport: 0x300 })).toBe('an ISA NE2000 needs ioport and irq (there is no enumeration on ISA)');
    expect(ne2000IsaKind.check({ ioport: 0x300, irq: 5 })).toBeNull();
    expect(rtl8029Kind.check({ irq: 5 })).toBe('a PCI RTL8029 gets its I/O port and IRQ from firmware start-up; remove ioport/irq');
    expect(rtl8029Kind.check({ slot: 4 })).toBeNull();
  });

  test('the factories make the devices the assembler plugs in, by bus', () => {
    const sim = new Simulation(1);
    const isa = ne2000IsaKind.create(ctx(sim, 'nic0'), cfg({ bus: 'isa', ioport: 0x300, irq: 5 }));
    expect(isa).toBeInstanceOf(Ne2000Isa);
    expect(isa.bus).toBe('isa');
    expect(isa.ports).toBe(ne2000IsaKind.ports);
    expect(isa.window.read(0x00, 1)).toBe(0x21); // CR after reset: STP, RD = abort
    // The card asserts IOCS16# for its data port only; registers are 8-bit cycles.
    expect([0x00, 0x0f, 0x10, 0x17, 0x18, 0x1f].map((o) => isa.timing.width(o))).toEqual([8, 8, 16, 16, 8, 8]);
    const pci = rtl8029Kind.create(ctx(sim, 'nic1'), cfg({ bus: 'pci', slot: null }));
    expect(pci).toBeInstanceOf(Rtl8029Pci);
    expect(pci.bus).toBe('pci');
    expect([pci.fn.spec.vendorId, pci.fn.spec.deviceId]).toEqual([0x10ec, 0x8029]);
  });

  test('the Linux driver of each kind is in the guest image; ne gets io=/irq= for every ISA card in order', () => {
    for (const k of NIC_KINDS) if (k.linuxDriver) expect(NIC_DRIVER_MODULES).toContain(k.linuxDriver.module);
    expect(ne2000IsaKind.linuxDriver?.module).toBe('ne');
    expect(rtl8029Kind.linuxDriver).toEqual({ module: 'ne2k_pci' });
    const params = ne2000IsaKind.linuxDriver!.params!([cfg({ bus: 'isa', ioport: 0x300, irq: 5 }), cfg({ bus: 'isa', ioport: 0x320, irq: 10 })]);
    expect(params).toEqual({ io: '0x300,0x320', irq: '5,10' });
  });
});

describe('register names come from the register tables', () => {
  const tableNames = (core: Dp8390Core): string[] => [...new Set(core.pages.flatMap((t) => t.registerNames))];

  test('the kinds list every name of a live chip’s four pages, plus the NE2000 data and reset ports', () => {
    const sim = new Simulation(1);
    const isa = new Ne2000Isa(ctx(sim, 'a'), { mac: [0, 0, 0xe8, 0, 0, 1] });
    const pci = new Rtl8029Pci(ctx(sim, 'b'), { mac: [0, 0, 0xe8, 0, 0, 2] });
    expect(ne2000IsaKind.registerNames).toEqual([...tableNames(isa.core), 'DATA', 'RESET']);
    expect(rtl8029Kind.registerNames).toEqual([...tableNames(pci.core), 'DATA', 'RESET']);
    // Datasheet names, one per direction where read and write differ (page 0 offset 1: CLDA0 read, PSTART written).
    for (const n of ['CR', 'CLDA0', 'PSTART', 'TSR', 'TPSR', 'FIFO', 'ISR', 'CNTR0', 'TCR', 'PAR5', 'CURR', 'MAR7', 'RNPP', 'ACL']) {
      expect(ne2000IsaKind.registerNames).toContain(n);
    }
    // The RTL8029's own registers: the chip ID and page 3.
    for (const n of ['ID0', 'ID1', '9346CR', 'CONFIG0', 'CONFIG2', 'CONFIG3', 'HLTCLK']) {
      expect(rtl8029Kind.registerNames).toContain(n);
      expect(ne2000IsaKind.registerNames).not.toContain(n);
    }
  });

  test("each table's documented reset values are what the RESET pin leaves", () => {
    const sim = new Simulation(1);
    const { core } = new Ne2000Isa(ctx(sim, 'a'), { mac: [0, 0, 0xe8, 0, 0, 1] });
    core.writeReg(0x00, 0x22); // start, page 0
    core.writeReg(0x0f, 0x3f); // IMR
    core.writeReg(0x0e, 0x49); // DCR
    core.hardwareReset();
    const withReset = core.pages.flatMap((t) => t.regs.filter((r) => r.reset !== undefined));
    expect(withReset.map((r) => r.name).sort()).toEqual(['CR', 'CR', 'CR', 'CR', 'DCR', 'DCR', 'IMR', 'IMR', 'ISR'].sort());
    for (const r of withReset) expect([r.name, RegisterTable.peekValue(r)]).toEqual([r.name, r.reset]);
  });
});
