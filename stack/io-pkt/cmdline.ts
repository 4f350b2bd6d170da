/**
 * io-pkt's command line (sys/main.c, init_main.c load_drivers): getopt "d:p:P:t:vSDi:" over the whole
 * argv (non-option words are skipped, so a module's option string — the word after `-d x`/`-p x` when it
 * does not start with '-' — is consumed only as options). `-p` with "tcpip" in its name is the built-in
 * stack: its option word configures IPv4 (`prefix=/alt`, `forward`, …) and nothing is loaded.
 */
import { SOMAXCONN } from '../include/sys/socket';

export interface ModuleRequest {
  kind: 'd' | 'p';
  name: string;
  options: string | null;
}

export interface TcpipOptions {
  /** prefix=/path prepended to /dev/socket. */
  prefix: string;
  forward: boolean;
  fastforward: boolean;
  enmap: boolean;
  rxPrio: number;
  timerPulsePrio: number;
  /** somaxconn=N: the largest listen() backlog (kern.somaxconn; SOMAXCONN by default). */
  somaxconn: number;
  /** Options given that this simulation reads but does not model (kept for diagnostics). */
  ignored: string[];
  unknown: string[];
}

export interface IoPktCommandLine {
  modules: ModuleRequest[];
  tcpip: TcpipOptions;
  /** -P: main thread priority. */
  mainPrio: number;
  /** -t N: processing threads created at start (null: lazily, one per interrupt source up to the CPUs). */
  threads: number | null;
  /** -i N: instance number (0 = the default "io-pkt"). */
  instance: number;
  verbose: number;
  noSegvHandler: boolean;
  dedicatedStack: boolean;
  /** Messages getopt and the option checks print (program-name prefixed by the caller). */
  diagnostics: string[];
  /** Initialization must stop (exit status 1). */
  fatal: boolean;
}

export const IO_PKT_MAIN_THREAD_PRIO = 21;
export const NW_DEF_THREADS_MAX = 100;

const WITH_ARG = new Set(['d', 'p', 'P', 't', 'i']);
const FLAGS = new Set(['v', 'S', 'D']);

function parseCNumber(s: string): number | null {
  const t = s.trim();
  if (/^0[xX][0-9a-fA-F]+$/.test(t)) return parseInt(t.slice(2), 16);
  if (/^0[0-7]*$/.test(t)) return parseInt(t, 8);
  if (/^[1-9][0-9]*$/.test(t)) return parseInt(t, 10);
  return null;
}

export function parseTcpipOptions(text: string | null, into: TcpipOptions): void {
  if (!text) return;
  for (const part of text.split(',')) {
    const p = part.trim();
    if (!p) continue;
    const eq = p.indexOf('=');
    const key = eq < 0 ? p : p.slice(0, eq);
    const val = eq < 0 ? null : p.slice(eq + 1);
    switch (key) {
      case 'prefix':
        into.prefix = (val ?? '').replace(/\/+$/, '');
        break;
      case 'forward':
        into.forward = true;
        into.fastforward = true;
        break;
      case 'fastforward':
        // init_main.c: a nonzero value (strtol) turns the fast path on and forwarding with it; 0 only turns the
        // fast path off (`forward,fastforward=0`); no value turns forwarding on (the old meaning of the option).
        if (val === null) into.forward = true;
        else {
          into.fastforward = (parseCNumber(val) ?? 0) !== 0;
          if (into.fastforward) into.forward = true;
        }
        break;
      case 'enmap':
        into.enmap = val !== '0';
        break;
      case 'rx_prio':
      case 'rx_pulse_prio': {
        const n = val === null ? null : parseCNumber(val);
        if (n !== null && n >= 1 && n <= 255) into.rxPrio = n;
        break;
      }
      case 'timer_pulse_prio': {
        const n = val === null ? null : parseCNumber(val);
        if (n !== null && n >= 1 && n <= 255) into.timerPulsePrio = n;
        break;
      }
      case 'somaxconn': {
        const n = val === null ? null : parseCNumber(val);
        if (n !== null && n >= 1 && n <= 0xffff) into.somaxconn = n;
        break;
      }
      case 'forward6': case 'ipsec': case 'pfil_ipsec': case 'nocryptodev': case 'stacksize': case 'bigstack':
      case 'mbuf_cache': case 'mtag_cache': case 'pkt_cache': case 'mclbytes': case 'pagesize': case 'recv_ctxt':
      case 'reply_ctxt': case 'threads_min': case 'threads_max': case 'threads_incr':
      case 'num_tap_interface': case 'random': case 'pkt_typed_mem':
        into.ignored.push(p);
        break;
      default:
        into.unknown.push(p);
    }
  }
}

