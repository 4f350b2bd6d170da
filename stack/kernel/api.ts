/**
 * The Neutrino services a simulated QNX node offers its programs (procnto-lite). Threads are generator
 * functions: they `yield*` a blocking call and resume when it completes, so control flow reads like C and
 * the order of everything is decided by the one event queue. Every call that would cost time on a real
 * CPU charges virtual CPU time from the cost table (stack/kernel/costs.ts).
 *
 * Programs written against this file: io-pkt, drivers, the shell and utilities. The implementation is
 * stack/kernel/kernel.ts.
 */
import type { NodeBus } from '../../emulator/machine/bus/node-bus';
import type { AccessSize } from '../../emulator/machine/bus/types';
import type { Time } from '../../emulator/machine/sim/time';
import type { KernelKif, NetManager } from './kif';
import { LocalKey, type LocalStore } from './local';

/** An operation a thread yields to the scheduler. Internal to the kernel; programs use the helpers. */
export interface KernelOp {
  readonly kernelOp: string;
}

/** A blocking kernel call: `const r = yield* ctx.MsgSend(coid, msg)`. */
export type Co<T> = Generator<KernelOp, T, unknown>;

/** A thread body. */
export type ThreadBody = (ctx: ThreadCtx) => Co<void>;

/** A program's main: returns its exit status. `argv[0]` is the program name. */
export type ProgramMain = (ctx: ThreadCtx, argv: string[]) => Co<number>;

/** Messages are structured values; `bytes` is the size a real message would have (copy cost). */
export interface Message {
  readonly type: string;
  readonly bytes?: number;
  readonly [k: string]: unknown;
}

/** What MsgReceive returns. */
export type Received =
  | { kind: 'msg'; rcvid: number; msg: Message; /** client's pid/tid/priority, as _msg_info */ info: MsgInfo }
  | { kind: 'pulse'; code: number; value: number; priority: number };

export interface MsgInfo {
  pid: number;
  tid: number;
  priority: number;
  /** The connection the message came on. */
  coid: number;
  /** Server-side per-connection handle (an OCB index the server set with ConnectServerInfo-like attach). */
  scoid: number;
  /** This node's ND for the client's node (kif.ts): absent or 0 (ND_LOCAL_NODE) for a local client. */
  nd?: number;
}

/** A reply: status (>= 0 or -errno semantics via `errno`) and an optional payload. */
export interface Reply {
  status: number;
  errno?: number;
  data?: unknown;
  bytes?: number;
}

/** TimerSettime flag (<time.h>): the initial expiry is an absolute time. */
export const TIMER_ABSTIME = 0x80000000;

/** ChannelCreate flag (<sys/neutrino.h>): deliver _PULSE_CODE_DISCONNECT when a client connection goes. */
export const _NTO_CHF_DISCONNECT = 0x0008;
/** Kernel pulse codes are negative (<sys/neutrino.h>): a client's connection to this channel is gone (value: scoid). */
export const _PULSE_CODE_DISCONNECT = -33;

/** struct sigevent, reduced to what io-pkt and drivers use. */
export type SigEvent =
  | { notify: 'pulse'; coid: number; priority: number; code: number; value: number }
  | { notify: 'intr' }
  | { notify: 'none' };

/** Errno values used across the stack: QNX's <errno.h> numbering (lib/c/public/errno.h; EALREADY is EALREADY_NEW). */
export const Errno = {
  EOK: 0, EPERM: 1, ENOENT: 2, ESRCH: 3, EINTR: 4, EIO: 5, ENXIO: 6, E2BIG: 7, EBADF: 9, ECHILD: 10, EAGAIN: 11,
  ENOMEM: 12, EACCES: 13, EFAULT: 14, EBUSY: 16, EEXIST: 17, ENODEV: 19, ENOTDIR: 20, EISDIR: 21, EINVAL: 22,
  ENFILE: 23, EMFILE: 24, ENOTTY: 25, ENOSPC: 28, EROFS: 30, ENOTSUP: 48, ENOSYS: 89, ELOOP: 90, EOPNOTSUPP: 103,
  EALREADY: 237, ENOTSOCK: 238, EDESTADDRREQ: 239, EMSGSIZE: 240, EPROTONOSUPPORT: 243, EAFNOSUPPORT: 247,
  EADDRINUSE: 248, EADDRNOTAVAIL: 249, ENETDOWN: 250, ENETUNREACH: 251, ENOBUFS: 255, EISCONN: 256,
  ENOTCONN: 257, ETIMEDOUT: 260, ECONNREFUSED: 261, EHOSTDOWN: 264, EHOSTUNREACH: 265, ESRVRFAULT: 312,
} as const;
export type ErrnoName = keyof typeof Errno;

