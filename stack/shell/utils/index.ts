/** The utilities the shell package provides, by program name. */
import type { ProgramMain } from '../../kernel/api';
import { sh } from '../sh';
import { cat } from './cat';
import { ls, sleep } from './files';
import { on } from './on';
import { pidin, slay } from './procs';
import { servicePrograms } from './stubs';
import { hostname, uname } from './system';
import { sloginfo } from './sloginfo';
import { spin } from './spin';

export const shellPrograms: Record<string, ProgramMain> = { sh, ksh: sh, uname, hostname, pidin, slay, ls, sleep, spin, cat, sloginfo, on, ...servicePrograms };
