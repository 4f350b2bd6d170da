/**
 * The NIC models section of docs/formats/scenario.md, generated from the registry (nic-models/registry.ts)
 * so the documentation lists exactly the models and fields the loader accepts. The doc holds the generated
 * table between the two markers below; tests/registry/docs.test.ts checks that it is current (and prints
 * the table to paste when it is not).
 */
import type { NicKind } from '../../../nic-models/kind';
import { NIC_KINDS } from '../../../nic-models/registry';

export const NIC_DOC_BEGIN = '<!-- nic-models: generated from nic-models/registry.ts by emulator/app/scenario/nic-doc.ts -->';
export const NIC_DOC_END = '<!-- end nic-models -->';

function bus(k: NicKind): string {
  return k.bus === 'isa' ? `ISA, ${k.ports} ports` : 'PCI';
}

function fields(k: NicKind): string {
  const list = Object.entries(k.fields).map(([name, f]) => `\`${name}\`: ${f.doc}`);
  return list.length > 0 ? list.join('<br>') : '—';
}

/** The generated block, markers included. */
export function nicModelsMarkdown(kinds: readonly NicKind[] = NIC_KINDS): string {
  const rows = kinds.map((k) => `| \`${k.model}\` | ${k.title} | ${bus(k)} | ${fields(k)} | ${k.linuxDriver ? `\`${k.linuxDriver.module}\`` : '—'} |`);
  return [NIC_DOC_BEGIN, '| model | what | bus | fields beyond `model`, `link`, `mac` | Linux driver in a guest |', '|---|---|---|---|---|', ...rows, NIC_DOC_END].join('\n');
}
