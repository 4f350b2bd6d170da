/**
 * Send BD chains and what the user sees of the send path: a chain without END (timed out after 1 s of idle ring,
 * and saved/restored mid-chain), the pending-event name of a looped-back frame (`show events`), the verbose
 * `tx-fetch`/`tx-csum` records, and 16 collisions in a row on a half-duplex hub (excessive collisions).
 */
import { componentContext } from '../../../emulator/machine/sim';
import { Hub } from '../../../emulator/machine/net/hub';
import type { NetPort } from '../../../emulator/machine/net/link';
import { Host, MAC, MS, US } from './fixture';
import { ethFrame, PARTNER_MAC, udpFrame } from './partner';
import { linkedTg3 } from './linked';
import { Tg3 } from './tg3';

const linked = linkedTg3;

/** Write send BD `slot`: buffer `addr`, `len` bytes, `flags` (0x4 END). */
function sendBd(h: Host, t: Tg3, slot: number, addr: number, len: number, flags: number): void {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setUint32(4, addr, true);
  dv.setUint32(8, ((len << 16) | flags) >>> 0, true);
  h.memW(t.txRing + 16 * slot, b);
}

/** A fresh status block (HOSTCC_MODE.NOW) and its send consumer. */
function txConsumer(h: Host, t: Tg3): number {
  h.wr(0x3c00, h.r(0x3c00) | 0x8);
  h.delay(50 * US);
  return t.statusBlock().txCons;
}

describe('a chain without END', () => {
  test('the ring stays idle for 1 s: the BDs are discarded with SNDBDI_STATUS.ERROR and completed', () => {
    const { h, t, partner } = linked();
    const f = udpFrame(PARTNER_MAC, MAC, 100);
    h.memW(t.txBuf, f);
    for (let i = 0; i < 3; i++) sendBd(h, t, i, t.txBuf + 40 * i, 40, 0); // no TXD_FLAG_END anywhere
    t.txProd = 3;
    h.w(0x304, 3);
    h.delay(900 * MS);
    expect(txConsumer(h, t)).toBe(0); // the chain may still be completed by its END BD
    expect(h.traced('tx-drop')).toEqual([]);
    // TX_NO_END_IDLE_NS = 1 s after the fetch *(I)*; like every hostile-driver vector (design §1.18) the timeout
    // takes a bounded number of events, here far fewer than 10 000 for 150 ms.
    expect(h.sim.queue.runSlice(h.now + 150 * MS, 10_000)).toBeLessThan(10_000);
    expect(h.traced('tx-drop', 'no-end-bd').map((r) => r.f!['bds'])).toEqual([3]);
    expect(h.r(0x1804) & 0x4).toBe(0x4); // SNDBDI_STATUS.ERROR: tg3_process_error sees it and resets
    expect(h.sramR(0x6f8 + 4, 'bge-win')).toBe(1); // tx_discards
    expect(txConsumer(h, t)).toBe(3);
    expect(partner.got.length).toBe(0);
  });

  test('saved between its BDs and restored into a twin, the chain completes with the same frame', () => {
    const f = udpFrame(PARTNER_MAC, MAC, 100);
    const worlds = [linked(), linked()];
    for (const { h, t } of worlds) {
      h.memW(t.txBuf, f);
      sendBd(h, t, 0, t.txBuf, 40, 0);
      sendBd(h, t, 1, t.txBuf + 40, 60, 0);
      h.w(0x304, 2);
      h.delay(100 * US);
    }
    const [a, b] = worlds as [ReturnType<typeof linked>, ReturnType<typeof linked>];
    b.h.nic.loadState(JSON.parse(JSON.stringify(a.h.nic.saveState())));
    for (const { h, t } of worlds) {
      sendBd(h, t, 2, t.txBuf + 100, f.length - 100, 0x4);
      h.w(0x304, 3);
      h.delay(MS);
    }
    // The gather reads the three buffers in order: the frame is the one the host wrote, in both worlds.
    expect(a.partner.got.map((g) => [...g.frame.data])).toEqual([[...f]]);
    expect(b.partner.got.map((g) => [...g.frame.data])).toEqual([[...f]]);
  });
});

