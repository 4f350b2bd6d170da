/**
 * The protocol environment (stack/net/env.ts NetEnv) a running io-pkt gives its NetStack: CPU and traces go to the
 * thread running protocol code now — the layer-2 fast path's receiving thread while it runs (layer2.ts), else the
 * stack context's holder (the main thread while it loads modules); if_start kicks go to the receiving thread in
 * the fast path, else to the end of the stack pass; NetEnv.thread() names that thread and whether it holds the
 * stack context.
 */
import { LOG_INFO, type NetEnv } from '../net/env';
import type { SlogSeverity } from './driver-api';
import type { Ifnet } from '../net/if';
import type { IoPktProcess } from './process';

export function ioPktNetEnv(p: IoPktProcess, q: { kicks: Set<Ifnet>; filters: Set<Ifnet> }): NetEnv {
  const main = p.main;
  return {
    now: () => main.now(),
    clock: () => p.running.clockNow?.() ?? main.now(),
    charge: (ns) => p.running.charge(ns),
    trace: (layer, probe, pkt, f) => p.running.trace(layer, probe, pkt, f),
    newPktId: () => p.newPktId(),
    kick: (ifp) => {
      if (!p.l2.kick(ifp)) q.kicks.add(ifp);
    },
    setFilter: (ifp) => q.filters.add(ifp),
    defer: (fn) => fn(),
    timersChanged: () => {
      if (!p.holder) p.rearm(main);
    },
    // syslog priority → slog severity: LOG_ERR (3) is _SLOG_ERROR (2), LOG_INFO (6) _SLOG_INFO (5), and so on.
    log: (text, priority = LOG_INFO) => p.log(text, (priority - 1) as SlogSeverity),
    random32: () => p.random32(),
    thread: () => {
      const f = p.l2.current;
      if (f) return { tid: f.ctx.tid, name: f.wt.name, stack: false };
      const c = p.holder ?? main;
      return { tid: c.tid, name: p.threads.of(c.tid).name, stack: p.holder !== null };
    },
  };
}
