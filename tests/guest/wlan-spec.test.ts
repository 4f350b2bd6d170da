/**
 * A guest's wireless NIC in scenario files (no v86 needed): `ip:` names the interface as Linux will (mac80211 names
 * its interfaces wlan%d, Ethernet drivers eth%d, each counted on its own), and the kernel command line loads
 * rt2500pci and addresses wlan0.
 */
import { parseScenario } from '../../emulator/app/scenario/load';
import { guestNodeCmdline } from '../../emulator/app/assembly/guest-node';

const parse = (yaml: string) => parseScenario(yaml, 'w.yaml', '/scen');

describe('a guest with an RT2560', () => {
  test('ip: without an interface names wlan0; the command line loads rt2500pci and addresses wlan0', () => {
    const n = parse(`
nodes:
  linux1:
    kind: guest
    position: { x: 3, y: 4 }
    nics: [{ model: rt2560, link: air0 }]
    ip: 10.0.2.3/24
links:
  air0: { type: wireless, channel: 6 }
`).nodes[0]!;
    expect(n.guest?.ip).toEqual(['wlan0:10.0.2.3/24']);
    expect(n.position).toEqual({ x: 3, y: 4, z: 0 });
    const words = guestNodeCmdline(n).split(' ');
    expect(words).toContain('qnxemu.modules=rt2500pci');
    expect(words).toContain('qnxemu.ip=wlan0:10.0.2.3/24');
  });

  test('wired and wireless NICs are counted apart, in the order the scenario lists them', () => {
    const n = parse(`
nodes:
  linux1:
    kind: guest
    nics: [{ model: rt2560, link: air0 }, { model: bcm5701, link: sw0 }, { model: rt2560, link: air0 }, { model: rtl8029, link: sw0 }]
    ip: [10.0.2.3/24, 10.0.1.3/24, 10.0.3.3/24, 10.0.4.3/24]
links:
  air0: { type: wireless }
  sw0: { type: switch }
`).nodes[0]!;
    expect(n.guest?.ip).toEqual(['wlan0:10.0.2.3/24', 'eth0:10.0.1.3/24', 'wlan1:10.0.3.3/24', 'eth1:10.0.4.3/24']);
    expect(guestNodeCmdline(n).split(' ')).toContain('qnxemu.modules=rt2500pci,tg3,ne2k_pci');
  });

  test('an RT2560 on a wired link, or a wired NIC in the air, is refused at the link', () => {
    expect(() =>
      parse(`
nodes:
  linux1:
    kind: guest
    nics: [{ model: rt2560, link: sw0 }]
links:
  sw0: { type: switch }
`),
    ).toThrow(/nics\.0\.link: a rt2560 is a wireless NIC/);
    expect(() =>
      parse(`
nodes:
  linux1:
    kind: guest
    nics: [{ model: bcm5701, link: air0 }]
links:
  air0: { type: wireless }
`),
    ).toThrow(/nics\.0\.link: link 'air0' is wireless; a bcm5701 is a wired NIC/);
  });
});
