/**
 * The BCM5701 as a NIC kind (nic-models/kind.ts): scenario model `bcm5701`, a Broadcom BCM5701 B5 gigabit
 * Ethernet controller on PCI with its integrated copper PHY. Linux binds it with `tg3`; the simulated io-pkt
 * with devnp-bge. What the loader, assembler, guest command line, expectations and the debugger know about it
 * comes from here.
 */
import { Simulation } from '../../emulator/machine/sim/simulation';
import { componentContext } from '../../emulator/machine/sim/context';
import { PCI_RESOURCE_FIELDS, type NicCounterProbe, type PciNicKind } from '../kind';
import { Bcm5701Pci } from './bcm5701-pci';
import { Bcm5701Core } from './core';

/** Reasons of `rx-reject` records (receive.ts, rx-mac.ts). */
export const RX_REJECT_REASONS = [
  'rx-disabled', 'rde-disabled', 'clock-disabled', 'no-link', 'port-mode-mismatch', 'runt', 'giant', 'mac-control', 'address',
  'bufmgr-disabled', 'mbuf-pool-full', 'zero-length-bd', 'bd-too-small', 'master-abort', 'reset',
] as const;
/** Reasons of `tx-drop` records (send.ts). */
export const TX_DROP_REASONS = [
  'empty', 'oversize', 'no-end-bd', 'no-link', 'master-abort', 'port-mode-mismatch', 'clock-disabled', 'excessive-collisions', 'reset',
] as const;

const COUNTERS: readonly NicCounterProbe[] = [
  { probe: 'rx-accept' },
  { probe: 'rx-reject', reasons: RX_REJECT_REASONS },
  { probe: 'rx-wait', reasons: ['no-std-bd', 'return-ring-full', 'return-ring-disabled'] },
  { probe: 'tx-start' },
  { probe: 'tx-done' },
  { probe: 'tx-drop', reasons: TX_DROP_REASONS },
  { probe: 'status-update' },
  { probe: 'irq' },
  { probe: 'link' },
  { probe: 'reset' },
  { probe: 'boot-done' },
  { probe: 'bogus-index' },
  { probe: 'master-abort' },
  { probe: 'pause-sent' },
  { probe: 'reg-unmapped' },
  { probe: 'reg-ignored' },
];

const given = (f: Readonly<Record<string, unknown>>, name: string): boolean => f[name] !== undefined;

/**
 * Register names `break reg` accepts: from the register table of a detached chip (nothing is connected), built
 * on first use rather than when the registry loads.
 */
let names: readonly string[] | null = null;
function registerNames(): readonly string[] {
  names ??= new Bcm5701Core(componentContext(new Simulation(0), '', 'bcm5701.names'), { mac: [0, 0, 0, 0, 0, 0] }).table.registerNames;
  return names;
}

export const bcm5701Kind: PciNicKind = {
  model: 'bcm5701',
  title: 'Broadcom BCM5701 Gigabit Ethernet (PCI, B5, copper)',
  bus: 'pci',
  fields: {
    ...PCI_RESOURCE_FIELDS,
    subsystem: {
      schema: { type: 'string', pattern: '^[0-9a-fA-F]{4}:[0-9a-fA-F]{4}$' },
      doc: 'PCI subsystem vendor:device (default 14e4:0001, BCM95701A5; a Dell subsystem is refused: it changes tg3\'s link detection)',
    },
    eepromBytes: { schema: { type: 'integer', enum: [512, 1024, 2048, 4096, 8192, 16384, 32768, 65536] }, doc: 'serial EEPROM size in bytes (default 1024)' },
    phyTimeScale: { schema: { type: 'number', exclusiveMinimum: 0, maximum: 1 }, doc: 'scale of PHY reset and auto-negotiation times (default 1; tests use less)' },
  },
  check: (f) => {
    if (given(f, 'ioport') || given(f, 'irq')) return 'a PCI BCM5701 gets its memory BAR and IRQ from firmware start-up; remove ioport/irq';
    const sub = f['subsystem'];
    if (typeof sub === 'string' && sub.toLowerCase().startsWith('1028:')) return 'subsystem vendor 1028 (Dell) makes tg3 poll the link (USE_LINKCHG_REG) and change LED modes; use another';
    return null;
  },
  get registerNames() {
    return registerNames();
  },
  counters: COUNTERS,
  // Linux tg3 binds 14e4:1645 by its PCI ID.
  linuxDriver: { module: 'tg3' },
  create: (ctx, cfg) => {
    const f = cfg.fields;
    const sub = typeof f['subsystem'] === 'string' ? (f['subsystem'] as string).split(':').map((x) => parseInt(x, 16)) : null;
    return new Bcm5701Pci(ctx, {
      mac: cfg.mac,
      ...(typeof f['eepromBytes'] === 'number' ? { eepromBytes: f['eepromBytes'] } : {}),
      ...(typeof f['phyTimeScale'] === 'number' ? { phyTimeScale: f['phyTimeScale'] } : {}),
      ...(sub && sub.length === 2 ? { subsystem: { vendor: sub[0]!, device: sub[1]! } } : {}),
    });
  },
};
