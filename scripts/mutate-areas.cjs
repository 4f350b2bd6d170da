// The areas `npm run mutate` measures (issue 14 §3): the sources mutated and the test folders that may kill
// their mutants. A test folder belongs to an area when its tests drive that code directly (unit and
// component tests); scenario and guest tests are left out (they are slow and run the bundle in dist/).
const AREAS = {
  board: {
    mutate: ['emulator/machine/board/**/*.ts'],
    tests: ['tests/board', 'tests/bus', 'tests/v86/intx-line.test.ts'],
  },
  'nic-models': {
    mutate: ['nic-models/**/*.ts'],
    tests: ['tests/ne2000', 'tests/nic-models', 'tests/bus', 'tests/net/bcm5701-switch.test.ts', 'tests/net/duplex-nic.test.ts'],
  },
  net: {
    mutate: ['emulator/machine/net/**/*.ts'],
    tests: ['tests/net'],
  },
  'stack-net': {
    mutate: ['stack/net/**/*.ts'],
    tests: ['tests/net-stack', 'tests/bridge', 'tests/pf', 'tests/bpf', 'tests/router', 'tests/qnet'],
  },
};
module.exports = { AREAS };
