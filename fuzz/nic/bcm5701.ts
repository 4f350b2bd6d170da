/**
 * The `nic/bcm5701` fuzz target (docs/fuzzing.md): the Broadcom BCM5701 model (nic-models/bcm5701) under a
 * hostile driver through BAR0, config cycles, host RAM, frames from the cable and time. Bring-up as bge does it
 * (bcm5701-driver.ts), hostile bursts aimed at its rings, mailboxes, blocks, PHY and SRAM window
 * (bcm5701-hostile.ts), its own invariants after every op (bcm5701-check.ts), the host memory the driver gave it
 * for DMA (bcm5701-dma.ts) and QEMU's NIC CVEs as the seed corpus (bcm5701-corpus.ts).
 */
import { bcm5701Kind } from '../../nic-models/bcm5701';
import type { NicFuzzModel } from './harness';
import { nicTarget } from './harness';
import { RIG_MAC } from './harness-rig';
import { bringUpOps } from './bcm5701-driver';
import { bcm5701Hostile } from './bcm5701-hostile';
import { bcm5701Check } from './bcm5701-check';
import { BCM5701_CORPUS } from './bcm5701-corpus';
import { bcm5701Dma } from './bcm5701-dma';

export const bcm5701Model: NicFuzzModel = {
  kind: bcm5701Kind,
  // PHY reset and negotiation scaled as the model's own tests do (the peer negotiates in milliseconds too).
  fields: { phyTimeScale: 0.001 },
  bringUp: (rng) => bringUpOps(rng, RIG_MAC),
  hostile: bcm5701Hostile,
  check: bcm5701Check,
  corpus: BCM5701_CORPUS,
  dma: bcm5701Dma,
};

// Measured (docs/fuzzing.md): 40 000–60 000 ops/s on one core, so the default run (the 10⁷ ops) takes
// about 3 minutes of one core; quick covers the corpus.
export const bcm5701Target = nicTarget(bcm5701Model, { default: 10_000_000, quick: 60_000 });
