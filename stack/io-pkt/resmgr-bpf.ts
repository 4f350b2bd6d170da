/** io-pkt's /dev/bpf descriptors in the resource manager: read, write and ioctl (stack/net/bpf.ts does the work). */
import { Errno, type ThreadCtx } from '../kernel/api';
import type { BpfDesc } from '../net/bpf';
import { NetCost, bytesCost } from '../net/costs';
import { MSG_DONTWAIT } from '../include/sys/socket';
import { IO_DEVCTL, IO_READ, IO_WRITE, type IoPktMessage } from './msg';
import type { IoPktProcess, QueuedMessage } from './process';

/** read/write/ioctl on a /dev/bpf descriptor (bpfread, bpfwrite, bpfioctl in stack/net/bpf.ts). */
export function bpfMessage(p: IoPktProcess, ctx: ThreadCtx, q: QueuedMessage, d: BpfDesc, m: IoPktMessage): void {
  const bpf = p.stack.bpf;
  const rcvid = q.rcvid;
  const replyData = (c: ThreadCtx, r: Uint8Array | number) => {
    if (typeof r === 'number') c.MsgError(rcvid, r);
    else {
      c.charge(bytesCost(r.length, NetCost.copyPerByte));
      c.MsgReply(rcvid, { status: r.length, data: { data: r, from: null, pktId: 0, truncated: false }, bytes: r.length + 16 });
    }
  };
  switch (m.type) {
    case IO_READ: {
      const r = bpf.read(d, m.nbytes, (m.flags & MSG_DONTWAIT) !== 0, { reply: (x) => replyData(p.ctx, x) });
      if (r !== null) replyData(ctx, r);
      return;
    }
    case IO_WRITE: {
      ctx.charge(bytesCost(m.data.length, NetCost.copyPerByte));
      const n = bpf.write(d, m.data, m.pktId);
      if (n < 0) ctx.MsgError(rcvid, -n);
      else ctx.MsgReply(rcvid, { status: n });
      return;
    }
    case IO_DEVCTL: {
      const r = bpf.ioctl(d, m.dcmd, m.data ?? {});
      if (typeof r === 'number') ctx.MsgError(rcvid, r);
      else ctx.MsgReply(rcvid, { status: 0, data: r });
      return;
    }
    default:
      ctx.MsgError(rcvid, Errno.ENOSYS);
  }
}
