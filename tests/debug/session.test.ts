import * as path from 'node:path';
import { loadScenarioFile } from '../../emulator/app/scenario/load';
import { runScenario } from '../../emulator/app/assembly/run';
import { DebugSession, type Stop } from '../../emulator/app/debug/session';
import { DebugRepl } from '../../emulator/app/debug/commands';
import { pathOf } from '../../emulator/app/debug/path';
import type { DebugRecord } from '../../emulator/app/debug/records';

const PING = path.join(__dirname, '../../docs/examples/ping.yaml');
const scenario = loadScenarioFile(PING);

/** A record without the session-specific event number, for comparing runs. */
const plain = (r: DebugRecord) => ({ t: r.t, node: r.node, layer: r.layer, probe: r.probe, pkt: r.pkt, f: r.f });

function firstEchoRequest(lookahead = true, filter = 'icmp echo-request and dst host 10.0.0.2'): { s: DebugSession; repl: DebugRepl; stop: string[] } {
  const s = new DebugSession(scenario, { lookahead });
  const repl = new DebugRepl(s);
  expect(repl.execute(`break probe ip/output if ${filter}`)).toEqual([`breakpoint 1: probe ip/output if ${filter}`]);
  const stop = repl.execute('continue');
  return { s, repl, stop };
}

