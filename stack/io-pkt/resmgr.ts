/**
 * io-pkt's resource manager (sys/msg.c): the paths it attaches under the tcpip prefix and what each
 * message does. A connection opened on /dev/socket/<domain> becomes a socket (OCB keyed by the
 * connection); _IO_READ blocks until a datagram arrives (the reply unblocks the client at that virtual
 * time), or until SO_RCVTIMEO expires (EWOULDBLOCK); _IO_WRITE sends; _IO_DEVCTL carries bind/connect/
 * getsockname and the interface ioctls; _IO_MSG socket options and sysctl; _IO_CLOSE frees the socket.
 * Mount requests load modules; unmount of /dev/io-net/enN detaches a shim interface.
 */
import { Errno, type Co, type ThreadCtx } from '../kernel/api';
import { NetCost, bytesCost } from '../net/costs';
import { sockaddrIn } from '../include/netinet/in';
import { AF_INET, AF_ROUTE, MSG_DONTWAIT, MSG_PEEK, SHUT_RD, SHUT_RDWR } from '../include/sys/socket';
import type { BpfDesc } from '../net/bpf';
import type { RcvWaiter, Socket, SockRecord } from '../net/socket';
import { instanceNames } from './cmdline';
import { interfaceIoctl } from './ioctl';
import type { Loader } from './loader';
import {
  IO_CLOSE, IO_CONNECT, IO_DEVCTL, IO_MSG, IO_READ, IO_WRITE, MOUNT_DIR, type DevctlMsg, type IoPktMessage, type ReadMsg,
  type ReadReplyData, type WriteMsg,
} from './msg';
import type { IoPktProcess, QueuedMessage } from './process';
import { sysctl } from './sysctl';

type Ocb = { kind: 'socket'; so: Socket } | { kind: 'ionet'; ifname: string } | { kind: 'bpf'; d: BpfDesc };

/** The BPF device names io-pkt attaches (NetBSD's cloning /dev/bpf and the first unit's name). */
const BPF_PATHS = ['/dev/bpf', '/dev/bpf0'];

/** Address families io-pkt answers on /dev/socket/<n>. */
const FAMILIES = [AF_INET, AF_ROUTE];

export class ResMgr {
  private readonly ocbs = new Map<number, Ocb>();

  constructor(private readonly p: IoPktProcess, private readonly loader: Loader) {}

  get prefix(): string {
    return this.p.cl.tcpip.prefix;
  }

  /** resmgr_attach of every path (after the stack initialized). */
  attachPaths(ctx: ThreadCtx): void {
    for (const f of FAMILIES) ctx.pathAttach(`${this.prefix}/dev/socket/${f}`, this.p.chid);
    for (const b of BPF_PATHS) ctx.pathAttach(`${this.prefix}${b}`, this.p.chid);
    for (const t of instanceNames(this.p.cl.instance)) ctx.pathAttach(`${MOUNT_DIR}/${t}`, this.p.chid);
  }

  *handle(ctx: ThreadCtx, q: QueuedMessage): Co<void> {
    ctx.charge(NetCost.resmgrMessage);
    const m = q.msg as IoPktMessage;
    try {
      switch (m.type) {
        case IO_CONNECT:
          yield* this.connect(ctx, q);
          return;
        case IO_CLOSE: {
          const o = this.ocbs.get(q.coid);
          this.ocbs.delete(q.coid);
          if (o?.kind === 'socket') this.close(ctx, o.so);
          if (o?.kind === 'bpf') this.p.stack.bpf.close(o.d);
          ctx.MsgReply(q.rcvid, { status: 0 });
          return;
        }
        default:
          break;
      }
      const ocb = this.ocbs.get(q.coid);
      if (!ocb) {
        ctx.MsgError(q.rcvid, Errno.EBADF);
        return;
      }
      if (ocb.kind === 'ionet') {
        ctx.MsgError(q.rcvid, Errno.ENOSYS);
        return;
      }
      if (ocb.kind === 'bpf') {
        this.bpfMessage(ctx, q, ocb.d, m);
        return;
      }
      const so = ocb.so;
      switch (m.type) {
        case IO_WRITE:
          this.write(ctx, q, so, m);
          return;
        case IO_READ:
          this.read(ctx, q, so, m);
          return;
        case IO_DEVCTL:
          yield* this.devctl(ctx, q, so, m);
          return;
        case IO_MSG: {
          if (m.subtype === 'sysctl') {
            const r = sysctl(this.p, m.name, m.value);
            if (typeof r === 'number') ctx.MsgError(q.rcvid, r);
            else ctx.MsgReply(q.rcvid, { status: 0, data: r.data });
            return;
          }
          if (m.subtype === 'setsockopt') {
            const e = this.p.stack.sockets.setsockopt(so, m.level, m.name, m.value ?? 0);
            if (e) ctx.MsgError(q.rcvid, e);
            else ctx.MsgReply(q.rcvid, { status: 0 });
            return;
          }
          const v = this.p.stack.sockets.getsockopt(so, m.level, m.name);
          if (v < 0) ctx.MsgError(q.rcvid, -v);
          else ctx.MsgReply(q.rcvid, { status: 0, data: v });
          return;
        }
        default:
          ctx.MsgError(q.rcvid, Errno.ENOSYS);
      }
    } catch (e) {
      // A malformed message must not take the stack down: answer EINVAL and trace it.
      ctx.trace('io-pkt', 'bad-message', 0, { type: String((m as { type?: unknown }).type), error: e instanceof Error ? e.message : String(e) });
      ctx.MsgError(q.rcvid, Errno.EINVAL);
    }
  }

