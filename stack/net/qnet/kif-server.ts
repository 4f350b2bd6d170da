/**
 * The server's node of a Qnet connection (kif.ts has the protocol): connections made on behalf of remote
 * client processes (the kernel's vconnect), indexed by the `server_id` we hand the client's node (the lowest
 * free slot from 1, as QNX's vectors are), and the virtual threads' sends waiting for the server's reply,
 * each remembering the `client_handle` to answer.
 *
 * A send whose server is gone (vsend or the reply says ESRCH) kills the connection: MSGERROR ESRCH for the
 * send, CONNECT_DEATH to the client's node, vdetach here.
 *
 * [ours] Every answer travels with the QoS of the request it answers (kif.ts): CONNECT_SUCCESS/FAIL with the
 * CONNECT's, MSGREPLY/MSGERROR with the MSGSEND's, CONNECT_DEATH with that of the last request on the
 * connection, so the answers to a preferred:en1 client stay on the interface its requests come in on.
 */
import { Errno, type Message, type Reply } from '../../kernel/api';
import type { KifOp, KifResult } from '../../kernel/kif';
import type { QnetKifRepr } from '../wire/qnet-kif';
import { IoCodecError, decodeIoMsg, encodeIoReply } from './iomsg';
import { QNET_KIF_MAX_NBYTES, QNET_KIF_VERSION, REPLY_QOS, type KifContext } from './kif-context';
import { qosSuffix } from './qos-spec';
import type { QnetPeer, QosSpec } from './types';

type VreplyOp = Extract<KifOp, { kind: 'vreply' }>;
type ToServer = Extract<QnetKifRepr, { kind: 'connect' | 'connectMsgSend' | 'msgSend' | 'pulse' | 'disconnect' }>;
type Vinfo = { tid: number; priority: number };

const NONE = new Uint8Array(0);

interface ServerConn {
  readonly serverId: number;
  readonly peer: QnetPeer;
  readonly clientId: number;
  readonly clientPid: number;
  /** The kernel's connection (the scoid the server sees). */
  readonly coid: number;
  /** The QoS of the latest request on it (what CONNECT_DEATH uses). */
  qos: QosSpec;
}

interface VSend {
  readonly conn: ServerConn;
  readonly handle: number;
  readonly msg: Message;
  /** The QoS the MSGSEND came with (its MSGREPLY / MSGERROR use it). */
  readonly qos: QosSpec;
}

/** errno of a Reply that is an error (MsgError's {status: -1, errno}), or 0. */
function replyErrno(r: Reply): number {
  if (r.status < 0 || (r.errno !== undefined && r.errno !== 0)) return r.errno || Errno.EIO;
  return 0;
}

export class KifServer {
  /** Index = server_id; slot 0 is never used (0 is the "not yet known" server_id of CONNECT_MSGSEND). */
  private readonly conns: (ServerConn | undefined)[] = [undefined];
  private readonly vsends = new Map<number, VSend>();
  private nextVsend = 1;

  constructor(private readonly ctx: KifContext) {}

  /** A request from `peer` that came with `qos` (its answers go with it). */
  input(peer: QnetPeer, r: ToServer, qos: QosSpec = REPLY_QOS): void {
    switch (r.kind) {
      case 'connect':
      case 'connectMsgSend': {
        const conn = this.connect(peer, r.values, qos);
        if (conn && r.kind === 'connectMsgSend') this.msgSend(conn, r.values.clientHandle, r.values, r.data, qos);
        return;
      }
      case 'msgSend': {
        const conn = this.conn(peer, r.values.serverId);
        if (conn) {
          conn.qos = qos;
          this.msgSend(conn, r.values.clientHandle, r.values, r.data, qos);
        } else this.msgError(peer, r.values.clientHandle, Errno.EBADF, qos);
        return;
      }
      case 'pulse': {
        const conn = this.conn(peer, r.values.serverId);
        if (conn) conn.qos = qos;
        this.ctx.stats.kif.server_pulses++;
        const e = conn ? this.ctx.kernel.vpulse(conn.coid, r.values.pulsePriority, r.values.pulseCode, r.values.pulseValue | 0) : Errno.EBADF;
        if (e !== 0) this.ctx.env.trace('kif-pulse-refused', { peer: peer.name, serverId: r.values.serverId, errno: e });
        return;
      }
      case 'disconnect': {
        const conn = this.conn(peer, r.values.serverId);
        if (!conn) return;
        this.ctx.stats.kif.disconnects++;
        this.free(conn);
        this.ctx.kernel.vdetach(conn.coid);
        return;
      }
    }
  }

