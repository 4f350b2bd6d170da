/**
 * NIC instances from a scenario's NIC specs, through the registry (nic-models/registry.ts): the kind's factory
 * makes the device; the caller plugs it into its host by bus (a board: node.ts; a v86 guest: guest-node.ts).
 */
import type { ComponentContext } from '../../machine/sim/context';
import type { NicDevice, NicKind } from '../../../nic-models/kind';
import { nicKind } from '../../../nic-models/registry';
import type { NicSpec, NodeSpec } from '../scenario/types';

/** One NIC of a node: what the scenario said, its kind, and the model instance. */
export interface NicInstance {
  readonly spec: NicSpec;
  readonly kind: NicKind;
  readonly device: NicDevice;
}

/** Make the NIC a spec describes (not yet plugged in or connected). */
export function createNic(ctx: ComponentContext, spec: NicSpec): NicInstance {
  const kind = nicKind(spec.model);
  const device = kind.create(ctx, { mac: spec.mac, resources: spec.resources, fields: spec.fields });
  if (device.bus !== spec.resources.bus) throw new Error(`${ctx.name}: model ${spec.model} made a ${device.bus} device for ${spec.resources.bus} resources`);
  return { spec, kind, device };
}

/** The ISA cards firmware start-up lists in the system page (ISA cannot be enumerated), as each kind names them. */
export function isaStartupList(spec: NodeSpec): { name: string; ioport: number; irq: number }[] {
  return spec.nics.flatMap((n) => {
    const kind = nicKind(n.model);
    return n.resources.bus === 'isa' && kind.bus === 'isa' ? [{ name: kind.startupName, ioport: n.resources.ioport, irq: n.resources.irq }] : [];
  });
}

/** How `show nic` and errors name where a NIC sits ("ISA io 0x300 irq 5", "PCI"). */
export function resourcesText(spec: NicSpec): string {
  const r = spec.resources;
  return r.bus === 'isa' ? `ISA io 0x${r.ioport.toString(16)} irq ${r.irq}` : r.slot === null ? 'PCI' : `PCI slot ${r.slot}`;
}
