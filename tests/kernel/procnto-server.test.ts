/**
 * procnto's own channel (pid 1, PROCNTO_CHID): open/redirect/read/readdir/stat/close of its files and
 * directories, locally (ConnectAttach(1, 1)) and from another node through the network manager (vsend).
 */
import { decodeDirents } from '../../stack/include/dirent';
import { IO_STAT, S_IFCHR, S_IFDIR, S_IFREG, replyRedirect } from '../../stack/include/sys/iomsg';
import { Errno, type Co, type Message, type ProgramMain, type Reply, type ThreadCtx } from '../../stack/kernel/api';
import { PROCNTO_CHID, PROCNTO_PID } from '../../stack/kernel/kif';
import { rig, run } from './helpers';
import { BETA_ND, netRig } from './net-rig';

const HOSTS = '127.0.0.1 localhost\n';

function open(path: string, rest = ''): Message {
  return { type: '_IO_CONNECT', subtype: 'open', path, rest, ftype: 'any', bytes: 64 };
}
const read = (nbytes: number): Message => ({ type: '_IO_READ', nbytes, flags: 0, bytes: 32 });
const text = (r: Reply): string => new TextDecoder().decode(r.data as Uint8Array);

/** A resource manager owning /dev/socket (it never needs to answer: opens of it are redirected). */
const sockmgr: ProgramMain = function* (ctx) {
  const chid = ctx.ChannelCreate();
  ctx.pathAttach('/dev/socket', chid, { dir: true });
  yield* ctx.MsgReceive(chid);
  return 0;
};

function* session(ctx: ThreadCtx, coid: number, msgs: Message[], out: Reply[]): Co<void> {
  for (const m of msgs) out.push((yield* ctx.MsgSend(coid, m)) as Reply);
}

