/** if_bridge's control side: aging on virtual time, static entries, maxaddr, members and promiscuous mode, errors, ipf. */
import { Errno } from '../../stack/kernel/api';
import { IFF_PROMISC, IFF_RUNNING, IFF_UP } from '../../stack/net/if';
import { IFBAF_STATIC, IFBF_FLUSHALL, IFBF_FLUSHDYN } from '../../stack/include/net/if_bridgevar';
import { internetChecksum } from '../../stack/net/wire/checksum';
import { parseMac } from '../../stack/net/wire/addr';
import { BCAST, BridgeRig, MAC, frame, member } from './harness';

const S = 1e9;

describe('address cache', () => {
  test('aging: 1200 s after learning, removed by the next bridge_timer pass (every 300 s); traffic refreshes only a stale entry', () => {
    const r = new BridgeRig(2).setup(); // bridge_init at t=0: bridge_timer at 300, 600, 900, 1200, 1500 s
    r.advance(10 * S);
    r.rx(0, frame(BCAST, MAC.a));
    r.stackPass();
    expect(r.cache()).toEqual(['00:50:c2:00:00:0a en0 1200 0']); // expire = 10 + 1200 = 1210
    // More traffic from a at 600 s: the entry is there, on this port, not expired: bridge_rtupdate_self does nothing.
    r.advance(590 * S);
    r.rx(0, frame(BCAST, MAC.a));
    expect(r.br.pendingLearn).toBe(0);
    r.advance(609.5 * S); // t = 1209.5 s: time_uptime 1209
    expect(r.cache()).toEqual(['00:50:c2:00:00:0a en0 1 0']);
    // t = 1300 s: expired at 1210 but the 1200 s pass came before that; BRDGRTS's unsigned long wraps.
    r.advance(90.5 * S);
    expect(r.cache()).toEqual([`00:50:c2:00:00:0a en0 ${(1210 - 1300) >>> 0} 0`]);
    expect(r.cache()[0]).toBe('00:50:c2:00:00:0a en0 4294967206 0');
    // The 1500 s pass removes it.
    r.advance(200 * S);
    expect(r.cache()).toEqual([]);
    expect(r.bridgeTraces('expire')).toEqual([{ if: 'en0', bridge: 'bridge0', mac: '00:50:c2:00:00:0a' }]);
  });

  test('a stale entry seen again is refreshed to time_uptime + timeout (QNX if_bridge r1.97)', () => {
    const r = new BridgeRig(2).setup();
    r.brdg('BRDGSTO', { value: 100 });
    r.rx(0, frame(BCAST, MAC.a));
    r.stackPass(); // expire 100
    r.advance(120 * S);
    r.rx(0, frame(BCAST, MAC.a)); // expired, not yet aged out (first pass at 300 s): queued again
    expect(r.br.pendingLearn).toBe(1);
    r.stackPass();
    expect(r.cache()).toEqual(['00:50:c2:00:00:0a en0 100 0']);
    expect(r.brdg('BRDGGTO', {})).toEqual({ data: { value: 100 } });
  });

  test('static entries: forwarded to, never aged, kept by flush, removed by flushall or deladdr', () => {
    const r = new BridgeRig(3).setup();
    const d = parseMac(MAC.d)!;
    expect(r.brdg('BRDGSADDR', { ifba_ifsname: 'en9', ifba_dst: d, ifba_flags: IFBAF_STATIC })).toBe(Errno.ENOENT);
    expect(r.brdg('BRDGSADDR', { ifba_ifsname: 'en2', ifba_dst: d, ifba_flags: IFBAF_STATIC })).toEqual({});
    r.rx(0, frame(MAC.d, MAC.a));
    expect(r.sent().map((q) => q.length)).toEqual([0, 0, 1]);
    r.stackPass();
    expect(r.cache()).toEqual(['00:50:c2:00:00:0a en0 1200 0', '00:50:c2:00:00:0d en2 0 1']);
    r.advance(3000 * S);
    expect(r.cache()).toEqual(['00:50:c2:00:00:0d en2 0 1']);
    r.rx(1, frame(BCAST, MAC.b));
    r.stackPass();
    expect(r.brdg('BRDGFLUSH', { ifbr_ifsflags: IFBF_FLUSHDYN })).toEqual({});
    expect(r.cache()).toEqual(['00:50:c2:00:00:0d en2 0 1']);
    expect(r.brdg('BRDGFLUSH', { ifbr_ifsflags: IFBF_FLUSHALL })).toEqual({});
    expect(r.cache()).toEqual([]);
    r.brdg('BRDGSADDR', { ifba_ifsname: 'en2', ifba_dst: d, ifba_flags: IFBAF_STATIC });
    expect(r.brdg('BRDGDADDR', { ifba_dst: d })).toEqual({});
    expect(r.brdg('BRDGDADDR', { ifba_dst: d })).toBe(Errno.ENOENT);
  });

  test('maxaddr: a full cache learns nothing (not even a move); lowering it trims the newest dynamic entries', () => {
    const r = new BridgeRig(3).setup();
    expect(r.brdg('BRDGSCACHE', { value: 2 })).toEqual({});
    expect(r.brdg('BRDGGCACHE', {})).toEqual({ data: { value: 2 } });
    r.rx(0, frame(BCAST, MAC.a));
    r.rx(1, frame(BCAST, MAC.b));
    r.rx(2, frame(BCAST, MAC.c)); // queued while the cache was empty; bridge_rtupdate refuses it (ENOSPC)
    r.stackPass();
    expect(r.cache()).toEqual(['00:50:c2:00:00:0b en1 1200 0', '00:50:c2:00:00:0a en0 1200 0']);
    r.rx(2, frame(BCAST, MAC.a)); // a moved to en2, but the cache is full: bridge_rtupdate_self returns at once
    expect(r.br.pendingLearn).toBe(0);
    expect(r.brdg('BRDGSCACHE', { value: 1 })).toEqual({});
    expect(r.cache()).toEqual(['00:50:c2:00:00:0a en0 1200 0']);
  });
});

