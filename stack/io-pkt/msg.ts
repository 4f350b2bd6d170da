/**
 * Messages between clients (the socket library, mount/umount, utilities) and io-pkt's resource manager.
 * Structured stand-ins for QNX's _IO_* messages: `_IO_CONNECT` (open a socket, mount, unmount),
 * `_IO_READ`/`_IO_WRITE` (recv/send), `_IO_DEVCTL` (bind/connect/getsockname and ioctls), `_IO_MSG`
 * (socket options and sysctl, QNX's _IOMGR_TCPIP), `_IO_CLOSE`. `bytes` is what the real message would
 * copy (message-pass cost).
 *
 * Stream sockets and select/poll (issue 11):
 * - listen: `_IO_DEVCTL DCMD_IP_LISTEN {backlog}` (QNX's libsocket uses this devctl too).
 * - accept (QNX: _IO_OPENFD + _IO_DUP): `_IO_DEVCTL DCMD_IP_ACCEPT` on the listener blocks until a connection
 *   is in so_q (EAGAIN when non-blocking) and answers `AcceptReply`: a token naming the child socket io-pkt
 *   holds for this listener's connection, and the peer's address. The library then opens a NEW connection
 *   to io-pkt (ConnectAttach) and sends `_IO_CONNECT` subtype `openfd` with the token: io-pkt binds that
 *   connection's OCB to the child, so the new fd is the new socket. A token not claimed when the listener's
 *   connection closes is aborted with it.
 * - connect: `DCMD_IP_SDESTADDR`; on a stream socket the reply comes when the connection is established or
 *   has failed (ECONNREFUSED, ETIMEDOUT, EHOSTUNREACH…); with `nonblock` it is EINPROGRESS at once, and a
 *   later connect answers EALREADY / EISCONN (BSD).
 * - Non-blocking I/O is a per-descriptor flag of the library (fcntl O_NONBLOCK, ioctl FIONBIO); every
 *   message it sends carries MSG_DONTWAIT (read/write flags, `nonblock` in devctl data) and io-pkt answers
 *   EWOULDBLOCK (= EAGAIN) or EINPROGRESS instead of blocking.
 * - `_IO_NOTIFY` (ionotify): `action` POLLARM answers the conditions that hold now and, if none of the asked
 *   ones does, arms: when one becomes true io-pkt delivers `event` (a pulse to the client's own channel) and
 *   disarms; POLL answers the conditions and removes the connection's armed event (the "poll and disarm" of
 *   <sys/iomgr.h>'s action table). Conditions are _NOTIFY_COND_INPUT/OUTPUT/OBAND, or with
 *   _NOTIFY_COND_EXTEN the POLL* bits of <sys/poll.h> (ERR and HUP reported whether asked or not).
 * - No signals in this simulation: a write after SHUT_WR or after the peer reset fails with EPIPE and no
 *   SIGPIPE is raised (as if MSG_NOSIGNAL were always set).
 * - `_IO_DISCONNECT` is not a client message: io-pkt queues it for itself when the kernel's
 *   _PULSE_CODE_DISCONNECT says a client connection went away (its process exited without closing);
 *   the resource manager closes that connection's OCB as _IO_CLOSE would.
 *
 * Mount convention (the simulated kernel has no mount manager): io-pkt attaches `/proc/mount/<type>` for
 * each type it answers (`io-pkt[N]`, `io-net[N]`, `tcpip`); the mount utility resolves
 * `/proc/mount/<type>` and sends `_IO_CONNECT` subtype `mount` there. A type nobody attached resolves to
 * nothing: ENOENT, as io-pkt's lsm_mount answers for a type that is not its own.
 */
import type { SigEvent } from '../kernel/api';
import type { SockAddr } from '../include/netinet/in';
import {
  IO_CLOSE, IO_CONNECT, IO_DEVCTL, IO_MSG, IO_NOTIFY, IO_READ, IO_WRITE,
  type CloseMsg, type OpenMsg, type ReadMsg, type RtMsg, type WriteMsg,
} from '../include/sys/iomsg';

