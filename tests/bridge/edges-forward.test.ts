/**
 * Edges of if_bridge's data path and brconfig ioctls (if_bridge.c, NetBSD 1.46 as QNX's hc stacks carry it):
 * the bridge ifnet's error and multicast counters, bridge_output on spanning-tree ports and its copies, the
 * learning request's copy of the source address, BRDGRTS with no room, and BRDGSIFFLGS on a bridge that is down.
 */
import { IFF_UP } from '../../stack/net/if';
import type { Mbuf } from '../../stack/net/mbuf';
import { IFBIF_DISCOVER, IFBIF_LEARNING, IFBIF_STP } from '../../stack/include/net/if_bridgevar';
import { BridgeCost } from '../../stack/net/bridge/costs';
import { parseMac } from '../../stack/net/wire/addr';
import { BCAST, BridgeRig, MAC, frame } from './harness';

const STP = IFBIF_LEARNING | IFBIF_DISCOVER | IFBIF_STP;
const BPDU_DST = '01:80:c2:00:00:00';
const isBpdu = (f: Uint8Array) => Buffer.from(f.subarray(0, 6)).equals(Buffer.from(parseMac(BPDU_DST)!));

describe('bridge data path edges', () => {
  test('a member whose if_snd is full: bridge_enqueue counts an output error on the bridge, not a packet', () => {
    const r = new BridgeRig(2).setup();
    const en1 = r.m[1]!.ifp;
    // The driver has not drained en1's send queue: IFQ_ENQUEUE fails with ENOBUFS.
    for (let i = 0; i < en1.sndMax; i++) en1.snd.push({ data: new Uint8Array(60), pktId: 100 + i } as Mbuf);
    expect(r.rx(0, frame(MAC.b, MAC.a)).consumed).toBe(true);
    // if_bridge.c bridge_enqueue: `if (error) { sc->sc_if.if_oerrors++; return; }` — netstat -i on bridge0 shows it.
    expect(r.sc.ifp.data.oerrors).toBe(1);
    expect(r.sc.ifp.data.opackets).toBe(0);
    expect(r.bridgeTraces('flood')).toEqual([expect.objectContaining({ if: 'en0', to: '' })]);
    expect(r.env.traces.filter((t) => t.layer === 'ifnet' && t.probe === 'drop')).toEqual([
      expect.objectContaining({ f: expect.objectContaining({ if: 'en1', reason: 'if_snd full' }) }),
    ]);
  });

  test('flooded multicast counts in the bridge\'s if_omcasts once per copy sent; broadcast does not', () => {
    const r = new BridgeRig(3).setup();
    // An IPv4 multicast group MAC (01:00:5e:…): group but not broadcast, so ether_input marks it M_MCAST.
    expect(r.rx(0, frame('01:00:5e:00:00:fb', MAC.a)).consumed).toBe(false);
    expect(r.sent().map((q) => q.length)).toEqual([0, 1, 1]);
    // bridge_enqueue: `if (mflags & M_MCAST) sc->sc_if.if_omcasts++;` for each member it queued on.
    expect(r.sc.ifp.data.omcasts).toBe(2);
    expect(r.sc.ifp.data.opackets).toBe(2);
    r.rx(0, frame(BCAST, MAC.a));
    expect(r.sent().map((q) => q.length)).toEqual([0, 1, 1]);
    // M_BCAST is not M_MCAST: the broadcast adds packets, not multicasts.
    expect(r.sc.ifp.data.omcasts).toBe(2);
    expect(r.sc.ifp.data.opackets).toBe(4);
  });

  test('bridge_output skips STP ports that are not forwarding, except the interface the stack chose', () => {
    const r = new BridgeRig(3).setup();
    // en0 runs STP; alone, the bridge is root and en0 designated: listening for a forward delay (15 s).
    expect(r.brdg('BRDGSIFFLGS', { ifbr_ifsname: 'en0', ifbr_ifsflags: STP })).toEqual({});
    const gifs = r.brdg('BRDGGIFS', { ifbic_len: 8192 }) as { data: { ifbic_req: { ifbr_ifsname: string; ifbr_state: number }[] } };
    expect(gifs.data.ifbic_req.find((q) => q.ifbr_ifsname === 'en0')!.ifbr_state).toBe(1);
    r.sent();
    // if_bridge.c bridge_output: `if (dst_if != ifp && (bif->bif_flags & IFBIF_STP) != 0)` — blocking, listening
    // and disabled ports are skipped.
    r.s.ether.transmit(r.m[1]!.ifp, { data: frame(BCAST, MAC.en1, 0x0806), pktId: 5 });
    expect(r.sent().map((q) => q.filter((f) => !isBpdu(f)).length)).toEqual([0, 1, 1]);
    expect(r.bridgeTraces('output').at(-1)).toEqual(expect.objectContaining({ if: 'en1', to: 'en1,en2' }));
    // The stack's own choice goes out even while listening.
    r.s.ether.transmit(r.m[0]!.ifp, { data: frame(BCAST, MAC.en0, 0x0806), pktId: 6 });
    expect(r.sent().map((q) => q.filter((f) => !isBpdu(f)).length)).toEqual([1, 1, 1]);
  });

  test('bridge_output charges an m_copym for every member but the last one', () => {
    const r = new BridgeRig(3).setup();
    const before = r.env.charged;
    r.s.ether.transmit(r.m[0]!.ifp, { data: frame(BCAST, MAC.en0, 0x0806), pktId: 5 });
    expect(r.sent().map((q) => q.length)).toEqual([1, 1, 1]);
    // Group destination: no rtlookup; m_copym 150 for en0 and en1 (the list is en0, en1, en2; en2 takes the
    // original) + bridge_enqueue 300 × 3 = 1200 ns.
    expect(r.env.charged - before).toBe(2 * BridgeCost.copym + 3 * BridgeCost.enqueue);
    expect(r.env.charged - before).toBe(300 + 900);
  });

  test('a learning request keeps its own copy of the source address until the stack pass', () => {
    const r = new BridgeRig(2).setup();
    const f = frame(MAC.b, MAC.a);
    expect(r.rx(0, f).consumed).toBe(true);
    expect(r.br.pendingLearn).toBe(1);
    // The frame is gone (sent out en1, freed) and its buffer reused before bridgeintrq is serviced: the request
    // on bridgeintrq must carry the address itself (struct rtupdate_args holds the 6 bytes), not a pointer.
    f.set(parseMac(MAC.c)!, 6);
    r.stackPass();
    expect(r.cache()).toEqual(['00:50:c2:00:00:0a en0 1200 0']);
    expect(r.bridgeTraces('learn')).toEqual([expect.objectContaining({ if: 'en0', mac: '00:50:c2:00:00:0a' })]);
  });
});

