/** `kind: guest` in scenario files: fields, defaults, located errors (no v86 needed). */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseScenario } from '../../emulator/app/scenario/load';
import { guestNodeCmdline } from '../../emulator/app/assembly/guest-node';

// The loader checks that a guest's kernel exists (docs/errors.md): the scenario's folder holds a stand-in file.
const SCEN = fs.mkdtempSync(path.join(os.tmpdir(), 'qnxemu-guest-spec-'));
fs.mkdirSync(path.join(SCEN, 'k'));
fs.writeFileSync(path.join(SCEN, 'k', 'bzImage'), 'not a kernel: only its presence is checked at load');
afterAll(() => fs.rmSync(SCEN, { recursive: true, force: true }));

const parse = (yaml: string) => parseScenario(yaml, 'g.yaml', SCEN);

const BASE = `
nodes:
  linux1:
    kind: guest
    nics: [{ model: rtl8029, link: hub0 }, { model: ne2000-isa, ioport: 0x320, irq: 11, link: hub0 }]
    ip: [10.0.0.3/24, eth1:10.0.1.3/24]
    commands: ["ping -c 3 10.0.0.1"]
    kernel: k/bzImage
    cmdline: "debug   foo=1"
    memory: 64M
links:
  hub0: { type: hub }
`;

describe('guest nodes in scenarios', () => {
  test('fields and defaults', () => {
    const n = parse(BASE).nodes[0]!;
    expect(n.kind).toBe('guest');
    expect(n.ramBytes).toBe(64 * 1024 * 1024);
    expect(n.script).toEqual([]);
    expect(n.guest).toEqual({
      ip: ['eth0:10.0.0.3/24', 'eth1:10.0.1.3/24'],
      gateway: null,
      kernel: path.join(SCEN, 'k/bzImage'),
      initrd: null,
      bios: null,
      vgaBios: null,
      cmdline: ['debug', 'foo=1'],
      commands: ['ping -c 3 10.0.0.1'],
      jit: true,
    });
  });

  test("the kernel command line loads the NICs' drivers with the ISA card's resources", () => {
    const line = guestNodeCmdline(parse(BASE).nodes[0]!);
    expect(line).toContain('console=ttyS0');
    expect(line).toContain('qnxemu.modules=ne2k_pci,ne');
    expect(line).toContain('ne.io=0x320');
    expect(line).toContain('ne.irq=11');
    expect(line).toContain('qnxemu.ip=eth0:10.0.0.3/24,eth1:10.0.1.3/24');
    expect(line).toContain('cryptomgr.notests');
    expect(line.endsWith('debug foo=1')).toBe(true);
  });

  test('located errors: QNX-only fields on a guest, guest fields on a QNX node, bad addresses', () => {
    expect(() => parse(BASE.replace('memory: 64M', 'script: "ls"'))).toThrow(/g\.yaml:\d+:\d+: nodes\.linux1\.script: a guest node boots Linux/);
    expect(() => parse(BASE.replace('memory: 64M', 'ram: 64M'))).toThrow(/use memory/);
    expect(() => parse(BASE.replace('kind: guest', 'kind: qnx'))).toThrow(/only a guest node \(kind: guest\) takes ip/);
    expect(() => parse(BASE.replace('10.0.0.3/24,', '10.0.0.3,'))).toThrow(/'10\.0\.0\.3' is not an address/);
    expect(() => parse(BASE.replace('kind: guest', 'kind: vm'))).toThrow(/must be one of "qnx", "guest"/);
  });
});
