import type { Command } from 'commander';
import { registerGuestCommand } from './guest-cmd';
import { registerDebug } from './debug-cmd';
import { registerTrace } from './trace-cmd';
import { registerTestCommand } from './test-cmd';
import { registerConsoleCommand } from './console-cmd';
import { registerWebCommand } from '../web/web-cmd';

/** Shared helpers a subcommand gets. */
export interface CliServices {
  /** Print an error (LocatedError as file:line:col: problem) and exit 1. */
  fail(e: unknown): never;
}

export type RegisterCommand = (program: Command, services: CliServices) => void;

/**
 * Subcommands beyond run/boot. Each lives in its own file and is listed here, so features can be added
 * without editing main.ts.
 */
export const extraCommands: RegisterCommand[] = [registerGuestCommand, registerDebug, registerTrace, registerTestCommand, registerConsoleCommand, registerWebCommand];
