/**
 * Qnet's resource manager in io-pkt (lsm-qnet.so): the /net directory and /proc/qnetstats.
 *
 * /net (sys_arch "Name resolution and lookup", "Behind a simple open()"; user's guide "Populating /net"):
 * - Qnet owns the whole /net namespace. Opening /net itself gives a directory: `_IO_READ` returns struct dirent
 *   records (include/dirent.ts) of every node with a name → MAC mapping plus this node itself (an open of
 *   /net/<own name> works too) — short names for our domain, FQNNs for others; `_IO_STAT` says S_IFDIR.
 * - Opening /net/<node>[~qos]/<rest>: the network manager answers a redirect to the process manager of that
 *   node — (nd, PROCNTO_PID, PROCNTO_CHID) with prefix '/' and the rest of the path — and the client's library
 *   asks there (step 2 of "Behind a simple open()"). A node without a mapping is asked for on the LAN first:
 *   the open waits (the client stays blocked) until the resolver answers or gives up (ENOENT). A QoS part
 *   that does not parse, or names an interface Qnet is not bound to, is EINVAL [ours].
 * /proc/qnetstats (resource-manager guide, Qnet example): a read-only file of counters (stats-text.ts); each
 * open reads a snapshot taken at its first read, from its own offset; `_IO_STAT` says S_IFREG.
 */
import { Errno, type Co, type ThreadCtx } from '../kernel/api';
import { PROCNTO_CHID, PROCNTO_PID, ND_LOCAL_NODE } from '../kernel/kif';
import { encodeDirents, type Dirent } from '../include/dirent';
import { IO_STAT, S_IFDIR, S_IFREG, type StatData } from '../include/sys/iomsg';
import { NetCost, bytesCost } from '../net/costs';
import type { LanResolver } from '../net/qnet/lr';
import type { QnetNodes } from '../net/qnet/nodes';
import type { QnetPeer, QosSpec } from '../net/qnet/types';
import type { LsmDevice, LsmOpenResult } from './lsm-host';
import { IO_READ, type IoPktMessage } from './msg';
import type { QueuedMessage } from './process';

/** What /net needs from the module. */
export interface NetDirHost {
  readonly nodes: QnetNodes;
  readonly lr: LanResolver;
  /** Names of the interfaces Qnet is bound to now. */
  linkNames(): string[];
}

type DirHandle = { kind: 'dir'; index: number };
type FileHandle = { kind: 'file'; offset: number; text: Uint8Array | null };

function stat(ctx: ThreadCtx, q: QueuedMessage, mode: number, size: number): void {
  const st: StatData = { mode, size };
  ctx.MsgReply(q.rcvid, { status: 0, data: st, bytes: 72 });
}

function asciiBytes(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 0xff;
  return b;
}

/** The redirect to `nd`'s process manager for `rest` (ND_LOCAL_NODE for this node itself). */
function redirectTo(nd: number, rest: string): LsmOpenResult {
  return { redirect: { nd, pid: PROCNTO_PID, chid: PROCNTO_CHID, prefix: '/', rest } };
}

/** /net's entries: this node first, then the peers in ND order; d_ino is ND + 1 (0 would mean a free slot). */
export function netEntries(nodes: QnetNodes): Dirent[] {
  const names = [{ nd: ND_LOCAL_NODE, name: nodes.dirName(nodes.selfName, nodes.selfDomain) }];
  for (const p of nodes.list()) if (nodes.reachable(p)) names.push({ nd: p.nd, name: nodes.dirName(p.name, p.domain) });
  return names.map((e, i) => ({ ino: e.nd + 1, offset: i, name: e.name }));
}

export function netDevice(h: NetDirHost): LsmDevice {
  return {
    open(_ctx: ThreadCtx, _pid: number, rest: string) {
      if (rest === '') return { handle: { kind: 'dir', index: 0 } satisfies DirHandle };
      const slash = rest.indexOf('/');
      const comp = slash < 0 ? rest : rest.slice(0, slash);
      const after = slash < 0 ? '' : rest.slice(slash + 1);
      const r = h.nodes.parseName(comp);
      if ('error' in r) return Errno.EINVAL;
      if (r.qos.ifname !== undefined && !h.linkNames().includes(r.qos.ifname)) return Errno.EINVAL;
      if (h.nodes.isSelf(r.name, r.domain)) return redirectTo(ND_LOCAL_NODE, after);
      const answer = (peer: QnetPeer | null, qos: QosSpec): LsmOpenResult => {
        if (!peer) return Errno.ENOENT;
        const nd = h.nodes.ndFor(peer, qos);
        return nd < 0 ? Errno.ENOMEM : redirectTo(nd, after);
      };
      const known = h.nodes.find(r.name, r.domain);
      if (known && h.nodes.reachable(known)) return answer(known, r.qos);
      return { pending: (done: (x: LsmOpenResult) => void) => h.lr.resolve(r.name, r.domain, (peer) => done(answer(peer, r.qos))) };
    },
    *message(ctx: ThreadCtx, q: QueuedMessage, handle: unknown, m: IoPktMessage): Co<void> {
      const d = handle as DirHandle;
      const type = (m as { type: string }).type;
      if (type === IO_STAT) {
        stat(ctx, q, S_IFDIR | 0o555, 0);
        return;
      }
      if (m.type !== IO_READ) {
        ctx.MsgError(q.rcvid, Errno.ENOSYS);
        return;
      }
      const entries = netEntries(h.nodes);
      const { bytes, count } = encodeDirents(entries, d.index, m.nbytes);
      if (count === 0 && d.index < entries.length) {
        // Not even one record fits: readdir's buffer is too small.
        ctx.MsgError(q.rcvid, Errno.EINVAL);
        return;
      }
      d.index += count;
      ctx.charge(bytesCost(bytes.length, NetCost.copyPerByte));
      ctx.MsgReply(q.rcvid, { status: bytes.length, data: bytes, bytes: bytes.length });
    },
    close() {},
  };
}

export function qnetStatsDevice(text: () => string): LsmDevice {
  return {
    open(_ctx: ThreadCtx, _pid: number, rest: string) {
      if (rest !== '') return Errno.ENOENT;
      return { handle: { kind: 'file', offset: 0, text: null } satisfies FileHandle };
    },
    *message(ctx: ThreadCtx, q: QueuedMessage, handle: unknown, m: IoPktMessage): Co<void> {
      const f = handle as FileHandle;
      const type = (m as { type: string }).type;
      if (type === IO_STAT) {
        stat(ctx, q, S_IFREG | 0o444, (f.text ?? asciiBytes(text())).length);
        return;
      }
      if (m.type !== IO_READ) {
        ctx.MsgError(q.rcvid, Errno.ENOSYS);
        return;
      }
      if (f.text === null) f.text = asciiBytes(text());
      const data = f.text.subarray(f.offset, f.offset + Math.max(0, m.nbytes));
      f.offset += data.length;
      ctx.charge(bytesCost(data.length, NetCost.copyPerByte));
      ctx.MsgReply(q.rcvid, { status: data.length, data: data.slice(), bytes: data.length });
    },
    close() {},
  };
}
