/**
 * The RT2560 as a NIC kind (nic-models/kind.ts): scenario model `rt2560`, a Ralink RT2560 (RT2500 PCI) 802.11b/g
 * MAC/baseband with an RT2525 radio, attached to a `type: wireless` link. Linux binds it with `rt2500pci`
 * (mac80211); the simulated io-pkt-*-hc with devnp-ral.
 */
import { Simulation } from '../../emulator/machine/sim/simulation';
import { componentContext } from '../../emulator/machine/sim/context';
import { PCI_RESOURCE_FIELDS, type NicCounterProbe, type PciNicKind } from '../kind';
import { Rt2560Core } from './core';
import { Rt2560Pci } from './rt2560-pci';

/** Reasons of `rx-drop` records (rx.ts). */
export const RX_DROP_REASONS = [
  'disabled', 'phy-error', 'crc', 'short', 'version', 'control', 'not-to-me', 'tods', 'multicast', 'broadcast', 'too-long',
  'ring-unusable', 'no-descriptor',
] as const;

const COUNTERS: readonly NicCounterProbe[] = [
  { probe: 'rx-accept' },
  { probe: 'rx-drop', reasons: RX_DROP_REASONS },
  { probe: 'tx-start' },
  { probe: 'tx-done' },
  { probe: 'tx-invalid' },
  { probe: 'ack-received' },
  { probe: 'auto-response' },
  { probe: 'irq' },
  { probe: 'rf-tune' },
  { probe: 'power-state' },
  { probe: 'master-abort' },
  { probe: 'reg-unmapped' },
];

const given = (f: Readonly<Record<string, unknown>>, name: string): boolean => f[name] !== undefined;

let names: readonly string[] | null = null;
function registerNames(): readonly string[] {
  names ??= new Rt2560Core(componentContext(new Simulation(0), '', 'rt2560.names'), { mac: [0, 0, 0, 0, 0, 0] }).table.registerNames;
  return names;
}

export const rt2560Kind: PciNicKind = {
  model: 'rt2560',
  title: 'Ralink RT2560 802.11b/g (RT2500 PCI, RT2525 radio)',
  bus: 'pci',
  medium: 'wireless',
  fields: {
    ...PCI_RESOURCE_FIELDS,
    txPowerDbm: { schema: { type: 'integer', minimum: 0, maximum: 31 }, doc: 'TX power per channel in the EEPROM, dBm (default 18)' },
  },
  check: (f) => {
    if (given(f, 'ioport') || given(f, 'irq')) return 'a PCI RT2560 gets its memory BAR and IRQ from firmware start-up; remove ioport/irq';
    return null;
  },
  get registerNames() {
    return registerNames();
  },
  counters: COUNTERS,
  // Linux rt2500pci binds 1814:0201 by its PCI ID.
  linuxDriver: { module: 'rt2500pci' },
  create: (ctx, cfg) => {
    const p = cfg.fields['txPowerDbm'];
    return new Rt2560Pci(ctx, { mac: cfg.mac, ...(typeof p === 'number' ? { txPowerDbm: p } : {}) });
  },
};
