/**
 * The scenario side of `kind: guest` nodes: the extra fields (JSON Schema, merged into the node schema by
 * emulator/app/scenario/schema.ts) and their validation (called by emulator/app/scenario/load.ts). See
 * docs/formats/scenario.md and docs/guest-time-model.md.
 *
 *   linux1:
 *     kind: guest
 *     nics: [{ model: …, link: hub0 }]             # any registered model whose kind names a Linux driver
 *     ip: 10.0.0.3/24                              # eth0 (wlan0 for a wireless NIC); or a list of "ethN:addr/len"
 *     commands: ["ping -c 3 10.0.0.1"]             # typed at the shell, each when the prompt shows
 *     memory: 128M                                 # optional; kernel/initrd/bios/vga-bios/cmdline too
 */
import * as path from 'node:path';
import type { NicSpec, NodeSpec } from './types';
import { nicKind } from '../../../nic-models/registry';
import { guestIpProblem, guestMemoryProblem, ipv4Problem } from './guest-checks';

export interface GuestSpec {
  /** `ethN:addr/len` entries (the guest's /init configures them). */
  ip: string[];
  gateway: string | null;
  /** Absolute paths of the user's own images; null = the built guest image's. */
  kernel: string | null;
  initrd: string | null;
  bios: string | null;
  vgaBios: string | null;
  /** Extra kernel command-line words. */
  cmdline: string[];
  /** Lines typed at the shell, in order, each after the prompt appears. */
  commands: string[];
  /** v86's JIT (default on; off is ≈9× slower and gives a different instruction stream). */
  jit: boolean;
}

const text = { type: 'string', minLength: 1 };

/** Node fields only a guest takes (added to the node schema's properties). */
export const guestNodeProperties = {
  ip: { oneOf: [text, { type: 'array', items: text }] },
  gateway: text,
  kernel: text,
  initrd: text,
  bios: text,
  'vga-bios': text,
  cmdline: { type: 'string' },
  memory: { type: ['string', 'integer'], pattern: '^\\d+[KMG]?$' },
  commands: { type: 'array', items: { type: 'string' } },
  jit: { type: 'boolean' },
};

/** Node fields of simulated QNX nodes that a guest does not take. */
const QNX_ONLY = ['cpus', 'ram', 'interrupt-controller', 'pci', 'buildfile', 'script'];
/** Why a guest does not take a field, where "boots Linux" is not the reason. */
const GUEST_REASON: Readonly<Record<string, string>> = {
  ram: 'boots Linux and does not take ram (use memory)',
  pci: "has v86's PCI bus, which is 33 MHz and 32 bits, and does not take pci",
};

export interface GuestParseContext {
  locate(path: (string | number)[], problem: string): Error;
  dir: string;
}

type RawGuest = Record<string, unknown> & {
  ip?: string | string[];
  gateway?: string;
  kernel?: string;
  initrd?: string;
  bios?: string;
  'vga-bios'?: string;
  cmdline?: string;
  memory?: string | number;
  commands?: string[];
  jit?: boolean;
  hostname?: string;
};

/** A QNX node may not use guest fields. */
export function checkNotGuestFields(name: string, raw: Record<string, unknown>, ctx: GuestParseContext): void {
  for (const k of Object.keys(guestNodeProperties)) {
    if (raw[k] !== undefined) throw ctx.locate(['nodes', name, k], `nodes.${name}.${k}: only a guest node (kind: guest) takes ${k}`);
  }
}

export function parseGuestNode(name: string, raw: RawGuest, nics: NicSpec[], ctx: GuestParseContext): NodeSpec {
  for (const k of QNX_ONLY) {
    if (raw[k] !== undefined)
      throw ctx.locate(['nodes', name, k], `nodes.${name}.${k}: a guest node ${GUEST_REASON[k] ?? `boots Linux and does not take ${k}`}`);
  }
  const ipRaw = raw.ip === undefined ? [] : typeof raw.ip === 'string' ? [raw.ip] : raw.ip;
  const ip = ipRaw.map((entry, i) => {
    const e = entry.includes(':') ? entry : `${linuxIfName(nics, i)}:${entry}`;
    const problem = guestIpProblem(e);
    const at = typeof raw.ip === 'string' ? ['nodes', name, 'ip'] : ['nodes', name, 'ip', i];
    if (problem) throw ctx.locate(at, `${at.join('.')}: '${entry}' ${problem}`);
    return e;
  });
  if (raw.gateway !== undefined) {
    const problem = ipv4Problem(raw.gateway);
    if (problem) throw ctx.locate(['nodes', name, 'gateway'], `nodes.${name}.gateway: '${raw.gateway}' ${problem}`);
  }
  const ramBytes = bytesOf(raw.memory ?? '128M');
  const memProblem = guestMemoryProblem(ramBytes);
  if (memProblem) throw ctx.locate(['nodes', name, 'memory'], `nodes.${name}.memory: ${memProblem}`);
  const file = (k: 'kernel' | 'initrd' | 'bios' | 'vga-bios'): string | null => (raw[k] === undefined ? null : path.resolve(ctx.dir, raw[k]));
  const cmdline = (raw.cmdline ?? '').split(/\s+/).filter((w) => w.length > 0);
  return {
    name,
    kind: 'guest',
    cpus: 1,
    ramBytes,
    interruptController: '8259',
    hostname: raw.hostname ?? name,
    nics,
    script: [],
    imageFiles: [],
    guest: {
      ip,
      gateway: raw.gateway ?? null,
      kernel: file('kernel'),
      initrd: file('initrd'),
      bios: file('bios'),
      vgaBios: file('vga-bios'),
      cmdline,
      commands: raw.commands ?? [],
      jit: raw.jit ?? true,
    },
  };
}

/**
 * The name Linux gives the guest's i-th NIC: mac80211 names a wireless one "wlan%d" (ieee80211_register_hw),
 * an Ethernet driver "eth%d", each counted separately, in the order the drivers are loaded (the NICs' order).
 */
function linuxIfName(nics: readonly NicSpec[], i: number): string {
  const wireless = (n: NicSpec | undefined): boolean => n !== undefined && nicKind(n.model).medium === 'wireless';
  const mine = wireless(nics[i]);
  return `${mine ? 'wlan' : 'eth'}${nics.slice(0, i).filter((n) => wireless(n) === mine).length}`;
}

function bytesOf(v: string | number): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+)([KMG]?)$/.exec(v)!;
  return Number(m[1]) * { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2] as '' | 'K' | 'M' | 'G'];
}