/** strerror() texts as QNX prints them. */
export function strerror(errno: number): string {
  const t: Record<number, string> = {
    0: 'No error', 1: 'Operation not permitted', 2: 'No such file or directory', 3: 'No such process',
    5: 'I/O error', 6: 'No such device or address', 9: 'Bad file descriptor', 10: 'No child processes', 11: 'Resource temporarily unavailable',
    12: 'Not enough memory', 13: 'Permission denied', 16: 'Device or resource busy', 17: 'File exists',
    19: 'No such device', 20: 'Not a directory', 21: 'Is a directory', 22: 'Invalid argument', 25: 'Inappropriate I/O control operation',
    28: 'No space left on device', 30: 'Read-only file system', 48: 'Not supported', 89: 'Function not implemented',
    90: 'Too many symbolic link or prefix loops', 103: 'Operation not supported', 237: 'Operation already in progress',
    238: 'Socket operation on non-socket', 239: 'Destination address required', 240: 'Message too long',
    243: 'Protocol not supported', 247: 'Address family not supported by protocol family',
    248: 'Address already in use', 249: "Can't assign requested address", 250: 'Network is down',
    251: 'Network is unreachable', 255: 'No buffer space available', 256: 'Socket is already connected',
    257: 'Socket is not connected', 260: 'Connection timed out', 261: 'Connection refused',
    264: 'Host is down', 265: 'No route to host',
  };
  return t[errno] ?? `Unknown error ${errno}`;
}

/** A kernel call failed: carries errno. Thrown out of `yield*` calls that fail (MsgSend to a dead server…). */
export class KernelError extends Error {
  constructor(readonly errno: number, what: string) {
    super(`${what}: ${strerror(errno)}`);
  }
}

/** Options for spawning a process. */
export interface SpawnOptions {
  argv: string[];
  env?: Record<string, string>;
  /** Console output of the process (its stdout/stderr). Default: the node console. */
  stdout?: (text: string) => void;
  priority?: number;
  /** Parent pid (the shell). */
  ppid?: number;
  /**
   * A script for a shell (the buildfile's [+script] file) with the line each line came from. The kernel puts
   * it in the new process's `local` store under SPAWN_SCRIPT_KEY; `sh` runs it when it has no `-c`.
   */
  script?: ScriptLine[];
}

/** One line of a boot script and where it came from (for located error messages). */
export interface ScriptLine {
  text: string;
  line: number;
  file?: string;
}

/** Key of `ThreadCtx.local` holding SpawnOptions.script in the spawned process. */
export const SPAWN_SCRIPT_KEY = new LocalKey<ScriptLine[]>('spawn.script');

/** Thread states as QNX's pidin names them (a thread in waitpid shows SIGSUSPEND, as ksh's does). */
export type ThreadState =
  | 'RUNNING' | 'READY' | 'SEND' | 'RECEIVE' | 'REPLY' | 'INTR' | 'NANOSLEEP' | 'SIGSUSPEND' | 'DEAD'
  /** MsgSend on a connection to another node: until the server's node has the message, then until the reply (kif.ts). */
  | 'NET_SEND' | 'NET_REPLY';

/** One line of the node's system log (slogf/sloginfo): time, major code, severity (0 shutdown … 7 debug2), text. */
export interface SlogEntry {
  time: Time;
  major: number;
  severity: number;
  text: string;
}

