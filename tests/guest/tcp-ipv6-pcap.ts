/**
 * tshark checks shared by the TCP and IPv6 guest tests (guest-tcp, ipv6, linux-tcp-fixture): fields of
 * every frame, and the frames Wireshark finds malformed or with a bad IPv4/TCP/UDP/ICMPv6 checksum.
 * tshark does not verify IPv4, TCP and UDP checksums unless asked; CHECKSUM_OPTS asks.
 */
import { execFileSync } from 'node:child_process';

export const CHECKSUM_OPTS = ['-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE'];

/** Rows of the given fields ('|'-separated), for frames matching `filter`. Absolute TCP sequence numbers unless `opts` says otherwise. */
export function tshark(file: string, fields: readonly string[], filter?: string, opts: readonly string[] = []): string[][] {
  const args = [...CHECKSUM_OPTS, ...opts, '-r', file, ...(filter ? ['-Y', filter] : []), '-T', 'fields', '-E', 'separator=|', ...fields.flatMap((f) => ['-e', f])];
  let out: string;
  try {
    out = execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 }).trim();
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') throw new Error('tshark is not installed: apt-get install tshark (.ci/run does this)');
    throw new Error(`tshark failed: ${err.stderr ?? err.message}`);
  }
  return out === '' ? [] : out.split('\n').map((l) => l.split('|'));
}

/**
 * Frames tshark decodes as malformed, with a checksum status "bad" (0) in IPv4, TCP, UDP or ICMPv6, or with
 * an expert note of severity error: as "number: summary" lines, empty when the capture is clean.
 */
export function badFrames(file: string): string[] {
  const filter = '_ws.malformed or ip.checksum.status == 0 or tcp.checksum.status == 0 or udp.checksum.status == 0 or icmpv6.checksum.status == 0 or icmp.checksum.status == 0 or _ws.expert.severity == error';
  return tshark(file, ['frame.number', '_ws.col.Info'], filter).map((r) => `${r[0]}: ${r[1]}`);
}

/** Sum of TCP payload bytes from `src` to `dst` (addresses as tshark prints them), retransmissions included or not. */
export function tcpPayload(file: string, src: string, dst: string, v6 = false, countRetransmissions = false): number {
  const ip = v6 ? 'ipv6' : 'ip';
  let filter = `tcp and ${ip}.src == ${src} and ${ip}.dst == ${dst}`;
  if (!countRetransmissions) filter += ' and not tcp.analysis.retransmission';
  return tshark(file, ['tcp.len'], filter).reduce((n, r) => n + Number(r[0] ?? 0), 0);
}
