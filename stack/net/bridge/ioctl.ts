/**
 * bridge_ioctl (if_bridge.c): what a bridge ifnet answers itself. SIOCGDRVSPEC/SIOCSDRVSPEC carry a BRDG* command
 * and its record through bridge_control_table (unknown command, wrong direction, or a malformed record: EINVAL;
 * root is not checked: every program of a simulated node runs as root). SIOCSIFFLAGS starts or stops the bridge
 * (bridge_init/bridge_stop; no in6_if_up: NetBSD does not attach IPv6 to IFT_BRIDGE). An address (SIOCAIFADDR)
 * reaches bridge_ioctl's default case: ENOTTY, and so does SIOCGDRVCOM (nicinfo). The other generic ioctls (flags,
 * data, mtu) are io-pkt's, as ifioctl answers them before calling if_ioctl.
 */
import type { Co } from '../../kernel/api';
import { Errno } from '../../kernel/api';
import { IFF_RUNNING, IFF_UP } from '../if';
import {
  BC_F_COPYOUT, BRIDGE_CONTROL, BSTP_IFSTATE_DISABLED, IFBAF_STATIC, IFBAF_TYPEMASK, IFBF_FILT_MASK, IFBF_FLUSHALL, IFBIF_STP, isBrdgCmd,
  SIZEOF_IFBAREQ, SIZEOF_IFBREQ, type BrdgCmd, type IfbAReq, type IfbReq,
} from '../../include/net/if_bridgevar';
import type { IfBridge } from './index';
import { timeUptime, type BridgeSoftc } from './softc';

/** net/if.h IFF_CANTCHANGE: BROADCAST, LOOPBACK, RUNNING, OACTIVE, SIMPLEX, MULTICAST. */
const IFF_CANTCHANGE = 0x2 | 0x8 | IFF_RUNNING | 0x400 | 0x800 | 0x8000;

export type BridgeIoctlResult = number | { data?: unknown };

/** A record field: an integer, or a default when absent (the ioctl's memset); `bad` for a wrong type. */
const bad = Symbol('bad');
function int(v: unknown, dflt = 0): number | typeof bad {
  if (v === undefined) return dflt;
  return typeof v === 'number' && Number.isInteger(v) ? v : bad;
}

function str(v: unknown): string | typeof bad {
  if (v === undefined) return '';
  return typeof v === 'string' ? v : bad;
}

function mac(v: unknown): Uint8Array | typeof bad {
  if (v === undefined) return new Uint8Array(6);
  return v instanceof Uint8Array && v.length >= 6 ? v : bad;
}

/** ifbreq for member `name` of `sc`, as BRDGGIFFLGS and BRDGGIFS fill it. */
function ifbreqOf(br: IfBridge, sc: BridgeSoftc, name: string): IfbReq | null {
  const bif = sc.memberByName(name);
  if (!bif) return null;
  const index = br.s.ifs.has(bif.ifp) ? br.s.ifs.st(bif.ifp).index : 0;
  return {
    ifbr_ifsname: bif.ifp.name, ifbr_ifsflags: bif.flags, ifbr_state: bif.state, ifbr_priority: bif.priority & 0xff,
    ifbr_path_cost: bif.pathCost & 0xff, ifbr_portno: index & 0xff,
  };
}

/** bridge_ioctl for bridge `sc`; undefined: not the bridge's (io-pkt's generic handling applies). */
export function* bridgeIoctl(br: IfBridge, sc: BridgeSoftc, dcmd: string, d: Record<string, unknown>): Co<BridgeIoctlResult | undefined> {
  switch (dcmd) {
    case 'SIOCGDRVSPEC':
    case 'SIOCSDRVSPEC':
      return yield* drvspec(br, sc, dcmd === 'SIOCGDRVSPEC', d.ifd_cmd, (d.ifd_data ?? {}) as Record<string, unknown>);
    case 'SIOCSIFFLAGS': {
      const want = int(d.flags);
      if (want === bad) return Errno.EINVAL;
      const ifp = sc.ifp;
      // ifioctl: the flags a user may change (IFF_CANTCHANGE kept), then if_ioctl.
      ifp.flags = (ifp.flags & IFF_CANTCHANGE) | (want & ~IFF_CANTCHANGE);
      if ((ifp.flags & (IFF_UP | IFF_RUNNING)) === IFF_RUNNING) {
        br.stp.stop(sc);
        sc.stop();
      } else if ((ifp.flags & (IFF_UP | IFF_RUNNING)) === IFF_UP) {
        const e = sc.init();
        if (e) return e;
        br.stp.initialization(sc);
      }
      return {};
    }
    case 'SIOCAIFADDR':
    case 'SIOCAIFADDR_IN6':
    case 'SIOCGDRVCOM':
      return Errno.ENOTTY;
    default:
      return undefined;
  }
}

function* drvspec(br: IfBridge, sc: BridgeSoftc, get: boolean, cmd: unknown, a: Record<string, unknown>): Co<BridgeIoctlResult> {
  if (!isBrdgCmd(cmd)) return Errno.EINVAL;
  const bc = BRIDGE_CONTROL[cmd];
  if (get !== ((bc.flags & BC_F_COPYOUT) !== 0)) return Errno.EINVAL;
  return yield* control(br, sc, cmd, a);
}

