/** docs/examples/io-pkt-priority.yaml: the `priority=` driver option lets io-pkt answer under a priority-25 hog. */
import { loadScenario, runScenarioChecked } from '../../emulator/app/testing/api';

test('docs/examples/io-pkt-priority.yaml passes', () => {
  const r = runScenarioChecked(loadScenario('docs/examples/io-pkt-priority.yaml'));
  expect(r.failures).toEqual([]);
  const alpha = r.consoles.get('alpha')!;
  // beta's five replies leave together when the hog ends (3.9 s + 2 s), so their round trips fall by the 0.2 s
  // between requests: the last one is about 5.9 - (4.1 + 0.8) = 1.0 s.
  const rtt = [...alpha.matchAll(/from 10\.0\.1\.2: icmp_seq=(\d) ttl=255 time=([\d.]+) ms/g)].map((m) => Number(m[2])).slice(-5); // the first is the ARP-warming ping
  expect(rtt).toHaveLength(5);
  for (let i = 1; i < 5; i++) expect(rtt[i - 1]! - rtt[i]!).toBeGreaterThan(190);
});
