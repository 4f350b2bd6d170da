/**
 * What an ISA card's jumpers may not select on a PC/AT board, checked when a scenario is loaded (nic-spec.ts):
 *  - IRQs the ISA connector does not carry: 0 (8254 timer), 1 (keyboard controller), 8 (RTC) and 13 (math
 *    coprocessor) are wired on the system board, and 2 is the 8259A cascade input — an AT slot's "IRQ2" pin
 *    (B4) is routed to IRQ 9. The PIIX3 datasheet lists the same five as reserved PIRQ route encodings
 *    (firmware/startup.ts ROUTABLE_IRQS), and the simulated kernel refuses InterruptAttach(2) on an 8259.
 *  - I/O ports the system board decodes: the IBM PC/AT Technical Reference gives 0x000–0x0FF to the system
 *    board (I/O channel cards use 0x100–0x3FF); the PIIX3 adds the ELCR pair and the chipset the PCI
 *    configuration ports (addresses from emulator/machine/bus/pc-platform.ts where the board models them).
 */
import {
  ELCR1_PORT, PCI_CONFIG_ADDRESS_PORT, PIC_MASTER_CMD, PIC_PORTS, PIC_SLAVE_CMD, PIC_CASCADE_IRQ,
} from '../../machine/bus/pc-platform';

/** A port range the board owns, inclusive. */
export interface ReservedPorts {
  from: number;
  to: number;
  owner: string;
}

/** The PC/AT system board's and the chipset's fixed I/O ports, lowest first. */
export const BOARD_PORTS: readonly ReservedPorts[] = [
  { from: 0x000, to: 0x01f, owner: 'the 8237 DMA controller 1' },
  { from: PIC_MASTER_CMD, to: PIC_MASTER_CMD + PIC_PORTS - 1, owner: 'the master 8259A' },
  { from: 0x040, to: 0x043, owner: 'the 8254 timer' },
  { from: 0x060, to: 0x064, owner: 'the 8042 keyboard controller and port B' },
  { from: 0x070, to: 0x071, owner: 'the RTC and NMI mask' },
  { from: 0x080, to: 0x08f, owner: 'the DMA page registers' },
  { from: 0x092, to: 0x092, owner: 'port 92 (fast A20 and reset)' },
  { from: PIC_SLAVE_CMD, to: PIC_SLAVE_CMD + PIC_PORTS - 1, owner: 'the slave 8259A' },
  { from: 0x0c0, to: 0x0df, owner: 'the 8237 DMA controller 2' },
  { from: 0x0f0, to: 0x0ff, owner: 'the math coprocessor' },
  { from: ELCR1_PORT, to: ELCR1_PORT + 1, owner: 'the PIIX3 ELCR' },
  { from: PCI_CONFIG_ADDRESS_PORT, to: PCI_CONFIG_ADDRESS_PORT + 7, owner: 'PCI configuration mechanism #1' },
];

/** The system board's whole range on an AT (I/O channel cards start at 0x100). */
export const SYSTEM_BOARD_PORTS_END = 0x0ff;

/** IRQs not on the ISA connector, and why. */
export const BOARD_IRQS: Readonly<Record<number, string>> = {
  0: 'the 8254 timer\'s (system board)',
  1: 'the keyboard controller\'s (system board)',
  [PIC_CASCADE_IRQ]: 'the 8259A cascade input; an AT slot\'s IRQ2 pin is wired to IRQ 9: write irq: 9',
  8: 'the RTC\'s (system board)',
  13: 'the math coprocessor\'s (system board)',
};

const hex = (n: number): string => `0x${n.toString(16)}`;

/** Why ports `from`..`to` (inclusive) cannot be an ISA card's window, or null. */
export function boardPortProblem(from: number, to: number): string | null {
  const hit = BOARD_PORTS.find((r) => from <= r.to && r.from <= to);
  if (hit) return `ports ${hex(from)}-${hex(to)} overlap ${hit.owner} (${hex(hit.from)}-${hex(hit.to)}), which the board decodes`;
  if (from <= SYSTEM_BOARD_PORTS_END)
    return `ports ${hex(from)}-${hex(to)} reach into the system board's range 0x0-0xff (ISA cards use 0x100-0x3ff)`;
  return null;
}

/** Why an ISA card cannot use `irq`, or null. */
export function boardIrqProblem(irq: number): string | null {
  const why = BOARD_IRQS[irq];
  return why === undefined ? null : `IRQ ${irq} is not on the ISA connector: it is ${why}`;
}
