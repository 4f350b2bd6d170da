/**
 * `impair:` in scenario files (emulator/app/scenario/impair-spec.ts): on links, on NICs and as an action, parsed
 * into the engine's ImpairConfig with tc-netem's units and defaults, and every mistake a located error
 * (file:line:col: field: problem) at the field that is wrong.
 */
import { parseScenario } from '../../emulator/app/scenario/load';
import { NO_IMPAIRMENT } from '../../emulator/machine/net/impair/config';
import type { ImpairAction } from '../../emulator/app/scenario/impair-spec';
import { errorOf } from './helpers';

/** alpha and beta on cable `wan`, gamma on hub `hub0` with beta's second NIC, sta on wireless `air`. */
function scenario(o: { wan?: string; beta?: string; actions?: string[] } = {}): string {
  return `name: t
until: 10s
nodes:
  alpha:
    nics: [{ model: rtl8029, link: wan }]
    script: "echo a"
  beta:
    nics:
      - { model: rtl8029, link: wan${o.beta ? `, impair: ${o.beta}` : ''} }
      - { model: rtl8029, link: hub0 }
    script: "echo b"
  gamma:
    nics: [{ model: rtl8029, link: hub0 }]
    script: "echo c"
  sta:
    nics: [{ model: rt2560, link: air }]
    script: "echo d"
links:
  wan: { type: cable${o.wan ? `, impair: ${o.wan}` : ''} }
  hub0: { type: hub }
  air: { type: wireless }
${o.actions ? `actions:\n${o.actions.map((a) => `  - ${a}\n`).join('')}` : ''}`;
}

const parse = (text: string) => parseScenario(text, 'sc.yaml', '/tmp');

/** The 1-based line and column of the last `needle` in `text` (an action's line is the file's last). */
function at(text: string, needle: string): { line: number; col: number } {
  const i = text.lastIndexOf(needle);
  if (i < 0) throw new Error(`no ${needle}`);
  const before = text.slice(0, i).split('\n');
  return { line: before.length, col: before[before.length - 1]!.length + 1 };
}

/** The scenario's error is at `needle` (line and column) and its problem matches `problem`. */
function expectError(text: string, needle: string, problem: RegExp): void {
  const e = errorOf(text);
  const where = at(text, needle);
  expect(e.problem).toMatch(problem);
  expect({ line: e.line, col: e.col }).toEqual(where);
  expect(e.message).toBe(`sc.yaml:${where.line}:${where.col}: ${e.problem}`);
}

describe('impair on a link and a NIC', () => {
  test('every field in tc-netem units becomes the engine configuration', () => {
    const s = parse(scenario({
      wan: '{ delay: 40ms, jitter: 8ms, distribution: normal, correlation: 25%, rate: 2Mbit, overhead: 24, limit: 100, ' +
        'loss: { model: gilbert-elliott, p: 2%, r: 25%, bad-loss: 90%, good-loss: 0.1% }, duplicate: 0.1%, reorder: { probability: 5%, gap: 5 }, corrupt: 0.01% }',
    }));
    expect(s.links.find((l) => l.name === 'wan')!.impair).toEqual({
      delayNs: 40_000_000, jitterNs: 8_000_000, distribution: 'normal', correlation: 0.25, rateBps: 2_000_000, overheadBytes: 24, limit: 100,
      loss: { model: 'gilbert-elliott', p: 0.02, r: 0.25, lossBad: 0.9, lossGood: 0.001 },
      duplicate: 0.001, reorder: { probability: 0.05, gap: 5 }, corrupt: 0.0001,
    });
    // Links and NICs without impair: no field (the spec of an unimpaired file is what it always was).
    expect(s.links.find((l) => l.name === 'hub0')).not.toHaveProperty('impair');
    expect(s.nodes[0]!.nics[0]).not.toHaveProperty('impair');
  });

  test("defaults are netem's: uniform jitter, limit 1000, gemodel r = 1 − p, 1-h 100 %, 1-k 0, reorder gap 1", () => {
    const s = parse(scenario({ wan: '{ delay: 10ms, jitter: 1ms, loss: { model: gilbert-elliott, p: 1% }, reorder: 25% }' }));
    expect(s.links[0]!.impair).toEqual({
      ...NO_IMPAIRMENT, delayNs: 10_000_000, jitterNs: 1_000_000,
      loss: { model: 'gilbert-elliott', p: 0.01, r: 0.99, lossBad: 1, lossGood: 0 }, reorder: { probability: 0.25, gap: 1 },
    });
    expect(NO_IMPAIRMENT).toMatchObject({ distribution: 'uniform', limit: 1000, rateBps: null, overheadBytes: 0 });
  });

  test('percentages as text or as a number in [0, 1]; loss as a bare probability is the random model', () => {
    const s = parse(scenario({ wan: '{ loss: 0.02, duplicate: "3 %", corrupt: 1 }' }));
    expect(s.links[0]!.impair).toMatchObject({ loss: { model: 'random', probability: 0.02 }, duplicate: 0.03, corrupt: 1 });
    const r = parse(scenario({ wan: '{ loss: { model: random, probability: 100% } }' }));
    expect(r.links[0]!.impair!.loss).toEqual({ model: 'random', probability: 1 });
  });

  test.each([
    ['2Mbit', 2_000_000], ['2mbit', 2_000_000], ['512kbit', 512_000], ['1.5Gbit', 1_500_000_000], ['100bit', 100],
    ['1Kibit', 1024], ['2mibit', 2 * 1024 * 1024], ['1tbit', 1e12], [9600, 9600], ['9600', 9600],
  ] as const)('rate %s is %d bit/s (tc units, case-insensitive; a bare number is bit/s)', (rate, bps) => {
    const s = parse(scenario({ wan: `{ rate: ${typeof rate === 'number' ? rate : `"${rate}"`} }` }));
    expect(s.links[0]!.impair!.rateBps).toBe(bps);
  });

  test("a NIC's impair is its own and leaves the link's alone", () => {
    const s = parse(scenario({ wan: '{ delay: 40ms }', beta: '{ delay: 5ms, loss: 1% }' }));
    const beta = s.nodes.find((n) => n.name === 'beta')!;
    expect(beta.nics[0]!.impair).toEqual({ ...NO_IMPAIRMENT, delayNs: 5_000_000, loss: { model: 'random', probability: 0.01 } });
    expect(beta.nics[0]!.fields).toEqual({});
    expect(beta.nics[1]).not.toHaveProperty('impair');
    expect(s.links[0]!.impair!.delayNs).toBe(40_000_000);
  });
});

