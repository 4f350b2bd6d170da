/** docs/examples/files.yaml: ls, cat and sloginfo on a booted node, its expectations hold. */
import { loadScenario, runScenarioChecked } from '../../emulator/app/testing/api';

test('docs/examples/files.yaml', () => {
  const r = runScenarioChecked(loadScenario('docs/examples/files.yaml'));
  expect(r.failures).toEqual([]);
  const con = r.consoles.get('alpha') ?? '';
  expect(con).toContain('127.0.0.1 localhost\n10.0.0.1 alpha\nWelcome to alpha.\n');
});
