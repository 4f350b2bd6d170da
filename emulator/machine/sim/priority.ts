/**
 * Named event priorities. Events at the same time run in ascending priority, then in insertion order (FIFO).
 * Each value says why it sits where it does.
 */
export const Priority = {
  /** A wire delivers the last bit of a frame before anything reacts to it at the same instant. */
  Wire: 0,
  /** Device-internal completions (DMA done, FIFO drained) settle before interrupts are sampled. */
  Device: 10,
  /** Interrupt lines settle after device state changes in the same instant. */
  Interrupt: 20,
  /** Ordinary model work. */
  Default: 50,
  /** Simulated CPUs dispatch threads after all hardware at that instant has settled. */
  Cpu: 60,
  /** Timers of simulated operating systems fire after hardware at the same instant. */
  OsTimer: 70,
  /** Scenario actions (commands typed, faults) happen after the system reached a stable state. */
  Scenario: 90,
  /** Run-until limits and debugger stops come last so everything at that instant is visible. */
  Stop: 100,
  /**
   * A message from another partition (a guest in a worker thread: emulator/machine/parallel/): after everything
   * local at the same instant, so where it lands does not depend on when, in wall time, it arrived.
   */
  Message: 1000,
} as const;
export type PriorityName = keyof typeof Priority;
