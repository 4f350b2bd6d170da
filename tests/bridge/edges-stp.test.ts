/**
 * Edges of the bridge's spanning tree (bridgestp.c, 802.1D-1998 clause 8): one bridge whose STP ports hear a
 * better root, played by hand-made configuration BPDUs; the test reads what the bridge sends back (BPDUs on the
 * members' send queues), what brconfig shows (BRDGGIFS port states) and the drop traces.
 */
import { IFF_UP } from '../../stack/net/if';
import { IFBIF_DISCOVER, IFBIF_LEARNING, IFBIF_STP } from '../../stack/include/net/if_bridgevar';
import { buildBpdu, parseBpdu, type BstpConfigUnit } from '../../stack/net/bridge/stp-wire';
import { BridgeRig } from './harness';

const S = 1e9;
const STP = IFBIF_LEARNING | IFBIF_DISCOVER | IFBIF_STP;
/** Our bridge: priority 0x8000, lowest STP port MAC 00:50:c2:00:01:00. */
const OWN_ID = 0x8000_0050c2000100n;
/** A better root (priority 0x1000) on the far side of en0. */
const ROOT_ID = 0x1000_0050c2000900n;
const ROOT_MAC = new Uint8Array([0x00, 0x50, 0xc2, 0x00, 0x09, 0x00]);

/** The root's configuration BPDU (bridgestp.c puts the root id in the bridge id field too). */
function rootBpdu(over: Partial<BstpConfigUnit> = {}): Uint8Array {
  return buildBpdu(ROOT_MAC, {
    type: 'cfg',
    cu: {
      rootId: ROOT_ID, rootPathCost: 0, bridgeId: ROOT_ID, portId: 0x8001, messageAge: 0, maxAge: 20 * 256, helloTime: 2 * 256,
      forwardDelay: 15 * 256, topologyChange: false, topologyChangeAck: false, ...over,
    },
  });
}

/** A bridge up with STP on the members named. */
function stpBridge(ports: number[]): BridgeRig {
  const r = new BridgeRig(2).setup();
  for (const i of ports) expect(r.brdg('BRDGSIFFLGS', { ifbr_ifsname: `en${i}`, ifbr_ifsflags: STP })).toEqual({});
  // bstp_initialization believed itself root and sent a configuration BPDU on its ports: not part of what follows.
  r.sent();
  return r;
}

/** BPDUs each member sent since the last call, parsed. */
function bpdus(r: BridgeRig) {
  return r.sent().map((q) => q.map((f) => parseBpdu(f)).filter((b) => typeof b !== 'string'));
}

/** brconfig's port states: BRDGGIFS ifbr_state per member (0 disabled, 1 listening, 2 learning, 3 forwarding, 4 blocking). */
function states(r: BridgeRig): Record<string, number> {
  const g = r.brdg('BRDGGIFS', { ifbic_len: 8192 }) as { data: { ifbic_req: { ifbr_ifsname: string; ifbr_state: number }[] } };
  return Object.fromEntries(g.data.ifbic_req.map((q) => [q.ifbr_ifsname, q.ifbr_state]));
}

/**
 * Run `seconds` seconds, the root's hello BPDU arriving on en0 at each even second (hello time 2 s), and
 * return per second the BPDU types each member sent in it.
 */
function runWithRoot(r: BridgeRig, seconds: number, from = 0): string[][][] {
  const log: string[][][] = [];
  for (let s = from; s < from + seconds; s++) {
    if (s % 2 === 0) r.rx(0, rootBpdu());
    r.advance(S);
    log.push(bpdus(r).map((q) => q.map((b) => (b.type === 'cfg' ? `cfg root=${b.cu.rootId === OWN_ID ? 'own' : 'other'}${b.cu.topologyChange ? ' tc' : ''}` : 'tcn'))));
  }
  return log;
}

