/**
 * The argument vectors of the `parser/cli` fuzzer: the README's own command lines (README "A five-minute tour",
 * "Command reference"; docs/errors.md) as the corpus, hostile values as data, and mutation operators on a
 * vector. Options are taken from the command tree itself (commander's `options` of each command), so a new
 * option is fuzzed without editing this file. Every choice comes from the seeded Rng.
 *
 * No vector holds a NUL: execve(2) passes arguments as NUL-terminated strings, so no user can type one.
 */
import type { Command } from 'commander';
import type { Rng } from '../../emulator/machine/sim/rng';
import { pick } from './text-ops';

/** Command lines from the README and docs/errors.md, without `npx qnxemu`. */
export const CLI_CORPUS: readonly (readonly string[])[] = [
  ['boot'],
  ['boot', '--pcap', 'out', '--trace', 'out/trace.jsonl', '--timestamps'],
  ['run', 'docs/examples/ping.yaml', '--until', '5s'],
  ['run', 'docs/examples/qnet.yaml', '--pcap', 'out'],
  ['run', 'docs/examples/tcp-transfer.yaml', '--pcap', 'out', '--seed', '7'],
  ['run', 'docs/examples/ping.yaml', '--trace', 'out/t.jsonl', '--trace-limit', '10K', '--verbose-trace', '--no-color'],
  ['run', 'docs/examples/ping.yaml', '--until', '100000000'],
  ['test', 'tests/scenarios', '--junit', 'out/junit.xml', '--artifacts', 'out/art', '--jobs', '2'],
  ['test', 'docs/examples/ping.yaml', '--in-process', '--no-progress', '--seed', '3', '--trace-limit', '2G'],
  ['debug', 'docs/examples/ping.yaml', '--commands', 'docs/examples/ping.debug'],
  ['debug', 'docs/examples/ping.yaml', '--no-lookahead', '--lookahead-records', '1000', '--until', '2s', '--seed', '1'],
  ['trace', 'out/trace.jsonl', '--filter', 'icmp and host 10.0.0.2'],
  ['trace', 'out/trace.jsonl', '--pkt', '3', '--node', 'alpha,beta', '--layer', 'nic', '--from', '1.5s', '--to', '2s', '--format', 'json'],
  ['console', 'docs/examples/guest-ne2k-pci.yaml', 'linux1'],
  ['console', 'docs/examples/ping.yaml', 'alpha', '--until', '10s', '--speed', '4', '--seed', '2'],
  ['guest', 'build', '--cache', '/tmp/cache', '--force', '--no-progress'],
  ['web', 'docs/examples/ping.yaml', '--port', '0', '--host', '127.0.0.1'],
  ['web', 'docs/examples/ping.yaml', '--out', 'site', '--seed', '2', '--until', '2s'],
  ['web', 'out/art/ping.bundle.json', '--open'],
  ['--version'],
  ['help', 'run'],
];

/** Values that replace an argument or follow an option: numbers, sizes, times, paths, unicode, blanks. */
export const CLI_VALUES: readonly string[] = [
  // numbers at the edges of the ranges the options use (32-bit seeds, safe integers), and non-numbers
  '0', '1', '-1', '2', '1.5', '1e3', '0x10', '+5', '4294967295', '4294967296', '9007199254740991', '9007199254740993',
  '99999999999999999999', 'NaN', 'Infinity', '-0', ' 7', '7 ', '00', '1_000',
  // times
  '10s', '250ms', '1.5s', '0s', '-5s', '1ns', '1us', '2m', '200000000s', '1e9', 'banana', '5 s', '.5s',
  // sizes
  '500M', '2G', '2g', '1T', '10K', '100', '12Q', '99999999T', '0K', '1.5G',
  // paths: missing, folders, devices, odd names
  'nosuch.yaml', '/nonexistent/dir/x.yaml', '/', '.', '..', 'docs', 'docs/examples', '/dev/null', '/dev/full',
  '/proc/self', 'docs/examples/ping.yaml', 'docs/examples/ping.debug', '~/x', '-', '--', '-x', '--x=y', '=',
  // unicode, controls a shell can pass, blanks
  '', ' ', 'é', '名前', '\u202eevil', '😀', 'a\u0301', 'tab\there', 'line\nbreak', 'cr\rhere', '\u001b[31mred', '\u0085', '\u2028',
  // names of things
  'alpha', 'beta', 'linux1', 'hub0', 'text', 'json', 'xml', 'icmp and', 'host 10.0.0.2',
];

