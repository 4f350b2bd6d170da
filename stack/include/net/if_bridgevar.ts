/**
 * <net/if_bridgevar.h> as brconfig(8) and io-pkt's if_bridge share it (NetBSD if_bridgevar.h 1.8, the header
 * QNX's hc stacks build if_bridge.c 1.46 against): the BRDG* commands carried by SIOCSDRVSPEC/SIOCGDRVSPEC
 * (struct ifdrv: interface name, command, argument), the argument records (ifbreq, ifbareq, ifbrparam, the
 * ifbifconf/ifbaconf lists), member and address flags, STP port states and the 802.1D defaults.
 *
 * Commands travel by name (as the stack's other ioctls do); `BRDG_NUMBER` keeps their numbers, the index into
 * if_bridge.c's bridge_control_table. BRDGGFILT/BRDGSFILT exist only in a stack built with BRIDGE_IPF.
 */

/** ifdrv.ifd_cmd values. */
export const BRDG_NUMBER = {
  BRDGADD: 0, BRDGDEL: 1, BRDGGIFFLGS: 2, BRDGSIFFLGS: 3, BRDGSCACHE: 4, BRDGGCACHE: 5, BRDGGIFS: 6, BRDGRTS: 7,
  BRDGSADDR: 8, BRDGSTO: 9, BRDGGTO: 10, BRDGDADDR: 11, BRDGFLUSH: 12, BRDGGPRI: 13, BRDGSPRI: 14, BRDGGHT: 15,
  BRDGSHT: 16, BRDGGFD: 17, BRDGSFD: 18, BRDGGMA: 19, BRDGSMA: 20, BRDGSIFPRIO: 21, BRDGSIFCOST: 22,
  BRDGGFILT: 23, BRDGSFILT: 24,
} as const;

export type BrdgCmd = keyof typeof BRDG_NUMBER;

export function isBrdgCmd(v: unknown): v is BrdgCmd {
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(BRDG_NUMBER, v);
}

/** Which record a command carries (bc_argsize in bridge_control_table). */
export type BrdgArg = 'ifbreq' | 'ifbareq' | 'ifbrparam' | 'ifbifconf' | 'ifbaconf';

/** struct ifbreq: one member. */
export interface IfbReq {
  ifbr_ifsname: string;
  ifbr_ifsflags: number;
  /** STP state (BSTP_IFSTATE_*). */
  ifbr_state: number;
  ifbr_priority: number;
  /** uint8_t in this header: ifpathcost values above 255 are cut to their low byte by brconfig. */
  ifbr_path_cost: number;
  /** if_index & 0xff. */
  ifbr_portno: number;
}

/** struct ifbareq: one address cache entry. */
export interface IfbAReq {
  ifba_ifsname: string;
  /** Seconds left for a dynamic entry (brt_expire - time_uptime, as an unsigned long), 0 for a static one. */
  ifba_expire: number;
  ifba_flags: number;
  ifba_dst: Uint8Array;
}

/** struct ifbrparam: one value (the union's int32/int16/int8 member, by command). */
export interface IfbrParam {
  value: number;
}

/** struct ifbifconf / ifbaconf: the lists BRDGGIFS and BRDGRTS fill (ifbic_len / ifbac_len = bytes offered). */
export interface IfbifConf {
  ifbic_len: number;
  ifbic_req: IfbReq[];
}

export interface IfbaConf {
  ifbac_len: number;
  ifbac_req: IfbAReq[];
}

/** sizeof(struct ifbreq) and sizeof(struct ifbareq) on QNX x86 (IFNAMSIZ 16): what the list lengths count in. */
export const SIZEOF_IFBREQ = 24;
export const SIZEOF_IFBAREQ = 28;

/** Member flags (BRDGGIFFLGS/BRDGSIFFLGS). */
export const IFBIF_LEARNING = 0x01;
export const IFBIF_DISCOVER = 0x02;
export const IFBIF_STP = 0x04;

/** printb bit names (IFBIFBITS, IFBAFBITS): bit number (1-based) → name. */
export const IFBIFBITS: readonly [number, string][] = [[1, 'LEARNING'], [2, 'DISCOVER'], [3, 'STP']];
export const IFBAFBITS: readonly [number, string][] = [[1, 'STATIC']];

/** BRDGFLUSH. */
export const IFBF_FLUSHDYN = 0x00;
export const IFBF_FLUSHALL = 0x01;

/** BRDGSFILT. */
export const IFBF_FILT_USEIPF = 0x00000001;
export const IFBF_FILT_MASK = 0x00000001;

/** STP port states. */
export const BSTP_IFSTATE_DISABLED = 0;
export const BSTP_IFSTATE_LISTENING = 1;
export const BSTP_IFSTATE_LEARNING = 2;
export const BSTP_IFSTATE_FORWARDING = 3;
export const BSTP_IFSTATE_BLOCKING = 4;

/** Address flags. */
export const IFBAF_TYPEMASK = 0x03;
export const IFBAF_DYNAMIC = 0x00;
export const IFBAF_STATIC = 0x01;