  private *connect(ctx: ThreadCtx, q: QueuedMessage): Co<void> {
    const m = q.msg;
    if (m.type !== IO_CONNECT) return;
    if (m.subtype === 'mount') {
      if (!instanceNames(this.p.cl.instance).includes(m.mountType)) {
        ctx.MsgError(q.rcvid, Errno.ENOENT);
        return;
      }
      const ret = yield* this.loader.load(m.special, m.data, false);
      if (ret) ctx.MsgError(q.rcvid, ret);
      else ctx.MsgReply(q.rcvid, { status: 0 });
      return;
    }
    const ionet = `${this.prefix}/dev/io-net/`;
    if (m.subtype === 'unmount') {
      const full = m.rest ? `${m.path}/${m.rest}` : m.path;
      if (!full.startsWith(ionet)) {
        ctx.MsgError(q.rcvid, Errno.ENOENT);
        return;
      }
      const ifp = this.p.stack.ifs.list.find((i) => i.name === full.slice(ionet.length) && i.driver === 'shim');
      if (!ifp) {
        ctx.MsgError(q.rcvid, Errno.ENOENT);
        return;
      }
      if (!ifp.ops.detach) {
        ctx.MsgError(q.rcvid, Errno.EOPNOTSUPP);
        return;
      }
      const e = yield* ifp.ops.detach(ifp);
      this.p.stack.detachInterface(ifp);
      if (e) ctx.MsgError(q.rcvid, e);
      else ctx.MsgReply(q.rcvid, { status: 0 });
      return;
    }
    // open
    const path = m.rest ? `${m.path}/${m.rest}` : m.path;
    const sock = `${this.prefix}/dev/socket/`;
    if (path.startsWith(sock)) {
      const domain = Number(path.slice(sock.length));
      if (!FAMILIES.includes(domain) || domain !== m.domain) {
        ctx.MsgError(q.rcvid, Errno.ENOENT);
        return;
      }
      const so = this.p.stack.sockets.create(domain, m.socktype, m.protocol);
      if (typeof so === 'number') {
        ctx.MsgError(q.rcvid, so);
        return;
      }
      this.ocbs.set(q.coid, { kind: 'socket', so });
      ctx.trace('socket', 'create', 0, { so: so.id, pid: q.pid, domain, type: m.socktype, proto: m.protocol });
      ctx.MsgReply(q.rcvid, { status: 0 });
      return;
    }
    if (BPF_PATHS.some((b) => path === `${this.prefix}${b}`)) {
      const d = this.p.stack.bpf.open();
      this.ocbs.set(q.coid, { kind: 'bpf', d });
      ctx.trace('bpf', 'open', 0, { d: d.id, pid: q.pid });
      ctx.MsgReply(q.rcvid, { status: 0 });
      return;
    }
    if (path.startsWith(ionet) && this.p.stack.ifs.list.some((i) => i.name === path.slice(ionet.length) && i.driver === 'shim')) {
      this.ocbs.set(q.coid, { kind: 'ionet', ifname: path.slice(ionet.length) });
      ctx.MsgReply(q.rcvid, { status: 0 });
      return;
    }
    ctx.MsgError(q.rcvid, Errno.ENOENT);
  }

  private write(ctx: ThreadCtx, q: QueuedMessage, so: Socket, m: WriteMsg): void {
    if (so.domain === AF_ROUTE) {
      const r = m.rtm;
      if (!r) {
        ctx.MsgError(q.rcvid, Errno.EINVAL);
        return;
      }
      const routes = this.p.stack.routes;
      let e: number;
      if (r.rtmType === 'RTM_ADD') e = routes.addStatic(r.dst, r.host ? 0xffffffff : r.mask, r.gateway, { host: r.host, reject: r.reject });
      else if (r.rtmType === 'RTM_DELETE') e = routes.delete(r.dst, r.host ? 0xffffffff : r.mask);
      else e = routes.lookup(r.dst) ? 0 : Errno.ESRCH;
      if (e) ctx.MsgError(q.rcvid, e);
      else ctx.MsgReply(q.rcvid, { status: m.data.length });
      return;
    }
    ctx.charge(bytesCost(m.data.length, NetCost.copyPerByte));
    const n = this.p.stack.sockets.send(so, m.data, m.to, m.pktId);
    if (n < 0) ctx.MsgError(q.rcvid, -n);
    else ctx.MsgReply(q.rcvid, { status: n });
  }

