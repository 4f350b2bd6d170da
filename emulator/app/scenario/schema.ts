/**
 * JSON Schema of a scenario file (validated with ajv; see docs/formats/scenario.md). Kept as data so the
 * documentation and the validator cannot drift apart.
 */
import { actionsSchema } from './actions';
import { expectationsSchema } from './expect';
import { faultsSchema } from './faults';
import { guestNodeProperties } from './guest-spec';
import { impairSchema } from './impair-spec';
import { NIC_KINDS, nicModels } from '../../../nic-models/registry';
import { positionSchema, wirelessLinkProperties } from './wireless-spec';

const mac = { type: 'string', pattern: '^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$' };
const duration = { type: ['string', 'integer'], pattern: '^\\d+(\\.\\d+)?\\s*(ns|us|ms|s|m)?$' };
const name = { type: 'string', pattern: '^[a-zA-Z][a-zA-Z0-9_-]*$' };

/**
 * A NIC: the common fields, and every field a registered kind takes (nic-models/registry.ts; kinds that share
 * a field share its schema). Which fields apply to which model is checked by the loader (load.ts) with the
 * kind's own `check`, so its messages say why ("a PCI RTL8029 gets its I/O port and IRQ from firmware start-up").
 */
export const nicSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['model', 'link'],
  properties: {
    model: { enum: nicModels() },
    link: name,
    mac,
    // Frames the link delivers to this NIC (emulator/app/scenario/impair-spec.ts); not a field of the model.
    impair: impairSchema,
    ...Object.fromEntries(NIC_KINDS.flatMap((k) => Object.entries(k.fields).map(([field, f]) => [field, f.schema]))),
  },
};

export const nodeSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['nics'],
  properties: {
    kind: { enum: ['qnx', 'guest'] },
    cpus: { type: 'integer', minimum: 1, maximum: 32 },
    ram: { type: ['string', 'integer'], pattern: '^\\d+[KMG]?$' },
    'interrupt-controller': { enum: ['8259', 'ioapic'] },
    // The board's PCI segment (emulator/machine/board/pci-segment.ts); either field may be left out.
    pci: {
      type: 'object',
      additionalProperties: false,
      properties: { clock: { enum: [33, 66] }, width: { enum: [32, 64] } },
    },
    hostname: name,
    // Where the node stands, metres (its radios on `type: wireless` links): emulator/app/scenario/wireless-spec.ts
    position: positionSchema,
    nics: { type: 'array', items: nicSchema },
    buildfile: { type: 'string' },
    script: { type: 'string' },
    // `kind: guest` (a Linux guest under v86): emulator/app/scenario/guest-spec.ts
    ...guestNodeProperties,
  },
};

export const linkSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type'],
  properties: {
    type: { enum: ['hub', 'cable', 'switch', 'wireless'] },
    'propagation-ns': { type: 'integer', minimum: 0 },
    'length-m': { type: 'number', minimum: 0 },
    'ageing': duration,
    'queue': { type: 'integer', minimum: 1 },
    // Hub, cable and switch only (the loader says so otherwise): emulator/app/scenario/impair-spec.ts
    impair: impairSchema,
    // `type: wireless` only (the loader says so otherwise): emulator/app/scenario/wireless-spec.ts
    ...wirelessLinkProperties,
  },
};

export const scenarioSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['nodes', 'links'],
  properties: {
    name: { type: 'string' },
    description: { type: 'string' },
    seed: { type: 'integer', minimum: 0, maximum: 0xffffffff },
    until: duration,
    nodes: { type: 'object', minProperties: 1, propertyNames: name, additionalProperties: nodeSchema },
    links: { type: 'object', minProperties: 1, propertyNames: name, additionalProperties: linkSchema },
    actions: actionsSchema,
    faults: faultsSchema,
    expect: expectationsSchema,
  },
};
