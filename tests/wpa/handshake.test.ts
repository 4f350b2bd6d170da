/**
 * hostapd's authenticator and wpa_supplicant's supplicant state machines against each other over a fake
 * link with a virtual clock: the 4-way handshake, the group rekey, a wrong passphrase (the expected lines on
 * both sides, retries at 100 ms then 1 s, deauthentication), replayed and forged frames.
 */
import { createHash } from 'node:crypto';
import { Authenticator, EAPOL_KEY_TIMEOUT_FIRST_NS, EAPOL_KEY_TIMEOUT_SUBSEQ_NS, PAIRWISE_UPDATE_COUNT } from '../../stack/utils/wpa/authenticator';
import { pbkdf2Psk } from '../../stack/utils/wpa/crypto';
import { RSN_IE_PSK_CCMP } from '../../stack/utils/wpa/eapol';
import { macStr, SEC, type KeyInstall, type TimerHandle, type WpaHost } from '../../stack/utils/wpa/sm-host';
import { Supplicant } from '../../stack/utils/wpa/supplicant';

const AP = Uint8Array.of(0x00, 0x0c, 0x43, 0x00, 0x00, 0x01);
const STA = Uint8Array.of(0x00, 0x0c, 0x43, 0x00, 0x00, 0x02);

/** A virtual clock and timers shared by both ends; frames are delivered after `delayNs`. */
class World {
  now = 0;
  private timers: { at: number; seq: number; fn: () => void; dead: boolean }[] = [];
  private seq = 0;
  at(ns: number, fn: () => void): TimerHandle {
    const t = { at: this.now + ns, seq: this.seq++, fn, dead: false };
    this.timers.push(t);
    return { cancel: () => void (t.dead = true) };
  }
  run(until: number): void {
    for (;;) {
      const live = this.timers.filter((t) => !t.dead && t.at <= until).sort((a, b) => a.at - b.at || a.seq - b.seq);
      const t = live[0];
      if (!t) break;
      t.dead = true;
      this.now = t.at;
      t.fn();
    }
    this.now = until;
  }
}

interface Side {
  host: WpaHost;
  log: string[];
  keys: KeyInstall[];
  authorized: Map<string, boolean>;
  deauths: { addr: string; reason: number; at: number }[];
  sent: { at: number; frame: Uint8Array }[];
}

function side(world: World, name: string, deliver: (dst: Uint8Array, f: Uint8Array) => void): Side {
  let ctr = 0;
  const s: Side = {
    log: [], keys: [], authorized: new Map(), deauths: [], sent: [],
    host: {
      now: () => world.now,
      sendEapol: (dst, f) => {
        s.sent.push({ at: world.now, frame: f });
        deliver(dst, f);
      },
      installKey: (k) => void s.keys.push(k),
      authorize: (a, on) => void s.authorized.set(macStr(a), on),
      deauth: (a, reason) => void s.deauths.push({ addr: macStr(a), reason, at: world.now }),
      timeout: (ns, fn) => world.at(ns, fn),
      random: (n) => {
        const h = createHash('sha256').update(`${name}:${ctr++}`).digest();
        return new Uint8Array(h.subarray(0, n));
      },
      log: (t) => void s.log.push(t),
    },
  };
  return s;
}

const AIR_NS = 500_000;

function pair(apPass: string, staPass: string, opts: { rekey?: number; tamper?: (f: Uint8Array) => Uint8Array | null } = {}) {
  const world = new World();
  let auth!: Authenticator;
  let supp!: Supplicant;
  const ap = side(world, 'ap', (_dst, f) => world.at(AIR_NS, () => supp.receive(AP, f)));
  const sta = side(world, 'sta', (_dst, f) => {
    const g = opts.tamper ? opts.tamper(f) : f;
    if (g) world.at(AIR_NS, () => auth.receive(STA, g));
  });
  const ssid = Buffer.from('qnxlab');
  auth = new Authenticator(
    { ifname: 'ral0', addr: AP, pmk: pbkdf2Psk(apPass, ssid)!, rsnIe: RSN_IE_PSK_CCMP, groupRekeySec: opts.rekey ?? 0, eapolVersion: 2 },
    ap.host,
  );
  supp = new Supplicant({ ifname: 'ral0', addr: STA, pmk: pbkdf2Psk(staPass, ssid)!, rsnIe: RSN_IE_PSK_CCMP, ssid: 'qnxlab', eapolVersion: 1 }, sta.host);
  auth.start();
  // Association: both ends learn of it (RTM_IEEE80211_ASSOC on each node).
  supp.associated(AP);
  auth.associated(STA, RSN_IE_PSK_CCMP);
  return { world, auth, supp, ap, sta };
}

