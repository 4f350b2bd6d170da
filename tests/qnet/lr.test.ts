import { QNET_DEFAULTS, type QnetTunables } from '../../stack/net/qnet/defaults';
import { LanResolver } from '../../stack/net/qnet/lr';
import { QnetNodes } from '../../stack/net/qnet/nodes';
import { QnetStats, type QnetEnv, type QnetLink, type QnetPeer } from '../../stack/net/qnet/types';
import type { Ifnet } from '../../stack/net/if';
import { QnetL4Packet, QnetL4Repr, QnetL4Type, QnetLayer } from '../../stack/net/wire/qnet';
import { QnetLrPacket, QnetLrRepr, QnetLrType } from '../../stack/net/wire/qnet-lr';
import { WireError } from '../../stack/net/wire/view';

const mac = (n: number) => new Uint8Array([0, 0x50, 0xc2, 0, 0, n]);
const BCAST = 'ff:ff:ff:ff:ff:ff';
const hex = (m: Uint8Array) => [...m].map((b) => b.toString(16).padStart(2, '0')).join(':');

interface Sent { link: string; dst: string; l4: QnetL4Repr; lr: QnetLrRepr }

/** One node's resolver with two links, frames captured instead of sent. */
function node(name: string, macBase: number, tun: Partial<QnetTunables> = {}) {
  const sent: Sent[] = [];
  const traces: string[] = [];
  const env: QnetEnv = {
    now: () => 0, charge: () => {}, log: () => {},
    trace: (probe, f) => traces.push(`${probe} ${JSON.stringify(f)}`),
    output: (link, dst, payload) => {
      const l4 = QnetL4Repr.parse(new QnetL4Packet(payload));
      if (l4 instanceof WireError) throw new Error(l4.reason);
      const lr = QnetLrRepr.parse(new QnetLrPacket(l4.payload));
      if (lr instanceof WireError) throw new Error(lr.reason);
      sent.push({ link: link.name, dst: hex(dst), l4, lr });
    },
  };
  const links: QnetLink[] = [0, 1].map((i) => ({
    index: i, name: `en${i}`, ifp: {} as Ifnet, mac: mac(macBase + i), usable: () => true, bps: () => 10_000_000,
  }));
  const nodes = new QnetNodes(name, 'lab');
  const stats = new QnetStats();
  const t = { ...QNET_DEFAULTS, ...tun };
  const lr = new LanResolver(env, () => links, nodes, t, stats);
  return { lr, nodes, stats, sent, traces, links };
}

/** Deliver what `from` sent on link index `i` to `to` (the same link index). */
function deliver(from: ReturnType<typeof node>, to: ReturnType<typeof node>, s: Sent): void {
  const i = Number(s.link.slice(2));
  to.lr.input(to.links[i]!, from.links[i]!.mac, s.l4);
}

