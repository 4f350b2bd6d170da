import type { Time } from '../../machine/sim/time';
import type { PciSegmentConfig } from '../../machine/bus/types';
import type { Action } from './actions';
import type { Expectation } from './expect';
import type { Fault } from './faults';
import type { GuestSpec } from './guest-spec';
import type { NicResources } from '../../../nic-models/kind';
import type { Position } from '../../machine/net/wireless/radio';
import type { WirelessConfig } from '../../machine/net/wireless/medium';
import type { ImpairConfig } from '../../machine/net/impair/config';

/** A validated scenario (see docs/formats/scenario.md). */
export interface Scenario {
  name: string;
  /** File it came from ("<built-in>" for the default). */
  file: string;
  /** Folder relative paths resolve against. */
  dir: string;
  seed: number;
  until: Time;
  nodes: NodeSpec[];
  links: LinkSpec[];
  /** Timed commands and traffic (`actions:`); absent or empty when the file has none. */
  actions?: Action[];
  /** Timed faults (`faults:`). */
  faults?: Fault[];
  /** Expectations checked by `qnxemu test` (`expect:`). */
  expect?: Expectation[];
}

export interface NodeSpec {
  name: string;
  cpus: number;
  ramBytes: number;
  interruptController: '8259' | 'ioapic';
  /** A QNX node's PCI segment (`pci:`; default 33 MHz, 32 bits). Absent on a guest: v86's bus is 33 MHz, 32 bits. */
  pci?: PciSegmentConfig;
  hostname: string;
  nics: NicSpec[];
  /** The boot script with the file and line each line came from. */
  script: ScriptLine[];
  /** Files listed in the buildfile image (empty when the node gives an inline script). */
  imageFiles: string[];
  /** The contents of the buildfile's inline files (`/etc/hostapd.conf = { … }`) by image path. */
  imageContents?: Record<string, string>;
  /** 'guest': a Linux guest under v86 (then `guest` is set, `script` is empty). Absent means 'qnx'. */
  kind?: 'qnx' | 'guest';
  guest?: GuestSpec;
  /** Where the node stands (`position:`, metres; default the origin): its radios radiate and listen from here. */
  position?: Position;
}

export interface ScriptLine {
  text: string;
  file: string;
  line: number;
}

export interface NicSpec {
  /** A model of the NIC registry (nic-models/registry.ts): its kind describes the rest. */
  model: string;
  link: string;
  mac: Uint8Array;
  /** ISA: the card's base port and IRQ; PCI: the slot (null: the lowest free one). */
  resources: NicResources;
  /** Every field given beyond model/link/mac (the resources included), as the kind validated them. */
  fields: Readonly<Record<string, unknown>>;
  /** `impair:` of frames its link delivers to this NIC (overrides the link's): docs/impairments.md. */
  impair?: ImpairConfig;
}

export interface LinkSpec {
  name: string;
  type: 'hub' | 'cable' | 'switch' | 'wireless';
  propagationNs: number | null;
  lengthM: number | null;
  ageing: Time | null;
  queue: number | null;
  /** `type: wireless`: the medium's parameters as given (the rest default: medium.ts WIRELESS_DEFAULTS); absent on wired links. */
  wireless?: Partial<WirelessConfig>;
  /** `impair:` of the frames the link delivers to every station port (wired links only): docs/impairments.md. */
  impair?: ImpairConfig;
}
