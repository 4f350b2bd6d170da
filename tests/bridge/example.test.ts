/** docs/examples/bridge.yaml: its expectations hold (they fail if bridging, learning or brconfig broke). */
import { loadScenario, runScenarioChecked } from '../../emulator/app/testing/api';

test('docs/examples/bridge.yaml passes', () => {
  const r = runScenarioChecked(loadScenario('docs/examples/bridge.yaml'));
  expect(r.failures).toEqual([]);
  expect(r.passed).toBe(true);
  const con = r.consoles.get('bridge') ?? '';
  // The status report in brconfig's exact layout (the seconds left depend on when the stations were learned).
  expect(con).toMatch(
    /bridge0: flags=41<UP,RUNNING>\n\tConfiguration:\n\t\tpriority 32768 hellotime 2 fwddelay 15 maxage 20\n\t\tipfilter disabled flags 0x0\n\tInterfaces:\n\t\ten1 flags=3<LEARNING,DISCOVER>\n\t\t\tport 3 priority 128\n\t\ten0 flags=3<LEARNING,DISCOVER>\n\t\t\tport 2 priority 128\n\tAddress cache \(max cache: 100, timeout: 1200\):\n\t\t0:0:e8:c:0:3 en1 \d+ flags=0<>\n\t\t0:0:e8:a:0:1 en0 \d+ flags=0<>\n/,
  );
});

test('docs/examples/bridge.yaml is deterministic: the same seed gives the same trace hash', () => {
  const a = runScenarioChecked(loadScenario('docs/examples/bridge.yaml'));
  const b = runScenarioChecked(loadScenario('docs/examples/bridge.yaml'));
  expect(a.traceHash).toBe(b.traceHash);
  expect(a.consoles.get('bridge')).toBe(b.consoles.get('bridge'));
});