/** The generic `_IO_*` messages live in include/sys/iomsg.ts (shared with procnto, libc and Qnet's codec). */
export { IO_CLOSE, IO_CONNECT, IO_DEVCTL, IO_MSG, IO_NOTIFY, IO_READ, IO_WRITE };
export type { CloseMsg, OpenMsg, ReadMsg, RtMsg, WriteMsg };

/** io-pkt's own note that a client connection is gone (from _PULSE_CODE_DISCONNECT); never sent by a client. */
export const IO_DISCONNECT = '_IO_DISCONNECT';

/** Where io-pkt attaches its mount handler names. */
export const MOUNT_DIR = '/proc/mount';


/** accept's second step: a new connection claims the child socket an accept reply named. */
export type OpenFdMsg = {
  type: typeof IO_CONNECT;
  subtype: 'openfd';
  token: number;
  bytes?: number;
};

export type MountMsg = {
  type: typeof IO_CONNECT;
  subtype: 'mount';
  path: string;
  /** -T type. */
  mountType: string;
  /** The module (special) as given. */
  special: string;
  /** -o options, or null. */
  data: string | null;
  bytes?: number;
};

export type UnmountMsg = {
  type: typeof IO_CONNECT;
  subtype: 'unmount';
  path: string;
  rest: string;
  bytes?: number;
};




export type ReadReplyData = {
  data: Uint8Array;
  from: SockAddr | null;
  pktId: number;
  /** The datagram was longer than nbytes (MSG_TRUNC). */
  truncated: boolean;
  /** IPv6 datagram and raw sockets: the hop limit it arrived with (IPV6_RECVHOPLIMIT's ancillary data). */
  hlim?: number;
};

export type DevctlMsg = {
  type: typeof IO_DEVCTL;
  /** DCMD_IP_* for bind/connect/…, or an ioctl name (SIOCGIFFLAGS…). */
  dcmd: string;
  data?: Record<string, unknown>;
  bytes?: number;
};

export type SockoptMsg = {
  type: typeof IO_MSG;
  subtype: 'setsockopt' | 'getsockopt';
  level: number;
  name: number;
  /** The option value: a number, or struct linger for SO_LINGER. */
  value?: number | { onoff: boolean; linger: number };
  bytes?: number;
};

export type SysctlMsg = {
  type: typeof IO_MSG;
  subtype: 'sysctl';
  name: string[];
  /** New value for writable nodes. */
  value?: number;
  bytes?: number;
};


/** ionotify() conditions (<sys/iomgr.h>); with _NOTIFY_COND_EXTEN the low bits are <sys/poll.h>'s POLL*. */
export const _NOTIFY_COND_EXTEN = 0x80000000;
export const _NOTIFY_COND_OBAND = 0x40000000;
export const _NOTIFY_COND_OUTPUT = 0x20000000;
export const _NOTIFY_COND_INPUT = 0x10000000;

/** ionotify() actions (<sys/iomgr.h>). */
export const _NOTIFY_ACTION_POLL = 0x2;
export const _NOTIFY_ACTION_POLLARM = 0x3;

export type NotifyMsg = {
  type: typeof IO_NOTIFY;
  action: number;
  /** _NOTIFY_COND_* wanted (with _NOTIFY_COND_EXTEN: POLL* bits). */
  flags: number;
  /** Delivered when an armed condition becomes true (a pulse to the client's channel). */
  event: SigEvent | null;
  bytes?: number;
};

/** The reply to DCMD_IP_ACCEPT. */
export type AcceptReply = { token: number; addr: SockAddr | null };

export type DisconnectMsg = { type: typeof IO_DISCONNECT };

export type IoPktMessage = OpenMsg | OpenFdMsg | MountMsg | UnmountMsg | WriteMsg | ReadMsg | DevctlMsg | SockoptMsg | SysctlMsg | CloseMsg | NotifyMsg | DisconnectMsg;

/** Pulse codes on io-pkt's channel. */
export const PULSE_INTR = 1;
export const PULSE_POKE = 2;
export const PULSE_TIMER = 3;
/** The kernel has KIF work for the network manager (lsm-qnet registered this code: kif.ts NetManager.pulseCode). */
export const PULSE_NETMGR = 4;
