/**
 * <fcntl.h> as the socket library uses it (QNX values), and FIONBIO of <sys/ioctl.h> (<sys/filio.h>).
 */

/** fcntl commands. */
export const F_GETFL = 3;
export const F_SETFL = 4;

/** File status flags (F_GETFL/F_SETFL). O_NONBLOCK: calls that would block fail with EAGAIN/EINPROGRESS. */
export const O_RDWR = 0x0002;
export const O_NONBLOCK = 0x0080;

/** ioctl(fd, FIONBIO, &on): set or clear O_NONBLOCK. */
export const FIONBIO = 'FIONBIO';
/** ioctl(fd, FIONREAD, &n): bytes ready to read. */
export const FIONREAD = 'FIONREAD';
