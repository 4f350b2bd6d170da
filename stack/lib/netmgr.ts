/**
 * <sys/netmgr.h>: node descriptors as names. netmgr_strtond, netmgr_ndtostr (ND2S_* flags) and
 * netmgr_remote_nd, as QNX's libc does them (lib/c/qnx/netmgr_*.c): each sends an `_IO_MSG` to the network
 * manager (_IOMGR_NETMGR); here the registered manager's name queries (ThreadCtx.netmgr(), kif.ts
 * NetManager) stand for that message. Without a manager every call fails with ENOTSUP, except what libc
 * answers itself: netmgr_ndtostr of ND_LOCAL_NODE (from confstr _CS_HOSTNAME/_CS_DOMAIN, "/" with
 * ND2S_DIR_SHOW) and netmgr_remote_nd's two local cases. Documented behaviour: netmgr_strtond(3),
 * netmgr_ndtostr(3) (docs/design/qnet-behaviour.md §1.4, S15, S16); flag values from <sys/netmgr.h>.
 */
import { Errno, type ThreadCtx } from '../kernel/api';
import { ND_LOCAL_NODE, ND_NODE_CMP } from '../kernel/kif';
import { setErrno } from './socket';

/** The returned value is a usable path (ending in a slash). */
export const ND2S_DIR_SHOW = 0x0001;
/** Never show the directory (default). */
export const ND2S_DIR_HIDE = 0x0002;
/** Show the QoS even when it is the default (loadbalance). */
export const ND2S_QOS_SHOW = 0x0004;
export const ND2S_QOS_HIDE = 0x0008;
/** Show the node name (default). */
export const ND2S_NAME_SHOW = 0x0010;
export const ND2S_NAME_HIDE = 0x0020;
/** Show the domain even when it is the default (our own) domain. */
export const ND2S_DOMAIN_SHOW = 0x0040;
export const ND2S_DOMAIN_HIDE = 0x0080;
/** A shorter string for displaying locally: the local node is "/". */
export const ND2S_LOCAL_STR = 0x1000;
/** A separator even when the domain is the first thing returned. */
export const ND2S_SEP_FORCE = 0x2000;

/** Qnet's network directory (lsm-qnet's default `dir`; S5). */
export const NET_DIR = '/net';
const DEFAULT_QOS = 'loadbalance';

/**
 * netmgr_strtond(nodename, &endstr): the ND of a node Qnet knows, given as a name ("beta"), an FQNN
 * ("beta.qnx.com"), with a QoS ("beta~preferred:en1") or in directory form ("/net/beta/dev/ser1"). `end`
 * (if given) receives how many characters of `name` the node part took (endstr). -1 with errno: ENOTSUP
 * when no network manager runs, ENOENT for a node it does not know [inferred].
 */
export function netmgr_strtond(ctx: ThreadCtx, name: string, end?: { value: number }): number {
  if (end) end.value = 0;
  const m = ctx.netmgr?.() ?? null;
  if (!m) {
    setErrno(ctx, Errno.ENOTSUP);
    return -1;
  }
  // The node part: the first component, or the one after the network directory in directory form.
  const dirForm = name.startsWith(NET_DIR + '/');
  const from = dirForm ? NET_DIR.length + 1 : name.startsWith('/') ? 1 : 0;
  const slash = name.indexOf('/', from);
  const stop = slash < 0 ? name.length : slash;
  const nd = m.nameToNd(name.slice(0, stop));
  if (nd < 0) {
    setErrno(ctx, Errno.ENOENT);
    return -1;
  }
  if (end) end.value = stop;
  return nd;
}

/** netmgr_remote_nd(remote_nd, local_nd): `local_nd` (an ND of ours) as the node `remote_nd` names it. */
export function netmgr_remote_nd(ctx: ThreadCtx, remoteNd: number, localNd: number): number {
  if (ND_NODE_CMP(remoteNd, ND_LOCAL_NODE) === 0) return localNd;
  if (ND_NODE_CMP(remoteNd, localNd) === 0) return ND_LOCAL_NODE;
  // The general case asks the manager (_NETMGR_REMOTE_ND); the manager interface (kif.ts) has no such query.
  setErrno(ctx, ctx.netmgr?.() ? Errno.ENOSYS : Errno.ENOTSUP);
  return -1;
}

interface NodeName {
  host: string;
  domain: string;
  qos: string;
}

/** "beta.qnx.com~preferred:en1" → parts; a name without a domain is in `ownDomain` (Qnet's /net omits it). */
function splitName(s: string, ownDomain: string): NodeName {
  const tilde = s.indexOf('~');
  const fq = tilde < 0 ? s : s.slice(0, tilde);
  const qos = tilde < 0 ? DEFAULT_QOS : s.slice(tilde + 1);
  const dot = fq.indexOf('.');
  return dot < 0 ? { host: fq, domain: ownDomain, qos } : { host: fq.slice(0, dot), domain: fq.slice(dot + 1), qos };
}

