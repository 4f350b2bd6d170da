import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ErrorObject } from 'ajv';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { parseDuration } from '../../machine/sim/time';
import { LocatedError } from './errors';
import { yamlData, yamlSyntaxError } from './yaml-errors';
import { checkGuestFiles, checkPciSlots, checkRam } from './node-checks';
import validate from './generated/scenario-validator';
import type { LinkSpec, NicSpec, NodeSpec, Scenario, ScriptLine } from './types';
import { parseBuildfile, BuildfileError } from '../../../firmware/buildfile';
import { parseActions } from './actions';
import { parseExpectations } from './expect';
import { parseFaults } from './faults';
import { checkNotGuestFields, parseGuestNode } from './guest-spec';
import { checkIsaConflicts, nicSpecOf, type RawNic } from './nic-spec';
import { nicKind } from '../../../nic-models/registry';
import { checkNicMedia, parsePosition, parseWirelessLink, type RawWirelessLink } from './wireless-spec';
import { checkImpairMedia, parseImpair, type RawImpair } from './impair-spec';

/** Load and validate a scenario file. Throws LocatedError naming file, line, column and problem. */
export function loadScenarioFile(file: string): Scenario {
  let text: string;
  try {
    text = defaultRead(file);
  } catch (e) {
    throw new LocatedError(file, 1, 1, `cannot read scenario: ${(e as Error).message}`);
  }
  return parseScenario(text, file, path.dirname(path.resolve(file)));
}

