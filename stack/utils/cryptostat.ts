/**
 * cryptostat: the counters of the hc stack's crypto API (stack/crypto), from sysctl net.crypto.stats and
 * net.crypto.drivers — the totals as FreeBSD's tools/tools/crypto/cryptostats prints struct cryptostats, then one
 * line per engine (the software provider and every hardware engine a driver registered): kind, algorithms,
 * requests, encryptions, decryptions, payload bytes, errors, MIC failures, ERESTART blocks, requests held now.
 * io-pkt-v4 has no crypto API: "cryptostat: net.crypto.stats: No such file or directory".
 *
 *   cryptostat [-e engine]
 */
import type { ProgramMain } from '../kernel/api';
import type { CryptoDriverStats, CryptoStats } from '../crypto/api';
import { strerror } from '../lib/errno';
import { close, errno, sysctl } from '../lib/socket';
import { sysctlSocket } from './common';

function pad(s: string | number, n: number, left = false): string {
  const t = String(s);
  return left ? t.padEnd(n) : t.padStart(n);
}

/** The text cryptostat prints. */
export function formatCryptostat(st: CryptoStats, drivers: readonly CryptoDriverStats[]): string {
  let s = `${st.cs_ops} symmetric crypto ops (${st.cs_errs} errors, ${st.cs_blocks} times driver blocked)\n`;
  s += `${st.cs_rets} crypto return queue completions, ${st.cs_nodev} without an engine\n`;
  s += `${pad('engine', 10, true)} ${pad('type', 8, true)} ${pad('algs', 8, true)}${pad('requests', 10)}${pad('encrypt', 9)}${pad('decrypt', 9)}${pad('bytes', 12)}${pad('errors', 8)}${pad('micfail', 8)}${pad('blocked', 8)}${pad('inflight', 9)}\n`;
  for (const d of drivers) {
    const name = d.gone ? `${d.name}*` : d.name;
    s += `${pad(name, 10, true)} ${pad(d.kind, 8, true)} ${pad(d.algs.join(',') || '-', 8, true)}${pad(d.requests, 10)}${pad(d.encrypts, 9)}${pad(d.decrypts, 9)}${pad(d.bytes, 12)}${pad(d.errors, 8)}${pad(d.micFailures, 8)}${pad(d.blocks, 8)}${pad(d.inflight + d.queued, 9)}\n`;
  }
  return s;
}

export const cryptostat: ProgramMain = function* (ctx, argv) {
  let only: string | null = null;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-e' && i + 1 < argv.length) only = argv[++i]!;
    else {
      ctx.print('usage: cryptostat [-e engine]\n');
      return 1;
    }
  }
  const s = yield* sysctlSocket(ctx, 'cryptostat');
  if (s < 0) return 1;
  const st = (yield* sysctl(ctx, s, ['net', 'crypto', 'stats'])) as CryptoStats | null;
  if (!st) {
    ctx.print(`cryptostat: net.crypto.stats: ${strerror(errno(ctx))}\n`);
    yield* close(ctx, s);
    return 1;
  }
  const drivers = ((yield* sysctl(ctx, s, ['net', 'crypto', 'drivers'])) as CryptoDriverStats[] | null) ?? [];
  yield* close(ctx, s);
  const list = only ? drivers.filter((d) => d.name === only) : drivers;
  if (only && list.length === 0) {
    ctx.print(`cryptostat: ${only}: no such engine\n`);
    return 1;
  }
  ctx.print(formatCryptostat(st, list));
  return 0;
};
