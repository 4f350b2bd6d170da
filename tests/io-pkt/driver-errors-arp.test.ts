/**
 * Duplicate IP addresses (issue 14): an ARP from another link address claiming our IP is logged with NetBSD
 * in_arpinput's line (log(LOG_ERR): io-pkt's slog), counted in rcvlocalspa, and — for a request — answered
 * with our own claim (itaddr = myaddr; goto reply), unicast to the claimant. Our own frames and other
 * senders are not reported.
 */
import { ArpOp, ArpPacket, ArpRepr, EtherType, EthernetFrame, EthernetRepr, WireError, ipToString, macToString, parseMac } from '../../stack/net/wire';
import { ip, makeStack, rx, take } from '../net-stack/harness';

const THEM = '00:50:c2:00:00:77';

function arpFrame(op: (typeof ArpOp)[keyof typeof ArpOp], sha: string, spa: string, tpa: string, dst = 'ff:ff:ff:ff:ff:ff'): Uint8Array {
  const buf = new Uint8Array(14 + 28);
  EthernetRepr.emit({ dst: parseMac(dst)!, src: parseMac(sha)!, ethertype: EtherType.ARP }, new EthernetFrame(buf));
  ArpRepr.emit({ op, sha: parseMac(sha)!, spa: ip(spa), tha: new Uint8Array(6), tpa: ip(tpa) }, new ArpPacket(buf.subarray(14)));
  return buf;
}

import { LOG_ERR } from '../../stack/net/env';
import { _SLOG_ERROR } from '../../stack/kernel/slog';

const LINE = `duplicate IP address 10.77.0.2 sent from link address ${THEM}`;

describe('duplicate IP address', () => {
  test('a gratuitous ARP request from another station claiming our address: logged, counted, defended', () => {
    const { s, en0, env } = makeStack();
    rx(s, en0, arpFrame(ArpOp.Request, THEM, '10.77.0.2', '10.77.0.2'));
    expect(env.logs).toEqual([LINE]);
    expect(s.stats.arp.rcvlocalspa).toBe(1);
    const out = take(en0);
    expect(out).toHaveLength(1);
    const eth = new EthernetFrame(out[0]!.data);
    expect(macToString(eth.dst)).toBe(THEM);
    const r = ArpRepr.parse(new ArpPacket(out[0]!.data.subarray(14)));
    if (r instanceof WireError) throw new Error(r.reason);
    expect(r.op).toBe(ArpOp.Reply);
    expect([macToString(r.sha), ipToString(r.spa), macToString(r.tha), ipToString(r.tpa)]).toEqual(['00:50:c2:00:00:02', '10.77.0.2', THEM, '10.77.0.2']);
    // The claimant's mapping is not learned for our own address.
    expect(s.arp.lookup(ip('10.77.0.2'))).toBeUndefined();
  });

  test('a request for someone else with our address as sender is defended too; a reply is only logged', () => {
    const { s, en0, env } = makeStack();
    rx(s, en0, arpFrame(ArpOp.Request, THEM, '10.77.0.2', '10.77.0.9'));
    expect(take(en0)).toHaveLength(1);
    rx(s, en0, arpFrame(ArpOp.Reply, THEM, '10.77.0.2', '10.77.0.1', '00:50:c2:00:00:02'));
    expect(take(en0)).toHaveLength(0);
    expect(env.logs).toEqual([LINE, LINE]);
    expect(s.stats.arp.rcvlocalspa).toBe(2);
  });

  test('logged at LOG_ERR (in_arpinput), which io-pkt turns into _SLOG_ERROR: on the console as well as in slog', () => {
    const { s, en0, env } = makeStack();
    rx(s, en0, arpFrame(ArpOp.Request, THEM, '10.77.0.2', '10.77.0.2'));
    expect(env.priorities).toEqual([LOG_ERR]);
    expect(LOG_ERR - 1).toBe(_SLOG_ERROR);
  });

  test('an ordinary request from another address is answered without a warning; our own echo is dropped silently', () => {
    const { s, en0, env } = makeStack();
    rx(s, en0, arpFrame(ArpOp.Request, THEM, '10.77.0.5', '10.77.0.2'));
    expect(take(en0)).toHaveLength(1);
    rx(s, en0, arpFrame(ArpOp.Request, '00:50:c2:00:00:02', '10.77.0.2', '10.77.0.2'));
    expect(take(en0)).toHaveLength(0);
    expect(env.logs).toEqual([]);
    expect(s.stats.arp.rcvlocalspa).toBe(0);
    expect(s.stats.arp.rcvlocalsha).toBe(1);
  });
});
