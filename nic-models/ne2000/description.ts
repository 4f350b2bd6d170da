/**
 * The NE2000 family as NIC kinds (nic-models/kind.ts): the Novell NE2000 ISA card and the Realtek RTL8029AS
 * PCI chip, both a DP8390 core behind the NE2000 I/O window. What the scenario loader, the assembler, the
 * guest command line, expectations and the debugger know about them comes from here.
 */
import {
  ISA_RESOURCE_FIELDS, PCI_RESOURCE_FIELDS, type IsaNicKind, type NicConfig, type NicCounterProbe, type PciNicKind,
} from '../kind';
import { Ne2000Isa } from './ne2000-isa';
import { NE2000_WINDOW_SIZE } from './ne2000-window';
import type { RxRejectReason } from './receive';
import { pageRegisterNames } from './register-pages';
import { Rtl8029Pci } from './rtl8029-pci';

/** Reasons of the model's `rx-reject` records (receive.ts); the check below fails to compile if one is missing. */
const RX_REJECT_REASONS = ['stopped', 'loopback', 'runt', 'filter', 'crc', 'monitor', 'ring', 'overflow'] as const satisfies readonly RxRejectReason[];
type Unlisted = Exclude<RxRejectReason, (typeof RX_REJECT_REASONS)[number]>;
const everyReasonListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyReasonListed;

/** Probes the DP8390 model traces on layer "nic" (receive.ts, transmit.ts, dp8390-core.ts) that expectations count. */
const COUNTERS: readonly NicCounterProbe[] = [
  { probe: 'rx-accept' },
  { probe: 'rx-reject', reasons: RX_REJECT_REASONS },
  { probe: 'rx-ring' },
  { probe: 'tx-start' },
  { probe: 'tx-done' },
  { probe: 'tx-discard' },
  { probe: 'tx-ignored' },
  { probe: 'irq' },
  { probe: 'reset' },
  { probe: 'start' },
];

/** The NE2000 board's ports beyond the DP8390's 16 registers (ne2000-window.ts): the data port and the reset port. */
const ASIC_PORTS = ['DATA', 'RESET'];

const given = (f: Readonly<Record<string, unknown>>, name: string): boolean => f[name] !== undefined;
const hex = (n: number): string => `0x${n.toString(16)}`;

export const ne2000IsaKind: IsaNicKind = {
  model: 'ne2000-isa',
  title: 'Novell NE2000, ISA (DP8390, 16 KiB buffer RAM)',
  bus: 'isa',
  ports: NE2000_WINDOW_SIZE,
  startupName: 'ne2000',
  fields: { ...ISA_RESOURCE_FIELDS },
  check: (f) => (given(f, 'ioport') && given(f, 'irq') ? null : 'an ISA NE2000 needs ioport and irq (there is no enumeration on ISA)'),
  registerNames: [...pageRegisterNames('ne2000'), ...ASIC_PORTS],
  counters: COUNTERS,
  // Linux ne.c: "io=0x300,0x320 irq=5,10", one entry per card in probe order.
  linuxDriver: {
    module: 'ne',
    params: (cfgs: readonly NicConfig[]) => {
      const isa = cfgs.flatMap((c) => (c.resources.bus === 'isa' ? [c.resources] : []));
      return { io: isa.map((r) => hex(r.ioport)).join(','), irq: isa.map((r) => String(r.irq)).join(',') };
    },
  },
  create: (ctx, cfg) => new Ne2000Isa(ctx, { mac: cfg.mac }),
};

export const rtl8029Kind: PciNicKind = {
  model: 'rtl8029',
  title: 'Realtek RTL8029AS, PCI (NE2000-compatible DP8390)',
  bus: 'pci',
  fields: { ...PCI_RESOURCE_FIELDS },
  check: (f) =>
    given(f, 'ioport') || given(f, 'irq') ? 'a PCI RTL8029 gets its I/O port and IRQ from firmware start-up; remove ioport/irq' : null,
  registerNames: [...pageRegisterNames('rtl8029'), ...ASIC_PORTS],
  counters: COUNTERS,
  // Linux ne2k-pci binds 10ec:8029 by its PCI ID; it takes no resources.
  linuxDriver: { module: 'ne2k_pci' },
  create: (ctx, cfg) => new Rtl8029Pci(ctx, { mac: cfg.mac }),
};
