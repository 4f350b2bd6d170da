/**
 * Export of the files QNX nodes created under /dev/shmem (procnto's RAM filesystem) when a run writes its
 * artifacts (`qnxemu run --pcap DIR`, `qnxemu test --artifacts DIR`): each becomes DIR/<node>/<file name>, so
 * a capture taken inside the simulation with `tcpdump -w /dev/shmem/x.pcap` opens in tshark or Wireshark on
 * the host. Files are read through the node kernel's file store (stack/kernel/files.ts), as the node's own
 * programs read them; nothing is written for nodes that created none.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SHMEM } from '../../../stack/kernel/files';
import type { SimNode } from './node';

/** Write every node's /dev/shmem files under `dir`; returns the paths written. */
export function exportNodeFiles(nodes: readonly SimNode[], dir: string): string[] {
  const written: string[] = [];
  for (const n of nodes) {
    const k = n.kernel;
    if (!k) continue;
    for (const p of k.paths.list(SHMEM)) {
      if (p === SHMEM) continue;
      const data = k.files.read(p);
      if (!data) continue;
      const out = path.join(dir, n.name, p.slice(SHMEM.length + 1));
      fs.mkdirSync(path.dirname(out), { recursive: true });
      fs.writeFileSync(out, data);
      written.push(out);
    }
  }
  return written;
}
