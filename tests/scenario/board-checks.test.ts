/**
 * Load-time board checks (emulator/app/scenario/isa-reserved.ts, guest-checks.ts, nic-spec.ts): an ISA card
 * on a port the board decodes or an IRQ the ISA connector lacks, a group MAC, a guest ip/gateway that is not
 * an address, guest memory v86 would change — each a located `file:line:col: field: problem` error.
 */
import { parseScenario } from '../../emulator/app/scenario/load';
import { errorOf } from './helpers';
import { boardIrqProblem, boardPortProblem } from '../../emulator/app/scenario/isa-reserved';
import { guestIpProblem, guestMemoryProblem, V86_MEMORY_MAX, V86_MEMORY_MIN } from '../../emulator/app/scenario/guest-checks';

const qnx = (nic: string) => `name: t
until: 1s
nodes:
  alpha:
    nics:
      - ${nic}
    script: "echo hi"
links:
  hub0: { type: hub }
`;

const guest = (fields: string) => `name: t
until: 1s
nodes:
  linux1:
    kind: guest
    nics: [{ model: rtl8029, mac: "52:54:00:00:00:03", link: hub0 }]
${fields}
links:
  hub0: { type: hub }
`;


const isa = (ioport: string, irq: number, mac = '00:00:e8:00:00:01') =>
  `{ model: ne2000-isa, ioport: ${ioport}, irq: ${irq}, mac: "${mac}", link: hub0 }`;

describe('ISA cards against the board', () => {
  test.each([
    [0, "IRQ 0 is not on the ISA connector: it is the 8254 timer's (system board)"],
    [1, "IRQ 1 is not on the ISA connector: it is the keyboard controller's (system board)"],
    [2, "IRQ 2 is not on the ISA connector: it is the 8259A cascade input; an AT slot's IRQ2 pin is wired to IRQ 9: write irq: 9"],
    [8, "IRQ 8 is not on the ISA connector: it is the RTC's (system board)"],
    [13, "IRQ 13 is not on the ISA connector: it is the math coprocessor's (system board)"],
  ])('irq %i is refused at the irq field', (irq, problem) => {
    const e = errorOf(qnx(isa('0x300', irq)));
    expect(e.problem).toBe(`nodes.alpha.nics.0.irq: ${problem}`);
    expect([e.file, e.line]).toEqual(['sc.yaml', 6]);
    expect(e.message).toMatch(/^sc\.yaml:6:\d+: nodes\.alpha\.nics\.0\.irq: IRQ \d+ is not on the ISA connector/);
  });

  test('every IRQ the connector carries is accepted (3–7, 9–12, 14, 15)', () => {
    for (const irq of [3, 4, 5, 6, 7, 9, 10, 11, 12, 14, 15]) {
      expect(boardIrqProblem(irq)).toBeNull();
      expect(() => parseScenario(qnx(isa('0x300', irq)), 'sc.yaml', '/tmp')).not.toThrow();
    }
  });

  test.each([
    ['0x20', 'ports 0x20-0x3f overlap the master 8259A (0x20-0x21), which the board decodes'],
    ['0x40', 'ports 0x40-0x5f overlap the 8254 timer (0x40-0x43), which the board decodes'],
    ['0x60', 'ports 0x60-0x7f overlap the 8042 keyboard controller and port B (0x60-0x64), which the board decodes'],
    ['0x0', 'ports 0x0-0x1f overlap the 8237 DMA controller 1 (0x0-0x1f), which the board decodes'],
    ['0xa0', 'ports 0xa0-0xbf overlap the slave 8259A (0xa0-0xa1), which the board decodes'],
    ['0x4c0', 'ports 0x4c0-0x4df overlap the PIIX3 ELCR (0x4d0-0x4d1), which the board decodes'],
    ['0xce0', 'ports 0xce0-0xcff overlap PCI configuration mechanism #1 (0xcf8-0xcff), which the board decodes'],
    ['0xe0', "ports 0xe0-0xff overlap the math coprocessor (0xf0-0xff), which the board decodes"],
  ])('ioport %s is refused at the ioport field', (ioport, problem) => {
    const e = errorOf(qnx(isa(ioport, 5)));
    expect(e.problem).toBe(`nodes.alpha.nics.0.ioport: ${problem}`);
    expect(e.line).toBe(6);
  });

  test('a window in the system board range between its devices is refused too; 0x100 and up is the I/O channel', () => {
    expect(boardPortProblem(0x0e0, 0x0ef)).toBe("ports 0xe0-0xef reach into the system board's range 0x0-0xff (ISA cards use 0x100-0x3ff)");
    expect(boardPortProblem(0x0f0, 0x10f)).toMatch(/overlap the math coprocessor/);
    expect(boardPortProblem(0x100, 0x11f)).toBeNull();
    expect(boardPortProblem(0x300, 0x31f)).toBeNull();
    expect(boardPortProblem(0x4d2, 0x4f1)).toBeNull();
    expect(boardPortProblem(0x4b1, 0x4d0)).toMatch(/ELCR/);
  });

  test('a multicast MAC is refused at the mac field; a locally administered unicast one is fine', () => {
    const e = errorOf(qnx(isa('0x300', 5, '01:00:5e:00:00:01')));
    expect(e.problem).toBe('nodes.alpha.nics.0.mac: 01:00:5e:00:00:01 is a multicast (group) address; a NIC needs an individual one (first octet even)');
    expect(e.line).toBe(6);
    expect(errorOf(qnx('{ model: rtl8029, mac: "ff:ff:ff:ff:ff:ff", link: hub0 }')).problem).toMatch(/^nodes\.alpha\.nics\.0\.mac: ff:ff:ff:ff:ff:ff is a multicast/);
    expect(() => parseScenario(qnx(isa('0x300', 5, '02:00:00:00:00:01')), 'sc.yaml', '/tmp')).not.toThrow();
  });
});

