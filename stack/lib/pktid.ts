/**
 * Packet ids for data created in software. The tracer's allocator (ThreadCtx.newPacketId) keeps ids unique
 * across the simulation; without it, ids come from a range derived from the node name and pid (unique
 * enough for traces; never used for behaviour).
 */
import { fnv1a } from '../../emulator/machine/sim/rng';
import type { ThreadCtx } from '../kernel/api';
import { LocalKey } from '../kernel/local';

/** The last id this process handed out from its own range. */
const LAST_ID = new LocalKey<number>('pktid.next');

export function newPacketId(ctx: ThreadCtx): number {
  if (typeof ctx.newPacketId === 'function') return ctx.newPacketId();
  const n = (ctx.local.get(LAST_ID) ?? 0) + 1;
  ctx.local.set(LAST_ID, n);
  // 2^53 ≈ 9.007e15: node bucket (0..8999) × 1e12 + pid × 1e6 + counter.
  return 1e12 + (fnv1a(ctx.node) % 8000) * 1e12 + (ctx.pid % 1e6) * 1e6 + (n % 1e6);
}
