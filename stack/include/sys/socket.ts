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
export const SO_REUSEADDR = 0x0004;
export const SO_DONTROUTE = 0x0010;
export const SO_BROADCAST = 0x0020;
export const SO_REUSEPORT = 0x0200;
export const SO_SNDBUF = 0x1001;
export const SO_RCVBUF = 0x1002;
export const SO_SNDTIMEO = 0x1005;
export const SO_RCVTIMEO = 0x1006;
export const SO_ERROR = 0x1007;
export const SO_TYPE = 0x1008;

/** send/recv flags. */
export const MSG_PEEK = 0x2;
export const MSG_DONTROUTE = 0x4;
export const MSG_TRUNC = 0x10;
export const MSG_DONTWAIT = 0x80;

/** shutdown(2) `how`. */
export const SHUT_RD = 0;
export const SHUT_WR = 1;
export const SHUT_RDWR = 2;
