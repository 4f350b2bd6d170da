/**
 * @jest-environment jsdom
 *
 * The topology's NIC counters (ui/Topology.tsx): "tx N rx M" from the session's per-port counts
 * (`link-tx-frames`, `link-rx-frames`: core/frame-log.ts), drawn over the REAL session on ping.yaml and
 * following the run; the model's own counters only when the session gives none.
 */
import './node-globals';
import { openSession } from '../../emulator/app/web-page/core/session';
import type { WebSessionApi } from '../../emulator/app/web-page/core/api';
import { bundleScenario } from '../../emulator/app/web-page/core/bundle';
import { nicCounterText } from '../../emulator/app/web-page/ui/Topology';
import { click, mountPage, text } from './helpers';

describe('nicCounterText', () => {
  test("the session's link counts first, then the model's", () => {
    expect(nicCounterText({ 'link-tx-frames': 3, 'link-rx-frames': 2, txFrames: 9, rxFrames: 8 })).toBe('tx 3 rx 2');
    expect(nicCounterText({ txFrames: 4, rxFrames: 1 })).toBe('tx 4 rx 1');
    expect(nicCounterText({ 'CNTR0 (frame alignment errors)': 0 })).toBe('');
    expect(nicCounterText(undefined)).toBe('');
  });
});

describe('the topology over the real session', () => {
  let api: WebSessionApi;
  beforeAll(async () => {
    api = await openSession(bundleScenario('docs/examples/ping.yaml'));
    await mountPage(api);
  });

  test('at the end of the run each NIC shows what its port sent and received', () => {
    expect(text('#topology [data-nic="alpha.nic0"] .counter')).toBe('tx 0 rx 0');
    click('#continue');
    const c = api.counters().nics;
    for (const nic of ['alpha.nic0', 'beta.nic0']) {
      expect(text(`#topology [data-nic="${nic}"] .counter`)).toBe(`tx ${c[nic]!['link-tx-frames']} rx ${c[nic]!['link-rx-frames']}`);
    }
    expect(c['alpha.nic0']!['link-rx-frames']).toBeGreaterThan(0);
    // Back to power-on: the counts start again with the replayed run.
    click('#restart');
    expect(text('#topology [data-nic="beta.nic0"] .counter')).toBe('tx 0 rx 0');
  });
});
