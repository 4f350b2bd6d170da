/**
 * The "top self time" table of a V8 CPU profile (`.cpuprofile`, the format Chrome DevTools and speedscope load:
 * nodes with call frames, samples and the time between them). Each sample's time goes to the function it was taken
 * in; functions are grouped by name and place, and a place inside a bundle of ours (dist/*.js) is mapped back to
 * its TypeScript file and line through the bundle's source map (node:module SourceMap). Used by
 * `npm run profile` (scripts/profile.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SourceMap } from 'node:module';
import { groupBy, sumBy } from 'lodash';
import { fileURLToPath } from 'node:url';

/** The parts of a .cpuprofile this table reads (node:inspector's Profiler.Profile has them). */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number } }[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface SelfTimeRow {
  /** Function name ("(anonymous)" when it has none; V8's "(garbage collector)", "(program)", "(idle)" as they are). */
  name: string;
  /** "emulator/machine/sim/event-queue.ts:120", a script URL and line, or "" for V8's own entries. */
  where: string;
  /** Self time, µs. */
  micros: number;
  /** Share of all sampled time, %. */
  percent: number;
}

/** Maps generated positions (0-based line and column) to "source:line" (1-based), or null. */
export type PositionMapper = (url: string, line: number, column: number) => string | null;

/** A mapper for bundles with a linked source map next to them (`file.js.map`); other URLs get null. */
export function sourceMapMapper(root: string): PositionMapper {
  const maps = new Map<string, { map: SourceMap; dir: string } | null>();
  const load = (file: string): { map: SourceMap; dir: string } | null => {
    if (!maps.has(file)) {
      let entry: { map: SourceMap; dir: string } | null = null;
      try {
        entry = { map: new SourceMap(JSON.parse(fs.readFileSync(`${file}.map`, 'utf8'))), dir: path.dirname(file) };
      } catch {
        entry = null;
      }
      maps.set(file, entry);
    }
    return maps.get(file) ?? null;
  };
  return (url, line, column) => {
    if (!url.startsWith('file://')) return null;
    const m = load(fileURLToPath(url));
    if (!m) return null;
    const e = m.map.findEntry(line, column);
    if (!('originalSource' in e)) return null;
    const src = e.originalSource.startsWith('file://') ? fileURLToPath(e.originalSource) : path.resolve(m.dir, e.originalSource);
    return `${path.relative(root, src)}:${e.originalLine + 1}`;
  };
}

function place(frame: CpuProfile['nodes'][number]['callFrame'], mapper: PositionMapper | null): string {
  if (frame.url === '') return '';
  const mapped = mapper?.(frame.url, frame.lineNumber, frame.columnNumber) ?? null;
  if (mapped !== null) return mapped;
  const file = frame.url.startsWith('file://') ? fileURLToPath(frame.url) : frame.url;
  return `${file}:${frame.lineNumber + 1}`;
}

/** Self time per function, largest first (`limit` rows). */
export function topSelfTime(profile: CpuProfile, limit: number, mapper: PositionMapper | null = null): SelfTimeRow[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const perNode = new Map<number, number>();
  let total = 0;
  // timeDeltas[i] is the time from sample i−1 (or the start) to sample i. As in DevTools, a sample stands for the
  // time until the next one; the last one for the time until the profile's end.
  let at = profile.startTime;
  const times = samples.map((_, i) => (at += deltas[i] ?? 0));
  for (let i = 0; i < samples.length; i++) {
    const dt = Math.max(0, (i + 1 < samples.length ? times[i + 1]! : profile.endTime) - times[i]!);
    const id = samples[i]!;
    perNode.set(id, (perNode.get(id) ?? 0) + dt);
    total += dt;
  }
  const rows = new Map<string, SelfTimeRow>();
  for (const [id, micros] of perNode) {
    const node = byId.get(id);
    if (!node) continue;
    const name = node.callFrame.functionName || '(anonymous)';
    const where = place(node.callFrame, mapper);
    const key = `${name}\u0000${where}`;
    const row = rows.get(key) ?? { name, where, micros: 0, percent: 0 };
    row.micros += micros;
    rows.set(key, row);
  }
  const out = [...rows.values()].sort((a, b) => b.micros - a.micros || a.name.localeCompare(b.name)).slice(0, limit);
  for (const r of out) r.percent = total > 0 ? (r.micros / total) * 100 : 0;
  return out;
}

/** V8's own entries in a profile (not functions): they are areas of their own. */
const V8_ENTRIES = new Set(['(garbage collector)', '(program)', '(idle)', '(root)']);

/**
 * The area a row's time belongs to, for a summary by folder: a TypeScript source of ours by its first `depth`
 * folders ("stack/kernel/scheduler.ts:333" at depth 2 is "stack/kernel"; a file with fewer folders, its folders or,
 * at the top, itself); code of a package by the package ("node_modules/v86"); WebAssembly as "wasm" (v86's core and
 * the code its JIT generates); Node's own JavaScript as "node:internal"; V8's own entries ("(garbage collector)",
 * "(program)", "(idle)") as they are, and other functions with no script (C++ behind Node's API: a hash's `update`,
 * zlib's `crc32`) as "(native)".
 */
export function areaOf(row: Pick<SelfTimeRow, 'name' | 'where'>, depth: number): string {
  const w = row.where;
  if (w === '') return V8_ENTRIES.has(row.name) ? row.name : '(native)';
  if (w.startsWith('wasm://')) return 'wasm';
  if (w.startsWith('node:')) return 'node:internal';
  const file = w.replace(/:\d+$/, '');
  const pkg = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (pkg) return `node_modules/${pkg[1]}`;
  const parts = file.split('/');
  const dirs = parts.slice(0, -1);
  return dirs.length === 0 ? file : dirs.slice(0, depth).join('/');
}

/** Self time per area (areaOf at `depth`), largest first: rows named by area, with an empty `where`. */
export function selfTimeByArea(profile: CpuProfile, depth: number, mapper: PositionMapper | null = null): SelfTimeRow[] {
  const byArea = groupBy(topSelfTime(profile, Infinity, mapper), (r) => areaOf(r, depth));
  const rows = Object.entries(byArea).map(([name, rs]) => ({ name, where: '', micros: sumBy(rs, 'micros'), percent: sumBy(rs, 'percent') }));
  return rows.sort((a, b) => b.micros - a.micros || a.name.localeCompare(b.name));
}

/** Longest function name shown whole (v86's wasm exports have mangled Rust names of 150 characters). */
const NAME_WIDTH = 48;

/** The rows as aligned text lines: "  12.3 %   456.7 ms  name  where". */
export function formatTop(rows: readonly SelfTimeRow[]): string[] {
  const names = rows.map((r) => (r.name.length > NAME_WIDTH ? `${r.name.slice(0, NAME_WIDTH - 1)}…` : r.name));
  const width = Math.max(0, ...names.map((n) => n.length));
  return rows.map(
    (r, i) => `${r.percent.toFixed(1).padStart(6)} % ${(r.micros / 1000).toFixed(1).padStart(9)} ms  ${names[i]!.padEnd(width)}  ${r.where}`.trimEnd(),
  );
}
