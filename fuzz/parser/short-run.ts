/**
 * Runs a scenario the parser fuzzers loaded for a short virtual time, through the path `qnxemu run` takes
 * (emulator/app/testing/api.ts `runScenarioChecked`: runTimeline with the actions, faults and expectations,
 * then the expectations evaluated), as `--until <ns>` would. A valid run may fail its expectations; what it may
 * not do is throw. A hang is bounded two ways: virtual time stops at `until`, and a run that emits more trace
 * records than RUN_TRACE_BOUND (a zero-time event storm) is stopped from inside the trace sink. A Node warning
 * during the run (a line the CLI would print beside the consoles) is a failure too.
 *
 * Guest nodes (Linux under v86) are not run here: they need `await prepareGuests` and a built guest image,
 * seconds per start; such scenarios are loaded only (fuzz/parser/scenario.ts says so in its description).
 */
import { runScenarioChecked } from '../../emulator/app/testing/api';
import type { Scenario } from '../../emulator/app/scenario/types';
import { capturingWarnings, exceptionLine } from './verdict';

/** Trace records a short run may emit. The shipped examples emit a few hundred in 200 ms of virtual time. */
export const RUN_TRACE_BOUND = 200_000;

class RunBound extends Error {}

export function hasGuests(sc: Scenario): boolean {
  return sc.nodes.some((n) => n.kind === 'guest');
}

/** Null if the run finished (whatever its expectations said), else the failure line. */
export function shortRun(sc: Scenario, untilNs: number): string | null {
  const until = Math.min(sc.until, untilNs);
  let records = 0;
  let bounded = false;
  const run = capturingWarnings(() => {
    try {
      runScenarioChecked(sc, {
        until,
        onTrace: () => {
          if (++records > RUN_TRACE_BOUND) {
            bounded = true;
            throw new RunBound(`more than ${RUN_TRACE_BOUND} trace records`);
          }
        },
      });
    } catch (e) {
      if (!bounded) return exceptionLine(e, `run (until ${until} ns)`);
    }
    return bounded ? `run (until ${until} ns): hang: more than ${RUN_TRACE_BOUND} trace records` : null;
  });
  const warning = run.warnings[0];
  return run.value ?? (warning === undefined ? null : `run (until ${until} ns): printed a Node warning: ${warning.split('\n')[0]}`);
}
