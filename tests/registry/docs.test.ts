/**
 * The NIC registry is the only list of NIC models: the scenario format doc lists exactly its models and
 * fields, and no code outside nic-models/, stack/drivers/, docs/, tests/ and fuzz/ names a model or an NE2000 class.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NIC_DOC_BEGIN, NIC_DOC_END, nicModelsMarkdown } from '../../emulator/app/scenario/nic-doc';
import { NIC_KINDS } from '../../nic-models/registry';

const REPO = path.resolve(__dirname, '../..');

describe('docs/formats/scenario.md and the registry agree', () => {
  const doc = fs.readFileSync(path.join(REPO, 'docs/formats/scenario.md'), 'utf8');

  test('the NIC models table is the one the registry generates', () => {
    const from = doc.indexOf(NIC_DOC_BEGIN);
    const to = doc.indexOf(NIC_DOC_END);
    expect(from).toBeGreaterThan(0);
    expect(to).toBeGreaterThan(from);
    const current = doc.slice(from, to + NIC_DOC_END.length);
    // On a mismatch, paste the expected block into the doc.
    expect(current).toBe(nicModelsMarkdown());
  });

  test('every model and every field it takes appears in its row', () => {
    const rows = doc.split('\n').filter((l) => l.startsWith('| `'));
    for (const k of NIC_KINDS) {
      const row = rows.find((l) => l.startsWith(`| \`${k.model}\` |`));
      expect(row).toBeDefined();
      for (const f of Object.keys(k.fields)) expect(row).toContain(`\`${f}\`:`);
      if (k.linuxDriver) expect(row).toContain(`\`${k.linuxDriver.module}\``);
    }
  });
});

/** Source files of the program (not data, not docs), relative to the repository. */
function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(path.join(REPO, dir), { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) {
      // Hidden folders (.git, .cache, Stryker's .stryker-tmp sandboxes) and outputs are not the program.
      if (!e.name.startsWith('.') && !['node_modules', 'dist', 'coverage', 'reports', 'fuzz-out'].includes(e.name)) sourceFiles(rel, out);
    } else if (/\.(ts|js|mjs|cjs)$/.test(e.name) && !(path.basename(dir) === 'generated' && e.name.endsWith('.js'))) {
      // Not the validators `npm run build` compiles from the scenario schema (scripts/gen-validators.ts): the model
      // names in them come from the registry, through the schema.
      out.push(rel);
    }
  }
  return out;
}

describe('only the registry names NIC models', () => {
  // fuzz/ is allowed as tests/ is: a fuzz target drives one model and checks that model's own invariants. So is
  // the mutation-testing area list (scripts/mutate-areas.cjs): it names model source folders and their tests.
  const allowed = /^((nic-models|stack\/drivers|docs|tests|fuzz)\/|scripts\/mutate-areas\.cjs$)/;
  const files = sourceFiles('.').map((f) => f.replace(/^\.\//, '')).filter((f) => !allowed.test(f));

  test('the scan sees the application, the machine, firmware, the stack and scripts', () => {
    for (const f of ['emulator/app/assembly/node.ts', 'emulator/app/debug/show-nic.ts', 'emulator/machine/board/board.ts', 'firmware/startup.ts', 'scripts/bench.ts', 'stack/io-pkt/main.ts']) {
      expect(files).toContain(f);
    }
  });

  const models = NIC_KINDS.map((k) => k.model.replace(/[-]/g, '\\-'));
  const forbidden = [
    new RegExp(`(?<![\\w-])(${models.join('|')})(?![\\w-])`),
    /\b(Ne2000Isa|Rtl8029Pci|Dp8390Core|Ne2000Window|Rtl8029Config)\b/,
    // A model's folder (nic-models/common is the shared MAC, kind.ts and registry.ts the plug-in interface).
    /nic-models\/(?!common\/)[\w-]+\//,
  ];

  test('the patterns catch what they are for', () => {
    const caught = (line: string): boolean => forbidden.some((re) => re.test(line));
    expect(caught("    if (n.model === 'ne2000-isa') {")).toBe(true);
    expect(caught('    nics: [{ model: rtl8029, link: hub0 }]')).toBe(true);
    expect(caught("import { Ne2000Isa } from '../../../nic-models/ne2000';")).toBe(true);
    expect(caught("import type { Dp8390Core } from '../../../nic-models/ne2000/dp8390-core';")).toBe(true);
    expect(caught("import { nicKind } from '../../../nic-models/registry';")).toBe(false);
    expect(caught("import { CsmaCdMac } from '../nic-models/common/csma-mac';")).toBe(false);
    expect(caught('    io-pkt-v4 -dne2000 ioport=0x300,irq=5   # the QNX driver devnp-ne2000.so')).toBe(false);
  });

  test('no model string, NE2000 class or import of a model folder outside nic-models/, stack/drivers/, docs/, tests/, fuzz/', () => {
    const offenders: string[] = [];
    for (const f of files) {
      const text = fs.readFileSync(path.join(REPO, f), 'utf8');
      text.split('\n').forEach((line, i) => {
        if (forbidden.some((re) => re.test(line))) offenders.push(`${f}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offenders).toEqual([]);
  });
});
