/**
 * ifconfig's 802.11 half (NetBSD sbin/ifconfig/ieee80211.c and media.c as on QNX 6.6): the parameters
 * `ssid`/`nwid NAME`, `chan N`/`-chan`, `bssid MAC`/`-bssid`, `media SUBTYPE`, `mode 11b|11g|auto`,
 * `mediaopt hostap|adhoc|monitor`/`-mediaopt`, `hidessid`/`-hidessid`, `apbridge`/`-apbridge`, `scan` (scan,
 * then list) and `list scan`; and the lines the status display adds for a wireless interface — ssid (an AP
 * adds [hidden] and apbridge), powersave, bssid and channel, the media word with the IEEE802.11 status
 * ("active" / "no network"), and with -v the 802.11 statistics.
 */
import type { Co, ThreadCtx } from '../kernel/api';
import { strerror } from '../lib/errno';
import { errno, ioctl } from '../lib/socket';
import type { Ieee80211Status, ScanResult } from '../net80211/ioctl';
import { IEEE80211_STAT_TEXT, type Ieee80211Stats, type Ieee80211StatName } from '../net80211/stats';
import type { MediaWord } from '../net80211/mode';
import { IEEE80211_CHAN_ANY } from '../net80211/rates';
import { parseMac } from '../net/wire/addr';