/** A read-only view of a process (pidin, slay, the debugger). */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  name: string;
  argv: string[];
  threads: ThreadInfo[];
}

export interface ThreadInfo {
  tid: number;
  name: string;
  state: ThreadState;
  /** Effective priority (after priority inheritance). */
  priority: number;
  basePriority: number;
  /** pidin's Blocked column: server pid for SEND/REPLY, chid for RECEIVE, else 0. */
  blockedOn: number;
  /** CPU it runs on (RUNNING) or last ran on (-1: never ran). */
  cpu: number;
  cpuTimeNs: number;
}

/** What a program reaches of its node's bus directly: the system page and physical memory. */
export type ProgramBus = Pick<NodeBus, 'syspage' | 'memRead' | 'memWrite'>;

/**
 * Port and MMIO access for an ISR (InterruptAttach), which runs in interrupt context and cannot block: each
 * access happens when called and its bus cycle is charged to the interrupt.
 */
export type InterruptIo = Pick<NodeBus, 'in8' | 'in16' | 'in32' | 'out8' | 'out16' | 'out32' | 'mmioRead' | 'mmioWrite'>;

/** The per-thread handle every program gets. All blocking calls are generator functions. */
export interface ThreadCtx {
  readonly pid: number;
  readonly tid: number;
  /** Process name (argv[0] basename). */
  readonly procName: string;
  readonly node: string;
  /**
   * What start-up found (the system page) and physical memory (cached CPU accesses, no bus time). Port and
   * MMIO accesses go through the methods below, which put them on this thread's timeline.
   */
  readonly bus: ProgramBus;
  readonly env: Record<string, string>;
  now(): Time;
  /**
   * This thread's point on its CPU timeline: now() plus the CPU it charged since it last gave up the CPU (where a
   * clock read in the middle of its work lands, unless it is preempted before then). Optional: callers fall back
   * to now().
   */
  clockNow?(): Time;

  /**
   * Port and MMIO accesses (x86 IN/OUT, uncached loads and stores). Each takes effect at its point on this
   * thread's CPU timeline — after the CPU time charged before it and after its own bus cycle, whose length
   * the node's bus computes (ISA, PCI) and this thread is charged. Reads are blocking calls
   * (`const v = yield* ctx.in8(port)`); writes are placed on the timeline like messages and return at once.
   */
  in8(port: number): Co<number>;
  in16(port: number): Co<number>;
  in32(port: number): Co<number>;
  out8(port: number, value: number): void;
  out16(port: number, value: number): void;
  out32(port: number, value: number): void;
  /**
   * String I/O (REP INSB/INSW/INSD, REP OUTSB/OUTSW/OUTSD): `buf.length / width` transfers from or to one
   * port, little-endian, as one bus operation whose cycles are all charged. `buf.length` must be a multiple
   * of the width.
   */
  in8s(port: number, dst: Uint8Array): Co<void>;
  in16s(port: number, dst: Uint8Array): Co<void>;
  in32s(port: number, dst: Uint8Array): Co<void>;
  out8s(port: number, src: Uint8Array): void;
  out16s(port: number, src: Uint8Array): void;
  out32s(port: number, src: Uint8Array): void;
  mmioRead(addr: number, size: AccessSize): Co<number>;
  mmioWrite(addr: number, size: AccessSize, value: number): void;

  /** Console output for this process. */
  print(text: string): void;

  /** Consume CPU for `ns` (plus whatever was charged). Preemptible by higher-priority threads. */
  work(ns: number): Co<void>;
  /** Add CPU cost that is consumed at the next blocking call or work(). */
  charge(ns: number): void;
  /** Sleep (nanosleep). */
  sleep(ns: number): Co<void>;
  /** Give up the CPU to equal-priority threads (sched_yield). */
  yieldCpu(): Co<void>;

  getPriority(): number;
  setPriority(prio: number): void;