describe("procnto's channel", () => {
  test('locally: open/read/stat/close a boot file, with the sender charged the pass and procntoMsg', () => {
    const replies: Reply[] = [];
    let dt = 0;
    const reader: ProgramMain = function* (ctx) {
      const coid = ctx.ConnectAttach(PROCNTO_PID, PROCNTO_CHID);
      replies.push(yield* ctx.MsgSend(coid, open('/etc', 'hosts')));
      const t = ctx.now();
      replies.push(yield* ctx.MsgSend(coid, read(100)));
      dt = ctx.now() - t;
      yield* session(ctx, coid, [read(100), { type: IO_STAT, bytes: 8 }, { type: '_IO_CLOSE', bytes: 8 }, read(1)], replies);
      return 0;
    };
    const r = rig({ reader }, { costs: { kernelCall: 100, msgPassBase: 1000, msgReplyBase: 500, procntoMsg: 1500, msgPerByte: 1 } });
    r.k.addBootFiles(['/etc/hosts'], { '/etc/hosts': HOSTS });
    r.k.spawn({ argv: ['reader'] });
    run(r);
    expect(replies[0]).toEqual({ status: 0 });
    expect(replies[1]!.status).toBe(20);
    expect(text(replies[1]!)).toBe(HOSTS);
    // _IO_READ: kernel call 100 + pass 1000 + 32 bytes in + procntoMsg 1500 + reply 500 + 20 bytes out = 3152.
    expect(dt).toBe(3152);
    expect(replies[2]!.status).toBe(0); // end of file
    expect(replies[3]).toEqual({ status: 0, data: { mode: S_IFREG | 0o644, size: 20 }, bytes: 72 });
    expect(replies[4]).toEqual({ status: 0 });
    expect(replies[5]).toEqual({ status: -1, errno: Errno.EBADF }); // the OCB went with _IO_CLOSE
  });

  test('locally: another server\'s path redirects, links are followed, missing is ENOENT, others ENOSYS', () => {
    const replies: Reply[] = [];
    let sockPid = 0;
    const opener: ProgramMain = function* (ctx) {
      yield* ctx.sleep(10);
      const c = (): number => ctx.ConnectAttach(PROCNTO_PID, PROCNTO_CHID);
      replies.push(yield* ctx.MsgSend(c(), open('/dev/socket/2')));
      const coid = c();
      yield* session(ctx, coid, [open('/tmp/note'), read(64), { type: IO_STAT }], replies);
      replies.push(yield* ctx.MsgSend(c(), open('/nonexistent')));
      replies.push(yield* ctx.MsgSend(c(), { type: '_IO_DEVCTL', bytes: 8 }));
      const dev = c();
      yield* session(ctx, dev, [open('/dev/zero'), read(4), { type: IO_STAT }], replies);
      return 0;
    };
    const r = rig({ opener, sockmgr });
    r.k.symlink('/tmp', '/dev/shmem');
    sockPid = r.k.spawn({ argv: ['sockmgr'] });
    r.k.files.write('/dev/shmem/note', new TextEncoder().encode('hi'), false);
    r.k.spawn({ argv: ['opener'] });
    run(r);
    expect(replyRedirect(replies[0]!)).toEqual({ nd: 0, pid: sockPid, chid: 1, prefix: '/dev/socket', rest: '2' });
    expect(replies[1]).toEqual({ status: 0 });
    expect(text(replies[2]!)).toBe('hi');
    expect(replies[3]!.data).toEqual({ mode: S_IFREG | 0o644, size: 2 });
    expect(replies[4]).toEqual({ status: -1, errno: Errno.ENOENT });
    expect(replies[5]).toEqual({ status: -1, errno: Errno.ENOSYS });
    expect(replies[7]).toEqual({ status: 4, data: new Uint8Array(4), bytes: 4 });
    expect(replies[8]!.data).toEqual({ mode: S_IFCHR | 0o666, size: 0 });
  });

  test('readdir of / lists what ls lists, continuing from the OCB entry index across short reads', () => {
    const replies: Reply[] = [];
    const lister: ProgramMain = function* (ctx) {
      yield* ctx.sleep(10);
      const coid = ctx.ConnectAttach(PROCNTO_PID, PROCNTO_CHID);
      yield* session(ctx, coid, [open('/'), { type: IO_STAT }, read(40), read(40), read(40), read(8)], replies);
      const boot = ctx.ConnectAttach(PROCNTO_PID, PROCNTO_CHID);
      yield* session(ctx, boot, [open('/proc/boot'), read(512)], replies);
      return 0;
    };
    const r = rig({ lister, sockmgr });
    r.k.symlink('/tmp', '/dev/shmem');
    r.k.addBootFiles(['hello', '/etc/hosts'], { '/etc/hosts': HOSTS });
    r.k.spawn({ argv: ['sockmgr'] });
    r.k.spawn({ argv: ['lister'] });
    run(r);
    expect(replies[1]!.data).toEqual({ mode: S_IFDIR | 0o755, size: 0 });
    // Registered: /proc, /proc/boot, /dev/shmem, /dev/null|zero|text, /proc/boot/hello, /etc/hosts, /tmp (link),
    // /dev/socket → first components dev, etc, proc, tmp. Records (12-byte header + name + NUL, padded to 4):
    // dev 16, etc 16, proc 20, tmp 16. 40 bytes hold dev+etc (32); then proc+tmp (36); then the end (0).
    const names = (i: number): string[] => decodeDirents(replies[i]!.data as Uint8Array).map((d) => d.name);
    expect([replies[2]!.status, replies[3]!.status, replies[4]!.status]).toEqual([32, 36, 0]);
    expect([...names(2), ...names(3)]).toEqual(['dev', 'etc', 'proc', 'tmp']);
    expect(decodeDirents(replies[3]!.data as Uint8Array).map((d) => d.offset)).toEqual([2, 3]);
    expect(replies[5]).toEqual({ status: 0, data: new Uint8Array(0), bytes: 0 });
    expect(names(7)).toEqual(['hello']);
  });

  test('from alpha through the network manager: beta\'s procnto reads beta\'s file and redirects to beta\'s servers', () => {
    const replies: Reply[] = [];
    let sockPid = 0;
    const remote: ProgramMain = function* (ctx) {
      yield* ctx.sleep(1000);
      const c = (): number => ctx.ConnectAttach(PROCNTO_PID, PROCNTO_CHID, BETA_ND);
      yield* session(ctx, c(), [open('/etc/hosts'), read(100), { type: IO_STAT }], replies);
      replies.push(yield* ctx.MsgSend(c(), open('/dev/socket', 'tcpip')));
      replies.push(yield* ctx.MsgSend(c(), open('/etc/missing')));
      const d = c();
      yield* session(ctx, d, [open('/dev'), read(256)], replies);
      return 0;
    };
    const r = netRig({ alpha: { remote }, beta: { sockmgr } });
    r.k.beta.addBootFiles(['/etc/hosts'], { '/etc/hosts': 'beta hosts\n' });
    r.k.alpha.addBootFiles(['/etc/hosts'], { '/etc/hosts': HOSTS });
    sockPid = r.k.beta.spawn({ argv: ['sockmgr'] });
    r.k.alpha.spawn({ argv: ['remote'] });
    r.run();
    expect(replies[0]).toEqual({ status: 0 });
    expect(text(replies[1]!)).toBe('beta hosts\n');
    expect(replies[2]!.data).toEqual({ mode: S_IFREG | 0o644, size: 11 });
    // nd 0 in a redirect that came over a connection to beta means beta itself (iomsg.ts).
    expect(replyRedirect(replies[3]!)).toEqual({ nd: 0, pid: sockPid, chid: 1, prefix: '/dev/socket', rest: 'tcpip' });
    expect(replies[4]).toEqual({ status: -1, errno: Errno.ENOENT });
    expect(decodeDirents(replies[6]!.data as Uint8Array).map((e) => e.name)).toEqual(['null', 'shmem', 'socket', 'text', 'zero']);
  });
});