describe('brconfig ioctl edges', () => {
  test('BRDGRTS with ifbac_len 0 copies back 0 entries and length 0 (unlike BRDGGIFS, no size is reported)', () => {
    const r = new BridgeRig(2).setup();
    r.rx(0, frame(BCAST, MAC.a));
    r.stackPass();
    expect(r.cache()).toHaveLength(1);
    // if_bridge.c bridge_ioctl_rts: `if (bac->ifbac_len == 0) return (0);` and the struct is copied out as is.
    expect(r.brdg('BRDGRTS', { ifbac_len: 0 })).toEqual({ data: { ifbac_len: 0, ifbac_req: [] } });
    // bridge_ioctl_gifs with 0 answers the size it needs (one ifbreq per member).
    const g = r.brdg('BRDGGIFS', { ifbic_len: 0 }) as { data: { ifbic_len: number; ifbic_req: unknown[] } };
    expect(g.data.ifbic_len).toBeGreaterThan(0);
    expect(g.data.ifbic_req).toEqual([]);
  });

  test('BRDGSIFFLGS stp on a bridge that is down starts no spanning tree until it comes up', () => {
    const r = new BridgeRig(2);
    expect(r.br.cloneCreate('bridge0')).toBe(0);
    r.sc = r.br.list[0]!;
    r.brdg('BRDGADD', { ifbr_ifsname: 'en1' });
    r.brdg('BRDGADD', { ifbr_ifsname: 'en0' });
    // bridge_ioctl_sifflags: `if (sc->sc_if.if_flags & IFF_RUNNING) bstp_initialization(sc);`
    expect(r.brdg('BRDGSIFFLGS', { ifbr_ifsname: 'en0', ifbr_ifsflags: STP })).toEqual({});
    r.advance(5e9);
    expect(r.sent().map((q) => q.length)).toEqual([0, 0]);
    const state = () => (r.brdg('BRDGGIFS', { ifbic_len: 8192 }) as { data: { ifbic_req: { ifbr_ifsname: string; ifbr_state: number }[] } })
      .data.ifbic_req.find((q) => q.ifbr_ifsname === 'en0')!.ifbr_state;
    expect(state()).toBe(0); // disabled
    expect(r.bridgeTraces('stp')).toEqual([]);
    // ifconfig bridge0 up: bridge_init → bstp_initialization: en0 listens and sends a configuration BPDU.
    r.ioctl('SIOCSIFFLAGS', { flags: IFF_UP });
    expect(state()).toBe(1);
    r.advance(1e9);
    expect(r.sent()[0]!.filter(isBpdu)).toHaveLength(1);
  });
});