/** A subcommand name, a near miss or an unknown word. */
const COMMAND_WORDS: readonly string[] = ['run', 'boot', 'test', 'debug', 'trace', 'console', 'guest', 'build', 'web', 'help', '__test-worker', 'Run', 'rn', 'tests', ''];

/** Every option flag of `cmd` and its ancestors (`--seed`, `-V`, `--no-color`, `--help`). */
export function optionFlags(cmd: Command): string[] {
  const out: string[] = ['--help', '-h'];
  for (let c: Command | null = cmd; c; c = c.parent) for (const o of c.options) out.push(...[o.long, o.short].filter((f): f is string => !!f));
  return out;
}

/** One operator: the mutated vector, or null when it does not apply. `find(argv)` gives the command it reaches. */
export interface ArgvMutator {
  readonly name: string;
  apply(argv: string[], rng: Rng, find: (argv: readonly string[]) => Command): string[] | null;
}

const at = (argv: readonly string[], rng: Rng): number => rng.below(argv.length + 1);
const value = (rng: Rng): string => (rng.chance(0.9) ? pick(rng, CLI_VALUES) : 'x'.repeat(1 + rng.below(5000)));

/** A near-miss spelling of an option: a dash too many or few, case, a letter lost, doubled or swapped, `=`. */
function nearMiss(flag: string, rng: Rng): string {
  const body = flag.replace(/^-+/, '');
  const i = rng.below(Math.max(1, body.length));
  switch (rng.below(7)) {
    case 0: return `-${flag}`;
    case 1: return flag.startsWith('--') ? flag.slice(1) : `-${flag}`;
    case 2: return flag.toUpperCase();
    case 3: return flag.replace(body, body.slice(0, i) + body.slice(i + 1));
    case 4: return flag.replace(body, body.slice(0, i) + (body[i] ?? '') + body.slice(i));
    case 5: return `${flag}=`;
    default: return flag.replace(/-/g, '_').replace(/^__?/, (m) => m.replace(/_/g, '-'));
  }
}

export const ARGV_MUTATORS: readonly ArgvMutator[] = [
  { name: 'drop-arg', apply: (a, rng) => (a.length === 0 ? null : (a.splice(rng.below(a.length), 1), a)) },
  { name: 'duplicate-arg', apply: (a, rng) => (a.length === 0 ? null : ((i) => (a.splice(i, 0, a[i]!), a))(rng.below(a.length))) },
  {
    name: 'swap-args',
    apply: (a, rng) => {
      if (a.length < 2) return null;
      const i = rng.below(a.length);
      const j = rng.below(a.length);
      [a[i], a[j]] = [a[j]!, a[i]!];
      return a;
    },
  },
  { name: 'replace-arg', apply: (a, rng) => (a.length === 0 ? null : ((a[rng.below(a.length)] = value(rng)), a)) },
  { name: 'insert-value', apply: (a, rng) => (a.splice(at(a, rng), 0, value(rng)), a) },
  {
    name: 'insert-option',
    apply: (a, rng, find) => {
      const flag = pick(rng, optionFlags(find(a)));
      const how = rng.below(4);
      const words = how === 0 ? [flag] : how === 1 ? [`${flag}=${value(rng)}`] : [flag, value(rng)];
      a.splice(at(a, rng), 0, ...words);
      return a;
    },
  },
  {
    name: 'near-miss-option',
    apply: (a, rng) => {
      const opts = a.map((w, i) => [w, i] as const).filter(([w]) => w.startsWith('-') && w.length > 1);
      if (opts.length === 0) return null;
      const [w, i] = pick(rng, opts);
      a[i] = nearMiss(w, rng);
      return a;
    },
  },
  { name: 'command-word', apply: (a, rng) => (a.length === 0 ? [pick(rng, COMMAND_WORDS)] : ((a[rng.below(Math.min(2, a.length))] = pick(rng, COMMAND_WORDS)), a)) },
  { name: 'double-dash', apply: (a, rng) => (a.splice(at(a, rng), 0, '--'), a) },
  { name: 'short-cluster', apply: (a, rng) => (a.splice(at(a, rng), 0, pick(rng, ['-Vh', '-hV', '-x', '-', '-V5', '-h=1', '---'])), a) },
  { name: 'truncate', apply: (a, rng) => (a.length === 0 ? null : a.slice(0, rng.below(a.length))) },
];
