/**
 * The `qnxemu` command tree, built without parsing anything or exiting: main.ts (the entry of dist/qnxemu.js)
 * parses process.argv with it; the CLI fuzzer (fuzz/parser/cli.ts) parses mutated argument vectors with it in
 * process, with commander's exitOverride and its output captured.
 *
 * A usage error (an unknown option or command, a missing or invalid argument) is one line on stderr, as every
 * other problem (docs/errors.md): `qnxemu: <commander's message> (qnxemu <command> --help: usage)`, with the
 * characters that would break the line (an argument can hold a newline) shown escaped.
 */
import { Command, type OutputConfiguration } from 'commander';
import { version } from '../../../package.json';
import { oneLine } from '../scenario/errors';
import { extraCommands, type CliServices } from './commands';
import { registerRunCommands } from './run-cmd';

export interface ProgramOptions {
  /** Where commander writes help and errors (default: process.stdout / process.stderr). */
  output?: Pick<OutputConfiguration, 'writeOut' | 'writeErr'>;
  /** Throw a CommanderError instead of calling process.exit (commander's exitOverride), on every command. */
  exitOverride?: boolean;
}

/** Every command of the tree, the program first. */
export function everyCommand(cmd: Command): Command[] {
  return [cmd, ...cmd.commands.flatMap((c) => everyCommand(c as Command))];
}

/** The command's name as typed: "qnxemu", "qnxemu guest build". */
function fullName(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** commander's error text ("error: unknown option '--x'\n") as qnxemu's one line. */
export function usageErrorLine(text: string, cmd: Command): string {
  const msg = oneLine(text.replace(/\n$/, '').replace(/^error: /, ''));
  return `qnxemu: ${msg} (${fullName(cmd)} --help: usage)\n`;
}

export function buildProgram(services: CliServices, opts: ProgramOptions = {}): Command {
  const program = new Command();
  program
    .name('qnxemu')
    .description('Full-system emulator of QNX networking hardware: NE2000 models, a board, a simulated io-pkt, one deterministic clock')
    .version(version, '-V, --version', 'print the qnxemu version');
  registerRunCommands(program, services);
  // Further subcommands live in their own files (emulator/app/cli/*-cmd.ts) and register here.
  for (const register of extraCommands) register(program, services);
  for (const cmd of everyCommand(program)) {
    cmd.configureOutput({ ...opts.output, outputError: (text, write) => write(usageErrorLine(text, cmd)) });
    if (opts.exitOverride) cmd.exitOverride();
  }
  return program;
}
