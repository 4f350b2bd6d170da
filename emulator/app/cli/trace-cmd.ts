/**
 * `qnxemu trace <file> [--filter EXPR] [--node N] [--layer L] [--pkt ID] [--from T] [--to T] [--format text|json]`:
 * print and filter a saved trace (docs/formats/trace.md, docs/debugger.md). The file is read line by line, twice
 * (emulator/app/debug/trace-stream.ts); a trace the writer cut ends with a record saying so, and a note on stderr
 * repeats it. `qnxemu trace <file> --hash` prints the file's `trace-hash` (the run's, for a whole file).
 */
import * as fs from 'node:fs';
import { once } from 'node:events';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { FilterError, parseFilter, type FilterNode } from '../debug/filter';
import { parseTimeArg } from '../debug/records';
import { formatRecord, recordTest, TraceFileError } from '../debug/trace-file';
import { eachRecord, hashTrace, scanTrace } from '../debug/trace-stream';
import { dropsOfFile } from '../debug/drops/file-drops';
import { dropsJson, formatDrops } from '../debug/drops/format';
import type { TraceRecord } from '../../machine/sim/trace';
import { formatTime } from '../../machine/sim/time';
import { sizeText } from '../assembly/trace-writer';
import type { CliServices } from './commands';
import { CliError, osReason } from './errors';

interface TraceCliOpts {
  filter?: string;
  node?: string[];
  layer?: string[];
  pkt?: number[];
  from?: number;
  to?: number;
  format: 'text' | 'json';
  hash?: boolean;
  drops?: boolean;
}

const list = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), ...v.split(',').filter(Boolean)];
function pktList(v: string, prev: number[] | undefined): number[] {
  const ids = v.split(',').map((x) => x.trim());
  if (!ids.every((x) => /^\d+$/.test(x) && Number.isSafeInteger(Number(x)))) throw new InvalidArgumentError('packet ids are integers (3 or 3,6)');
  return [...(prev ?? []), ...ids.map(Number)];
}
function timeArg(v: string): number {
  const t = parseTimeArg(v);
  if (t === null) throw new InvalidArgumentError('a time such as 1.5s, 250ms, 1.107849125 or 1107849125 (ns)');
  // Virtual time is an integer count of nanoseconds, exact up to 2^53−1 (until.ts): a later bound is refused.
  if (!Number.isSafeInteger(t)) throw new InvalidArgumentError(`${v} is past ${Number.MAX_SAFE_INTEGER} ns (about 104 days), the last time virtual time counts exactly in nanoseconds`);
  return t;
}

