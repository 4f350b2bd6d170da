/** docs/examples/pf-firewall.yaml passes: ICMP blocked, UDP passed with state, pfctl's counters as computed there. */
import { loadScenario, runScenarioChecked } from '../../emulator/app/testing/api';

test('docs/examples/pf-firewall.yaml', () => {
  const r = runScenarioChecked(loadScenario('docs/examples/pf-firewall.yaml'));
  if (!r.passed) console.log(r.consoles.get('beta'), r.consoles.get('alpha'));
  expect(r.failures).toEqual([]);
  expect(r.passed).toBe(true);
}, 120_000);
