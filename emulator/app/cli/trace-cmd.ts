/**
 * `qnxemu trace <file> [--filter EXPR] [--node N] [--layer L] [--pkt ID] [--from T] [--to T] [--format text|json]`:
 * print and filter a saved trace (docs/formats/trace.md, docs/debugger.md).
 */
import * as fs from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { FilterError, parseFilter } from '../debug/filter';
import { parseTimeArg } from '../debug/records';
import { formatRecord, parseTrace, selectRecords, TraceFileError } from '../debug/trace-file';
import type { CliServices } from './commands';
import { CliError, osReason } from './errors';
import { exitQuietlyOnEpipe } from './debug-cmd';

interface TraceCliOpts {
  filter?: string;
  node?: string[];
  layer?: string[];
  pkt?: number[];
  from?: number;
  to?: number;
  format: 'text' | 'json';
}

const list = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), ...v.split(',').filter(Boolean)];
function pktList(v: string, prev: number[] | undefined): number[] {
  const ids = v.split(',').map((x) => x.trim());
  if (!ids.every((x) => /^\d+$/.test(x))) throw new InvalidArgumentError('packet ids are integers (3 or 3,6)');
  return [...(prev ?? []), ...ids.map(Number)];
}
function timeArg(v: string): number {
  const t = parseTimeArg(v);
  if (t === null) throw new InvalidArgumentError('a time such as 1.5s, 250ms, 1.107849125 or 1107849125 (ns)');
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
    .action((file: string, o: TraceCliOpts) => {
      exitQuietlyOnEpipe();
      try {
        let filter;
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
        let text: string;
        try {
          text = fs.readFileSync(file, 'utf8');
        } catch (e) {
          throw new CliError(`trace ${file}`, `cannot read trace: ${osReason(e)}`);
        }
        let lines;
        try {
          lines = parseTrace(text);
        } catch (e) {
          if (e instanceof TraceFileError) {
            process.stderr.write(`qnxemu: ${file}:${e.line}: ${e.problem}\n`);
            process.exitCode = 1;
            return;
          }
          throw e;
        }
        const sel = selectRecords(lines, { filter, nodes: o.node, layers: o.layer, pkts: o.pkt, from: o.from, to: o.to });
        const width = Math.max(1, ...sel.map((l) => l.rec.node.length));
        const out = sel.map((l) => (o.format === 'json' ? l.text : formatRecord(l.rec, width)));
        if (out.length > 0) process.stdout.write(out.join('\n') + '\n');
      } catch (e) {
        services.fail(e);
      }
    });
}