describe('members', () => {
  test('add puts the member in promiscuous mode through its driver; delete takes it out and forgets its addresses', () => {
    const r = new BridgeRig(3).setup();
    for (const m of r.m) {
      expect(m.ifp.flags & IFF_PROMISC).toBe(IFF_PROMISC);
      expect(m.filterCalls).toEqual([true]);
    }
    r.rx(2, frame(BCAST, MAC.c));
    r.stackPass();
    expect(r.brdg('BRDGDEL', { ifbr_ifsname: 'en2' })).toEqual({});
    expect(r.m[2]!.ifp.flags & IFF_PROMISC).toBe(0);
    expect(r.m[2]!.filterCalls).toEqual([true, false]);
    expect(r.cache()).toEqual([]);
    expect(r.rx(2, frame(MAC.a, MAC.c)).consumed).toBe(false);
    expect(r.brdg('BRDGDEL', { ifbr_ifsname: 'en2' })).toBe(Errno.ENOENT);
    const gifs = r.brdg('BRDGGIFS', { ifbic_len: 8192 }) as { data: { ifbic_len: number; ifbic_req: { ifbr_ifsname: string; ifbr_portno: number }[] } };
    // lo0 is index 1, en0..en2 2..4, bridge0 5; two ifbreq of 24 bytes.
    expect(gifs.data.ifbic_len).toBe(48);
    expect(gifs.data.ifbic_req.map((q) => `${q.ifbr_ifsname}:${q.ifbr_portno}`)).toEqual(['en0:2', 'en1:3']);
    // A member that goes away (if_detach) leaves the bridge.
    r.s.detachInterface(r.m[1]!.ifp);
    expect(r.sc.members.map((b) => b.ifp.name)).toEqual(['en0']);
  });

  test('errors as bridge_ioctl_add and bridge_ioctl give them', () => {
    const r = new BridgeRig(2).setup();
    expect(r.brdg('BRDGADD', { ifbr_ifsname: 'en9' })).toBe(Errno.ENOENT);
    expect(r.brdg('BRDGADD', { ifbr_ifsname: 'en0' })).toBe(Errno.EEXIST);
    expect(r.br.cloneCreate('bridge0')).toBe(Errno.EEXIST);
    expect(r.br.cloneCreate('bridge1')).toBe(0);
    const other = r.br.softcOf(r.s.ifs.byName('bridge1')!)!;
    const sc0 = r.sc;
    r.sc = other;
    expect(r.brdg('BRDGADD', { ifbr_ifsname: 'en0' })).toBe(Errno.EBUSY);
    const odd = member('en5', '00:50:c2:00:01:05');
    odd.ifp.mtu = 1400;
    r.s.attachInterface(odd.ifp, 'ether');
    expect(r.brdg('BRDGADD', { ifbr_ifsname: 'en5' })).toBe(Errno.EINVAL);
    expect(r.brdg('BRDGADD', { ifbr_ifsname: 'lo0' })).toBe(Errno.EINVAL);
    r.sc = sc0;
    expect(r.brdg('BRDGSHT', { value: 0 })).toBe(Errno.EINVAL);
    expect(r.brdg('BRDGGCACHE', {}, false)).toBe(Errno.EINVAL); // a get by SIOCSDRVSPEC
    expect(r.brdg('BRDGSCACHE', { value: 5 }, true)).toBe(Errno.EINVAL); // a set by SIOCGDRVSPEC
    expect(r.ioctl('SIOCSDRVSPEC', { ifd_cmd: 'BRDGNOPE', ifd_data: {} })).toBe(Errno.EINVAL);
    expect(r.brdg('BRDGSCACHE', { value: 'lots' })).toBe(Errno.EINVAL);
    expect(r.ioctl('SIOCAIFADDR', { addr: 1 })).toBe(Errno.ENOTTY);
    expect(r.brdg('BRDGSHT', { value: 4 })).toEqual({});
    expect(r.brdg('BRDGGHT', {})).toEqual({ data: { value: 4 } });
  });

  test('down: bridge_stop flushes learned entries and cancels bridge_timer; destroy releases the members', () => {
    const r = new BridgeRig(2).setup();
    r.rx(0, frame(BCAST, MAC.a));
    r.stackPass();
    expect(r.s.callouts.size).toBe(1);
    r.ioctl('SIOCSIFFLAGS', { flags: 0 });
    expect(r.sc.ifp.flags & (IFF_UP | IFF_RUNNING)).toBe(0);
    expect(r.cache()).toEqual([]);
    expect(r.s.callouts.size).toBe(0);
    const g = r.br.cloneDestroy(r.sc);
    expect(g.next()).toEqual({ done: true, value: 0 });
    expect(r.m.map((m) => m.ifp.flags & IFF_PROMISC)).toEqual([0, 0]);
    expect(r.s.ifs.byName('bridge0')).toBeUndefined();
  });
});

