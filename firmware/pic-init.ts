import type { PortIo } from './port-io';
import {
  ELCR1_PORT, ELCR2_PORT, ICW1_INIT_ICW4, ICW3_MASTER_SLAVE_ON_IR2, ICW3_SLAVE_ID, ICW4_8086,
  MASTER_MASK_ALL_BUT_CASCADE, PIC_MASTER_CMD, PIC_MASTER_DATA, PIC_SLAVE_CMD, PIC_SLAVE_DATA, SLAVE_MASK_ALL,
} from '../emulator/machine/bus/pc-platform';

/** The 8259A initialization values (emulator/machine/bus/pc-platform.ts, shared with the board and the kernel). */
export { ICW1_INIT_ICW4, ICW3_MASTER_SLAVE_ON_IR2, ICW3_SLAVE_ID, ICW4_8086, MASTER_MASK_ALL_BUT_CASCADE, SLAVE_MASK_ALL };

/**
 * Default vector base for IRQ0. Vectors 0x00–0x1F belong to CPU exceptions in protected mode, so the
 * real-mode BIOS setting (0x08, overlapping #DF…#PF) cannot stay; 0x20–0x2F is left for the OS's own
 * uses (APIC timer, IPIs, spurious), and 0x30–0x3F is where Linux also puts the sixteen legacy IRQs
 * (ISA_IRQ_VECTOR(0) = 0x30). 0x30 is a multiple of 8, as ICW2 requires (bits 2:0 are ignored in 8086 mode).
 */
export const DEFAULT_PIC_VECTOR_BASE = 0x30;

/**
 * Initialize the 8259A pair (Intel 8259A datasheet, "Initialization Command Words"): ICW1–ICW4 to master
 * then slave, then mask every input but the cascade. Then program the PIIX3's ELCR so the IRQs PCI devices
 * share are level-triggered (`levelIrqs`); every other IRQ stays edge-triggered as ISA requires.
 */
export function initPics(io: PortIo, vectorBase: number, levelIrqs: readonly number[]): void {
  if ((vectorBase & 7) !== 0 || vectorBase < 0x20 || vectorBase > 0xf0) {
    throw new Error(`PIC vector base ${vectorBase} must be a multiple of 8 in 0x20–0xF0`);
  }
  io.out8(PIC_MASTER_CMD, ICW1_INIT_ICW4);
  io.out8(PIC_MASTER_DATA, vectorBase);
  io.out8(PIC_MASTER_DATA, ICW3_MASTER_SLAVE_ON_IR2);
  io.out8(PIC_MASTER_DATA, ICW4_8086);
  io.out8(PIC_SLAVE_CMD, ICW1_INIT_ICW4);
  io.out8(PIC_SLAVE_DATA, vectorBase + 8);
  io.out8(PIC_SLAVE_DATA, ICW3_SLAVE_ID);
  io.out8(PIC_SLAVE_DATA, ICW4_8086);
  io.out8(PIC_MASTER_DATA, MASTER_MASK_ALL_BUT_CASCADE);
  io.out8(PIC_SLAVE_DATA, SLAVE_MASK_ALL);

  let elcr = 0;
  for (const irq of levelIrqs) elcr |= 1 << irq;
  io.out8(ELCR1_PORT, elcr & 0xff);
  io.out8(ELCR2_PORT, (elcr >>> 8) & 0xff);
}
