/** strerror() for the networking errno values, on top of the kernel's table. */
import { ECONNABORTED, ECONNRESET, EINPROGRESS, ENOPROTOOPT, EPIPE, EPROTOTYPE, ESHUTDOWN } from '../include/errno';
import { strerror as kstrerror } from '../kernel/api';

const EXTRA: Record<number, string> = {
  [EPROTOTYPE]: 'Protocol wrong type for socket',
  [ENOPROTOOPT]: 'Protocol not available',
  [EPIPE]: 'Broken pipe',
  [EINPROGRESS]: 'Operation now in progress',
  [ECONNABORTED]: 'Software caused connection abort',
  [ECONNRESET]: 'Connection reset by peer',
  [ESHUTDOWN]: "Can't send after socket shutdown",
};

export function strerror(errno: number): string {
  const k = kstrerror(errno);
  if (!k.startsWith('Unknown error')) return k;
  return EXTRA[errno] ?? k;
}
