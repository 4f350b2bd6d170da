/**
 * The kernel's own objects: threads, processes, channels, connections. Internal to stack/kernel; programs see
 * them only through ThreadCtx (api.ts) and the read-only `ProcessInfo` snapshots.
 */
import type { Co, InterruptIo, KernelOp, Message, SigEvent, ThreadCtx, ThreadState } from './api';
import { LocalStore } from './local';
import type { BusReadOp } from './thread-timeline';

export type { ThreadState, ProcessInfo, ThreadInfo } from './api';

/** How a blocked thread continues: with a value returned from its `yield`, or an error thrown into it. */
export type Resume = { value: unknown } | { error: unknown };

/** What a kernel op's `exec` tells the scheduler. */
export type OpResult = Resume | 'blocked' | 'requeued' | 'dead';

/**
 * The op a thread yields. `exec` runs in kernel context once the CPU time the thread owes has been consumed;
 * a blocking op sets the thread's state and arranges its wake-up before returning 'blocked'.
 */
export interface Op extends KernelOp {
  exec(t: Thread): OpResult;
}

/**
 * An effect placed on a thread's CPU timeline at charge offset `at` (Thread.deferred); when the step ends it
 * becomes a segment action that happens when `remaining` has dropped to `rem` (= the step's charge - `at`).
 * `fn` is called as a method (`a.fn()`).
 */
export interface DeferredAction {
  readonly at: number;
  rem: number;
  fn(): void;
}

/** What a thread does when its segment's CPU time is consumed. */
export type SegmentEnd =
  | 'step' // run its generator to the next op, resuming it with `resume`
  | 'exec' // execute `op` (the op it yielded)
  | 'returned' // its body returned
  | 'bad-yield'; // it yielded something that is not a kernel op: crash it

/**
 * CPU time a thread still needs before its continuation runs. Code between two yields runs at the start;
 * the time it charged is consumed afterwards, and the kernel-call effects it made (replies, pulses, …)
 * happen at their point on that timeline. One object per thread, refilled by the scheduler at each step
 * (`end` with `resume` or `op` says what follows) instead of a new object and closure per yield.
 */
export interface Segment {
  remaining: number;
  actions: DeferredAction[];
  end: SegmentEnd;
  resume: Resume;
  op: Op | null;
}

export class Thread {
  state: ThreadState = 'READY';
  /** Effective priority (may float by priority inheritance). */
  prio: number;
  gen!: Co<void>;
  ctx!: ThreadCtx;
  seg: Segment;
  /** CPU time charged since the last yield, and effects placed on it (offset = charge at the time). */
  charge = 0;
  deferred: DeferredAction[] = [];
  /** The bus read op this thread yields for its own port/MMIO reads, reused (thread-timeline.ts). */
  readOp: BusReadOp | null = null;
  /** pidin's Blocked column: server pid (SEND/REPLY), chid (RECEIVE). */
  blockedOn = 0;
  /** Undo of the current block (remove from wait lists) when the thread dies or is woken by an error. */
  unblock: (() => void) | null = null;
  /** 'intr' events delivered while the thread was not in InterruptWait. */
  intrPending = 0;
  /** CPU the thread is on (RUNNING), else the last one, or -1. */
  cpu = -1;
  cpuTime = 0;
  alive = true;

  constructor(
    readonly proc: Process,
    readonly tid: number,
    readonly name: string,
    public basePrio: number,
  ) {
    this.prio = basePrio;
    this.seg = { remaining: 0, actions: [], end: 'step', resume: { value: undefined }, op: null };
  }
}

export class Process {
  readonly threads: Thread[] = [];
  nextTid = 1;
  readonly channels = new Map<number, Channel>();
  nextChid = 1;
  readonly coids = new Set<number>();
  readonly timers = new Set<number>();
  readonly interrupts = new Set<number>();
  readonly terminateHooks: (() => void)[] = [];
  readonly local = new LocalStore();
  /** Threads of other processes blocked in waitpid on this one. */
  readonly waiters: Thread[] = [];
  alive = true;
  daemonized = false;
  status: number | null = null;

  constructor(
    readonly pid: number,
    readonly ppid: number,
    readonly name: string,
    readonly argv: string[],
    readonly env: Record<string, string>,
    readonly stdout: (text: string) => void,
  ) {}
}

/**
 * A remote client thread on the server's node (QNX's vthread, kif.ts VClient): the sender of one message the
 * network manager passed on with vsend. It waits in channel queues and pending replies like a Thread (same
 * priority order and inheritance) but never runs: its completion is handed back to the manager (`done`).
 * `proc` is the kernel-only stand-in of the remote process that owns the vconnect'ed connection.
 */
export class VThread {
  state: ThreadState = 'SEND';
  blockedOn = 0;
  unblock: (() => void) | null = null;
  alive = true;
  constructor(
    readonly proc: Process,
    readonly tid: number,
    readonly prio: number,
    /** This node's ND for the client's node. */
    readonly nd: number,
    /** The manager's id for this send (the 'vreply' op carries it back). */
    readonly id: number,
    readonly coid: number,
    readonly done: (r: Resume) => void,
  ) {}
}

/** Who sent a message: a local thread or a remote one. */
export type Client = Thread | VThread;

/** A pulse or a SEND-blocked client's message waiting on a channel, in priority order. */
export type Queued =
  | { kind: 'send'; prio: number; client: Client; msg: Message; conn: Connection }
  | { kind: 'pulse'; prio: number; code: number; value: number };

export interface Channel {
  readonly chid: number;
  readonly proc: Process;
  /** ChannelCreate flags (_NTO_CHF_*): _NTO_CHF_DISCONNECT asks for _PULSE_CODE_DISCONNECT when a client goes. */
  readonly flags: number;
  /** RECEIVE-blocked server threads, FIFO. */
  readonly receivers: Thread[];
  /** Pulses and sends, highest priority first, FIFO within a priority. */
  readonly queue: Queued[];
}

/** A connection. Connection ids are unique on the node, so a sigevent's coid names one without a process. */
export interface Connection {
  readonly coid: number;
  readonly owner: Process;
  readonly server: Process;
  readonly chid: number;
}

/** A received message waiting for MsgReply. */
export interface PendingReply {
  readonly rcvid: number;
  readonly client: Client;
  readonly server: Process;
  /** The message received (MsgRead reads its payload). */
  readonly msg: Message;
  /** What MsgWrite put in the client's reply buffer so far. */
  wbuf: Uint8Array | null;
}

export interface InterruptAttachment {
  readonly id: number;
  readonly irq: number;
  readonly proc: Process;
  readonly thread: Thread;
  readonly isr: ((io: InterruptIo) => SigEvent | null) | null;
  readonly event: SigEvent | null;
  /** Masks this attachment holds on its IRQ (InterruptAttachEvent auto-masks, InterruptMask). */
  masks: number;
}
