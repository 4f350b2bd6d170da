/**
 * brconfig's status output (NetBSD sbin/brconfig/brconfig.c 1.11, as QNX ships it): status(), show_config(),
 * show_interfaces(), show_addresses(), printb() and the ifdrv round trip do_cmd() every command uses
 * (SIOCGDRVSPEC for gets, SIOCSDRVSPEC for sets, by name). Errors leave through BrconfigExit with err(3)'s or
 * errx(3)'s line.
 *
 *   bridge0: flags=41<UP,RUNNING>
 *           Configuration:
 *                   priority 32768 hellotime 2 fwddelay 15 maxage 20
 *                   ipfilter disabled flags 0x0
 *           Interfaces:
 *                   en1 flags=3<LEARNING,DISCOVER>
 *                           port 3 priority 128
 *           Address cache (max cache: 100, timeout: 1200):
 *                   0:50:c2:0:0:3 en1 1187 flags=0<>
 */
import type { Co, ThreadCtx } from '../kernel/api';
import { strerror } from '../lib/errno';
import { errno, ioctl } from '../lib/socket';
import { printFlags } from './common';
import {
  IFBAFBITS, IFBF_FILT_USEIPF, IFBIF_STP, IFBIFBITS, SIZEOF_IFBAREQ, SIZEOF_IFBREQ, type BrdgCmd, type IfbaConf, type IfbifConf,
} from '../include/net/if_bridgevar';

/** exit(3) from deep inside a command, with the line err()/errx() printed. */
export class BrconfigExit {
  constructor(readonly status: number) {}
}

/** err(1, msg): `brconfig: msg: strerror(errno)`. */
export function err(ctx: ThreadCtx, msg: string): never {
  ctx.print(`brconfig: ${msg}: ${strerror(errno(ctx))}\n`);
  throw new BrconfigExit(1);
}

/** errx(1, msg): `brconfig: msg`. */
export function errx(ctx: ThreadCtx, msg: string): never {
  ctx.print(`brconfig: ${msg}\n`);
  throw new BrconfigExit(1);
}

/** do_cmd: one BRDG* command on `bridge` through struct ifdrv. The reply record, or null with errno set. */
export function* doCmd(ctx: ThreadCtx, s: number, bridge: string, cmd: BrdgCmd, arg: Record<string, unknown>, set: boolean): Co<Record<string, unknown> | null> {
  const r = yield* ioctl(ctx, s, set ? 'SIOCSDRVSPEC' : 'SIOCGDRVSPEC', { name: bridge, ifd_cmd: cmd, ifd_data: arg });
  if (!r) return null;
  return (r.data ?? {}) as Record<string, unknown>;
}

/** printb(s, v, bits) with a bit table: `flags=3<LEARNING,DISCOVER>`. */
export function printb(label: string, v: number, bits: readonly [number, string][]): string {
  const names = bits.filter(([b]) => (v & (1 << (b - 1))) !== 0).map(([, n]) => n);
  return `${label}=${(v >>> 0).toString(16)}<${names.join(',')}>`;
}

/** NetBSD ether_ntoa: `%x:%x:%x:%x:%x:%x`, no leading zeros. */
export function etherNtoa(a: Uint8Array): string {
  return Array.from(a.subarray(0, 6), (b) => b.toString(16)).join(':');
}

const STPSTATES = ['disabled', 'listening', 'learning', 'forwarding', 'blocking'];

function* param(ctx: ThreadCtx, s: number, bridge: string, cmd: BrdgCmd, what: string): Co<number> {
  const r = yield* doCmd(ctx, s, bridge, cmd, { value: 0 }, false);
  if (!r) err(ctx, what);
  return r.value as number;
}

