/** The NIC harness's bounds (docs/fuzzing.md "NIC targets"), in one place. */

/** Host memory a rig's device may reach by DMA (1 MiB: room for any ring layout a driver would choose). */
export const DMA_RAM_BYTES = 1 << 20;
/** Default operations per episode: long enough to reach deep states, short enough to keep reproducers small. */
export const NIC_EPISODE_OPS = 4000;
/** Events one `run` op may execute: more means the model scheduled without end (a hang). */
export const MAX_EVENTS_PER_RUN = 200_000;
/** Pending events allowed after an op (a model's own timers are a handful; a leak grows without end). */
export const MAX_PENDING_EVENTS = 1_000;
/** Every this many ops (and at an episode's end) the device's snapshot is round-tripped and measured. */
export const SNAPSHOT_EVERY = 2_048;
/** Largest snapshot, as JSON characters (a model's memory stays bounded whatever the driver does). */
export const MAX_SNAPSHOT_CHARS = 8 << 20;
