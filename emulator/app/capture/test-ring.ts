/**
 * `qnxemu test --capture-ring <size> [--capture <taps>] [--capture-filter <expr>]`: each scenario runs with a
 * capture ring (ring.ts) in the process that runs it (a worker, or the CLI with --in-process); when its
 * expectations fail, the ring is written there to `<dir>/<scenario name>.pcapng` (`dir`: --artifacts, or the
 * current folder) and the path comes back in the outcome. A scenario that passes writes nothing. Without
 * --capture, every link of each scenario is a tap. A worker killed by Ctrl-C writes no ring (`qnxemu run
 * --capture-ring` writes one when interrupted).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Scenario } from '../scenario/types';
import type { Network } from '../assembly/network';
import type { Simulation } from '../../machine/sim/simulation';
import { Capture } from './capture';
import { BlockRing } from './ring';
import { captureFilter, scenarioTaps } from './session';

/** What a test request carries (plain data: it crosses to the worker as JSON). */
export interface RingRequest {
  /** Tap texts; empty: every link of the scenario. */
  taps: string[];
  filter: string | null;
  /** Ring size in bytes. */
  ring: number;
  /** Folder the ring files go to (absolute). */
  dir: string;
}

export interface ScenarioRing {
  onNetwork(network: Network, sim: Simulation): void;
  /** Write the ring to `<dir>/<scenario name>.pcapng`; returns the path. */
  write(): string;
  readonly ring: BlockRing;
}

/** A ring for one scenario (throws CliError if a tap names nothing in it). */
export function scenarioRing(req: RingRequest, scenario: Scenario): ScenarioRing {
  const texts = req.taps.length > 0 ? req.taps : scenario.links.map((l) => l.name);
  const taps = scenarioTaps({ taps: texts, filter: req.filter, ring: req.ring }, scenario);
  const ring = new BlockRing(req.ring);
  const capture = new Capture({ taps, filter: req.filter !== null ? captureFilter(req.filter) : null }, (b, header) =>
    header ? ring.pushHeader(b) : ring.push(b),
  );
  return {
    ring,
    onNetwork(network, sim) {
      capture.attach(network, sim.queue);
    },
    write() {
      fs.mkdirSync(req.dir, { recursive: true });
      const p = path.join(req.dir, `${scenario.name}.pcapng`);
      fs.writeFileSync(p, ring.contents());
      return p;
    },
  };
}
