/** The nic fuzz targets (docs/fuzzing.md). */
import type { FuzzTarget } from '../target';
import { ne2000IsaTarget, rtl8029Target } from './ne2000';
import { ne2000DetachedTarget } from './ne2000-detached';
import { bcm5701Target } from './bcm5701';
import { rt2560Target } from './rt2560';

export const NIC_TARGETS: readonly FuzzTarget[] = [ne2000IsaTarget, rtl8029Target, ne2000DetachedTarget, bcm5701Target, rt2560Target];