describe('guest fields', () => {
  test.each([
    ['ip: 10.0.0.300/24', "nodes.linux1.ip: '10.0.0.300/24' has octet 300 (more than 255)"],
    ['ip: 10.0.0.3/33', "nodes.linux1.ip: '10.0.0.3/33' has prefix length /33 (more than 32)"],
    ['ip: 10.0.0.3', "nodes.linux1.ip: '10.0.0.3' is not an address like 10.0.0.3/24 or eth1:10.0.0.3/24"],
    ['ip: 10.0.0.x/24', "nodes.linux1.ip: '10.0.0.x/24' is not an address like 10.0.0.3/24 or eth1:10.0.0.3/24"],
    ['ip: [10.0.0.3/24, "eth1:999.0.0.1/8"]', "nodes.linux1.ip.1: 'eth1:999.0.0.1/8' has octet 999 (more than 255)"],
    ['gateway: 10.0.0', "nodes.linux1.gateway: '10.0.0' is not a dotted-quad IPv4 address"],
    ['gateway: 10.0.0.256', "nodes.linux1.gateway: '10.0.0.256' has octet 256 (more than 255)"],
  ])('%s is refused where it is written', (line, problem) => {
    const e = errorOf(guest(`    ${line}`));
    expect(e.problem).toBe(problem);
    expect(e.line).toBe(7);
  });

  test.each([
    ['100G', "nodes.linux1.memory: 100G is more than v86 can give a guest (at most 2097024K)"],
    ['2G', "nodes.linux1.memory: 2G is more than v86 can give a guest (at most 2097024K)"],
    ['32M', "nodes.linux1.memory: 32M is less than v86's minimum with an initrd (64M)"],
    ['100000K', "nodes.linux1.memory: 100000K is not a multiple of v86's 128K granule"],
  ])('memory %s is refused at the memory field', (mem, problem) => {
    const e = errorOf(guest(`    ip: 10.0.0.3/24\n    memory: ${mem}`));
    expect(e.problem).toBe(problem);
    expect(e.line).toBe(8);
  });

  test('the bounds themselves, a good address list and the default are accepted', () => {
    expect(guestMemoryProblem(V86_MEMORY_MIN)).toBeNull();
    expect(guestMemoryProblem(V86_MEMORY_MAX)).toBeNull();
    expect(guestMemoryProblem(V86_MEMORY_MAX + 128 * 1024)).not.toBeNull();
    expect(guestMemoryProblem(V86_MEMORY_MIN - 128 * 1024)).not.toBeNull();
    expect(guestIpProblem('eth0:255.255.255.255/32')).toBeNull();
    expect(guestIpProblem('eth0:0.0.0.0/0')).toBeNull();
    const s = parseScenario(guest('    ip: [10.0.0.3/24, "eth1:10.1.0.3/16"]\n    gateway: 10.0.0.1\n    memory: 2047M'), 'sc.yaml', '/tmp');
    expect(s.nodes[0]!.ramBytes).toBe(2047 * 1024 * 1024);
    expect(parseScenario(guest('    ip: 10.0.0.3/24'), 'sc.yaml', '/tmp').nodes[0]!.ramBytes).toBe(128 * 1024 * 1024);
  });
});
