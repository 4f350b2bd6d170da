/**
 * Guest boots that went wrong in a way the guest carries on from: a run's problems (execute.ts), so `qnxemu run` and
 * `qnxemu test` fail with one line that says what to change instead of a guest that is quietly missing files.
 *
 * The kernel unpacks the initrd into its root file system, a tmpfs that gets half of the memory free at boot
 * (init/do_mounts.c: rootfs is tmpfs when no `root=` is given; mm/shmem.c: a tmpfs without `size=` gets half of
 * RAM). With too little memory the unpacking stops at the first file that does not fit, the kernel prints
 * `Initramfs unpacking failed: <why>` and boots on with what it has: the built image's 22 MiB archive needs 100M
 * (measured on its kernel: 99M fails, 100M unpacks), where the load-time check (guest-node.ts `checkInitrdFits`) can
 * only ask for the 87M that hold the archive itself.
 */
import type { Scenario } from '../scenario/types';

/** The kernel's line when populate_rootfs fails (init/initramfs.c). */
const UNPACK_FAILED = /^(?:\[\s*[\d.]+\]\s*)?(Initramfs unpacking failed: .*)$/;

/** One problem line per guest whose kernel could not unpack its initrd. `lines`: each node's console lines. */
export function guestBootProblems(scenario: Scenario, lines: ReadonlyMap<string, readonly { t: number; text: string }[]>): string[] {
  const out: string[] = [];
  for (const spec of scenario.nodes) {
    if (spec.kind !== 'guest') continue;
    for (const l of lines.get(spec.name) ?? []) {
      const said = UNPACK_FAILED.exec(l.text)?.[1];
      if (said === undefined) continue;
      const mib = spec.ramBytes / 2 ** 20;
      out.push(
        `nodes.${spec.name}.memory: the guest's kernel could not unpack its initrd at ${(l.t / 1e9).toFixed(3)} s ("${said}"): ` +
          `${Number.isInteger(mib) ? `${mib}M` : `${spec.ramBytes} bytes`} is too little for the root file system it unpacks into ` +
          `(half the memory free at boot); give it more (128M, the default, holds the built image)`,
      );
      break;
    }
  }
  return out;
}
