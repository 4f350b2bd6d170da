/**
 * The fixed resources of a PC/AT-compatible platform with a PCI host bridge, in one place for the three
 * layers that use them: the board that decodes them (emulator/machine/board), firmware start-up that
 * programs them (firmware/) and the simulated kernel's interrupt callouts (stack/kernel). A value that a
 * datasheet fixes is defined here once; each user imports it instead of keeping its own copy.
 */

// ---- 8259A pair (Intel 8259A datasheet, order no. 231468; PC/AT port assignment) -------------------------

/** Master 8259A: A0 = 0 at 0x20 (ICW1, OCW2, OCW3; IRR/ISR reads), A0 = 1 at 0x21 (ICW2–4, OCW1 = IMR). */
export const PIC_MASTER_CMD = 0x20;
export const PIC_MASTER_DATA = 0x21;
/** Slave 8259A, cascaded on the master's IR2. */
export const PIC_SLAVE_CMD = 0xa0;
export const PIC_SLAVE_DATA = 0xa1;
/** Each chip decodes two ports (A0). */
export const PIC_PORTS = 2;
/** The master input the slave's INT drives (PC/AT wiring). */
export const PIC_CASCADE_IRQ = 2;
/** Interrupt inputs of the pair: IRQ0–7 on the master, IRQ8–15 on the slave. */
export const PIC_IRQS = 16;

/** ICW1 bits (datasheet, "Initialization Command Word 1"). */
export const ICW1 = { IC4: 0x01, SNGL: 0x02, ADI: 0x04, LTIM: 0x08, INIT: 0x10 } as const;
/** ICW4 bits (datasheet, "Initialization Command Word 4"). */
export const ICW4 = { UPM: 0x01, AEOI: 0x02, MS: 0x04, BUF: 0x08, SFNM: 0x10 } as const;
/** OCW3 bits (datasheet, "Operation Command Word 3"); bit 3 set and bit 4 clear mark a write as OCW3. */
export const OCW3 = { RIS: 0x01, RR: 0x02, P: 0x04, SMM: 0x20, ESMM: 0x40 } as const;
const OCW3_SELECT = 0x08;

/** ICW1: initialization, ICW4 needed; cascade mode, edge mode (the ELCR decides per IRQ on a PIIX). */
export const ICW1_INIT_ICW4 = ICW1.INIT | ICW1.IC4;
/** ICW3 of the master: a slave hangs on IR2. */
export const ICW3_MASTER_SLAVE_ON_IR2 = 1 << PIC_CASCADE_IRQ;
/** ICW3 of the slave: its cascade identity is 2. */
export const ICW3_SLAVE_ID = PIC_CASCADE_IRQ;
/** ICW4: 8086/88 mode, normal (not automatic) EOI, not buffered, not special fully nested. */
export const ICW4_8086 = ICW4.UPM;
/** OCW2 with R = 0, SL = 0, EOI = 1: non-specific end of interrupt. */
export const OCW2_NONSPECIFIC_EOI = 0x20;
/** OCW3 "read register" commands: the next read of the A0 = 0 port returns the ISR or the IRR. */
export const OCW3_READ_IRR = OCW3_SELECT | OCW3.RR;
export const OCW3_READ_ISR = OCW3_SELECT | OCW3.RR | OCW3.RIS;
/** OCW1 after start-up: everything masked except the cascade input on the master. */
export const MASTER_MASK_ALL_BUT_CASCADE = 0xff & ~(1 << PIC_CASCADE_IRQ);
export const SLAVE_MASK_ALL = 0xff;

// ---- PIIX3 south bridge (Intel 82371SB datasheet) ---------------------------------------------------------

/** ELCR1 (IRQ0–7) and ELCR2 (IRQ8–15): edge/level select, 1 = level. */
export const ELCR1_PORT = 0x4d0;
export const ELCR2_PORT = 0x4d1;
/** PIRQ route control registers PIRQRC[A:D], PCI-to-ISA bridge configuration space 0x60–0x63. */
export const PIIX_PIRQRC = 0x60;
/** PIRQRC bit 7: IRQROUTEN disabled (the PIRQ is not routed to any ISA IRQ). */
export const PIRQRC_DISABLE = 0x80;
/** PIRQRC bits 3:0: the ISA IRQ the PIRQ is steered to. */
export const PIRQRC_IRQ_MASK = 0x0f;
/** PIIX3 function 0 (PCI-to-ISA bridge) IDs. */
export const PIIX3_VENDOR_ID = 0x8086;
export const PIIX3_DEVICE_ID = 0x7000;
/** I/O APIC input of PIRQA (A–D on pins 16–19), as boards that pair a PIIX3 with an 82093AA wire them. */
export const IOAPIC_PIRQ_PIN_BASE = 16;

/** PCI INTx pin (1 = INTA#) of device `device` → PIRQ index (0 = PIRQA), the usual swizzle on bus 0. */
export function pirqOf(device: number, pin: number): number {
  return (device + pin - 1) % 4;
}

// ---- PCI configuration mechanism #1 (PCI Local Bus Specification 3.0, §3.2.2.3.2) ------------------------

/** CONFIG_ADDRESS (32-bit accesses only) and CONFIG_DATA (0xCFC–0xCFF). */
export const PCI_CONFIG_ADDRESS_PORT = 0xcf8;
export const PCI_CONFIG_DATA_PORT = 0xcfc;
/** CONFIG_ADDRESS bit 31: the next data-port access is a configuration cycle. */
export const PCI_CONFIG_ENABLE = 0x8000_0000;

/** CONFIG_ADDRESS for (bus, device, function, register): enable | bus 23:16 | device 15:11 | function 10:8 | register 7:2. */
export function pciConfigAddress(bus: number, device: number, func: number, reg: number): number {
  return (PCI_CONFIG_ENABLE | ((bus & 0xff) << 16) | ((device & 0x1f) << 11) | ((func & 0x7) << 8) | (reg & 0xfc)) >>> 0;
}

// ---- I/O APIC (Intel 82093AA datasheet, order no. 290566) -------------------------------------------------

/** Default physical base (the PIIX3's APICBASE at reset). */
export const IOAPIC_BASE = 0xfec0_0000;
/** The window an I/O APIC claims: one 4 KiB page (what MP tables and ACPI describe). */
export const IOAPIC_WINDOW = 0x1000;
/** Direct registers: IOREGSEL selects an indirect register, IOWIN reads/writes it (32-bit accesses). */
export const IOAPIC_IOREGSEL = 0x00;
export const IOAPIC_IOWIN = 0x10;
/** Indirect registers: ID, version (bits 23:16 = highest redirection entry), arbitration ID. */
export const IOAPIC_REG_ID = 0x00;
export const IOAPIC_REG_VER = 0x01;
export const IOAPIC_REG_ARB = 0x02;
/** Redirection entry n: low dword at 0x10 + 2n, high dword (destination) at 0x11 + 2n. */
export function ioapicRedirLo(pin: number): number {
  return 0x10 + 2 * pin;
}
export function ioapicRedirHi(pin: number): number {
  return 0x11 + 2 * pin;
}
/** Redirection entry, low dword ("I/O Redirection Table Registers"). */
export const REDIR = {
  VECTOR: 0x0000_00ff,
  DELMOD: 0x0000_0700,
  DESTMOD: 0x0000_0800,
  DELIVS: 0x0000_1000,
  INTPOL: 0x0000_2000,
  REMOTE_IRR: 0x0000_4000,
  TRIGGER_LEVEL: 0x0000_8000,
  MASK: 0x0001_0000,
} as const;
