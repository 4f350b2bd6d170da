/**
 * nc's command line (OpenBSD netcat.c's getopt loop and its checks, with qnxemu's -c/-f/-o: see nc.ts) and the
 * generated input of -c.
 */
import { getopt, strtod, strtol } from '../lib/getopt';

export interface NcOptions {
  family: 0 | 4 | 6;
  listen: boolean;
  keep: boolean;
  udp: boolean;
  zero: boolean;
  verbose: boolean;
  noStdin: boolean;
  shutdownOnEof: boolean;
  /** -w in ms (-1 = none). */
  timeoutMs: number;
  /** -i in ns between writes. */
  intervalNs: number;
  source: string | null;
  sourcePort: number;
  inputCount: number | null;
  inputFile: string | null;
  outputFile: string | null;
  host: string | null;
  ports: number[];
}

/** The generated input of -c: ttcp's pattern of printable characters. */
export function ncPattern(offset: number, len: number): Uint8Array {
  const b = new Uint8Array(len);
  for (let i = 0; i < len; i++) b[i] = 0x20 + ((offset + i) % 95);
  return b;
}

/** "5001" or "20-30" → the ports, or null. */
export function parsePorts(text: string): number[] | null {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!m) return null;
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (lo < 1 || hi > 65535 || lo > 65535 || hi < 1) return null;
  const out: number[] = [];
  for (let p = Math.min(lo, hi); p <= Math.max(lo, hi); p++) out.push(p);
  return out;
}

/** Parse argv; a string is the error to print before the usage. */
export function parseNcArgs(argv: string[]): NcOptions | string {
  const g = getopt(argv, '46c:df:hi:klNno:p:s:uvw:z');
  if (g.errors.length) return g.errors.join('\n');
  const o: NcOptions = {
    family: 0, listen: false, keep: false, udp: false, zero: false, verbose: false, noStdin: false, shutdownOnEof: false,
    timeoutMs: -1, intervalNs: 0, source: null, sourcePort: 0, inputCount: null, inputFile: null, outputFile: null,
    host: null, ports: [],
  };
  let pFlag: string | null = null;
  for (const { opt, arg } of g.opts) {
    const a = arg ?? '';
    switch (opt) {
      case '4': o.family = 4; break;
      case '6': o.family = 6; break;
      case 'c': {
        const n = strtol(a);
        if (n === null || n < 0) return `count "${a}" invalid`;
        o.inputCount = n;
        break;
      }
      case 'd': o.noStdin = true; break;
      case 'f': o.inputFile = a; break;
      case 'h': return 'help';
      case 'i': {
        const n = strtod(a);
        if (n === null || n < 0) return `interval "${a}" invalid`;
        o.intervalNs = Math.round(n * 1e9);
        break;
      }
      case 'k': o.keep = true; break;
      case 'l': o.listen = true; break;
      case 'N': o.shutdownOnEof = true; break;
      case 'n': break;
      case 'o': o.outputFile = a; break;
      case 'p': pFlag = a; break;
      case 's': o.source = a; break;
      case 'u': o.udp = true; break;
      case 'v': o.verbose = true; break;
      case 'w': {
        const n = strtol(a);
        if (n === null || n < 0) return `timeout "${a}" invalid`;
        o.timeoutMs = n * 1000;
        break;
      }
      case 'z': o.zero = true; break;
    }
  }
  if (o.inputCount !== null && o.inputFile !== null) return '-c and -f are exclusive';
  const ops = g.operands;
  if (o.listen) {
    // `nc -l port`, `nc -l -p port` and `nc -l [addr] port`.
    if (ops.length === 2) o.source = ops[0]!;
    const portText = ops.length >= 1 ? ops[ops.length - 1]! : pFlag;
    if (portText === null || ops.length > 2) return 'missing port number';
    const ports = parsePorts(portText);
    if (!ports || ports.length !== 1) return `port number invalid: ${portText}`;
    o.ports = ports;
    if (o.keep && o.udp) return 'cannot use -k with -u';
    if (o.zero) return 'cannot use -z and -l';
    return o;
  }
  if (o.keep) return 'must use -l with -k';
  if (ops.length !== 2) return ops.length < 2 ? 'missing hostname and port' : 'too many arguments';
  o.host = ops[0]!;
  const ports = parsePorts(ops[1]!);
  if (!ports) return `port range not valid: ${ops[1]}`;
  o.ports = ports;
  if (pFlag !== null) {
    const p = parsePorts(pFlag);
    if (!p || p.length !== 1) return `port number invalid: ${pFlag}`;
    o.sourcePort = p[0]!;
  }
  return o;
}