export function registerTrace(program: Command, services: CliServices): void {
  program
    .command('trace')
    .description('print and filter a saved trace (JSON lines)')
    .argument('<file>', 'trace file written by --trace')
    .option('--filter <expr>', 'packet filter, e.g. "icmp and host 10.0.0.2" (records of matching packets)')
    .option('--node <name>', 'only records of this node ("-" for links); repeat or comma-separate', list)
    .option('--layer <layer>', 'only this layer, or layer/probe; repeat or comma-separate', list)
    .option('--pkt <id>', 'only these packet ids; repeat or comma-separate', pktList)
    .option('--from <time>', 'only records at or after this virtual time', timeArg)
    .option('--to <time>', 'only records at or before this virtual time', timeArg)
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--hash', "print the trace-hash of the file's records instead of them (a whole trace's equals the run's)")
    .option('--drops', 'list the frames that did not reach their destination, grouped by cause, with why (docs/drops.md); takes --node, --from, --to')
    .action(async (file: string, o: TraceCliOpts) => {
      try {
        const selecting = ['filter', 'node', 'layer', 'pkt', 'from', 'to'].filter((k) => o[k as keyof TraceCliOpts] !== undefined);
        if (o.hash && selecting.length > 0) throw new CliError('--hash', `hashes every record of the file: it takes no --${selecting[0]}`);
        let filter: FilterNode | undefined;
        if (o.filter !== undefined) {
          try {
            filter = parseFilter(o.filter);
          } catch (e) {
            if (e instanceof FilterError) {
              process.stderr.write(`qnxemu: --filter: ${e.message}\n${e.pointer()}\n`);
              process.exitCode = 2;
              return;
            }
            throw e;
          }
        }
        try {
          fs.accessSync(file, fs.constants.R_OK);
          if (fs.statSync(file).isDirectory()) throw new CliError(`trace ${file}`, 'cannot read trace: it is a folder');
        } catch (e) {
          if (e instanceof CliError) throw e;
          throw new CliError(`trace ${file}`, `cannot read trace: ${osReason(e)}`);
        }
        if (o.hash) {
          hashFile(file);
          return;
        }
        if (o.drops) {
          const other = ['filter', 'layer', 'pkt'].find((k) => o[k as keyof TraceCliOpts] !== undefined);
          if (other) throw new CliError('--drops', `groups every drop of the file: it takes --node, --from and --to, not --${other}`);
          const rep = reportingBadLines(file, () => dropsOfFile(file, { nodes: o.node, from: o.from, to: o.to }));
          if (!rep) return;
          process.stdout.write(o.format === 'json' ? dropsJson(rep.report, rep.scope) + '\n' : formatDrops(rep.report, rep.scope).join('\n') + '\n');
          if (rep.cut) process.stderr.write(`qnxemu: note: ${cutNote(file, rep.cut)}\n`);
          return;
        }
        // Two passes over the file, line by line (a trace may be 1 GiB: docs/formats/trace.md "Size limit").
        const scan = reportingBadLines(file, () => scanTrace(file, filter !== undefined));
        if (!scan) return;
        const test = recordTest({ filter, nodes: o.node, layers: o.layer, pkts: o.pkt, from: o.from, to: o.to }, scan.index);
        let out: string[] = [];
        for (const l of eachRecord(file)) {
          if (!test(l.rec)) continue;
          out.push(o.format === 'json' ? l.text : formatRecord(l.rec, scan.nodeWidth));
          if (out.length >= 4096) {
            // A reader slower than the file (a pipe into less or grep): wait for it, so memory stays bounded.
            if (!process.stdout.write(out.join('\n') + '\n')) await once(process.stdout, 'drain');
            out = [];
          }
        }
        if (out.length > 0) process.stdout.write(out.join('\n') + '\n');
        if (scan.cut) process.stderr.write(`qnxemu: note: ${cutNote(file, scan.cut)}\n`);
      } catch (e) {
        services.fail(e);
      }
    });
}

/** `--hash`: one pass over the file; `trace-hash <hex>` on stdout, a note on stderr when the file was cut. */
function hashFile(file: string): void {
  const h = reportingBadLines(file, () => hashTrace(file));
  if (!h) return;
  process.stdout.write(`trace-hash ${h.hash}\n`);
  if (h.cut) process.stderr.write(`qnxemu: note: ${cutNote(file, h.cut)}; this hash covers those ${h.records} records, not the run's\n`);
}

/** What `qnxemu trace` says of a file the writer cut (its last record: layer trace, probe cut). */
export function cutNote(file: string, cut: TraceRecord): string {
  const f = cut.f ?? {};
  const limit = typeof f['limit'] === 'number' && f['limit'] > 0 ? `, --trace-limit ${sizeText(f['limit'])}` : '';
  const records = typeof f['records'] === 'number' ? `${f['records']} records` : 'the records';
  return `${file} was cut at t=${formatTime(cut.t)} (${String(f['reason'] ?? 'cut')}${limit}): it holds ${records} up to there; the rest of the run is not in it`;
}

/** Run a pass over a trace file; a bad line is reported as `qnxemu: FILE:LINE: problem` (exit status 1) and gives null. */
function reportingBadLines<T>(file: string, pass: () => T): T | null {
  try {
    return pass();
  } catch (e) {
    if (!(e instanceof TraceFileError)) throw e;
    process.stderr.write(`qnxemu: ${file}:${e.line}: ${e.problem}\n`);
    process.exitCode = 1;
    return null;
  }
}
