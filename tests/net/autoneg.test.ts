import {
  ALL_MODES, forcedAbilities, Mode, resolveLink, resolveMasterSlave, resolvePause, type LinkAbilities,
} from '../../emulator/machine/net/autoneg';
import { Cable } from '../../emulator/machine/net/cable';
import { fullAbilities, StaticEndpoint } from '../../emulator/machine/net/endpoints';
import type { Frame, NetPortListener } from '../../emulator/machine/net/link';
import { AN_TIMES } from '../../emulator/machine/net/link-segment';
import { SEC } from '../../emulator/machine/sim';
import { AnReplica, RawEnd, rig } from './helpers';

const an = (a: Partial<LinkAbilities>) => fullAbilities(a);

describe('clause 28 resolution (pure)', () => {
  test('highest common denominator, Annex 28B.3 priority', () => {
    const cases: [number, number, string][] = [
      [ALL_MODES, ALL_MODES, '1000F'],
      [ALL_MODES, Mode.T1000H | Mode.TX100F, '1000H'],
      [ALL_MODES, Mode.TX100F | Mode.TX100H | Mode.T10F | Mode.T10H, '100F'],
      [Mode.TX100H | Mode.T10F, ALL_MODES, '100H'],
      [Mode.T10F | Mode.T10H, ALL_MODES, '10F'],
      [Mode.T10H, ALL_MODES, '10H'],
    ];
    for (const [a, b, want] of cases) {
      const r = resolveLink(an({ modes: a }), an({ modes: b }), [5, 3]);
      expect(r.ok).toBe(true);
      const l = r.ends[0].link!;
      expect(`${l.speedMbps}${l.fullDuplex ? 'F' : 'H'}`).toBe(want);
      expect(r.ends[1].link!.speedMbps).toBe(l.speedMbps);
    }
    const none = resolveLink(an({ modes: Mode.T1000F }), an({ modes: Mode.TX100F }));
    expect(none).toMatchObject({ ok: false, fault: 'no-common-mode' });
    expect(none.ends[0].partner!.modes).toBe(Mode.TX100F); // the page was still received
  });

  test('PAUSE resolution, Annex 28B Table 28B-3, from both ends', () => {
    const p = (pause: boolean, asymPause: boolean) => an({ pause, asymPause });
    const t = (l: LinkAbilities, r: LinkAbilities) => {
      const x = resolvePause(l, r);
      return `${x.tx ? 'T' : '-'}${x.rx ? 'R' : '-'}`;
    };
    expect(t(p(false, false), p(true, true))).toBe('--');
    expect(t(p(false, true), p(false, true))).toBe('--');
    expect(t(p(false, true), p(true, false))).toBe('--');
    expect(t(p(false, true), p(true, true))).toBe('T-');
    expect(t(p(true, false), p(false, true))).toBe('--');
    expect(t(p(true, false), p(true, false))).toBe('TR');
    expect(t(p(true, true), p(true, false))).toBe('TR');
    expect(t(p(true, true), p(false, false))).toBe('--');
    expect(t(p(true, true), p(false, true))).toBe('-R');
    // the resolved link carries it, and never at half duplex
    const full = resolveLink(an({ pause: true }), an({ pause: true }));
    expect(full.ends[0].link).toMatchObject({ pauseTx: true, pauseRx: true });
    const half = resolveLink(an({ pause: true, modes: Mode.TX100H }), an({ pause: true }));
    expect(half.ends[0].link).toMatchObject({ fullDuplex: false, pauseTx: false, pauseRx: false });
  });

  test('1000BASE-T MASTER-SLAVE (40.5.2): manual wins, both manual alike is a fault, multiport prefers master, then seeds', () => {
    const x = (a: Partial<LinkAbilities>, b: Partial<LinkAbilities>, seeds: [number, number] = [1, 2]) => resolveMasterSlave(an(a), an(b), seeds);
    expect(x({ ms: 'master' }, { ms: 'slave' })).toBe(true);
    expect(x({ ms: 'master' }, { ms: 'master' })).toBe('fault');
    expect(x({ ms: 'slave' }, { ms: 'slave' })).toBe('fault');
    expect(x({ ms: 'master' }, { multiport: true })).toBe(true); // NetBSD brgphy on a 5701 vs a switch
    expect(x({}, { ms: 'master' })).toBe(false);
    expect(x({}, { ms: 'slave' })).toBe(true);
    expect(x({}, { multiport: true })).toBe(false); // a NIC against a switch port is slave
    expect(x({}, {}, [700, 12])).toBe(true);
    expect(x({}, {}, [12, 700])).toBe(false);
    const fault = resolveLink(an({ ms: 'master' }), an({ ms: 'master' }));
    expect(fault).toMatchObject({ ok: false, fault: 'ms-fault' });
    const r = resolveLink(an({}), an({ multiport: true }));
    expect([r.ends[0].link!.master, r.ends[1].link!.master]).toEqual([false, true]);
    // at 100 Mb/s there is no master
    expect(resolveLink(an({ ms: 'master', modes: Mode.TX100F }), an({ ms: 'master' })).ends[0].link!.master).toBe(false);
  });

  test('parallel detection (28.2.3.1): the autonegotiating end takes the detected speed at half duplex', () => {
    const phy = an({});
    const mau = forcedAbilities(Mode.T10H);
    const r = resolveLink(phy, mau);
    expect(r.ok).toBe(true);
    expect(r.ends[0].link).toMatchObject({ speedMbps: 10, fullDuplex: false, parallelDetect: true });
    expect(r.ends[0].partner).toEqual(forcedAbilities(Mode.T10H));
    expect(r.ends[1]).toMatchObject({ partner: null, link: { speedMbps: 10, fullDuplex: false } });
    // a forced-full partner: duplex mismatch (each keeps its own)
    const fdx = resolveLink(forcedAbilities(Mode.TX100F), phy);
    expect([fdx.ends[0].link!.fullDuplex, fdx.ends[1].link!.fullDuplex]).toEqual([true, false]);
    // 1000BASE-T cannot be parallel-detected; a speed the PHY does not offer links not
    expect(resolveLink(phy, forcedAbilities(Mode.T1000F))).toMatchObject({ ok: false, fault: 'forced-1000' });
    expect(resolveLink(an({ modes: Mode.T1000F }), forcedAbilities(Mode.TX100H))).toMatchObject({ ok: false, fault: 'no-common-mode' });
    // both forced: same speed or nothing
    expect(resolveLink(forcedAbilities(Mode.TX100F), forcedAbilities(Mode.TX100H)).ok).toBe(true);
    expect(resolveLink(forcedAbilities(Mode.TX100F), forcedAbilities(Mode.T10F))).toMatchObject({ ok: false, fault: 'speed-mismatch' });
  });
});

