/**
 * The common bench of the NE2000 device tests: an ISA NE2000 ("alpha", word mode) and an RTL8029 ("beta",
 * 32-bit I/O) on one cable, both opened the Linux way (tests/ne2000/linux-driver.ts), with the trace collected.
 */
import { Cable } from '../../emulator/machine/net/cable';
import { componentContext } from '../../emulator/machine/sim';
import { MAC_A, MAC_B, Simulation, collect, isaCard, pciCard } from './helpers';
import { LinuxDriver } from './linux-driver';

export interface CablePairOptions {
  /** Cable propagation delay (default: the cable's own). */
  propagationNs?: number;
  /** RCR beta's driver opens with (default: the driver's). */
  betaRcr?: number;
}

export function cablePair(seed: number, opts: CablePairOptions = {}) {
  const sim = new Simulation(seed);
  const cable = new Cable(componentContext(sim, '', 'cab0'), opts.propagationNs !== undefined ? { propagationNs: opts.propagationNs } : {});
  const a = isaCard(sim, 'en0', MAC_A);
  const b = pciCard(sim, 'en0', MAC_B);
  a.nic.connect(cable);
  b.nic.connect(cable);
  const da = new LinuxDriver(a.bus, 'word');
  const db = new LinuxDriver(b.bus, 'dword');
  da.open(MAC_A);
  db.open(MAC_B, opts.betaRcr ?? 0x04);
  return { sim, cable, a, b, da, db, trace: collect(sim) };
}
