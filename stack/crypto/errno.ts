/**
 * Errno values of the crypto API (crp_etype and process() answers). EBADMSG is QNX's number ("Bad message": a
 * CCM tag that does not verify); ERESTART is the BSD kernel's internal "try again later" (-1), never seen by
 * programs. The rest are the kernel's.
 */
import { Errno } from '../kernel/api';

export const EBADMSG = 77;
export const ERESTART = -1;
export const EINVAL = Errno.EINVAL;
export const EIO = Errno.EIO;
export const ENXIO = Errno.ENXIO;
export const ENODEV = Errno.ENODEV;
