/**
 * /dev/pf in io-pkt's resource manager (pf_ioctl.c pfopen/pfclose/pfioctl, attached by lsm-pf): an open gives
 * a descriptor, _IO_DEVCTL carries the DIOC* ioctls by name (stack/net/pf/ioctl.ts does the work, on the
 * stack context's thread), read and write are not supported (ENOSYS), as /dev/pf has no read/write entry.
 */
import { Errno, type Co, type ThreadCtx } from '../kernel/api';
import { NetCost, bytesCost } from '../net/costs';
import { pfIoctl } from '../net/pf/ioctl';
import type { Pf } from '../net/pf/pf';
import type { LsmDevice } from './lsm-host';
import { IO_DEVCTL, type IoPktMessage } from './msg';
import type { QueuedMessage } from './process';

/** The size of an ioctl's reply as it crosses back (struct pf_state ~ 200 bytes, pfioc_rule ~ 3 KB). */
function replyBytes(r: Record<string, unknown>): number {
  if (Array.isArray(r.states)) return 32 + r.states.length * 200;
  if (Array.isArray(r.addrs)) return 32 + r.addrs.length * 52;
  if (Array.isArray(r.tables)) return 32 + r.tables.length * 1064;
  if (r.rule) return 3104;
  return 32;
}

export function pfDevice(pf: Pf): LsmDevice {
  return {
    open(_ctx: ThreadCtx, pid: number) {
      return { handle: { pid } };
    },
    *message(ctx: ThreadCtx, q: QueuedMessage, _handle: unknown, m: IoPktMessage): Co<void> {
      if (m.type !== IO_DEVCTL) {
        ctx.MsgError(q.rcvid, Errno.ENOSYS);
        return;
      }
      const r = pfIoctl(pf, m.dcmd, m.data ?? {});
      if (typeof r === 'number') {
        ctx.MsgError(q.rcvid, r);
        return;
      }
      const bytes = replyBytes(r);
      ctx.charge(bytesCost(bytes, NetCost.copyPerByte));
      ctx.MsgReply(q.rcvid, { status: 0, data: r, bytes });
    },
    close() {},
  };
}
