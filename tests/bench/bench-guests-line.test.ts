/**
 * The `bench guests-2-xfer` line (scripts/bench-guests.ts `guestsLine`) from given runs: the figure is the median of
 * the `--threads 2` rounds, the ratio the median of `--threads 1` over that, and every round's pair is listed. No
 * guest runs here: the timings are given.
 */
import { guestsLine, qemuLine, ratioCeiling, type Capacity, type CliRun, type QemuReference } from '../../scripts/bench-guests';
import { parseBenchLine } from '../../scripts/bench-line';

function run(seconds: number, xfer: number | null): CliRun {
  return { status: 0, stdout: '', stderr: '', seconds, xfer };
}

/** One single-guest run 10 s alone, two at once 12.5 s (the slower): 2 × 10 / 12.5 = 1.60× from a second thread. */
const MACHINE: Capacity = { alone: 10, pair: [12.25, 12.5] };

const NO_QEMU: QemuReference = { why: 'qemu-system-i386 is not installed' };

describe('bench guests-2-xfer line', () => {
  test('medians of the rounds, their ratio, every pair, the transfers', () => {
    // threads 1: 30, 24, 27 → median 27; threads 2: 18, 15, 13.5 → median 15; 27 / 15 = 1.80×.
    const ones = [run(30, 6.5), run(24, 6.0), run(27, 7.25)];
    const twos = [run(18, 5.0), run(15, 4.5), run(13.5, 4.0)];
    const line = guestsLine(ones, twos, run(16.25, 2.5), MACHINE, NO_QEMU);
    const f = parseBenchLine(line);
    expect([f?.name, f?.value, f?.unit]).toEqual(['guests-2-xfer', 15, 's wall']);
    expect(f?.context).toContain('medians of 3 alternating rounds: threads 1: 27.00 s, threads 2: 15.00 s, ratio X/Y = 1.80×');
    // Per round: 30/18 = 1.67×, 24/15 = 1.60×, 27/13.5 = 2.00×.
    expect(f?.context).toContain('rounds (threads 1 / threads 2): 30.00 / 18.00 s (1.67×), 24.00 / 15.00 s (1.60×), 27.00 / 13.50 s (2.00×)');
    // Transfer medians: threads 1 of 6.5, 6.0, 7.25 → 6.50; threads 2 of 5.0, 4.5, 4.0 → 4.50.
    expect(f?.context).toContain('xfer medians 6.50 s / 4.50 s');
    expect(f?.context).toContain('xfer threads 1 6.50 / 6.00 / 7.25 s, threads 2 5.00 / 4.50 / 4.00 s');
    expect(f?.context).toContain('--no-threads (single-threaded engine, one run): 16.25 s, xfer 2.50 s');
  });

  test('a run whose transfer was not timed: no medians of transfers, the missing one shown as ?', () => {
    const line = guestsLine([run(30, null)], [run(15, 4)], run(16, null), MACHINE, NO_QEMU);
    expect(line).toContain('xfer not timed in every run: no dd or rx exit line');
    expect(line).toContain('xfer threads 1 ? s, threads 2 4.00 s');
    expect(line).toContain('xfer ? s;');
    expect(line).toContain('ceiling not computed: the --no-threads transfer was not timed');
  });

  test('the machine line and the ceiling of the ratio, from the single-threaded run and the line', () => {
    // Single-threaded 16.25 s with a 2.5 s transfer; the line 1.60×: (16.25 − 2.5) / 1.6 + 2.5 / 2 = 8.59375 + 1.25 =
    // 9.84375 s at best for two threads, so 16.25 / 9.84375 = 1.65×.
    expect(ratioCeiling(run(16.25, 2.5), MACHINE)).toBeCloseTo(16.25 / 9.84375, 10);
    const line = guestsLine([run(30, 6)], [run(15, 4)], run(16.25, 2.5), MACHINE, NO_QEMU);
    expect(line).toContain('machine: one single-guest run 10.00 s alone, two at once 12.25 / 12.50 s: at most 1.60× from a second thread');
    expect(line).toContain("ceiling against a --threads 1 as fast as --no-threads: 1.65× (all but the transfer at the machine's line, the transfer halved)");
  });

  test('QEMU measured in the same run: its median, and how many times it threads 2 took', () => {
    // QEMU totals 7.5, 8.0, 7.75 → median 7.75 s; threads 2's median 15.5 s is 2.00× that.
    const qemu: QemuReference = {
      version: 'QEMU 7.2.19',
      runs: [
        { prompts: [6.5, 6.75], xfer: 0.75, total: 7.5 },
        { prompts: [7.0, 7.25], xfer: 0.5, total: 8.0 },
        { prompts: [6.75, 7.0], xfer: 0.7, total: 7.75 },
      ],
    };
    const line = guestsLine([run(30, 6), run(31, 6), run(29, 6)], [run(15.5, 4), run(16, 4), run(15, 4)], run(16.25, 2.5), MACHINE, qemu);
    expect(line).toContain("threads 2 took 2.00× QEMU 7.2.19's 7.75 s (median of 3, guests-2-qemu); the issue's QEMU 7.2 TCG reference: boot 6.95 s + 1 MiB 0.47 s");
    const f = parseBenchLine(qemuLine(qemu));
    expect([f?.name, f?.value, f?.unit]).toEqual(['guests-2-qemu', 7.75, 's wall']);
    expect(f?.context).toContain('the guests-2-xfer workload on QEMU 7.2.19 with TCG');
    expect(f?.context).toContain('median of 3 rounds alternating with guests-2-xfer\'s: 7.50 / 8.00 / 7.75 s');
    expect(f?.context).toContain('prompts (linux1 / linux2) 6.50 / 6.75, 7.00 / 7.25, 6.75 / 7.00 s');
    // Transfers 0.75, 0.5, 0.7 → median 0.70 s.
    expect(f?.context).toContain('xfer median 0.70 s (no wire timing)');
  });

  test('QEMU not installed or failed: guests-2-qemu is not measured, and guests-2-xfer says why', () => {
    const line = guestsLine([run(30, 6)], [run(15, 4)], run(16.25, 2.5), MACHINE, NO_QEMU);
    expect(line).toContain("QEMU not measured in this run (qemu-system-i386 is not installed); the issue's QEMU 7.2 TCG reference");
    expect(qemuLine(NO_QEMU)).toBe('bench guests-2-qemu: not measured (qemu-system-i386 is not installed)');
    const f = parseBenchLine(qemuLine(NO_QEMU));
    expect([f?.name, f?.value]).toEqual(['guests-2-qemu', null]);
  });
});
