/**
 * msgecho and msgping on one node (no Qnet): the resource manager's answers (open, _IO_MSG echo, _IO_STAT,
 * close, disconnect pulses, errors), msgping's output, pacing and statistics, and the round trip computed
 * from the kernel's cost table (stack/kernel/costs.ts).
 */
import { DEFAULT_COSTS as K, copyCost } from '../../stack/kernel/costs';
import { IO_MSG_HDR_BYTES, MSGECHO_MGRID, formatEchoSummary, msgecho, payloadSeq } from '../../stack/utils/msgecho';
import { formatMsgpingSummary, msgping, msgpingPayload } from '../../stack/utils/msgping';
import { netPrograms } from '../../stack/net-programs';
import { Errno, type Co, type ProgramMain, type ThreadCtx } from '../../stack/kernel/api';
import { IO_STAT, S_IFCHR, type StatData } from '../../stack/include/sys/iomsg';
import { IO_CLOSE, IO_MSG } from '../../stack/io-pkt/msg';
import { devOpen } from '../../stack/lib/devio';
import { makeNode, newSim } from '../io-pkt/rig';

function node(programs: Record<string, ProgramMain> = {}) {
  const sim = newSim(3);
  const n = makeNode(sim, 'alpha', { nics: 0, programs });
  return { sim, n };
}

describe('payload and summaries', () => {
  test('the sequence number is the first 4 bytes, little-endian; the rest counts up', () => {
    const p = msgpingPayload(0x01020304, 8);
    expect([...p]).toEqual([4, 3, 2, 1, 4, 5, 6, 7]);
    expect(payloadSeq(p)).toBe(0x01020304);
    expect(payloadSeq(p.subarray(0, 3))).toBeNull();
  });

  test('statistics lines: loss to one decimal; no round-trip line without replies', () => {
    expect(formatMsgpingSummary('/dev/echo', { sent: 3, replies: 2, tmin: 1_000_000, tmax: 3_000_000, tsum: 4_000_000 })).toBe(
      '--- /dev/echo msgping statistics ---\n3 messages sent, 2 replies, 33.3% loss\nround-trip min/avg/max = 1.000/2.000/3.000 ms\n');
    expect(formatMsgpingSummary('/dev/echo', { sent: 2, replies: 0, tmin: Infinity, tmax: 0, tsum: 0 })).toBe(
      '--- /dev/echo msgping statistics ---\n2 messages sent, 0 replies, 100.0% loss\n');
    expect(formatEchoSummary({ messages: 5, distinct: 4, duplicates: 1 })).toBe('msgecho: 5 messages, 4 distinct, 1 duplicates\n');
  });
});

