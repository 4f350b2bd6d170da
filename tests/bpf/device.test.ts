/**
 * /dev/bpf in io-pkt between two nodes on a test wire: BIOCSETIF/BIOCSETF/BIOCIMMEDIATE/BIOCGBLEN, write of a
 * complete frame on one node, the filtered record (bpf_hdr, alignment, timestamps in virtual time) read on
 * the other; the read-size rule, the read timeout, buffer rotation and drops, and the outgoing tap.
 */
import { Errno, type ProgramMain, type ThreadCtx } from '../../stack/kernel/api';
import {
  BPF_ABS, BPF_H, BPF_JEQ, BPF_JMP, BPF_JUMP, BPF_K, BPF_LD, BPF_RET, BPF_STMT, bpfRecords, SIZEOF_BPF_HDR, type BpfInsn,
} from '../../stack/include/net/bpf';
import { bpfIoctl, bpfOpen, bpfRead, bpfWrite } from '../../stack/lib/bpf';
import { errno } from '../../stack/lib/socket';
import { connect } from '../io-pkt/fake-net';
import { makeNode, mac, newSim } from '../io-pkt/rig';

const SEC = 1_000_000_000;
const EAPOL: BpfInsn[] = [
  BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x888e, 0, 1),
  BPF_STMT(BPF_RET | BPF_K, 0xffff),
  BPF_STMT(BPF_RET | BPF_K, 0),
];

function eapolFrame(dst: Uint8Array, n: number): Uint8Array {
  const f = new Uint8Array(14 + 4 + n);
  f.set(dst, 0);
  f[12] = 0x88;
  f[13] = 0x8e;
  f[14] = 2;
  f[15] = 3;
  f[17] = n;
  return f;
}


function rig(reader: ProgramMain, writer: ProgramMain) {
  const sim = newSim(5);
  const a = makeNode(sim, 'a', { macBase: 1, programs: { reader } });
  const b = makeNode(sim, 'b', { macBase: 2, programs: { writer } });
  connect(a.nics[0]!, b.nics[0]!, 10_000);
  a.run(['io-pkt-v4 -dfake', 'waitfor /dev/bpf', 'ifconfig en0 up', 'reader']);
  b.run(['io-pkt-v4 -dfake', 'waitfor /dev/bpf', 'ifconfig en0 up', 'sleep 1', 'writer']);
  return { sim, a, b };
}

