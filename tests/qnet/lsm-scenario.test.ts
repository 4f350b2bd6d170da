/**
 * docs/examples/qnet-resolve.yaml: /net filled by start-up advertisements and on demand, auto_add=0, the LR
 * counters in /proc/qnetstats, a refused option — every expectation holds, and the figures behind them are
 * the resolver's (requests = 1 for beta + (conn_est_retries + 1) for the unknown name).
 */
import * as path from 'node:path';
import { loadScenario, runScenarioChecked } from '../../emulator/app/testing/api';
import { QNET_DEFAULTS } from '../../stack/net/qnet/defaults';
import { sharedRun } from '../helpers/shared-run';

describe('docs/examples/qnet-resolve.yaml', () => {
  const run = sharedRun(() => runScenarioChecked(loadScenario(path.resolve(__dirname, '../../docs/examples/qnet-resolve.yaml'))));
  const gamma = () => run().consoles.get('gamma') ?? '';

  test('every expectation holds', () => {
    const r = run();
    expect(r.failures).toEqual([]);
  });

  test('gamma sent one request for beta and conn_est_retries + 1 for the unknown name, on its one link', () => {
    const r = run();
    const requests = 1 + (QNET_DEFAULTS.connEstRetries + 1);
    expect(gamma()).toContain(`lr tx_requests : ${requests}\n`);
    expect(gamma()).toContain('lr unresolved : 1\n');
    // alpha and beta never heard of gamma: it advertised nothing and they asked nothing.
    expect(r.consoles.get('alpha') ?? '').not.toMatch(/gamma/);
  });
});