describe('msgping to a local msgecho', () => {
  test('20 messages of 64 bytes every 50 ms: every reply, ping-shaped lines, the round trip from the cost table', () => {
    const { sim, n } = node();
    n.run(['msgecho &', 'waitfor /dev/echo 1', 'msgping -c 20 -i 0.05 -s 64 /dev/echo', 'echo status $?', 'slay msgecho']);
    sim.queue.runUntil(3_000_000_000);
    const out = n.console();
    const lines = out.split('\n');
    expect(lines[0]).toBe('MSGPING /dev/echo: 64 data bytes');
    const replies = lines.filter((l) => l.startsWith('64 bytes from /dev/echo: seq='));
    expect(replies.map((l) => Number(/seq=(\d+)/.exec(l)![1]))).toEqual([...Array(20).keys()]);
    // One CPU, msgecho RECEIVE-blocked when the message comes:
    //   msgping's MsgSend (kernel call, rendezvous, the 8-byte _io_msg header + 64 payload bytes)
    //   + a context switch to msgecho, its MsgReply (kernel call, reply, 64 bytes)
    //   + its next MsgReceive (a kernel call; it keeps the CPU at the same priority until it blocks)
    //   + a context switch back to msgping.
    const rtt = K.kernelCall + K.msgPassBase + copyCost(K, IO_MSG_HDR_BYTES + 64) + K.contextSwitch +
      K.kernelCall + K.msgReplyBase + copyCost(K, 64) + K.kernelCall + K.contextSwitch;
    const ms = (rtt / 1e6).toFixed(3);
    expect(new Set(replies.map((l) => /time=([\d.]+) ms$/.exec(l)![1]))).toEqual(new Set([ms]));
    expect(out).toContain(`--- /dev/echo msgping statistics ---\n20 messages sent, 20 replies, 0.0% loss\nround-trip min/avg/max = ${ms}/${ms}/${ms} ms\nstatus 0\n`);
    expect(out).toContain('msgecho: 20 messages, 20 distinct, 0 duplicates\n');
  });

  test('pacing: one message per interval, from the first', () => {
    const { sim, n } = node();
    const times: number[] = [];
    n.run(['msgecho &', 'waitfor /dev/echo 1', 'msgping -c 4 -i 0.25 /dev/echo']);
    let last = '';
    for (let t = 0; t < 2_000_000_000; t += 1_000_000) {
      sim.queue.runUntil(t);
      const c = n.console();
      if (c !== last) {
        const added = c.slice(last.length);
        for (const l of added.split('\n')) if (l.includes('bytes from')) times.push(t);
        last = c;
      }
    }
    expect(times).toHaveLength(4);
    // 250 ms apart to the millisecond the polling resolves (the round trip is a few µs).
    expect(times.slice(1).map((t, i) => t - times[i]!)).toEqual([250_000_000, 250_000_000, 250_000_000]);
    expect(n.console()).toContain('56 bytes from /dev/echo: seq=3 time=');
  });

  test('two clients at once: msgecho counts sequence numbers per open, so both are distinct', () => {
    const { sim, n } = node();
    n.run(['msgecho -v &', 'waitfor /dev/echo 1', 'msgping -c 3 -i 0.1 -s 8 /dev/echo &', 'msgping -c 3 -i 0.1 -s 8 /dev/echo', 'sleep 1', 'slay msgecho']);
    sim.queue.runUntil(3_000_000_000);
    const out = n.console();
    expect(out.match(/msgecho: nd 0 pid \d+ tid 1 prio 10: seq=\d 8 bytes\n/g)).toHaveLength(6);
    expect(out).toContain('msgecho: 6 messages, 6 distinct, 0 duplicates\n');
  });

  test('-p sets the priority the server receives at', () => {
    const { sim, n } = node();
    n.run(['msgecho -v &', 'waitfor /dev/echo 1', 'msgping -c 1 -p 33 /dev/echo']);
    sim.queue.runUntil(1_000_000_000);
    expect(n.console()).toMatch(/msgecho: nd 0 pid \d+ tid 1 prio 33: seq=0 56 bytes\n/);
  });

  test('usage errors and an unknown path: one line each, status 1', () => {
    const { sim, n } = node();
    n.run(['msgping -c 0 /dev/echo', 'echo s=$?', 'msgping -s 3 /dev/echo', 'echo s=$?', 'msgping -i x /dev/echo', 'echo s=$?',
      'msgping -p 300 /dev/echo', 'echo s=$?', 'msgping', 'echo s=$?', 'msgping -c 1 /dev/nothere', 'echo s=$?',
      'msgecho a b', 'echo s=$?', 'msgecho dev/echo', 'echo s=$?']);
    sim.queue.runUntil(1_000_000_000);
    expect(n.console()).toBe(
      'msgping: bad count: 0\nusage: msgping [-c count] [-i interval] [-s size] [-p priority] path\ns=1\n' +
      'msgping: bad size: 3 (4..65536: the sequence number takes 4 bytes)\nusage: msgping [-c count] [-i interval] [-s size] [-p priority] path\ns=1\n' +
      'msgping: bad interval: x\nusage: msgping [-c count] [-i interval] [-s size] [-p priority] path\ns=1\n' +
      'msgping: bad priority: 300 (1..255)\nusage: msgping [-c count] [-i interval] [-s size] [-p priority] path\ns=1\n' +
      'msgping: no path\nusage: msgping [-c count] [-i interval] [-s size] [-p priority] path\ns=1\n' +
      'msgping: /dev/nothere: No such file or directory\ns=1\n' +
      'msgecho: too many operands\nusage: msgecho [-v] [path]\ns=1\n' +
      'msgecho: dev/echo: not an absolute file path\nusage: msgecho [-v] [path]\ns=1\n');
  });

  test('msgecho killed mid-run: msgping reports each failed send and goes on; statistics count them', () => {
    const { sim, n } = node();
    n.run(['msgecho &', 'waitfor /dev/echo 1', 'msgping -c 4 -i 0.1 /dev/echo &', 'sleep 0.15', 'slay msgecho']);
    sim.queue.runUntil(2_000_000_000);
    const out = n.console();
    expect(out).toContain('msgecho: 2 messages, 2 distinct, 0 duplicates\n');
    // QNX's MsgSend gives EBADF on a connection whose channel is gone, ESRCH when the server dies while the
    // client is blocked; the simulated kernel answers ESRCH for both (stack/kernel/messaging.ts). Either way
    // msgping reports the send and goes on.
    expect(out).toMatch(/\nmsgping: seq=2: (No such process|Bad file descriptor)\nmsgping: seq=3: (No such process|Bad file descriptor)\n/);
    expect(out).toMatch(/4 messages sent, 2 replies, 50\.0% loss\n/);
  });
});