/** libc's own answer for ND_LOCAL_NODE when no network manager runs (netmgr_ndtostr.c's fallback). */
function localString(flags: number, host: string, domain: string): string {
  if ((flags & (ND2S_LOCAL_STR | ND2S_DIR_SHOW | ND2S_NAME_SHOW | ND2S_DOMAIN_SHOW | ND2S_QOS_SHOW)) === (ND2S_LOCAL_STR | ND2S_DIR_SHOW)) return '/';
  let f = flags;
  if ((f & (ND2S_DIR_SHOW | ND2S_NAME_HIDE | ND2S_DOMAIN_SHOW | ND2S_QOS_SHOW)) === 0) f |= ND2S_NAME_SHOW;
  if ((f & (ND2S_DIR_SHOW | ND2S_NAME_SHOW | ND2S_DOMAIN_SHOW | ND2S_QOS_SHOW)) !== ND2S_DIR_SHOW) {
    if ((f & (ND2S_DIR_HIDE | ND2S_NAME_HIDE | ND2S_DOMAIN_HIDE | ND2S_QOS_HIDE)) === 0) f |= ND2S_NAME_SHOW;
    if ((f & (ND2S_LOCAL_STR | ND2S_NAME_HIDE | ND2S_DOMAIN_HIDE | ND2S_DOMAIN_SHOW)) === 0) f |= ND2S_DOMAIN_SHOW;
  }
  if ((f & (ND2S_DIR_SHOW | ND2S_NAME_HIDE | ND2S_DOMAIN_SHOW)) === (ND2S_DIR_SHOW | ND2S_DOMAIN_SHOW)) f |= ND2S_NAME_SHOW;
  let out = f & ND2S_DIR_SHOW ? '/' : '';
  if (f & ND2S_NAME_SHOW) out += host;
  if (f & ND2S_DOMAIN_SHOW && domain !== '') out += (f & (ND2S_DIR_SHOW | ND2S_NAME_SHOW | ND2S_SEP_FORCE) ? '.' : '') + domain;
  else f &= ~ND2S_DOMAIN_SHOW;
  // A directory followed by a name ends in "/../": the local root again when used as a path prefix.
  if (f & ND2S_DIR_SHOW && f & (ND2S_DOMAIN_SHOW | ND2S_NAME_SHOW)) out += '/../';
  return out;
}

/** What the network manager answers for a node it knows: ["/net/"] name [".domain"] ["~qos"] ["/"]. */
function managerString(flags: number, n: NodeName, ownDomain: string): string {
  const name = !(flags & ND2S_NAME_HIDE);
  const domain = n.domain !== '' && !(flags & ND2S_DOMAIN_HIDE) && (flags & ND2S_DOMAIN_SHOW || n.domain !== ownDomain);
  const qos = !(flags & ND2S_QOS_HIDE) && (flags & ND2S_QOS_SHOW || n.qos !== DEFAULT_QOS);
  let s = name ? n.host : '';
  if (domain) s += (s !== '' || flags & ND2S_SEP_FORCE ? '.' : '') + n.domain;
  if (qos) s += '~' + n.qos;
  return flags & ND2S_DIR_SHOW ? `${NET_DIR}/${s}${s === '' ? '' : '/'}` : s;
}

/**
 * netmgr_ndtostr(flags, nd): the string (C returns its length + 1, even when truncated), or null with
 * errno: ENOTSUP for a remote ND without a network manager, ENOENT for an ND the manager does not know
 * [inferred]. With a manager, ND2S_LOCAL_STR|ND2S_DIR_SHOW of ND_LOCAL_NODE is "/" (ttyname_r's use).
 */
export function netmgr_ndtostr(ctx: ThreadCtx, flags: number, nd: number): string | null {
  const m = ctx.netmgr?.() ?? null;
  const host = ctx.confstr('_CS_HOSTNAME') ?? 'localhost';
  const ownDomain = ctx.confstr('_CS_DOMAIN') ?? '';
  const local = ND_NODE_CMP(nd, ND_LOCAL_NODE) === 0;
  if (!m) {
    if (!local) {
      setErrno(ctx, Errno.ENOTSUP);
      return null;
    }
    return localString(flags, host, ownDomain);
  }
  if (local && flags & ND2S_LOCAL_STR && flags & ND2S_DIR_SHOW) return '/';
  const name = local ? (m.ndToName(nd) ?? host) : m.ndToName(nd);
  if (name === null) {
    setErrno(ctx, Errno.ENOENT);
    return null;
  }
  return managerString(flags, splitName(name, ownDomain), ownDomain);
}