  /** Reply to a read with one record (or part of it). */
  private replyRecord(ctx: ThreadCtx, rcvid: number, so: Socket, r: SockRecord, nbytes: number): void {
    const data = r.data.length > nbytes ? r.data.subarray(0, nbytes) : r.data;
    const reply: ReadReplyData = { data, from: so.domain === AF_INET ? r.from : null, pktId: r.pktId, truncated: r.data.length > nbytes };
    ctx.charge(bytesCost(data.length, NetCost.copyPerByte));
    ctx.trace('socket', 'deliver', r.pktId, { so: so.id, len: data.length });
    ctx.MsgReply(rcvid, { status: data.length, data: reply, bytes: data.length + 16 });
  }

  private read(ctx: ThreadCtx, q: QueuedMessage, so: Socket, m: ReadMsg): void {
    const st = this.p.stack.sockets;
    if (so.waiters.length === 0 && so.readable()) {
      if ((m.flags & MSG_PEEK) !== 0 && so.rcv.records[0]) {
        this.replyRecord(ctx, q.rcvid, so, so.rcv.records[0], m.nbytes);
        return;
      }
      const r = st.receive(so);
      if (typeof r === 'number') ctx.MsgError(q.rcvid, r);
      else this.replyRecord(ctx, q.rcvid, so, r, m.nbytes);
      return;
    }
    if ((m.flags & MSG_DONTWAIT) !== 0) {
      ctx.MsgError(q.rcvid, Errno.EAGAIN);
      return;
    }
    // Block: park the reader on the socket; a datagram (or SO_RCVTIMEO) answers it later.
    const p = this.p;
    const rcvid = q.rcvid;
    let timer: ReturnType<typeof p.stack.schedule> | null = null;
    const waiter: RcvWaiter = {
      wake: (s: Socket) => {
        const r = st.receive(s);
        const c = p.ctx;
        if (typeof r === 'number') c.MsgError(rcvid, r);
        else this.replyRecord(c, rcvid, s, r, m.nbytes);
        if (timer) p.stack.callouts.cancel(timer);
        return true;
      },
    };
    so.waiters.push(waiter);
    ctx.trace('socket', 'block', 0, { so: so.id, pid: q.pid, timeoutNs: so.rcvTimeo });
    if (so.rcvTimeo > 0) {
      timer = p.stack.schedule(so.rcvTimeo, 'so_rcvtimeo', () => {
        const i = so.waiters.indexOf(waiter);
        if (i < 0) return;
        so.waiters.splice(i, 1);
        p.ctx.trace('socket', 'timeout', 0, { so: so.id, pid: q.pid });
        p.ctx.MsgError(rcvid, Errno.EAGAIN);
      });
    }
  }

  private *devctl(ctx: ThreadCtx, q: QueuedMessage, so: Socket, m: DevctlMsg): Co<void> {
    const d = m.data ?? {};
    const st = this.p.stack.sockets;
    const addr = typeof d.addr === 'number' ? d.addr >>> 0 : 0;
    const port = typeof d.port === 'number' ? d.port & 0xffff : 0;
    let e = 0;
    switch (m.dcmd) {
      case 'DCMD_IP_SSRCADDR':
        e = st.bind(so, addr, port);
        break;
      case 'DCMD_IP_SDESTADDR':
        e = st.connect(so, addr, port);
        break;
      case 'DCMD_IP_GSRCADDR':
        ctx.MsgReply(q.rcvid, { status: 0, data: sockaddrIn(so.laddr, so.lport) });
        return;
      case 'DCMD_IP_GDESTADDR':
        if (!so.connected) e = Errno.ENOTCONN;
        else {
          ctx.MsgReply(q.rcvid, { status: 0, data: sockaddrIn(so.faddr, so.fport) });
          return;
        }
        break;
      case 'DCMD_IP_SHUTDOWN':
        if (d.how === SHUT_RD || d.how === SHUT_RDWR) {
          so.cantRcvMore = true;
          so.rcv.records.length = 0;
          so.rcv.cc = 0;
        }
        break;
      default: {
        const r = yield* interfaceIoctl(this.p, m.dcmd, d);
        if (typeof r === 'number') ctx.MsgError(q.rcvid, r);
        else ctx.MsgReply(q.rcvid, { status: 0, data: r.data });
        return;
      }
    }
    if (e) ctx.MsgError(q.rcvid, e);
    else ctx.MsgReply(q.rcvid, { status: 0 });
  }

  /** read/write/ioctl on a /dev/bpf descriptor (bpfread, bpfwrite, bpfioctl in stack/net/bpf.ts). */
  private bpfMessage(ctx: ThreadCtx, q: QueuedMessage, d: BpfDesc, m: IoPktMessage): void {
    const bpf = this.p.stack.bpf;
    const p = this.p;
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

  private close(ctx: ThreadCtx, so: Socket): void {
    so.waiters.length = 0; // a reader blocked on a closed socket has lost its connection
    this.p.stack.sockets.close(so);
    ctx.trace('socket', 'close', 0, { so: so.id });
  }
}