describe('what the user sees of the send path', () => {
  test('a looped-back frame is pending as <nic>.txLoop (debugger `show events`) until its wire time ends', () => {
    const { h, t } = linked();
    h.wr(0x400, h.r(0x400) | 0x10); // MAC_MODE_PORT_INT_LPBACK
    t.xmit(udpFrame(MAC, MAC, 1000));
    let ev: { name: string; when: number } | undefined;
    for (let i = 0; i < 200 && !ev; i++) {
      h.delay(100);
      ev = h.sim.queue.list().find((e) => e.name.endsWith('txLoop'));
    }
    expect(ev?.name).toBe('alpha.nic0.txLoop');
    const when = ev!.when;
    t.run(MS);
    expect(h.traced('rx-accept').map((r) => r.t)).toEqual([when]);
  });

  test('--verbose-trace: tx-fetch gives the ring indices and BD count; tx-csum why a checksum was not inserted', () => {
    const { h, t, partner } = linked({ verbose: true });
    const arp = ethFrame(PARTNER_MAC, MAC, 0x0806, Uint8Array.of(0, 1, 8, 0, 6, 4, 0, 1, ...new Array<number>(38).fill(0)));
    // Another EtherType with a payload that looks like an IPv4 header: not IPv4 to the chip.
    const lookalike = udpFrame(PARTNER_MAC, MAC, 40);
    lookalike[12] = 0x88;
    lookalike[13] = 0xb5;
    // EtherType IPv4 but only 16 bytes after it: not even a minimal 20-byte header (a short IP datagram).
    const stub = ethFrame(PARTNER_MAC, MAC, 0x0800, Uint8Array.of(0x45, 0, 0, 40, ...new Array<number>(12).fill(0)));
    for (const f of [arp, lookalike, stub]) t.xmit(f, 0x3, 0, false); // IP_CSUM | TCPUDP_CSUM, tg3 BD flags
    h.w(0x304, t.txProd);
    t.run(MS);
    expect(h.traced('tx-fetch').map((r) => [r.f!['prod'], r.f!['cons'], r.f!['n']])).toEqual([[3, 0, 3]]);
    expect(h.traced('tx-csum').map((r) => r.f!['reason'])).toEqual(['not-ipv4', 'not-ipv4', 'short-ip']);
    // Nothing was written into them (the stub is only padded to 60 bytes).
    const sent = partner.got.map((g) => g.frame.data);
    expect(sent[0]).toEqual(arp);
    expect(sent[1]).toEqual(lookalike);
    expect(sent[2]!.subarray(0, stub.length)).toEqual(stub);
  });
});

describe('half duplex', () => {
  test('16 collisions in a row on a hub: the frame is dropped, tx_excessive_collisions and tx_errors count it', () => {
    const h = new Host();
    const hub = new Hub(componentContext(h.sim, '', 'hub0'), { bitRate: 100_000_000 });
    h.nic.connect(hub);
    // A station that starts sending whenever it hears carrier: every attempt of ours collides.
    let port: NetPort | null = null;
    let sending = false;
    let jams = 0;
    port = hub.attach({
      frameReceived: () => {},
      transmitDone: () => void (sending = false),
      collision: () => void (sending = false),
      carrierChanged: (busy) => {
        if (!busy || sending || !port) return;
        sending = true;
        jams++;
        port.transmit({ data: new Uint8Array(60), pktId: 0 });
      },
    }, 'jammer');
    h.delay(2 * MS);
    const t = new Tg3(h);
    t.probe();
    t.open();
    t.run(10 * MS);
    expect(t.linkUp).toBe(true);
    expect(h.r(0x400) & 0x2).toBe(0x2); // tg3 set MAC_MODE_HALF_DUPLEX for the 100 Mb/s half-duplex link
    t.xmit(udpFrame(PARTNER_MAC, MAC, 100));
    t.run(20 * MS);
    expect(jams).toBe(16); // the first attempt and 15 retries (IEEE 802.3 attemptLimit = 16, 4.4.2)
    expect(h.traced('tx-drop', 'excessive-collisions').length).toBe(1);
    expect(h.sramR(0x658 + 4, 'bge-win')).toBe(1); // tx_excessive_collisions
    expect(h.sramR(0x700 + 4, 'bge-win')).toBe(1); // tx_errors
  });
});
