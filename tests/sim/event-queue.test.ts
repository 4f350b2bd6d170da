import { EventQueue, SimEvent, Priority, Rng, RngFactory, ClockDomain, parseDuration, Tracer, Simulation } from '../../emulator/machine/sim';

describe('EventQueue ordering', () => {
  test('orders by time, then priority, then insertion (FIFO ties)', () => {
    const q = new EventQueue();
    const log: string[] = [];
    const mk = (name: string, prio: number) => new SimEvent(name, () => log.push(`${q.now}:${name}`), prio);
    q.schedule(mk('c', Priority.Default), 20);
    q.schedule(mk('a', Priority.Default), 10);
    q.schedule(mk('b-late-prio', Priority.Stop), 10);
    q.schedule(mk('b-first', Priority.Wire), 10);
    q.schedule(mk('a2', Priority.Default), 10);
    q.runUntilIdle();
    expect(log).toEqual(['10:b-first', '10:a', '10:a2', '10:b-late-prio', '20:c']);
  });

  test('deschedule, reschedule and is-scheduled', () => {
    const q = new EventQueue();
    const log: string[] = [];
    const e1 = new SimEvent('e1', () => log.push(`e1@${q.now}`));
    const e2 = new SimEvent('e2', () => log.push(`e2@${q.now}`));
    q.schedule(e1, 5);
    q.schedule(e2, 7);
    expect(e1.scheduled).toBe(true);
    q.deschedule(e1);
    expect(e1.scheduled).toBe(false);
    expect(e1.when).toBe(-1);
    q.reschedule(e2, 3);
    q.schedule(e1, 3); // same time as e2; inserted later → runs after
    q.runUntilIdle();
    expect(log).toEqual(['e2@3', 'e1@3']);
  });

  test('refuses the past, non-integers and double scheduling', () => {
    const q = new EventQueue();
    const e = new SimEvent('e', () => undefined);
    q.runUntil(100);
    expect(() => q.schedule(e, 50)).toThrow(/before now/);
    expect(() => q.schedule(e, 100.5)).toThrow(/integer/);
    q.schedule(e, 100);
    expect(() => q.schedule(e, 200)).toThrow(/already scheduled/);
  });

  test('runUntil stops at the limit and advances time; step runs one event', () => {
    const q = new EventQueue();
    let n = 0;
    const tick = new SimEvent('tick', () => {
      n++;
      q.scheduleIn(tick, 10);
    });
    q.schedule(tick, 0);
    q.runUntil(95);
    expect(n).toBe(10);
    expect(q.now).toBe(95);
    expect(q.step()).toBe(true);
    expect(q.now).toBe(100);
    expect(n).toBe(11);
  });

  test('an event scheduled for now by a running event runs in the same instant after equals', () => {
    const q = new EventQueue();
    const log: string[] = [];
    const late = new SimEvent('late', () => log.push('late'));
    const a = new SimEvent('a', () => {
      log.push('a');
      q.schedule(late, q.now);
    });
    const b = new SimEvent('b', () => log.push('b'));
    q.schedule(a, 5);
    q.schedule(b, 5);
    q.runUntilIdle();
    expect(log).toEqual(['a', 'b', 'late']);
  });

  test('heap stays consistent under random schedule/deschedule churn', () => {
    const q = new EventQueue();
    const rng = new Rng(7, 'churn');
    const evs = Array.from({ length: 200 }, (_, i) => new SimEvent(`e${i}`, () => fired.push(q.now)));
    const fired: number[] = [];
    for (let round = 0; round < 2000; round++) {
      const e = evs[rng.below(evs.length)]!;
      if (e.scheduled && rng.chance(0.5)) q.deschedule(e);
      else if (!e.scheduled) q.schedule(e, q.now + rng.below(1000));
    }
    const pending = q.list().map((e) => e.when);
    q.runUntilIdle();
    expect(fired).toEqual(pending);
    for (let i = 1; i < fired.length; i++) expect(fired[i]!).toBeGreaterThanOrEqual(fired[i - 1]!);
  });
});

describe('seeded randomness', () => {
  test('same seed and name → same stream; other seed or name → different', () => {
    const a = new Rng(1, 'x');
    const b = new Rng(1, 'x');
    const c = new Rng(2, 'x');
    const d = new Rng(1, 'y');
    const seq = (r: Rng) => Array.from({ length: 8 }, () => r.u32());
    const sa = seq(a);
    expect(seq(b)).toEqual(sa);
    expect(seq(c)).not.toEqual(sa);
    expect(seq(d)).not.toEqual(sa);
  });
  test('below() is in range and roughly uniform', () => {
    const r = new Rng(42, 'u');
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 40000; i++) counts[r.below(4)]!++;
    for (const c of counts) expect(Math.abs(c - 10000)).toBeLessThan(500);
  });
  test('streams are owned: a name is issued once', () => {
    const f = new RngFactory(3);
    f.stream('hub0');
    expect(() => f.stream('hub0')).toThrow(/already issued/);
  });
  test('state save/restore continues the same sequence', () => {
    const r = new Rng(9, 's');
    r.u32();
    const st = r.state();
    const next = [r.u32(), r.u32()];
    const r2 = new Rng(0, 'other');
    r2.setState(st);
    expect([r2.u32(), r2.u32()]).toEqual(next);
  });
});

describe('time', () => {
  test('clock domains convert cycles without drift', () => {
    const pci = new ClockDomain('pci', 33_333_333);
    expect(pci.cyclesToTime(33_333_333)).toBe(1_000_000_000);
    let sum = 0;
    for (let k = 0; k < 1000; k++) sum += pci.span(k, 1);
    expect(sum).toBe(pci.cyclesToTime(1000));
  });
  test('parseDuration', () => {
    expect(parseDuration('10s')).toBe(10_000_000_000);
    expect(parseDuration('1.5ms')).toBe(1_500_000);
    expect(parseDuration('250us')).toBe(250_000);
    expect(parseDuration('42')).toBe(42);
    expect(parseDuration('ten')).toBeNull();
  });
});

describe('tracer', () => {
  test('hash covers every record; same records → same digest', () => {
    const run = (extra: boolean) => {
      const sim = new Simulation(1);
      sim.tracer.emit('alpha', 'nic', 'rx', 1, { len: 60 });
      if (extra) sim.tracer.emit('alpha', 'nic', 'rx', 2);
      return sim.tracer.digest();
    };
    expect(run(false)).toBe(run(false));
    expect(run(true)).not.toBe(run(false));
  });
  test('provenance finds the packet id of copied bytes', () => {
    const t = new Tracer({ now: 0 });
    const bytes = new Uint8Array([1, 2, 3, 4]);
    t.provenance.tag(bytes, 17);
    expect(t.provenance.lookup(Uint8Array.from(bytes))).toBe(17);
    expect(t.provenance.lookup(new Uint8Array([9]))).toBe(0);
  });
});
