/**
 * Channels, connections, MsgSend/MsgReceive/MsgReply/MsgError and pulses, with QNX's semantics:
 * - MsgSend leaves the client SEND-blocked until a server thread receives, then REPLY-blocked until
 *   MsgReply/MsgError.
 * - A channel queues pulses and waiting sends together, highest priority first, FIFO within a priority;
 *   so a pulse is received before lower-priority sends and after higher-priority ones.
 * - The receiving thread runs at the priority of what it received (client's or pulse's): priority
 *   inheritance. It keeps that priority until its next MsgReceive; if that blocks, it returns to its base.
 * - A server process that dies unblocks its SEND- and REPLY-blocked clients with ESRCH.
 * - A channel created with _NTO_CHF_DISCONNECT gets a _PULSE_CODE_DISCONNECT pulse (value: the scoid) when a
 *   client's connection to it goes away: ConnectDetach, or the client process ending without detaching. A
 *   resource manager closes that connection's OCBs on it (QNX resmgr_attach's disconnect handling).
 * - A client may be a remote thread (VThread, net.ts): it queues and is received like a local one; its
 *   completion (reply, MsgError, ESRCH) goes back to the network manager instead of waking a thread.
 * - MsgRead/MsgWrite: the received message's payload (its `data` bytes) and a reply buffer MsgWrite fills,
 *   with MsgReply's own data laid over it from offset 0 (QNX: MsgWrite then MsgReply with a short header).
 * Connection ids are unique on the node (QNX's are per process); `scoid` in MsgInfo is the connection id.
 * pid 1 (PROCNTO_PID) is the kernel's own stand-in process with channel PROCNTO_CHID (procnto-server.ts).
 */
import { Errno, KernelError, _NTO_CHF_DISCONNECT, _PULSE_CODE_DISCONNECT, type Message, type MsgInfo, type Received, type Reply } from './api';
import { PROCNTO_PID } from './kif';

export { _NTO_CHF_DISCONNECT, _PULSE_CODE_DISCONNECT };
import type { Kernel } from './kernel';
import { VThread, type Channel, type Client, type Connection, type OpResult, type PendingReply, type Process, type Queued, type Resume, type Thread } from './types';

/**
 * Priority of the disconnect pulse. QNX sends it at the priority of the thread whose exit or detach caused
 * it; that thread is gone (or about to be) here, so it goes at the default application priority (10).
 */
export const DISCONNECT_PULSE_PRIO = 10;

export class Messaging {
  readonly connections = new Map<number, Connection>();
  private readonly pending = new Map<number, PendingReply>();
  private nextCoid = 3;
  private nextRcvid = 1;

  constructor(private readonly k: Kernel) {}

  channelCreate(proc: Process, flags = 0): number {
    const chid = proc.nextChid++;
    proc.channels.set(chid, { chid, proc, flags, receivers: [], queue: [] });
    return chid;
  }

  connectAttach(owner: Process, pid: number, chid: number): number {
    const server = pid === 0 ? owner : pid === PROCNTO_PID ? this.k.procnto.proc : this.k.procs.get(pid);
    if (!server || !server.alive || !server.channels.has(chid)) throw new KernelError(Errno.ESRCH, `ConnectAttach(${pid}, ${chid})`);
    const coid = this.allocCoid();
    this.connections.set(coid, { coid, owner, server, chid });
    owner.coids.add(coid);
    return coid;
  }

  /** A fresh connection id (also for remote connections, net.ts: one namespace). */
  allocCoid(): number {
    return this.nextCoid++;
  }

  /** `coid` is `owner`'s connection to procnto's own channel (served in the kernel: procnto-server.ts). */
  isProcnto(owner: Process, coid: number): boolean {
    const c = this.connections.get(coid);
    return !!c && c.owner === owner && c.server === this.k.procnto.proc;
  }

  /** ConnectDetach; returns the connection so the caller can place `disconnected` on its timeline. */
  connectDetach(owner: Process, coid: number): Connection {
    const c = this.connections.get(coid);
    if (!c || c.owner !== owner) throw new KernelError(Errno.EBADF, `ConnectDetach(${coid})`);
    this.connections.delete(coid);
    owner.coids.delete(coid);
    return c;
  }

  /** The channel `c` reaches asked for disconnect pulses (and `c` is not the server's own connection). */
  private disconnectChannel(c: Connection): Channel | null {
    if (c.server === c.owner || !c.server.alive) return null;
    const ch = c.server.channels.get(c.chid);
    return ch && (ch.flags & _NTO_CHF_DISCONNECT) !== 0 ? ch : null;
  }

