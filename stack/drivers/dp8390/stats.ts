import type { NicStats } from '../../net/hw-nicinfo';

/** Driver-level statistics (what nicinfo prints): the io-pkt NicStats shape. */
export type Dp8390Stats = NicStats;

/** The if_data counters a NetBSD-lineage driver maintains itself; ibytes/obytes/mcasts are the stack's. */
export interface Dp8390Counters {
  ipackets: number;
  ierrors: number;
  opackets: number;
  oerrors: number;
  collisions: number;
}

export function emptyStats(): Dp8390Stats {
  return {
    txOk: 0, txBytes: 0, rxOk: 0, rxBytes: 0,
    txSingleCollisions: 0, txMultiCollisions: 0, txExcessiveCollisions: 0,
    txDeferred: 0, txLateCollisions: 0, txCarrierLost: 0, txUnderruns: 0,
    rxCrcErrors: 0, rxAlignErrors: 0, rxMissed: 0, rxOverruns: 0, rxRunts: 0,
    txBroadcast: 0, txMulticast: 0, rxBroadcast: 0, rxMulticast: 0,
    txFailedAllocs: 0, rxFailedAllocs: 0,
  };
}
