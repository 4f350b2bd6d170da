/**
 * The register sequences of the two drivers' open paths, as tables the fixture replays: rt2500pci
 * (`rt2500pci_init_registers`, `rt2500pci_init_bbp`, `rt2500pci_toggle_irq`, then mac80211's config calls) and
 * NetBSD rt2560 (`rt2560_init` with the reference driver's RT2560_DEF_MAC and RT2560_DEF_BBP tables, the interrupt
 * mask RT2560_INTR_MASK). Values as the drivers write them; register offsets by rt2500pci.h name.
 */
import { CSR } from '../../../nic-models/rt2560/regs';

/** rt2500pci_init_registers up to set_state (values the read-modify-writes produce on reset values). */
export const LINUX_REGS_BEFORE_AWAKE: readonly (readonly [number, number])[] = [
  [CSR.PSCSR0, 0x00020002], [CSR.PSCSR1, 0x00000002], [CSR.PSCSR2, 0x00020002], [CSR.PSCSR3, 0x00000002],
  [CSR.TIMECSR, 33 | (63 << 8)],
  [CSR.CSR9, (2432 / 128) << 7],
  [CSR.CSR11, 0x07041483 & ~0x2000],
  [CSR.CSR14, 0],
  [CSR.CNT3, 0],
  [CSR.TXCSR8, (10 | 0x80) | ((11 | 0x80) << 8) | ((13 | 0x80) << 16) | (((12 | 0x80) << 24) >>> 0)],
  [CSR.ARTCSR0, 112 | (56 << 8) | (20 << 16) | (10 << 24)],
  [CSR.ARTCSR1, 45 | (37 << 8) | (33 << 16) | (29 << 24)],
  [CSR.ARTCSR2, 29 | (25 << 8) | (25 << 16) | (25 << 24)],
  [CSR.RXCSR3, ((47 | 0x80) | ((51 | 0x80) << 8) | ((42 | 0x80) << 16) | ((51 | 0x80) << 24)) >>> 0],
  [CSR.PCICSR, 0x3b8],
  [CSR.PWRCSR0, 0x3f3b3100],
  [CSR.GPIOCSR, 0x0000ff00],
  [CSR.TESTCSR, 0x000000f0],
];

/** rt2500pci_init_registers after set_state(AWAKE), up to the soft reset. */
export const LINUX_REGS_AFTER_AWAKE: readonly (readonly [number, number])[] = [
  [CSR.MACCSR0, 0x00213223], [CSR.MACCSR1, 0x00235518], [CSR.MACCSR2, 64],
  [CSR.RALINKCSR, (17 | (26 << 8) | 0x8000 | (26 << 24) | 0x80000000) >>> 0],
  [CSR.BBPCSR1, 0x82188200],
  [CSR.TXACKCSR0, 0x00000020],
];

/** rt2500pci_init_bbp. */
export const LINUX_BBP: readonly (readonly [number, number])[] = [
  [3, 0x02], [4, 0x19], [14, 0x1c], [15, 0x30], [16, 0xac], [18, 0x18], [19, 0xff], [20, 0x1e], [21, 0x08], [22, 0x08],
  [23, 0x08], [24, 0x70], [25, 0x40], [26, 0x08], [27, 0x23], [30, 0x10], [31, 0x2b], [32, 0xb9], [34, 0x12], [35, 0x50],
  [39, 0xc4], [40, 0x02], [41, 0x60], [53, 0x10], [54, 0x18], [56, 0x08], [57, 0x10], [58, 0x08], [61, 0x6d], [62, 0x10],
];

/** NetBSD RT2560_DEF_MAC (rt2560reg.h), by rt2500pci.h offset names. */
export const BSD_DEF_MAC: readonly (readonly [number, number])[] = [
  [CSR.PSCSR0, 0x00020002], [CSR.PSCSR1, 0x00000002], [CSR.PSCSR2, 0x00020002], [CSR.PSCSR3, 0x00000002],
  [CSR.TIMECSR, 0x00003f21], [CSR.CSR9, 0x00000780], [CSR.CSR11, 0x07041483], [CSR.CNT3, 0x00000000],
  [CSR.TXCSR1, 0x07614562], [CSR.TXCSR8, 0x8c8d8b8a], [CSR.ARTCSR0, 0x7038140a], [CSR.ARTCSR1, 0x21212929],
  [CSR.ARTCSR2, 0x1d1d1d1d], [CSR.RXCSR0, 0xffffffff], [CSR.RXCSR3, 0xb3aab3af], [CSR.PCICSR, 0x000003b8],
  [CSR.PWRCSR0, 0x3f3b3100], [CSR.GPIOCSR, 0x0000ff00], [CSR.TESTCSR, 0x000000f0], [CSR.PWRCSR1, 0x000001ff],
  [CSR.MACCSR0, 0x00213223], [CSR.MACCSR1, 0x00235518], [CSR.MACCSR2, 0x00000040], [CSR.RALINKCSR, 0x9a009a11],
  [CSR.CSR7, 0xffffffff], [CSR.BBPCSR1, 0x82188200], [CSR.TXACKCSR0, 0x00000020], [CSR.SECCSR3, 0x0000e78f],
];

/** NetBSD RT2560_DEF_BBP. */
export const BSD_DEF_BBP: readonly (readonly [number, number])[] = [
  [3, 0x02], [4, 0x19], [14, 0x1c], [15, 0x30], [16, 0xac], [17, 0x48], [18, 0x18], [19, 0xff], [20, 0x1e], [21, 0x08],
  [22, 0x08], [23, 0x08], [24, 0x80], [25, 0x50], [26, 0x08], [27, 0x23], [30, 0x10], [31, 0x2b], [32, 0xb9], [34, 0x12],
  [35, 0x50], [39, 0xc4], [40, 0x02], [41, 0x60], [53, 0x10], [54, 0x18], [56, 0x08], [57, 0x10], [58, 0x08], [61, 0x60],
  [62, 0x10], [75, 0xff],
];

/** rt2500pci_toggle_irq(ON) unmasks these CSR8 bits; NetBSD RT2560_INTR_MASK unmasks these. */
export const LINUX_IRQS = 0x01 | 0x08 | 0x10 | 0x20 | 0x40;
export const BSD_IRQS = 0x01 | 0x02 | 0x08 | 0x20 | 0x40 | 0x80 | 0x100;