describe('ipf: the inet pfil hooks on bridged IPv4', () => {
  function ipv4(proto: number, badSum = false): Uint8Array {
    const f = frame(MAC.b, MAC.a, 0x0800, 14 + 28);
    const h = f.subarray(14);
    h[0] = 0x45; h[3] = 28; h[8] = 64; h[9] = proto;
    h.set([10, 0, 0, 1, 10, 0, 0, 2], 12);
    const sum = internetChecksum(h, 0, 20);
    h[10] = sum >> 8; h[11] = (sum & 0xff) ^ (badSum ? 1 : 0);
    return f;
  }

  test('ICMP blocked by a hook, UDP and ARP pass, other ethertypes and bad headers dropped', () => {
    const r = new BridgeRig(2).setup();
    const seen: string[] = [];
    r.s.pfil.inet.add('test', (m, pkt, ifp, dir) => {
      seen.push(`${dir} ${ifp.name} ${pkt[9]}`);
      return pkt[9] === 1 ? null : { m, pkt };
    });
    expect(r.brdg('BRDGSFILT', { value: 2 })).toBe(Errno.EINVAL);
    expect(r.brdg('BRDGSFILT', { value: 1 })).toEqual({});
    r.rx(0, ipv4(17));
    r.rx(0, ipv4(1));
    r.rx(0, frame(MAC.b, MAC.a, 0x0806));
    r.rx(0, frame(MAC.b, MAC.a, 0x88b5));
    r.rx(0, ipv4(17, true));
    expect(r.sent().map((q) => q.length)).toEqual([0, 2]);
    expect(seen).toEqual(['in en0 17', 'out en1 17', 'in en0 1']);
    expect(r.bridgeTraces('drop').map((f) => f.reason)).toEqual([
      'ipf: blocked by the packet filter (in on en0)', 'ipf: ethertype 0x88b5 not IP or ARP', 'ipf: bad header checksum',
    ]);
  });
});