  notifiesDisconnect(c: Connection): boolean {
    return this.disconnectChannel(c) !== null;
  }

  /** A connection went away: its server hears of it if its channel asked (_NTO_CHF_DISCONNECT). */
  disconnected(c: Connection): void {
    if (c.server === this.k.procnto.proc) this.k.procnto.connectionGone(c.coid);
    const ch = this.disconnectChannel(c);
    if (!ch) return;
    this.k.trace('disconnect', { pid: c.server.pid, chid: c.chid, scoid: c.coid, client: c.owner.pid });
    this.pulse(ch, DISCONNECT_PULSE_PRIO, _PULSE_CODE_DISCONNECT, c.coid);
  }

  /** The channel a connection reaches, or a KernelError (EBADF: not the caller's; ESRCH: server gone). */
  target(owner: Process | null, coid: number, what: string): Channel {
    const c = this.connections.get(coid);
    if (!c || (owner && c.owner !== owner)) throw new KernelError(Errno.EBADF, `${what}(${coid})`);
    const ch = c.server.alive ? c.server.channels.get(c.chid) : undefined;
    if (!ch) throw new KernelError(Errno.ESRCH, `${what}(${coid})`);
    return ch;
  }

  /** MsgSend (or a vsend), after the client's CPU cost was consumed. */
  send(t: Client, coid: number, msg: Message): OpResult {
    let ch: Channel;
    try {
      ch = this.target(t.proc, coid, 'MsgSend');
    } catch (e) {
      return { error: e };
    }
    const conn = this.connections.get(coid)!;
    const receiver = ch.receivers.shift();
    if (receiver) {
      this.deliverMessage(receiver, t, msg, conn);
      return 'blocked';
    }
    const item: Queued = { kind: 'send', prio: t.prio, client: t, msg, conn };
    enqueue(ch.queue, item);
    t.state = 'SEND';
    t.blockedOn = ch.proc.pid;
    t.unblock = () => {
      const i = ch.queue.indexOf(item);
      if (i >= 0) ch.queue.splice(i, 1);
    };
    return 'blocked';
  }

  /** Client becomes REPLY-blocked; the server thread gets the message at the client's priority. */
  private deliverMessage(server: Thread, client: Client, msg: Message, conn: Connection): void {
    const rcvid = this.nextRcvid++;
    this.pending.set(rcvid, { rcvid, client, server: server.proc, msg, wbuf: null });
    client.state = 'REPLY';
    client.blockedOn = server.proc.pid;
    client.unblock = () => this.pending.delete(rcvid);
    const r: Received = { kind: 'msg', rcvid, msg, info: msgInfo(client, conn) };
    server.prio = client.prio;
    this.k.sched.wake(server, { value: r });
  }

  /** Message a thread receives out of the queue (it is running: no wake-up needed). */
  private take(t: Thread, item: Queued): Received {
    if (item.kind === 'pulse') {
      this.k.sched.setPriority(t, item.prio);
      return { kind: 'pulse', code: item.code, value: item.value, priority: item.prio };
    }
    const rcvid = this.nextRcvid++;
    const client = item.client;
    this.pending.set(rcvid, { rcvid, client, server: t.proc, msg: item.msg, wbuf: null });
    client.state = 'REPLY';
    client.unblock = () => this.pending.delete(rcvid);
    this.k.sched.setPriority(t, client.prio);
    return { kind: 'msg', rcvid, msg: item.msg, info: msgInfo(client, item.conn) };
  }

  receive(t: Thread, chid: number): OpResult {
    const ch = t.proc.channels.get(chid);
    if (!ch) return { error: new KernelError(Errno.ESRCH, `MsgReceive(${chid})`) };
    const item = ch.queue.shift();
    if (item) return { value: this.take(t, item) };
    t.prio = t.basePrio;
    t.state = 'RECEIVE';
    t.blockedOn = chid;
    ch.receivers.push(t);
    t.unblock = () => {
      const i = ch.receivers.indexOf(t);
      if (i >= 0) ch.receivers.splice(i, 1);
    };
    return 'blocked';
  }

  /** Validity of a rcvid for a server (checked when MsgReply is called). */
  owns(server: Process, rcvid: number): boolean {
    const p = this.pending.get(rcvid);
    return !!p && p.server === server;
  }

  /** MsgReply / MsgError effect. A client that died meanwhile is ignored (QNX returns ESRCH to the server). */
  reply(server: Process, rcvid: number, reply: Reply): void {
    const p = this.pending.get(rcvid);
    if (!p || p.server !== server) {
      this.k.trace('reply-stale', { pid: server.pid, rcvid });
      return;
    }
    this.pending.delete(rcvid);
    this.wakeClient(p.client, { value: p.wbuf ? overlay(p.wbuf, reply) : reply });
  }

