/**
 * Virtual CPU costs of the simulated Neutrino kernel, in nanoseconds.
 *
 * These are ORDER-OF-MAGNITUDE figures for a ~1 GHz x86 (Pentium III / early Pentium M class) running
 * QNX Neutrino 6.x, estimated from instruction and cycle counts of the paths involved; none is a measurement
 * of real hardware. They exist so that configurations (thread counts, priorities, interrupt routing) change
 * latency and throughput in the right direction and by a plausible amount. Override any of them per node with
 * `new Kernel(..., { costs: { contextSwitch: 2000 } })`.
 *
 * Bus accesses are not here: a port, MMIO or interrupt-acknowledge cycle costs what the node's bus says
 * (NodeBus.ioCycleNs / mmioCycleNs / interruptAcknowledgeNs, computed from ISA and PCI timing in
 * emulator/machine/board), whether a driver or the kernel's own interrupt callouts issue it.
 */
export interface CostTable {
  /** Entry into and return from any kernel call (trap, argument checks, return path). */
  kernelCall: number;
  /** MsgSend/MsgReceive rendezvous: queueing, state changes, address-space switch for the copy. */
  msgPassBase: number;
  /** Copying message (or reply) data between address spaces, per byte. May be fractional. */
  msgPerByte: number;
  /** MsgReply/MsgError: unblocking the client and copying the reply header. */
  msgReplyBase: number;
  /** Saving one thread's registers and FPU state, loading another's, switching the address space. */
  contextSwitch: number;
  /** Hardware interrupt entry: vectoring through the IDT, saving state, kernel interrupt dispatch. */
  interruptEntry: number;
  /** Interrupt exit: restoring state and iret, plus the rescheduling check. */
  interruptExit: number;
  /** Calling one attached handler (an ISR or the event-delivery stub of InterruptAttachEvent). */
  interruptHandler: number;
  /** The local APIC's EOI: a write to a register of the CPU's own local APIC (no bus cycle). */
  localApicEoi: number;
  /** Queueing a pulse (MsgSendPulse, event delivery to a channel). */
  pulse: number;
  /** Timer expiry handling in the clock interrupt (per expired timer or sleeping thread). */
  timerFire: number;
  /** ThreadCreate: allocating the thread object and kernel stack, initial register set. */
  threadCreate: number;
  /** spawn(): procnto creates the address space and loads an executable from the image filesystem. */
  processSpawn: number;
  /** Process teardown: releasing the address space, connections and threads. */
  processExit: number;
  /** A path lookup (open/stat): a message to procnto and a walk of the prefix tree. */
  pathResolve: number;
  /**
   * procnto serving one message on its own channel (PROCNTO_CHID: open/read/stat/close of its files and
   * directories), beyond the message pass: resmgr dispatch, a prefix-tree walk or OCB lookup, building the
   * reply. Charged to the sender (procnto-server.ts; no procnto thread exists here).
   */
  procntoMsg: number;
}

/** Default costs (ns); each line says where the order of magnitude comes from. */
export const DEFAULT_COSTS: Readonly<CostTable> = {
  kernelCall: 150, // ~150 cycles for a sysenter/int 0x28 round trip with argument checks
  msgPassBase: 800, // Neutrino's rendezvous is a few hundred cycles beyond a plain kernel call, plus TLB refill
  msgPerByte: 0.5, // memcpy between address spaces at ~2 GB/s on a 1 GHz machine with PC133/DDR memory
  msgReplyBase: 500, // reply is cheaper than send: no queueing decision, client already known
  contextSwitch: 600, // register/FPU save and restore plus CR3 reload and the resulting TLB misses
  interruptEntry: 400, // IDT vectoring, register save, kernel entry into the interrupt dispatcher
  interruptExit: 250, // register restore, iret, need-resched check
  interruptHandler: 100, // an indirect call to a small handler and its return
  localApicEoi: 150, // an uncached store the CPU's local APIC takes itself (~150 cycles with serialisation)
  pulse: 300, // allocating and queueing a pulse, possibly readying a receiver
  timerFire: 500, // walking the timer list and delivering the expiry event in the clock ISR
  threadCreate: 5_000, // thread object, kernel stack, TLS setup in procnto
  processSpawn: 300_000, // address space, ELF load from the image filesystem, libc start-up (few hundred µs)
  processExit: 50_000, // unmapping the address space and closing connections
  pathResolve: 2_000, // a message to procnto plus a prefix-tree walk
  procntoMsg: 1_500, // pathResolve (2 µs) less its message pass (0.8 µs) = the prefix walk, plus ~0.3 µs of OCB/reply work
};

export function makeCosts(over?: Partial<CostTable>): CostTable {
  return { ...DEFAULT_COSTS, ...(over ?? {}) };
}

/** Cost of copying `bytes` of message data (rounded to whole ns). */
export function copyCost(c: CostTable, bytes: number | undefined): number {
  return bytes && bytes > 0 ? Math.round(bytes * c.msgPerByte) : 0;
}
