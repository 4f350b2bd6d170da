/**
 * The PCI type-0/type-1 configuration header layout (PCI Local Bus Specification 3.0, §6.1 "Configuration
 * Space Organization", figure 6-1, and §6.2), shared by the board's configuration space, firmware start-up
 * and the simulated OS's PCI library.
 */
export const PCI_VENDOR_ID = 0x00;
export const PCI_DEVICE_ID = 0x02;
export const PCI_COMMAND = 0x04;
export const PCI_STATUS = 0x06;
export const PCI_REVISION_ID = 0x08;
/** Class code and revision as one dword (revision in bits 7:0). */
export const PCI_CLASS_REV = 0x08;
export const PCI_CLASS_PROG = 0x09;
export const PCI_CACHE_LINE_SIZE = 0x0c;
export const PCI_LATENCY_TIMER = 0x0d;
export const PCI_HEADER_TYPE = 0x0e;
export const PCI_BAR0 = 0x10;
/** Type-1 (PCI-to-PCI bridge) header: secondary bus number. */
export const PCI_SECONDARY_BUS = 0x19;
export const PCI_SUBSYSTEM_VENDOR_ID = 0x2c;
export const PCI_SUBSYSTEM_ID = 0x2e;
export const PCI_CAPABILITY_LIST = 0x34;
export const PCI_INTERRUPT_LINE = 0x3c;
export const PCI_INTERRUPT_PIN = 0x3d;
/** First byte of the device-dependent region, where capability lists usually start. */
export const PCI_CAP_START = 0x40;

/** Command register bits (§6.2.2). */
export const PCI_COMMAND_IO = 0x0001;
export const PCI_COMMAND_MEMORY = 0x0002;
export const PCI_COMMAND_MASTER = 0x0004;

/** Header type bit 7: the device has more than one function. */
export const PCI_HEADER_MULTI_FUNCTION = 0x80;

/** BAR bit 0 = 1: an I/O BAR; memory BAR bit 3: prefetchable (§6.2.5.1). */
export const PCI_BAR_IO = 0x1;
export const PCI_BAR_MEM_PREFETCH = 0x8;

/** Status register DEVSEL timing, bits 10:9 (§6.2.3): 00 fast, 01 medium, 10 slow. */
export const PCI_STATUS_DEVSEL_SHIFT = 9;
