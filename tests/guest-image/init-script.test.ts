import { ERROR_PREFIX, GUEST_PROMPT, guestCmdline, initScript, READY_MARKER } from '../../emulator/app/guest-image/init-script';
import { appletLinks, appletList } from '../../emulator/app/guest-image/initramfs';
import { runInit } from './init-harness';

describe('guest /init', () => {
  test('PCI NE2000: mounts, modprobes ne2k-pci, configures eth0, prints the ready marker', () => {
    const r = runInit(guestCmdline({ modules: ['ne2k-pci'], ip: ['eth0:10.0.0.3/24'], hostname: 'g1' }));
    expect(r.status).toBe(0);
    expect(r.calls).toEqual([
      'mount -t proc proc /proc',
      'mount -t sysfs sysfs /sys',
      'mount -t devtmpfs devtmpfs /dev',
      'hostname g1',
      'modprobe ne2k-pci',
      'ip link set lo up',
      'ip link set eth0 up',
      'ip addr add 10.0.0.3/24 dev eth0',
    ]);
    expect(r.out).toBe(`${READY_MARKER}\n`);
  });

  test('ISA NE2000: each listed module is modprobed in order (repeats are modprobe\'s no-op); parameters stay on the command line', () => {
    const cmdline = guestCmdline({ modules: ['ne', '8390p', 'ne'], params: { ne: { io: '0x300', irq: 5 } }, ip: ['eth0:10.0.0.4/24'], gateway: '10.0.0.1' });
    // busybox modprobe reads ne.io= and ne.irq= from /proc/cmdline itself, at boot and at every later load.
    expect(cmdline).toContain(' ne.io=0x300 ne.irq=5 ');
    const r = runInit(cmdline);
    expect(r.calls.filter((c) => /^(modprobe|ip)/.test(c))).toEqual([
      'modprobe ne',
      'modprobe 8390p',
      'modprobe ne',
      'ip link set lo up',
      'ip link set eth0 up',
      'ip addr add 10.0.0.4/24 dev eth0',
      'ip route add default via 10.0.0.1',
    ]);
    expect(r.out).toBe(`${READY_MARKER}\n`);
  });

  test("parameters are written under the module's own name, which modprobe matches literally", () => {
    expect(guestCmdline({ modules: ['ne2k-pci'], params: { 'ne2k-pci': { full_duplex: 1 } } })).toContain(' qnxemu.modules=ne2k-pci ne2k_pci.full_duplex=1');
  });

  test('failures are reported before the ready marker and do not stop the boot', () => {
    const r = runInit('qnxemu.modules=e1000,ne2k_pci qnxemu.ip=eth1:10.0.0.9/24,bogus,eth0:10.0.0.3/24 qnxemu.echo=0', { modules: ['8390'] });
    // The harness gives stdout, then stderr (where modprobe says why).
    expect(r.out.split('\n')).toEqual([
      `${ERROR_PREFIX} modprobe e1000 failed`,
      `${ERROR_PREFIX} modprobe ne2k_pci failed`,
      `${ERROR_PREFIX} no interface eth1`,
      `${ERROR_PREFIX} bad qnxemu.ip entry bogus (want dev:addr/len)`,
      READY_MARKER,
      'modprobe: module e1000 not found in modules.dep',
      'modprobe: module ne2k_pci not found in modules.dep',
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
    for (const cmd of ['mount', 'modprobe', 'ip', 'hostname', 'stty', 'setsid', 'cttyhack', 'sh']) expect(appletList()).toContain(cmd);
    // The module tools where busybox installs them and the kernel runs modprobe (CONFIG_MODPROBE_PATH).
    for (const t of ['depmod', 'insmod', 'lsmod', 'modinfo', 'modprobe', 'rmmod']) expect(appletLinks()).toContain(`sbin/${t}`);
    expect(appletLinks()).toContain('bin/ping');
    expect(text).not.toMatch(/\b(sleep|date|udhcpc|crond|syslogd)\b/);
  });
});

describe('guest kernel command line', () => {
  test('base options first, then the qnxemu keys and module parameters', () => {
    expect(guestCmdline({ hostname: 'g', modules: ['ne'], params: { ne: { io: '0x300', irq: 5 } }, ip: ['eth0:10.0.0.3/24', 'eth1:10.1.0.3/16'], gateway: '10.0.0.1', echo: false })).toBe(
      'console=ttyS0 quiet loglevel=3 tsc=reliable mitigations=off random.trust_cpu=on noisapnp ' +
        'qnxemu.hostname=g qnxemu.modules=ne ne.io=0x300 ne.irq=5 qnxemu.ip=eth0:10.0.0.3/24,eth1:10.1.0.3/16 qnxemu.gw=10.0.0.1 qnxemu.echo=0',
    );
    expect(guestCmdline()).toBe('console=ttyS0 quiet loglevel=3 tsc=reliable mitigations=off random.trust_cpu=on noisapnp');
  });

  test('values the scheme cannot carry are refused', () => {
    expect(() => guestCmdline({ ip: ['10.0.0.3/24'] })).toThrow(/eth0:10.0.0.3\/24/);
    expect(() => guestCmdline({ modules: ['a b'] })).toThrow(/one word/);
    expect(() => guestCmdline({ hostname: 'a,b' })).toThrow(/one word/);
  });
});
