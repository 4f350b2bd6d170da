/**
 * The `nic/rt2560` fuzz target (docs/fuzzing.md): the Ralink RT2560 model (nic-models/rt2560) under a hostile
 * driver through BAR0, config cycles and host RAM, and a hostile station 2 m away on the air. Bring-up as
 * rt2500pci or NetBSD rt2560 does it (rt2560-driver.ts), hostile bursts aimed at its rings, descriptors, cipher
 * engine, serial interfaces, beacon generator and receive filter (rt2560-hostile.ts), its own invariants after
 * every op (rt2560-check.ts), the host memory the driver gave it for DMA (rt2560-dma.ts) and QEMU's NIC CVEs as the
 * seed corpus (rt2560-corpus.ts).
 */
import { rt2560Kind } from '../../nic-models/rt2560';
import type { NicFuzzModel } from './harness';
import { nicTarget } from './harness';
import { RIG_MAC } from './harness-rig';
import { bringUpOps, remember } from './rt2560-driver';
import { rt2560Hostile } from './rt2560-hostile';
import { rt2560Check } from './rt2560-check';
import { RT2560_CORPUS } from './rt2560-corpus';
import { rt2560Dma } from './rt2560-dma';

export const rt2560Model: NicFuzzModel = {
  kind: rt2560Kind,
  bringUp: (rng, rig) => {
    const b = bringUpOps(rng, RIG_MAC);
    remember(rig, b.rings);
    return b.ops;
  },
  hostile: rt2560Hostile,
  check: rt2560Check,
  corpus: RT2560_CORPUS,
  dma: rt2560Dma,
};

// Measured (docs/fuzzing.md): 50 000–100 000 ops/s on one core, so the default run (the 10⁷ ops) takes
// 2–3 minutes of one core; quick covers the corpus.
export const rt2560Target = nicTarget(rt2560Model, { default: 10_000_000, quick: 60_000 });
