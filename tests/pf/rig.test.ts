/**
 * lsm-pf in a running io-pkt: two simulated QNX nodes on a test wire; beta mounts lsm-pf-v4.so, and a small
 * test program loads rules through /dev/pf (open, DIOCXBEGIN/DIOCADDRULE/DIOCXCOMMIT with the ticket,
 * DIOCSTART) — block ICMP in, pass UDP in with keep state. alpha's pings go unanswered, its UDP datagrams
 * arrive; the state table and the rule counters, read back through the same ioctls, show what pf did.
 */
import type { Co, ProgramMain, ThreadCtx } from '../../stack/kernel/api';
import { pfClose, pfIoctl, pfOpen } from '../../stack/lib/pf';
import { errno } from '../../stack/lib/socket';
import { lsmPf, pfOf } from '../../stack/io-pkt/lsm-pf';
import type { PfRule, PfStateInfo, PfStatus } from '../../stack/include/net/pfvar';
import { connect } from '../io-pkt/fake-net';
import { makeNode, newSim } from '../io-pkt/rig';
import { rule } from './harness';

const RULES: PfRule[] = [
  rule({ action: 'block', direction: 'in', proto: 1, log: 'first' }),
  rule({ action: 'pass', direction: 'in', proto: 17, keepState: 'keep' }),
];

/** pfload: load RULES as one transaction and enable pf. */
const pfload: ProgramMain = function* (ctx: ThreadCtx): Co<number> {
  const fd = yield* pfOpen(ctx);
  if (fd < 0) {
    ctx.print(`pfload: /dev/pf: errno ${errno(ctx)}\n`);
    return 1;
  }
  const t = yield* pfIoctl(ctx, fd, 'DIOCXBEGIN', { rulesets: ['filter'] });
  for (const r of RULES) if (!(yield* pfIoctl(ctx, fd, 'DIOCADDRULE', { ticket: t!.ticket, ruleset: 'filter', rule: r }))) return 1;
  if (!(yield* pfIoctl(ctx, fd, 'DIOCXCOMMIT', { ticket: t!.ticket }))) return 1;
  const on = yield* pfIoctl(ctx, fd, 'DIOCSTART');
  ctx.print(`pfload: ${RULES.length} rules, ${on ? 'enabled' : `errno ${errno(ctx)}`}\n`);
  const again = yield* pfIoctl(ctx, fd, 'DIOCSTART');
  ctx.print(`pfload: DIOCSTART again: ${again ? 'ok' : `errno ${errno(ctx)}`}\n`);
  yield* pfClose(ctx, fd);
  return 0;
};

/** pfshow: rules with counters, states, status, through the ioctls. */
const pfshow: ProgramMain = function* (ctx: ThreadCtx): Co<number> {
  const fd = yield* pfOpen(ctx);
  if (fd < 0) return 1;
  const g = (yield* pfIoctl(ctx, fd, 'DIOCGETRULES', { ruleset: 'filter' })) as { ticket: number; nr: number };
  for (let i = 0; i < g.nr; i++) {
    const r = (yield* pfIoctl(ctx, fd, 'DIOCGETRULE', { ticket: g.ticket, ruleset: 'filter', nr: i })) as { rule: PfRule; counters: { evaluations: number; packets: number[]; states: number } };
    ctx.print(`rule ${i} ${r.rule.action} proto ${r.rule.proto}: evaluations ${r.counters.evaluations} packets ${r.counters.packets.join('/')} states ${r.counters.states}\n`);
  }
  const st = (yield* pfIoctl(ctx, fd, 'DIOCGETSTATES')) as { states: PfStateInfo[] };
  for (const s of st.states) {
    ctx.print(`state ${s.ifname} proto ${s.proto} ${s.direction} ${Array.from(s.ext.addr).join('.')}:${s.ext.port} -> ${Array.from(s.lan.addr).join('.')}:${s.lan.port} ${s.srcState}:${s.dstState} packets ${s.packets.join('/')}\n`);
  }
  const status = (yield* pfIoctl(ctx, fd, 'DIOCGETSTATUS')) as unknown as PfStatus;
  ctx.print(`status running ${status.running} states ${status.states} match ${status.counters.match}\n`);
  yield* pfClose(ctx, fd);
  return 0;
};

