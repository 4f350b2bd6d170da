/**
 * QnetKif: lsm-qnet's kernel interface layer (LwL4 layer 0, KIF), between procnto's Net* calls (KernelKif,
 * stack/kernel/kif.ts) and the transport (QnetTransportApi). The messages are packet-qnet6.c's
 * (docs/design/qnet-wire.md §6; the struct comments there say which node each is addressed to): ids named
 * by the receiver — `server_id` for the server's node, `client_id`/`client_handle` for the client's.
 *
 * Client's node (kif-client.ts), from the kernel's ops:
 *   first MsgSend on a connection → CONNECT_MSGSEND (Connect + MsgSend in one message); a pulse or a second
 *   thread's send before the answer → CONNECT, the rest waits for CONNECT_SUCCESS (server_id, scoid);
 *   later sends → MSGSEND; pulses → PULSE; ConnectDetach → DISCONNECT. The transport's acknowledgement of a
 *   MsgSend is the kernel's clientSent (NET_SEND → NET_REPLY); MSGREPLY/MSGERROR → clientReply.
 * Server's node (kif-server.ts): CONNECT* → vconnect → CONNECT_SUCCESS / CONNECT_FAIL (errno); MSGSEND →
 *   vsend as a virtual thread; the 'vreply' op → MSGREPLY (status, reply bytes) or MSGERROR (errno); PULSE →
 *   vpulse; DISCONNECT → vdetach. When the server is gone (vsend/vreply ESRCH) the connection is dead:
 *   MSGERROR for the send, then CONNECT_DEATH {client_id} to the client's node, which forgets the
 *   connection so the next send reconnects (and gets CONNECT_FAIL ESRCH).
 * peerDown (the transport gave up on a node): both tables forget the node and QnetKif calls the kernel's
 *   nodeDown(nd, errno), which fails the local clients blocked on it and detaches its remote clients here.
 *
 * [ours] Not sent: UNBLOCK (the kernel has no way to unblock a NET_REPLY client early), MSGREAD/MSGWRITE
 * (whole messages travel; the transport fragments them), EVENT, SIGNAL, credentials.
 * [ours] The server's node answers with the QoS the request came with, as the transport hands it up: the
 * client's policy on the interface of ours the request arrived on (a preferred:en1 client's replies go
 * preferred on the interface its request used; exclusive stays exclusive there; loadbalance stays loadbalance).
 * The client's interface name means nothing on the server's node, so the arrival interface stands for it.
 * Every KIF message encoded or parsed charges QnetCost.kif on the io-pkt thread doing it.
 */
import type { KernelKif, KifOp } from '../../kernel/kif';
import { QnetLayer } from '../wire/qnet';
import { QnetKifPacket, QnetKifRepr } from '../wire/qnet-kif';
import { WireError } from '../wire/view';
import { QnetCost } from './defaults';
import { KifClient } from './kif-client';
import { REPLY_QOS, type KifContext } from './kif-context';
import { KifServer } from './kif-server';
import type { QnetEnv, QnetNdTable, QnetPeer, QnetStats, QnetTransportApi, QosSpec } from './types';

export { QNET_KIF_MAX_NBYTES, QNET_KIF_VERSION } from './kif-context';

export class QnetKif {
  private readonly ctx: KifContext;
  private readonly client: KifClient;
  private readonly server: KifServer;

  constructor(env: QnetEnv, kernel: KernelKif, private readonly transport: QnetTransportApi, nds: QnetNdTable, stats: QnetStats) {
    const ctx: KifContext = {
      env, kernel, nds, stats,
      send: (peer, qos, r, done) => {
        env.charge(QnetCost.kif);
        const buf = new Uint8Array(QnetKifRepr.bufferLen(r));
        QnetKifRepr.emit(r, new QnetKifPacket(buf));
        env.trace('kif-tx', { kind: r.kind, peer: peer.name, bytes: buf.length });
        return this.transport.send(peer, qos, QnetLayer.KIF, buf, done);
      },
    };
    this.ctx = ctx;
    this.client = new KifClient(ctx);
    this.server = new KifServer(ctx);
  }

  /** What ctx.kif.takeOps() returned, in order (stack context). */
  kernelOps(ops: KifOp[]): void {
    for (const op of ops) {
      switch (op.kind) {
        case 'send': this.client.send(op); break;
        case 'pulse': this.client.pulse(op); break;
        case 'detach': this.client.detach(op); break;
        case 'vreply': this.server.vreply(op); break;
      }
    }
  }

  /**
   * A whole KIF message from `peer` (the transport delivers each once, in order within its QoS stream), with
   * the QoS it came with (answers use it). Bad ones are counted and dropped.
   */
  input(peer: QnetPeer, payload: Uint8Array, qos: QosSpec = REPLY_QOS): void {
    const { env, stats } = this.ctx;
    env.charge(QnetCost.kif);
    const r = QnetKifRepr.parse(new QnetKifPacket(payload));
    if (r instanceof WireError) {
      stats.l4.rx_bad++;
      env.trace('kif-bad', { peer: peer.name, check: r.check, reason: r.reason, bytes: payload.length });
      return;
    }
    env.trace('kif-rx', { kind: r.kind, peer: peer.name, bytes: payload.length });
    switch (r.kind) {
      case 'connect':
      case 'connectMsgSend':
      case 'msgSend':
      case 'pulse':
      case 'disconnect':
        this.server.input(peer, r, qos);
        break;
      case 'connectSuccess':
      case 'connectFail':
      case 'msgReply':
      case 'msgError':
      case 'connectDeath':
        this.client.input(peer, r);
        break;
      default:
        env.trace('kif-unhandled', { kind: r.kind, peer: peer.name });
    }
  }

  /** The transport gave up on `peer`: forget its connections both ways; the kernel fails what waits on it. */
  peerDown(peer: QnetPeer, errno: number): void {
    this.client.peerDown(peer);
    this.server.peerDown(peer);
    const nd = this.ctx.nds.ndOf(peer);
    this.ctx.env.trace('kif-node-down', { peer: peer.name, nd, errno });
    this.ctx.kernel.nodeDown(nd, errno);
  }

  /** Lines for /proc/qnetstats and the debugger: the connection tables. */
  describe(): string[] {
    return [...this.client.describe(), ...this.server.describe()];
  }
}
