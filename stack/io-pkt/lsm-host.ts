/**
 * What a protocol module (lsm-*.so) reaches beyond the driver API. On QNX an lsm links against io-pkt itself
 * (it is stack code: lsm-pf's pf_attach calls pfil_add_hook, if_attach for pflog0 and resmgr_attach for
 * /dev/pf); here that is the stack, devices under the tcpip prefix whose messages the resource manager routes
 * to the module (resmgr.ts), and interfaces without hardware attached to the stack's list.
 */
import type { Co, ThreadCtx } from '../kernel/api';
import type { ConnectRedirect } from '../include/sys/iomsg';
import type { Ifnet } from '../net/if';
import type { IfType } from '../net/ifnet';
import type { NetStack } from '../net/stack';
import type { IoPktMessage } from './msg';
import type { IoPktProcess, QueuedMessage, StackWorkSource } from './process';

/** How an open of a module's device ends: a handle (OCB), an errno, or a redirect (_IO_CONNECT_RET_LINK). */
export type LsmOpenResult = { handle: unknown } | number | { redirect: ConnectRedirect };

/**
 * A device a module serves: open → a handle (or errno, or a redirect; or `pending`: the answer comes later
 * through `done`, called in the stack context, e.g. once Qnet resolved a node name), messages on it, close.
 * `rest` is what follows the attached path for a directory device ('' for the path itself). Runs in the stack
 * context.
 */
export interface LsmDevice {
  open(ctx: ThreadCtx, pid: number, rest: string): LsmOpenResult | { pending(done: (r: LsmOpenResult) => void): void };
  message(ctx: ThreadCtx, q: QueuedMessage, handle: unknown, m: IoPktMessage): Co<void>;
  close(handle: unknown): void;
}

export interface LsmHost {
  readonly stack: NetStack;
  /**
   * resmgr_attach of `path` for the module's device: under the tcpip prefix unless `absolute` (Qnet's /net and
   * /proc/qnetstats); with `dir` the device also owns every path below it (opens get the `rest`).
   */
  attachDevice(path: string, dev: LsmDevice, opts?: { dir?: boolean; absolute?: boolean }): void;
  /** if_attach of an interface the module made (pflog0). */
  attachInterface(ifp: Ifnet, type: IfType): void;
  /** io-pkt's connection to its own channel (what a pulse to io-pkt is sent on: Qnet's NetManager.coid). */
  readonly selfCoid: number;
  /** Work the module queues for the stack context outside packets and messages (process.ts StackWorkSource). */
  addStackWork(w: StackWorkSource): void;
}

const registry = new WeakMap<IoPktProcess, Map<string, { dev: LsmDevice; dir: boolean }>>();

/**
 * The device a module attached for `fullPath` (prefix included), for the resource manager: the exact path, or
 * the longest directory device above it, with what is left of the path after it.
 */
export function lsmDeviceAt(p: IoPktProcess, fullPath: string): { dev: LsmDevice; rest: string } | undefined {
  let best: { dev: LsmDevice; rest: string; len: number } | undefined;
  for (const [path, e] of registry.get(p) ?? []) {
    if (fullPath === path) return { dev: e.dev, rest: '' };
    if (e.dir && fullPath.startsWith(`${path}/`) && (!best || path.length > best.len)) best = { dev: e.dev, rest: fullPath.slice(path.length + 1), len: path.length };
  }
  return best && { dev: best.dev, rest: best.rest };
}

export function lsmHost(p: IoPktProcess): LsmHost {
  return {
    stack: p.stack,
    attachDevice(path, dev, opts = {}) {
      const full = opts.absolute ? path : `${p.cl.tcpip.prefix}${path}`;
      let m = registry.get(p);
      if (!m) registry.set(p, (m = new Map()));
      m.set(full, { dev, dir: opts.dir === true });
      p.ctx.pathAttach(full, p.chid, opts.dir ? { dir: true } : undefined);
    },
    attachInterface(ifp, type) {
      p.stack.attachInterface(ifp, type);
      p.main.trace('ifnet', 'attach', 0, { if: ifp.name, driver: ifp.driver });
    },
    selfCoid: p.selfCoid,
    addStackWork(w) {
      p.workSources.push(w);
    },
  };
}
