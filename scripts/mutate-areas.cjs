// The areas `npm run mutate` measures (issue 14 §3): the sources mutated and the test folders that may kill
// their mutants. A test folder belongs to an area when its tests drive that code directly (unit and
// component tests, and the simulated-driver tests that reach a chip only through its registers); scenario
// and guest tests are left out (they are slow and run the bundle in dist/). The big folders are split into
// one area per sub-folder so that each run fits in an hour or two on 2 cores; GROUPS names the unions
// (`npm run mutate -- nic-models` runs ne2000, bcm5701 and rt2560 one after the other).
const AREAS = {
  board: {
    mutate: ['emulator/machine/board/**/*.ts'],
    tests: ['tests/board', 'tests/bus', 'tests/v86/intx-line.test.ts'],
  },
  ne2000: {
    mutate: ['nic-models/ne2000/**/*.ts', 'nic-models/common/**/*.ts'],
    tests: [
      'tests/ne2000', 'tests/bus', 'tests/net/duplex-nic.test.ts', 'tests/drivers/ne2000-native.test.ts', 'tests/drivers/ne2000-pci.test.ts',
      'tests/drivers/ne2000-errors.test.ts', 'tests/registry/inspect.test.ts', 'tests/registry/registry.test.ts',
    ],
  },
  bcm5701: {
    mutate: ['nic-models/bcm5701/**/*.ts'],
    tests: ['tests/nic-models/bcm5701', 'tests/net/bcm5701-switch.test.ts', 'tests/drivers/bge'],
  },
  rt2560: {
    mutate: ['nic-models/rt2560/**/*.ts'],
    tests: ['tests/nic-models/rt2560', 'tests/drivers/ral'],
  },
  net: {
    mutate: ['emulator/machine/net/**/*.ts'],
    tests: ['tests/net'],
  },
  'stack-net': {
    mutate: ['stack/net/*.ts'],
    // BPF (bpf.ts, bpf-filter.ts, if-promisc.ts) is checked by tests/bpf; ARP, interface naming and the raw path's
    // MTU by io-pkt's own tests.
    tests: ['tests/net-stack', 'tests/router', 'tests/bpf', 'tests/io-pkt'],
  },
  'stack-net-tcp': { mutate: ['stack/net/tcp/**/*.ts'], tests: ['tests/net-stack'] },
  'stack-net-ip6': { mutate: ['stack/net/ip6/**/*.ts'], tests: ['tests/net-stack'] },
  // The Qnet wire formats (wire/qnet*.ts) are checked by tests/qnet.
  'stack-net-wire': { mutate: ['stack/net/wire/**/*.ts'], tests: ['tests/net-stack', 'tests/qnet'] },
  'stack-net-bridge': { mutate: ['stack/net/bridge/**/*.ts'], tests: ['tests/bridge', 'tests/net-stack'] },
  'stack-net-pf': { mutate: ['stack/net/pf/**/*.ts'], tests: ['tests/pf', 'tests/bpf', 'tests/net-stack'] },
  'stack-net-qnet': { mutate: ['stack/net/qnet/**/*.ts'], tests: ['tests/qnet'] },
};
const GROUPS = {
  'nic-models': ['ne2000', 'bcm5701', 'rt2560'],
  'stack/net': ['stack-net', 'stack-net-tcp', 'stack-net-ip6', 'stack-net-wire', 'stack-net-bridge', 'stack-net-pf', 'stack-net-qnet'],
};
module.exports = { AREAS, GROUPS };
