/**
 * `npm run bench`: every figure measured side by side in one run and printed as one line
 * `bench <name>: <value> <unit> (<context>)` (scripts/bench-line.ts; docs/performance.md), in this order:
 *
 * 1. Issue 15's table: `queue-hold`, `queue-hold-floor` (bench-queue.ts), `ne2000-flood`, `ne2000-flood-trace`
 *    (bench-flood.ts), `nodes-1000` (bench-nodes.ts), `guest-restore` (bench-guest-restore.ts), `guest-pings`
 *    (bench-guest.ts, with the two wall times behind the ratio).
 * 2. The figures that came before: `event-queue-64`, the gigabit UDP stream, 802.11g saturation (bench-sims.ts),
 *    CCMP's cost per frame (bench-ccmp.ts), TCP bulk transfers (bench-tcp.ts), the router (bench-router.ts), Qnet
 *    (bench-qnet.ts), two guests with `--threads 1` and `--threads 2` (`guests-2-xfer`, bench-guests.ts) and the same
 *    workload under QEMU when it is installed (`guests-2-qemu`, bench-qemu.ts), one guest's
 *    boot with V8's wasm compilers as qnxemu sets them and as V8 would (`guest-boot-liftoff`, bench-wasm-tiers.ts), the
 *    guest boots, cold and from a snapshot (measured with the guest pings), and what starting the CLI costs
 *    (`cli-start`, `cli-run-ping`: bench-cli.ts).
 * 3. A summary table of issue 15's targets: name, value, target, met / not met.
 *
 * A part that fails prints `bench <name>: not measured (<why>)` for its figures and the run goes on; the exit
 * status is 1 only if a part crashed (a target not met is a result, not a failure). Wall-clock reads are fine
 * here: the benchmark stands outside the simulated world and only observes it.
 *
 * `--only <name,...>` (e.g. `node dist/bench.js --only ne2000-flood,ne2000-flood-trace`) runs only the parts that
 * print one of the named figures, and no targets' table; an unknown name is one line on stderr and exit status 2.
 */
import * as os from 'node:os';
import { judgeTargets, notMeasured, parseBenchLine, summaryTable, type BenchFigure } from './bench-line';
import { benchQueueLines } from './bench-queue';
import { benchFloodLine, benchFloodTraceLine, FLOOD_WARM_UP_NS, runFlood, type FloodRun } from './bench-flood';
import { benchNodesLines } from './bench-nodes';
import { benchGuestRestoreLines } from './bench-guest-restore';
import { benchGuest, type GuestFigures } from './bench-guest';
import { benchQueue64Line, benchGigabitLines, benchWifiLines } from './bench-sims';
import { benchCcmp } from './bench-ccmp';
import { benchTcpLines } from './bench-tcp';
import { benchRouterLines } from './bench-router';
import { benchQnetLines } from './bench-qnet';
import { benchGuestsLines } from './bench-guests';
import { benchWasmTiersLines } from './bench-wasm-tiers';
import { benchCliLines } from './bench-cli';

const figures: BenchFigure[] = [];
let crashed = false;

/** Every figure name a part prints (for `--only`), in the order printed. */
const ALL_NAMES = [
  'queue-hold', 'queue-hold-floor', 'ne2000-flood', 'ne2000-flood-trace', 'nodes-1000', 'nodes-1000-cpu', 'nodes-1000-startup',
  'guest-restore', 'guest-pings', 'guest-pings-ours', 'guest-pings-builtin', 'event-queue-64',
  'gigabit-udp-pci-33-32', 'gigabit-udp-pci-33-32-speed', 'gigabit-udp-pci-66-64', 'gigabit-udp-pci-66-64-speed',
  'wifi-80211g-udp', 'wifi-80211g-udp-speed', 'ccmp-station-engine', 'ccmp-station-software', 'ccmp-ap-engine', 'ccmp-ap-software',
  'tcp-ne2000', 'tcp-ne2000-speed', 'tcp-bcm5701', 'tcp-bcm5701-speed',
  'router-1cpu', 'router-1cpu-speed', 'router-2cpu', 'router-2cpu-speed', 'router-2cpu-over-1cpu',
  'qnet-messages', 'qnet-round-trip', 'qnet-speed', 'guests-2-xfer', 'guests-2-qemu', 'guest-boot-liftoff', 'guest-boot-cold', 'guest-boot-snapshot', 'guest-boot-builtin-cold',
  'cli-start', 'cli-run-ping',
];