describe('LanResolver', () => {
  test('advertisement: a gratuitous reply to broadcast, LwL4 type 0x0b layer LR, our QoS index', () => {
    const a = node('alpha', 1);
    for (const l of a.links) a.lr.advertiseOn(l);
    expect(a.sent.map((s) => [s.link, s.dst])).toEqual([['en0', BCAST], ['en1', BCAST]]);
    const s = a.sent[1]!;
    expect(s.l4).toMatchObject({ type: QnetL4Type.Lr, layer: QnetLayer.LR, flags: 7, srcQosIdx: 1, sconn: 0, dconn: 0, seq: 0 });
    expect(s.lr).toEqual({ type: QnetLrType.Reply, srcName: 'alpha', srcDomain: 'lab', srcMac: mac(2), dstName: '', dstDomain: '', dstMac: null });
    expect(a.stats.lr.tx_broadcasts).toBe(2);
  });

  test('auto_add: every 150 ticks by default; an advertisement adds the sender per link', () => {
    const a = node('alpha', 1);
    const b = node('beta', 3);
    for (let i = 0; i < 149; i++) a.lr.tick();
    expect(a.sent).toHaveLength(0);
    a.lr.tick();
    expect(a.sent).toHaveLength(2);
    for (const s of a.sent) deliver(a, b, s);
    const p = b.nodes.find('alpha', 'lab')!;
    expect(p.nd).toBe(1);
    expect(p.macs).toEqual([mac(1), mac(2)]);
    expect(b.stats.lr.rx_broadcasts).toBe(2);
  });

  test('auto_add=0: no advertisements, and unsolicited ones are discarded', () => {
    const a = node('alpha', 1);
    const b = node('beta', 3, { autoAdd: 0 });
    for (const l of b.links) b.lr.advertiseOn(l);
    for (let i = 0; i < 300; i++) b.lr.tick();
    expect(b.sent).toHaveLength(0);
    a.lr.advertiseOn(a.links[0]!);
    deliver(a, b, a.sent[0]!);
    expect(b.nodes.list()).toEqual([]);
    expect(b.traces.some((t) => t.startsWith('lr-ignore'))).toBe(true);
  });

  test('resolve: request on every link, the named node replies unicast, the waiter gets the peer', () => {
    const a = node('alpha', 1);
    const b = node('beta', 3, { autoAdd: 0 });
    const got: (QnetPeer | null)[] = [];
    a.lr.resolve('beta', 'lab', (p) => got.push(p));
    expect(a.sent.map((s) => [s.link, s.dst, s.lr.type, s.lr.dstName])).toEqual([['en0', BCAST, 1, 'beta'], ['en1', BCAST, 1, 'beta']]);
    expect(a.lr.outstanding()).toEqual(['beta.lab']);
    deliver(a, b, a.sent[0]!);
    // The reply goes to alpha's en0 MAC only; beta (auto_add=0) does not add alpha from the request.
    expect(b.sent.map((s) => [s.link, s.dst, s.lr.type])).toEqual([['en0', hex(mac(1)), QnetLrType.Reply]]);
    expect(b.sent[0]!.lr).toMatchObject({ srcName: 'beta', srcMac: mac(3), dstName: 'alpha', dstMac: mac(1) });
    expect(b.nodes.list()).toEqual([]);
    deliver(b, a, b.sent[0]!);
    expect(got).toHaveLength(1);
    expect(got[0]!.name).toBe('beta');
    expect(got[0]!.macs).toEqual([mac(3)]);
    expect(a.lr.outstanding()).toEqual([]);
    // Known now: the next resolve answers at once without a frame.
    const before = a.sent.length;
    a.lr.resolve('beta', 'lab', (p) => got.push(p));
    expect(got).toHaveLength(2);
    expect(a.sent).toHaveLength(before);
  });

  test('an unanswered name: conn_est_retries repeats every conn_est_timeout ticks, then null', () => {
    // conn_est_timeout=2, conn_est_retries=2: requests at tick 0, 2 and 4 (2 links each = 6 frames), failure at tick 6.
    const a = node('alpha', 1, { connEstTimeout: 2, connEstRetries: 2 });
    const got: (QnetPeer | null)[] = [];
    a.lr.resolve('nobody', 'lab', (p) => got.push(p));
    a.lr.resolve('nobody', 'lab', (p) => got.push(p));
    for (let t = 1; t <= 5; t++) a.lr.tick();
    expect(a.sent).toHaveLength(6);
    expect(got).toEqual([]);
    a.lr.tick();
    expect(got).toEqual([null, null]);
    expect(a.stats.lr.unresolved).toBe(1);
    expect(a.stats.lr.tx_requests).toBe(6);
  });

  test('bad LR bodies are counted and dropped; our own frames are ignored', () => {
    const a = node('alpha', 1);
    const b = node('beta', 3);
    a.lr.advertiseOn(a.links[0]!);
    const s = a.sent[0]!;
    const cut = { ...s.l4, payload: s.l4.payload.subarray(0, 40) };
    b.lr.input(b.links[0]!, mac(1), cut);
    expect(b.stats.l4.rx_bad).toBe(1);
    expect(b.traces.some((t) => t.includes('shorter than its 56-byte header'))).toBe(true);
    a.lr.input(a.links[0]!, mac(1), s.l4);
    expect(a.nodes.list()).toEqual([]);
  });
});
