/**
 * `npm run profile` as a user runs it: dist/profile.js (jest's global setup builds it) in a child process, with
 * INIT_CWD set to `cwd` as npm sets it (relative paths are taken from there). Used by tests/bench/profile*.test.ts.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '../..');
export const PROFILE_CLI = path.join(REPO, 'dist/profile.js');

export function profileCli(args: string[], cwd = REPO): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [PROFILE_CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, INIT_CWD: cwd } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