export function parseScenario(text: string, file: string, dir: string, readFile = defaultRead): Scenario {
  const lc = new LineCounter();
  // logLevel 'error': the yaml package would print a Node warning (a second stderr line) for a collection used
  // as a key; the key, stringified, is then refused as an unknown field like any other (found by fuzz/parser).
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  const first = doc.errors[0];
  if (first) throw yamlSyntaxError(first, doc, lc, text, file);
  const locate = locator(doc, lc, file);
  const data: unknown = yamlData(doc, lc, file);
  if (!validate(data)) {
    const err = pickError(validate.errors ?? []);
    throw locate(pathOf(err), describe(err));
  }
  const raw = data as unknown as RawScenario;
  const linkNames = new Set(Object.keys(raw.links));
  const links: LinkSpec[] = Object.entries(raw.links).map(([name, l]) => {
    const wireless = parseWirelessLink(name, l as unknown as RawWirelessLink, locate);
    return {
      name,
      type: l.type,
      propagationNs: l['propagation-ns'] ?? null,
      lengthM: l['length-m'] ?? null,
      ageing: l.ageing === undefined ? null : durationOf(l.ageing),
      queue: l.queue ?? null,
      ...(wireless ? { wireless } : {}),
      ...(l.impair ? { impair: parseImpair(l.impair, ['links', name, 'impair'], locate) } : {}),
    };
  });
  const macs = new Map<string, string>();
  const nodes: NodeSpec[] = Object.entries(raw.nodes).map(([name, n]) => {
    const nics: NicSpec[] = n.nics.map((nic, i) => {
      const at = ['nodes', name, 'nics', i];
      if (!linkNames.has(nic.link)) throw locate([...at, 'link'], `no link named '${nic.link}' (links: ${[...linkNames].join(', ')})`);
      const macText = nic.mac ?? defaultMac(Object.keys(raw.nodes).indexOf(name), i);
      const key = macText.toLowerCase();
      if (macs.has(key)) throw locate([...at, 'mac'], `MAC ${macText} is also used by ${macs.get(key)}`);
      macs.set(key, `${name}.nics[${i}]`);
      // `impair` belongs to the NIC's port on its link, not to the model (impair-spec.ts).
      const { impair, ...modelNic } = nic;
      const spec = nicSpecOf(modelNic, Uint8Array.from(key.split(':').map((h) => parseInt(h, 16))), at, locate);
      return impair ? { ...spec, impair: parseImpair(impair as RawImpair, [...at, 'impair'], locate) } : spec;
    });
    checkIsaConflicts(nics, (i, what) => locate(['nodes', name, 'nics', i], what));
    const rawFields = n as unknown as Record<string, unknown>;
    if (rawFields['kind'] === 'guest') {
      nics.forEach((nic, i) => {
        if (!nicKind(nic.model).linuxDriver)
          throw locate(['nodes', name, 'nics', i, 'model'], `nodes.${name}.nics.${i}.model: no Linux driver binds a ${nic.model} in a guest (use it on a QNX node)`);
      });
      const g = parseGuestNode(name, rawFields, nics, { locate, dir });
      checkPciSlots(g, locate);
      checkGuestFiles(g, locate);
      return n.position ? { ...g, position: parsePosition(n.position)! } : g;
    }
    checkNotGuestFields(name, rawFields, { locate, dir });
    if ((n.buildfile === undefined) === (n.script === undefined))
      throw locate(['nodes', name], 'give exactly one of buildfile (a QNX buildfile) or script (its [+script] lines)');
    let script: ScriptLine[];
    let imageFiles: string[] = [];
    const imageContents: Record<string, string> = {};
    if (n.script !== undefined) {
      const node = doc.getIn(['nodes', name, 'script'], true) as { range?: [number, number, number] } | undefined;
      const startLine = node?.range ? lc.linePos(node.range[0]).line : 1;
      // A block scalar (`script: |`) starts on the line after its indicator.
      const offset = /^\s*[|>]/.test(text.slice(node?.range?.[0] ?? 0, (node?.range?.[0] ?? 0) + 3)) ? 1 : 0;
      script = n.script.split('\n').map((t, i) => ({ text: t, file, line: startLine + offset + i }));
    } else {
      const bf = path.resolve(dir, n.buildfile!);
      let bftext: string;
      try {
        bftext = readFile(bf);
      } catch (e) {
        throw locate(['nodes', name, 'buildfile'], `cannot read buildfile ${bf}: ${(e as Error).message}`);
      }
      try {
        const parsed = parseBuildfile(bftext, bf);
        script = parsed.script.map((l) => ({ text: l.text, file: bf, line: l.line }));
        imageFiles = parsed.files;
        for (const e of parsed.entries)
          if (e.kind === 'inline' && e.contents && e.path !== '.script') imageContents[e.path] = e.contents.map((l) => l.text).join('\n') + '\n';
      } catch (e) {
        if (e instanceof BuildfileError) throw new LocatedError(e.file, e.line, e.col, e.problem);
        throw e;
      }
    }
    const ramBytes = ramOf(n.ram ?? '64M');
    checkRam(name, n.ram, ramBytes, locate);
    checkPciSlots({ name, nics }, locate);
    return {
      name,
      cpus: n.cpus ?? 1,
      ramBytes,
      interruptController: n['interrupt-controller'] ?? '8259',
      pci: { clock: n.pci?.clock ?? 33, width: n.pci?.width ?? 32 },
      hostname: n.hostname ?? name,
      nics,
      script,
      imageFiles,
      ...(Object.keys(imageContents).length > 0 ? { imageContents } : {}),
      ...(n.position ? { position: parsePosition(n.position)! } : {}),
    };
  });
  checkNicMedia(nodes, links, locate);
  checkImpairMedia(nodes, links, locate);
  for (const l of links) {
    const users = nodes.flatMap((n) => n.nics.filter((x) => x.link === l.name));
    if (l.type === 'cable' && users.length > 2)
      throw locate(['links', l.name], `a cable joins two NICs; ${users.length} are attached`);
  }
  const until = raw.until === undefined ? 10_000_000_000 : durationOf(raw.until);
  // Virtual time is integer nanoseconds in a JavaScript number: exact only up to 2^53 − 1 (emulator/app/cli/until.ts).
  if (!Number.isSafeInteger(until)) throw locate(['until'], `until: ${String(raw.until)} is past ${Number.MAX_SAFE_INTEGER} ns (about 104 days), the last time virtual time counts exactly`);
  const timed = data as { actions?: unknown; faults?: unknown; expect?: unknown; nodes: Record<string, { kind?: string }> };
  const tctx = { locate, nodes, links, until, rawNodes: timed.nodes };
  return {
    name: raw.name ?? path.basename(file).replace(/\.ya?ml$/, ''),
    file,
    dir,
    seed: raw.seed ?? 1,
    until,
    nodes,
    links,
    actions: parseActions(timed.actions, tctx),
    faults: parseFaults(timed.faults, tctx),
    expect: parseExpectations(timed.expect, tctx),
  };
}

