/**
 * Node side of the page's scenario bundles (NODE ONLY: it reads the host's files; the page's bundle never imports
 * this file). `bundleScenario` packs a scenario file and every file the loader reads for it — found by running
 * the loader itself with a recording readFile, so the list can never drift from what the loader does — into
 * one ScenarioBundle (api.ts; its JSON Schema: bundle-schema.ts). QNX nodes read no other host file while they are assembled or run: a boot image's
 * files come inline from its buildfile. Guest nodes' image is not in the bundle: `qnxemu web` serves it beside it. `checkBundle` validates a bundle read back from JSON (ajv) and says in
 * one line what is wrong. `qnxemu web` and `qnxemu test --artifacts` (emulator/app/web) call both.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliError } from '../../cli/errors';
import { LocatedError } from '../../scenario/errors';
import { parseScenario } from '../../scenario/load';
import type { ScenarioBundle } from './api';
import validate from './generated/bundle-validator';

/** A bundle that does not check: one line, the JSON path of the first problem and what is wrong there. */
export class BundleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BundleError';
  }
}


/** `json` as a ScenarioBundle, or a BundleError naming the first problem ("files./a.build: must match pattern …"). */
export function checkBundle(json: unknown): ScenarioBundle {
  if (validate(json)) return json as unknown as ScenarioBundle;
  const e = validate.errors?.[0];
  const where = (e?.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.') || 'bundle';
  let what = e?.message ?? 'is not a scenario bundle';
  if (e?.keyword === 'additionalProperties') what = `unknown field '${String(e.params['additionalProperty'])}'`;
  else if (e?.keyword === 'const') what = `must be ${JSON.stringify(e.params['allowedValue'])} (the bundle format this build reads)`;
  throw new BundleError(`${where}: ${what}`);
}

export interface BundleOptions {
  seed?: number | undefined;
  until?: number | undefined;
}

/** Pack `file` (a scenario YAML) and everything it reads. Errors: LocatedError (the scenario) or CliError. */
export function bundleScenario(file: string, opts: BundleOptions = {}): ScenarioBundle {
  let yaml: string;
  try {
    if (!fs.statSync(file).isFile()) throw new Error(`${file} is not a file`);
    yaml = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new LocatedError(file, 1, 1, `cannot read scenario: ${(e as Error).message}`);
  }
  const dir = path.dirname(path.resolve(file));
  const files: Record<string, string> = {};
  const scenario = parseScenario(yaml, file, dir, (p) => {
    if (!fs.statSync(p).isFile()) throw new Error(`${p} is not a file`);
    const data = fs.readFileSync(p);
    files[path.relative(dir, p).split(path.sep).join('/')] = data.toString('base64');
    return data.toString('utf8');
  });
  // Guest nodes run from the image `qnxemu web` serves with the page (emulator/app/web/guest-assets.ts); files a
  // guest names itself are not served.
  for (const n of scenario.nodes) {
    const g = n.kind === 'guest' ? n.guest : undefined;
    const own = g ? (['kernel', 'initrd', 'bios', 'vgaBios'] as const).filter((k) => g[k] !== null) : [];
    if (own.length > 0)
      throw new CliError(file, `node ${n.name} names its own ${own.map((k) => (k === 'vgaBios' ? 'vga-bios' : k)).join(', ')}: the page runs guests only from the built guest image (qnxemu guest build); debug it with \`qnxemu debug ${file}\``);
  }
  return {
    format: 1,
    file,
    yaml,
    files,
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.until !== undefined ? { until: opts.until } : {}),
  };
}