describe('lsm-pf in io-pkt', () => {
  test('block ICMP, pass UDP with keep state, driven through /dev/pf', () => {
    const sim = newSim(5);
    const a = makeNode(sim, 'alpha', { macBase: 1 });
    const b = makeNode(sim, 'beta', { macBase: 2, extraModules: { 'lsm-pf-v4.so': lsmPf }, programs: { pfload, pfshow } });
    connect(a.nics[0]!, b.nics[0]!, 100_000);
    b.run([
      'io-pkt-v4 -dfake', 'waitfor /dev/socket', 'mount -Tio-pkt lsm-pf-v4.so', 'waitfor /dev/pf', 'ifconfig en0 10.0.0.2/24',
      'pfload', 'udpsink -p 9000 -c 3', 'pfshow', 'ifconfig pflog0',
    ]);
    a.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.1/24', 'sleep 1', 'ping -c 2 10.0.0.2', 'udpgen -c 3 -i 0.1 -p 9000 10.0.0.2']);
    sim.queue.runUntil(15_000_000_000);
    expect(a.k.crashes).toEqual([]);
    expect(b.k.crashes).toEqual([]);
    const bo = b.console();
    expect(bo).toContain('pfload: 2 rules, enabled\n');
    expect(bo).toContain('pfload: DIOCSTART again: errno 17\n'); // EEXIST
    expect(a.console()).toContain('2 packets transmitted, 0 packets received, 100.0% packet loss');
    expect(bo).toContain('udpsink: port 9000: 3 datagrams received');
    // Rule 1 (pass udp) was looked at by the two echo requests (after rule 0 matched them) and by the first
    // datagram, which created the state; the next two matched the state. Its packets: 3 in (state packets
    // count on the rule that made the state).
    expect(bo).toMatch(/rule 1 pass proto 17: evaluations 3 packets 3\/0 states 1\n/);
    // Rule 0 (block icmp): looked at by the two echo requests (and blocked them: 2 in) and the first datagram.
    // beta sends no IP packet of its own (nothing answers), so no outbound evaluation adds to it.
    expect(bo).toContain('rule 0 block proto 1: evaluations 3 packets 2/0 states 0\n');
    expect(bo).toMatch(/state self proto 17 in 10\.0\.0\.1:\d+ -> 10\.0\.0\.2:9000 SINGLE:NO_TRAFFIC packets 3\/0\n/);
    // match: every packet that went through the rules (2 echo requests, the first datagram).
    expect(bo).toContain('status running true states 1 match 3\n');
    // pflog0 exists (flags 0 until `ifconfig pflog0 up`, PFLOGMTU) and ifconfig shows it.
    expect(bo).toContain('pflog0: flags=0<> mtu 33192\n');
  });

  test('a 1 MB TCP transfer through `block in` + `pass in proto tcp flags S/SA keep state`: every segment passes the window check', () => {
    const TCP_RULES: PfRule[] = [
      rule({ action: 'block', direction: 'in' }),
      rule({ action: 'pass', direction: 'in', proto: 6, flags: 0x02, flagset: 0x12, keepState: 'keep' }),
    ];
    const load: ProgramMain = function* (ctx: ThreadCtx): Co<number> {
      const fd = yield* pfOpen(ctx);
      const t = yield* pfIoctl(ctx, fd, 'DIOCXBEGIN', { rulesets: ['filter'] });
      for (const r of TCP_RULES) yield* pfIoctl(ctx, fd, 'DIOCADDRULE', { ticket: t!.ticket, ruleset: 'filter', rule: r });
      yield* pfIoctl(ctx, fd, 'DIOCXCOMMIT', { ticket: t!.ticket });
      yield* pfIoctl(ctx, fd, 'DIOCSTART');
      return 0;
    };
    const sim = newSim(6);
    const a = makeNode(sim, 'alpha', { macBase: 1 });
    const b = makeNode(sim, 'beta', { macBase: 2, extraModules: { 'lsm-pf-v4.so': lsmPf }, programs: { pfload: load, pfshow } });
    connect(a.nics[0]!, b.nics[0]!, 100_000);
    b.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'mount -Tio-pkt lsm-pf-v4.so', 'waitfor /dev/pf', 'ifconfig en0 10.0.0.2/24', 'pfload', 'ttcp -r -s', 'pfshow']);
    a.run(['io-pkt-v4 -dfake', 'waitfor /dev/socket', 'ifconfig en0 10.0.0.1/24', 'sleep 1', 'ttcp -t -s -n 128 10.0.0.2']);
    sim.queue.runUntil(30_000_000_000);
    expect(a.k.crashes).toEqual([]);
    expect(b.k.crashes).toEqual([]);
    const bo = b.console();
    // 128 × 8192 bytes arrived; every segment of the connection matched its state (no state-mismatch).
    expect(bo).toMatch(/ttcp-r: 1048576 bytes in /);
    expect(bo).toMatch(/state self proto 6 in 10\.0\.0\.1:\d+ -> 10\.0\.0\.2:5001 (ESTABLISHED|FIN_WAIT_2|TIME_WAIT|CLOSING):/);
    const pf = pfOf(b.iopkt().stack)!;
    expect(pf.counters[10]).toBe(0); // state-mismatch
    expect(pf.rules.filter[0]!.packets[0]).toBe(0); // nothing reached `block in`
  });

  test('io-pkt -p pf-v4 loads lsm-pf-v4.so at start; mounting it again is EEXIST', () => {
    const sim = newSim(7);
    const b = makeNode(sim, 'beta', { macBase: 2, extraModules: { 'lsm-pf-v4.so': lsmPf } });
    b.run(['io-pkt-v4 -dfake -ppf-v4', 'waitfor /dev/pf', 'ifconfig pflog0', 'mount -Tio-pkt lsm-pf-v4.so']);
    sim.queue.runUntil(2_000_000_000);
    expect(b.k.crashes).toEqual([]);
    expect(b.console()).toContain('pflog0: flags=0<> mtu 33192\n');
    expect(b.console()).toContain("mount: Can't mount");
    expect(pfOf(b.iopkt().stack)?.running).toBe(false);
  });
});

