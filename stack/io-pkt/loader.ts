/**
 * nw_dlload_module (sys/nw_dl.c): open a module by name, retry "devnp-x" as "devn-x", tell protocol
 * modules (iopkt_lsm_entry) from native drivers (iopkt_drvr_entry) from legacy io-net drivers
 * (io_net_dll_entry, run through devnp-shim.so with "<path> <opts>"), check the variant, call its init.
 * Failures are logged with io-pkt's messages at LOG_ERR (slog severity _SLOG_ERROR, as vlog_ext maps it), and
 * printed on the console (with -v, log_cons, as real io-pkt; without it too, as issue 14 asks). A module whose
 * init fails leaves nothing attached: what it attached through its host is taken back (DriverHost.unwind).
 */
import { KernelError, type Co } from '../kernel/api';
import { strerror } from '../lib/errno';
import { Errno } from '../kernel/api';
import { _SLOG_ERROR } from '../kernel/slog';
import { DLERROR_NOT_FOUND, type DllTable } from './dll';
import type { LoadableModule } from './driver-api';
import { DriverHost } from './driver-host';
import { lsmHost } from './lsm-host';
import type { IoPktProcess } from './process';

export const IONET_SHIM_NAME = 'devnp-shim.so';

/**
 * dlopen of a module: the loader reads and relocates the shared object from the image filesystem (blocked
 * on I/O; the CPU is free meanwhile). A failed search costs the same lookups.
 */
export const DLOPEN_NS = 1_000_000;

/** `-d x` → devnp-x.so, `-p x` → lsm-x.so; a leading '/' is a path used as given (init_load). */
export function moduleFileName(kind: 'd' | 'p', arg: string): string {
  if (arg.startsWith('/')) return arg;
  return `${kind === 'd' ? 'devnp-' : 'lsm-'}${arg}.so`;
}

export class Loader {
  constructor(private readonly p: IoPktProcess, private readonly dll: DllTable) {}

  /**
   * log(LOG_ERR, …), or log_cons when `cons` (-v): slog at _SLOG_ERROR (vlog_ext: LOG_ERR 3 − 1). Being an
   * error, the line is on the console either way (IoPktProcess.log; issue 14), once.
   */
  private say(cons: boolean, text: string): void {
    this.p.log(text, _SLOG_ERROR, cons);
  }

  private *dlopen(name: string): Co<LoadableModule | null> {
    yield* this.p.ctx.sleep(DLOPEN_NS);
    return this.dll.open(name);
  }

  /** Load and initialize `mp0` with `opts`. Returns 0 or an errno. Runs in the stack context. */
  *load(mp0: string, opts: string | null, cons: boolean): Co<number> {
    if (mp0 === '') return Errno.EINVAL;
    let mp = mp0;
    let mod = yield* this.dlopen(mp);
    if (!mod && mp.startsWith('devnp-')) {
      mp = `devn-${mp.slice('devnp-'.length)}`;
      mod = yield* this.dlopen(mp);
    }
    if (!mod) {
      this.say(cons, `Unable to load ${mp}: ${DLERROR_NOT_FOUND}`);
      return Errno.ENXIO;
    }
    let ret: number;
    let host: DriverHost;
    if (mod.kind === 'iopkt_lsm_entry') {
      this.p.log(`${mp} ${opts ?? '(null)'}`);
      host = new DriverHost(this.p, mp);
      const h = host;
      ret = yield* this.guard(() => mod.lsmInit(h, opts ?? '', lsmHost(this.p)));
    } else {
      let file = mp;
      let string = opts;
      let entry = mod;
      if (mod.kind === 'io_net_dll_entry') {
        const shim = yield* this.dlopen(IONET_SHIM_NAME);
        if (!shim || shim.kind !== 'iopkt_drvr_entry') {
          this.say(cons, `Unable to load ${IONET_SHIM_NAME}: ${DLERROR_NOT_FOUND}`);
          return Errno.ENXIO;
        }
        file = IONET_SHIM_NAME;
        string = opts !== null ? `${mp} ${opts}` : mp;
        entry = shim;
      }
      if (entry.kind !== 'iopkt_drvr_entry') {
        this.say(cons, `Unable to load ${mp}: ${DLERROR_NOT_FOUND}`);
        return Errno.ENXIO;
      }
      if (entry.version !== 1 || entry.type === 'uni') {
        this.say(cons, 'Driver variant mismatch.');
        return Errno.EINVAL;
      }
      // The runtime linker resolves the module's imports against this io-pkt: io-pkt-v4 is built without
      // net80211, so a wireless driver's first 802.11 symbol is unresolved and dlopen fails (QNX ldd wording).
      const missing = (entry.imports ?? []).find((sym) => !this.exports(sym));
      if (missing !== undefined) {
        this.say(cons, `Unable to load ${mp}: Unresolved symbol "${missing}" called from ${mp}`);
        return Errno.ENOENT;
      }
      this.p.log(`${mp} ${string ?? '(null)'}`);
      host = new DriverHost(this.p, file);
      const h = host;
      const drv = entry;
      ret = yield* this.guard(() => drv.drvrInit(h, string ?? ''));
      if (ret === 0) this.p.loaded.set(file, entry);
    }
    if (ret !== 0) {
      this.say(cons, `Unable to init ${mp}: ${strerror(ret)}`);
      const left = host.unwind();
      if (left.length > 0) this.p.main.trace('io-pkt', 'unwind', 0, { module: mp, detached: left.join(',') });
    }
    return ret;
  }

  /** Does this io-pkt variant export `sym`? The 802.11 layer (ieee80211_*) is in the hc variants only. */
  private exports(sym: string): boolean {
    if (sym.startsWith('ieee80211_')) return this.p.variant !== 'io-pkt-v4';
    return true;
  }

  /** A module's init that throws a KernelError fails with its errno (other exceptions crash io-pkt). */
  private *guard(init: () => Co<number>): Co<number> {
    try {
      return yield* init();
    } catch (e) {
      if (e instanceof KernelError) return e.errno;
      throw e;
    }
  }
}
