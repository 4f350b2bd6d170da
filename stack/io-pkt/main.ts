/**
 * The io-pkt-v4 / io-pkt-v4-hc / io-pkt-v6-hc programs. Order of start-up, as in sys/main.c and
 * init_main.c: parse the command line; procmgr_daemon (the shell that started us goes on at once);
 * initialize the stack (lo0 up as 127.0.0.1/8) and attach the resource manager's paths; then load the
 * modules named by -d/-p in command-line order, in the stack context; then serve the channel. With -t N,
 * N processing threads are created at start; otherwise one per interrupt source up to the CPU count.
 */
import type { Co, ProgramMain, ThreadCtx } from '../kernel/api';
import { LocalKey } from '../kernel/local';
import { parseIoPktCommandLine } from './cmdline';
import { DllTable } from './dll';
import type { LoadableModule } from './driver-api';
import { Loader, moduleFileName } from './loader';
import { IoPktProcess, type Variant } from './process';
import { ResMgr } from './resmgr';

/**
 * Stack initialization before the paths appear: the main thread waits while the packet memory is mapped
 * (procnto) and the PCI server is attached (blocked time, the CPU is free for others — this is why a script
 * needs `waitfor /dev/socket`), then initializes the protocols and lo0 (CPU time).
 */
export const STACK_INIT_WAIT_NS = 2_000_000;
export const STACK_INIT_CPU_NS = 500_000;

/** Handle to a running io-pkt, for tests and the debugger (ctx.local key). */
export const IOPKT_LOCAL_KEY = new LocalKey<IoPktProcess>('io-pkt.process');

export function makeIoPkt(variant: Variant, modules: () => Readonly<Record<string, LoadableModule>>): ProgramMain {
  return function* ioPktMain(ctx: ThreadCtx, argv: string[]): Co<number> {
    const prog = variant;
    const cl = parseIoPktCommandLine(argv);
    for (const d of cl.diagnostics) ctx.print(`${prog}: ${d}\n`);
    if (cl.fatal) return 1;
    ctx.daemonize();
    ctx.setPriority(cl.mainPrio);
    const p = new IoPktProcess(ctx, variant, cl, modules(), ctx.bus.syspage.cpus);
    ctx.local.set(IOPKT_LOCAL_KEY, p);
    p.setup();
    const loader = new Loader(p, new DllTable(p.modules));
    const rm = new ResMgr(p, loader);
    p.handleMessage = (c, q) => rm.handle(c, q);
    ctx.onTerminate(() => p.terminate());
    p.log('tcpip starting');
    for (const u of cl.tcpip.unknown) p.log(`tcpip: unrecognized option: "${u}"`);

    p.holder = ctx;
    try {
      yield* ctx.sleep(STACK_INIT_WAIT_NS);
      yield* ctx.work(STACK_INIT_CPU_NS);
      rm.attachPaths(ctx);
      if (cl.threads !== null) for (let i = 0; i < cl.threads; i++) p.startPoolThread();
      for (const req of cl.modules) {
        yield* loader.load(moduleFileName(req.kind, req.name), req.options, cl.verbose > 0);
      }
      yield* p.drain(ctx);
    } finally {
      p.holder = null;
    }
    p.rearm(ctx);
    yield* p.serve(ctx);
    return 0;
  };
}
