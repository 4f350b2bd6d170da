/**
 * wpa_cli for the simulated QNX node: `wpa_cli [-p ctrl_dir] [-i ifname] command` — sends the command to
 * wpa_supplicant's control interface (`<ctrl_dir>/<ifname>`, see wpa_supplicant.ts) and prints the reply as the
 * real wpa_cli does (status: key=value lines; ping: PONG). Without -i it picks the first interface in the
 * directory ("Selected interface 'ral0'"). Interactive mode is not provided.
 */
import { KernelError, type ProgramMain } from '../../kernel/api';
import { getopt } from '../../lib/getopt';
import { WPA_CTRL_DEFAULT_DIR, WPA_CTRL_REQUEST } from './wpa_supplicant';

export const wpa_cli: ProgramMain = function* (ctx, argv) {
  const g = getopt(argv, 'p:i:hvBa:P:G:g:s:');
  const print = (t: string) => ctx.print(t);
  const opt = (c: string) => g.opts.find((o) => o.opt === c)?.arg ?? null;
  const dir = (opt('p') ?? WPA_CTRL_DEFAULT_DIR).replace(/\/+$/, '');
  let ifname = opt('i');
  if (g.errors.length > 0 || g.operands.length === 0) {
    print('usage: wpa_cli [-p<path to ctrl sockets>] [-i<ifname>] <command>\n');
    return 1;
  }
  if (!ifname) {
    const names = ctx.pathList(dir).filter((p) => p.startsWith(dir + '/')).map((p) => p.slice(dir.length + 1));
    ifname = names[0] ?? null;
    if (ifname) print(`Selected interface '${ifname}'\n`);
  }
  const res = ifname ? ctx.pathResolve(`${dir}/${ifname}`) : null;
  if (!ifname || !res || res.rest !== '') {
    print(`Failed to connect to non-global ctrl_ifname: ${ifname ?? '(nil)'}  error: No such file or directory\n`);
    return 1;
  }
  const [first, ...rest] = g.operands;
  const cmd = [first!.toUpperCase(), ...rest].join(' ');
  let coid: number;
  try {
    coid = ctx.ConnectAttach(res.pid, res.chid);
  } catch (e) {
    if (e instanceof KernelError) {
      print(`Failed to connect to non-global ctrl_ifname: ${ifname}  error: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  let r: { status: number; data?: unknown };
  try {
    r = yield* ctx.MsgSend(coid, { type: WPA_CTRL_REQUEST, cmd, bytes: cmd.length + 16 });
  } catch (e) {
    if (!(e instanceof KernelError)) throw e;
    r = { status: -1 };
  }
  ctx.ConnectDetach(coid);
  if (r.status < 0 || typeof r.data !== 'string') {
    print(`'${cmd}' command failed.\n`);
    return 1;
  }
  print(r.data);
  return r.data.startsWith('FAIL') || r.data.startsWith('UNKNOWN') ? 1 : 0;
};