describe('/dev/bpf', () => {
  it('an immediate-mode reader gets the EAPOL frame written on the other node, filtered, with a bpf_hdr', () => {
    const got: { t: number; recs: ReturnType<typeof bpfRecords> }[] = [];
    const info: Record<string, unknown>[] = [];
    const reader: ProgramMain = function* (ctx) {
      const fd = yield* bpfOpen(ctx);
      info.push((yield* bpfIoctl(ctx, fd, 'BIOCVERSION'))!);
      info.push((yield* bpfIoctl(ctx, fd, 'BIOCGBLEN'))!);
      yield* bpfIoctl(ctx, fd, 'BIOCSETIF', { ifname: 'en0' });
      yield* bpfIoctl(ctx, fd, 'BIOCSETF', { insns: EAPOL });
      yield* bpfIoctl(ctx, fd, 'BIOCIMMEDIATE', { on: 1 });
      info.push((yield* bpfIoctl(ctx, fd, 'BIOCGDLT'))!);
      // A read of the wrong size is EINVAL (bpfread).
      info.push({ wrongSize: yield* bpfRead(ctx, fd, 100), errno: errno(ctx) });
      const buf = yield* bpfRead(ctx, fd, 32768);
      got.push({ t: ctx.now(), recs: bpfRecords(buf!) });
      info.push((yield* bpfIoctl(ctx, fd, 'BIOCGSTATS'))!);
      return 0;
    };
    const writer: ProgramMain = function* (ctx) {
      const fd = yield* bpfOpen(ctx);
      yield* bpfIoctl(ctx, fd, 'BIOCSETIF', { ifname: 'en0' });
      // ARP-ish noise the filter must drop, then the EAPOL frame.
      const noise = eapolFrame(mac(1), 30);
      noise[12] = 0x08;
      noise[13] = 0x06;
      yield* bpfWrite(ctx, fd, noise);
      const n = yield* bpfWrite(ctx, fd, eapolFrame(mac(1), 95));
      return n === 14 + 4 + 95 ? 0 : 1;
    };
    const { sim, a, b } = rig(reader, writer);
    sim.queue.runUntil(3 * SEC);
    expect(a.console() + b.console()).toBe('');
    expect(info[0]).toEqual({ major: 1, minor: 1 });
    expect(info[1]).toEqual({ len: 32768 });
    expect(info[2]).toEqual({ dlt: 1 });
    expect(info[3]).toEqual({ wrongSize: null, errno: 22 });
    expect(got.length).toBe(1);
    const recs = got[0]!.recs;
    expect(recs.length).toBe(1);
    const r = recs[0]!;
    expect(r.hdrlen).toBe(18); // BPF_WORDALIGN(14 + 18) - 14
    expect(r.caplen).toBe(113);
    expect(r.datalen).toBe(113);
    // The source address was filled in by the writer's interface (no BIOCSHDRCMPLT).
    expect(Array.from(r.data.subarray(6, 12))).toEqual(Array.from(mac(2)));
    // Timestamp: the virtual time the frame entered the reader's stack, at most the time read returned.
    const ts = r.tstampSec * SEC + r.tstampUsec * 1000;
    expect(ts).toBeGreaterThan(1 * SEC);
    expect(ts).toBeLessThanOrEqual(got[0]!.t);
    // Both frames were seen (bs_recv), one passed the filter.
    expect(info[4]).toEqual({ recv: 2, drop: 0 });
  });

  it('without immediate mode a read returns when the read timeout expires, with what was stored (maybe nothing)', () => {
    const got: { t: number; n: number }[] = [];
    const reader: ProgramMain = function* (ctx) {
      const fd = yield* bpfOpen(ctx);
      yield* bpfIoctl(ctx, fd, 'BIOCSBLEN', { len: 4096 });
      yield* bpfIoctl(ctx, fd, 'BIOCSETIF', { ifname: 'en0' });
      yield* bpfIoctl(ctx, fd, 'BIOCSRTIMEOUT', { ns: 500_000_000 });
      for (let i = 0; i < 4; i++) {
        const t0 = ctx.now();
        const buf = yield* bpfRead(ctx, fd, 4096);
        got.push({ t: ctx.now() - t0, n: bpfRecords(buf!).length });
      }
      return 0;
    };
    const writer: ProgramMain = function* (ctx) {
      const fd = yield* bpfOpen(ctx);
      yield* bpfIoctl(ctx, fd, 'BIOCSETIF', { ifname: 'en0' });
      for (let i = 0; i < 3; i++) yield* bpfWrite(ctx, fd, eapolFrame(mac(1), 40));
      return 0;
    };
    const { sim } = rig(reader, writer);
    sim.queue.runUntil(3 * SEC);
    // Reads at 0 and 0.5 s time out empty; the writer starts after 1 s: the third read returns its 3 frames
    // when its timeout expires, the fourth times out empty again.
    expect(got.map((g) => g.n)).toEqual([0, 0, 3, 0]);
    for (const g of got) expect(g.t).toBeGreaterThanOrEqual(500_000_000);
    for (const g of got) expect(g.t).toBeLessThan(501_000_000);
  });

  it('a full store buffer rotates to the hold buffer and wakes the reader; with both full, packets are dropped', () => {
    const stats: Record<string, unknown>[] = [];
    const counts: number[] = [];
    const reader: ProgramMain = function* (ctx) {
      const fd = yield* bpfOpen(ctx);
      yield* bpfIoctl(ctx, fd, 'BIOCSBLEN', { len: 256 });
      yield* bpfIoctl(ctx, fd, 'BIOCSETIF', { ifname: 'en0' });
      yield* ctx.sleep(2 * SEC); // let everything arrive unread
      const buf = yield* bpfRead(ctx, fd, 256);
      counts.push(bpfRecords(buf!).length);
      stats.push((yield* bpfIoctl(ctx, fd, 'BIOCGSTATS'))!);
      return 0;
    };
    const writer: ProgramMain = function* (ctx) {
      const fd = yield* bpfOpen(ctx);
      yield* bpfIoctl(ctx, fd, 'BIOCSETIF', { ifname: 'en0' });
      for (let i = 0; i < 10; i++) yield* bpfWrite(ctx, fd, eapolFrame(mac(1), 40));
      return 0;
    };
    const { sim } = rig(reader, writer);
    sim.queue.runUntil(4 * SEC);
    // Each record: 18 + 58 = 76 → word aligned 76; three fit in 256 (228), the fourth rotates.
    expect(counts).toEqual([3]);
    expect(stats[0]).toEqual({ recv: 10, drop: 4 });
  });

  it('the writer sees its own frame on output unless BIOCSSEESENT 0; bad writes fail with errno', () => {
    const res: unknown[] = [];
    const reader: ProgramMain = function* () {
      return 0;
    };
    const writer: ProgramMain = function* (ctx) {
      const fd = yield* bpfOpen(ctx);
      res.push(yield* bpfWrite(ctx, fd, eapolFrame(mac(1), 4)), errno(ctx)); // not bound: ENXIO
      yield* bpfIoctl(ctx, fd, 'BIOCSETIF', { ifname: 'en0' });
      yield* bpfIoctl(ctx, fd, 'BIOCIMMEDIATE', { on: 1 });
      res.push(yield* bpfWrite(ctx, fd, new Uint8Array(5)), errno(ctx)); // shorter than a header: EINVAL
      res.push(yield* bpfWrite(ctx, fd, new Uint8Array(1600)), errno(ctx)); // beyond the MTU: EMSGSIZE
      yield* bpfWrite(ctx, fd, eapolFrame(mac(1), 4));
      const buf = yield* bpfRead(ctx, fd, 32768, true);
      res.push(bpfRecords(buf!).length);
      yield* bpfIoctl(ctx, fd, 'BIOCSSEESENT', { on: 0 });
      yield* bpfWrite(ctx, fd, eapolFrame(mac(1), 4));
      res.push(yield* bpfRead(ctx, fd, 32768, true), errno(ctx));
      res.push(yield* bpfIoctl(ctx, fd, 'BIOCSETIF', { ifname: 'nope0' }), errno(ctx));
      res.push(yield* bpfIoctl(ctx, fd, 'BIOCSETF', { insns: [BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12)] }), errno(ctx));
      return 0;
    };
    const { sim } = rig(reader, writer);
    sim.queue.runUntil(3 * SEC);
    expect(res).toEqual([-1, 6, -1, 22, -1, Errno.EMSGSIZE, 1, null, 11, null, 6, null, 22]);
  });
});
