/**
 * Whether the command line colours its output, by the common conventions: `--no-color` first; then NO_COLOR
 * (https://no-color.org: present and not empty = no colour, whatever the terminal); then FORCE_COLOR as chalk's
 * supports-color reads it ("0"/"false" = none, any other value = colour even into a pipe); otherwise colour
 * only on a terminal. Console prefixes use a chalk instance at the level decided here, so the decision holds
 * whatever chalk guessed from the environment.
 */
import { Chalk, type ChalkInstance } from 'chalk';

export function useColour(flag: boolean | undefined, env: NodeJS.ProcessEnv = process.env, tty = !!process.stdout.isTTY): boolean {
  if (flag === false) return false;
  const noColor = env['NO_COLOR'];
  if (noColor !== undefined && noColor !== '') return false;
  const force = env['FORCE_COLOR'];
  if (force !== undefined) return !(force === '0' || force === 'false');
  return tty;
}

/** A chalk that colours (basic 16 colours) or not, as `on` says. */
export function colourer(on: boolean): ChalkInstance {
  return new Chalk({ level: on ? 1 : 0 });
}
