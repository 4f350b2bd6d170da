/**
 * Fragments that scrub did not reassemble (pf_test_fragment: only rules without ports, flags or ICMP type can
 * match them), the scrub rules' header checks (pf_normalize_ip), binat both ways, and DIOCSETSTATUSIF.
 */
import { Errno } from '../../stack/kernel/api';
import { makeRouter, rule, addr, port } from './harness';
import { checksumsOk, ipPacket, parse, udp } from './pkt';

describe('fragments, scrub, binat', () => {
  test('a non-first fragment meets only rules that look at no transport header', () => {
    const r = makeRouter();
    r.load({ filter: [rule({ action: 'block', proto: 17 }), rule({ action: 'pass', proto: 17, dst: { port: port('eq', 53) } })] });
    const whole = ipPacket({ src: '10.0.0.5', dst: '192.0.2.9', proto: 17 }, udp(1000, 53));
    expect(r.pf.test('in', r.en0, { data: whole, pktId: 1 }, whole.slice()).action).toBe('pass');
    // A later fragment: rule 1 (port 53) cannot match it, so rule 0's block decides.
    const frag = ipPacket({ src: '10.0.0.5', dst: '192.0.2.9', proto: 17, off: 1480 }, new Uint8Array(16));
    const v = r.pf.test('in', r.en0, { data: frag, pktId: 2 }, frag.slice());
    expect([v.action, v.rule?.nr]).toEqual(['drop', 0]);
    expect(r.pf.states.count).toBe(0);
  });

  test('scrub: a fragment with DF is dropped as fragment; the reserved ip_off bit is cleared with the checksum fixed', () => {
    const r = makeRouter();
    r.load({ filter: [rule({ action: 'scrub', direction: 'in' }), rule({ action: 'pass' })] });
    const bad = ipPacket({ src: '10.0.0.5', dst: '192.0.2.9', proto: 17, off: 8, df: true }, new Uint8Array(8));
    expect(r.pf.test('in', r.en0, { data: bad, pktId: 1 }, bad.slice()).action).toBe('drop');
    expect(r.pf.counters[2]).toBe(1); // fragment
    const p = ipPacket({ src: '10.0.0.5', dst: '192.0.2.9', proto: 17 }, udp(1, 53));
    p[6] = p[6]! | 0x80; // the reserved flag
    p[10] = 0; p[11] = 0;
    // refill the header checksum for the packet as sent
    let sum = 0;
    for (let i = 0; i < 20; i += 2) sum += (p[i]! << 8) | p[i + 1]!;
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    p[10] = (~sum >> 8) & 0xff; p[11] = ~sum & 0xff;
    const pkt = p.slice();
    expect(r.pf.test('in', r.en0, { data: pkt, pktId: 2 }, pkt).action).toBe('pass');
    expect(pkt[6]! & 0x80).toBe(0);
    expect(checksumsOk(pkt).ip).toBe(true);
    // The scrub rule counted its packets; the filter rule numbers are the filter ruleset's.
    expect(r.pf.rules.scrub[0]!.packets[0]).toBe(2);
  });

  test('binat maps 10.0.0.5 ↔ 192.0.2.55 both ways, ports kept', () => {
    const r = makeRouter();
    r.load({ binat: [rule({ action: 'binat', direction: 'inout', ifname: 'en1', src: { addr: addr('10.0.0.5') }, rpool: { addr: addr('192.0.2.55'), proxyPort: null, staticPort: false } })] });
    r.rx(r.en0, ipPacket({ src: '10.0.0.5', dst: '192.0.2.9', proto: 17 }, udp(3333, 53)));
    const o = parse(r.sent(r.en1)[0]!);
    expect([o.src, o.sport]).toEqual(['192.0.2.55', 3333]);
    // A new connection from outside to the public address reaches the inside host.
    r.rx(r.en1, ipPacket({ src: '192.0.2.9', dst: '192.0.2.55', proto: 17 }, udp(4444, 161)));
    const [i] = r.sent(r.en0);
    expect([parse(i!).dst, parse(i!).dport]).toEqual(['10.0.0.5', 161]);
    expect(checksumsOk(i!)).toEqual({ ip: true, transport: true });
  });

  test('DIOCSETSTATUSIF: an interface that does not exist is EINVAL; "" clears it', () => {
    const r = makeRouter();
    expect(r.ioctl('DIOCSETSTATUSIF', { ifname: 'en9' })).toBe(Errno.EINVAL);
    expect(r.ioctl('DIOCSETSTATUSIF', { ifname: 'en1' })).toEqual({});
    expect(r.ioctl('DIOCSETSTATUSIF', { ifname: '' })).toEqual({});
  });
});
