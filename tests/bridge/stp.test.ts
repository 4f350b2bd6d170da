/**
 * Spanning tree (bridgestp.c): two bridges joined by two cables form a loop; with STP on every port they elect a
 * root, the other bridge blocks one port, and a broadcast crosses once instead of circling. Frames move between
 * the two stacks by a pump standing in for the wires (each direction in order, within the same instant).
 */
import { IFBIF_DISCOVER, IFBIF_LEARNING, IFBIF_STP } from '../../stack/include/net/if_bridgevar';
import { buildBpdu, parseBpdu } from '../../stack/net/bridge/stp-wire';
import { BCAST, BridgeRig, frame } from './harness';

const S = 1e9;
const STP = IFBIF_LEARNING | IFBIF_DISCOVER | IFBIF_STP;

class Loop {
  readonly a = new BridgeRig(3, 1).setup();
  readonly b = new BridgeRig(2, 2).setup();
  /** Wires: a.en0–b.en0 and a.en1–b.en1 (`cut` stops one). a.en2 is a host port without STP. */
  cut = new Set<number>();
  /** Frames other than BPDUs carried across. */
  delivered = 0;
  bpdus: { from: string; bridgeId: bigint; rootId: bigint; cost: number }[] = [];

  constructor() {
    for (const [r, n] of [[this.a, 2], [this.b, 2]] as const) {
      for (let i = 0; i < n; i++) expect(r.brdg('BRDGSIFFLGS', { ifbr_ifsname: `en${i}`, ifbr_ifsflags: STP })).toEqual({});
    }
    this.pump();
  }

  /** Carry queued frames across the wires until none are left (a storm would not end: capped). */
  pump(): void {
    for (let round = 0; round < 50; round++) {
      let moved = false;
      for (const [from, to] of [[this.a, this.b], [this.b, this.a]] as const) {
        for (let i = 0; i < 2; i++) {
          for (const m of from.m[i]!.ifp.snd.splice(0)) {
            moved = true;
            const bp = parseBpdu(m.data);
            if (typeof bp !== 'string' && bp.type === 'cfg') this.bpdus.push({ from: `${from === this.a ? 'a' : 'b'}.en${i}`, bridgeId: bp.cu.bridgeId, rootId: bp.cu.rootId, cost: bp.cu.rootPathCost });
            if (this.cut.has(i)) continue;
            if (typeof bp === 'string') this.delivered++;
            to.rx(i, m.data.slice(), m.pktId);
          }
        }
        from.m[2]?.ifp.snd.splice(0);
      }
      if (!moved) return;
      this.a.stackPass();
      this.b.stackPass();
    }
    throw new Error('frames still circulating after 50 rounds');
  }

  /** Advance both bridges' clocks second by second, pumping after each tick. */
  run(seconds: number): void {
    for (let i = 0; i < seconds; i++) {
      this.a.advance(S);
      this.b.advance(S);
      this.pump();
    }
  }

  states(r: BridgeRig): string[] {
    return r.sc.members.filter((x) => x.flags & IFBIF_STP).map((x) => `${x.ifp.name}:${['disabled', 'listening', 'learning', 'forwarding', 'blocking'][x.state]}`);
  }
}

