/**
 * The NE2000 fuzz targets (fuzz/nic/ne2000.ts) on the NIC harness (fuzz/nic/harness*.ts): a short pass of each
 * survives; every corpus vector runs clean and reaches the path its CVE is about; and bugs planted in a wrapped
 * NE2000 (an interrupt line that lies, a read that answers NaN, a data port that moves the remote DMA twice, an
 * event that reschedules itself forever, a snapshot that does not round-trip, an exception) are each caught,
 * with a reproducer that replays to the same line — so the invariants are shown to bite.
 */
import type { IsaNicDevice, IsaNicKind } from '../../nic-models/kind';
import { ne2000IsaKind } from '../../nic-models/ne2000/description';
import type { Dp8390Core } from '../../nic-models/ne2000/dp8390-core';
import type { RegisterHandler } from '../../emulator/machine/bus/types';
import { SimEvent } from '../../emulator/machine/sim/event';
import { ne2000IsaTarget, ne2000Model, rtl8029Target } from '../../fuzz/nic/ne2000';
import { NE2000_CORPUS } from '../../fuzz/nic/ne2000-corpus';
import { nicTarget, type NicOp } from '../../fuzz/nic/harness';
import { replayNicInput, type NicInput } from '../../fuzz/nic/harness-episode';
import { FuzzRig } from '../../fuzz/nic/harness-rig';
import { failureKind } from '../../fuzz/nic/harness-shrink';
import { runTarget } from '../../fuzz/runner';
import type { FuzzTarget } from '../../fuzz/target';

/** The NE2000 model with a check that fails at the `n`th op of each rig (op lists become visible). */
function failAt(n: number): ReturnType<typeof ne2000Model> {
  const seen = new WeakMap<object, number>();
  return {
    ...ne2000Model(ne2000IsaKind, false),
    check: (rig) => {
      const k = (seen.get(rig) ?? 0) + 1;
      seen.set(rig, k);
      return k >= n ? 'planted' : null;
    },
  };
}

describe('a short pass', () => {
  test.each([ne2000IsaTarget, rtl8029Target])('$name: 30000 ops, no failures', (target) => {
    const r = runTarget({ target, seed: 2, inputs: 30_000 });
    expect(r.reproducers.map((x) => x.failure)).toEqual([]);
    expect(r).toMatchObject({ inputs: 30_000, failed: 0 });
  });

  test('episodes are a function of (seed, episode): the same twice, another seed differs', () => {
    const a = ne2000IsaTarget.episode(4, 20, 3000);
    const b = ne2000IsaTarget.episode(4, 20, 3000);
    expect(a).toEqual(b);
    // A check planted to fail at the 300th op exposes the op lists for comparison.
    const ops = (seed: number): NicOp[] => (nicTarget(failAt(300), { default: 1, quick: 1 }).episode(seed, 20, 1000).input as NicInput).ops;
    expect(ops(4)).toHaveLength(300);
    expect(ops(4)).toEqual(ops(4));
    expect(ops(4)).not.toEqual(ops(5));
  });
});

