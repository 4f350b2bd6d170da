export { Dp8390Core, type Dp8390Options, type Dp8390State } from './dp8390-core';
export { Ne2000Isa, type Ne2000IsaOptions } from './ne2000-isa';
export { Rtl8029Pci, type Rtl8029PciOptions } from './rtl8029-pci';
export { Ne2000Window, NE2000_WINDOW_SIZE, NE_DATAPORT, NE_RESET } from './ne2000-window';
export { type Ne2000Variant } from './buffer-memory';
export { CR, ISR, RSR, TSR, RCR, TCR, DCR } from './regs';
export { type RxRejectReason } from './receive';
export { fcs32, multicastHashIndex } from './crc';
