/**
 * A QNX node with an RTL8029 and a Linux guest with an ISA NE2000 at 0x300/IRQ 10 on one hub: the ISA guest
 * tests (ne-isa.test.ts, module-reload.test.ts) boot it once and restore snapshots.
 */
export const NE_ISA_YAML = `
seed: 3
until: 60s
nodes:
  alpha:
    nics: [{ model: rtl8029, mac: "00:00:e8:0a:00:01", link: hub0 }]
    script: |
      io-pkt-v4 -dne2000
      waitfor /dev/socket 10
      ifconfig en0 10.0.0.1/24 up
  linux1:
    kind: guest
    nics: [{ model: ne2000-isa, ioport: 0x300, irq: 10, mac: "52:54:00:00:00:03", link: hub0 }]
    ip: 10.0.0.3/24
links:
  hub0: { type: hub }
`;