describe('the CVE corpus (facts/ne2000.md §5)', () => {
  test('one episode per vector, run first, each clean', () => {
    for (const target of [ne2000IsaTarget, rtl8029Target]) {
      NE2000_CORPUS.forEach((v, k) => {
        const r = target.episode(1, k, v.ops.length);
        expect({ vector: v.name, failure: r.failure }).toEqual({ vector: v.name, failure: null });
        expect(r.inputs).toBe(v.ops.length);
      });
    }
  });

  // What each vector must make the chip do (its trace records), so the corpus is known to reach the paths.
  const reaches: [string, (probes: string[]) => boolean][] = [
    ['CVE-2015-5279: CURR 0xC0', (p) => p.includes('rx-reject.ring')],
    ['CVE-2015-5279: BNRY 0xFF', (p) => p.filter((x) => x === 'rx-ring').length === 30],
    ['CVE-2015-5279: ring 0xC0-0xFF', (p) => p.includes('rx-ring')],
    ['CVE-2015-5278', (p) => p.filter((x) => x === 'rx-reject.ring').length === 2],
    ['CVE-2016-2841', (p) => p.filter((x) => x === 'rx-reject.ring').length === 4],
    ['CVE-2018-10839', (p) => p.includes('rx-reject.overflow') && p.filter((x) => x === 'rx-reject.runt').length === 3 && !p.includes('rx-ring')],
    ['CVE-2007-5729', (p) => p.filter((x) => x === 'tx-start').length === 5],
    ['no CVE: 32-bit', (p) => !p.includes('dma-idle')],
    ['remote DMA: Send Packet', (p) => p.includes('dma-idle')],
    ['wide accesses', (p) => p.filter((x) => x === 'reset').length >= 2 && p.includes('rx-loopback')],
  ];
  test.each(reaches)('%s reaches its path', (prefix, ok) => {
    const v = NE2000_CORPUS.find((c) => c.name.startsWith(prefix))!;
    expect(v).toBeDefined();
    const rig = new FuzzRig(ne2000IsaKind, 1);
    const probes: string[] = [];
    rig.sim.tracer.addSink((r) => {
      if (r.layer === 'nic') probes.push(r.probe + (typeof r.f?.['reason'] === 'string' ? `.${r.f['reason']}` : ''));
    });
    for (const op of v.ops) rig.apply(op);
    expect(ok(probes)).toBe(true);
    expect(replayNicInput(ne2000Model(ne2000IsaKind, false), { model: 'ne2000-isa', simSeed: 1, ops: v.ops })).toBeNull();
  });

  test('every row of §5 has a vector', () => {
    for (const cve of ['CVE-2015-5279', 'CVE-2015-5278', 'CVE-2016-2841', 'CVE-2018-10839', 'CVE-2007-5729', 'no CVE']) {
      expect(NE2000_CORPUS.some((v) => v.name.startsWith(cve))).toBe(true);
    }
  });
});

/** An ISA NE2000 whose device is wrapped by `plant` (what it overrides replaces the real card's member). */
function plantedKind(plant: (d: IsaNicDevice, ctx: Parameters<IsaNicKind['create']>[0]) => Partial<IsaNicDevice>): IsaNicKind {
  return {
    ...ne2000IsaKind,
    create: (ctx, cfg) => {
      const d = ne2000IsaKind.create(ctx, cfg);
      const wrapped: IsaNicDevice & { core: Dp8390Core } = {
        bus: 'isa',
        ports: d.ports,
        timing: d.timing,
        window: d.window,
        core: (d as unknown as { core: Dp8390Core }).core,
        attachIrq: (l) => d.attachIrq(l),
        connect: (m) => d.connect(m),
        inspect: () => d.inspect(),
        saveState: () => d.saveState(),
        loadState: (s) => d.loadState(s),
      };
      return Object.assign(wrapped, plant(d, ctx));
    },
  };
}

function windowWith(d: IsaNicDevice, read: (off: number, size: 1 | 2 | 4) => number): RegisterHandler {
  return { read, write: (off, size, v) => d.window.write(off, size, v) };
}

/** Runs a planted target's episodes until one fails; its failure, checked to replay to the same line. */
function firstFailure(target: FuzzTarget): string {
  for (let k = 0; k < 40; k++) {
    const r = target.episode(3, k, 4000);
    if (r.failure === null) continue;
    expect(target.replay(JSON.parse(JSON.stringify(r.input)))).toBe(r.failure);
    return r.failure;
  }
  throw new Error('the planted bug was not caught');
}

const planted = (plant: Parameters<typeof plantedKind>[0]): FuzzTarget => nicTarget(ne2000Model(plantedKind(plant), false), { default: 1, quick: 1 });