describe('located errors', () => {
  test.each([
    ['{ rate: 2Mbps }', '2Mbps', /links\.wan\.impair\.rate: '2Mbps': Mbps is bytes per second in tc; write 2Mbit/],
    ['{ rate: 10kBps }', '10kBps', /kBps is bytes per second in tc; write 10kbit/],
    ['{ rate: 2Mb }', '2Mb', /unknown unit 'Mb' \(tc's units: bit, kbit/],
    ['{ rate: fast }', 'fast', /'fast' is not a rate: write it as tc does/],
    ['{ rate: 0 }', '0 }', /at least 1 bit per second/],
    ['{ loss: 5 }', '5 }', /loss: 5 is not a probability: .* for 5 percent write "5%" \(or 0\.05\)/],
    ['{ loss: 150% }', '150%', /loss: 150% is more than 100%/],
    ['{ duplicate: lots }', 'lots', /duplicate: 'lots' is not a percentage/],
    ['{ delay: 5ms, jitter: 8ms }', '8ms', /jitter: 8ms is more than the delay \(5ms\); jitter may be at most the delay/],
    ['{ delay: 5ms, distribution: normal }', 'normal', /distribution: a distribution shapes the jitter: give jitter/],
    ['{ delay: 5ms, correlation: 25% }', '25%', /correlation: the correlation is between successive jitter draws/],
    ['{ reorder: 5% }', '5%', /reorder: reordering sends some frames without the delay, so it needs a delay/],
    ['{ delay: 1ms, reorder: { probability: 5%, gap: 0 } }', '0 }', /reorder\.gap: must be >= 1/],
    ['{ limit: 0 }', '0 }', /limit: must be >= 1/],
    ['{ overhead: 24 }', '24', /overhead: the overhead is counted by the rate: give rate too/],
    ['{ delay: 2d }', '2d', /malformed value/],
    ['{ delay: 100000s }', '100000s', /delay: 100000s is more than a day/],
    ['{ distribution: gaussian }', 'gaussian', /must be one of "uniform", "normal", "pareto", "paretonormal"/],
    ['{ loss: { model: gilbert-elliott, probability: 1% } }', '1%', /the gilbert-elliott loss model takes p, r, bad-loss, good-loss, not probability/],
    ['{ loss: { model: gilbert-elliott, r: 1% } }', 'gilbert-elliott', /loss\.model: the gilbert-elliott loss model needs p/],
    ['{ loss: { model: random } }', 'random', /the random loss model needs probability/],
    ['{ loss: { model: random, probability: 1%, p: 1% } }', '1% }', /the random loss model takes probability, not p/],
    ['{ loss: { probability: 1% } }', '{ probability', /missing required field 'model'/],
    ['{ dealy: 5ms }', '5ms', /unknown field 'dealy'/],
  ])('link impair %s', (impair, needle, problem) => {
    const text = scenario({ wan: impair });
    // The needle is looked for on the link's line (a scenario may use the same text elsewhere).
    const line = text.split('\n').findIndex((l) => l.startsWith('  wan:'));
    const col = text.split('\n')[line]!.indexOf(needle);
    const e = errorOf(text);
    expect(e.problem).toMatch(problem);
    expect([e.line, e.col]).toEqual([line + 1, col + 1]);
  });

  test("a NIC's impair error is located in the NIC", () => {
    const text = scenario({ beta: '{ loss: 2 }' });
    expectError(text, '2 }', /nodes\.beta\.nics\.0\.impair\.loss: 2 is not a probability/);
  });

  test('a wireless link or NIC takes no impair, and says why', () => {
    const link = scenario().replace('air: { type: wireless }', 'air: { type: wireless, impair: { delay: 1ms } }');
    expectError(link, '{ delay: 1ms }', /links\.air\.impair: link 'air' is wireless; impairments act on hubs, cables and switches \(on the air, loss and delay come from the radio channel/);
    const nic = scenario().replace('{ model: rt2560, link: air }', '{ model: rt2560, link: air, impair: { delay: 1ms } }');
    expectError(nic, '{ delay: 1ms }', /nodes\.sta\.nics\.0\.impair: this NIC is on wireless link 'air'; impairments act on hubs, cables and switches/);
  });
});

describe('the impair action', () => {
  const actionsOf = (actions: string[]) => parse(scenario({ actions })).actions as ImpairAction[];

  test('replaces a link default or a node\'s port impairment at its time, or clears it; needs no node of its own', () => {
    const [a, b, c] = actionsOf([
      '{ at: 5s, impair: { link: wan, delay: 200ms } }',
      '{ at: 8s, impair: { link: hub0, node: beta, clear: true } }',
      '{ at: 9s, impair: { link: hub0, node: gamma, loss: 50% } }',
    ]);
    expect(a).toEqual({ kind: 'impair', index: 0, at: 5e9, link: 'wan', node: null, impair: { ...NO_IMPAIRMENT, delayNs: 200_000_000 }, command: '', sink: null });
    expect(b).toMatchObject({ kind: 'impair', at: 8e9, link: 'hub0', node: 'beta', impair: null });
    expect(c).toMatchObject({ node: 'gamma', impair: { loss: { model: 'random', probability: 0.5 } } });
  });

  test.each([
    ['{ at: 5s, impair: { link: air, delay: 1ms } }', 'air, delay', /actions\.0\.impair\.link: link 'air' is wireless; impairments act on hubs, cables and switches/],
    ['{ at: 5s, impair: { link: wan2, delay: 1ms } }', 'wan2', /actions\.0\.impair\.link: no link named 'wan2'/],
    ['{ at: 5s, impair: { link: wan, node: gamma, delay: 1ms } }', 'gamma', /actions\.0\.impair\.node: node 'gamma' has no NIC on link 'wan'/],
    ['{ at: 5s, impair: { link: wan, node: nobody, delay: 1ms } }', 'nobody', /actions\.0\.impair\.node: no node named 'nobody'/],
    ['{ at: 5s, impair: { link: wan, clear: true, delay: 1ms } }', '1ms', /actions\.0\.impair\.delay: clear: true removes the impairment; give either clear or the new impairment's fields/],
    ['{ at: 5s, impair: { link: wan } }', '{ link: wan }', /actions\.0\.impair: give the new impairment's fields .* or clear: true/],
    ['{ at: 5s, impair: { link: wan, clear: false } }', 'false', /must be one of true/],
    ['{ at: 5s, node: alpha, impair: { link: wan, delay: 1ms } }', 'alpha', /actions\.0\.node: an impair action acts on a link; to impair one node's port\(s\) give the node inside it/],
    ['{ at: 20s, impair: { link: wan, delay: 1ms } }', '20s', /actions\.0\.at: 20s is after the end of the run/],
    ['{ at: 5s, impair: { link: wan, reorder: 10% } }', '10%', /actions\.0\.impair\.reorder: reordering sends some frames without the delay/],
    ['{ at: 5s, impair: { link: wan, rate: 1MBps } }', '1MBps', /actions\.0\.impair\.rate: '1MBps': MBps is bytes per second in tc; write 1Mbit/],
    ['{ at: 5s, command: "echo" }', '{ at: 5s, command', /actions\.0: missing required field 'node' \(a command action runs on a node\)/],
  ])('%s', (action, needle, problem) => {
    expectError(scenario({ actions: [action] }), needle, problem);
  });
});
