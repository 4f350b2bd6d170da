/**
 * io-pkt's resource manager (sys/msg.c): the paths it attaches under the tcpip prefix and what each
 * message does. A connection opened on /dev/socket/<domain> becomes a socket (OCB keyed by the
 * connection); _IO_READ blocks until a datagram arrives (the reply unblocks the client at that virtual
 * time), or until SO_RCVTIMEO expires (EWOULDBLOCK); _IO_WRITE sends; _IO_DEVCTL carries bind/connect/
 * listen/accept/getsockname and the interface ioctls; _IO_MSG socket options and sysctl; _IO_NOTIFY arms
 * select/poll notifications (resmgr-wait.ts); _IO_CLOSE frees the socket, and so does the kernel's
 * disconnect pulse for a client that went without closing. Stream sockets' blocking requests are in
 * resmgr-stream.ts. Mount requests load modules; unmount of /dev/io-net/enN detaches a shim interface.
 */
import { Errno, type Co, type ThreadCtx } from '../kernel/api';
import { NetCost, bytesCost } from '../net/costs';
import { sockaddrIn, sockaddrIn6, type SockAddr } from '../include/netinet/in';
import { AF_INET, AF_INET6, AF_ROUTE, MSG_DONTWAIT, MSG_PEEK, SOL_SOCKET, SO_LINGER } from '../include/sys/socket';
import { FIONREAD } from '../include/fcntl';
import type { BpfDesc } from '../net/bpf';
import type { Socket, SockRecord } from '../net/socket';
import { instanceNames } from './cmdline';
import { interfaceIoctl } from './ioctl';
import type { Loader } from './loader';
import {
  IO_CLOSE, IO_CONNECT, IO_DEVCTL, IO_DISCONNECT, IO_MSG, IO_NOTIFY, IO_READ, IO_WRITE, MOUNT_DIR,
  _NOTIFY_ACTION_POLLARM, type AcceptReply, type DevctlMsg, type IoPktMessage, type NotifyMsg, type ReadMsg,
  type ReadReplyData, type SockoptMsg, type SysctlMsg, type WriteMsg,
} from './msg';
import type { IoPktProcess, QueuedMessage } from './process';
import { bpfMessage } from './resmgr-bpf';
import { lsmDeviceAt, type LsmDevice, type LsmOpenResult } from './lsm-host';
import { redirectReply } from '../include/sys/iomsg';
import { mountMessage } from './resmgr-mount';
import { StreamRequests, streamLayer } from './resmgr-stream';
import { SocketWaits } from './resmgr-wait';
import { sysctl } from './sysctl';

type Ocb =
  | { kind: 'socket'; so: Socket } | { kind: 'ionet'; ifname: string } | { kind: 'bpf'; d: BpfDesc }
  // A device a protocol module attached (lsm-host.ts: lsm-pf's /dev/pf).
  | { kind: 'lsm'; dev: LsmDevice; handle: unknown };

/** The BPF device names io-pkt attaches (NetBSD's cloning /dev/bpf and the first unit's name). */
const BPF_PATHS = ['/dev/bpf', '/dev/bpf0'];

/** Address families io-pkt answers on /dev/socket/<n>: AF_INET6 only in io-pkt-v6-hc (QNX). */
function families(p: IoPktProcess): number[] {
  return p.variant === 'io-pkt-v6-hc' ? [AF_INET, AF_ROUTE, AF_INET6] : [AF_INET, AF_ROUTE];
}

/** A connection accept() took off a listener, until the client's new connection claims it (_IO_CONNECT openfd). */
interface Unclaimed {
  so: Socket;
  /** The listener's connection: if it closes first, the child is closed with it. */
  listenerCoid: number;
}

export class ResMgr {
  private readonly ocbs = new Map<number, Ocb>();
  readonly waits: SocketWaits;
  private readonly unclaimed = new Map<number, Unclaimed>();
  private nextToken = 1;

  constructor(private readonly p: IoPktProcess, private readonly loader: Loader) {
    this.waits = new SocketWaits(p);
  }

  get prefix(): string {
    return this.p.cl.tcpip.prefix;
  }

  /** The stream-request handler, once the stack has a stream protocol. */
  private streams(): StreamRequests | null {
    const st = streamLayer(this.p);
    return st ? new StreamRequests(this.p, this.waits, st) : null;
  }

