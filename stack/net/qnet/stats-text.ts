/**
 * The text of /proc/qnetstats: one line per counter, "<layer> <name> : <value>", as the resource-manager
 * guide's Qnet example shows it (`kif nd_up : 132`, `qos tx_failed : 0`; docs/design/qnet-behaviour.md §1.8).
 * Layers in QNX's order of the stack (kif, qos, then ours: l4, lr); counters in the order QnetStats declares
 * them. The transport's per-peer, per-link lines (QnetTransportApi.describe) follow.
 */
import type { QnetStats } from './types';

export function qnetStatsText(stats: QnetStats, extra: readonly string[] = []): string {
  const lines: string[] = [];
  const layers = [['kif', stats.kif], ['qos', stats.qos], ['l4', stats.l4], ['lr', stats.lr]] as const;
  for (const [layer, counters] of layers) {
    for (const [name, value] of Object.entries(counters)) lines.push(`${layer} ${name} : ${value}`);
  }
  lines.push(...extra);
  return lines.map((l) => `${l}\n`).join('');
}
