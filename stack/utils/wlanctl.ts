/**
 * wlanctl (NetBSD usr.sbin/wlanctl, shipped with QNX's 802.11 support): print the 802.11 node table of
 * interfaces (`wlanctl ral0 …`, or `-a` for all; `-p` skips nodes with privacy) — our BSS node and, for an AP,
 * every station that authenticated. Per node, as wlanctl's dump_nodes prints it: addresses, node flags,
 * ESSID, channel with its flags, capabilities, beacon interval and TSF, the rate set (basic rates starred,
 * the transmit rate bracketed), AID, failures, the inactivity counter, RSSI and sequence numbers. NetBSD reads
 * the records through sysctl net.link.ieee80211.nodes; here SIOCG80211NODES returns the same records.
 */
import type { Co, ProgramMain, ThreadCtx } from '../kernel/api';
import { strerror } from '../lib/errno';
import { close, errno, ioctl } from '../lib/socket';
import type { IfInfo } from '../io-pkt/ioctl';
import type { StaInfo } from '../net80211/ioctl';
import { IEEE80211_RATE_BASIC, IEEE80211_RATE_VAL } from '../net80211/rates';
import { ioctlSocket } from './common';

type FlagNames = readonly (readonly [number, string])[];

const NODE_FLAGS: FlagNames = [[0x1, 'bss'], [0x2, 'sta'], [0x4, 'scan']];
const CAP_FLAGS: FlagNames = [
  [0x0001, 'ess'], [0x0002, 'ibss'], [0x0004, 'cf pollable'], [0x0008, 'request cf poll'], [0x0010, 'privacy'],
  [0x0020, 'short preamble'], [0x0040, 'pbcc'], [0x0080, 'channel agility'], [0x0400, 'short slot-time'], [0x0800, 'rsn'],
  [0x2000, 'dsss-ofdm'],
];
const CHAN_FLAGS: FlagNames = [
  [0x0010, 'turbo'], [0x0020, 'cck'], [0x0040, 'ofdm'], [0x0080, '2.4GHz'], [0x0100, '5GHz'], [0x0200, 'passive scan'],
  [0x0400, 'dynamic cck-ofdm'], [0x0800, 'gfsk'],
];

/** print_flags: `<a,b>` for the bits set, nothing when none. */
function flags(v: number, names: FlagNames): string {
  const set = names.filter(([b]) => (v & b) !== 0).map(([, n]) => n);
  return set.length ? `<${set.join(',')}>` : '';
}

const hex4 = (v: number): string => v.toString(16).padStart(4, '0');

/** print_rateset: basic rates starred, the transmit rate bracketed. */
function rateset(rates: readonly number[], txrate: number): string {
  let s = '\trates';
  rates.forEach((r, i) => {
    const v = 5 * (r & IEEE80211_RATE_VAL);
    const t = `${(r & IEEE80211_RATE_BASIC) !== 0 ? '*' : ''}${Math.floor(v / 10)}.${v % 10}`;
    s += (r & IEEE80211_RATE_VAL) === txrate && i === rates.findIndex((x) => (x & IEEE80211_RATE_VAL) === txrate) ? ` [${t}]` : ` ${t}`;
  });
  return `${s}\n`;
}

export function formatNode(ifname: string, n: StaInfo): string {
  let t = `${ifname}: mac ${n.mac} bss ${n.bssid}\n`;
  t += `\tnode flags ${hex4(n.sysctlFlags)}${flags(n.sysctlFlags, NODE_FLAGS)}\n`;
  t += `\tess <${n.ssid}>\n`;
  t += `\tchan ${n.chan} freq ${n.freq}MHz flags ${hex4(n.chanFlags)}${flags(n.chanFlags, CHAN_FLAGS)}\n`;
  t += `\tcapabilities ${hex4(n.capinfo)}${flags(n.capinfo, CAP_FLAGS)}\n`;
  t += `\tbeacon-interval ${n.intval} TU tsft ${n.tstamp} us\n`;
  t += rateset(n.rates, n.txrate);
  t += `\tassoc-id ${n.associd} assoc-failed ${n.fails} inactivity ${n.inact}s\n`;
  t += `\trssi ${n.rssi} txseq ${n.txseq} rxseq ${n.rxseq}\n`;
  return t;
}

export const wlanctl: ProgramMain = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
  const opts = new Set<string>();
  let i = 1;
  for (; i < argv.length && /^-[ap]+$/.test(argv[i]!); i++) for (const c of argv[i]!.slice(1)) opts.add(c);
  let names = argv.slice(i);
  const all = opts.has('a');
  if ((names.length > 0) === all) {
    ctx.print('Usage: wlanctl [ -p ] -a\n       wlanctl [ -p ] interface [ interface ... ]\n');
    return 1;
  }
  const s = yield* ioctlSocket(ctx, 'wlanctl');
  if (s < 0) return 1;
  try {
    if (all) {
      const r = yield* ioctl(ctx, s, 'SIOCGIFCONF', {});
      names = r ? (r.data as { ifs: IfInfo[] }).ifs.filter((x) => x.type === 'ether').map((x) => x.name) : [];
    }
    for (const name of names) {
      const r = yield* ioctl(ctx, s, 'SIOCG80211NODES', { name });
      if (!r) {
        // An interface without 802.11 has no nodes; one that does not exist fails as if_nametoindex does.
        if (errno(ctx) === 25) continue;
        ctx.print(`wlanctl: if_nametoindex: ${strerror(errno(ctx))}\n`);
        return 1;
      }
      for (const n of (r.data as { nodes: StaInfo[] }).nodes) {
        if (opts.has('p') && (n.capinfo & 0x0010) !== 0) continue;
        ctx.print(formatNode(name, n));
      }
    }
  } finally {
    yield* close(ctx, s);
  }
  return 0;
};
