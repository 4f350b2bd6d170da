/**
 * What a protocol module (lsm-*.so) reaches beyond the driver API. On QNX an lsm links against io-pkt itself
 * (it is stack code: lsm-pf's pf_attach calls pfil_add_hook, if_attach for pflog0 and resmgr_attach for
 * /dev/pf); here that is the stack, devices under the tcpip prefix whose messages the resource manager routes
 * to the module (resmgr.ts), and interfaces without hardware attached to the stack's list.
 */
import type { Co, ThreadCtx } from '../kernel/api';
import type { Ifnet } from '../net/if';
import type { IfType } from '../net/ifnet';
import type { NetStack } from '../net/stack';
import type { IoPktMessage } from './msg';
import type { IoPktProcess, QueuedMessage } from './process';

/** A device a module serves: open → a handle (or errno), messages on it, close. Runs in the stack context. */
export interface LsmDevice {
  open(ctx: ThreadCtx, pid: number): { handle: unknown } | number;
  message(ctx: ThreadCtx, q: QueuedMessage, handle: unknown, m: IoPktMessage): Co<void>;
  close(handle: unknown): void;
}

export interface LsmHost {
  readonly stack: NetStack;
  /** resmgr_attach of `path` (under the tcpip prefix) for the module's device. */
  attachDevice(path: string, dev: LsmDevice): void;
  /** if_attach of an interface the module made (pflog0). */
  attachInterface(ifp: Ifnet, type: IfType): void;
}

const registry = new WeakMap<IoPktProcess, Map<string, LsmDevice>>();

/** The device a module attached at `fullPath` (prefix included), for the resource manager. */
export function lsmDeviceAt(p: IoPktProcess, fullPath: string): LsmDevice | undefined {
  return registry.get(p)?.get(fullPath);
}

export function lsmHost(p: IoPktProcess): LsmHost {
  return {
    stack: p.stack,
    attachDevice(path, dev) {
      const full = `${p.cl.tcpip.prefix}${path}`;
      let m = registry.get(p);
      if (!m) registry.set(p, (m = new Map()));
      m.set(full, dev);
      p.ctx.pathAttach(full, p.chid);
    },
    attachInterface(ifp, type) {
      p.stack.attachInterface(ifp, type);
      p.main.trace('ifnet', 'attach', 0, { if: ifp.name, driver: ifp.driver });
    },
  };
}
