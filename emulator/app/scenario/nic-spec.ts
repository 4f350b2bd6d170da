/**
 * A node's `nics:` after the schema passed: each NIC checked by its kind (nic-models/registry.ts) — the kind's
 * own `check`, then the fields it takes — and its bus resources read; ISA cards' port windows must not
 * overlap each other or the ports the board decodes, nor use an IRQ the ISA connector lacks (isa-reserved.ts);
 * a NIC's address must be an individual (unicast) one. Errors are located at the NIC or the field.
 */
import { COMMON_NIC_FIELDS, nicKind } from '../../../nic-models/registry';
import type { NicResources } from '../../../nic-models/kind';
import type { LocatedError } from './errors';
import { boardIrqProblem, boardPortProblem } from './isa-reserved';
import type { NicSpec } from './types';

export type NicLocate = (path: (string | number)[], problem: string) => LocatedError;

/** One NIC as ajv left it: model, link and mac are common; the rest belongs to the kind. */
export type RawNic = { model: string; link: string; mac?: string } & Record<string, unknown>;

/** The kind-specific part of a raw NIC: every field but model, link and mac. */
function kindFields(nic: RawNic): Record<string, unknown> {
  return Object.fromEntries(Object.entries(nic).filter(([k]) => !COMMON_NIC_FIELDS.includes(k)));
}

/** Check `nic` against its kind and build its spec (`at`: the NIC's path in the document, `mac` already parsed). */
export function nicSpecOf(nic: RawNic, mac: Uint8Array, at: (string | number)[], locate: NicLocate): NicSpec {
  const kind = nicKind(nic.model);
  // IEEE 802 I/G bit (bit 0 of the first octet): IEEE 802.3 §3.2.3 makes a frame's source address an
  // individual one (receivers drop a group source: NetBSD arpinput logs it), and Linux's is_valid_ether_addr
  // refuses a group address as a device address.
  if (nic.mac !== undefined && (mac[0]! & 1) !== 0)
    throw locate([...at, 'mac'], `${[...at, 'mac'].join('.')}: ${nic.mac} is a multicast (group) address; a NIC needs an individual one (first octet even)`);
  const fields = kindFields(nic);
  const problem = kind.check(fields);
  if (problem) throw locate(at, problem);
  for (const f of Object.keys(fields)) {
    if (kind.fields[f] === undefined) {
      const takes = Object.keys(kind.fields);
      throw locate([...at, f], `${[...at, f].join('.')}: model ${kind.model} takes no field '${f}' (${takes.length ? `its fields: ${takes.join(', ')}` : 'it takes none'} besides model, link, mac)`);
    }
  }
  let resources: NicResources;
  if (kind.bus === 'isa') {
    const { ioport, irq } = fields;
    if (typeof ioport !== 'number' || typeof irq !== 'number') throw locate(at, `an ISA card (${kind.model}) needs ioport and irq (there is no enumeration on ISA)`);
    if (ioport + kind.ports > 0x10000)
      throw locate([...at, 'ioport'], `${[...at, 'ioport'].join('.')}: ${kind.ports} ports from 0x${ioport.toString(16)} run past the end of I/O space (0xffff)`);
    const portProblem = boardPortProblem(ioport, ioport + kind.ports - 1);
    if (portProblem) throw locate([...at, 'ioport'], `${[...at, 'ioport'].join('.')}: ${portProblem}`);
    const irqProblem = boardIrqProblem(irq);
    if (irqProblem) throw locate([...at, 'irq'], `${[...at, 'irq'].join('.')}: ${irqProblem}`);
    resources = { bus: 'isa', ioport, irq };
  } else {
    resources = { bus: 'pci', slot: typeof fields['slot'] === 'number' ? fields['slot'] : null };
  }
  return { model: kind.model, link: nic.link, mac, resources, fields };
}

/** ISA cards of one node must not decode the same port (the board would refuse the second one). */
export function checkIsaConflicts(nics: readonly NicSpec[], fail: (i: number, what: string) => Error): void {
  const windows = nics.map((n) => {
    if (n.resources.bus !== 'isa') return null;
    const kind = nicKind(n.model);
    return { from: n.resources.ioport, to: n.resources.ioport + (kind.bus === 'isa' ? kind.ports : 0) - 1 };
  });
  windows.forEach((a, i) => {
    if (!a) return;
    windows.slice(0, i).forEach((b, j) => {
      if (b && a.from <= b.to && b.from <= a.to)
        throw fail(i, `I/O ports 0x${a.from.toString(16)}-0x${a.to.toString(16)} overlap nics[${j}] (0x${b.from.toString(16)}-0x${b.to.toString(16)})`);
    });
  });
}
