/**
 * <errno.h>: the socket-layer errno values (QNX numbering) that the kernel's table (`Errno` in
 * stack/kernel/api.ts) does not list. strerror() for them is the socket library's (stack/lib/errno.ts).
 */

/** setsockopt/getsockopt: the option is unknown at that level. */
export const ENOPROTOOPT = 242;
/** socket(): the protocol does not fit the socket type. */
export const EPROTOTYPE = 241;

/** Stream-socket errors (QNX <errno.h> values). */
export const EPIPE = 32;
export const EINPROGRESS = 236;
export const ECONNABORTED = 253;
export const ECONNRESET = 254;
export const ESHUTDOWN = 258;
