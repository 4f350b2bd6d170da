/**
 * The index files `depmod` writes into /lib/modules/<version>/, made on the host for the modules the image
 * carries, in kmod's text formats (kmod tools/depmod.c: output_deps, output_aliases, output_softdeps,
 * output_symbols), so the guest's busybox `modprobe` finds modules, their dependencies and their aliases as on
 * any Linux system:
 *
 *   modules.dep      `kernel/drivers/net/ethernet/8390/ne2k-pci.ko: kernel/drivers/net/ethernet/8390/8390.ko`
 *                    — one line per module (paths relative to the version folder), then EVERY module it needs,
 *                    directly or not, ordered so that a module's users come before it: modprobe loads the list
 *                    from its end (busybox modutils/modprobe.c do_modprobe reverses it; "we expect the full
 *                    dependency list to be specified in modules.dep").
 *   modules.alias    `alias pci:v000010ECd00008029sv*sd*bc*sc*i* ne2k_pci` from each module's `alias=` lines
 *                    (`modprobe <modalias>`, and the kernel's request_module("crypto-ccm")).
 *   modules.softdep  `softdep <module> pre: a post: b` from `softdep=` lines (kmod reads it; busybox does not).
 *   modules.symbols  `alias symbol:<sym> <module>` per exported symbol (symbol_request()).
 *
 * Line order follows kmod: modules in modules.order order (the kernel's build order), those it does not list
 * after them by path; a line's dependencies sorted by kmod's topological index (depmod_calculate_dependencies:
 * Kahn's algorithm taking modules nobody uses first, from a stack).
 */
import { normalizeModName } from './modules';

/** What depmod needs to know of one module. */
export interface DepmodModule {
  /** Module name (KBUILD_MODNAME: '_' for '-'). */
  name: string;
  /** Path relative to /lib/modules/<version>, e.g. "kernel/drivers/net/ethernet/8390/ne2k-pci.ko". */
  path: string;
  /** `depends=`: the modules it links against (names). */
  depends: readonly string[];
  aliases: readonly string[];
  softdeps: readonly string[];
  /** Exported symbols. */
  exports: readonly string[];
}

export class DepmodError extends Error {}

/** The four index files, by file name. */
export interface DepmodFiles {
  'modules.dep': string;
  'modules.alias': string;
  'modules.softdep': string;
  'modules.symbols': string;
}

/** Modules in kmod's array order: those named in `order` (modules.order lines) first, in its order, then by path. */
function sortByOrder(mods: readonly DepmodModule[], order: readonly string[]): DepmodModule[] {
  const rank = new Map<string, number>();
  order.forEach((p, i) => {
    if (!rank.has(p)) rank.set(p, i);
  });
  return [...mods].sort((a, b) => {
    const ra = rank.get(a.path) ?? Infinity;
    const rb = rank.get(b.path) ?? Infinity;
    if (ra !== rb) return ra < rb ? -1 : 1;
    return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
  });
}

/**
 * Writes the index files for `modules`. A dependency the set does not contain is an error (depmod would
 * leave the symbol unresolved and modprobe fail at load time: better to fail the build).
 */
export function depmod(modules: readonly DepmodModule[], order: readonly string[] = []): DepmodFiles {
  const mods = sortByOrder(modules, order);
  const byName = new Map(mods.map((m) => [normalizeModName(m.name), m]));
  const deps = new Map<DepmodModule, DepmodModule[]>();
  for (const m of mods) {
    const list: DepmodModule[] = [];
    for (const raw of m.depends) {
      const d = byName.get(normalizeModName(raw));
      if (d === undefined) throw new DepmodError(`${m.path} needs module "${raw}", which is not in the set`);
      if (!list.includes(d)) list.push(d);
    }
    deps.set(m, list);
  }

  // Topological index: modules without users first (kmod pops its roots from the end of a stack).
  const users = new Map<DepmodModule, number>(mods.map((m) => [m, 0]));
  for (const m of mods) for (const d of deps.get(m) ?? []) users.set(d, (users.get(d) ?? 0) + 1);
  const roots = mods.filter((m) => users.get(m) === 0);
  const sortIdx = new Map<DepmodModule, number>();
  while (roots.length > 0) {
    const m = roots.pop()!;
    sortIdx.set(m, sortIdx.size);
    for (const d of deps.get(m) ?? []) {
      const left = (users.get(d) ?? 0) - 1;
      users.set(d, left);
      if (left === 0) roots.push(d);
    }
  }
  if (sortIdx.size < mods.length) {
    const cyclic = mods.filter((m) => !sortIdx.has(m)).map((m) => m.name);
    throw new DepmodError(`modules in a dependency cycle: ${cyclic.join(', ')}`);
  }

  /** Every module `m` needs, directly or not, once each, by topological index. */
  const closure = (m: DepmodModule): DepmodModule[] => {
    const seen = new Set<DepmodModule>();
    const walk = (x: DepmodModule): void => {
      for (const d of deps.get(x) ?? []) {
        if (seen.has(d)) continue;
        seen.add(d);
        walk(d);
      }
    };
    walk(m);
    return [...seen].sort((a, b) => sortIdx.get(a)! - sortIdx.get(b)!);
  };

  const dep = mods.map((m) => `${m.path}:${closure(m).map((d) => ` ${d.path}`).join('')}\n`).join('');
  const alias = mods.flatMap((m) => m.aliases.map((a) => `alias ${a} ${m.name}\n`)).join('');
  const softdep = mods.flatMap((m) => m.softdeps.map((s) => `softdep ${m.name} ${s}\n`)).join('');
  const symbols = mods.flatMap((m) => m.exports.map((s) => `alias symbol:${s} ${m.name}\n`)).join('');
  return {
    'modules.dep': dep,
    'modules.alias': `# Aliases extracted from modules themselves.\n${alias}`,
    'modules.softdep': `# Soft dependencies extracted from modules themselves.\n${softdep}`,
    'modules.symbols': `# Aliases for symbols, used by symbol_request().\n${symbols}`,
  };
}

/** The lines of modules.order (or modules.builtin) that name one of `paths`, in the file's order. */
export function filterModuleList(text: string, paths: ReadonlySet<string>): string {
  return text
    .split('\n')
    .filter((l) => paths.has(l))
    .map((l) => `${l}\n`)
    .join('');
}
