/** docs/examples/pf-nat.yaml passes: pings and UDP cross the NAT router, pfctl shows the translated states. */
import { loadScenario, runScenarioChecked } from '../../emulator/app/testing/api';

test('docs/examples/pf-nat.yaml', () => {
  const r = runScenarioChecked(loadScenario('docs/examples/pf-nat.yaml'));
  if (!r.passed) console.log(r.consoles.get('router'), r.consoles.get('inside'));
  expect(r.failures).toEqual([]);
  expect(r.passed).toBe(true);
}, 120_000);
