/**
 * <sys/socket.h>: the socket API's constants as applications and the stack both see them (NetBSD/QNX
 * values). Applications take these from here, with the calls from the socket library (stack/lib/socket.ts);
 * the stack's socket layer (stack/net/sockets.ts) decodes the same numbers.
 */

/** Address families (AF_*; PF_* are the same numbers). The socket library opens /dev/socket/<family>. */
export const AF_UNSPEC = 0;
export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_ROUTE = 17;
export const AF_INET6 = 24;

/** Socket types. */
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const SOCK_RAW = 3;

/** setsockopt level of the socket itself, and its options (SO_*). */
export const SOL_SOCKET = 0xffff;
export const SO_DEBUG = 0x0001;
export const SO_ACCEPTCONN = 0x0002;
export const SO_REUSEADDR = 0x0004;
export const SO_KEEPALIVE = 0x0008;
export const SO_DONTROUTE = 0x0010;
export const SO_BROADCAST = 0x0020;
export const SO_LINGER = 0x0080;
export const SO_OOBINLINE = 0x0100;
export const SO_REUSEPORT = 0x0200;
export const SO_SNDBUF = 0x1001;
export const SO_SNDLOWAT = 0x1003;
export const SO_RCVLOWAT = 0x1004;
export const SO_RCVBUF = 0x1002;
export const SO_SNDTIMEO = 0x1005;
export const SO_RCVTIMEO = 0x1006;
export const SO_ERROR = 0x1007;
export const SO_TYPE = 0x1008;

/** listen(2): the largest backlog (NetBSD somaxconn). */
export const SOMAXCONN = 128;

/** send/recv flags. */
export const MSG_OOB = 0x1;
export const MSG_PEEK = 0x2;
export const MSG_DONTROUTE = 0x4;
export const MSG_TRUNC = 0x10;
export const MSG_WAITALL = 0x40;
export const MSG_DONTWAIT = 0x80;
export const MSG_NOSIGNAL = 0x400;

/** struct linger (SO_LINGER): on/off and the time in seconds. */
export interface Linger {
  onoff: boolean;
  linger: number;
}

/** shutdown(2) `how`. */
export const SHUT_RD = 0;
export const SHUT_WR = 1;
export const SHUT_RDWR = 2;
