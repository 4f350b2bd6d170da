/**
 * lsm-pf-v4.so, the packet filter module (`mount -T io-pkt lsm-pf-v4.so; waitfor /dev/pf`, or `-p pf-v4` on
 * io-pkt's command line): pf_attach creates the pf state (stack/net/pf), the `pflog0` interface, hooks pf_test
 * into the inet pfil head, and attaches /dev/pf. pf starts disabled (`pfctl -e` enables it). A protocol
 * module cannot be unloaded; loading it a second time into the same io-pkt is EEXIST.
 */
import { Errno, type Co } from '../kernel/api';
import type { NetStack } from '../net/stack';
import { Pf } from '../net/pf/pf';
import { createPflogIf } from '../net/pf/pflog';
import type { IoPkt, LsmModule } from './driver-api';
import type { LsmHost } from './lsm-host';
import { pfDevice } from './resmgr-pf';

const attached = new WeakMap<NetStack, Pf>();

/** The pf of a stack, once lsm-pf attached it (debugger and white-box tests). */
export function pfOf(s: NetStack): Pf | undefined {
  return attached.get(s);
}

export const lsmPf: LsmModule = {
  kind: 'iopkt_lsm_entry',
  *lsmInit(iopkt: IoPkt, _options: string, lsm: LsmHost): Co<number> {
    const s = lsm.stack;
    if (attached.has(s)) return Errno.EEXIST;
    const pf = new Pf(s);
    attached.set(s, pf);
    // pflogattach: pflog0, DLT_PFLOG.
    const lg = createPflogIf(0);
    lsm.attachInterface(lg, 'loop');
    pf.pflogif = lg;
    s.pfil.inet.add('pf', pf.hook);
    lsm.attachDevice('/dev/pf', pfDevice(pf));
    iopkt.log(`pf: attached, hostid 0x${pf.hostid.toString(16).padStart(8, '0')}`);
    return 0;
  },
};
