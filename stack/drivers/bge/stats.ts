/**
 * Statistics. The chip keeps 64-bit counters in NIC SRAM (struct bge_stats at BGE_STATS_BLOCK, each a
 * {high, low} pair); bge_stats_update reads them through the BAR0 memory window once a second (bge_tick) for
 * the interface's collision count, and devnp-bge reads the set nicinfo shows when it asks (DRVCOM_STATS).
 * A core reset zeroes the chip's counters, so the driver folds them into a base before every reset
 * (bge_stop) and reports base + chip, as tg3 keeps its totals across a halt.
 */
import type { Co, ThreadCtx } from '../../kernel/api';
import type { NicStats } from '../../net/hw-nicinfo';
import type { BgeSoftc } from './softc';

/** NIC SRAM offsets of the counters devnp-bge reads (struct bge_stats / tg3_hw_stats). */
export const BGE_STAT = {
  ifHCInOctets: 0x400,
  etherStatsFragments: 0x410,
  ifHCInUcastPkts: 0x418,
  ifHCInMulticastPkts: 0x420,
  ifHCInBroadcastPkts: 0x428,
  dot3StatsFCSErrors: 0x430,
  dot3StatsAlignmentErrors: 0x438,
  xonPauseFramesReceived: 0x440,
  xoffPauseFramesReceived: 0x448,
  macControlFramesReceived: 0x450,
  xoffStateEntered: 0x458,
  dot3StatsFramesTooLong: 0x460,
  etherStatsJabbers: 0x468,
  etherStatsUndersizePkts: 0x470,
  ifHCOutOctets: 0x600,
  etherStatsCollisions: 0x610,
  outXonSent: 0x618,
  outXoffSent: 0x620,
  dot3StatsInternalMacTransmitErrors: 0x630,
  dot3StatsSingleCollisionFrames: 0x638,
  dot3StatsMultipleCollisionFrames: 0x640,
  dot3StatsDeferredTransmissions: 0x648,
  dot3StatsExcessiveCollisions: 0x658,
  dot3StatsLateCollisions: 0x660,
  ifHCOutUcastPkts: 0x6d8,
  ifHCOutMulticastPkts: 0x6e0,
  ifHCOutBroadcastPkts: 0x6e8,
  dot3StatsCarrierSenseErrors: 0x6f0,
  ifOutDiscards: 0x6f8,
  ifOutErrors: 0x700,
  nicNoMoreRxBDs: 0x898,
  ifInDiscards: 0x8a0,
  ifInErrors: 0x8a8,
} as const;
export type BgeStatName = keyof typeof BGE_STAT;

/** One 64-bit counter through the memory window. */
function* readStat(ctx: ThreadCtx, sc: BgeSoftc, off: number): Co<number> {
  const hi = yield* sc.csr.memwinRead(ctx, off);
  const lo = yield* sc.csr.memwinRead(ctx, off + 4);
  return hi * 2 ** 32 + lo;
}

/** Every counter in BGE_STAT into sc.statsChip. */
export function* bgeReadAllStats(ctx: ThreadCtx, sc: BgeSoftc): Co<void> {
  for (const [name, off] of Object.entries(BGE_STAT)) sc.statsChip.set(name, yield* readStat(ctx, sc, off));
}

/** Before a core reset: what the chip counted so far goes into the base. */
export function* bgeFoldStats(ctx: ThreadCtx, sc: BgeSoftc): Co<void> {
  yield* bgeReadAllStats(ctx, sc);
  for (const [name, v] of sc.statsChip) sc.statsBase.set(name, (sc.statsBase.get(name) ?? 0) + v);
  sc.statsChip.clear();
}

function stat(sc: BgeSoftc, name: BgeStatName): number {
  return (sc.statsBase.get(name) ?? 0) + (sc.statsChip.get(name) ?? 0);
}

/** bge_stats_update (5700 family): the collision counters (low words) give if_collisions. */
export function* bgeStatsUpdate(ctx: ThreadCtx, sc: BgeSoftc): Co<void> {
  const ifp = sc.ifp;
  if (!ifp) return;
  let coll = 0;
  for (const name of ['dot3StatsSingleCollisionFrames', 'dot3StatsMultipleCollisionFrames', 'dot3StatsExcessiveCollisions', 'dot3StatsLateCollisions'] as const) {
    const v = yield* sc.csr.memwinRead(ctx, BGE_STAT[name] + 4);
    sc.statsChip.set(name, v);
    coll += stat(sc, name);
  }
  ifp.data.collisions = coll;
}

/** nic_stats_t from the chip's counters (octets include the FCS, which nicinfo does not count). */
export function bgeNicStats(sc: BgeSoftc): NicStats {
  const txOk = stat(sc, 'ifHCOutUcastPkts') + stat(sc, 'ifHCOutMulticastPkts') + stat(sc, 'ifHCOutBroadcastPkts');
  const rxOk = stat(sc, 'ifHCInUcastPkts') + stat(sc, 'ifHCInMulticastPkts') + stat(sc, 'ifHCInBroadcastPkts');
  return {
    txOk,
    txBytes: Math.max(0, stat(sc, 'ifHCOutOctets') - 4 * txOk),
    rxOk,
    rxBytes: Math.max(0, stat(sc, 'ifHCInOctets') - 4 * rxOk),
    txSingleCollisions: stat(sc, 'dot3StatsSingleCollisionFrames'),
    txMultiCollisions: stat(sc, 'dot3StatsMultipleCollisionFrames'),
    txExcessiveCollisions: stat(sc, 'dot3StatsExcessiveCollisions'),
    txDeferred: stat(sc, 'dot3StatsDeferredTransmissions'),
    txLateCollisions: stat(sc, 'dot3StatsLateCollisions'),
    txCarrierLost: stat(sc, 'dot3StatsCarrierSenseErrors'),
    txUnderruns: 0,
    rxCrcErrors: stat(sc, 'dot3StatsFCSErrors'),
    rxAlignErrors: stat(sc, 'dot3StatsAlignmentErrors'),
    rxMissed: stat(sc, 'ifInDiscards') + stat(sc, 'nicNoMoreRxBDs'),
    rxOverruns: 0,
    rxRunts: stat(sc, 'etherStatsUndersizePkts'),
    txBroadcast: stat(sc, 'ifHCOutBroadcastPkts'),
    txMulticast: stat(sc, 'ifHCOutMulticastPkts'),
    rxBroadcast: stat(sc, 'ifHCInBroadcastPkts'),
    rxMulticast: stat(sc, 'ifHCInMulticastPkts'),
    txFailedAllocs: sc.counters.txFailedAllocs,
    rxFailedAllocs: sc.counters.rxFailedAllocs,
  };
}
