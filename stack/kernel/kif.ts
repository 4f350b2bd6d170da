/**
 * What procnto offers a network manager (lsm-qnet.so) so that message passing crosses nodes: node descriptors
 * (<sys/netmgr.h>), connections to a channel on another node, and QNX's Net* kernel calls through which the
 * manager sends on behalf of remote clients (virtual threads) and completes local clients' remote sends.
 *
 * The division of labour, as in QNX (sys_arch "Qnet networking", "Behind a simple open()"):
 * - The kernel knows nothing of frames. A MsgSend/MsgSendPulse/ConnectDetach on a connection whose ND is not
 *   ND_LOCAL_NODE becomes a KifOp queued for the manager, which is woken by a pulse (NetManager.coid,
 *   pulseCode) at the client thread's priority. The client is NET_SEND until the manager reports the message
 *   delivered to the server's node (clientSent), then NET_REPLY until clientReply.
 * - On the server's node the manager makes connections on behalf of remote client processes (vconnect) and
 *   sends on behalf of remote client threads (vsend): a virtual thread, a kernel-only sender with the remote
 *   identity (MsgInfo nd/pid/tid/priority). The server receives at the client's priority as for a local
 *   client. When the server replies (or dies: ESRCH) the kernel queues a 'vreply' op for the manager.
 * - nodeDown(nd) fails every local client blocked on that node and detaches what remote clients of that
 *   node held here (their servers hear _PULSE_CODE_DISCONNECT).
 *
 * Node descriptors: ND_LOCAL_NODE is 0. The node part of an ND is bits 0-15 (what the LwL4 header carries
 * as src_nd_for_dst/dst_nd_for_src); the bits above are the manager's QoS slot for that node (qnxemu's
 * choice: QNX's ND also carries the QoS, whose encoding is not published). The kernel only compares node
 * parts (ND_NODE_CMP, as QNX programs must).
 *
 * Every Net* call charges the caller a kernel call; effects on other threads happen at the caller's point on
 * its CPU timeline, like MsgReply.
 */
import type { Message, Reply } from './api';

export const ND_LOCAL_NODE = 0;
export const ND_NODE_MASK = 0xffff;

/** The node part of an ND. */
export function ndNode(nd: number): number {
  return nd & ND_NODE_MASK;
}

/** <sys/netmgr.h> ND_NODE_CMP: compare the machines two NDs name, ignoring QoS (strcmp-like). */
export function ND_NODE_CMP(a: number, b: number): number {
  return ndNode(a) - ndNode(b);
}

/** procnto's own channel (pid 1): the pathname resolver and server of its files, local and remote. */
export const PROCNTO_PID = 1;
export const PROCNTO_CHID = 1;

/** Where a connection on another node goes. */
export interface RemoteTarget {
  readonly nd: number;
  readonly pid: number;
  readonly chid: number;
}

/** A completion: the server's reply (Reply, status/errno as MsgReply/MsgError give it), or a failure errno. */
export type KifResult = Reply | { error: number };

/** A remote client thread, as the server's node knows it (QNX's vthread). */
export interface VClient {
  /** This node's ND for the client's node. */
  readonly nd: number;
  readonly pid: number;
  readonly tid: number;
  readonly prio: number;
}

/** Work the kernel hands the network manager, in the order it arose. */
export type KifOp =
  /** A local thread's MsgSend on a remote connection. Answer with clientSent, then clientReply. */
  | { kind: 'send'; id: number; coid: number; target: RemoteTarget; pid: number; tid: number; prio: number; msg: Message }
  /** MsgSendPulse (or a pulse sigevent) on a remote connection: fire and forget. */
  | { kind: 'pulse'; coid: number; target: RemoteTarget; pid: number; prio: number; code: number; value: number }
  /** A remote connection went: ConnectDetach, or its process ended. */
  | { kind: 'detach'; coid: number; target: RemoteTarget; pid: number }
  /** The server answered a virtual thread's send (`id` from vsend), or went away (`{error: ESRCH}`). */
  | { kind: 'vreply'; id: number; prio: number; result: KifResult };

/** The registered network manager (one per node). */
export interface NetManager {
  /** A connection of the manager's own process and the pulse code the kernel wakes it with (at the op's priority). */
  readonly coid: number;
  readonly pulseCode: number;
  /** netmgr_ndtostr's name for `nd` (node part and QoS; flags are the caller's business), or null if unknown. */
  ndToName(nd: number): string | null;
  /** netmgr_strtond for a node the manager already knows ("beta", "beta.domain", "/net/beta~preferred:en1"), or -1. */
  nameToNd(name: string): number;
}

/** QNX's Net* kernel calls (NetVtid, NetCred, NetUnblock, …) reduced to what lsm-qnet needs. ThreadCtx.kif. */
export interface KernelKif {
  /** Become the node's network manager: 0, or EEXIST when one is registered (and alive). */
  register(m: NetManager): number;
  /** Everything queued for the manager since the last call. */
  takeOps(): KifOp[];
  /** The server's node has a local client's message (`id` of a 'send' op): NET_SEND → NET_REPLY. */
  clientSent(id: number): void;
  /** A local client's remote send completed (or failed: {error}); the client is woken with it. */
  clientReply(id: number, r: KifResult): void;
  /**
   * A connection on behalf of remote process `client` (nd, pid) to local channel (pid, chid): its coid (the
   * scoid the server sees), or -errno (ESRCH: no such process or channel).
   */
  vconnect(client: { nd: number; pid: number }, pid: number, chid: number): number;
  /** Send `msg` on vconnect'ed `coid` as `client`: 0, or an errno (EBADF, ESRCH). The answer comes as a 'vreply' op. */
  vsend(coid: number, client: VClient, msg: Message, id: number): number;
  /** A pulse from a remote client on vconnect'ed `coid`: 0 or an errno. */
  vpulse(coid: number, prio: number, code: number, value: number): number;
  /** The remote client's connection went (KIF DISCONNECT): the server hears _PULSE_CODE_DISCONNECT if it asked. */
  vdetach(coid: number): void;
  /** Node `nd` is unreachable: fail local clients blocked on it with `errno`; drop its remote clients' connections. */
  nodeDown(nd: number, errno: number): void;
}
