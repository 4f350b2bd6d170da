/**
 * The C library's pathname calls (stack/lib/connect.ts) against test resource managers on one node
 * (tests/lib/connect-fs.ts) and procnto's own channel: directory and file reads in DIRBUF pieces, redirect
 * chains, ELOOP after MAX_REDIRECTS, errors; and, with a fake ThreadCtx, the ND rules of redirects that come
 * over a remote connection.
 */
import { Errno, KernelError, type Co, type Message, type ProgramMain, type Reply, type ThreadCtx } from '../../stack/kernel/api';
import { LocalStore } from '../../stack/kernel/local';
import { redirectReply, type ConnectRedirect } from '../../stack/include/sys/iomsg';
import { DIRBUF, ELOOP, MAX_REDIRECTS, close, fstat, isDir, open, read, readdir, stat } from '../../stack/lib/connect';
import { errno } from '../../stack/lib/socket';
import { rig, run } from '../kernel/helpers';
import { fsServer, text, type FsNode } from './connect-fs';

/** Runs `body` as a program on a node with the given servers started first; returns what it recorded. */
function onNode(servers: Record<string, ProgramMain>, body: (ctx: ThreadCtx, out: unknown[]) => Co<void>): unknown[] {
  const out: unknown[] = [];
  const client: ProgramMain = function* (ctx) {
    yield* ctx.sleep(1_000_000);
    yield* body(ctx, out);
    return 0;
  };
  const r = rig({ ...servers, client });
  for (const name of Object.keys(servers)) r.k.spawn({ argv: [name] });
  r.k.spawn({ argv: ['client'] });
  run(r, 1_000_000_000);
  return out;
}

/** struct dirent's record length for a name (include/dirent.ts: 12-byte header + name + NUL, 4-aligned). */
const reclen = (name: string): number => (12 + name.length + 1 + 3) & ~3;

describe('open/readdir/read/fstat/close over messages', () => {
  test('a directory of 300 entries is read in DIRBUF pieces until a read returns 0 bytes', () => {
    const tree: Record<string, FsNode> = { '': { kind: 'dir' } };
    const names = Array.from({ length: 300 }, (_, i) => `f${String(i).padStart(3, '0')}-0123456789abcd`);
    for (const n of names) tree[n] = { kind: 'file', data: text(n) };
    const fs = fsServer('/fs', tree);
    const out = onNode({ fs: fs.main }, function* (ctx, o) {
      const fd = yield* open(ctx, '/fs');
      const st = yield* fstat(ctx, fd);
      o.push(fd > 0, st && isDir(st), yield* readdir(ctx, fd), yield* close(ctx, fd));
    });
    // Each 19-character name takes (12 + 19 + 1 + 3) & ~3 = 32 bytes; 4096 / 32 = 128 records a read:
    // 128 + 128 + 44 = 300, then a read that returns 0 ends readdir: 4 _IO_READs.
    expect(reclen(names[0]!)).toBe(32);
    const perRead = Math.floor(DIRBUF / 32);
    const reads = Math.ceil(names.length / perRead) + 1;
    expect(perRead).toBe(128);
    expect(out).toEqual([true, true, names, 0]);
    expect(fs.log).toEqual(['open /fs', 'stat', ...Array<string>(reads).fill(`read ${DIRBUF}`), 'close']);
  });

  test('a 10000-byte file comes in reads of 4096, 4096, 1808 and an empty one', () => {
    const data = Uint8Array.from({ length: 10_000 }, (_, i) => i & 0xff);
    const fs = fsServer('/fs', { '': { kind: 'dir' }, big: { kind: 'file', data } });
    const out = onNode({ fs: fs.main }, function* (ctx, o) {
      const fd = yield* open(ctx, '/fs/big');
      const lens: number[] = [];
      const got: number[] = [];
      for (;;) {
        const b = yield* read(ctx, fd, DIRBUF);
        if (!b || b.length === 0) break;
        lens.push(b.length);
        got.push(...b);
      }
      o.push(lens, Uint8Array.from(got), yield* stat(ctx, '/fs/big'));
      yield* close(ctx, fd);
    });
    // 10000 = 4096 + 4096 + 1808.
    expect(out).toEqual([[4096, 4096, 10_000 - 2 * 4096], data, { mode: 0o100644, size: 10_000 }]);
  });

  test('a redirect is followed: a second server answers for prefix/rest; the first connection gets no _IO_CLOSE (no OCB)', () => {
    const b = fsServer('/b', { '': { kind: 'dir' }, target: { kind: 'file', data: text('hello from b\n') } });
    const a = fsServer('/a', { '': { kind: 'dir' }, link: { kind: 'redirect', to: () => ({ nd: 0, pid: b.where.pid, chid: b.where.chid, prefix: '/b', rest: 'target' }) } });
    const out = onNode({ a: a.main, b: b.main }, function* (ctx, o) {
      const fd = yield* open(ctx, '/a/link');
      const bytes = yield* read(ctx, fd, 100);
      o.push(bytes && String.fromCharCode(...bytes), yield* close(ctx, fd));
    });
    expect(out).toEqual(['hello from b\n', 0]);
    expect(a.log).toEqual(['open /a/link']);
    expect(b.log).toEqual(['open /b/target', 'read 100', 'close']);
  });

  test(`a redirect loop fails with ELOOP (${ELOOP}) after ${MAX_REDIRECTS} redirects`, () => {
    // The server redirects /loop/x to itself: its pid/chid are known once it runs.
    const tree: Record<string, FsNode> = {};
    const srv = fsServer('/loop', tree);
    tree.x = { kind: 'redirect', to: (): ConnectRedirect => ({ nd: 0, pid: srv.where.pid, chid: srv.where.chid, prefix: '/loop', rest: 'x' }) };
    const out = onNode({ srv: srv.main }, function* (ctx, o) {
      o.push(yield* open(ctx, '/loop/x'), errno(ctx));
    });
    expect(out).toEqual([-1, ELOOP]);
    // The first open plus MAX_REDIRECTS followed ones; the ninth redirect is refused.
    expect(srv.log).toEqual(Array<string>(1 + MAX_REDIRECTS).fill('open /loop/x'));
  });

  test('errors: the server refuses (ENOENT, EACCES), a redirect to a process that is gone (ESRCH), procnto ENOENT', () => {
    const fs = fsServer('/fs', {
      '': { kind: 'dir' },
      secret: { kind: 'error', errno: Errno.EACCES },
      dangling: { kind: 'redirect', to: () => ({ nd: 0, pid: 999, chid: 1, prefix: '/', rest: '' }) },
    });
    const out = onNode({ fs: fs.main }, function* (ctx, o) {
      for (const p of ['/fs/missing', '/fs/secret', '/fs/dangling', '/nowhere/at/all']) o.push([p, yield* open(ctx, p), errno(ctx)]);
      const fd = yield* open(ctx, '/');
      o.push(['/', fd > 0, yield* readdir(ctx, fd)]);
    });
    expect(out).toEqual([
      ['/fs/missing', -1, Errno.ENOENT],
      ['/fs/secret', -1, Errno.EACCES],
      ['/fs/dangling', -1, Errno.ESRCH],
      ['/nowhere/at/all', -1, Errno.ENOENT],
      // procnto's '/': the first components of what is registered (fs's /fs, procnto's /dev and /proc).
      ['/', true, ['dev', 'fs', 'proc']],
    ]);
  });
});

