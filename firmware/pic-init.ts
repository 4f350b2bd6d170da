import type { PortIo } from './port-io';

const MASTER_CMD = 0x20;
const MASTER_DATA = 0x21;
const SLAVE_CMD = 0xa0;
const SLAVE_DATA = 0xa1;
const ELCR1 = 0x4d0;
const ELCR2 = 0x4d1;

/** ICW1: bit 4 = initialization, bit 0 = ICW4 needed; cascade mode, edge mode (ELCR decides per IRQ). */
export const ICW1_INIT_ICW4 = 0x11;
/** ICW3 master: a slave hangs on IR2. ICW3 slave: its cascade identity is 2. */
export const ICW3_MASTER_SLAVE_ON_IR2 = 0x04;
export const ICW3_SLAVE_ID = 0x02;
/** ICW4: 8086/88 mode, normal (not automatic) EOI, not buffered, not special fully nested. */
export const ICW4_8086 = 0x01;
/** OCW1 after init: everything masked except IR2 on the master, so the slave can reach the CPU once unmasked. */
export const MASTER_MASK_ALL_BUT_CASCADE = 0xfb;
export const SLAVE_MASK_ALL = 0xff;

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
  io.out8(MASTER_CMD, ICW1_INIT_ICW4);
  io.out8(MASTER_DATA, vectorBase);
  io.out8(MASTER_DATA, ICW3_MASTER_SLAVE_ON_IR2);
  io.out8(MASTER_DATA, ICW4_8086);
  io.out8(SLAVE_CMD, ICW1_INIT_ICW4);
  io.out8(SLAVE_DATA, vectorBase + 8);
  io.out8(SLAVE_DATA, ICW3_SLAVE_ID);
  io.out8(SLAVE_DATA, ICW4_8086);
  io.out8(MASTER_DATA, MASTER_MASK_ALL_BUT_CASCADE);
  io.out8(SLAVE_DATA, SLAVE_MASK_ALL);

  let elcr = 0;
  for (const irq of levelIrqs) elcr |= 1 << irq;
  io.out8(ELCR1, elcr & 0xff);
  io.out8(ELCR2, (elcr >>> 8) & 0xff);
}