/** The figures named by `--only` (null: all). Exits with one line for an unknown name or a missing list. */
function onlyNames(argv: readonly string[]): Set<string> | null {
  const i = argv.indexOf('--only');
  if (i < 0) return null;
  const list = argv[i + 1];
  const names = list === undefined || list.startsWith('--') ? [] : list.split(',').filter((n) => n.length > 0);
  const unknown = names.filter((n) => !ALL_NAMES.includes(n));
  if (names.length === 0 || unknown.length > 0) {
    console.error(
      names.length === 0
        ? 'bench: --only needs a comma-separated list of figure names, e.g. --only ne2000-flood,ne2000-flood-trace'
        : `bench: --only: unknown figure ${unknown.map((n) => `'${n}'`).join(', ')} (known: ${ALL_NAMES.join(', ')})`,
    );
    process.exit(2);
  }
  return new Set(names);
}
const only = onlyNames(process.argv.slice(2));

function print(lines: readonly string[]): void {
  for (const l of lines) {
    console.log(l);
    const f = parseBenchLine(l);
    if (f) figures.push(f);
  }
}

function reason(e: unknown): string {
  return e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message.split('\n')[0]}` : String(e);
}

/** Run one part; if it throws, its figures are printed as not measured, with the error. */
async function part(names: readonly string[], measure: () => string[] | Promise<string[]>, alsoFor: readonly string[] = []): Promise<void> {
  if (only && ![...names, ...alsoFor].some((n) => only.has(n))) return;
  try {
    print(await measure());
  } catch (e) {
    crashed = true;
    print(names.map((n) => notMeasured(n, `the bench failed: ${reason(e)}`)));
  }
}

/** The hold workload's rate in events/s, for the flood's share (null if not measured). */
function holdRate(): number | null {
  const f = figures.find((x) => x.name === 'queue-hold');
  return f && f.value !== null && f.unit === 'M events/s' ? f.value * 1e6 : null;
}

async function main(): Promise<void> {
  const cpus = os.cpus();
  console.log(
    `npm run bench on ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ` +
      `Node ${process.version} ${process.platform}/${process.arch}; every figure below is from this one run`,
  );

  await part(['queue-hold', 'queue-hold-floor'], benchQueueLines);

  let plain: FloodRun | null = null;
  await part(['ne2000-flood'], () => {
    runFlood(undefined, FLOOD_WARM_UP_NS);
    plain = runFlood(undefined);
    return [benchFloodLine(plain, holdRate())];
  });
  await part(['ne2000-flood-trace'], () => {
    if (!plain) runFlood(undefined, FLOOD_WARM_UP_NS); // --only ne2000-flood-trace: the warm-up the plain run did
    return [benchFloodTraceLine(plain).line];
  });

  await part(['nodes-1000', 'nodes-1000-cpu', 'nodes-1000-startup'], benchNodesLines);

  await part(['guest-restore'], () => benchGuestRestoreLines());

  let guest: GuestFigures | null = null;
  const guestBoot = ['guest-boot-cold', 'guest-boot-snapshot', 'guest-boot-builtin-cold'];
  await part(['guest-pings', 'guest-pings-ours', 'guest-pings-builtin'], async () => {
    guest = await benchGuest();
    return guest.pings;
  }, guestBoot);

  await part(['event-queue-64'], () => [benchQueue64Line()]);
  await part(['gigabit-udp-pci-33-32', 'gigabit-udp-pci-33-32-speed', 'gigabit-udp-pci-66-64', 'gigabit-udp-pci-66-64-speed'], benchGigabitLines);
  await part(['wifi-80211g-udp', 'wifi-80211g-udp-speed'], benchWifiLines);
  await part(['ccmp-station-engine', 'ccmp-station-software', 'ccmp-ap-engine', 'ccmp-ap-software'], benchCcmp);
  await part(['tcp-ne2000', 'tcp-ne2000-speed', 'tcp-bcm5701', 'tcp-bcm5701-speed'], benchTcpLines);
  await part(['router-1cpu', 'router-1cpu-speed', 'router-2cpu', 'router-2cpu-speed', 'router-2cpu-over-1cpu'], benchRouterLines);
  await part(['qnet-messages', 'qnet-round-trip', 'qnet-speed'], benchQnetLines);
  await part(['guests-2-xfer', 'guests-2-qemu'], benchGuestsLines);
  await part(['guest-boot-liftoff'], benchWasmTiersLines);

  // Measured with the guest pings above (one guest boot serves both); printed here, in the order of the list.
  const g = guest as GuestFigures | null;
  if (!only || guestBoot.some((n) => only.has(n))) print(g ? g.boot : guestBoot.map((n) => notMeasured(n, 'the guest bench failed (see guest-pings)')));
  await part(['cli-start', 'cli-run-ping'], benchCliLines);

  if (!only) {
    console.log('');
    console.log("issue 15's targets (this run):");
    for (const l of summaryTable(judgeTargets(figures))) console.log(l);
  }
  process.exitCode = crashed ? 1 : 0;
}

// `npm run bench | head`: the reader went away (EPIPE); stop at once with 141 (128 + SIGPIPE) rather than measure on.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(141);
});

main().catch((e: unknown) => {
  console.log(`bench: crashed: ${reason(e)}`);
  process.exitCode = 1;
});
