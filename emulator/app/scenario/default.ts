/**
 * The built-in default scenario run by `qnxemu boot` / `npm start`: two simulated QNX nodes on a 10BASE-T
 * hub. alpha has an ISA NE2000 at 0x300/IRQ 5 driven by devnp-ne2000; beta has a PCI RTL8029 found by
 * start-up, driven by the legacy devn-ne2000 loaded with `mount -T io-pkt` (io-pkt runs it through
 * devnp-shim.so, so it is named en0). alpha pings beta. The same files ship in docs/examples/default/
 * (a test keeps them identical).
 */
export const DEFAULT_SCENARIO_YAML = `# Two QNX nodes with NE2000 NICs on a 10BASE-T hub; alpha pings beta.
name: default
seed: 1
until: 8s
nodes:
  alpha:
    nics:
      - { model: ne2000-isa, ioport: 0x300, irq: 5, mac: "00:00:e8:0a:00:01", link: hub0 }
    buildfile: alpha.build
  beta:
    nics:
      - { model: rtl8029, mac: "00:00:e8:0b:00:02", link: hub0 }
    buildfile: beta.build
links:
  hub0: { type: hub }
`;

export const DEFAULT_BUILDFILES: Record<string, string> = {
  'alpha.build': `# QNX Neutrino boot image for node alpha (ISA NE2000 at 0x300, IRQ 5)
[virtual=x86,bios +compress] boot = {
    startup-bios -v
    PATH=/proc/boot:/bin:/usr/bin LD_LIBRARY_PATH=/proc/boot:/lib:/lib/dll procnto-smp
}

[+script] .script = {
    display_msg Welcome to QNX Neutrino on alpha
    io-pkt-v4 -dne2000 ioport=0x300,irq=5 -ptcpip
    waitfor /dev/socket 10
    ifconfig en0 10.0.0.1/24 up
    ifconfig en0
    sleep 1
    ping -c 4 10.0.0.2
    nicinfo en0
}

libc.so
libsocket.so
devnp-ne2000.so
io-pkt-v4
ifconfig
ping
nicinfo
`,
  'beta.build': `# QNX Neutrino boot image for node beta (PCI RTL8029, legacy io-net driver)
[virtual=x86,bios +compress] boot = {
    startup-bios -v
    PATH=/proc/boot:/bin:/usr/bin LD_LIBRARY_PATH=/proc/boot:/lib:/lib/dll procnto-smp
}

[+script] .script = {
    display_msg Welcome to QNX Neutrino on beta
    io-pkt-v4 -ptcpip
    waitfor /dev/socket 10
    mount -T io-pkt devn-ne2000.so
    waitfor /dev/io-net/en0 10
    ifconfig en0 10.0.0.2/24 up
    ifconfig en0
}

libc.so
libsocket.so
devn-ne2000.so
devnp-shim.so
io-pkt-v4
ifconfig
mount
`,
};
