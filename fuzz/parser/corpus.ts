/**
 * The seed corpus of the parser fuzzers: the scenarios and buildfiles shipped in docs/examples (every
 * `*.yaml` under it, every `*.build`), read once from the repository this code runs from, in a fixed (sorted)
 * order so a seed picks the same file everywhere.
 *
 * A buildfile is booted in a one-node scenario made from the example that uses it: that node as the example
 * writes it (its NICs, position, buildfile) and the links its NICs name; the other nodes, actions, faults and
 * expectations are left out (they name nodes that are not there).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { repoRoot } from '../../emulator/app/guest-image/cache';

export interface ScenarioSeed {
  /** Path from the repository root ("docs/examples/ping.yaml"): what a reproducer records. */
  rel: string;
  /** Absolute path: the name the loader reports and the folder relative paths resolve against. */
  file: string;
  text: string;
}

export interface BuildfileSeed {
  rel: string;
  file: string;
  text: string;
  /** A one-node scenario booting this buildfile (virtual file beside the example that uses it). */
  boot: { file: string; text: string };
}

export const EXAMPLES_DIR = 'docs/examples';

let cache: { scenarios: ScenarioSeed[]; buildfiles: BuildfileSeed[] } | null = null;

function root(): string {
  // The repository this code runs from (dist/fuzz.js, or the sources under jest); else the one around the cwd.
  const r = repoRoot(__dirname) ?? repoRoot(process.cwd());
  if (!r) throw new Error(`the parser fuzzers read ${EXAMPLES_DIR} from the qnxemu repository, not found above ${__dirname} or ${process.cwd()}`);
  return r;
}

function listed(ext: string): string[] {
  const dir = path.join(root(), EXAMPLES_DIR);
  return fs
    .readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith(ext))
    .map((f) => path.posix.join(EXAMPLES_DIR, f.split(path.sep).join('/')))
    .sort();
}

interface RawExample {
  name?: string;
  seed?: number;
  nodes: Record<string, Record<string, unknown> & { nics?: { link?: string }[]; buildfile?: string }>;
  links: Record<string, unknown>;
}

function oneNodeScenario(scenarios: ScenarioSeed[], buildfile: string): { file: string; text: string } {
  for (const s of scenarios) {
    const raw = parse(s.text) as RawExample;
    for (const [name, node] of Object.entries(raw.nodes ?? {})) {
      if (typeof node.buildfile !== 'string' || path.resolve(path.dirname(s.file), node.buildfile) !== buildfile) continue;
      const used = new Set((node.nics ?? []).map((n) => n.link));
      const doc = {
        name: `${path.basename(buildfile, '.build')}-boot`,
        description: `${name} of ${s.rel} alone, booting ${path.basename(buildfile)} (fuzz/parser/corpus.ts)`,
        seed: raw.seed ?? 1,
        nodes: { [name]: node },
        links: Object.fromEntries(Object.entries(raw.links).filter(([l]) => used.has(l))),
      };
      return { file: path.join(path.dirname(s.file), `${path.basename(buildfile)}.one-node.yaml`), text: stringify(doc) };
    }
  }
  throw new Error(`no example in ${EXAMPLES_DIR} uses ${buildfile}`);
}

export function corpus(): { scenarios: ScenarioSeed[]; buildfiles: BuildfileSeed[] } {
  if (cache) return cache;
  const r = root();
  const read = (rel: string) => ({ rel, file: path.join(r, rel), text: fs.readFileSync(path.join(r, rel), 'utf8') });
  const scenarios = listed('.yaml').map(read);
  const buildfiles = listed('.build').map((rel) => {
    const s = read(rel);
    return { ...s, boot: oneNodeScenario(scenarios, s.file) };
  });
  cache = { scenarios, buildfiles };
  return cache;
}

/**
 * Where a reproducer's example is loaded from: its path in this repository, even if the example has since
 * been renamed or removed (the reproducer carries the whole text; the path only names it and is where its
 * relative paths resolve). Null for a path outside docs/examples.
 */
export function exampleFile(rel: string): string | null {
  if (!rel.startsWith(`${EXAMPLES_DIR}/`) || rel.split('/').includes('..')) return null;
  return path.join(root(), rel);
}

/** The seed a reproducer names ("docs/examples/ping.yaml"), or null if it is not in the corpus. */
export function scenarioSeed(rel: string): ScenarioSeed | null {
  return corpus().scenarios.find((s) => s.rel === rel) ?? null;
}

export function buildfileSeed(rel: string): BuildfileSeed | null {
  return corpus().buildfiles.find((s) => s.rel === rel) ?? null;
}