describe('spanning tree', () => {
  test('two bridges in a loop converge: the lower id is root, the other blocks its second port after 2 × fwddelay', () => {
    const l = new Loop();
    const ia = l.a.br.stp.info(l.a.sc);
    const ib = l.b.br.stp.info(l.b.sc);
    // Bridge id = priority 0x8000 << 48 | the lowest STP port MAC: a = 00:50:c2:00:01:00, b = 00:50:c2:00:02:00.
    expect(ia.id).toBe(0x8000n << 48n | 0x0050c2000100n);
    expect(ib.id).toBe(0x8000n << 48n | 0x0050c2000200n);
    expect(ib.root).toBe(ia.id);
    // b's root port: both ports cost 0 + 55 to the root via the same bridge; a's port id on the first cable is
    // 0x8002 (priority 128, if_index 2) < 0x8003: b.en0 is the root port, b.en1 is neither root nor designated.
    expect(ib.rootPort).toBe('en0');
    expect(ib.cost).toBe(55);
    expect(l.states(l.a)).toEqual(['en0:listening', 'en1:listening']);
    expect(l.states(l.b)).toEqual(['en0:listening', 'en1:blocking']);
    l.run(15); // forward delay 15 s: listening → learning
    expect(l.states(l.a)).toEqual(['en0:learning', 'en1:learning']);
    l.run(15); // another 15 s: learning → forwarding
    expect(l.states(l.a)).toEqual(['en0:forwarding', 'en1:forwarding']);
    expect(l.states(l.b)).toEqual(['en0:forwarding', 'en1:blocking']);
    // Each bridge first believed itself root and sent on both ports; now only designated ports send configuration
    // BPDUs, every hello time (2 s): a's two, none from b.
    l.bpdus.length = 0;
    l.run(4);
    expect(l.bpdus.map((x) => x.from).sort()).toEqual(['a.en0', 'a.en0', 'a.en1', 'a.en1']);
    // brconfig shows the path cost and state of STP ports.
    const gifs = l.b.brdg('BRDGGIFS', { ifbic_len: 8192 }) as { data: { ifbic_req: { ifbr_ifsname: string; ifbr_state: number; ifbr_path_cost: number }[] } };
    expect(gifs.data.ifbic_req.map((q) => [q.ifbr_ifsname, q.ifbr_state, q.ifbr_path_cost])).toEqual([['en0', 3, 55], ['en1', 4, 55]]);
  });

  test('a broadcast from a host crosses the loop once; listening ports send floods but do not forward what they receive', () => {
    const l = new Loop();
    l.a.rx(2, frame(BCAST, '00:50:c2:00:00:0a'));
    l.pump();
    // bridge_broadcast skips only blocking and disabled ports: a floods it on both cables while they listen, but b's
    // listening ports do not forward what they receive (it goes up b's stack only).
    expect(l.delivered).toBe(2);
    expect(l.b.sc.stats.flooded + l.b.sc.stats.forwarded).toBe(0);
    l.run(30);
    const before = l.delivered;
    const bpdusBefore = l.bpdus.length;
    l.a.rx(2, frame(BCAST, '00:50:c2:00:00:0b'));
    l.pump();
    // a sends it out en0 and en1 (2); b forwards the en0 copy nowhere else (en1 blocks) and drops the en1 copy.
    expect(l.delivered - before).toBe(2);
    // b floods the en0 copy to no port (en1 blocks) and keeps the en1 copy off the bridge: no loop.
    expect(l.b.bridgeTraces('flood').at(-1)).toEqual(expect.objectContaining({ if: 'en0', to: '' }));
    void bpdusBefore;
  });

  test('when the root port\'s cable fails, the blocked port takes over after max age + 2 × fwddelay', () => {
    const l = new Loop();
    l.run(31);
    l.cut.add(0);
    l.run(17);
    expect(l.states(l.b)).toEqual(['en0:forwarding', 'en1:blocking']);
    // Max age 20 s after the last BPDU on b.en0 (a hello, at most 2 s before the cut) its information ages out:
    // b.en1 becomes the root port, b.en0 designated for the cut segment.
    l.run(4);
    expect(l.b.br.stp.info(l.b.sc).rootPort).toBe('en1');
    // b.en0 goes from root port to designated port for the dead segment and keeps forwarding.
    expect(l.states(l.b)).toEqual(['en0:forwarding', 'en1:listening']);
    l.run(30);
    expect(l.states(l.b)).toEqual(['en0:forwarding', 'en1:forwarding']);
  });

  test('bridgestp.c writes the root id into the bridge id field of every configuration BPDU', () => {
    const l = new Loop();
    for (const x of l.bpdus) expect(x.bridgeId).toBe(x.rootId);
  });
});

describe('BPDU wire format (bstp_cbpdu / bstp_tbpdu)', () => {
  const cu = {
    rootId: 0x8000_0050c2000100n, rootPathCost: 55, bridgeId: 0x8000_0050c2000200n, portId: 0x8003, messageAge: 256,
    maxAge: 20 * 256, helloTime: 2 * 256, forwardDelay: 15 * 256, topologyChange: true, topologyChangeAck: false,
  };
  test('a configuration BPDU: 802.3 length 38, LLC 42 42 03, fields big-endian at their offsets; parse gives it back', () => {
    const f = buildBpdu(new Uint8Array([0, 0x50, 0xc2, 0, 2, 0]), { type: 'cfg', cu });
    expect(f.length).toBe(14 + 38);
    expect(Buffer.from(f).toString('hex')).toBe(
      '0180c2000000' + '0050c2000200' + '0026' + '424203' + '0000' + '00' + '00' + '01' +
      '80000050c2000100' + '00000037' + '80000050c2000200' + '8003' + '0100' + '1400' + '0200' + '0f00');
    expect(parseBpdu(f)).toEqual({ type: 'cfg', cu });
    const tcn = buildBpdu(new Uint8Array(6), { type: 'tcn' });
    expect(Buffer.from(tcn.subarray(12)).toString('hex')).toBe('0007' + '424203' + '0000' + '00' + '80');
    expect(parseBpdu(tcn)).toEqual({ type: 'tcn' });
  });

  test('hostile BPDUs are refused with a reason (bstp_input frees them)', () => {
    const f = buildBpdu(new Uint8Array(6), { type: 'cfg', cu });
    const bad = (patch: (b: Uint8Array) => void, n = f.length) => {
      const b = f.slice(0, n);
      patch(b);
      return parseBpdu(b);
    };
    expect(bad(() => undefined, 20)).toBe('runt BPDU');
    expect(bad((b) => { b[13] = 5; })).toBe('802.3 length 5 shorter than a BPDU');
    expect(bad((b) => { b[14] = 0xaa; })).toBe('not an 802.1D LLC frame');
    expect(bad((b) => { b[18] = 1; })).toBe('BPDU protocol identifier not 0');
    expect(bad((b) => { b[19] = 2; })).toBe('BPDU protocol version 2 not 0');
    expect(bad((b) => { b[20] = 0x02; })).toBe('unknown BPDU type 0x2');
    expect(bad(() => undefined, 40)).toBe('short configuration BPDU');
    // On a member running STP such a frame is dropped and traced, never forwarded.
    const r = new BridgeRig(2).setup();
    r.brdg('BRDGSIFFLGS', { ifbr_ifsname: 'en0', ifbr_ifsflags: STP });
    r.sent();
    r.env.traces.length = 0;
    expect(r.rx(0, f.slice(0, 40)).consumed).toBe(true);
    expect(r.sent().map((q) => q.length)).toEqual([0, 0]);
    expect(r.bridgeTraces('drop')).toEqual([expect.objectContaining({ if: 'en0', reason: 'short configuration BPDU' })]);
  });
});
