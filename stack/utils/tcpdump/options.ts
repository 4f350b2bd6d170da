/**
 * tcpdump's command line (tcpdump 4.x main(): the options QNX's tcpdump takes that are modelled here) and
 * its usage text. Repeated flags count (-dd, -nn, -tt, -vv, -xx, -XX) as in tcpdump.
 */
import { getopt, strtol } from '../../lib/getopt';

export const DEFAULT_SNAPLEN = 65535;

export interface TcpdumpOptions {
  count: number | null;
  dflag: number;
  eflag: boolean;
  device: string | null;
  lflag: boolean;
  nflag: number;
  promisc: boolean;
  qflag: boolean;
  readFile: string | null;
  snaplen: number;
  Sflag: boolean;
  tflag: number;
  vflag: number;
  xflag: number;
  Xflag: number;
  writeFile: string | null;
  expression: string;
}

export const USAGE = [
  'Usage: tcpdump [-adeflLnNOpqStuvxX] [ -c count ]',
  '\t\t[ -i interface ] [ -r file ] [ -s snaplen ]',
  '\t\t[ -w file ] [ expression ]',
].join('\n') + '\n';

/** The parsed options, or the error line tcpdump prints (then the usage). */
export function parseOptions(argv: readonly string[]): TcpdumpOptions | { error: string; usage: boolean } {
  const g = getopt(argv, 'c:deE:F:i:lnNOpqr:s:StvxXw:');
  if (g.errors.length > 0) return { error: `tcpdump: ${g.errors[0]}`, usage: true };
  const o: TcpdumpOptions = {
    count: null, dflag: 0, eflag: false, device: null, lflag: false, nflag: 0, promisc: true, qflag: false, readFile: null,
    snaplen: DEFAULT_SNAPLEN, Sflag: false, tflag: 0, vflag: 0, xflag: 0, Xflag: 0, writeFile: null, expression: g.operands.join(' '),
  };
  for (const { opt, arg } of g.opts) {
    const a = arg ?? '';
    switch (opt) {
      case 'c': {
        const n = strtol(a);
        if (n === null || n <= 0) return { error: `tcpdump: invalid packet count ${a}`, usage: false };
        o.count = n;
        break;
      }
      case 'd': o.dflag++; break;
      case 'e': o.eflag = true; break;
      case 'i': o.device = a; break;
      case 'l': o.lflag = true; break;
      case 'n': o.nflag++; break;
      case 'N': case 'O': break;
      case 'p': o.promisc = false; break;
      case 'q': o.qflag = true; break;
      case 'r': o.readFile = a; break;
      case 's': {
        const n = strtol(a);
        if (n === null || n < 0) return { error: `tcpdump: invalid snaplen ${a}`, usage: false };
        o.snaplen = n === 0 ? DEFAULT_SNAPLEN : n;
        break;
      }
      case 'S': o.Sflag = true; break;
      case 't': o.tflag++; break;
      case 'v': o.vflag++; break;
      case 'x': o.xflag++; break;
      case 'X': o.Xflag++; break;
      case 'w': o.writeFile = a; break;
      case 'E': case 'F':
        return { error: `tcpdump: -${opt} is not supported by this tcpdump`, usage: false };
    }
  }
  return o;
}
