/**
 * ICMP errors reaching TCP (tcp_ctlinput): port unreachable while opening a connection refuses it; host
 * unreachable is only remembered (soft error); "fragmentation needed" (RFC 1191) lowers t_maxseg and resends.
 */
import { Errno } from '../../stack/kernel/api';
import { ETHER_HDR_LEN } from '../../stack/net/wire/ethernet';
import { TH_ACK, TH_SYN } from '../../stack/net/wire/tcp';
import { Peer, stateOf, tcb } from './tcp-peer';

const A = { sport: 40000, dport: 1025 };

/** The IP datagrams we sent (IP header first), as an ICMP error would quote them. */
function sentDatagrams(p: Peer): Uint8Array[] {
  return p.n.en0.snd.splice(0).map((m) => m.data.slice(ETHER_HDR_LEN));
}

describe('tcp_ctlinput', () => {
  it('port unreachable for our SYN: the connect fails with ECONNREFUSED', () => {
    const p = new Peer();
    const so = p.connect(40000, 1025);
    const [syn] = sentDatagrams(p);
    p.s.tcp.ctlinput(3, 3, syn!.subarray(0, 28), 0);
    expect(stateOf(so)).toBe('CLOSED');
    expect(so.error).toBe(Errno.ECONNREFUSED);
  });

  it('host unreachable is a soft error: the connection stays and keeps the reason', () => {
    const p = new Peer();
    const so = p.connect(40000, 1025);
    const [syn] = sentDatagrams(p);
    p.s.tcp.ctlinput(3, 1, syn!, 0);
    expect(stateOf(so)).toBe('SYN_SENT');
    expect(tcb(so).softerror).toBe(Errno.EHOSTUNREACH);
  });

  it('fragmentation needed with a next-hop MTU of 1000: t_maxseg 960 and the data is resent in smaller segments', () => {
    const p = new Peer();
    p.env.random32 = () => 1000;
    const so = p.connect(40000, 1025);
    p.out();
    p.send({ ...A, seq: 5000, ack: 1001, flags: TH_SYN | TH_ACK, opts: { mss: 1460 } });
    p.out();
    p.s.sockets.sendStream(so, new Uint8Array(2920), 1);
    const sent = sentDatagrams(p);
    expect(sent).toHaveLength(2);
    p.s.tcp.ctlinput(3, 4, sent[0]!.subarray(0, 28), 1000);
    expect(tcb(so).maxseg).toBe(960);
    const again = p.out();
    expect(again.map((r) => r.payload.length)).toEqual([960, 960, 960, 40]);
    expect(again[0]!.seq).toBe(1001);
    expect(again[0]!.flags & TH_ACK).toBe(TH_ACK);
    expect(p.s.tcp.stats.mturesent).toBe(1);
  });
});
