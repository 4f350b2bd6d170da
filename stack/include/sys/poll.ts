/**
 * <sys/poll.h> (QNX numbering: the POLL* bits are the extended ionotify conditions _NOTIFY_CONDE_* of
 * <sys/iomgr.h>, so poll() passes them to the resource manager unchanged) and the fd_set of <sys/select.h>.
 */

export const POLLRDNORM = 0x0001;
export const POLLWRNORM = 0x0002;
export const POLLRDBAND = 0x0004;
export const POLLPRI = 0x0008;
export const POLLWRBAND = 0x0010;
/** An error is pending (so_error): returned whether asked for or not. */
export const POLLERR = 0x0020;
/** Hung up: the connection can neither send nor receive any more. Returned whether asked for or not. */
export const POLLHUP = 0x0040;
/** Not an open descriptor. Returned whether asked for or not. */
export const POLLNVAL = 0x1000;
export const POLLIN = POLLRDNORM | POLLRDBAND;
export const POLLOUT = POLLWRNORM;

/** struct pollfd. */
export interface PollFd {
  fd: number;
  events: number;
  revents: number;
}

/** The largest descriptor number + 1 select() takes (FD_SETSIZE). */
export const FD_SETSIZE = 256;

/** fd_set: the descriptors of one select() set (FD_SET/FD_CLR/FD_ISSET are Set methods). */
export type FdSet = Set<number>;
