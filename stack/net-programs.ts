/**
 * The networking programs of a simulated QNX node (io-pkt-v4, ifconfig, ping, nicinfo, …) by program name.
 * Filled in by the io-pkt/utilities side; stack/programs.ts merges it with the shell's programs.
 */
import type { ProgramMain } from './kernel/api';

export const netPrograms: Record<string, ProgramMain> = {};
