/**
 * Qnet nodes for lsm-qnet's io-pkt-level tests: rig.ts nodes (real kernel, io-pkt, fake NICs) on one hub, with
 * lsm-qnet.so built from given parts (the real transport/KIF, or recording fakes), and a program that reads a
 * path through messages (lib/connect.ts: open, readdir or read, fstat) and prints what it got.
 */
import { Errno, type Co, type ProgramMain, type ThreadCtx } from '../../stack/kernel/api';
import { close, fstat, isDir, open, read, readdir } from '../../stack/lib/connect';
import { errno } from '../../stack/lib/socket';
import { strerror } from '../../stack/lib/errno';
import { replyRedirect } from '../../stack/include/sys/iomsg';
import { IO_CONNECT } from '../../stack/io-pkt/msg';
import { makeLsmQnet, type QnetKifApi, type QnetParts } from '../../stack/io-pkt/lsm-qnet';
import type { KifOp } from '../../stack/kernel/kif';
import type { QnetTransportApi } from '../../stack/net/qnet/types';
import type { QnetL4Repr } from '../../stack/net/wire/qnet';
import type { FakeNic, WireFrame } from '../io-pkt/fake-net';
import { makeNode, type TestNode } from '../io-pkt/rig';
import type { Simulation } from '../../emulator/machine/sim/simulation';

/**
 * A hub with NICs that filter on their address, as real ones do (the fake NIC takes every frame it is given):
 * a frame a port sends reaches, after `latencyNs`, every other port whose MAC it is addressed to, or all of
 * them for a group address — and only NICs a driver has attached (a NIC nobody initialized has its receiver
 * off; the fake one would otherwise hold the frame and an interrupt nobody services).
 */
export function hub(nics: FakeNic[], latencyNs = 50_000): void {
  for (const n of nics) {
    n.latencyNs = latencyNs;
    const port = {
      receive: (f: WireFrame) => {
        const group = (f.data[0]! & 1) !== 0;
        for (const o of nics) {
          if (o === n || !o.attached) continue;
          if (group || o.mac.every((b, i) => b === f.data[i])) o.receive(f);
        }
      },
    };
    n.peer = port as unknown as FakeNic;
  }
}

/** What the fake transport and KIF saw (for tests of the module alone). */
export interface FakeLog {
  input: { link: string; type: number }[];
  ticks: number;
  ops: KifOp[];
}

/** Parts that record: the transport sends nothing (EHOSTUNREACH), the KIF layer keeps the kernel's ops. */
export function recordingParts(log: FakeLog): QnetParts {
  return {
    transport: (): QnetTransportApi => ({
      send: () => Errno.EHOSTUNREACH,
      input: (link, _src, l4: QnetL4Repr) => log.input.push({ link: link.name, type: l4.type }),
      tick: () => {
        log.ticks++;
      },
      describe: () => ['transport (recording fake)'],
    }),
    kif: (): QnetKifApi => ({ kernelOps: (ops) => log.ops.push(...ops), input: () => {}, peerDown: () => {} }),
  };
}

/** `readpath <path>`: a directory's names one per line, or a file's bytes; errors as "readpath: <path>: <strerror>". */
export const readpath: ProgramMain = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
  const path = argv[1] ?? '/';
  const fd = yield* open(ctx, path);
  if (fd < 0) {
    ctx.print(`readpath: ${path}: ${strerror(errno(ctx))}\n`);
    return 1;
  }
  const st = yield* fstat(ctx, fd);
  if (st && isDir(st)) {
    const names = yield* readdir(ctx, fd);
    ctx.print(`${(names ?? []).join(' ')}\n`);
  } else {
    for (;;) {
      const b = yield* read(ctx, fd, 100);
      if (!b || b.length === 0) break;
      ctx.print(String.fromCharCode(...b));
    }
  }
  yield* close(ctx, fd);
  return 0;
};

/** `netopen <path>`: one _IO_CONNECT open to whoever owns the path; prints the redirect or the errno, and the wait. */
export const netopen: ProgramMain = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
  const path = argv[1] ?? '/';
  const res = ctx.pathResolve(path)!;
  const coid = ctx.ConnectAttach(res.pid, res.chid);
  const t0 = ctx.now();
  const r = yield* ctx.MsgSend(coid, { type: IO_CONNECT, subtype: 'open', path: res.prefix, rest: res.rest, ftype: 'any', domain: 0, socktype: 0, protocol: 0 });
  const waited = ((ctx.now() - t0) / 1e6).toFixed(3);
  const red = replyRedirect(r);
  ctx.print(red ? `${path}: redirect ${JSON.stringify(red)} after ${waited} ms\n` : `${path}: status ${r.status} errno ${r.errno ?? 0} after ${waited} ms\n`);
  ctx.ConnectDetach(coid);
  return 0;
};

export function qnetNode(sim: Simulation, name: string, macBase: number, parts: QnetParts, nics = 1): TestNode {
  return makeNode(sim, name, { macBase, nics, extraModules: { 'lsm-qnet.so': makeLsmQnet(parts) }, programs: { readpath, netopen } });
}
