/**
 * The files procnto itself serves: the boot image's files (the image filesystem under /proc/boot and the
 * absolute paths a buildfile names, read-only, with the contents of inline files such as
 * `/etc/hostapd.conf = { … }`), and /dev/shmem, procnto's RAM "filesystem" where anything may create files
 * (`echo … > /dev/shmem/x`; buildfiles often link /tmp there). Paths resolve through the pathname space first,
 * so symbolic links are followed and a path some resource manager owns is not procnto's.
 */
import { PROCNTO_CHID, PROCNTO_PID } from './kif';
import { normalizePath, type PathSpace } from './pathspace';

export const SHMEM = '/dev/shmem';

export class FileStore {
  private readonly files = new Map<string, Uint8Array>();

  constructor(private readonly paths: PathSpace) {}

  /** An image file with its contents (procnto attaches the name; the contents are what a read returns). */
  addImageFile(path: string, contents: Uint8Array): void {
    this.files.set(normalizePath(path), contents);
  }

  /** Where `path` lands in procnto's files, or null if another server owns it. */
  private key(path: string): string | null {
    const r = this.paths.resolve(path);
    if (!r || r.pid !== PROCNTO_PID) return null;
    return normalizePath(r.rest ? `${r.prefix}/${r.rest}` : r.prefix);
  }

  /** The contents of a file procnto serves, or null (ENOENT). Image files without contents read as empty. */
  read(path: string): Uint8Array | null {
    const k = this.key(path);
    if (k === null) return null;
    const f = this.files.get(k);
    if (f) return f;
    const r = this.paths.resolve(path);
    return r && r.rest === '' && !['/proc', '/proc/boot', SHMEM].includes(k) ? new Uint8Array(0) : null;
  }

  /**
   * Create, truncate or append to a file under /dev/shmem. Returns 0 or an errno: EROFS (30) for the image
   * filesystem and anything else procnto serves, ENOENT when another server owns the path.
   */
  write(path: string, data: Uint8Array, append: boolean): number {
    const k = this.key(path);
    if (k === null) return 2;
    if (!k.startsWith(SHMEM + '/')) return 30;
    const old = append ? this.files.get(k) : undefined;
    const out = new Uint8Array((old?.length ?? 0) + data.length);
    if (old) out.set(old);
    out.set(data, old?.length ?? 0);
    if (!this.files.has(k)) this.paths.attach(k, PROCNTO_PID, PROCNTO_CHID, false);
    this.files.set(k, out);
    return 0;
  }
}