  /** A client's send completed: a local thread continues; a remote one's result goes to the manager. */
  wakeClient(c: Client, r: Resume): void {
    if (c instanceof VThread) {
      if (!c.alive) return;
      c.alive = false;
      c.unblock = null;
      c.done(r);
      return;
    }
    this.k.sched.wake(c, r);
  }

  /** The received message `rcvid` of `server` (MsgRead/MsgWrite), or ESRCH. */
  private received(server: Process, rcvid: number, what: string): PendingReply {
    const p = this.pending.get(rcvid);
    if (!p || p.server !== server) throw new KernelError(Errno.ESRCH, `${what}(${rcvid})`);
    return p;
  }

  /** MsgRead: up to `nbytes` of the payload from `offset` (the whole message is on this node, see net.ts). */
  msgRead(server: Process, rcvid: number, offset: number, nbytes: number): Uint8Array {
    const p = this.received(server, rcvid, 'MsgRead');
    if (!(offset >= 0) || !(nbytes >= 0)) throw new KernelError(Errno.EFAULT, `MsgRead(${rcvid}, ${offset}, ${nbytes})`);
    const d = p.msg.data;
    if (!(d instanceof Uint8Array)) return new Uint8Array(0);
    return d.slice(Math.min(offset, d.length), Math.min(d.length, offset + nbytes));
  }

  /** MsgWrite: `src` at `offset` of the reply buffer; returns the bytes written. */
  msgWrite(server: Process, rcvid: number, src: Uint8Array, offset: number): number {
    const p = this.received(server, rcvid, 'MsgWrite');
    if (!(offset >= 0)) throw new KernelError(Errno.EFAULT, `MsgWrite(${rcvid}, ${offset})`);
    const old = p.wbuf ?? new Uint8Array(0);
    const out = new Uint8Array(Math.max(old.length, offset + src.length));
    out.set(old);
    out.set(src, offset);
    p.wbuf = out;
    return src.length;
  }

  /** Queue a pulse on a channel (or hand it to a waiting receiver). */
  pulse(ch: Channel, prio: number, code: number, value: number): void {
    const receiver = ch.receivers.shift();
    if (receiver) {
      receiver.prio = prio;
      this.k.sched.wake(receiver, { value: { kind: 'pulse', code, value, priority: prio } satisfies Received });
      return;
    }
    enqueue(ch.queue, { kind: 'pulse', prio, code, value });
  }

  /** A process ends: its channels go (clients unblocked with ESRCH), its connections are closed. */
  processGone(proc: Process): void {
    const esrch = (): { error: KernelError } => ({ error: new KernelError(Errno.ESRCH, 'MsgSend') });
    for (const ch of proc.channels.values()) {
      for (const item of ch.queue) if (item.kind === 'send') this.wakeClient(item.client, esrch());
      ch.queue.length = 0;
      ch.receivers.length = 0;
    }
    proc.channels.clear();
    for (const p of [...this.pending.values()]) {
      if (p.server !== proc) continue;
      this.pending.delete(p.rcvid);
      this.wakeClient(p.client, esrch());
    }
    for (const coid of proc.coids) {
      const c = this.connections.get(coid);
      this.connections.delete(coid);
      if (c) this.disconnected(c);
    }
    proc.coids.clear();
  }

  /** For pidin -f "[": lengths of a channel's queue. */
  queueLength(proc: Process, chid: number): number {
    return proc.channels.get(chid)?.queue.length ?? 0;
  }
}

/** _msg_info of a message from `client` on `conn`; a remote client's carries this node's ND for its node. */
function msgInfo(client: Client, conn: Connection): MsgInfo {
  const info = { pid: client.proc.pid, tid: client.tid, priority: client.prio, coid: conn.coid, scoid: conn.coid };
  return client instanceof VThread ? { ...info, nd: client.nd } : info;
}

/** MsgReply's data laid over what MsgWrite put in the reply buffer. */
function overlay(wbuf: Uint8Array, reply: Reply): Reply {
  const d = reply.data instanceof Uint8Array ? reply.data : new Uint8Array(0);
  const out = new Uint8Array(Math.max(wbuf.length, d.length));
  out.set(wbuf);
  out.set(d);
  return { ...reply, data: out, bytes: Math.max(reply.bytes ?? 0, out.length) };
}

function enqueue(q: Queued[], item: Queued): void {
  let i = q.length;
  while (i > 0 && q[i - 1]!.prio < item.prio) i--;
  q.splice(i, 0, item);
}