  /** resmgr_attach of every path (after the stack initialized). */
  attachPaths(ctx: ThreadCtx): void {
    for (const f of families(this.p)) ctx.pathAttach(`${this.prefix}/dev/socket/${f}`, this.p.chid);
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
        case IO_CLOSE:
          this.closeOcb(ctx, q.coid, q);
          return;
        case IO_DISCONNECT:
          this.closeOcb(ctx, q.coid, null);
          return;
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
        bpfMessage(this.p, ctx, q, ocb.d, m);
        return;
      }
      if (ocb.kind === 'lsm') {
        yield* ocb.dev.message(ctx, q, ocb.handle, m);
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
        case IO_MSG:
          this.ioMsg(ctx, q, so, m);
          return;
        case IO_NOTIFY:
          this.notify(ctx, q, so, m);
          return;
        default:
          ctx.MsgError(q.rcvid, Errno.ENOSYS);
      }
    } catch (e) {
      // A malformed message must not take the stack down: answer EINVAL and trace it.
      ctx.trace('io-pkt', 'bad-message', 0, { type: String((m as { type?: unknown }).type), error: e instanceof Error ? e.message : String(e) });
      if (q.rcvid !== 0) ctx.MsgError(q.rcvid, Errno.EINVAL);
    }
  }

  private *connect(ctx: ThreadCtx, q: QueuedMessage): Co<void> {
    const m = q.msg;
    if (m.type !== IO_CONNECT) return;
    if (m.subtype === 'mount' || m.subtype === 'unmount') {
      yield* mountMessage(this.p, this.loader, ctx, q);
      return;
    }
    if (m.subtype === 'openfd') {
      const u = this.unclaimed.get(m.token);
      if (!u) {
        ctx.MsgError(q.rcvid, Errno.EBADF);
        return;
      }
      this.unclaimed.delete(m.token);
      this.ocbs.set(q.coid, { kind: 'socket', so: u.so });
      ctx.trace('socket', 'accept', 0, { so: u.so.id, pid: q.pid, coid: q.coid });
      ctx.MsgReply(q.rcvid, { status: 0 });
      return;
    }
    const ionet = `${this.prefix}/dev/io-net/`;
    // open
    const path = m.rest ? `${m.path}/${m.rest}` : m.path;
    const sock = `${this.prefix}/dev/socket/`;
    if (path.startsWith(sock)) {
      const domain = Number(path.slice(sock.length));
      if (!families(this.p).includes(domain) || domain !== m.domain) {
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
    const lsm = lsmDeviceAt(this.p, path);
    if (lsm) {
      const h = lsm.dev.open(ctx, q.pid, lsm.rest);
      // A pending open (Qnet resolving a node name) is answered later, from the stack context.
      if (typeof h === 'object' && 'pending' in h) h.pending((r) => this.lsmOpened(this.p.ctx, q, lsm.dev, r));
      else this.lsmOpened(ctx, q, lsm.dev, h);
      return;
    }
    if (path.startsWith(ionet) && this.p.stack.ifs.list.some((i) => i.name === path.slice(ionet.length) && i.driver === 'shim')) {
      this.ocbs.set(q.coid, { kind: 'ionet', ifname: path.slice(ionet.length) });
      ctx.MsgReply(q.rcvid, { status: 0 });
      return;
    }
    ctx.MsgError(q.rcvid, Errno.ENOENT);
  }

  /** The answer to an open of a module's device: an OCB, an errno, or a redirect (no OCB: the client goes elsewhere). */
  private lsmOpened(ctx: ThreadCtx, q: QueuedMessage, dev: LsmDevice, r: LsmOpenResult): void {
    if (typeof r === 'number') ctx.MsgError(q.rcvid, r);
    else if ('redirect' in r) ctx.MsgReply(q.rcvid, redirectReply(r.redirect));
    else {
      this.ocbs.set(q.coid, { kind: 'lsm', dev, handle: r.handle });
      ctx.MsgReply(q.rcvid, { status: 0 });
    }
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
    if (so.stream) {
      const sr = this.streams();
      if (!sr) ctx.MsgError(q.rcvid, Errno.EOPNOTSUPP);
      else sr.write(ctx, q, so, m);
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
    const reply: ReadReplyData = { data, from: so.domain === AF_INET || so.domain === AF_INET6 ? r.from : null, pktId: r.pktId, truncated: r.data.length > nbytes };
    const hlim = (r as SockRecord & { hlim?: number }).hlim; // raw6/udp6 records (Raw6Record)
    if (hlim !== undefined) reply.hlim = hlim;
    ctx.charge(bytesCost(data.length, NetCost.copyPerByte));
    ctx.trace('socket', 'deliver', r.pktId, { so: so.id, len: data.length });
    ctx.MsgReply(rcvid, { status: data.length, data: reply, bytes: data.length + 16 });
  }

  private read(ctx: ThreadCtx, q: QueuedMessage, so: Socket, m: ReadMsg): void {
    if (so.stream) {
      const sr = this.streams();
      if (!sr) ctx.MsgError(q.rcvid, Errno.EOPNOTSUPP);
      else sr.read(ctx, q, so, m);
      return;
    }
    const st = this.p.stack.sockets;
    const rcvid = q.rcvid;
    // soreceive of one record: answers (true) when there is a record or an error to report.
    const attempt = (c: ThreadCtx): boolean => {
      if (!so.readable()) return false;
      if ((m.flags & MSG_PEEK) !== 0 && so.rcv.records[0]) {
        this.replyRecord(c, rcvid, so, so.rcv.records[0], m.nbytes);
        return true;
      }
      const r = st.receive(so);
      if (typeof r === 'number') c.MsgError(rcvid, r);
      else this.replyRecord(c, rcvid, so, r, m.nbytes);
      return true;
    };
    if (this.waits.count(so, 'read') === 0 && attempt(ctx)) return;
    if ((m.flags & MSG_DONTWAIT) !== 0) {
      ctx.MsgError(q.rcvid, Errno.EAGAIN);
      return;
    }
    // Block: park the reader on the socket; a datagram (or SO_RCVTIMEO) answers it later.
    ctx.trace('socket', 'block', 0, { so: so.id, pid: q.pid, timeoutNs: so.rcvTimeo });
    this.waits.park(so, { coid: q.coid, rcvid, what: 'read', attempt }, so.rcvTimeo, () => {
      this.p.ctx.trace('socket', 'timeout', 0, { so: so.id, pid: q.pid });
      this.p.ctx.MsgError(rcvid, Errno.EAGAIN);
    });
  }

  /** The address in a devctl's data: `sa` (sockaddr_in or sockaddr_in6), or the IPv4 `addr`/`port` pair. */
  private static sockaddrOf(d: Record<string, unknown>): SockAddr {
    const sa = d.sa as SockAddr | undefined;
    if (sa && (sa.family === AF_INET || sa.family === AF_INET6)) return sa;
    return sockaddrIn(typeof d.addr === 'number' ? d.addr >>> 0 : 0, typeof d.port === 'number' ? d.port & 0xffff : 0);
  }

  private *devctl(ctx: ThreadCtx, q: QueuedMessage, so: Socket, m: DevctlMsg): Co<void> {
    const d = m.data ?? {};
    const st = this.p.stack.sockets;
    const nonblock = d.nonblock === true;
    let e = 0;
    switch (m.dcmd) {
      case 'DCMD_IP_SSRCADDR': {
        const sa = ResMgr.sockaddrOf(d);
        e = st.bindAddr(so, sa);
        break;
      }
      case 'DCMD_IP_SDESTADDR': {
        const sa = ResMgr.sockaddrOf(d);
        if (so.stream) {
          const sr = this.streams();
          if (!sr) e = Errno.EOPNOTSUPP;
          else {
            sr.connect(ctx, q, so, sa, nonblock);
            return;
          }
        } else e = st.connectAddr(so, sa);
        break;
      }
      case 'DCMD_IP_LISTEN': {
        const layer = streamLayer(this.p);
        if (!so.stream || !layer) e = Errno.EOPNOTSUPP;
        else {
          // solisten: a negative or too large backlog becomes somaxconn.
          const max = this.p.cl.tcpip.somaxconn;
          const b = typeof d.backlog === 'number' ? d.backlog : max;
          e = layer.listen(so, b < 0 || b > max ? max : b);
        }
        break;
      }
      case 'DCMD_IP_ACCEPT': {
        const sr = this.streams();
        if (!so.stream || !sr) e = Errno.EOPNOTSUPP;
        else {
          sr.accept(ctx, q, so, nonblock, (c, child) => {
            const token = this.nextToken++;
            this.unclaimed.set(token, { so: child, listenerCoid: q.coid });
            const reply: AcceptReply = { token, addr: this.peerName(child) };
            c.MsgReply(q.rcvid, { status: 0, data: reply, bytes: 32 });
          });
          return;
        }
        break;
      }
      case 'DCMD_IP_GSRCADDR':
        ctx.MsgReply(q.rcvid, { status: 0, data: so.domain === AF_INET6 ? sockaddrIn6(so.laddr6, so.lport) : sockaddrIn(so.laddr, so.lport) });
        return;
      case 'DCMD_IP_GDESTADDR': {
        const peer = (so.stream ? so.isConnected : so.connected) ? this.peerName(so) : null;
        if (!peer) e = Errno.ENOTCONN;
        else {
          ctx.MsgReply(q.rcvid, { status: 0, data: peer });
          return;
        }
        break;
      }
      case 'DCMD_IP_SHUTDOWN': {
        // soshutdown (socket-stream.ts): SHUT_RD flushes so_rcv, SHUT_WR sends TCP's FIN after the data.
        const layer = streamLayer(this.p);
        e = layer ? layer.shutdown(so, typeof d.how === 'number' ? d.how : -1) : Errno.EOPNOTSUPP;
        this.waits.run(so);
        break;
      }
      case FIONREAD:
        // FIONREAD: bytes in so_rcv (sb_cc).
        ctx.MsgReply(q.rcvid, { status: 0, data: so.stream ? so.stream.rcv.cc : so.rcv.cc });
        return;
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

  /** The peer's address (getpeername, accept). */
  private peerName(so: Socket): SockAddr {
    return so.domain === AF_INET6 ? sockaddrIn6(so.faddr6, so.fport) : sockaddrIn(so.faddr, so.fport);
  }

  /** _IO_MSG: socket options (SO_LINGER's value is struct linger) and sysctl. */
  private ioMsg(ctx: ThreadCtx, q: QueuedMessage, so: Socket, m: SockoptMsg | SysctlMsg): void {
    if (m.subtype === 'sysctl') {
      const r = sysctl(this.p, m.name, m.value);
      if (typeof r === 'number') ctx.MsgError(q.rcvid, r);
      else ctx.MsgReply(q.rcvid, { status: 0, data: r.data });
      return;
    }
    const st = this.p.stack.sockets;
    if (m.subtype === 'getsockopt' && m.level === SOL_SOCKET && m.name === SO_LINGER) {
      // sogetopt SO_LINGER answers struct linger.
      ctx.MsgReply(q.rcvid, { status: 0, data: { ...so.linger } });
      return;
    }
    if (m.subtype === 'setsockopt') {
      const e = st.setsockopt(so, m.level, m.name, m.value ?? 0);
      if (e) ctx.MsgError(q.rcvid, e);
      else ctx.MsgReply(q.rcvid, { status: 0 });
      this.waits.run(so); // a buffer size or low-water change may let a writer on
      return;
    }
    const v = st.getsockopt(so, m.level, m.name);
    if (v < 0) ctx.MsgError(q.rcvid, -v);
    else ctx.MsgReply(q.rcvid, { status: 0, data: v });
  }

  /** _IO_NOTIFY (ionotify from select/poll): the conditions now; POLLARM arms the event when none holds, POLL disarms. */
  private notify(ctx: ThreadCtx, q: QueuedMessage, so: Socket, m: NotifyMsg): void {
    const mode = m.action === _NOTIFY_ACTION_POLLARM ? 'arm' : 'poll';
    const flags = this.waits.notify(so, q.coid, m.flags >>> 0, m.event, mode);
    ctx.MsgReply(q.rcvid, { status: 0, data: { flags }, bytes: 24 });
  }

  /**
   * _IO_CLOSE (`q` given: reply to it) or the client's connection gone (`q` null): the OCB's socket is closed
   * as close(2) would (a connected stream socket gets its FIN, or RST with SO_LINGER 0). A blocking close with
   * a linger time answers when the connection is gone or the time is up. Requests the connection left
   * waiting get EBADF; connections accept() handed this connection but nobody claimed are closed too.
   */
  private closeOcb(ctx: ThreadCtx, coid: number, q: QueuedMessage | null): void {
    const o = this.ocbs.get(coid);
    this.ocbs.delete(coid);
    for (const [token, u] of [...this.unclaimed]) {
      if (u.listenerCoid !== coid) continue;
      this.unclaimed.delete(token);
      this.closeSocket(ctx, u.so, 'unclaimed');
    }
    let lingering = false;
    if (o?.kind === 'socket') {
      const so = o.so;
      this.waits.dropConnection(so, coid, Errno.EBADF);
      lingering = q !== null && so.stream !== null && so.isConnected && so.linger.onoff && so.linger.linger > 0 && (((q.msg as { flags?: number }).flags ?? 0) & MSG_DONTWAIT) === 0;
      this.closeSocket(ctx, so, q ? 'close' : 'disconnect');
      if (lingering) this.streams()?.lingerWait(ctx, q!, so);
    }
    if (o?.kind === 'bpf') this.p.stack.bpf.close(o.d);
    if (o?.kind === 'lsm') o.dev.close(o.handle);
    if (!q) {
      if (o) ctx.trace('io-pkt', 'disconnect', 0, { coid, ocb: o.kind });
      return;
    }
    if (!lingering) ctx.MsgReply(q.rcvid, { status: 0 });
  }

  private closeSocket(ctx: ThreadCtx, so: Socket, why: string): void {
    this.p.stack.sockets.close(so);
    ctx.trace('socket', 'close', 0, { so: so.id, ...(why !== 'close' ? { why } : {}) });
    this.waits.run(so);
    if (this.waits.count(so) === 0) this.waits.forget(so);
  }
}
