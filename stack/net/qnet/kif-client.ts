/**
 * The client's node of a Qnet connection (kif.ts has the protocol): one entry per remote kernel connection
 * (coid) with our `client_id` for it, the server node's `server_id`/scoid once CONNECT_SUCCESS names them,
 * and the sends waiting for a reply, each under its `client_handle`.
 *
 * States: new (nothing sent yet), connecting (a CONNECT or CONNECT_MSGSEND is out; later sends and pulses
 * wait), connected, and detached (ConnectDetach while connecting: what waited still goes out when
 * CONNECT_SUCCESS comes, then DISCONNECT). A send survives its connection's detach: the server's reply still
 * completes it (the kernel ignores it if the thread is gone).
 */
import { Errno, type Message } from '../../kernel/api';
import type { KifOp, RemoteTarget } from '../../kernel/kif';
import type { QnetKifRepr, QnetKifReprOf } from '../wire/qnet-kif';
import { IoCodecError, decodeIoReply, encodeIoMsg, ioReplyMax } from './iomsg';
import { QNET_KIF_VERSION, type KifContext } from './kif-context';
import type { QnetPeer, QosSpec } from './types';

type SendOp = Extract<KifOp, { kind: 'send' }>;
type PulseOp = Extract<KifOp, { kind: 'pulse' }>;
type DetachOp = Extract<KifOp, { kind: 'detach' }>;
type ToClient = Extract<QnetKifRepr, { kind: 'connectSuccess' | 'connectFail' | 'msgReply' | 'msgError' | 'connectDeath' }>;

interface ClientConn {
  readonly coid: number;
  readonly clientId: number;
  readonly peer: QnetPeer;
  readonly qos: QosSpec;
  readonly target: RemoteTarget;
  readonly pid: number;
  state: 'new' | 'connecting' | 'connected' | 'detached';
  serverId: number;
  scoid: number;
  /** What waits for CONNECT_SUCCESS, in order. */
  waiting: (() => void)[];
}

interface PendingSend {
  readonly id: number;
  readonly handle: number;
  readonly conn: ClientConn;
  readonly msg: Message;
  /** The transport has the message acknowledged (kernel told: clientSent). */
  sent: boolean;
}

export class KifClient {
  private readonly byCoid = new Map<number, ClientConn>();
  private readonly byId = new Map<number, ClientConn>();
  private readonly sends = new Map<number, PendingSend>();
  private nextClientId = 1;
  private nextHandle = 1;

  constructor(private readonly ctx: KifContext) {}

  /** A local thread's MsgSend on a remote connection. */
  send(op: SendOp): void {
    const { kernel, stats, env } = this.ctx;
    stats.kif.client_kercalls++;
    const bytes = encodeIoMsg(op.msg);
    if (bytes instanceof IoCodecError) {
      env.trace('kif-not-carried', { coid: op.coid, type: op.msg.type, reason: bytes.reason });
      kernel.clientReply(op.id, { error: bytes.errno });
      return;
    }
    const conn = this.connFor(op.coid, op.target, op.pid);
    if (!conn) {
      kernel.clientReply(op.id, { error: Errno.EHOSTUNREACH });
      return;
    }
    const p: PendingSend = { id: op.id, handle: this.nextHandle++, conn, msg: op.msg, sent: false };
    this.sends.set(p.handle, p);
    const vinfo = {
      tid: op.tid, coid: op.coid, priority: op.prio, srcmsglen: bytes.length, keydata: 0, srcnd: conn.peer.remoteNd,
      dstmsglen: ioReplyMax(op.msg), vinfoZero: 0,
    };
    const done = (e: number): void => (e === 0 ? this.markSent(p) : this.fail(p, e));
    if (conn.state === 'connected') {
      this.transmit(p, { kind: 'msgSend', values: { serverId: conn.serverId, clientHandle: p.handle, ...vinfo }, data: bytes }, done);
    } else if (conn.state === 'new') {
      conn.state = 'connecting';
      const values = { ...this.connectValues(conn), serverId: 0, clientHandle: p.handle, ...vinfo };
      const e = this.ctx.send(conn.peer, conn.qos, { kind: 'connectMsgSend', values, data: bytes }, (err) => (err === 0 ? this.markSent(p) : this.drop(conn, err)));
      if (e !== 0) this.drop(conn, e);
    } else {
      conn.waiting.push(() => this.transmit(p, { kind: 'msgSend', values: { serverId: conn.serverId, clientHandle: p.handle, ...vinfo }, data: bytes }, done));
    }
  }

