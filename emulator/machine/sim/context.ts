import type { EventQueue } from './event-queue';
import type { Rng, RngFactory } from './rng';
import type { Tracer } from './trace';

/**
 * What the simulation hands every component: the clock/queue, the tracer and a way to get its own random
 * stream. Components keep `name` (e.g. "alpha.en0") for events and traces and `node` for trace records.
 */
export interface SimContext {
  readonly queue: EventQueue;
  readonly tracer: Tracer;
  readonly rngs: RngFactory;
}

/** A component's view: the shared context plus its own identity. */
export interface ComponentContext extends SimContext {
  /** Node the component belongs to ("" for links). */
  readonly node: string;
  /** Full component name, unique in the simulation ("alpha.en0", "hub0"). */
  readonly name: string;
}

export function componentContext(sim: SimContext, node: string, name: string): ComponentContext {
  return { queue: sim.queue, tracer: sim.tracer, rngs: sim.rngs, node, name };
}

export type { Rng };