function* control(br: IfBridge, sc: BridgeSoftc, cmd: BrdgCmd, a: Record<string, unknown>): Co<BridgeIoctlResult> {
  const running = (sc.ifp.flags & IFF_RUNNING) !== 0;
  const reinit = () => {
    if (running) br.stp.initialization(sc);
  };
  const name = str(a.ifbr_ifsname ?? a.ifba_ifsname);
  const value = int(a.value);
  if (name === bad || value === bad) return Errno.EINVAL;
  switch (cmd) {
    case 'BRDGADD':
      return (yield* br.addMember(sc, name)) || {};
    case 'BRDGDEL': {
      const bif = sc.memberByName(name);
      if (!bif) return Errno.ENOENT;
      yield* br.deleteMember(sc, bif);
      return {};
    }
    case 'BRDGGIFFLGS': {
      const r = ifbreqOf(br, sc, name);
      return r ? { data: r } : Errno.ENOENT;
    }
    case 'BRDGSIFFLGS': {
      const bif = sc.memberByName(name);
      if (!bif) return Errno.ENOENT;
      const flags = int(a.ifbr_ifsflags);
      if (flags === bad) return Errno.EINVAL;
      if ((flags & IFBIF_STP) !== 0 && br.s.ifs.st(bif.ifp).type !== 'ether') return Errno.EINVAL;
      bif.flags = flags >>> 0;
      if ((bif.flags & IFBIF_STP) === 0) bif.state = BSTP_IFSTATE_DISABLED;
      reinit();
      return {};
    }
    case 'BRDGSCACHE':
      sc.rt.max = value >>> 0;
      sc.rt.trim(timeUptime(br.s));
      return {};
    case 'BRDGGCACHE':
      return { data: { value: sc.rt.max } };
    case 'BRDGGIFS': {
      const len = int(a.ifbic_len);
      if (len === bad) return Errno.EINVAL;
      const all = sc.members.map((b) => ifbreqOf(br, sc, b.ifp.name)!);
      if (len === 0) return { data: { ifbic_len: SIZEOF_IFBREQ * all.length, ifbic_req: [] } };
      const req = all.slice(0, Math.floor(len / SIZEOF_IFBREQ));
      return { data: { ifbic_len: SIZEOF_IFBREQ * req.length, ifbic_req: req } };
    }
    case 'BRDGRTS': {
      const len = int(a.ifbac_len);
      if (len === bad) return Errno.EINVAL;
      if (len === 0) return { data: { ifbac_len: 0, ifbac_req: [] } };
      const uptime = timeUptime(br.s);
      const req: IfbAReq[] = sc.rt.list.slice(0, Math.floor(len / SIZEOF_IFBAREQ)).map((brt) => ({
        ifba_ifsname: brt.ifp.name, ifba_dst: brt.addr.slice(), ifba_flags: brt.flags,
        // brt_expire - time_uptime into an unsigned long (32 bits on QNX x86): an expired entry not yet aged out wraps.
        ifba_expire: (brt.flags & IFBAF_TYPEMASK) === IFBAF_STATIC ? 0 : (brt.expire - uptime) >>> 0,
      }));
      return { data: { ifbac_len: SIZEOF_IFBAREQ * req.length, ifbac_req: req } };
    }
    case 'BRDGSADDR': {
      const bif = sc.memberByName(name);
      if (!bif) return Errno.ENOENT;
      const dst = mac(a.ifba_dst);
      const flags = int(a.ifba_flags);
      if (dst === bad || flags === bad) return Errno.EINVAL;
      const e = sc.rt.update(dst, bif.ifp, true, flags & 0xff, timeUptime(br.s));
      return e || {};
    }
    case 'BRDGSTO':
      sc.rt.timeout = value >>> 0;
      return {};
    case 'BRDGGTO':
      return { data: { value: sc.rt.timeout } };
    case 'BRDGDADDR': {
      const dst = mac(a.ifba_dst);
      if (dst === bad) return Errno.EINVAL;
      return sc.rt.daddr(dst) || {};
    }
    case 'BRDGFLUSH': {
      const flags = int(a.ifbr_ifsflags);
      if (flags === bad) return Errno.EINVAL;
      sc.rt.flush((flags & IFBF_FLUSHALL) !== 0);
      return {};
    }
    case 'BRDGGPRI':
      return { data: { value: sc.priority } };
    case 'BRDGSPRI':
      sc.priority = value & 0xffff;
      reinit();
      return {};
    case 'BRDGGHT':
      return { data: { value: sc.helloTime >> 8 } };
    case 'BRDGGFD':
      return { data: { value: sc.forwardDelay >> 8 } };
    case 'BRDGGMA':
      return { data: { value: sc.maxAge >> 8 } };
    case 'BRDGSHT':
    case 'BRDGSFD':
    case 'BRDGSMA': {
      const v = value & 0xff;
      if (v === 0) return Errno.EINVAL;
      if (cmd === 'BRDGSHT') sc.helloTime = v << 8;
      else if (cmd === 'BRDGSFD') sc.forwardDelay = v << 8;
      else sc.maxAge = v << 8;
      reinit();
      return {};
    }
    case 'BRDGSIFPRIO':
    case 'BRDGSIFCOST': {
      const bif = sc.memberByName(name);
      if (!bif) return Errno.ENOENT;
      const v = int(cmd === 'BRDGSIFPRIO' ? a.ifbr_priority : a.ifbr_path_cost);
      if (v === bad) return Errno.EINVAL;
      if (cmd === 'BRDGSIFPRIO') bif.priority = v & 0xff;
      else bif.pathCost = v & 0xff;
      reinit();
      return {};
    }
    case 'BRDGGFILT':
      return { data: { value: sc.filterFlags } };
    case 'BRDGSFILT':
      if ((value & ~IFBF_FILT_MASK) !== 0) return Errno.EINVAL;
      sc.filterFlags = value;
      return {};
  }
}
