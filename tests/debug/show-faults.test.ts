/**
 * The debugger after node faults (docs/faults.md, docs/debugger.md): `show nodes` and `show procs` say that a node
 * crashed, hangs or is powered off, with the times the kernel's records give (kernel/crash, kernel/hang,
 * fault/power-off, fault/power-on, the boot's firmware records), not "the kernel has not booted yet".
 * docs/examples/node-faults.yaml: beta crashes at 3 s, delta is power-cycled at 3 s (1 s off), eps hangs 3–3.5 s.
 */
import * as path from 'node:path';
import { loadScenarioFile } from '../../emulator/app/scenario/load';
import { DebugSession } from '../../emulator/app/debug/session';
import { DebugRepl } from '../../emulator/app/debug/commands';
import type { DebugRecord } from '../../emulator/app/debug/records';
import { REPO } from './cli-helpers';

const sec = (t: number): string => `${(t / 1e9).toFixed(3)} s`;

function session(): { s: DebugSession; repl: DebugRepl } {
  const s = new DebugSession(loadScenarioFile(path.join(REPO, 'docs/examples/node-faults.yaml')), { lookahead: false });
  const repl = new DebugRepl(s);
  repl.execute('set console off');
  return { s, repl };
}

const rec = (s: DebugSession, node: string, layer: string, probe: string, pred: (r: DebugRecord) => boolean = () => true): DebugRecord =>
  s.records.find((r) => r.node === node && r.layer === layer && r.probe === probe && pred(r))!;

describe('show nodes / show procs after node faults', () => {
  const { s, repl } = session();

  test('before the boot: every node says its kernel has not booted yet', () => {
    const lines = repl.execute('show nodes');
    expect(lines).toHaveLength(5);
    expect(lines.every((l) => l.endsWith('the kernel has not booted yet'))).toBe(true);
    expect(repl.execute('show procs beta')).toEqual(['beta: the kernel has not booted yet']);
  });

  test('during the faults: crashed, powered off (with the power-on time), hung (with its end), running', () => {
    repl.execute('until 3.2s');
    const crash = rec(s, 'beta', 'kernel', 'crash', (r) => r.f?.['kernel'] === true);
    const off = rec(s, 'delta', 'fault', 'power-off');
    const hang = rec(s, 'eps', 'kernel', 'hang', (r) => r.f?.['on'] === true);
    // Power-on after the scenario's `off: 1s`; the hang ends at its `until: 3.5s`.
    const faults = s.inst.scenario.faults ?? [];
    const pc = faults.find((f) => f.kind === 'power-cycle')!;
    const hf = faults.find((f) => f.kind === 'hang')!;
    expect(pc.at).toBe(off.t);
    expect(hf.at).toBe(hang.t);
    const back = pc.at + ('off' in pc ? pc.off : 0);
    const end = 'until' in hf ? hf.until! : 0;
    expect(repl.execute('show nodes')).toEqual([
      `  alpha  running (booted at ${sec(s.inst.node('alpha')!.bootTimes[0]!)})`,
      `  beta   crashed at ${sec(crash.t)}`,
      `  gamma  running (booted at ${sec(s.inst.node('gamma')!.bootTimes[0]!)})`,
      `  delta  powered off at ${sec(off.t)} (power-cycle, back at ${sec(back)})`,
      `  eps    hung since ${sec(hang.t)} (until ${sec(end)})`,
    ]);
    // A crashed kernel's process table is shown as the crash left it, under a line that says so.
    const beta = repl.execute('show procs beta');
    expect(beta[0]).toBe(`beta: crashed at ${sec(crash.t)}; the processes as they were then:`);
    expect(beta.some((l) => /pid +\d+ io-pkt-v4/.test(l))).toBe(true);
    expect(repl.execute('show procs delta')).toEqual([`delta: powered off at ${sec(off.t)} (power-cycle, back at ${sec(back)})`]);
    expect(repl.execute('show procs eps')[0]).toBe(`eps: hung since ${sec(hang.t)} (until ${sec(end)}); the processes as they were then:`);
    // A running node's list has no such line.
    expect(repl.execute('show procs alpha')[0]).toMatch(/^ {2}pid +1 procnto/);
  });

  test('after power-on, before the new kernel: powered on again; after the boot: running since the second boot', () => {
    const on = (): DebugRecord | undefined => s.records.find((r) => r.node === 'delta' && r.layer === 'fault' && r.probe === 'power-on');
    while (!on()) repl.execute('step');
    const onAt = on()!.t;
    expect(repl.execute('show procs delta')).toEqual([`delta: powered on again at ${sec(onAt)}, the kernel has not booted yet`]);
    repl.execute('until 5s');
    const delta = s.inst.node('delta')!;
    expect(delta.bootTimes).toHaveLength(2);
    expect(delta.bootTimes[1]!).toBeGreaterThan(onAt);
    const lines = repl.execute('show nodes');
    expect(lines[3]).toBe(`  delta  running (booted at ${sec(delta.bootTimes[1]!)})`);
    expect(lines[4]).toMatch(/^ {2}eps {4}running \(booted at /);
    expect(lines[1]).toMatch(/^ {2}beta {3}crashed at 3\.000 s$/);
  });

  test('show nodes is in help', () => {
    expect(repl.execute('help').some((l) => l.includes('show nodes'))).toBe(true);
  });
});
