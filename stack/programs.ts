/**
 * The program table of a simulated QNX node: what `spawn` finds by the basename of argv[0] (the boot image's
 * /proc/boot). Shell and system utilities come from stack/shell, networking from stack/net-programs.ts.
 */
import type { ProgramTable } from './kernel/kernel';
import { netPrograms } from './net-programs';
import { shellPrograms } from './shell/utils/index';

export function defaultPrograms(): ProgramTable {
  const table: ProgramTable = new Map();
  for (const [name, main] of Object.entries(shellPrograms)) table.set(name, main);
  for (const [name, main] of Object.entries(netPrograms)) table.set(name, main);
  return table;
}
