/**
 * pcap_compile (libpcap): a pcap-filter(7) expression → a classic BPF program for a link type and snapshot
 * length. The program is libpcap's unoptimised code (what `tcpdump -O -d` prints): the same blocks in the
 * same order; libpcap's optimiser (optimize.c), which only shortens it, is not modelled. Errors are thrown as
 * PcapCompileError with libpcap's wording ("syntax error", "unknown host 'x'", "illegal qualifier of 'port'").
 */
import { BPF_K, BPF_RET, type BpfInsn } from '../../include/net/bpf';
import { finish } from './blocks';
import { Gen } from './gencode';
import { Parser, type HostTable } from './grammar';

export { PcapCompileError } from './blocks';

export interface CompileOptions {
  dlt: number;
  snaplen: number;
  hosts?: HostTable;
}

export function pcapCompile(text: string, o: CompileOptions): BpfInsn[] {
  const g = new Gen(o.dlt);
  const root = new Parser(text, g, o.hosts).parse();
  if (!root) return [{ code: BPF_RET | BPF_K, jt: 0, jf: 0, k: o.snaplen >>> 0 }];
  const head = root.head;
  head.stmts = [...g.prologue(), ...head.stmts];
  // Longer than BPF_MAXINSNS is not refused here: as with libpcap, BIOCSETF (bpf_validate) refuses it.
  return finish(root, o.snaplen);
}

/** /etc/hosts text → name → IPv4 addresses (the order the file gives them). */
export function parseHosts(text: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [addr, ...names] = line.split(/\s+/);
    const parts = (addr ?? '').split('.');
    if (parts.length !== 4 || parts.some((p) => !/^\d+$/.test(p) || Number(p) > 255)) continue;
    const v = parts.reduce((acc, p) => (acc * 256 + Number(p)) >>> 0, 0);
    for (const n of names) out.set(n, [...(out.get(n) ?? []), v]);
  }
  return out;
}
