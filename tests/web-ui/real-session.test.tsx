/**
 * @jest-environment jsdom
 *
 * The page over the REAL session (core/session.ts on docs/examples/ping.yaml's bundle), rendered into jsdom:
 * what the page draws is what the debugger core says — the hops of the first echo request (count, order,
 * device/layer) equal the `path` the REPL prints, the trace-hash is the run's, stepping back moves the cursor
 * hop back, a link's frames and a NIC's registers come from the models, and nothing logs a console error.
 */
import './node-globals';
import { openSession } from '../../emulator/app/web-page/core/session';
import type { WebSessionApi } from '../../emulator/app/web-page/core/api';
import { bundleScenario } from '../../emulator/app/web-page/core/bundle';
import { $, $$, click, mountPage, submit, text } from './helpers';

let api: WebSessionApi;
const errors: unknown[][] = [];

beforeAll(async () => {
  jest.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void errors.push(a));
  api = await openSession(bundleScenario('docs/examples/ping.yaml'));
  await mountPage(api);
});

afterAll(() => {
  jest.restoreAllMocks();
});

it('stops at the first echo request and draws its path as the REPL prints it', () => {
  expect(text('#trace-hash')).toBe(api.info().traceHash);
  expect(api.info().traceHash).toMatch(/^[0-9a-f]{64}$/);
  submit('#breakpoint-input', 'probe ip/output if icmp echo-request and dst host 10.0.0.2');
  expect($$('#breakpoint-list li').length).toBe(1);
  click('#continue');
  expect(text('#stop')).toMatch(/^breakpoint/);
  const path = api.path(api.focusPacket());
  const hops = $$('#sequence [data-hop]');
  expect(hops.length).toBe(path.hops.length);
  expect(hops.length).toBeGreaterThan(10);
  expect(hops.map((h) => h.dataset['hop'])).toEqual(path.hops.map((h) => String(h.n)));
  // The REPL's `path` table: one line per hop with its number, device and layer, in the same order.
  const table = api.command('path').filter((l) => /^\s*(=>|\.)?\s+\d+\s+\d+\.\d{9}/.test(l));
  expect(table.length).toBe(hops.length);
  table.forEach((line, i) => {
    const cols = line.replace(/^\s*(=>|\.)?\s+/, '').split(/\s+/);
    const hop = hops[i]!;
    expect(cols[0]).toBe(hop.dataset['hop']);
    expect(line).toContain(` ${hop.dataset['device']} `);
    expect(line).toContain(` ${hop.dataset['layer']} `);
  });
  expect(hops.map((h) => h.dataset['device'])).toEqual(expect.arrayContaining(['alpha', 'beta']));
  expect($('#sequence [data-hop].cursor').dataset['layer']).toBe('ip');
  expect($('#sequence [data-hop].cursor').dataset['probe']).toBe('output');
});

it('the cursor hop has its node NIC, interrupt controllers and the packet decoded by layer', () => {
  expect(text('#hop-detail .hop-nic')).toContain('alpha.nic0');
  expect($$('#hop-detail .hop-nic .regs').length).toBeGreaterThan(0);
  expect(text('#interrupts')).toBe(api.interrupts('alpha').join('\n'));
  expect($$('#packet .layer summary').map((s) => s.textContent)).toEqual(api.packet(api.focusPacket()).layers.map((l) => l.name));
  expect(text('#packet .hex')).toBe(api.packet(api.focusPacket()).hex.join('\n'));
});

it('step moves to the next event, back returns to the same place and time', () => {
  const t0 = text('#time-cursor');
  const ev0 = text('#event-count');
  click('#step');
  expect(text('#event-count')).not.toBe(ev0);
  click('#back');
  expect(text('#event-count')).toBe(ev0);
  expect(text('#time-cursor')).toBe(t0);
});

it("a link's frames and a NIC's registers come from the session", () => {
  const link = api.topology().links[0]!.name;
  click(`#topology [data-link="${link}"]`);
  const frames = api.frames(link);
  if ('error' in frames) throw new Error(frames.error);
  expect($$(`[data-frames="${link}"] tbody tr`).length).toBe(frames.length);
  submit('#frame-filter', 'icmp and');
  expect(text(`[data-frames="${link}"] .error`)).toMatch(/bad filter at column 9/);
  click('#topology [data-nic="beta.nic0"]');
  expect($$('.selection .regs caption').map((c) => c.textContent)).toEqual(api.nic('beta.nic0').inspection.registers.map((g) => g.group));
});

it('logged no console error', () => {
  expect(errors).toEqual([]);
});