  /** The server answered virtual thread `op.id` (or is gone): MSGREPLY or MSGERROR to the client's node. */
  vreply(op: VreplyOp): void {
    const v = this.vsends.get(op.id);
    if (!v) {
      this.ctx.env.trace('kif-vreply-stale', { id: op.id });
      return;
    }
    this.vsends.delete(op.id);
    const r: KifResult = op.result;
    if ('error' in r) {
      this.msgError(v.conn.peer, v.handle, r.error, v.qos);
      if (r.error === Errno.ESRCH) this.death(v.conn);
      return;
    }
    const errno = replyErrno(r);
    if (errno !== 0) {
      this.msgError(v.conn.peer, v.handle, errno, v.qos);
      return;
    }
    const enc = encodeIoReply(v.msg, r);
    if (enc instanceof IoCodecError) {
      this.ctx.env.trace('kif-reply-not-carried', { type: v.msg.type, reason: enc.reason });
      this.msgError(v.conn.peer, v.handle, enc.errno, v.qos);
      return;
    }
    this.ctx.stats.kif.replies++;
    this.transmit(v.conn.peer, { kind: 'msgReply', values: { status: enc.status, handle: v.handle, offset: 0 }, data: enc.data }, v.qos);
  }

  /** The node is gone: forget its connections and sends (the kernel's nodeDown detaches the connections). */
  peerDown(peer: QnetPeer): void {
    for (const c of this.conns) if (c && c.peer === peer) this.free(c);
    for (const [id, v] of [...this.vsends]) if (v.conn.peer === peer) this.vsends.delete(id);
  }

  describe(): string[] {
    return this.conns.flatMap((c) => (c ? [`kif server id ${c.serverId} <- ${c.peer.name} client_id ${c.clientId} pid ${c.clientPid}: scoid ${c.coid}${qosSuffix(c.qos)}`] : []));
  }

  // ---- helpers ------------------------------------------------------------------------------------------------

  private connect(peer: QnetPeer, v: { serverPid: number; serverChid: number; clientId: number; clientPid: number }, qos: QosSpec): ServerConn | null {
    const { kernel, nds, stats } = this.ctx;
    const coid = kernel.vconnect({ nd: nds.ndOf(peer), pid: v.clientPid }, v.serverPid, v.serverChid);
    if (coid < 0) {
      this.transmit(peer, { kind: 'connectFail', values: { version: QNET_KIF_VERSION, clientId: v.clientId, status: -coid }, data: NONE }, qos);
      return null;
    }
    let serverId = this.conns.indexOf(undefined, 1);
    if (serverId < 0) serverId = this.conns.length;
    const conn: ServerConn = { serverId, peer, clientId: v.clientId, clientPid: v.clientPid, coid, qos };
    this.conns[serverId] = conn;
    stats.kif.net_server = this.count();
    this.transmit(peer, {
      kind: 'connectSuccess', values: { version: QNET_KIF_VERSION, serverId, clientId: v.clientId, scoid: coid, nbytes: QNET_KIF_MAX_NBYTES }, data: NONE,
    }, qos);
    return conn;
  }

  private msgSend(conn: ServerConn, handle: number, vinfo: Vinfo, data: Uint8Array, qos: QosSpec): void {
    const { kernel, nds, stats, env } = this.ctx;
    stats.kif.server_msgs++;
    const msg = decodeIoMsg(data);
    if (msg instanceof IoCodecError) {
      env.trace('kif-msg-bad', { peer: conn.peer.name, handle, reason: msg.reason });
      this.msgError(conn.peer, handle, msg.errno, qos);
      return;
    }
    const id = this.nextVsend++;
    this.vsends.set(id, { conn, handle, msg, qos });
    const e = kernel.vsend(conn.coid, { nd: nds.ndOf(conn.peer), pid: conn.clientPid, tid: vinfo.tid, prio: vinfo.priority }, msg, id);
    if (e === 0) return;
    this.vsends.delete(id);
    this.msgError(conn.peer, handle, e, qos);
    if (e === Errno.ESRCH || e === Errno.EBADF) this.death(conn);
  }

  /** The connection's server is gone: tell the client's node, let the kernel drop the connection. */
  private death(conn: ServerConn): void {
    if (this.conns[conn.serverId] !== conn) return;
    this.free(conn);
    this.ctx.kernel.vdetach(conn.coid);
    this.transmit(conn.peer, { kind: 'connectDeath', values: { clientId: conn.clientId }, data: NONE }, conn.qos);
  }

  private msgError(peer: QnetPeer, handle: number, errno: number, qos: QosSpec): void {
    this.ctx.stats.kif.errors++;
    this.transmit(peer, { kind: 'msgError', values: { status: errno, handle, offset: 0 }, data: NONE }, qos);
  }

  private transmit(peer: QnetPeer, r: QnetKifRepr, qos: QosSpec): void {
    const e = this.ctx.send(peer, qos, r, (err) => {
      if (err !== 0) this.ctx.env.trace('kif-answer-lost', { peer: peer.name, kind: r.kind, errno: err });
    });
    if (e !== 0) this.ctx.env.trace('kif-answer-lost', { peer: peer.name, kind: r.kind, errno: e });
  }

  private conn(peer: QnetPeer, serverId: number): ServerConn | null {
    const c = serverId > 0 ? this.conns[serverId] : undefined;
    if (c && c.peer === peer) return c;
    this.ctx.env.trace('kif-server-stale', { peer: peer.name, serverId });
    return null;
  }

  private free(conn: ServerConn): void {
    if (this.conns[conn.serverId] === conn) this.conns[conn.serverId] = undefined;
    this.ctx.stats.kif.net_server = this.count();
  }

  private count(): number {
    return this.conns.filter((c) => c !== undefined).length;
  }
}