/** print_string: plain when printable without blanks, quoted when empty or with blanks, hex otherwise (or if it starts 0x). */
export function printString(s: string): string {
  if (s.length === 0) return '""';
  if (!/^0[xX]/.test(s) && /^[\x21-\x7e]+$/.test(s)) return s;
  if (!/^0[xX]/.test(s) && /^[\x20-\x7e]+$/.test(s)) return `"${s}"`;
  return `0x${Array.from(new TextEncoder().encode(s), (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** A media word as print_media_word prints it: subtype, then "mode X" unless auto, then options. */
function mediaWord(w: MediaWord): string {
  let s = w.subtype;
  if (w.mode !== 'auto') s += ` mode ${w.mode}`;
  for (const o of w.opts) s += ` ${o}`;
  return s;
}

/**
 * The ssid/powersave/bssid lines (ieee80211_status): without a BSSID only the channel, and that only when
 * one is set.
 */
export function formatWirelessHead(st: Ieee80211Status, verbose = false): string {
  let s = `\tssid ${printString(st.ssid)}`;
  if (st.opmode === 'hostap') {
    if (st.hidessid) s += ' [hidden]';
    else if (verbose) s += ' [shown]';
    if (st.apbridge) s += ' apbridge';
    else if (verbose) s += ' -apbridge';
  }
  s += '\n';
  s += formatWirelessSecurity(st);
  s += '\tpowersave off\n';
  if (st.bssid === '00:00:00:00:00:00') {
    if (st.chan !== IEEE80211_CHAN_ANY) s += `\tchan ${st.chan}\n`;
  } else s += `\tbssid ${st.bssid}${st.chan !== IEEE80211_CHAN_ANY ? ` chan ${st.chan}` : ''}\n`;
  return s;
}

/** Cipher names as ifconfig's printkey gives them (IEEE80211_CIPHER_*). */
const CIPHER_NAMES: Record<number, string> = { 0: 'WEP', 1: 'TKIP', 2: 'AES-OCB', 3: 'AES-CCM', 5: 'CKIP' };

/**
 * The security line (FreeBSD ifconfig ieee80211_status, whose wording QNX's wlan tools share): authmode with WPA
 * on, "privacy ON/OFF", and with privacy the default transmit key ("UNDEF" when none) and each installed key as
 * CIPHER index:bits (index from 1), a station's pairwise key as "ucast:bits". Nothing without privacy or WPA.
 */
export function formatWirelessSecurity(st: Ieee80211Status): string {
  if (!st.privacy && st.wpa === 0) return '';
  let s = '\t';
  if (st.wpa !== 0) s += `authmode ${st.wpa === 1 ? 'WPA' : st.wpa === 2 ? 'WPA2/802.11i' : 'WPA1+WPA2/802.11i'} `;
  s += `privacy ${st.privacy ? 'ON' : 'OFF'}`;
  if (st.privacy) {
    s += ` deftxkey ${st.defTxKey >= 0 && st.defTxKey < 4 ? st.defTxKey + 1 : 'UNDEF'}`;
    for (const k of st.keys) s += ` ${CIPHER_NAMES[k.cipher] ?? `cipher#${k.cipher}`} ${k.keyix + 1}:${k.bits}-bit`;
    if (st.ucastKeyBits) s += ` AES-CCM ucast:${st.ucastKeyBits}-bit`;
  }
  if (st.dropUnencrypted) s += ' dropunencrypted';
  return `${s}\n`;
}

/** The media and status lines of a wireless interface. */
export function formatWirelessMedia(st: Ieee80211Status): string {
  const cur = st.media.current;
  const act = st.media.active;
  let s = `\tmedia: IEEE802.11 ${mediaWord(cur)}`;
  if (mediaWord(act) !== mediaWord(cur)) s += ` (${mediaWord(act)})`;
  s += '\n';
  s += `\tstatus: ${st.media.running ? 'active' : 'no network'}\n`;
  return s;
}

/** ieee80211_statistics (`ifconfig -v`): one line per counter. */
export function formatWirelessStats(st: Ieee80211Stats): string {
  let s = '';
  for (const k of Object.keys(IEEE80211_STAT_TEXT) as Ieee80211StatName[]) s += `\t${IEEE80211_STAT_TEXT[k]}: ${st[k] ?? 0}\n`;
  return s;
}

/** getcaps: one letter per capability bit, as `list scan` prints them. */
export function capsString(capinfo: number): string {
  const bits: [number, string][] = [
    [0x0001, 'E'], [0x0002, 'I'], [0x0004, 'c'], [0x0008, 'C'], [0x0010, 'P'], [0x0020, 'S'], [0x0040, 'B'], [0x0080, 'A'],
    [0x0400, 's'], [0x0800, 'R'], [0x2000, 'D'],
  ];
  return bits.filter(([b]) => (capinfo & b) !== 0).map(([, c]) => c).join('');
}

/** list_scan. */
export function formatScan(results: readonly ScanResult[]): string {
  const w = Math.max(4, ...results.map((r) => printString(r.ssid).length));
  let s = `${'SSID'.padEnd(w)}  ${'BSSID'.padEnd(17)}  CHAN RATE  S:N   INT CAPS\n`;
  for (const r of results) {
    const rate = `${Math.floor(r.maxrate / 2)}M`;
    s += `${printString(r.ssid).padEnd(w)}  ${r.bssid}  ${String(r.chan).padStart(4)} ${rate.padStart(4)}  ${`${r.rssi}:0`.padEnd(5)} ${String(r.intval).padStart(3)} ${capsString(r.capinfo)}\n`;
  }
  return s;
}

/** Poll interval while waiting for a scan to finish (ifconfig waits for the scan-done event). */
const SCAN_POLL_NS = 100_000_000;
/** Give up waiting after this long (14 channels × 200 ms dwell with margin). */
const SCAN_WAIT_MAX_NS = 10_000_000_000;

/**
 * One 802.11 parameter at params[i]: returns how many words it used (0 = not an 802.11 parameter), or -1
 * after printing an error. `media` collects the media word changes to apply once at the end.
 */
export function* wirelessParam(ctx: ThreadCtx, s: number, name: string, params: string[], i: number, media: { word: MediaWord | null; get: () => Co<MediaWord | null> }): Co<number> {
  const out = (t: string) => ctx.print(t);
  const p = params[i]!;
  const arg = params[i + 1];
  const fail = (what: string): number => {
    out(`ifconfig: ${what}: ${strerror(errno(ctx))}\n`);
    return -1;
  };
  const needArg = (): boolean => {
    if (arg === undefined) out(`ifconfig: ${p}: missing argument\n`);
    return arg !== undefined;
  };
  const word = function* (): Co<MediaWord | null> {
    if (!media.word) media.word = yield* media.get();
    return media.word;
  };
  switch (p) {
    case 'ssid':
    case 'nwid':
      if (!needArg()) return -1;
      if (!(yield* ioctl(ctx, s, 'SIOCS80211NWID', { name, ssid: arg }))) return fail('SIOCS80211NWID');
      return 2;
    case 'chan':
    case 'channel': {
      if (!needArg()) return -1;
      const n = arg === '-' || arg === 'any' ? IEEE80211_CHAN_ANY : Number(arg);
      if (!Number.isInteger(n)) {
        out(`ifconfig: ${arg}: bad value\n`);
        return -1;
      }
      if (!(yield* ioctl(ctx, s, 'SIOCS80211CHANNEL', { name, chan: n }))) return fail('SIOCS80211CHANNEL');
      return 2;
    }
    case '-chan':
    case '-channel':
      if (!(yield* ioctl(ctx, s, 'SIOCS80211CHANNEL', { name, chan: IEEE80211_CHAN_ANY }))) return fail('SIOCS80211CHANNEL');
      return 1;
    case 'bssid':
    case '-bssid': {
      const mac = p === '-bssid' ? new Uint8Array(6) : arg !== undefined ? parseMac(arg) : null;
      if (!mac) {
        out(`ifconfig: ${arg ?? p}: bad value\n`);
        return -1;
      }
      if (!(yield* ioctl(ctx, s, 'SIOCS80211BSSID', { name, bssid: mac }))) return fail('SIOCS80211BSSID');
      return p === '-bssid' ? 1 : 2;
    }
    case 'media':
    case 'mode':
    case 'mediaopt':
    case '-mediaopt': {
      if (!needArg()) return -1;
      const w = yield* word();
      if (!w) return fail('SIOCGIFMEDIA');
      if (p === 'media') w.subtype = arg!;
      else if (p === 'mode') w.mode = arg!;
      else if (p === 'mediaopt') w.opts = [...new Set([...w.opts, ...arg!.split(',')])];
      else w.opts = w.opts.filter((o) => !arg!.split(',').includes(o));
      return 2;
    }
    case 'hidessid':
    case '-hidessid':
    case 'apbridge':
    case '-apbridge': {
      const type = p.endsWith('hidessid') ? 'IEEE80211_IOC_HIDESSID' : 'IEEE80211_IOC_APBRIDGE';
      if (!(yield* ioctl(ctx, s, 'SIOCS80211', { name, type, val: p.startsWith('-') ? 0 : 1 }))) return fail('SIOCS80211');
      return 1;
    }
    case 'scan':
      return (yield* scan(ctx, s, name, true)) ? 1 : -1;
    case 'list':
      if (arg !== 'scan') {
        out(`ifconfig: list ${arg ?? ''}: bad value\n`);
        return -1;
      }
      return (yield* scan(ctx, s, name, false)) ? 2 : -1;
    default:
      return 0;
  }
}

/** `scan`: start a scan and wait until it is done; `list scan`: the table as it is. Then print it. */
function* scan(ctx: ThreadCtx, s: number, name: string, start: boolean): Co<boolean> {
  let done0 = 0;
  if (start) {
    const r = yield* ioctl(ctx, s, 'SIOCS80211SCAN', { name });
    if (!r) {
      ctx.print(`ifconfig: SIOCS80211SCAN: ${strerror(errno(ctx))}\n`);
      return false;
    }
    done0 = (r.data as { done: number }).done;
  }
  for (let waited = 0; ; waited += SCAN_POLL_NS) {
    const r = yield* ioctl(ctx, s, 'SIOCG80211SCAN', { name });
    if (!r) {
      ctx.print(`ifconfig: SIOCG80211SCAN: ${strerror(errno(ctx))}\n`);
      return false;
    }
    const { scanning, done, results } = r.data as { scanning: boolean; done: number; results: ScanResult[] };
    // Done when no scan runs or a pass has ended since ours began (a station that found nothing rescans).
    if (!start || !scanning || done > done0 || waited >= SCAN_WAIT_MAX_NS) {
      ctx.print(formatScan(results));
      return true;
    }
    yield* ctx.sleep(SCAN_POLL_NS);
  }
}
