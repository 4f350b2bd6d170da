/**
 * `qnxemu run --capture <taps> [-w <file|->] [--capture-filter <expr>] [--capture-ring <size>]`: checks the
 * options before anything runs (one CliError line each), opens the output, hooks the capture onto the network
 * (RunOptions.onNetwork) and at the end says what was written. Outside the simulated world.
 *
 * -w defaults to `<scenario name>.pcapng` in the current folder (dumpcap's default is a temporary file; a
 * name that says which run it holds is easier to find). Live (no ring): blocks go out as frames happen.
 * Ring: nothing is written unless the run is interrupted (SIGINT, SIGTERM) or an expectation fails; a run that
 * passes leaves no file (and an existing file of that name untouched).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Scenario } from '../scenario/types';
import type { Network } from '../assembly/network';
import type { Simulation } from '../../machine/sim/simulation';
import { CliError, osReason } from '../cli/errors';
import { formatTime } from '../../machine/sim/time';
import { sizeText } from '../assembly/trace-writer';
import { Capture } from './capture';
import { FilterError, parseCaptureFilter } from './frame-filter';
import { BlockRing, parseRingSize } from './ring';
import { resolveTaps, tapTexts, TapError, type TapSpec } from './taps';
import { divertStdout, fifoOutput, fileOutput, isFifo, stdoutOutput, FIFO_WAIT_MS, type CaptureOutput } from './output';
import type { FilterNode } from '../debug/filter';

export interface CaptureCliOpts {
  capture?: string[];
  write?: string;
  captureFilter?: string;
  captureRing?: string;
}

export const CAPTURE_HELP = {
  capture: 'capture a link live into pcapng: <link> (every frame) or <link>:<node> (that node\'s frames); repeat or comma-separate (docs/capture.md)',
  write: 'with --capture: the pcapng file, a FIFO, or - for stdout (then all other output goes to stderr); default <scenario>.pcapng',
  filter: 'with --capture: keep only frames matching this debugger filter, e.g. "icmp and host 10.0.0.2"',
  ring: 'with --capture: keep only the last <size> (K, M, G: 20M) in memory; write it only if the run fails or is interrupted',
};

export const collectCapture = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

/** The parsed options shared by `run` and `test` (taps stay texts: each scenario resolves them). */
export interface CaptureRequest {
  taps: string[];
  filter: string | null;
  ring: number | null;
}

/**
 * Check --capture, --capture-filter, --capture-ring (not -w) as text; null when --capture is not given.
 * `allLinks` (qnxemu test): an empty --capture list means every link of each scenario.
 */
export function captureRequest(o: CaptureCliOpts, allLinks = false): CaptureRequest | null {
  if (!o.capture) {
    for (const [opt, v] of [['-w', o.write], ['--capture-filter', o.captureFilter], ['--capture-ring', o.captureRing]] as const)
      if (v !== undefined) throw new CliError(opt, 'goes with --capture <tap> (a link, or link:node)');
    return null;
  }
  const taps = tapTexts(o.capture);
  if (taps.length === 0 && !allLinks) throw new CliError('--capture', 'names no tap (a link, or link:node)');
  if (o.captureFilter !== undefined) captureFilter(o.captureFilter);
  let ring: number | null = null;
  if (o.captureRing !== undefined) {
    const r = parseRingSize(o.captureRing);
    if (typeof r === 'string') throw new CliError(`--capture-ring ${o.captureRing}`, r);
    ring = r;
  }
  return { taps, filter: o.captureFilter ?? null, ring };
}

/** The filter, or a CliError naming its column. */
export function captureFilter(text: string): FilterNode {
  try {
    return parseCaptureFilter(text);
  } catch (e) {
    if (e instanceof FilterError) throw new CliError('--capture-filter', `${e.message} (in "${text}")`);
    throw e;
  }
}

/** Resolve the taps against a scenario, as a CliError if one names nothing there. */
export function scenarioTaps(req: CaptureRequest, scenario: Scenario): TapSpec[] {
  try {
    return resolveTaps(req.taps, scenario);
  } catch (e) {
    if (e instanceof TapError) throw new CliError(e.what, e.problem);
    throw e;
  }
}

export interface CaptureSession {
  onNetwork(network: Network, sim: Simulation): void;
  /** Between simulation slices: let stdout drain; report an output that ended. */
  between(): Promise<void>;
  /** At the end: write the ring if asked, close, and return the summary lines. */
  finish(end: { failed: boolean; interrupted: string | null }): Promise<string[]>;
}