describe('a scripted debug session on a ping', () => {
  test('breaks on the first echo request where alpha’s IP layer sends it', () => {
    const { s, stop } = firstEchoRequest();
    const c = s.cursorRecord!;
    expect(c).toMatchObject({ node: 'alpha', layer: 'ip', probe: 'output', f: { src: '10.0.0.1', dst: '10.0.0.2', proto: 1 } });
    const info = s.packets.info(c.pkt);
    expect(info).toMatchObject({ complete: true, icmpType: 8, icmpSeq: 0, ipSrc: 0x0a000001, ipDst: 0x0a000002 });
    expect(stop).toContain('alpha | PING 10.0.0.2 (10.0.0.2): 56 data bytes');
    expect(stop.find((l) => l.startsWith('breakpoint 1 '))).toMatch(/^breakpoint 1 \(probe ip\/output if .*\) at 1\.\d{9}, event #\d+/);
    expect(stop).toContain('   at device alpha, layer ip (L3 IPv4), outbound');
    expect(s.breaks.all()[0]!.hits).toBe(1);
  });

  test('path lists every hop from the sender’s socket to the receiver’s ICMP, in order, with non-decreasing time', () => {
    const { s } = firstEchoRequest();
    const p = pathOf(s, s.currentPkt);
    const hops = p.hops.map((h) => `${h.device} ${h.rec.layer}/${h.rec.probe}`);
    expect(hops[0]).toBe('alpha app/send');
    expect(hops[1]).toBe('alpha socket/send');
    expect(hops.at(-1)).toBe('beta icmp/echo-request-in');
    // The way down alpha, across the hub and up beta, in this order (ARP's hold in between is allowed).
    const expected = [
      'alpha app/send', 'alpha socket/send', 'alpha ip/output', 'alpha ifnet/output', 'alpha driver/tx', 'alpha nic/tx-start',
      'hub0 wire/tx-start', 'hub0 wire/deliver', 'beta nic/rx-accept', 'beta nic/rx-ring', 'beta driver/rx',
      'beta ifnet/input', 'beta ip/input', 'beta icmp/echo-request-in',
    ];
    let at = -1;
    for (const e of expected) {
      const i = hops.indexOf(e, at + 1);
      expect({ hop: e, found: i > at }).toEqual({ hop: e, found: true });
      at = i;
    }
    // On the receiver the layers climb strictly: nic, driver, ifnet, ip, icmp.
    const beta = p.hops.filter((h) => h.device === 'beta').map((h) => h.rec.layer);
    expect(beta.filter((l, i) => l !== beta[i - 1])).toEqual(['nic', 'driver', 'ifnet', 'ip', 'icmp']);
    const t0 = p.hops[0]!.rec.t;
    p.hops.forEach((h, i) => {
      expect(h.delta).toBeGreaterThanOrEqual(0);
      expect(h.total).toBe(h.rec.t - t0);
      if (i > 0) expect(h.rec.t).toBeGreaterThanOrEqual(p.hops[i - 1]!.rec.t);
    });
    expect(p.hops.at(-1)!.total).toBeGreaterThan(0);
    // The cursor is on ip/output; the hops after it have not happened yet (ARP's hold comes after ip_output's
    // CPU time on io-pkt's timeline, so it is a later event too).
    expect(p.hops.map((h) => h.state).slice(0, 4)).toEqual(['past', 'past', 'cursor', 'future']);
    expect(p.hops.at(-1)!.state).toBe('future');
    expect(p.caused.map((r) => `${r.layer}/${r.probe}`)).toEqual(['arp/request', 'icmp/echo-reply-out']);
  });

  test('next follows the path hop by hop, then says there is no further hop', () => {
    const { s, repl } = firstEchoRequest();
    const p = pathOf(s, s.currentPkt);
    const from = p.hops.findIndex((h) => h.state === 'cursor');
    for (const h of p.hops.slice(from + 1)) {
      const st = s.next();
      expect(st.reason).toBe('next');
      expect(plain(st.cursor!)).toEqual(plain(h.rec));
    }
    const end = repl.execute('next');
    expect(end).toEqual([`packet ${p.pkt} has no further hop (its last hop: beta icmp/echo-request-in)`]);
  });

  test('stepping back then forward reproduces the same events', () => {
    const { s } = firstEchoRequest();
    const forward: { ev: number; name: string | null; recs: object[] }[] = [];
    for (let i = 0; i < 25; i++) {
      const st = s.step();
      forward.push({ ev: s.executed, name: st.event, recs: st.shown.map(plain) });
    }
    const end = s.executed;
    expect(forward.some((f) => f.recs.length > 0)).toBe(true);
    const back = s.back(25);
    expect(back.reason).toBe('back');
    expect(s.executed).toBe(end - 25);
    const again = [];
    for (let i = 0; i < 25; i++) {
      const st = s.step();
      again.push({ ev: s.executed, name: st.event, recs: st.shown.map(plain) });
    }
    expect(again).toEqual(forward);
    // back 1 shows the event it lands after; step then replays the next one identically.
    const last = forward.at(-1)!;
    s.back(1);
    const st = s.step();
    expect({ ev: s.executed, name: st.event, recs: st.shown.map(plain) }).toEqual(last);
  });

  test('without a lookahead the path so far matches the lookahead’s path once the packet has arrived', () => {
    const a = firstEchoRequest(true);
    // Without a lookahead the ICMP type is unknown at ip/output (no bytes yet, and the record does not say):
    // a filter on it cannot match there, one on what the record says can.
    const none = new DebugSession(scenario, { lookahead: false, until: 1_200_000_000 });
    new DebugRepl(none).execute('break probe ip/output if icmp echo-request');
    expect(none.continue().reason).toBe('end');
    const b = firstEchoRequest(false, 'icmp and dst host 10.0.0.2');
    expect(b.s.timeline).toBeNull();
    const pkt = a.s.currentPkt;
    expect(b.s.currentPkt).toBe(pkt);
    // ARP's hold comes after ip_output's CPU time on io-pkt's timeline: not recorded yet at ip/output.
    expect(pathOf(b.s, pkt).hops.map((h) => h.rec.probe)).toEqual(['send', 'send', 'output']);
    b.s.untilTime(1_500_000_000);
    expect(pathOf(b.s, pkt).hops.map((h) => plain(h.rec))).toEqual(pathOf(a.s, pkt).hops.map((h) => plain(h.rec)));
  });

  test('the debugged run is the run: same trace hash as `qnxemu run`', () => {
    const s = new DebugSession(scenario);
    const st: Stop = s.continue();
    expect(st.reason).toBe('end');
    expect(s.inst.a.sim.tracer.digest()).toBe(runScenario(scenario).traceHash);
    expect(s.timeline!.records.map(plain)).toEqual(s.records.map(plain));
  });
});

describe('breakpoints on registers, IRQs and time; state at the cursor', () => {
  test('break reg with the interface name stops on the register access (register tracing on)', () => {
    const s = new DebugSession(scenario);
    const repl = new DebugRepl(s);
    expect(repl.execute('break reg beta.en0.ISR write')).toEqual([
      'breakpoint 1: register beta.nic0.ISR (write)',
      'register tracing is on (trace records for every register access)',
    ]);
    expect(s.inst.verbose).toBe(true);
    const st = s.continue();
    expect(st.reason).toBe('breakpoint');
    expect(st.cursor).toMatchObject({ node: 'beta', layer: 'nic', probe: 'reg-write', f: { nic: 'beta.nic0', reg: 'ISR' } });
    repl.execute('delete 1');
    expect(s.inst.verbose).toBe(false);
    // The driver's first ISR write is part of its probe, before io-pkt has named the interface: run on until it has.
    s.untilTime(500_000_000);
    expect(repl.execute('break reg beta.en7.ISR')[0]).toMatch(/^error: no NIC 'en7' on beta \(NICs: nic0 \(en0\)\)/);
    expect(repl.execute('break reg beta.en0.FOO')[0]).toMatch(/^error: unknown register 'FOO' \(rtl8029 names: CR CLDA0 PSTART /);
  });

  test('break reg alpha.en0.ISR: register names are those of the NIC model (its register tables)', () => {
    const s = new DebugSession(scenario);
    const repl = new DebugRepl(s);
    expect(repl.execute('break reg alpha.en0.ISR')[0]).toBe('breakpoint 1: register alpha.nic0.ISR');
    const st = s.continue();
    expect(st.reason).toBe('breakpoint');
    expect(st.cursor).toMatchObject({ node: 'alpha', layer: 'nic', f: { nic: 'alpha.nic0', reg: 'ISR' } });
    expect(['reg-read', 'reg-write']).toContain(st.cursor!.probe);
    repl.execute('delete all');
    // One offset, two registers: on page 0 a write to offset 1 is PSTART, a read there CLDA0.
    expect(repl.execute('break reg alpha.nic0.PSTART write')[0]).toBe('breakpoint 2: register alpha.nic0.PSTART (write)');
    expect(s.continue().cursor).toMatchObject({ probe: 'reg-write', f: { nic: 'alpha.nic0', page: 0, off: 1, reg: 'PSTART' } });
    // The ISA NE2000 has no RTL8029 page 3.
    expect(repl.execute('break reg alpha.nic0.CONFIG3')[0]).toMatch(/^error: unknown register 'CONFIG3' \(ne2000-isa names: CR /);
    expect(repl.execute('break reg beta.nic0.CONFIG3')[0]).toBe('breakpoint 3: register beta.nic0.CONFIG3');
  });

  test('break irq, break time, until', () => {
    const s = new DebugSession(scenario);
    const repl = new DebugRepl(s);
    repl.execute('break irq beta 11');
    const st = s.continue();
    expect(st.cursor).toMatchObject({ node: 'beta', layer: 'irq', probe: 'raise', f: { irq: 11 } });
    repl.execute('delete all');
    repl.execute('break time 1.5s');
    const tb = s.continue();
    expect(tb.reason).toBe('time');
    expect(s.now).toBeLessThan(1_500_000_000);
    expect(s.inst.queue.peekTime()!).toBeGreaterThanOrEqual(1_500_000_000);
    repl.execute('delete all');
    const u = s.untilTime(2_107_500_000);
    expect(u.reason).toBe('until');
    expect(s.now).toBeLessThanOrEqual(2_107_500_000);
    expect(s.inst.queue.peekTime()!).toBeGreaterThan(2_107_500_000);
  });

  test('show: NIC registers and ring, ARP cache, sockets, interfaces, interrupt controllers, events, packet', () => {
    const { s, repl } = firstEchoRequest();
    repl.execute('break probe nic/rx-accept on beta if icmp echo-request');
    repl.execute('continue');
    const nic = repl.execute('show nic beta.en0');
    expect(nic[0]).toMatch(/^beta\.nic0 \(en0\): rtl8029 \[PCI\] PROM 00:00:e8:0b:00:02, link hub0, running/);
    expect(nic.join('\n')).toMatch(/PSTART=0x4c\s+PSTOP=0x80/);
    expect(nic.join('\n')).toMatch(/being stored at CURR \(completion pending\): page 0x4f: status 0x01\[PRX\] next 0x50 count 102 \(98 \+ FCS\) pkt 3/);
    expect(nic).toContain('  page 0 (read side):');
    expect(nic).toContain('  page 2 (read side):');
    expect(nic).toContain('  page 3 (RTL8029):');
    expect(nic.join('\n')).toMatch(/IMR=0x3f\[PRX PTX RXE TXE OVW CNT\]/);
    expect(nic.join('\n')).toMatch(/RSR=0x21\[PRX PHY\]/);
    expect(nic.some((l) => /^ {2}transmitter: idle, MAC idle; TPSR 0x4[06] TBCR \d+$/.test(l))).toBe(true);
    expect(nic.some((l) => /^ {2}remote DMA: idle, address 0x4[0-9a-f]{3}, 0 bytes left$/.test(l))).toBe(true);
    expect(nic).toContain('  counters: CNTR0 (frame alignment errors) 0, CNTR1 (CRC errors) 0, CNTR2 (missed packets) 0');
    const alpha = repl.execute('show nic alpha.en0');
    expect(alpha[0]).toMatch(/^alpha\.nic0 \(en0\): ne2000-isa \[ISA io 0x300 irq 5\] PROM 00:00:e8:0a:00:01, link hub0, running, page 0/);
    expect(alpha).not.toContain('  page 3 (RTL8029):');
    expect(repl.execute('show arp alpha')).toContainEqual(expect.stringMatching(/^ {2}10\.0\.0\.2 +00:00:e8:0b:00:02 en0 +resolved/));
    expect(repl.execute('show sockets alpha').join('\n')).toMatch(/so \d+ inet\/raw\/icmp local 0\.0\.0\.0\.\* foreign \*\.\*/);
    expect(repl.execute('show ifnet beta')).toContain('  inet 10.0.0.2/24 broadcast 10.0.0.255');
    // beta's io-pkt: the main thread and one pool thread (one NIC, one CPU); the pool thread serviced the
    // echo request's interrupt and took the stack context right after it.
    const thr = repl.execute('show threads beta');
    expect(thr[0]).toMatch(/^ {2}\d+ io-pkt-v4 +intr \d+ fast 0 queued \d+ if_start 0 stack \d+/);
    expect(thr[1]).toMatch(/^ {2}\d+ io-pkt#1 +intr [1-9]\d* fast 0 queued [1-9]\d* if_start 0 stack [1-9]\d* \(after intr [1-9]\d*\)/);
    expect(thr[2]).toMatch(/^ {2}POKE pulses \d+$/);
    expect(repl.execute('show pic beta')[1]).toMatch(/^slave: .*ELCR=0x08\[11\]/);
    expect(repl.execute('show ioapic alpha')[0]).toMatch(/^ioapic id=0/);
    expect(repl.execute('show events 3')[0]).toMatch(/^\d+ pending event\(s\) at 1\.\d{9} \(after event #\d+\)/);
    const pkt = repl.execute('show packet');
    expect(pkt[0]).toBe(`packet ${s.currentPkt}: 00:00:e8:0a:00:01 > 00:00:e8:0b:00:02, IPv4 10.0.0.1 > 10.0.0.2: ICMP echo-request, id 5, seq 0, length 98`);
    expect(pkt).toContain('  0x0000:  0000 e80b 0002 0000 e80a 0001 0800 4500  ..............E.');
    expect(repl.execute('show nic gamma.nic0')).toEqual(["error: no node 'gamma' (nodes: alpha, beta)"]);
    expect(repl.execute('frobnicate')).toEqual(["error: unknown command 'frobnicate' (help lists commands)"]);
    expect(repl.execute('break probe ip/output if icmp and')).toEqual([
      'error: bad filter at column 9: expected a primitive (icmp, arp, udp, ip, host, port, …), got the end of the expression',
      '  icmp and',
      '          ^',
    ]);
    expect(repl.errors).toBe(3);
  });
});
