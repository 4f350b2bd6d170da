/**
 * What happens to a frame between a medium and a station's port, in order: fault injection (fault.ts: link
 * down, loss, corruption) first, then link impairments (impair/: delay, jitter, rate, loss, duplication,
 * reordering, corruption). Each is a stage; the chain is the medium's one `deliveryFilter`, installed when the
 * first stage is added, so a medium without stages delivers as it always did (no call, no record, no draw).
 *
 * A stage returns the frame to deliver now, or null: lost, or held to be delivered later through the medium's
 * `deliverHeld`, which does what the medium's own delivery does at that point (link check, wire records, the
 * station's listener) without running the chain again.
 */
import type { Frame } from './link';

export type DeliveryFilter = (frame: Frame, toPort: string) => Frame | null;

/** Where a stage sits: faults act on the frame as the wire hands it over, impairments after them. */
export const DeliveryRank = { Faults: 0, Impairments: 1 } as const;

export interface DeliveryStage {
  readonly rank: number;
  readonly filter: DeliveryFilter;
}

/** A medium with a delivery filter and a late delivery path (Hub, Cable, Switch). */
export interface StagedMedium {
  readonly name: string;
  deliveryFilter: DeliveryFilter | null;
  /**
   * Hand `frame` to the station on port `toPort` now, as a delivery from the wire does at this point: if that
   * port's link is down the frame is lost (wire `drop` link-down), else a wire `deliver` record and the listener.
   * The delivery stages are not run again.
   */
  deliverHeld(toPort: string, frame: Frame): void;
}

const chains = new WeakMap<StagedMedium, DeliveryStage[]>();

/** Add a stage to the medium's chain (installing the chain on the first); stages run in rank order. */
export function addDeliveryStage(m: StagedMedium, stage: DeliveryStage): void {
  let stages = chains.get(m);
  if (!stages) {
    if (m.deliveryFilter) throw new Error(`${m.name}: the medium already has a delivery filter of its own`);
    const list: DeliveryStage[] = [];
    stages = list;
    chains.set(m, list);
    m.deliveryFilter = (frame, toPort) => {
      let f: Frame | null = frame;
      for (let i = 0; i < list.length && f; i++) f = list[i]!.filter(f, toPort);
      return f;
    };
  }
  if (stages.some((s) => s.rank === stage.rank)) throw new Error(`${m.name}: a delivery stage of rank ${stage.rank} is already installed`);
  let at = stages.length;
  while (at > 0 && stages[at - 1]!.rank > stage.rank) at--;
  stages.splice(at, 0, stage);
}
