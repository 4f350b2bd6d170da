/**
 * The dll table io-pkt loads modules from (dlopen by file name). A path is looked up by its base name:
 * the simulated node has one flat library directory (/lib/dll, /proc/boot).
 */
import type { LoadableModule } from './driver-api';

/** dlerror() text for a module that is not there. */
export const DLERROR_NOT_FOUND = 'Library cannot be found';

export class DllTable {
  constructor(private readonly table: Readonly<Record<string, LoadableModule>>) {}

  /** dlopen: the module, or null (dlerror: DLERROR_NOT_FOUND). */
  open(name: string): LoadableModule | null {
    const base = name.slice(name.lastIndexOf('/') + 1);
    return Object.prototype.hasOwnProperty.call(this.table, base) ? this.table[base]! : null;
  }

  names(): string[] {
    return Object.keys(this.table);
  }
}