interface RawNode {
  cpus?: number; ram?: string | number; 'interrupt-controller'?: '8259' | 'ioapic'; pci?: { clock?: 33 | 66; width?: 32 | 64 };
  hostname?: string; position?: { x: number; y: number; z?: number };
  nics: RawNic[]; buildfile?: string; script?: string;
}
interface RawLink { type: 'hub' | 'cable' | 'switch' | 'wireless'; 'propagation-ns'?: number; 'length-m'?: number; ageing?: string | number; queue?: number; impair?: RawImpair }
interface RawScenario { name?: string; seed?: number; until?: string | number; nodes: Record<string, RawNode>; links: Record<string, RawLink> }

function defaultRead(p: string): string {
  // A device or FIFO (/dev/zero, /dev/stdin) would be read until memory runs out, or forever: files only.
  if (!fs.statSync(p).isFile()) throw new Error(`${p} is not a file`);
  return fs.readFileSync(p, 'utf8');
}

function durationOf(v: string | number): number {
  return typeof v === 'number' ? v : parseDuration(v) ?? 0;
}

function ramOf(v: string | number): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+)([KMG]?)$/.exec(v)!;
  const mult = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2] as '' | 'K' | 'M' | 'G'];
  return Number(m[1]) * mult;
}

/** Locally administered unicast MACs 02:00:00:00:<node>:<nic> when a scenario gives none. */
function defaultMac(node: number, nic: number): string {
  const h = (n: number) => n.toString(16).padStart(2, '0');
  return `02:00:00:00:${h(node + 1)}:${h(nic)}`;
}

type PathSeg = string | number;

function locator(doc: Document, lc: LineCounter, file: string) {
  return (p: PathSeg[], problem: string): LocatedError => {
    // Walk down as far as the document has nodes; report at the deepest one found.
    for (let n = p.length; n >= 0; n--) {
      const node = doc.getIn(p.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      let range = node?.range;
      if (n > 0 && !range) {
        // For a missing key, point at the key of the parent map's entry if present.
        const parent = doc.getIn(p.slice(0, n - 1), true);
        if (isMap(parent)) {
          // A collection used as a key (`[a]: 1`) became a string in the data (`[ a ]`): match it without spacing and quotes.
          const bare = (k: unknown) => String(k).replace(/[\s"']/g, '');
          const pair = parent.items.find((it) =>
            isScalar(it.key) ? it.key.value === p[n - 1] : it.key !== null && bare(it.key) === bare(p[n - 1]),
          );
          range = (pair?.key as { range?: [number, number, number] } | undefined)?.range;
        }
      }
      if (range) {
        const pos = lc.linePos(range[0]);
        return new LocatedError(file, pos.line, pos.col, problem);
      }
    }
    return new LocatedError(file, 1, 1, problem);
  };
}

function pathOf(err: ErrorObject): PathSeg[] {
  const segs: PathSeg[] = err.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  if (err.keyword === 'additionalProperties') segs.push(String(err.params['additionalProperty']));
  if (err.keyword === 'propertyNames' && typeof err.params['propertyName'] === 'string') segs.push(err.params['propertyName']);
  return segs;
}

function pickError(errors: ErrorObject[]): ErrorObject {
  // The deepest error is the most specific; among equals prefer the first reported.
  return [...errors].sort((a, b) => b.instancePath.split('/').length - a.instancePath.split('/').length)[0]!;
}

function describe(err: ErrorObject): string {
  const field = err.instancePath ? err.instancePath.slice(1).replace(/\//g, '.') : '(top level)';
  switch (err.keyword) {
    case 'additionalProperties':
      return `${field}: unknown field '${String(err.params['additionalProperty'])}'`;
    case 'required':
      return `${field}: missing required field '${String(err.params['missingProperty'])}'`;
    case 'enum':
      return `${field}: must be one of ${(err.params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'pattern':
      return `${field}: malformed value (expected to match ${String(err.params['pattern'])})`;
    default:
      return `${field}: ${err.message ?? err.keyword}`;
  }
}