/** A ThreadCtx reduced to the calls connect.ts makes, with scripted replies per connection. */
function fakeCtx(script: (att: { pid: number; chid: number; nd: number }, msg: Message) => Reply | KernelError) {
  const attaches: [number, number, number][] = [];
  const detached: number[] = [];
  const conns = new Map<number, { pid: number; chid: number; nd: number }>();
  const ctx = {
    local: new LocalStore(),
    pathResolve: () => ({ pid: 5, chid: 1, prefix: '/net', rest: 'beta/etc/hosts' }),
    ConnectAttach(pid: number, chid: number, nd = 0): number {
      if (nd === 66) throw new KernelError(Errno.ENOTSUP, 'ConnectAttach');
      attaches.push([nd, pid, chid]);
      const coid = attaches.length;
      conns.set(coid, { pid, chid, nd });
      return coid;
    },
    ConnectDetach(coid: number): void {
      detached.push(coid);
    },
    *MsgSend(coid: number, msg: Message): Co<Reply> {
      const r = script(conns.get(coid)!, msg);
      if (r instanceof KernelError) throw r;
      return r;
    },
  } as unknown as ThreadCtx;
  return { ctx, attaches, detached };
}

function drive<T>(g: Co<T>): T {
  const s = g.next();
  if (!s.done) throw new Error('the fake ctx never blocks');
  return s.value;
}

describe('redirects across nodes (fake ctx)', () => {
  test('ND_LOCAL_NODE in a redirect that came over a connection to node 3 means node 3; other NDs are kept', () => {
    const f = fakeCtx((at, msg) => {
      expect(msg.type).toBe('_IO_CONNECT');
      if (at.pid === 5) return redirectReply({ nd: 3, pid: 1, chid: 1, prefix: '/', rest: 'etc/hosts' }); // lsm-qnet: beta's procnto
      if (at.pid === 1) return redirectReply({ nd: 0, pid: 7, chid: 2, prefix: '/etc', rest: 'hosts' }); // beta's procnto: its server
      return { status: 0 };
    });
    expect(drive(open(f.ctx, '/net/beta/etc/hosts'))).toBe(3);
    expect(f.attaches).toEqual([[0, 5, 1], [3, 1, 1], [3, 7, 2]]);
    expect(f.detached).toEqual([1, 2]);
  });

  test('a node that went down (EHOSTDOWN from MsgSend) and a remote ND without a manager (ENOTSUP) fail the open', () => {
    const down = fakeCtx((at) => (at.pid === 5 ? redirectReply({ nd: 4, pid: 1, chid: 1, prefix: '/', rest: '' }) : new KernelError(Errno.EHOSTDOWN, 'MsgSend')));
    expect(drive(open(down.ctx, '/net/beta'))).toBe(-1);
    expect(errno(down.ctx)).toBe(Errno.EHOSTDOWN);
    expect(down.detached).toEqual([1, 2]);
    const nomgr = fakeCtx(() => redirectReply({ nd: 66, pid: 1, chid: 1, prefix: '/', rest: '' }));
    expect(drive(open(nomgr.ctx, '/net/beta'))).toBe(-1);
    expect(errno(nomgr.ctx)).toBe(Errno.ENOTSUP);
  });
});
