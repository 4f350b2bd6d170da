/**
 * Finding NE2000 cards, shared by devnp-ne2000.so and devn-ne2000.so. With `ioport=` the driver probes that
 * ISA address (ISA has no enumeration; the IRQ comes from `irq=` or the board's declaration in the system
 * page). Otherwise it scans PCI for the RTL8029 (or `vid=`/`did=`) through configuration mechanism #1; `pci=N`
 * picks one of them. Every candidate must pass NetBSD's ne2000_detect before it counts.
 */
import type { Co, ThreadCtx } from '../../kernel/api';
import { Ne2000Io, type Ne2000Type } from '../dp8390/ne2000-io';
import { NE2000_NPORTS } from '../dp8390/regs';
import { pci_enable, pci_find_device, PCI_COMMAND_IO, PCI_COMMAND_MASTER, type PciDevice } from '../../lib/pci';
import type { Ne2000Options } from './options';

export interface FoundCard {
  io: Ne2000Io;
  type: Ne2000Type;
  /** Station address from the PROM. */
  promMac: Uint8Array;
  irq: number;
  busKind: 'isa' | 'pci';
  pci?: PciDevice;
  description: string;
}

export interface ProbeResult {
  cards: FoundCard[];
  /** Why candidates were skipped (for the console with verbose, and for tests). */
  notes: string[];
  /** True when the options themselves were unusable (EINVAL rather than ENODEV). */
  badOptions: boolean;
}

export function* probeNe2000(ctx: ThreadCtx, o: Ne2000Options): Co<ProbeResult> {
  const r: ProbeResult = { cards: [], notes: [], badOptions: false };
  if (o.ioport !== undefined) {
    const isa = ctx.bus.syspage.isa.find((d) => d.ioport === o.ioport);
    const irq = o.irq ?? isa?.irq;
    if (irq === undefined) {
      r.notes.push(`ioport 0x${o.ioport.toString(16)}: irq= is required for an ISA card`);
      r.badOptions = true;
      return r;
    }
    const card = yield* detectAt(ctx, new Ne2000Io(o.ioport), irq, 'isa');
    if (card) r.cards.push(card);
    else r.notes.push(`no NE2000 at ioport 0x${o.ioport.toString(16)}`);
    return r;
  }
  for (let index = o.pci ?? 0; ; index++) {
    const dev = yield* pci_find_device(ctx, o.vid, o.did, index);
    if (!dev) break;
    const card = yield* attachPci(ctx, dev, o, r.notes);
    if (card) r.cards.push(card);
    if (o.pci !== undefined) break;
  }
  if (r.cards.length === 0 && r.notes.length === 0) {
    r.notes.push(`no PCI device ${hex4(o.vid)}:${hex4(o.did)}${o.pci !== undefined ? ` at index ${o.pci}` : ''}`);
  }
  return r;
}

function* attachPci(ctx: ThreadCtx, dev: PciDevice, o: Ne2000Options, notes: string[]): Co<FoundCard | null> {
  const where = `pci ${dev.bus}:${dev.dev}.${dev.fn}`;
  const bar = dev.bars.find((b) => b.kind === 'io' && b.base !== 0);
  if (!bar || bar.size < NE2000_NPORTS) {
    notes.push(`${where}: no I/O BAR of ${NE2000_NPORTS} ports assigned`);
    return null;
  }
  const irq = o.irq ?? dev.irq;
  if (irq === 0 || irq === 0xff) {
    notes.push(`${where}: no interrupt routed (config 0x3C = ${irq})`);
    return null;
  }
  // NetBSD ne_pci_attach: the BAR must decode and the chip gets bus-master enable.
  yield* pci_enable(ctx, dev, PCI_COMMAND_IO | PCI_COMMAND_MASTER);
  const card = yield* detectAt(ctx, new Ne2000Io(bar.base), irq, 'pci');
  if (!card) {
    notes.push(`${where}: ne2000_detect failed at 0x${bar.base.toString(16)}`);
    return null;
  }
  card.pci = dev;
  return card;
}

function* detectAt(ctx: ThreadCtx, io: Ne2000Io, irq: number, busKind: 'isa' | 'pci'): Co<FoundCard | null> {
  const type = yield* io.detect(ctx);
  if (!type) return null;
  const { mac } = yield* io.readProm(ctx);
  const description = busKind === 'pci'
    ? 'RealTek 8029 NE-2000 compatible PCI Ethernet Controller'
    : type === 'ne2000' ? 'NE-2000 Ethernet Controller' : 'NE-1000 Ethernet Controller';
  return { io, type, promMac: mac, irq, busKind, description };
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}
