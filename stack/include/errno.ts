/**
 * <errno.h>: the socket-layer errno values (QNX numbering) that the kernel's table (`Errno` in
 * stack/kernel/api.ts) does not list. strerror() for them is the socket library's (stack/lib/errno.ts).
 */

/** setsockopt/getsockopt: the option is unknown at that level. */
export const ENOPROTOOPT = 99;