  /** Create a thread in this process. Returns its tid. */
  ThreadCreate(name: string, priority: number, body: ThreadBody): number;
  /** Terminate this process with a status (from any of its threads). Never returns. */
  exit(status: number): Co<never>;
  /** procmgr_daemon: the parent (e.g. the shell) stops waiting for this process as if it had exited 0. */
  daemonize(): void;

  /** A channel; `flags` are _NTO_CHF_* (messaging.ts: _NTO_CHF_DISCONNECT). */
  ChannelCreate(flags?: number): number;
  /**
   * Connect to a channel of a process (pid 0 = this process). With `nd` other than ND_LOCAL_NODE (kif.ts) the
   * channel is on another node: messages on the connection go through the network manager (Qnet); ENOTSUP
   * when none is registered. Nothing is checked on the remote node until the first message (as in QNX).
   */
  ConnectAttach(pid: number, chid: number, nd?: number): number;
  ConnectDetach(coid: number): void;
  /**
   * Send and block until the server replies. Throws KernelError if the server is gone (ESRCH) or the coid is
   * not this process's (EBADF). A server's MsgError(rcvid, e) comes back as a Reply `{ status: -1, errno: e }`.
   */
  MsgSend(coid: number, msg: Message): Co<Reply>;
  MsgReceive(chid: number): Co<Received>;
  MsgReply(rcvid: number, reply: Reply): void;
  MsgError(rcvid: number, errno: number): void;
  MsgSendPulse(coid: number, priority: number, code: number, value: number): void;
  /**
   * MsgRead: up to `nbytes` of a received message's payload (its `data` field when a Uint8Array) from
   * `offset`; fewer at the end. EFAULT/ESRCH as KernelError for a bad rcvid. Optional.
   */
  MsgRead?(rcvid: number, offset: number, nbytes: number): Uint8Array;
  /**
   * MsgWrite: `src` lands at `offset` of the reply buffer; MsgReply's `data` (a Uint8Array, or none) is laid
   * over it from offset 0 and the client receives the combined bytes. Returns the bytes written. Optional.
   */
  MsgWrite?(rcvid: number, src: Uint8Array, offset: number): number;
  /** Deliver a sigevent (pulse) now, as the kernel would on an interrupt or timer. */
  MsgDeliverEvent(event: SigEvent): void;

  /**
   * InterruptAttach: `isr` runs in interrupt context when `irq` fires (charged InterruptEntry). It returns the
   * event to deliver, or null. The IRQ stays unmasked.
   */
  InterruptAttach(irq: number, isr: (io: InterruptIo) => SigEvent | null): number;
  /** InterruptAttachEvent: the kernel masks `irq` and delivers `event`; the handler must InterruptUnmask. */
  InterruptAttachEvent(irq: number, event: SigEvent): number;
  InterruptDetach(id: number): void;
  InterruptMask(irq: number, id: number): void;
  InterruptUnmask(irq: number, id: number): void;
  /** Block until an interrupt event with notify 'intr' arrives for this thread. */
  InterruptWait(): Co<void>;

  /** Timers delivering an event. */
  TimerCreate(event: SigEvent): number;
  /**
   * Arm: first expiry after `initial` ns (0 disarms), then every `interval` ns (0 = one-shot). With
   * `flags` TIMER_ABSTIME, `initial` is the absolute virtual time of the first expiry (a past time fires at once).
   */
  TimerSettime(id: number, initial: number, interval: number, flags?: number): void;
  TimerDestroy(id: number): void;

  /**
   * Register a path with the process manager (resmgr_attach). Longest-prefix match at open. Without `dir` the
   * path matches only itself (a file-type resmgr); with `dir: true` it also owns everything below it. Paths
   * that only exist because something is registered below them are procnto directories (stat/waitfor/ls).
   */
  pathAttach(path: string, chid: number, opts?: { dir?: boolean }): void;
  pathDetach(path: string): void;
  /** Resolve a path: the server, the registered prefix, and the remainder without a leading '/' ('' if exact); null = ENOENT. */
  pathResolve(path: string): { pid: number; chid: number; prefix: string; rest: string } | null;
  /** List registered paths under a prefix (for `ls /dev`, waitfor). */
  pathList(prefix: string): string[];

