/**
 * What QnetKif's client and server halves (kif-client.ts, kif-server.ts) share: the node's pieces and the one
 * way to put a KIF message on the wire, and the constants of the protocol that are ours (kif.ts explains them).
 */
import type { KernelKif } from '../../kernel/kif';
import type { QnetKifRepr } from '../wire/qnet-kif';
import type { QnetEnv, QnetNdTable, QnetPeer, QnetStats, QosSpec } from './types';

/** `version` of Connect, Connect Success and Connect Fail [ours: the real value is not published]. */
export const QNET_KIF_VERSION = 1;
/** Connect Success `nbytes`: the most a MsgSend may carry. We ship whole messages: 1 MiB [ours]. */
export const QNET_KIF_MAX_NBYTES = 0x100000;
/** QoS of a server node's answers when the request's QoS is not known (a caller that does not say). */
export const REPLY_QOS: QosSpec = { type: 'loadbalance' };

/** What the client and server halves share. */
export interface KifContext {
  readonly env: QnetEnv;
  readonly kernel: KernelKif;
  readonly nds: QnetNdTable;
  readonly stats: QnetStats;
  /** Encode `r` and queue it for `peer`: 0, or the transport's errno at once. `done` as QnetTransportApi.send. */
  send(peer: QnetPeer, qos: QosSpec, r: QnetKifRepr, done?: (errno: number) => void): number;
}
