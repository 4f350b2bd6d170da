/**
 * Messages between clients (the socket library, mount/umount, utilities) and io-pkt's resource manager.
 * Structured stand-ins for QNX's _IO_* messages: `_IO_CONNECT` (open a socket, mount, unmount),
 * `_IO_READ`/`_IO_WRITE` (recv/send), `_IO_DEVCTL` (bind/connect/getsockname and ioctls), `_IO_MSG`
 * (socket options and sysctl, QNX's _IOMGR_TCPIP), `_IO_CLOSE`. `bytes` is what the real message would
 * copy (message-pass cost).
 *
 * Mount convention (the simulated kernel has no mount manager): io-pkt attaches `/proc/mount/<type>` for
 * each type it answers (`io-pkt[N]`, `io-net[N]`, `tcpip`); the mount utility resolves
 * `/proc/mount/<type>` and sends `_IO_CONNECT` subtype `mount` there. A type nobody attached resolves to
 * nothing: ENOENT, as io-pkt's lsm_mount answers for a type that is not its own.
 */
import type { SockAddr } from '../include/netinet/in';
import type { Ipv4Addr } from '../net/wire/addr';

export const IO_CONNECT = '_IO_CONNECT';
export const IO_READ = '_IO_READ';
export const IO_WRITE = '_IO_WRITE';
export const IO_DEVCTL = '_IO_DEVCTL';
export const IO_MSG = '_IO_MSG';
export const IO_CLOSE = '_IO_CLOSE';

/** Where io-pkt attaches its mount handler names. */
export const MOUNT_DIR = '/proc/mount';

export type OpenMsg = {
  type: typeof IO_CONNECT;
  subtype: 'open';
  /** The registered path that matched and what was left of the opened path. */
  path: string;
  rest: string;
  ftype: 'socket' | 'any';
  domain: number;
  socktype: number;
  protocol: number;
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

/** A routing message written on an AF_ROUTE socket (struct rt_msghdr + sockaddrs, reduced). */
export type RtMsg = {
  rtmType: 'RTM_ADD' | 'RTM_DELETE' | 'RTM_GET';
  dst: Ipv4Addr;
  mask: Ipv4Addr;
  gateway: Ipv4Addr;
  host: boolean;
  reject?: boolean;
};

export type WriteMsg = {
  type: typeof IO_WRITE;
  data: Uint8Array;
  to: SockAddr | null;
  flags: number;
  /** Packet id the sending application gave the data (trace). */
  pktId: number;
  rtm?: RtMsg;
  bytes?: number;
};

export type ReadMsg = {
  type: typeof IO_READ;
  nbytes: number;
  flags: number;
  bytes?: number;
};

export type ReadReplyData = {
  data: Uint8Array;
  from: SockAddr | null;
  pktId: number;
  /** The datagram was longer than nbytes (MSG_TRUNC). */
  truncated: boolean;
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
  value?: number;
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

export type CloseMsg = { type: typeof IO_CLOSE; bytes?: number };

export type IoPktMessage = OpenMsg | MountMsg | UnmountMsg | WriteMsg | ReadMsg | DevctlMsg | SockoptMsg | SysctlMsg | CloseMsg;

/** Pulse codes on io-pkt's channel. */
export const PULSE_INTR = 1;
export const PULSE_POKE = 2;
export const PULSE_TIMER = 3;