describe('spanning tree edges', () => {
  test('a non-root bridge notifies the root with a TCN every hello time until the root acknowledges it', () => {
    const r = stpBridge([0, 1]);
    const log = runWithRoot(r, 30);
    // en0 is the root port, en1 designated for its segment: both listen 15 s, learn 15 s, and forward from second 30.
    expect(states(r)).toEqual({ en0: 3, en1: 3 });
    // Going to forwarding on a bridge designated for some port is a topology change (bstp_forward_delay_timer_expiry
    // → bstp_topology_change_detection): not being root, it sends a TCN out its root port (802.1D 8.6.14).
    const tcnSeconds = (l: string[][][]) => l.flatMap((sec, i) => (sec[0]!.includes('tcn') ? [i] : []));
    expect(tcnSeconds(log)).toEqual([29]);
    // No acknowledgement: the TCN timer (limit hello time, 2 s) sends it again (bstp_tcn_timer_expiry).
    const more = runWithRoot(r, 6, 30);
    expect(tcnSeconds(more)).toEqual([1, 3, 5]);
    // The root's BPDU with the TCA flag stops it (bstp_received_config_bpdu: topology_change_acknowledge).
    r.rx(0, rootBpdu({ topologyChangeAck: true, topologyChange: true }));
    expect(tcnSeconds(runWithRoot(r, 6, 36))).toEqual([]);
  });

  test('a bridge designated for no port (a leaf: its only STP port is the root port) reports no topology change', () => {
    const r = stpBridge([0]);
    const log = runWithRoot(r, 40);
    expect(states(r).en0).toBe(3);
    // bstp_forward_delay_timer_expiry: `if (bstp_designated_for_some_port(sc) && bif->bif_change_detection_enabled)`.
    expect(log.flat(2).filter((x) => x === 'tcn')).toEqual([]);
    // Nor does it send configuration BPDUs: its one port is not designated.
    expect(log.flat(2)).toEqual([]);
  });

  test('the root port lost to a link failure: the bridge becomes root, announces a topology change at once and says hello', () => {
    const r = stpBridge([0, 1]);
    const before = runWithRoot(r, 4);
    // While the root is heard, en1 relays the root's information.
    expect(before.flatMap((sec) => sec[1]!)).toContain('cfg root=other');
    expect(before.flatMap((sec) => sec[1]!).filter((x) => x !== 'cfg root=other')).toEqual([]);
    // en0 loses its link; bstp_tick's bstp_ifupdstatus disables it (bstp_disable_port): no root port is left,
    // the bridge is root again (8.8.4 / bstp_disable_port: `if (bstp_root_bridge(sc) && !root)` → become root:
    // topology change detection, config BPDUs on designated ports now, hello timer started).
    r.m[0]!.ifp.media.linkUp = false;
    r.advance(S);
    expect(states(r)).toEqual({ en0: 0, en1: 1 });
    expect(bpdus(r)[1]).toEqual([expect.objectContaining({ type: 'cfg', cu: expect.objectContaining({ rootId: OWN_ID, topologyChange: true }) })]);
    // Then every hello time (2 s).
    r.advance(2 * S);
    expect(bpdus(r)[1]).toEqual([expect.objectContaining({ type: 'cfg', cu: expect.objectContaining({ rootId: OWN_ID }) })]);
  });

  test('ifconfig bridge0 down stops the spanning-tree tick: the ports stay disabled', () => {
    const r = stpBridge([0, 1]);
    r.advance(3 * S);
    expect(states(r)).toEqual({ en0: 1, en1: 1 });
    r.ioctl('SIOCSIFFLAGS', { flags: 0 });
    expect(states(r)).toEqual({ en0: 0, en1: 0 });
    r.sent();
    r.env.traces.length = 0;
    // bstp_stop: callout_stop(&sc->sc_bstpcallout). No bstp_tick runs later to re-enable the (up, linked) ports.
    r.advance(5 * S);
    expect(states(r)).toEqual({ en0: 0, en1: 0 });
    expect(r.bridgeTraces('stp')).toEqual([]);
    expect(r.sent().map((q) => q.length)).toEqual([0, 0]);
    // Up again: one tick a second, as before (listening → learning after 15 s, not sooner).
    r.ioctl('SIOCSIFFLAGS', { flags: IFF_UP });
    r.advance(14 * S);
    expect(states(r)).toEqual({ en0: 1, en1: 1 });
    r.advance(S);
    expect(states(r)).toEqual({ en0: 2, en1: 2 });
  });

  test('two ports hearing the same designated port: the one with the lower port id is the root port', () => {
    const r = stpBridge([0, 1]);
    // ifpriority en1 16: port id 0x10xx < en0's 0x80xx (priority << 8 | if_index).
    expect(r.brdg('BRDGSIFPRIO', { ifbr_ifsname: 'en1', ifbr_priority: 16 })).toEqual({});
    // Both ports on one hub with the root's port 0x8001: the same BPDU arrives on each.
    r.rx(0, rootBpdu());
    r.rx(1, rootBpdu());
    // 802.1D 8.6.8.3.1 / bstp_root_selection: equal root, cost, designated bridge and port → lower own port id wins.
    // en0 is then neither root port nor designated (the root's port is better for that segment): blocking.
    expect(states(r)).toEqual({ en0: 4, en1: 1 });
  });

  test('a configuration BPDU whose 802.3 length only covers a TCN is dropped, even when padding follows', () => {
    const r = stpBridge([0]);
    r.sent();
    r.env.traces.length = 0;
    // A 60-byte frame (minimum Ethernet, padded) with length field 7 (LLC 3 + TCN 4) but type 0x00 (configuration).
    const f = new Uint8Array(60);
    f.set(rootBpdu().subarray(0, 52));
    f[12] = 0;
    f[13] = 7;
    // bstp_input trims the mbuf to the 802.3 length (m_adj), then the m_pullup of a configuration BPDU fails.
    expect(r.rx(0, f).consumed).toBe(true);
    expect(r.bridgeTraces('drop')).toEqual([expect.objectContaining({ if: 'en0', reason: 'short configuration BPDU' })]);
    // The bridge did not adopt the root it names.
    expect(r.br.stp.info(r.sc).root).toBe(OWN_ID);
  });
});
