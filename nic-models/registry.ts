/**
 * The NIC model registry: the one list of NIC kinds. Adding a model is one folder under nic-models/ with its
 * description (kind.ts) and one line here; the scenario schema and loader, the assembler (QNX nodes and v86
 * guests), the guest kernel command line, expectations and the debugger read the descriptions.
 */
import type { NicKind } from './kind';
import { ne2000IsaKind, rtl8029Kind } from './ne2000/description';
import { bcm5701Kind } from './bcm5701';
import { rt2560Kind } from './rt2560';

/** Fields every NIC takes whatever its kind (emulator/app/scenario/schema.ts gives their schemas). */
export const COMMON_NIC_FIELDS: readonly string[] = ['model', 'link', 'mac'];

/** Every NIC kind, in the order the documentation lists them. */
export const NIC_KINDS: readonly NicKind[] = validateKinds([
  ne2000IsaKind,
  rtl8029Kind,
  bcm5701Kind,
  rt2560Kind,
]);

const byModel = new Map(NIC_KINDS.map((k) => [k.model, k]));

/** The kind of scenario model `model`, if there is one. */
export function findNicKind(model: string): NicKind | undefined {
  return byModel.get(model);
}

/** The kind of a model that was validated against the registry (a scenario's NicSpec): throws if unknown. */
export function nicKind(model: string): NicKind {
  const k = byModel.get(model);
  if (!k) throw new Error(`no NIC model '${model}' in the registry (models: ${nicModels().join(', ')})`);
  return k;
}

/** Scenario model names, in registry order. */
export function nicModels(): string[] {
  return NIC_KINDS.map((k) => k.model);
}

/**
 * Checks a list of kinds (a programming error throws at load): model names unique and well formed, no kind
 * redefining a common field, a field two kinds share has one schema (the scenario schema holds one), ISA
 * kinds have a window, register names unique per kind.
 */
export function validateKinds(kinds: readonly NicKind[]): readonly NicKind[] {
  const models = new Set<string>();
  const fieldSchemas = new Map<string, { model: string; json: string }>();
  for (const k of kinds) {
    if (!/^[a-z][a-z0-9-]*$/.test(k.model)) throw new Error(`NIC kind '${k.model}': model names are lower case letters, digits and '-'`);
    if (models.has(k.model)) throw new Error(`NIC kind '${k.model}' registered twice`);
    models.add(k.model);
    for (const [name, field] of Object.entries(k.fields)) {
      if (COMMON_NIC_FIELDS.includes(name)) throw new Error(`NIC kind '${k.model}': field '${name}' is common to every NIC`);
      const json = JSON.stringify(field.schema);
      const prev = fieldSchemas.get(name);
      if (prev && prev.json !== json) throw new Error(`NIC kinds '${prev.model}' and '${k.model}' give field '${name}' different schemas`);
      fieldSchemas.set(name, { model: k.model, json });
    }
    if (k.bus === 'isa' && !(Number.isInteger(k.ports) && k.ports > 0)) throw new Error(`NIC kind '${k.model}': an ISA card needs a port count`);
    if (k.bus === 'isa' && (!k.fields['ioport'] || !k.fields['irq'])) throw new Error(`NIC kind '${k.model}': an ISA card takes ioport and irq (ISA_RESOURCE_FIELDS)`);
    const dup = k.registerNames.find((n, i) => k.registerNames.indexOf(n) !== i);
    if (dup) throw new Error(`NIC kind '${k.model}': register name ${dup} listed twice`);
  }
  return kinds;
}