  /**
   * open + read of a file procnto serves (the image filesystem, /dev/shmem): its contents, or null (ENOENT).
   * Charged as a message to procnto plus the copy. Optional: callers treat its absence as "no such file".
   */
  fileRead?(path: string): Co<Uint8Array | null>;
  /**
   * Random octets, as a read of /dev/random gives them (QNX's random service): from the node's seeded stream
   * "<node>.procnto.random", so a run is reproducible and a different seed changes it. Charged as a message.
   * Optional: programs that need nonces fail without it.
   */
  getrandom?(n: number): Uint8Array;
  /** open(O_CREAT|O_TRUNC or O_APPEND) + write under /dev/shmem: 0 or an errno (EROFS, ENOENT). Optional. */
  fileWrite?(path: string, data: Uint8Array, append: boolean): Co<number>;

  /** Spawn a program by name (from the node's program table). Returns the pid or throws ENOENT. */
  spawn(opts: SpawnOptions): number;
  /** Wait for a child to exit (or daemonize). Returns its status. */
  waitpid(pid: number): Co<number>;
  /** Send SIGTERM-equivalent: the process's `onTerminate` hook runs, then it exits. */
  kill(pid: number): boolean;
  /** Register what this process does on SIGTERM. */
  onTerminate(fn: () => void): void;

  /** The Net* kernel calls for the node's network manager (lsm-qnet.so; kif.ts). Optional. */
  readonly kif?: KernelKif;
  /** The registered network manager's name queries (netmgr_strtond/ndtostr, stack/lib/netmgr.ts), or null. */
  netmgr?(): Pick<NetManager, 'ndToName' | 'nameToNd'> | null;
  /** slogf(): append to the node's system log (at this point of the thread's timeline). Optional. */
  slogf?(major: number, severity: number, text: string): void;
  /** What sloginfo reads: the node's system log, oldest first. Optional. */
  slogRead?(): SlogEntry[];

  /** confstr(): '_CS_HOSTNAME', '_CS_DOMAIN', …; null when unset. */
  confstr(name: string): string | null;
  /** setconf() (what `hostname name` does). */
  setconf(name: string, value: string): void;
  /** Processes and threads of this node (what pidin reads from /proc). */
  processes(): ProcessInfo[];

  /** Physical memory allocation for DMA (mmap of MAP_PHYS|MAP_ANON): returns a physical address. */
  allocPhys(bytes: number, align?: number): number;

  /** Per-process storage for libraries, by typed key (the socket library keeps its fd table here). */
  readonly local: LocalStore;

  /**
   * Trace probe from software (layer, probe, packet id, fields) stamped with this node, recorded at its point
   * on the thread's timeline (after the CPU time charged before it), as print and bus accesses are.
   */
  trace(layer: string, probe: string, pkt: number, f?: Record<string, string | number | boolean>): void;

  /**
   * Observation only: the packet id the trace layer associates with these bytes (Tracer.provenance.lookup),
   * or 0. Drivers call it on a frame they copied out of NIC memory so its id survives the copy. Must never
   * influence behaviour. Optional: callers fall back to 0 when the kernel does not provide it.
   */
  identify?(bytes: Uint8Array): number;

  /**
   * Observation only: tell the trace layer that these bytes carry packet `pkt` (Tracer.provenance.tag), so a
   * model that later sees the same bytes (a NIC transmitting from its buffer memory) can name the packet.
   * Drivers call it on the exact bytes they hand to the hardware. Optional: skipped when absent.
   */
  tagPacket?(bytes: Uint8Array, pkt: number): void;

  /**
   * A fresh packet id from the simulation's tracer (Tracer.newPacketId), for data that enters the system in
   * software: an application's send, a reply or ARP request the stack originates. Optional: io-pkt and the
   * socket library fall back to ids from a per-node range when absent.
   */
  newPacketId?(): number;
}