function* showConfig(ctx: ThreadCtx, s: number, bridge: string, prefix: string): Co<string> {
  const pri = yield* param(ctx, s, bridge, 'BRDGGPRI', 'unable to get bridge priority');
  const ht = yield* param(ctx, s, bridge, 'BRDGGHT', 'unable to get hellotime');
  const fd = yield* param(ctx, s, bridge, 'BRDGGFD', 'unable to get forward delay');
  const ma = yield* param(ctx, s, bridge, 'BRDGGMA', 'unable to get max age');
  let out = `${prefix}priority ${pri} hellotime ${ht} fwddelay ${fd} maxage ${ma}\n`;
  const f = yield* doCmd(ctx, s, bridge, 'BRDGGFILT', { value: 0 }, false);
  const ipf = f ? (f.value as number) : 0;
  out += `${prefix}ipfilter ${(ipf & IFBF_FILT_USEIPF) !== 0 ? 'enabled' : 'disabled'} flags 0x${ipf.toString(16)}\n`;
  return out;
}

function* showInterfaces(ctx: ThreadCtx, s: number, bridge: string, prefix: string): Co<string> {
  // The 8192-byte buffer, doubled until the list fits with room for one more.
  let len = 8192;
  let bifc: IfbifConf;
  for (;;) {
    const r = yield* doCmd(ctx, s, bridge, 'BRDGGIFS', { ifbic_len: len }, false);
    if (!r) err(ctx, 'unable to get interface list');
    bifc = r as unknown as IfbifConf;
    if (bifc.ifbic_len + SIZEOF_IFBREQ < len) break;
    len *= 2;
  }
  let out = '';
  for (const req of bifc.ifbic_req) {
    out += `${prefix}${req.ifbr_ifsname} ${printb('flags', req.ifbr_ifsflags, IFBIFBITS)}\n`;
    out += `${prefix}\tport ${req.ifbr_portno} priority ${req.ifbr_priority}`;
    if ((req.ifbr_ifsflags & IFBIF_STP) !== 0) {
      out += ` path cost ${req.ifbr_path_cost}`;
      out += req.ifbr_state < STPSTATES.length ? ` ${STPSTATES[req.ifbr_state]}` : ` <unknown state ${req.ifbr_state}>`;
    }
    out += '\n';
  }
  return out;
}

export function* showAddresses(ctx: ThreadCtx, s: number, bridge: string, prefix: string): Co<string> {
  let len = 8192;
  let bac: IfbaConf;
  for (;;) {
    const r = yield* doCmd(ctx, s, bridge, 'BRDGRTS', { ifbac_len: len }, false);
    if (!r) err(ctx, 'unable to get address cache');
    bac = r as unknown as IfbaConf;
    if (bac.ifbac_len + SIZEOF_IFBAREQ < len) break;
    len *= 2;
  }
  let out = '';
  for (const a of bac.ifbac_req) {
    out += `${prefix}${etherNtoa(a.ifba_dst)} ${a.ifba_ifsname} ${a.ifba_expire} ${printb('flags', a.ifba_flags, IFBAFBITS)}\n`;
  }
  return out;
}

/** status(): the whole report for one bridge. */
export function* status(ctx: ThreadCtx, s: number, bridge: string): Co<string> {
  const f = yield* ioctl(ctx, s, 'SIOCGIFFLAGS', { name: bridge });
  if (!f) err(ctx, 'unable to get flags');
  let out = `${bridge}: ${printFlags((f.data as { flags: number }).flags)}\n`;
  out += '\tConfiguration:\n';
  out += yield* showConfig(ctx, s, bridge, '\t\t');
  out += '\tInterfaces:\n';
  out += yield* showInterfaces(ctx, s, bridge, '\t\t');
  const csize = yield* param(ctx, s, bridge, 'BRDGGCACHE', 'unable to get address cache size');
  const ctime = yield* param(ctx, s, bridge, 'BRDGGTO', 'unable to get address timeout');
  out += `\tAddress cache (max cache: ${csize}, timeout: ${ctime}):\n`;
  out += yield* showAddresses(ctx, s, bridge, '\t\t');
  return out;
}
