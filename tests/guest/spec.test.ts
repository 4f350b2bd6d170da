/** `kind: guest` in scenario files: fields, defaults, located errors (no v86 needed). */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseScenario } from '../../emulator/app/scenario/load';
import { guestFiles, guestNodeCmdline } from '../../emulator/app/assembly/guest-node';

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

describe('a guest whose memory cannot hold its initrd', () => {
  // v86 loads the initrd at 64 MiB: with less memory above that than the initrd's size it threw while building the
  // machine (an internal error). guestFiles says so in one line first, naming the node, the memory and what it needs.
  const scenario = (memory: string) => {
    fs.writeFileSync(path.join(SCEN, 'k', 'initrd.img'), Buffer.alloc(3 * 2 ** 20 + 1));
    fs.writeFileSync(path.join(SCEN, 'k', 'bios.bin'), 'BIOS');
    return parse(`
nodes:
  linux1:
    kind: guest
    nics: [{ model: rtl8029, link: hub0 }]
    ip: 10.0.0.3/24
    kernel: k/bzImage
    initrd: k/initrd.img
    bios: k/bios.bin
    vga-bios: k/bios.bin
    memory: ${memory}
links:
  hub0: { type: hub }
`);
  };

  test('64M + 3 MiB + 1 byte of initrd does not fit in 67M: one line; 68M does', async () => {
    await expect(guestFiles(scenario('67M'))).rejects.toThrow(
      "g.yaml: nodes.linux1.memory: 67M cannot hold the guest's initrd (3.0 MiB, which v86 loads at 64M): give it at least 68M, and room to unpack it (128M, the default, holds the built image)",
    );
    const fits = await guestFiles(scenario('68M'));
    expect(fits.map(([spec, files]) => [spec.name, files.initrd])).toEqual([['linux1', path.join(SCEN, 'k', 'initrd.img')]]);
  });
});
