/**
 * cat, ls and sloginfo as the shell runs them: files and directories through the C library's pathname calls
 * to procnto (and a test resource manager that redirects), the system log in sloginfo's layout.
 */
import type { ProgramMain } from '../../stack/kernel/api';
import { defaultPrograms } from '../../stack/programs';
import { rig, run, type Rig } from '../kernel/helpers';
import { fsServer, text } from '../lib/connect-fs';

const HOSTS = '127.0.0.1 localhost\n10.0.0.2 beta\n';

/** Writes two log lines: severity 5 at 3 s, severity 7 at 4.5 s (major 14), then exits. */
const logger: ProgramMain = function* (ctx) {
  yield* ctx.sleep(3_000_000_000);
  ctx.slogf?.(14, 5, 'qnet: node beta up (nd 3) on en0');
  yield* ctx.sleep(1_500_000_000);
  ctx.slogf?.(14, 7, 'qnet: tick');
  return 0;
};

function shell(script: string, extra: Record<string, ProgramMain> = {}, start: string[] = []): Rig {
  const r = rig({ ...Object.fromEntries(defaultPrograms()), logger, ...extra }, { hostname: 'alpha' });
  r.k.addBootFiles(['/etc/hosts'], { '/etc/hosts': HOSTS });
  for (const s of start) r.k.spawn({ argv: [s] });
  r.k.spawn({ argv: ['sh', '-c', script] });
  run(r, 60_000_000_000);
  return r;
}

describe('cat', () => {
  test('prints files; a missing one is reported and the status is 1; no operand: usage', () => {
    const r = shell('cat /etc/hosts; echo status=$?; cat /etc/missing /etc/hosts; echo status=$?; cat; echo status=$?');
    expect(r.console()).toBe(
      `${HOSTS}status=0\ncat: /etc/missing: No such file or directory\n${HOSTS}status=1\n` +
        'cat: no standard input in this simulation\nusage: cat [-u] [file ...]\nstatus=1\n',
    );
  });

  test('follows a redirect to another server and reads a file larger than one 4 KiB read', () => {
    const big = 'x'.repeat(5000) + '\n';
    const b = fsServer('/b', { '': { kind: 'dir' }, big: { kind: 'file', data: text(big) } });
    const a = fsServer('/a', { '': { kind: 'dir' }, link: { kind: 'redirect', to: () => ({ nd: 0, pid: b.where.pid, chid: b.where.chid, prefix: '/b', rest: 'big' }) } });
    const r = shell('sleep 0.01; cat /a/link', { a: a.main, b: b.main }, ['a', 'b']);
    expect(r.console()).toBe(big);
    // 5001 bytes: 4096 + 905, then the empty read.
    expect(b.log).toEqual(['open /b/big', 'read 4096', 'read 4096', 'read 4096', 'close']);
  });

  test('a path nobody serves: procnto answers ENOENT', () => {
    const r = shell('cat /nonexistent/dir; echo status=$?');
    expect(r.console()).toBe('cat: /nonexistent/dir: No such file or directory\nstatus=1\n');
  });
});

describe('ls', () => {
  test('directories procnto synthesizes, files, several operands, errors', () => {
    const r = shell('ls /; ls /etc; ls -1 /etc /proc; ls /etc/hosts; ls /nope; echo status=$?');
    // '/': the first components of the registered paths (/dev/*, /etc/hosts, /proc/*), 4 + 2 columns wide.
    expect(r.console()).toBe('dev   etc   proc\nhosts\n/etc:\nhosts\n/proc:\nboot\n/etc/hosts\nls: No such file or directory (/nope)\nstatus=1\n');
  });

  test('a resource manager\'s directory: its dirents, C-locale order', () => {
    const fs = fsServer('/srv', { '': { kind: 'dir' }, b: { kind: 'dir' }, a: { kind: 'file', data: text('') }, Z: { kind: 'file', data: text('') } });
    const r = shell('sleep 0.01; ls /srv', { fs: fs.main }, ['fs']);
    expect(r.console()).toBe('Z  a  b\n');
  });
});

describe('sloginfo', () => {
  test('the header and one line per entry; -t adds milliseconds; -s filters by severity, -m by major code', () => {
    const r = shell('sleep 5; sloginfo; sloginfo -t -s 5; sloginfo -m 15; sloginfo -s 9; echo status=$?', {}, ['logger']);
    expect(r.console()).toBe(
      'Time             Sev Major Minor Args\n' +
        'Jan 01 00:00:03    5    14     0 qnet: node beta up (nd 3) on en0\n' +
        'Jan 01 00:00:04    7    14     0 qnet: tick\n' +
        'Time                 Sev Major Minor Args\n' +
        'Jan 01 00:00:03.000    5    14     0 qnet: node beta up (nd 3) on en0\n' +
        'Time             Sev Major Minor Args\n' +
        "sloginfo: bad severity '9' (0..7)\nusage: sloginfo [-t] [-h] [-m major] [-s 0..7]\nstatus=1\n",
    );
  });
});