describe('planted bugs are caught', () => {
  test('an interrupt line that never rises', () => {
    const t = planted((d) => ({ attachIrq: (line) => d.attachIrq({ get level() { return line.level; }, set: () => line.set(false) }) }));
    expect(firstFailure(t)).toMatch(/^op \d+ \(.*\): interrupt output low with ISR 0x[0-9a-f]+ IMR 0x[0-9a-f]+$/);
  });

  test('a read that answers NaN', () => {
    const t = planted((d) => ({ window: windowWith(d, (off, size) => (off === 0x05 && size === 2 ? NaN : d.window.read(off, size))) }));
    expect(firstFailure(t)).toMatch(/^op \d+ \(rd io bar0 \+0x5\/2\): read returned NaN, not an integer in \[0, 2\^16\)$/);
  });

  test('a data port that moves the remote DMA one transfer too far', () => {
    const t = planted((d) => ({
      window: windowWith(d, (off, size) => {
        const v = d.window.read(off, size);
        if (off === 0x10 && size === 4) d.window.read(0x10, 1);
        return v;
      }),
    }));
    expect(firstFailure(t)).toMatch(/^op \d+ \(rd io bar0 \+0x10\/4\): remote DMA moved from 0x[0-9a-f]+\/\d+ to .*; the DP8390 goes to /);
  });

  test('an event that reschedules itself without end', () => {
    const t = planted((d, ctx) => ({
      connect: (m) => {
        d.connect(m);
        const ev: SimEvent = new SimEvent(`${ctx.name}.spin`, () => ctx.queue.scheduleIn(ev, 0));
        ctx.queue.scheduleIn(ev, 1000);
      },
    }));
    expect(firstFailure(t)).toMatch(/^op \d+ \(run \d+ ns\): hang: 200000 events in one run of \d+ ns without reaching its end \(next: fuzz\.nic0\.spin at \d+ ns\)$/);
  });

  test('a snapshot that does not round-trip', () => {
    const t = planted((d) => {
      let saves = 0;
      return { saveState: () => ({ ...d.saveState(), saves: saves++ }) };
    });
    expect(firstFailure(t)).toMatch(/: snapshot does not round-trip: saved …/);
  });

  test('an exception in the model', () => {
    const t = planted((d) => ({
      window: {
        read: (off, size) => d.window.read(off, size),
        write: (off, size, v) => {
          if (off === 0x03 && v === 0xff) throw new TypeError('planted');
          d.window.write(off, size, v);
        },
      },
    }));
    expect(firstFailure(t)).toMatch(/^op \d+ \(wr io bar0 \+0x3\/\d = 0xff\): exception: TypeError: planted at .*nic-ne2000\.test\.ts/);
  });
});

test('a failing op list is shrunk before it is written: fewer ops, the same kind of failure, replayable', () => {
  const t = planted((d) => ({ attachIrq: (line) => d.attachIrq({ get level() { return line.level; }, set: () => line.set(false) }) }));
  const r = Array.from({ length: 40 }, (_, k) => t.episode(3, k, 4000)).find((x) => x.failure !== null)!;
  const before = (r.input as NicInput).ops.length;
  const small = t.shrink!(r.input, r.failure!);
  const after = (small.input as NicInput).ops.length;
  expect(after).toBeLessThan(before);
  expect(after).toBeLessThanOrEqual(40);
  expect(failureKind(small.failure)).toBe(failureKind(r.failure!));
  expect(failureKind(small.failure)).toBe('interrupt output low with ISR ');
  expect(t.replay(small.input)).toBe(small.failure);
  // Deterministic: the same shrink twice.
  expect(t.shrink!(r.input, r.failure!)).toEqual(small);
});

test('ops are plain JSON: a reproducer input survives a JSON round trip unchanged', () => {
  const input = nicTarget(failAt(500), { default: 1, quick: 1 }).episode(8, 30, 1000).input as NicInput;
  expect(input.ops).toHaveLength(500);
  expect(JSON.parse(JSON.stringify(input))).toEqual(input);
});