describe('4-way handshake (hostapd authenticator × wpa_supplicant supplicant)', () => {
  it('completes in four messages and both ends install the same keys, then open the port', () => {
    const { world, auth, supp, ap, sta } = pair('correct horse', 'correct horse');
    world.run(50_000_000);
    expect(supp.state).toBe('COMPLETED');
    expect(ap.sent.length).toBe(2);
    expect(sta.sent.length).toBe(2);
    const apPtk = ap.keys.find((k) => k.kind === 'pairwise')!;
    const staPtk = sta.keys.find((k) => k.kind === 'pairwise')!;
    expect(Buffer.from(apPtk.key).equals(Buffer.from(staPtk.key))).toBe(true);
    const apGtk = ap.keys.find((k) => k.kind === 'group')!;
    const staGtk = sta.keys.find((k) => k.kind === 'group')!;
    expect(staGtk.keyIndex).toBe(apGtk.keyIndex);
    expect(Buffer.from(staGtk.key).equals(Buffer.from(apGtk.key))).toBe(true);
    expect(ap.authorized.get(macStr(STA))).toBe(true);
    expect(sta.authorized.get(macStr(AP))).toBe(true);
    expect(ap.log).toContain(`ral0: STA ${macStr(STA)} WPA: pairwise key handshake completed (RSN)`);
    expect(sta.log).toContain(`ral0: WPA: Key negotiation completed with ${macStr(AP)} [PTK=CCMP GTK=CCMP]`);
    // Message timing: M1 at 0, M2 one air delay later, M3 two, M4 three.
    expect(ap.sent.map((s) => s.at)).toEqual([0, 2 * AIR_NS]);
    expect(auth.counters.completed).toBe(1);
  });

  it('a wrong passphrase: invalid MIC at the AP, M1 retried after 100 ms then 1 s, deauth after 4 tries', () => {
    const { world, supp, ap, sta } = pair('correct horse', 'wrong horse!');
    world.run(10 * SEC);
    const invalid = ap.log.filter((l) => l.endsWith('WPA: invalid MIC in msg 2/4 of 4-Way Handshake'));
    expect(invalid.length).toBe(PAIRWISE_UPDATE_COUNT);
    const m1 = ap.sent.map((s) => s.at);
    // PTKSTART sends at 0, +100 ms, then every 1 s; the fourth timeout disconnects.
    const want = [0, EAPOL_KEY_TIMEOUT_FIRST_NS];
    for (let i = 2; i < PAIRWISE_UPDATE_COUNT; i++) want.push(want[i - 1]! + EAPOL_KEY_TIMEOUT_SUBSEQ_NS);
    expect(m1).toEqual(want);
    expect(ap.deauths).toEqual([{ addr: macStr(STA), reason: 15, at: want[want.length - 1]! + EAPOL_KEY_TIMEOUT_SUBSEQ_NS }]);
    expect(ap.log).toContain(`ral0: AP-STA-POSSIBLE-PSK-MISMATCH ${macStr(STA)}`);
    expect(ap.keys.filter((k) => k.kind === 'pairwise')).toEqual([]);
    expect(ap.authorized.get(macStr(STA))).toBe(false);
    // The station learns of the deauthentication from its stack.
    supp.disassociated(15);
    expect(sta.log).toContain('ral0: WPA: 4-Way Handshake failed - pre-shared key may be incorrect');
    expect(sta.keys).toEqual([]);
  });

  it('drops a replayed message 3/4 and a forged MIC on the station side', () => {
    let m3: Uint8Array | null = null;
    const { world, supp, sta, ap } = pair('correct horse', 'correct horse');
    world.run(50_000_000);
    m3 = ap.sent[1]!.frame;
    const before = sta.sent.length;
    supp.receive(AP, m3);
    expect(sta.log).toContain('ral0: WPA: EAPOL-Key Replay Counter did not increase - dropping packet');
    const forged = m3.slice();
    forged[13] = 0x7f; // replay counter way up, MIC now wrong
    supp.receive(AP, forged);
    expect(sta.log).toContain('ral0: WPA: Invalid EAPOL-Key MIC - dropping packet');
    expect(sta.sent.length).toBe(before);
    expect(supp.counters).toMatchObject({ replays: 1, micFailures: 1 });
  });

  it('group rekey every wpa_group_rekey seconds: group 1/2 and 2/2, new GTK at the other index', () => {
    const { world, supp, ap, sta } = pair('correct horse', 'correct horse', { rekey: 600 });
    world.run(601 * SEC);
    expect(sta.log).toContain(`ral0: WPA: Group rekeying completed with ${macStr(AP)} [GTK=CCMP]`);
    expect(ap.log).toContain(`ral0: STA ${macStr(STA)} WPA: group key handshake completed (RSN)`);
    const apGroups = ap.keys.filter((k) => k.kind === 'group');
    expect(apGroups.map((k) => k.keyIndex)).toEqual([1, 2]);
    expect(supp.gtkIndex).toBe(2);
    const last = sta.keys.filter((k) => k.kind === 'group').pop()!;
    expect(Buffer.from(last.key).equals(Buffer.from(apGroups[1]!.key))).toBe(true);
    expect(supp.state).toBe('COMPLETED');
  });

  it('a station that never answers group 1/2 is deauthenticated (reason 16) after 4 tries', () => {
    let drop = false;
    const { world, ap } = pair('correct horse', 'correct horse', { rekey: 60, tamper: (f) => (drop ? null : f) });
    world.run(SEC);
    drop = true;
    world.run(70 * SEC);
    expect(ap.deauths.map((d) => d.reason)).toEqual([16]);
    expect(ap.keys.filter((k) => k.kind === 'group').map((k) => k.keyIndex)).toEqual([1, 2]);
  });

  it('the supplicant gives up after 10 s without a handshake', () => {
    const world = new World();
    const sta = side(world, 'sta', () => undefined);
    const supp = new Supplicant({ ifname: 'ral0', addr: STA, pmk: new Uint8Array(32), rsnIe: RSN_IE_PSK_CCMP, ssid: 'x', eapolVersion: 1 }, sta.host);
    supp.associated(AP);
    world.run(11 * SEC);
    expect(sta.log).toContain(`ral0: Authentication with ${macStr(AP)} timed out.`);
    expect(sta.deauths).toEqual([{ addr: macStr(AP), reason: 3, at: 10 * SEC }]);
    expect(supp.state).toBe('DISCONNECTED');
  });

  it('an association without an acceptable RSN element is refused', () => {
    const { auth, ap } = pair('correct horse', 'correct horse');
    expect(auth.associated(Uint8Array.of(2, 0, 0, 0, 0, 9), null)).toBe(false);
    expect(ap.deauths.at(-1)?.reason).toBe(13);
  });

  it('hostile EAPOL frames (truncated, wrong types, huge lengths, random bytes) are dropped without throwing', () => {
    const { world, auth, supp, ap, sta } = pair('correct horse', 'correct horse');
    world.run(50_000_000);
    const good = ap.sent[1]!.frame;
    const bad: Uint8Array[] = [new Uint8Array(0), Uint8Array.of(2), Uint8Array.of(2, 3, 0xff, 0xff), good.subarray(0, 60)];
    const g = good.slice();
    g[4] = 254; // descriptor type
    bad.push(g);
    let x = 12345;
    for (let i = 0; i < 200; i++) {
      const f = good.slice();
      for (let j = 0; j < 6; j++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        f[x % f.length] = x >>> 24;
      }
      bad.push(f);
    }
    for (const f of bad) {
      expect(() => supp.receive(AP, f)).not.toThrow();
      expect(() => auth.receive(STA, f)).not.toThrow();
    }
    world.run(100_000_000);
    expect(supp.state).toBe('COMPLETED');
    expect(sta.keys.filter((k) => k.kind === 'pairwise').length).toBe(1);
  });

  it('message 3/4 carries the GTK transmit counter as Key RSC; the station starts its group replay window there', () => {
    const world = new World();
    let supp!: Supplicant;
    let auth!: Authenticator;
    const ap = side(world, 'ap', (_d, f) => world.at(AIR_NS, () => supp.receive(AP, f)));
    const sta = side(world, 'sta', (_d, f) => world.at(AIR_NS, () => auth.receive(STA, f)));
    const pmk = pbkdf2Psk('correct horse', Buffer.from('qnxlab'))!;
    auth = new Authenticator({ ifname: 'ral0', addr: AP, pmk, rsnIe: RSN_IE_PSK_CCMP, groupRekeySec: 0, eapolVersion: 2 }, ap.host);
    supp = new Supplicant({ ifname: 'ral0', addr: STA, pmk, rsnIe: RSN_IE_PSK_CCMP, ssid: 'qnxlab', eapolVersion: 1 }, sta.host);
    auth.start();
    auth.groupTsc = 0x0102030405n;
    supp.associated(AP);
    auth.associated(STA, RSN_IE_PSK_CCMP);
    world.run(50_000_000);
    const g = sta.keys.find((k) => k.kind === 'group')!;
    expect(Array.from(g.rsc.subarray(0, 6))).toEqual([5, 4, 3, 2, 1, 0]);
  });
});
