/**
 * Qnet's codec for the process manager messages `on` sends a node's procnto (kernel/procnto-spawn.ts), in
 * procnto's message range below 0x100 (<sys/sysmsg.h> _PROCMGR_BASE 0x10; <sys/procmsg.h> openqnx
 * services/system/public/sys/procmsg.h):
 * - start: `_PROC_SPAWN` (0x10) / `_PROC_SPAWN_START` (0). QNX's struct _proc_spawn carries a struct
 *   inheritance, an fd map, search path and argv/envp for spawn() with SPAWN_SETND; qnxemu carries [ours] a
 *   16-byte head {type u16, subtype u16, argc u16, prio u16 (0: the requester's), flags u32 (SPAWN_DETACH),
 *   nbytes u32 (the strings' bytes)} then argc NUL-terminated argv strings (UTF-8).
 * - wait: `_PROC_WAIT` (0x11), struct _proc_wait {type u16, idtype i16 = P_PID, options i32 = WEXITED,
 *   id i32 = pid} as QNX's waitid sends it; the reply's status is the exit status (QNX replies a siginfo_t;
 *   [ours] no data).
 * The replies (start: status = pid; wait: status) are status-only (iomsg.ts encodeIoReply's default).
 */
import { Errno, type Message } from '../../kernel/api';
import { viewOf } from '../wire/view';
import { getField, setFields } from './iomsg-layout';

/** <sys/procmsg.h>: _PROC_SPAWN = _PROCMGR_BASE (0x10), _PROC_WAIT next; subtype _PROC_SPAWN_START = 0. */
export const _PROC_SPAWN = 0x10;
export const _PROC_WAIT = 0x11;
export const _PROC_SPAWN_START = 0;
/** <sys/wait.h>: P_PID (idtype_t) and WEXITED. */
export const P_PID = 1;
export const WEXITED = 0x0001;
/** [ours] flags bit: the child is detached (on -d; QNX's SPAWN_NOZOMBIE travels in struct inheritance). */
export const SPAWN_DETACH = 0x1;

export const ProcSpawnField = {
  type: { offset: 0, length: 2 }, subtype: { offset: 2, length: 2 }, argc: { offset: 4, length: 2 },
  prio: { offset: 6, length: 2 }, flags: { offset: 8, length: 4 }, nbytes: { offset: 12, length: 4 },
} as const;
export const PROC_SPAWN_LEN = 16;
export const ProcWaitField = {
  type: { offset: 0, length: 2 }, idtype: { offset: 2, length: 2 }, options: { offset: 4, length: 4 }, id: { offset: 8, length: 4 },
} as const;
export const PROC_WAIT_LEN = 12;

/** Why a process manager message cannot be carried or decoded (the codec's IoCodecError shape). */
export interface ProcCodecFault {
  errno: number;
  reason: string;
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** The bytes of a `_PROC_SPAWN` start/wait message, or why not. */
export function encodeProcMsg(msg: Message): Uint8Array | ProcCodecFault {
  if (msg.subtype === 'start') {
    const argv = Array.isArray(msg.argv) ? (msg.argv as unknown[]) : [];
    if (argv.length === 0 || argv.some((a) => typeof a !== 'string' || a.includes('\0'))) {
      return { errno: Errno.EINVAL, reason: '_PROC_SPAWN start needs argv strings without NUL' };
    }
    const strs = (argv as string[]).map((a) => utf8.encode(a));
    const nbytes = strs.reduce((n, s) => n + s.length + 1, 0);
    const buf = new Uint8Array(PROC_SPAWN_LEN + nbytes);
    const prio = typeof msg.prio === 'number' ? msg.prio : 0;
    setFields(viewOf(buf), ProcSpawnField, {
      type: _PROC_SPAWN, subtype: _PROC_SPAWN_START, argc: strs.length, prio, flags: msg.detach === true ? SPAWN_DETACH : 0, nbytes,
    });
    let at = PROC_SPAWN_LEN;
    for (const s of strs) {
      buf.set(s, at);
      at += s.length + 1;
    }
    return buf;
  }
  if (msg.subtype === 'wait') {
    const buf = new Uint8Array(PROC_WAIT_LEN);
    setFields(viewOf(buf), ProcWaitField, { type: _PROC_WAIT, idtype: P_PID, options: WEXITED, id: typeof msg.pid === 'number' ? msg.pid : 0 });
    return buf;
  }
  return { errno: Errno.ENOSYS, reason: `_PROC_SPAWN subtype ${String(msg.subtype)} is not carried by Qnet` };
}

/** The structured message of `_PROC_SPAWN`/`_PROC_WAIT` bytes (type already read), or why not. */
export function decodeProcMsg(buf: Uint8Array): Message | ProcCodecFault {
  const dv = viewOf(buf);
  const type = dv.getUint16(0, true);
  const bad = (reason: string): ProcCodecFault => ({ errno: Errno.EINVAL, reason });
  if (type === _PROC_WAIT) {
    if (buf.length < PROC_WAIT_LEN) return bad(`_PROC_WAIT of ${buf.length} bytes is shorter than its ${PROC_WAIT_LEN}-byte header`);
    const idtype = getField(dv, ProcWaitField.idtype);
    if (idtype !== P_PID) return { errno: Errno.ENOSYS, reason: `_PROC_WAIT idtype ${idtype} is not carried by Qnet` };
    return { type: '_PROC_SPAWN', subtype: 'wait', pid: dv.getInt32(ProcWaitField.id.offset, true), bytes: buf.length };
  }
  if (buf.length < PROC_SPAWN_LEN) return bad(`_PROC_SPAWN of ${buf.length} bytes is shorter than its ${PROC_SPAWN_LEN}-byte header`);
  const subtype = getField(dv, ProcSpawnField.subtype);
  if (subtype !== _PROC_SPAWN_START) return { errno: Errno.ENOSYS, reason: `_PROC_SPAWN subtype ${subtype} is not carried by Qnet` };
  const argc = getField(dv, ProcSpawnField.argc);
  const nbytes = getField(dv, ProcSpawnField.nbytes);
  if (PROC_SPAWN_LEN + nbytes > buf.length) return bad(`_PROC_SPAWN nbytes ${nbytes} but ${buf.length - PROC_SPAWN_LEN} bytes follow`);
  const argv: string[] = [];
  let at = PROC_SPAWN_LEN;
  const end = PROC_SPAWN_LEN + nbytes;
  for (let i = 0; i < argc; i++) {
    const nul = buf.indexOf(0, at);
    if (nul < 0 || nul >= end) return bad(`_PROC_SPAWN argv[${i}] does not end in a NUL within nbytes ${nbytes}`);
    argv.push(fromUtf8.decode(buf.subarray(at, nul)));
    at = nul + 1;
  }
  if (argc === 0) return bad('_PROC_SPAWN with argc 0');
  const prio = getField(dv, ProcSpawnField.prio);
  const flags = getField(dv, ProcSpawnField.flags);
  return {
    type: '_PROC_SPAWN', subtype: 'start', argv, ...(prio > 0 ? { prio } : {}), ...((flags & SPAWN_DETACH) !== 0 ? { detach: true } : {}),
    bytes: buf.length,
  };
}