  /** MsgSendPulse on a remote connection: fire and forget (a CONNECT first if need be). */
  pulse(op: PulseOp): void {
    this.ctx.stats.kif.client_kercalls++;
    const conn = this.connFor(op.coid, op.target, op.pid);
    if (!conn) {
      this.ctx.env.trace('kif-pulse-drop', { coid: op.coid, nd: op.target.nd, reason: 'unknown node' });
      return;
    }
    const go = (): void => {
      const values = {
        serverId: conn.serverId, clientHandle: 0, tid: 0, coid: op.coid, priority: op.prio, srcmsglen: 0, keydata: 0,
        srcnd: conn.peer.remoteNd, dstmsglen: 0, vinfoZero: 0, pulseType: 0, pulseSubtype: 0, pulseCode: op.code,
        pulseReserved: 0, pulseValue: op.value, pulseScoid: conn.scoid, pulsePriority: op.prio,
      };
      const e = this.ctx.send(conn.peer, conn.qos, { kind: 'pulse', values, data: new Uint8Array(0) }, (err) => {
        if (err !== 0) this.ctx.env.trace('kif-pulse-lost', { coid: op.coid, errno: err });
      });
      if (e !== 0) this.ctx.env.trace('kif-pulse-lost', { coid: op.coid, errno: e });
    };
    if (conn.state === 'connected') {
      go();
      return;
    }
    conn.waiting.push(go);
    if (conn.state === 'new') {
      conn.state = 'connecting';
      const e = this.ctx.send(conn.peer, conn.qos, { kind: 'connect', values: this.connectValues(conn), data: new Uint8Array(0) }, (err) => {
        if (err !== 0) this.drop(conn, err);
      });
      if (e !== 0) this.drop(conn, e);
    }
  }

  /** ConnectDetach (or its process ended): DISCONNECT if the server's node knows the connection. */
  detach(op: DetachOp): void {
    this.ctx.stats.kif.client_kercalls++;
    const conn = this.byCoid.get(op.coid);
    if (!conn) return;
    this.byCoid.delete(op.coid);
    if (conn.state === 'connected') {
      this.disconnect(conn);
    } else if (conn.state === 'new') {
      this.byId.delete(conn.clientId);
    } else {
      conn.state = 'detached';
    }
    this.ctx.stats.kif.net_client = this.byId.size;
  }

  input(peer: QnetPeer, r: ToClient): void {
    const { env, stats } = this.ctx;
    if (r.kind === 'msgReply' || r.kind === 'msgError') {
      const p = this.sends.get(r.values.handle);
      if (!p || p.conn.peer !== peer) {
        env.trace('kif-reply-stale', { peer: peer.name, handle: r.values.handle });
        return;
      }
      this.markSent(p);
      this.sends.delete(p.handle);
      if (r.kind === 'msgError') {
        this.ctx.kernel.clientReply(p.id, { status: -1, errno: r.values.status });
        return;
      }
      const reply = decodeIoReply(p.msg, r.values.status, r.data);
      if (reply instanceof IoCodecError) {
        stats.l4.rx_bad++;
        env.trace('kif-reply-bad', { peer: peer.name, handle: p.handle, reason: reply.reason });
        this.ctx.kernel.clientReply(p.id, { error: reply.errno });
        return;
      }
      this.ctx.kernel.clientReply(p.id, reply);
      return;
    }
    const conn = this.byId.get(r.values.clientId);
    if (!conn || conn.peer !== peer) {
      env.trace('kif-client-stale', { peer: peer.name, kind: r.kind, clientId: r.values.clientId });
      return;
    }
    switch (r.kind) {
      case 'connectSuccess': {
        if (conn.state === 'connected') return;
        stats.kif.connects++;
        const detached = conn.state === 'detached';
        conn.state = 'connected';
        conn.serverId = r.values.serverId;
        conn.scoid = r.values.scoid;
        const waiting = conn.waiting;
        conn.waiting = [];
        for (const go of waiting) go();
        if (detached) this.disconnect(conn);
        return;
      }
      case 'connectFail':
        stats.kif.connect_fails++;
        this.drop(conn, r.values.status);
        return;
      case 'connectDeath':
        this.drop(conn, Errno.ESRCH);
        return;
    }
  }