describe('msgecho as a resource manager', () => {
  /** A client written against the messages: what the iofunc layer answers. */
  const client: ProgramMain = function* (ctx: ThreadCtx): Co<number> {
    const say = (s: string) => ctx.print(`${s}\n`);
    const res = ctx.pathResolve('/dev/echo')!;
    const raw = ctx.ConnectAttach(res.pid, res.chid);
    const m = (data: Uint8Array, mgrid = MSGECHO_MGRID) => ({ type: IO_MSG, mgrid, subtype: 1, data, bytes: IO_MSG_HDR_BYTES + data.length });
    const r0 = yield* ctx.MsgSend(raw, m(msgpingPayload(1, 4)));
    say(`no open: ${r0.errno === Errno.EBADF ? 'EBADF' : JSON.stringify(r0)}`);
    ctx.ConnectDetach(raw);
    const fd = yield* devOpen(ctx, '/dev/echo');
    const st = yield* ctx.MsgSend(fd, { type: IO_STAT, bytes: 8 });
    say(`stat: ${((st.data as StatData).mode === (S_IFCHR | 0o666)) ? 'S_IFCHR|0666' : JSON.stringify(st)} size ${(st.data as StatData).size}`);
    const r1 = yield* ctx.MsgSend(fd, m(msgpingPayload(7, 6)));
    say(`echo: ${[...(r1.data as Uint8Array)].join(',')}`);
    const r2 = yield* ctx.MsgSend(fd, m(msgpingPayload(7, 6), 0x06));
    say(`other mgrid: ${r2.errno === Errno.ENOSYS ? 'ENOSYS' : JSON.stringify(r2)}`);
    const r3 = yield* ctx.MsgSend(fd, { type: 'SOMETHING', bytes: 4 });
    say(`unknown: ${r3.errno === Errno.ENOSYS ? 'ENOSYS' : JSON.stringify(r3)}`);
    yield* ctx.MsgSend(fd, m(msgpingPayload(7, 6)));
    const c = yield* ctx.MsgSend(fd, { type: IO_CLOSE, bytes: 4 });
    say(`close: ${c.status}`);
    const r4 = yield* ctx.MsgSend(fd, m(msgpingPayload(8, 6)));
    say(`after close: ${r4.errno === Errno.EBADF ? 'EBADF' : JSON.stringify(r4)}`);
    ctx.ConnectDetach(fd);
    // Opened and left without closing: the disconnect pulse drops the OCB (nothing to see but no leak of state).
    yield* devOpen(ctx, '/dev/echo');
    return 0;
  };

  test('open, stat, echo, mgrid check, unknown messages, close; counts', () => {
    const { sim, n } = node({ client });
    n.run(['msgecho &', 'waitfor /dev/echo 1', 'client', 'slay msgecho']);
    sim.queue.runUntil(1_000_000_000);
    expect(n.console()).toBe(
      'no open: EBADF\nstat: S_IFCHR|0666 size 0\necho: 7,0,0,0,4,5\nother mgrid: ENOSYS\nunknown: ENOSYS\nclose: 0\n' +
      'after close: EBADF\n' +
      'msgecho: 2 messages, 1 distinct, 1 duplicates\n');
  });

  test('a second msgecho on the same path gets the new opens (the newest attach is asked first)', () => {
    const { sim, n } = node();
    n.run(['msgecho &', 'waitfor /dev/echo 1', 'msgecho -v &', 'sleep 0.01', 'msgping -c 2 -i 0.01 /dev/echo', 'slay msgecho']);
    sim.queue.runUntil(1_000_000_000);
    const out = n.console();
    expect(out.match(/^msgecho: nd 0 pid \d+ tid 1 prio 10: seq=\d 56 bytes$/gm)).toHaveLength(2);
    expect(out).toContain('msgecho: 0 messages, 0 distinct, 0 duplicates\n');
    expect(out).toContain('msgecho: 2 messages, 2 distinct, 0 duplicates\n');
  });

  test('both programs are in the node program table', () => {
    expect(netPrograms['msgecho']).toBe(msgecho);
    expect(netPrograms['msgping']).toBe(msgping);
  });
});