/** A station with a PHY: a bare attachment carrying a StaticEndpoint. */
class PhyEnd implements NetPortListener {
  readonly rx: Frame[] = [];
  readonly links: { t: number; up: boolean }[] = [];
  readonly autoneg: StaticEndpoint;
  constructor(readonly r: ReturnType<typeof rig>, abilities: Partial<LinkAbilities> | null = {}, scale?: number) {
    this.autoneg = new StaticEndpoint(abilities, scale === undefined ? {} : { timeScale: scale });
  }
  frameReceived(f: Frame): void {
    this.rx.push(f);
  }
  transmitDone(): void {}
  collision(): void {}
  linkChanged(up: boolean): void {
    this.links.push({ t: this.r.sim.queue.now, up });
  }
}

describe('negotiation on a cable: phases and their times', () => {
  test('two gigabit PHYs: break, base + next pages, 1000BASE-T training; times from the seeded stream', () => {
    const r = rig(7);
    const cable = new Cable(r.ctx('c0'));
    const a = new PhyEnd(r);
    const b = new PhyEnd(r, { multiport: true });
    cable.attach(a, 'a');
    cable.attach(b, 'b');
    expect(cable.linkUp()).toBe(false);
    r.sim.queue.runUntilIdle();
    const want = new AnReplica(7, 'c0').timeline(0, AN_TIMES.nextPages, AN_TIMES.linkUp1000);
    expect(a.links).toEqual([{ t: want.up, up: true }]);
    expect(b.links).toEqual([{ t: want.up, up: true }]);
    expect(want.up).toBeGreaterThanOrEqual(1_950_000_000); // 1.2 + 0.3 + 0.45 s at the least
    expect(want.up).toBeLessThanOrEqual(2_850_000_000);
    expect(r.find('autoneg', 'negotiated').map((x) => [x.t, x.f!.mode])).toEqual([[want.negotiated, '1000F']]);
    expect(cable.bitRate).toBe(1e9);
    expect(cable.fullDuplex).toBe(true);
    expect(a.autoneg.link).toMatchObject({ speedMbps: 1000, fullDuplex: true, master: false });
    expect(b.autoneg.link).toMatchObject({ master: true });
    expect(r.find('wire', 'duplex').map((x) => x.f!.port)).toEqual(['a', 'b']);
  });

  test('same seed, same times; another seed, other times', () => {
    const upAt = (seed: number) => {
      const r = rig(seed);
      const cable = new Cable(r.ctx('c0'));
      const a = new PhyEnd(r);
      cable.attach(a, 'a');
      cable.attach(new PhyEnd(r), 'b');
      r.sim.queue.runUntilIdle();
      return a.links[0]!.t;
    };
    expect(upAt(3)).toBe(upAt(3));
    expect(upAt(3)).not.toBe(upAt(4));
  });

  test('a 100 Mb/s partner: base page only, 100BASE-TX link-up; the cable category limits the speed', () => {
    const r = rig(2);
    const cable = new Cable(r.ctx('c0'));
    const a = new PhyEnd(r);
    cable.attach(a, 'a');
    cable.attach(new PhyEnd(r, { modes: Mode.TX100F | Mode.TX100H | Mode.T10F | Mode.T10H }), 'b');
    r.sim.queue.runUntilIdle();
    expect(a.links[0]!.t).toBe(new AnReplica(2, 'c0').timeline(0, AN_TIMES.basePage, AN_TIMES.linkUp100).up);
    expect(cable.bitRate).toBe(100e6);
    const r2 = rig(2);
    const cat5 = new Cable(r2.ctx('c1'), { bitRate: 100e6 });
    const c = new PhyEnd(r2);
    cat5.attach(c, 'a');
    cat5.attach(new PhyEnd(r2), 'b');
    r2.sim.queue.runUntilIdle();
    expect(c.autoneg.link).toMatchObject({ speedMbps: 100, fullDuplex: true });
  });

  test('restart breaks the link at both ends at once; negotiation resumes after the break-link timer', () => {
    const r = rig(9);
    const cable = new Cable(r.ctx('c0'));
    const a = new PhyEnd(r, {}, 0.001);
    const b = new PhyEnd(r, {}, 0.001);
    cable.attach(a, 'a');
    cable.attach(b, 'b');
    r.sim.queue.runUntilIdle();
    const replica = new AnReplica(9, 'c0', 0.001);
    const first = replica.timeline(0, AN_TIMES.nextPages, AN_TIMES.linkUp1000);
    expect(a.links).toEqual([{ t: first.up, up: true }]);
    const t1 = r.sim.queue.now + 1_000_000;
    r.at(t1, () => a.autoneg.restart());
    r.sim.queue.runUntilIdle();
    const second = replica.timeline(t1, AN_TIMES.nextPages, AN_TIMES.linkUp1000);
    expect(a.links.slice(1)).toEqual([
      { t: t1, up: false },
      { t: second.up, up: true },
    ]);
    expect(b.links.slice(1)).toEqual(a.links.slice(1));
    expect(b.autoneg.events.map((e) => e.what)).toEqual(['negotiated', 'up', 'down', 'negotiated', 'up']);
  });

  test('a silent end (powered down) takes the link down; pulled, the break runs out unplugged: re-plugged, the exchange starts at once', () => {
    const r = rig(1);
    const cable = new Cable(r.ctx('c0'));
    const a = new PhyEnd(r, {}, 0.001);
    cable.attach(a, 'a');
    cable.attach(new PhyEnd(r, {}, 0.001), 'b');
    r.sim.queue.runUntilIdle();
    const replica = new AnReplica(1, 'c0', 0.001);
    replica.timeline(0, AN_TIMES.nextPages, AN_TIMES.linkUp1000);
    const t1 = r.sim.queue.now + 5_000_000;
    r.at(t1, () => a.autoneg.setAbilities(null)); // BMCR.PDOWN
    r.sim.queue.runUntil(t1 + SEC);
    expect(a.links.at(-1)).toEqual({ t: t1, up: false });
    expect(cable.negotiation.currentPhase).toBe('idle');
    replica.draw(AN_TIMES.breakLink); // the restart at power-down still starts a break
    const t2 = r.sim.queue.now;
    a.autoneg.setAbilities({});
    r.sim.queue.runUntilIdle();
    const back = replica.timeline(t2, AN_TIMES.nextPages, AN_TIMES.linkUp1000);
    expect(a.links.at(-1)).toEqual({ t: back.up, up: true });
    // pull for 10 s: the break timer ran out while unplugged, so the exchange starts at the replug
    const t3 = r.sim.queue.now + 1_000_000;
    r.at(t3, () => cable.setLinkUp(false));
    r.at(t3 + 10 * SEC, () => cable.setLinkUp(true));
    r.sim.queue.runUntilIdle();
    replica.draw(AN_TIMES.breakLink); // link fail at the pull: the break runs out while unplugged
    const ex = replica.draw(AN_TIMES.nextPages);
    replica.seeds();
    const upAgain = t3 + 10 * SEC + ex + replica.draw(AN_TIMES.linkUp1000);
    expect(a.links.slice(-2)).toEqual([
      { t: t3, up: false },
      { t: upAgain, up: true },
    ]);
  });

  test('pulled and re-plugged quickly: negotiation waits for the rest of the break-link timer', () => {
    const r = rig(4);
    const cable = new Cable(r.ctx('c0'));
    const a = new PhyEnd(r, {}, 0.001);
    cable.attach(a, 'a');
    cable.attach(new PhyEnd(r, {}, 0.001), 'b');
    r.sim.queue.runUntilIdle();
    const replica = new AnReplica(4, 'c0', 0.001);
    replica.timeline(0, AN_TIMES.nextPages, AN_TIMES.linkUp1000);
    const t = r.sim.queue.now + 1_000_000;
    r.at(t, () => cable.setLinkUp(false));
    r.at(t + 500_000, () => cable.setLinkUp(true)); // 0.5 ms: shorter than 1.2 ms × 0.001 s
    r.sim.queue.runUntilIdle();
    const again = replica.timeline(t, AN_TIMES.nextPages, AN_TIMES.linkUp1000);
    expect(again.negotiating).toBeGreaterThan(t + 500_000);
    expect(a.links.slice(-2)).toEqual([
      { t, up: false },
      { t: again.up, up: true },
    ]);
  });

  test('no common mode, or MASTER-SLAVE fault: no link, traced, retried', () => {
    const r = rig(1);
    const cable = new Cable(r.ctx('c0'));
    const a = new PhyEnd(r, { ms: 'master' }, 0.001);
    cable.attach(a, 'a');
    cable.attach(new PhyEnd(r, { ms: 'master' }, 0.001), 'b');
    r.sim.queue.runUntil(10 * 1_000_000);
    expect(a.links).toEqual([]);
    const faults = r.find('autoneg', 'fault');
    expect(faults.length).toBeGreaterThanOrEqual(2);
    expect(faults[0]!.f!.fault).toBe('ms-fault');
    expect(a.autoneg.events[0]!.o!.fault).toBe('ms-fault');
  });

  test('a station without auto-negotiation links at once at 10 Mb/s, as before; a PHY against it parallel-detects', () => {
    const r = rig(1);
    const cable = new Cable(r.ctx('c0'));
    const legacy = new RawEnd(r, cable, 'ne2000', true); // RTL8029 with FUDUP: forced 10 Mb/s full duplex
    const phy = new PhyEnd(r, {}, 0.001);
    cable.attach(phy, 'bcm');
    r.sim.queue.runUntilIdle();
    const up = new AnReplica(1, 'c0', 0.001).timeline(0, AN_TIMES.parallel, AN_TIMES.linkUp10).up;
    expect(phy.links).toEqual([{ t: up, up: true }]);
    expect(legacy.of('link')).toEqual([{ t: up, what: 'link', v: true }]);
    expect(phy.autoneg.link).toMatchObject({ speedMbps: 10, fullDuplex: false, parallelDetect: true });
    // the PHY parallel-detected half duplex: the cable is a collision domain, the FUDUP card is told half duplex
    expect(cable.fullDuplex).toBe(false);
    expect(legacy.of('duplex').map((e) => e.v)).toEqual([false]);
    expect(r.find('autoneg', 'link-up')[0]!.f).toMatchObject({ mode: '10H', mismatch: true });
  });
});