/** if_bridge.c defaults: BRIDGE_RTABLE_MAX, BRIDGE_RTABLE_TIMEOUT (s, "same as ARP"), BRIDGE_RTABLE_PRUNE_PERIOD (s). */
export const BRIDGE_RTABLE_MAX = 100;
export const BRIDGE_RTABLE_TIMEOUT = 20 * 60;
export const BRIDGE_RTABLE_PRUNE_PERIOD = 5 * 60;

/** Spanning-tree defaults (times in 1/256 s, as the softc keeps them). */
export const BSTP_DEFAULT_MAX_AGE = 20 * 256;
export const BSTP_DEFAULT_HELLO_TIME = 2 * 256;
export const BSTP_DEFAULT_FORWARD_DELAY = 15 * 256;
export const BSTP_DEFAULT_HOLD_TIME = 1 * 256;
export const BSTP_DEFAULT_BRIDGE_PRIORITY = 0x8000;
export const BSTP_DEFAULT_PORT_PRIORITY = 0x80;
export const BSTP_DEFAULT_PATH_COST = 55;

/** bc_flags. */
export const BC_F_COPYIN = 0x01;
export const BC_F_COPYOUT = 0x02;
export const BC_F_SUSER = 0x04;

export interface BridgeControl {
  readonly arg: BrdgArg;
  readonly flags: number;
}

/**
 * bridge_control_table (if_bridge.c): the record each command takes and whether it is copied in, out, or needs
 * root. A get (copy-out) command must come by SIOCGDRVSPEC, every other by SIOCSDRVSPEC (else EINVAL).
 */
export const BRIDGE_CONTROL: Readonly<Record<BrdgCmd, BridgeControl>> = {
  BRDGADD: { arg: 'ifbreq', flags: BC_F_COPYIN | BC_F_SUSER },
  BRDGDEL: { arg: 'ifbreq', flags: BC_F_COPYIN | BC_F_SUSER },
  BRDGGIFFLGS: { arg: 'ifbreq', flags: BC_F_COPYIN | BC_F_COPYOUT },
  BRDGSIFFLGS: { arg: 'ifbreq', flags: BC_F_COPYIN | BC_F_SUSER },
  BRDGSCACHE: { arg: 'ifbrparam', flags: BC_F_COPYIN | BC_F_SUSER },
  BRDGGCACHE: { arg: 'ifbrparam', flags: BC_F_COPYOUT },
  BRDGGIFS: { arg: 'ifbifconf', flags: BC_F_COPYIN | BC_F_COPYOUT },
  BRDGRTS: { arg: 'ifbaconf', flags: BC_F_COPYIN | BC_F_COPYOUT },
  BRDGSADDR: { arg: 'ifbareq', flags: BC_F_COPYIN | BC_F_SUSER },
  BRDGSTO: { arg: 'ifbrparam', flags: BC_F_COPYIN | BC_F_SUSER },
  BRDGGTO: { arg: 'ifbrparam', flags: BC_F_COPYOUT },
  BRDGDADDR: { arg: 'ifbareq', flags: BC_F_COPYIN | BC_F_SUSER },
  BRDGFLUSH: { arg: 'ifbreq', flags: BC_F_COPYIN | BC_F_SUSER },
  BRDGGPRI: { arg: 'ifbrparam', flags: BC_F_COPYOUT },
  BRDGSPRI: { arg: 'ifbrparam', flags: BC_F_COPYIN | BC_F_SUSER },
  BRDGGHT: { arg: 'ifbrparam', flags: BC_F_COPYOUT },
  BRDGSHT: { arg: 'ifbrparam', flags: BC_F_COPYIN | BC_F_SUSER },
  BRDGGFD: { arg: 'ifbrparam', flags: BC_F_COPYOUT },
  BRDGSFD: { arg: 'ifbrparam', flags: BC_F_COPYIN | BC_F_SUSER },
  BRDGGMA: { arg: 'ifbrparam', flags: BC_F_COPYOUT },
  BRDGSMA: { arg: 'ifbrparam', flags: BC_F_COPYIN | BC_F_SUSER },
  BRDGSIFPRIO: { arg: 'ifbreq', flags: BC_F_COPYIN | BC_F_SUSER },
  BRDGSIFCOST: { arg: 'ifbreq', flags: BC_F_COPYIN | BC_F_SUSER },
  BRDGGFILT: { arg: 'ifbrparam', flags: BC_F_COPYOUT },
  BRDGSFILT: { arg: 'ifbrparam', flags: BC_F_COPYIN | BC_F_SUSER },
};

/** A zeroed ifbreq for `name` (brconfig memsets its request before filling it). */
export function newIfbReq(name = ''): IfbReq {
  return { ifbr_ifsname: name, ifbr_ifsflags: 0, ifbr_state: 0, ifbr_priority: 0, ifbr_path_cost: 0, ifbr_portno: 0 };
}
