/**
 * Link choice (stack/net/qnet/qos.ts) on its own: loadbalance's "soonest delivery" estimate with link
 * speeds and queued bytes, preferred's fallback, exclusive, and what send() refuses at once; and the
 * receiver's sequencing and reassembly (stack/net/qnet/reasm.ts) frame by frame; which sequence stream a QoS
 * spec sends on and the QoS a received message is handed up with.
 */
import { Errno } from '../../stack/kernel/api';
import { admit, arrivalQos, chooseLink, soonest, streamOf } from '../../stack/net/qnet/qos';
import { QnetRxStream } from '../../stack/net/qnet/reasm';
import { newPeerLink, type PeerState } from '../../stack/net/qnet/session';
import { QnetL4Flag, QnetLayer, QnetQosType } from '../../stack/net/wire/qnet';
import { FakeLink, mac } from './l4-rig';

/** Three links (100, 10 and 100 Mbit/s), made afresh by each test that uses them. */
function makeLinks(): FakeLink[] {
  return [new FakeLink(0, 'en0', mac(1, 0), 100_000_000), new FakeLink(1, 'en1', mac(1, 1), 10_000_000), new FakeLink(2, 'en2', mac(1, 2), 100_000_000)];
}

function peerState(links: FakeLink[], macs: (Uint8Array | null)[] = [mac(2, 0), mac(2, 1), mac(2, 2)]): PeerState {
  return { peer: { nd: 2, name: 'beta', domain: '', macs, remoteNd: 0 }, links: links.map(() => newPeerLink()), session: null, down: false };
}

describe('qos link choice', () => {
  it('loadbalance: the link whose queue empties soonest (bytes × 8 / bps), ties to the lowest index', () => {
    const links = makeLinks();
    // Nothing queued: en0 and en2 (100 Mbit/s) tie at 1500 × 8 / 1e8 = 120 µs, en1 needs 1.2 ms → en0.
    expect(soonest(links, [0, 0, 0], 1500)?.name).toBe('en0');
    // 30000 B queued on en0: (30000 + 1500) × 8 / 1e8 = 2.52 ms; en1 1.2 ms; en2 0.12 ms → en2.
    expect(soonest(links, [30000, 0, 0], 1500)?.name).toBe('en2');
    // Both fast links loaded with 20000 B: 1.72 ms each; en1 (10 Mbit/s, empty) 1.2 ms → en1.
    expect(soonest(links, [20000, 0, 20000], 1500)?.name).toBe('en1');
    expect(soonest([], [], 1)).toBeNull();
  });

  it('skips links down for the peer, unusable, or without its MAC', () => {
    const links = makeLinks();
    const ps = peerState(links, [null, mac(2, 1), mac(2, 2)]);
    ps.links[2]!.state = 'down';
    expect(chooseLink(ps, links, { type: 'loadbalance' }, [0, 0, 0], 100)?.name).toBe('en1');
    links[1]!.up = false;
    expect(chooseLink(ps, links, { type: 'loadbalance' }, [0, 0, 0], 100)).toBeNull();
    links[1]!.up = true;
  });

  it('preferred: the named link while up, else loadbalance over the rest; exclusive: only the named link', () => {
    const links = makeLinks();
    const ps = peerState(links);
    const q = [0, 0, 0];
    expect(chooseLink(ps, links, { type: 'preferred', ifname: 'en1' }, [0, 1e6, 0], 100)?.name).toBe('en1');
    ps.links[1]!.state = 'down';
    expect(chooseLink(ps, links, { type: 'preferred', ifname: 'en1' }, [5000, 0, 0], 100)?.name).toBe('en2');
    expect(chooseLink(ps, links, { type: 'exclusive', ifname: 'en1' }, q, 100)).toBeNull();
    expect(chooseLink(ps, links, { type: 'exclusive', ifname: 'en2' }, [1e9, 0, 0], 100)?.name).toBe('en2');
  });

  it('admit: EHOSTUNREACH without a MAC, EHOSTDOWN when down (the peer, or exclusive’s link)', () => {
    const links = makeLinks();
    expect(admit(peerState(links, [null, null, null]), links, { type: 'loadbalance' }, Errno)).toBe(Errno.EHOSTUNREACH);
    expect(admit(peerState(links, [null, mac(2, 1), null]), links, { type: 'exclusive', ifname: 'en0' }, Errno)).toBe(Errno.EHOSTUNREACH);
    expect(admit(peerState(links), links, { type: 'exclusive', ifname: 'wm0' }, Errno)).toBe(Errno.EHOSTUNREACH);
    const ps = peerState(links);
    ps.links[0]!.state = 'down';
    expect(admit(ps, links, { type: 'exclusive', ifname: 'en0' }, Errno)).toBe(Errno.EHOSTDOWN);
    expect(admit(ps, links, { type: 'preferred', ifname: 'en0' }, Errno)).toBe(0);
    ps.down = true;
    expect(admit(ps, links, { type: 'loadbalance' }, Errno)).toBe(Errno.EHOSTDOWN);
  });
});

