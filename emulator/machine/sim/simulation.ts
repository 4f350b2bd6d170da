import { EventQueue } from './event-queue';
import { RngFactory } from './rng';
import { Tracer } from './trace';
import type { SimContext } from './context';

/** The root of one run: one clock/queue, one tracer, one seed. */
export class Simulation implements SimContext {
  readonly queue = new EventQueue();
  readonly tracer = new Tracer(this.queue);
  readonly rngs: RngFactory;
  constructor(readonly seed: number) {
    this.rngs = new RngFactory(seed >>> 0);
  }
}