/** Set up `qnxemu run`'s capture; null without --capture. Throws CliError for any bad option. */
export async function openCaptureSession(o: CaptureCliOpts, scenario: Scenario): Promise<CaptureSession | null> {
  const req = captureRequest(o);
  if (!req) return null;
  const taps = scenarioTaps(req, scenario);
  const filter = req.filter !== null ? captureFilter(req.filter) : null;
  const target = o.write ?? `${scenario.name}.pcapng`;
  // Binary on a terminal helps nobody (dumpcap and tcpdump refuse it too).
  if (target === '-' && process.stdout.isTTY) throw new CliError('-w -', 'standard output is a terminal: pipe it (| tshark -i -, | wireshark -k -i -) or give a file');
  const raw = target === '-' ? divertStdout() : null;
  let out: CaptureOutput | null = null;
  const open = async (): Promise<CaptureOutput> => {
    if (raw) return stdoutOutput(raw);
    if (isFifo(target)) {
      process.stderr.write(`qnxemu: -w ${target}: a FIFO; waiting up to ${FIFO_WAIT_MS / 1000} s for a reader\n`);
      const f = await fifoOutput(target);
      if (!f) throw new CliError(`-w ${target}`, `no reader opened the FIFO within ${FIFO_WAIT_MS / 1000} s (start tshark -i ${target} or wireshark -k -i ${target} first)`);
      return f;
    }
    try {
      return fileOutput(target);
    } catch (e) {
      throw new CliError(`-w ${target}`, `cannot write there: ${osReason(e)}`);
    }
  };
  const ring = req.ring !== null ? new BlockRing(req.ring) : null;
  if (ring) checkRingTarget(target);
  else out = await open();
  let written = 0;
  let sim: Simulation | null = null;
  let told = false;
  const tellEnded = (): void => {
    if (told || !out?.ended) return;
    told = true;
    const at = sim ? ` at t=${formatTime(sim.queue.now)}` : '';
    process.stderr.write(`qnxemu: -w ${target}: ${out.ended}${at} after ${written} packets: the capture ended, the run goes on\n`);
  };
  const capture = new Capture({ taps, filter }, (block, header) => {
    if (ring) return header ? ring.pushHeader(block) : ring.push(block);
    if (!out || out.ended) return;
    out.write(block);
    if (!header && !out.ended) written++;
  });
  const tapNames = taps.map((t) => t.text).join(', ');
  return {
    onNetwork(network, s) {
      sim = s;
      capture.attach(network, s.queue);
    },
    async between() {
      await out?.drain();
      tellEnded();
    },
    async finish(end) {
      const left = capture.filtered > 0 ? `, ${capture.filtered} left out by --capture-filter` : '';
      if (!ring) {
        await out?.drain();
        out?.close();
        tellEnded();
        return [`capture ${target}: ${written} packets on ${tapNames}${left}${out?.ended ? ' (ended early)' : ''}`];
      }
      const held = `${ring.packets} of ${ring.total} packets, ${sizeText(ring.bytes)} of a ${sizeText(ring.limit)} ring`;
      const why = end.interrupted ? `the run was interrupted (${end.interrupted})` : end.failed ? 'an expectation failed' : null;
      if (!why) return [`capture ring: the run passed, no file written (the ring held the last ${held})`];
      out = await open();
      out.write(ring.contents());
      out.close();
      if (out.ended) return [`capture ring ${target}: not written: ${out.ended}`];
      return [`capture ring ${target}: ${why}: wrote the last ${held} on ${tapNames}${left}`];
    },
  };
}

/** A ring's -w is written only at the end: check now that it could be, without creating it. */
function checkRingTarget(target: string): void {
  if (target === '-' || isFifo(target)) return;
  try {
    if (fs.statSync(target).isDirectory()) throw new CliError(`-w ${target}`, 'is a folder, not a file');
  } catch (e) {
    if (e instanceof CliError) throw e;
  }
  const dir = path.dirname(path.resolve(target));
  try {
    fs.accessSync(fs.existsSync(target) ? target : dir, fs.constants.W_OK);
  } catch (e) {
    throw new CliError(`-w ${target}`, `cannot write there: ${osReason(e)}`);
  }
}
