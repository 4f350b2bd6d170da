import type { Time } from './time';
import { Priority } from './priority';

/**
 * An owned event (gem5 style): a component creates it once (`this.txDone = new SimEvent(...)`) and
 * schedules, deschedules and reschedules it. Being an object with a name, every pending event can be
 * listed, saved and restored.
 */
export class SimEvent {
  /** Absolute time it fires at while scheduled; -1 when not scheduled. */
  when: Time = -1;
  /** Insertion sequence, assigned by the queue at schedule time (FIFO among equal time and priority). */
  seq = 0;
  /** The queue's slot for it while scheduled, -1 otherwise (maintained by the queue: event-radix-heap.ts). */
  slot = -1;

  constructor(
    readonly name: string,
    readonly callback: () => void,
    readonly priority: number = Priority.Default,
  ) {}

  get scheduled(): boolean {
    return this.slot >= 0;
  }
}
