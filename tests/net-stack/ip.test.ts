import { EtherType, EthernetFrame, Ipv4Packet } from '../../stack/net/wire';
import { ICMP_ECHO_REQUEST } from './fixtures';
import { makeStack, rx, take } from './harness';

/** The captured echo request to 10.77.0.2, modified and with its header checksum recomputed. */
function variant(edit: (p: Ipv4Packet) => void, fixSum = true): Uint8Array {
  const f = ICMP_ECHO_REQUEST.slice();
  const p = new Ipv4Packet(f.subarray(14));
  edit(p);
  if (fixSum) p.fillChecksum();
  return f;
}

describe('ip_input validation', () => {
  test('each malformed header is dropped with its counter and a reason', () => {
    const { s, en0, env } = makeStack('00:50:c2:00:00:02', '10.77.0.2');
    rx(s, en0, variant((p) => { p.checksum = p.checksum ^ 0x100; }, false), 1);
    rx(s, en0, variant((p) => { p.buf[0] = 0x65; }), 2);
    rx(s, en0, variant((p) => { p.totalLen = 200; }), 3);
    rx(s, en0, variant((p) => { p.totalLen = 10; }), 4);
    rx(s, en0, variant((p) => { p.flagsFrag = 0x2000; }), 5);
    rx(s, en0, variant((p) => { p.dst = 0x0a4d0063; }), 6); // 10.77.0.99: not ours, forwarding off
    const st = s.stats.ip;
    expect([st.badsum, st.badvers, st.tooshort, st.badlen, st.fragments, st.cantforward]).toEqual([1, 1, 1, 1, 1, 1]);
    const drops = env.traces.filter((t) => t.layer === 'ip' && t.probe === 'drop').map((t) => [t.pkt, t.f?.reason]);
    expect(drops).toEqual([
      [1, 'bad header checksum'],
      [2, 'version 6 is not 4'],
      [3, 'packet of 84 bytes is shorter than its total length 200'],
      [4, 'total length 10 is below the header length 20'],
      [6, 'not for us and forwarding is off'],
    ]);
    // Packet 5 (MF set, 64 bytes) is a valid first fragment: queued for reassembly, not delivered.
    expect(env.traces.some((t) => t.probe === 'frag-queued' && t.pkt === 5)).toBe(true);
    expect(take(en0)).toHaveLength(0);
    expect(st.delivered).toBe(0);
  });

  test('link padding beyond the total length is trimmed', () => {
    const { s, en0 } = makeStack('00:50:c2:00:00:02', '10.77.0.2');
    const padded = new Uint8Array(ICMP_ECHO_REQUEST.length + 10);
    padded.set(ICMP_ECHO_REQUEST);
    s.arp.addPermanent(en0, 0x0a4d0001, new Uint8Array([0, 0x50, 0xc2, 0, 0, 1]));
    rx(s, en0, padded);
    expect(s.stats.icmp.checksum).toBe(0);
    expect(take(en0)).toHaveLength(1);
  });

  test('unknown ethertype counts noproto', () => {
    const { s, en0, env } = makeStack();
    const f = ICMP_ECHO_REQUEST.slice();
    new EthernetFrame(f).ethertype = EtherType.LocalExperimental1;
    rx(s, en0, f, 9);
    expect(en0.data.noproto).toBe(1);
    expect(env.traces.find((t) => t.probe === 'drop')?.f?.reason).toBe('unknown ethertype 0x88b5');
  });
});
