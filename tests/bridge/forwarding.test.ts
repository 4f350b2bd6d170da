/** if_bridge's data path on a bare NetStack: learning, flooding, filtering, broadcasts to the host, CPU charged. */
import { IFF_UP } from '../../stack/net/if';
import { IFBIF_DISCOVER, IFBIF_LEARNING } from '../../stack/include/net/if_bridgevar';
import { BridgeCost } from '../../stack/net/bridge/costs';
import { BCAST, BridgeRig, MAC, frame } from './harness';
import { ip } from '../net-stack/harness';

describe('bridge_input / bridge_forward', () => {
  test('unknown unicast floods to every other member; learning waits for the stack context (bridgeintrq)', () => {
    const r = new BridgeRig(3).setup();
    const before = r.env.charged;
    const x = r.rx(0, frame(MAC.b, MAC.a));
    expect(x.consumed).toBe(true);
    const sent = r.sent();
    expect(sent.map((q) => q.length)).toEqual([0, 1, 1]);
    expect(r.bridgeTraces('flood')).toEqual([expect.objectContaining({ if: 'en0', to: 'en1,en2', bridge: 'bridge0', thread: 'stack', stk: true })]);
    // bridge_input 350 + bridge_rtupdate_self (lookup 120 + queueing 180) + bridge_rtlookup 120
    // + bridge_broadcast: m_copym 150 for en1 (not last) + bridge_enqueue 300 × 2 = 1520 ns.
    expect(r.env.charged - before).toBe(BridgeCost.input + BridgeCost.rtupdateQueue + BridgeCost.rtlookup + BridgeCost.copym + 2 * BridgeCost.enqueue);
    expect(r.env.charged - before).toBe(350 + 300 + 120 + 150 + 600);
    // The receiving thread only queued the request: the cache is empty until a stack pass runs bridge_rtupdate.
    expect(r.br.pendingLearn).toBe(1);
    expect(r.cache()).toEqual([]);
    r.stackPass();
    expect(r.cache()).toEqual(['00:50:c2:00:00:0a en0 1200 0']);
    expect(r.bridgeTraces('learn')).toEqual([expect.objectContaining({ if: 'en0', mac: '00:50:c2:00:00:0a' })]);
    // The answer goes to en0 only, and b is learned on en1; the newest entry is listed first.
    expect(r.rx(1, frame(MAC.a, MAC.b)).consumed).toBe(true);
    expect(r.sent().map((q) => q.length)).toEqual([1, 0, 0]);
    expect(r.bridgeTraces('forward')).toEqual([expect.objectContaining({ if: 'en1', to: 'en0' })]);
    r.stackPass();
    expect(r.cache()).toEqual(['00:50:c2:00:00:0b en1 1200 0', '00:50:c2:00:00:0a en0 1200 0']);
    // Counters: the bridge's if_data (bridge_forward/bridge_enqueue), the members' bytes as ether_input counts them.
    expect(r.sc.ifp.data.ipackets).toBe(2);
    expect(r.sc.ifp.data.opackets).toBe(3);
    expect(r.m[0]!.ifp.data.ibytes).toBe(60);
    expect(r.m[0]!.ifp.data.obytes).toBe(60);
  });

  test('a frame for a station on the arrival port is not sent back out', () => {
    const r = new BridgeRig(2).setup();
    r.rx(0, frame(BCAST, MAC.a));
    r.rx(0, frame(BCAST, MAC.c));
    r.stackPass();
    r.sent();
    r.env.traces.length = 0;
    expect(r.rx(0, frame(MAC.c, MAC.a)).consumed).toBe(true);
    expect(r.sent().map((q) => q.length)).toEqual([0, 0]);
    expect(r.bridgeTraces('drop')).toEqual([expect.objectContaining({ if: 'en0', reason: 'destination is on the arrival port' })]);
    expect(r.sc.stats.dropped).toBe(1);
  });

  test('broadcast: flooded and up the stack, entering on the member with an IPv4 address (QNX)', () => {
    const r = new BridgeRig(3).setup();
    let x = r.rx(0, frame(BCAST, MAC.a, 0x0806));
    expect(x.consumed).toBe(false);
    expect(x.m.rcvif).toBe(r.m[0]!.ifp);
    expect(r.sent().map((q) => q.length)).toEqual([0, 1, 1]);
    r.s.addAddress(r.m[1]!.ifp, ip('10.0.0.9'), 0xffffff00);
    x = r.rx(2, frame(BCAST, MAC.c, 0x0806));
    expect(x.consumed).toBe(false);
    expect(x.m.rcvif).toBe(r.m[1]!.ifp);
    expect(r.sent().map((q) => q.length)).toEqual([1, 1, 0]);
    r.stackPass();
    expect(r.cache()).toEqual(['00:50:c2:00:00:0c en2 1200 0', '00:50:c2:00:00:0a en0 1200 0']);
    expect(r.sc.ifp.data.imcasts).toBe(2);
  });

  test('unicast to a member address goes up on that member; our own frame coming back is dropped', () => {
    const r = new BridgeRig(2).setup();
    const x = r.rx(0, frame(MAC.en1, MAC.a));
    expect(x.consumed).toBe(false);
    expect(x.m.rcvif).toBe(r.m[1]!.ifp);
    r.stackPass();
    expect(r.cache()).toEqual(['00:50:c2:00:00:0a en0 1200 0']);
    expect(r.rx(1, frame(MAC.b, MAC.en0)).consumed).toBe(true);
    expect(r.sent().map((q) => q.length)).toEqual([0, 0]);
    expect(r.bridgeTraces('drop')).toEqual([expect.objectContaining({ reason: "echo of our own frame (source is en0's address)" })]);
  });

  test('-discover keeps unknown unicast off a port (broadcasts still go); -learn stops learning', () => {
    const r = new BridgeRig(3).setup();
    expect(r.brdg('BRDGSIFFLGS', { ifbr_ifsname: 'en2', ifbr_ifsflags: IFBIF_LEARNING })).toEqual({});
    r.rx(0, frame(MAC.b, MAC.a));
    expect(r.sent().map((q) => q.length)).toEqual([0, 1, 0]);
    r.rx(0, frame(BCAST, MAC.a));
    expect(r.sent().map((q) => q.length)).toEqual([0, 1, 1]);
    r.stackPass();
    expect(r.brdg('BRDGSIFFLGS', { ifbr_ifsname: 'en1', ifbr_ifsflags: IFBIF_DISCOVER })).toEqual({});
    r.rx(1, frame(MAC.a, MAC.b));
    expect(r.br.pendingLearn).toBe(0);
    r.stackPass();
    expect(r.cache()).toEqual(['00:50:c2:00:00:0a en0 1200 0']);
  });

  test('non-members, a down member and a bridge that is not running leave frames to the stack', () => {
    const r = new BridgeRig(3);
    expect(r.br.cloneCreate('bridge0')).toBe(0);
    r.sc = r.br.list[0]!;
    r.brdg('BRDGADD', { ifbr_ifsname: 'en0' });
    r.brdg('BRDGADD', { ifbr_ifsname: 'en1' });
    expect(r.rx(0, frame(MAC.b, MAC.a)).consumed).toBe(false); // bridge not up
    r.ioctl('SIOCSIFFLAGS', { flags: IFF_UP });
    expect(r.rx(2, frame(MAC.b, MAC.a)).consumed).toBe(false); // en2 is no member
    r.m[0]!.ifp.flags &= ~IFF_UP;
    expect(r.rx(0, frame(MAC.b, MAC.a)).consumed).toBe(false); // ether_input drops it
    expect(r.rx(1, frame(MAC.b, MAC.a).subarray(0, 10)).consumed).toBe(false); // runt
    expect(r.sent().map((q) => q.length)).toEqual([0, 0, 0]);
  });

  test('bridge_output: the host sends through the bridge (group and unknown: every member; known: its port)', () => {
    const r = new BridgeRig(2).setup();
    r.s.ether.transmit(r.m[0]!.ifp, { data: frame(BCAST, MAC.en0, 0x0806), pktId: 7 });
    expect(r.sent().map((q) => q.length)).toEqual([1, 1]);
    r.rx(1, frame(BCAST, MAC.b));
    r.stackPass();
    r.sent();
    r.s.ether.transmit(r.m[0]!.ifp, { data: frame(MAC.b, MAC.en0), pktId: 8 });
    expect(r.sent().map((q) => q.length)).toEqual([0, 1]);
    r.s.ether.transmit(r.m[1]!.ifp, { data: frame(MAC.d, MAC.en1), pktId: 9 });
    expect(r.sent().map((q) => q.length)).toEqual([1, 1]);
    // Bridge down: out the interface the stack chose, as it is.
    r.ioctl('SIOCSIFFLAGS', { flags: 0 });
    r.s.ether.transmit(r.m[0]!.ifp, { data: frame(MAC.b, MAC.en0), pktId: 10 });
    expect(r.sent().map((q) => q.length)).toEqual([1, 0]);
  });
});