export function parseIoPktCommandLine(argv: readonly string[]): IoPktCommandLine {
  const cl: IoPktCommandLine = {
    modules: [],
    tcpip: { prefix: '', forward: false, fastforward: true, enmap: true, rxPrio: 21, timerPulsePrio: 21, somaxconn: SOMAXCONN, ignored: [], unknown: [] },
    mainPrio: IO_PKT_MAIN_THREAD_PRIO,
    threads: null,
    instance: 0,
    verbose: 0,
    noSegvHandler: false,
    dedicatedStack: false,
    diagnostics: [],
    fatal: false,
  };
  let tcpipText: string | null = null;
  let i = 1;
  while (i < argv.length) {
    const word = argv[i]!;
    if (!word.startsWith('-') || word === '-' || word === '--') {
      i++;
      continue;
    }
    let j = 1;
    i++;
    while (j < word.length) {
      const c = word[j]!;
      j++;
      if (FLAGS.has(c)) {
        if (c === 'v') cl.verbose++;
        else if (c === 'S') cl.noSegvHandler = true;
        else cl.dedicatedStack = true;
        continue;
      }
      if (!WITH_ARG.has(c)) {
        cl.diagnostics.push(`illegal option -- ${c}`);
        continue;
      }
      let arg: string;
      if (j < word.length) arg = word.slice(j);
      else if (i < argv.length) arg = argv[i++]!;
      else {
        cl.diagnostics.push(`option requires an argument -- ${c}`);
        break;
      }
      j = word.length;
      // The module option string: the next word when it does not look like an option.
      const next = argv[i];
      const opts = next !== undefined && !next.startsWith('-') ? next : null;
      switch (c) {
        case 'd':
          cl.modules.push({ kind: 'd', name: arg, options: opts });
          break;
        case 'p':
          if (arg.includes('tcpip')) {
            if (opts !== null) tcpipText = tcpipText ? `${tcpipText},${opts}` : opts;
          } else cl.modules.push({ kind: 'p', name: arg, options: opts });
          break;
        case 'P': {
          const n = Number.parseInt(arg, 10);
          if (!Number.isFinite(n) || n < 1 || n > 255) {
            cl.diagnostics.push(`ignoring invalid value ${Number.isFinite(n) ? n : 0} for option -P`);
          } else cl.mainPrio = n;
          break;
        }
        case 't': {
          const n = parseCNumber(arg) ?? 0;
          cl.threads = Math.max(1, Math.min(n, NW_DEF_THREADS_MAX));
          break;
        }
        case 'i': {
          if (!/^[0-9]+$/.test(arg)) {
            cl.diagnostics.push(`Invalid instance number: ${arg}`);
            cl.fatal = true;
          } else cl.instance = Number(arg);
          break;
        }
      }
    }
  }
  parseTcpipOptions(tcpipText, cl.tcpip);
  return cl;
}

/** Mount types this instance answers: io-pkt[N], io-net[N] and tcpip. */
export function instanceNames(instance: number): string[] {
  const n = instance === 0 ? '' : String(instance);
  return [`io-pkt${n}`, `io-net${n}`, 'tcpip'];
}