describe('receive sequencing and reassembly', () => {
  const F = QnetL4Flag.FIRST;
  const L = QnetL4Flag.LAST;
  const fr = (seq: number, flags: number, offset: number, data: number[], layer: number = QnetLayer.KIF, link = 0) => ({ seq, flags, layer, offset, payload: Uint8Array.from(data), link });

  it('delivers in sequence, holds frames past a gap, drops duplicates and frames past the window', () => {
    const rx = new QnetRxStream(4);
    expect(rx.accept(fr(2, F, 0, [1, 2]))).toMatchObject({ verdict: 'new', outOfOrder: true, messages: [] });
    expect(rx.accept(fr(3, L, 2, [3]))).toMatchObject({ verdict: 'new', outOfOrder: true, messages: [] });
    expect(rx.accept(fr(2, F, 0, [1, 2])).verdict).toBe('dup');
    expect(rx.accept(fr(5, F | L, 0, [9])).verdict).toBe('window'); // 5 − next(1) = 4 ≥ window 4
    const r = rx.accept(fr(1, F | L, 0, [7]));
    expect(r.messages.map((m) => [...m.payload])).toEqual([[7], [1, 2, 3]]);
    expect(r.messages.map((m) => m.frames)).toEqual([1, 2]);
    expect(rx.next).toBe(4);
    expect(rx.accept(fr(1, F | L, 0, [7])).verdict).toBe('dup');
  });

  it('a hole filler or a FIRST before the LAST discards the partial message; a stray piece is dropped', () => {
    const rx = new QnetRxStream(64);
    rx.accept(fr(1, F, 0, [1]));
    expect(rx.accept(fr(2, 0, 1, [], QnetLayer.SEQ)).discarded).toBe(1);
    expect(rx.accept(fr(3, L, 2, [3])).messages).toEqual([]); // the rest of the discarded message
    rx.accept(fr(4, F, 0, [4]));
    const r = rx.accept(fr(5, F | L, 0, [5]));
    expect([r.discarded, r.messages.map((m) => [...m.payload])]).toEqual([1, [[5]]]);
    rx.accept(fr(6, F, 0, [6, 6]));
    expect(rx.accept(fr(7, L, 1, [7])).discarded).toBe(1); // offset 1 does not follow 2 bytes
  });

  it('a message remembers the link its FIRST frame came in on', () => {
    const rx = new QnetRxStream(64);
    rx.accept(fr(1, F, 0, [1], QnetLayer.KIF, 1));
    expect(rx.accept(fr(2, L, 1, [2], QnetLayer.KIF, 0)).messages.map((m) => [m.link, [...m.payload]])).toEqual([[1, [1, 2]]]);
  });
});

describe('QoS streams', () => {
  it('one stream per spec: loadbalance "0"; preferred / exclusive "<qos_type>:<index of the named link>"', () => {
    const links = makeLinks();
    expect(streamOf({ type: 'loadbalance' }, links)).toEqual({ key: '0', qos: { type: 'loadbalance' }, qosType: QnetQosType.LoadBalance, qosIdx: -1 });
    expect(streamOf({ type: 'preferred', ifname: 'en1' }, links)).toMatchObject({ key: `${QnetQosType.Preferred}:1`, qosType: 3, qosIdx: 1 });
    expect(streamOf({ type: 'exclusive', ifname: 'en2' }, links)).toMatchObject({ key: `${QnetQosType.Exclusive}:2`, qosType: 2, qosIdx: 2 });
    // preferred naming an interface this node does not have is loadbalance, and shares its stream.
    expect(streamOf({ type: 'preferred', ifname: 'en7' }, links).key).toBe('0');
  });

  it('a received message\'s QoS: the sender\'s policy on the interface it arrived on', () => {
    const links = makeLinks();
    expect(arrivalQos(QnetQosType.Preferred, links[1])).toEqual({ type: 'preferred', ifname: 'en1' });
    expect(arrivalQos(QnetQosType.Exclusive, links[0])).toEqual({ type: 'exclusive', ifname: 'en0' });
    expect(arrivalQos(QnetQosType.LoadBalance, links[2])).toEqual({ type: 'loadbalance' });
    // redundant (wire type 1) is not modelled: answered with loadbalance.
    expect(arrivalQos(QnetQosType.Redundant, links[2])).toEqual({ type: 'loadbalance' });
  });
});
