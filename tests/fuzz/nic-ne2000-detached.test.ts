/**
 * The `nic/ne2000-detached` fuzz target (fuzz/nic/ne2000-detached.ts): an NE2000 access the card calls detached must
 * give the same run whether it is made before the card's pending events (as a guest in a thread of its own makes it)
 * or after them (as the single-threaded engine does). A short pass over the model survives; two bugs planted in a
 * wrapped card's `detached` (one that forgets the receive ring's free pages, one that lets a transmit command through)
 * are each caught, and their reproducers replay to a failure.
 */
import type { AccessSize } from '../../emulator/machine/bus/types';
import type { IsaNicDevice, IsaNicKind } from '../../nic-models/kind';
import { ne2000IsaKind } from '../../nic-models/ne2000/description';
import type { Dp8390Core } from '../../nic-models/ne2000/dp8390-core';
import { detachedTarget, ne2000DetachedTarget } from '../../fuzz/nic/ne2000-detached';
import { runTarget } from '../../fuzz/runner';

/** The ISA NE2000 with `extra` OR-ed into its window's answer: a card that calls more accesses detached than it may. */
function planted(extra: (core: Dp8390Core, off: number, size: AccessSize, write: boolean, value: number) => boolean): IsaNicKind {
  const kind = ne2000IsaKind as IsaNicKind;
  return {
    ...kind,
    create: (ctx, cfg) => {
      const d = kind.create(ctx, cfg) as IsaNicDevice;
      const core = (d as unknown as { core: Dp8390Core }).core;
      const w = d.window;
      const real = w.detached!.bind(w);
      w.detached = (off, size, write, value) => real(off, size, write, value) || extra(core, off, size, write, value);
      return d;
    },
  };
}

/** Episodes of `target` until one fails (at most `max`): its failure and input. */
function firstFailure(target: ReturnType<typeof detachedTarget>, max: number): { failure: string; input: unknown } | null {
  for (let e = 0; e < max; e++) {
    const r = target.episode(3, e, 600);
    if (r.failure) return { failure: r.failure, input: r.input };
  }
  return null;
}

test('a short pass over the model: 30000 ops, no failures', () => {
  const r = runTarget({ target: ne2000DetachedTarget, seed: 2, inputs: 30_000 });
  expect(r.reproducers.map((x) => x.failure)).toEqual([]);
  expect(r).toMatchObject({ inputs: 30_000, failed: 0 });
});

test('episodes are a function of (seed, episode)', () => {
  expect(ne2000DetachedTarget.episode(4, 9, 600)).toEqual(ne2000DetachedTarget.episode(4, 9, 600));
});

test('a card that forgets the receive ring (any quiet data-port transfer detached) is caught: a frame stored meanwhile', () => {
  const target = detachedTarget(planted((core, off, size) => off === 0x10 && core.remote.mode !== 'idle' && core.remote.count > size && !core.regs.stopped));
  const f = firstFailure(target, 200);
  expect(f).not.toBeNull();
  expect(f!.failure).toMatch(/^(rd|wr) io bar0 \+0x10\/[124].* ns ahead, detached: /);
  expect(target.replay(f!.input)).toBe(f!.failure);
  // The same input on the real card: that access is not detached there, so nothing to compare, no failure.
  expect(ne2000DetachedTarget.replay(f!.input)).toBeNull();
});

test('a card that lets a transmit command through detached is caught: the transmission starts at another time', () => {
  const target = detachedTarget(planted((core, off, _size, write, value) => off === 0x00 && write && (value & 0x04) !== 0 && (value & 0x01) === 0 && !core.regs.stopped));
  const f = firstFailure(target, 200);
  expect(f).not.toBeNull();
  expect(f!.failure).toMatch(/^wr io bar0 \+0x0\/1 = 0x[0-9a-f]+ \d+ ns ahead, detached: /);
  expect(target.replay(f!.input)).toBe(f!.failure);
});
