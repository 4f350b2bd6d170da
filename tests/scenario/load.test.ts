import { parseScenario } from '../../emulator/app/scenario/load';
import { LocatedError } from '../../emulator/app/scenario/errors';

const good = `name: t
seed: 7
until: 2s
nodes:
  alpha:
    nics:
      - { model: ne2000-isa, ioport: 0x300, irq: 5, mac: "00:00:e8:00:00:01", link: hub0 }
    script: |
      io-pkt-v4 -dne2000 ioport=0x300,irq=5
      waitfor /dev/socket
  beta:
    cpus: 2
    nics:
      - { model: rtl8029, link: hub0 }
    script: "echo hi"
links:
  hub0: { type: hub }
`;

const s0 = () => parseScenario(good, 'sc.yaml', '/tmp');

function errorOf(text: string, read?: (p: string) => string): LocatedError {
  try {
    parseScenario(text, 'sc.yaml', '/tmp', read);
  } catch (e) {
    if (e instanceof LocatedError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

describe('scenario loading', () => {
  test('a good scenario gives typed nodes, NICs, links and script lines with their source lines', () => {
    const s = parseScenario(good, 'sc.yaml', '/tmp');
    expect(s.seed).toBe(7);
    expect(s.until).toBe(2_000_000_000);
    expect(s.nodes.map((n) => n.name)).toEqual(['alpha', 'beta']);
    const a = s.nodes[0]!;
    expect(a.nics[0]!.resources).toEqual({ bus: 'isa', ioport: 0x300, irq: 5 });
    expect(Array.from(a.nics[0]!.mac)).toEqual([0, 0, 0xe8, 0, 0, 1]);
    expect(a.script[0]).toEqual({ text: 'io-pkt-v4 -dne2000 ioport=0x300,irq=5', file: 'sc.yaml', line: 9 });
    expect(s.nodes[1]!.cpus).toBe(2);
    expect(Array.from(s.nodes[1]!.nics[0]!.mac)).toEqual([2, 0, 0, 0, 2, 0]);
    expect(s.links).toEqual([{ name: 'hub0', type: 'hub', propagationNs: null, lengthM: null, ageing: null, queue: null }]);
  });

  test('YAML syntax errors are located', () => {
    const e = errorOf('nodes:\n  a: [1, 2\nlinks: {}\n');
    expect(e.file).toBe('sc.yaml');
    expect(e.line).toBeGreaterThanOrEqual(2);
    expect(e.message).toMatch(/^sc\.yaml:\d+:\d+: YAML:/);
  });

  test('unknown field names the field and its line', () => {
    const e = errorOf(good.replace('    cpus: 2', '    cpu: 2'));
    expect(e.line).toBe(12);
    expect(e.problem).toMatch(/unknown field 'cpu'/);
  });

  test('bad enum value', () => {
    const e = errorOf(good.replace('model: rtl8029', 'model: e1000'));
    expect(e.line).toBe(14);
    expect(e.problem).toMatch(/nodes\.beta\.nics\.0\.model: must be one of "ne2000-isa", "rtl8029"/);
  });

  test('a NIC on a link that does not exist', () => {
    const e = errorOf(good.replace('link: hub0 }\n    script: "echo', 'link: hub9 }\n    script: "echo'));
    expect(e.line).toBe(14);
    expect(e.problem).toMatch(/no link named 'hub9'/);
  });

  test('duplicate MAC, missing ISA resources, buildfile and script together', () => {
    expect(errorOf(good.replace('{ model: rtl8029, link: hub0 }', '{ model: rtl8029, link: hub0, mac: "00:00:E8:00:00:01" }')).problem).toMatch(
      /also used by alpha/,
    );
    expect(errorOf(good.replace('ioport: 0x300, irq: 5, ', '')).problem).toMatch(/needs ioport and irq/);
    expect(errorOf(good.replace('    script: "echo hi"', '    script: "echo hi"\n    buildfile: b.build')).problem).toMatch(/exactly one of/);
  });

  test("NIC fields are checked by the model's kind (nic-models/registry.ts), located at the NIC or the field", () => {
    const pciWithIrq = errorOf(good.replace('{ model: rtl8029, link: hub0 }', '{ model: rtl8029, link: hub0, irq: 11 }'));
    expect(pciWithIrq.line).toBe(14);
    expect(pciWithIrq.problem).toBe('a PCI RTL8029 gets its I/O port and IRQ from firmware start-up; remove ioport/irq');
    const isaSlot = errorOf(good.replace('ioport: 0x300, irq: 5, ', 'ioport: 0x300, irq: 5, slot: 3, '));
    expect([isaSlot.line, isaSlot.col]).toEqual([7, 59]);
    expect(isaSlot.problem).toBe("nodes.alpha.nics.0.slot: model ne2000-isa takes no field 'slot' (its fields: ioport, irq besides model, link, mac)");
    expect(errorOf(good.replace('ioport: 0x300', 'ioport: 0x10000')).problem).toMatch(/ioport: must be <= 65535/);
    const past = errorOf(good.replace('ioport: 0x300', 'ioport: 0xfff0'));
    expect(past.problem).toBe('nodes.alpha.nics.0.ioport: 32 ports from 0xfff0 run past the end of I/O space (0xffff)');
    const slotted = parseScenario(good.replace('{ model: rtl8029, link: hub0 }', '{ model: rtl8029, link: hub0, slot: 5 }'), 'sc.yaml', '/tmp');
    expect(slotted.nodes[1]!.nics[0]).toMatchObject({ model: 'rtl8029', resources: { bus: 'pci', slot: 5 }, fields: { slot: 5 } });
    expect(s0().nodes[1]!.nics[0]!.resources).toEqual({ bus: 'pci', slot: null });
  });

  test("ISA cards' port windows must not overlap (each kind gives its window length)", () => {
    const two = good.replace(
      '      - { model: ne2000-isa, ioport: 0x300, irq: 5, mac: "00:00:e8:00:00:01", link: hub0 }',
      '      - { model: ne2000-isa, ioport: 0x300, irq: 5, mac: "00:00:e8:00:00:01", link: hub0 }\n      - { model: ne2000-isa, ioport: 0x310, irq: 10, link: hub0 }',
    );
    const e = errorOf(two);
    expect(e.line).toBe(8);
    expect(e.problem).toBe('I/O ports 0x310-0x32f overlap nics[0] (0x300-0x31f)');
    expect(parseScenario(two.replace('ioport: 0x310', 'ioport: 0x320'), 'sc.yaml', '/tmp').nodes[0]!.nics.map((n) => n.resources)).toEqual([
      { bus: 'isa', ioport: 0x300, irq: 5 },
      { bus: 'isa', ioport: 0x320, irq: 10 },
    ]);
  });

  test('malformed MAC and duration', () => {
    expect(errorOf(good.replace('"00:00:e8:00:00:01"', '"00:00:e8:00:01"')).problem).toMatch(/mac: malformed value/);
    expect(errorOf(good.replace('until: 2s', 'until: soon')).line).toBe(3);
  });

  test('buildfile errors are reported at the buildfile line', () => {
    const sc = good.replace('    script: "echo hi"', '    buildfile: beta.build');
    const e = errorOf(sc, () => '[+script] .script = {\n  echo hi\n');
    expect(e.file).toMatch(/beta\.build$/);
    expect(e.line).toBeGreaterThanOrEqual(1);
  });

  test('an unreadable buildfile is located at the buildfile field', () => {
    const sc = good.replace('    script: "echo hi"', '    buildfile: missing.build');
    const e = errorOf(sc, () => {
      throw new Error('ENOENT');
    });
    expect(e.line).toBe(15);
    expect(e.problem).toMatch(/cannot read buildfile/);
  });
});
