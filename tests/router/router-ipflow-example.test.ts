/** docs/examples/router-ipflow.yaml: three nodes, a 2-CPU router in the middle forwarding with ipflow. */
import { loadScenario, runScenarioChecked } from '../../emulator/app/testing/api';

test('docs/examples/router-ipflow.yaml passes its expectations; the fast path ran on several threads, never in the stack context', () => {
  const r = runScenarioChecked(loadScenario('docs/examples/router-ipflow.yaml'), { keepTrace: true });
  expect(r.failures).toEqual([]);
  // 12 ICMP (no flows) + 2 first datagrams by ip_forward; 2 × 999 fast (the file's header has the arithmetic).
  expect(r.consoles.get('router')).toContain('\t2012 packets forwarded (1998 packets fast forwarded)\n');
  const ff = r.run.trace
    .map((l) => JSON.parse(l) as { node: string; layer: string; probe: string; f?: { thread?: string; stk?: boolean } })
    .filter((x) => x.node === 'router' && x.layer === 'ip' && x.probe === 'fastforward');
  expect(ff).toHaveLength(1998);
  expect(ff.every((x) => x.f?.stk === false)).toBe(true);
  // Two CPUs, two interrupt sources: more than one io-pkt thread forwarded.
  expect(new Set(ff.map((x) => x.f?.thread)).size).toBeGreaterThanOrEqual(2);
});
