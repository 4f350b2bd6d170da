import { ERROR_PREFIX, GUEST_PROMPT, guestCmdline, initScript, READY_MARKER } from '../../emulator/app/guest-image/init-script';
import { appletList } from '../../emulator/app/guest-image/initramfs';
import { runInit, TABLE } from './init-harness';

describe('guest /init', () => {
  test('PCI NE2000: mounts, loads 8390 then ne2k-pci, configures eth0, prints the ready marker', () => {
    const r = runInit(guestCmdline({ modules: ['ne2k-pci'], ip: ['eth0:10.0.0.3/24'], hostname: 'g1' }));
    expect(r.status).toBe(0);
    expect(r.calls).toEqual([
      'mount -t proc proc /proc',
      'mount -t sysfs sysfs /sys',
      'mount -t devtmpfs devtmpfs /dev',
      'hostname g1',
      'insmod ROOT/lib/modules/8390.ko',
      'insmod ROOT/lib/modules/ne2k-pci.ko',
      'ip link set lo up',
      'ip link set eth0 up',
      'ip addr add 10.0.0.3/24 dev eth0',
    ]);
    expect(r.out).toBe(`${READY_MARKER}\n`);
  });

  test('ISA NE2000: module parameters from ne.<param>= words reach insmod, dependencies load once', () => {
    const r = runInit(guestCmdline({ modules: ['ne', '8390p', 'ne'], params: { ne: { io: '0x300', irq: 5 } }, ip: ['eth0:10.0.0.4/24'], gateway: '10.0.0.1' }));
    expect(r.calls.filter((c) => /^(insmod|ip)/.test(c))).toEqual([
      'insmod ROOT/lib/modules/8390p.ko',
      'insmod ROOT/lib/modules/ne.ko io=0x300 irq=5',
      'ip link set lo up',
      'ip link set eth0 up',
      'ip addr add 10.0.0.4/24 dev eth0',
      'ip route add default via 10.0.0.1',
    ]);
    expect(r.out).toBe(`${READY_MARKER}\n`);
  });

  test('parameters are matched by module name in either spelling, not by prefix', () => {
    const r = runInit(`console=ttyS0 qnxemu.modules=ne2k_pci ne2k-pci.debug=3 ne2k_pci.options=1 8390p.x=1 8390.y=2`);
    expect(r.calls.filter((c) => c.startsWith('insmod'))).toEqual([
      'insmod ROOT/lib/modules/8390.ko y=2',
      'insmod ROOT/lib/modules/ne2k-pci.ko debug=3 options=1',
    ]);
  });

  test('failures are reported before the ready marker and do not stop the boot', () => {
    const r = runInit('qnxemu.modules=e1000,ne2k_pci qnxemu.ip=eth1:10.0.0.9/24,bogus,eth0:10.0.0.3/24 qnxemu.echo=0', {
      table: TABLE.replace('ne2k_pci ne2k-pci.ko 8390', 'ne2k_pci ne2k-pci-missing.ko 8390'),
    });
    expect(r.out.split('\n')).toEqual([
      `${ERROR_PREFIX} no module e1000 in this image`,
      `${ERROR_PREFIX} insmod ne2k_pci failed`,
      `${ERROR_PREFIX} no interface eth1`,
      `${ERROR_PREFIX} bad qnxemu.ip entry bogus (want dev:addr/len)`,
      READY_MARKER,
      '',
    ]);
    expect(r.calls).toContain('ip addr add 10.0.0.3/24 dev eth0');
    expect(r.calls).toContain('stty -echo');
  });

  test('no qnxemu keys: only the mounts and lo, then ready', () => {
    const r = runInit('console=ttyS0 quiet');
    expect(r.calls).toEqual(['mount -t proc proc /proc', 'mount -t sysfs sysfs /sys', 'mount -t devtmpfs devtmpfs /dev', 'ip link set lo up']);
    expect(r.out).toBe(`${READY_MARKER}\n`);
  });

  test('the script ends in a respawning shell on the console with the fixed prompt, and uses only linked applets', () => {
    const text = initScript();
    expect(text.startsWith('#!/bin/sh\n')).toBe(true);
    expect(text).toContain(`export PS1='${GUEST_PROMPT}'`);
    expect(text.trimEnd().endsWith('while :; do setsid cttyhack sh; done')).toBe(true);
    for (const cmd of ['mount', 'insmod', 'ip', 'hostname', 'stty', 'setsid', 'cttyhack', 'sh']) expect(appletList()).toContain(cmd);
    expect(text).not.toMatch(/\b(sleep|date|udhcpc|crond|syslogd)\b/);
  });
});

describe('guest kernel command line', () => {
  test('base options first, then the qnxemu keys and module parameters', () => {
    expect(guestCmdline({ hostname: 'g', modules: ['ne'], params: { ne: { io: '0x300', irq: 5 } }, ip: ['eth0:10.0.0.3/24', 'eth1:10.1.0.3/16'], gateway: '10.0.0.1', echo: false })).toBe(
      'console=ttyS0 quiet loglevel=3 tsc=reliable mitigations=off random.trust_cpu=on ' +
        'qnxemu.hostname=g qnxemu.modules=ne ne.io=0x300 ne.irq=5 qnxemu.ip=eth0:10.0.0.3/24,eth1:10.1.0.3/16 qnxemu.gw=10.0.0.1 qnxemu.echo=0',
    );
    expect(guestCmdline()).toBe('console=ttyS0 quiet loglevel=3 tsc=reliable mitigations=off random.trust_cpu=on');
  });

  test('values the scheme cannot carry are refused', () => {
    expect(() => guestCmdline({ ip: ['10.0.0.3/24'] })).toThrow(/eth0:10.0.0.3\/24/);
    expect(() => guestCmdline({ modules: ['a b'] })).toThrow(/one word/);
    expect(() => guestCmdline({ hostname: 'a,b' })).toThrow(/one word/);
  });
});