  /** The node is gone: forget its connections and sends (the kernel's nodeDown fails the blocked clients). */
  peerDown(peer: QnetPeer): void {
    for (const c of [...this.byId.values()]) if (c.peer === peer) this.forget(c);
    for (const p of [...this.sends.values()]) if (p.conn.peer === peer) this.sends.delete(p.handle);
    this.ctx.stats.kif.net_client = this.byId.size;
  }

  describe(): string[] {
    return [...this.byId.values()].map((c) =>
      `kif client coid ${c.coid} id ${c.clientId} -> ${c.peer.name} pid ${c.target.pid} chid ${c.target.chid}: ${c.state}` +
      (c.state === 'connected' ? ` server_id ${c.serverId} scoid ${c.scoid}` : ''));
  }

  // ---- helpers ------------------------------------------------------------------------------------------------

  /** The entry for kernel connection `coid` (a new one, or a fresh one when the coid now names another target). */
  private connFor(coid: number, target: RemoteTarget, pid: number): ClientConn | null {
    const old = this.byCoid.get(coid);
    if (old && old.target.nd === target.nd && old.target.pid === target.pid && old.target.chid === target.chid && old.pid === pid) return old;
    if (old) this.detach({ kind: 'detach', coid, target: old.target, pid: old.pid });
    const where = this.ctx.nds.lookup(target.nd);
    if (!where) return null;
    const conn: ClientConn = {
      coid, clientId: this.nextClientId++, peer: where.peer, qos: where.qos, target, pid,
      state: 'new', serverId: 0, scoid: 0, waiting: [],
    };
    this.byCoid.set(coid, conn);
    this.byId.set(conn.clientId, conn);
    this.ctx.stats.kif.net_client = this.byId.size;
    return conn;
  }

  private connectValues(conn: ClientConn) {
    return { version: QNET_KIF_VERSION, serverPid: conn.target.pid, serverChid: conn.target.chid, clientId: conn.clientId, clientPid: conn.pid };
  }

  private transmit(p: PendingSend, r: QnetKifReprOf<'msgSend'>, done: (e: number) => void): void {
    const e = this.ctx.send(p.conn.peer, p.conn.qos, r, done);
    if (e !== 0) this.fail(p, e);
  }

  private disconnect(conn: ClientConn): void {
    this.byId.delete(conn.clientId);
    this.ctx.stats.kif.net_client = this.byId.size;
    const e = this.ctx.send(conn.peer, conn.qos, { kind: 'disconnect', values: { serverId: conn.serverId }, data: new Uint8Array(0) });
    if (e !== 0) this.ctx.env.trace('kif-disconnect-lost', { clientId: conn.clientId, errno: e });
  }

  /** The server's node has `p` (acknowledged, or answered first): NET_SEND → NET_REPLY, once, while it is pending. */
  private markSent(p: PendingSend): void {
    if (p.sent || !this.sends.has(p.handle)) return;
    p.sent = true;
    this.ctx.kernel.clientSent(p.id);
  }

  private fail(p: PendingSend, errno: number): void {
    if (!this.sends.delete(p.handle)) return;
    this.ctx.kernel.clientReply(p.id, { error: errno });
  }

  /** The connection cannot be used (connect failed, lost, or the server died): fail its sends, forget it. */
  private drop(conn: ClientConn, errno: number): void {
    this.forget(conn);
    for (const p of [...this.sends.values()]) if (p.conn === conn) this.fail(p, errno);
    this.ctx.env.trace('kif-conn-drop', { coid: conn.coid, clientId: conn.clientId, errno });
  }

  private forget(conn: ClientConn): void {
    conn.waiting = [];
    if (this.byCoid.get(conn.coid) === conn) this.byCoid.delete(conn.coid);
    this.byId.delete(conn.clientId);
    this.ctx.stats.kif.net_client = this.byId.size;
  }
}
