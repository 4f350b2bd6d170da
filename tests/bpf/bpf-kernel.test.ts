/**
 * BPF in the stack itself (stack/net/bpf.ts on a NetStack with fake interfaces, no io-pkt): ifpromisc-style
 * reference counting of BIOCPROMISC with the driver's setFilter asked to reprogram the NIC on each change,
 * BIOCSBLEN only before BIOCSETIF, the snapshot length a filter returns, and the per-interface link type
 * (BIOCGDLT, and bh_hdrlen aligning the network header after a pflog header).
 */
import { bpfRecords, DLT_EN10MB, BPF_RET, BPF_K, BPF_STMT } from '../../stack/include/net/bpf';
import { DLT_PFLOG, PFLOG_HDRLEN } from '../../stack/include/net/pfvar';
import { IFF_PROMISC, type Ifnet } from '../../stack/net/if';
import { BPF_COPY_PER_BYTE_NS, BPF_INSN_NS, BPF_TAP_NS, type BpfDesc } from '../../stack/net/bpf';
import { pcapCompile } from '../../stack/lib/pcap/compile';
import { fakeEther, makeStack } from '../net-stack/harness';

function setup() {
  const st = makeStack();
  const filters: string[] = [];
  // The harness's FakeEnv has no setFilter (NetEnv's is optional): give it one that records the requests.
  Object.assign(st.env, { setFilter: (ifp: Ifnet) => filters.push(`${ifp.name}:${(ifp.flags & IFF_PROMISC) !== 0 ? 'promisc' : 'normal'}`) });
  st.en0.ops = { ...st.en0.ops, *setFilter() { /* the driver's op exists; the env records the request */ } };
  return { ...st, filters };
}

function readNow(s: ReturnType<typeof setup>['s'], d: BpfDesc) {
  const r = s.bpf.read(d, d.bufsize, true, { reply: () => undefined });
  return r instanceof Uint8Array ? bpfRecords(r) : r;
}

describe('BPF in the stack', () => {
  it('BIOCPROMISC counts references: the first sets IFF_PROMISC, the last close clears it, the driver reprograms each time', () => {
    const { s, en0, filters } = setup();
    const a = s.bpf.open();
    const b = s.bpf.open();
    expect(s.bpf.ioctl(a, 'BIOCPROMISC', {})).toBe(22); // EINVAL: not attached yet
    s.bpf.ioctl(a, 'BIOCSETIF', { ifname: 'en0' });
    s.bpf.ioctl(b, 'BIOCSETIF', { ifname: 'en0' });
    s.bpf.ioctl(a, 'BIOCPROMISC', {});
    s.bpf.ioctl(a, 'BIOCPROMISC', {}); // a second BIOCPROMISC on the same descriptor takes no new reference
    s.bpf.ioctl(b, 'BIOCPROMISC', {});
    expect(en0.flags & IFF_PROMISC).toBe(IFF_PROMISC);
    s.bpf.close(a);
    expect(en0.flags & IFF_PROMISC).toBe(IFF_PROMISC); // b still holds it
    s.bpf.close(b);
    expect(en0.flags & IFF_PROMISC).toBe(0);
    expect(filters).toEqual(['en0:promisc', 'en0:normal']);
  });

  it('promiscuous mode set by ifconfig before BPF stays when the last BPF reference goes', () => {
    const { s, en0, filters } = setup();
    en0.flags |= IFF_PROMISC;
    const a = s.bpf.open();
    s.bpf.ioctl(a, 'BIOCSETIF', { ifname: 'en0' });
    s.bpf.ioctl(a, 'BIOCPROMISC', {});
    s.bpf.close(a);
    expect(en0.flags & IFF_PROMISC).toBe(IFF_PROMISC);
    expect(filters).toEqual([]);
  });

  it('BIOCSETIF to another interface gives the promiscuous reference back', () => {
    const { s, en0 } = setup();
    const en1 = fakeEther('en1', '00:50:c2:00:00:09');
    s.attachInterface(en1, 'ether');
    const a = s.bpf.open();
    s.bpf.ioctl(a, 'BIOCSETIF', { ifname: 'en0' });
    s.bpf.ioctl(a, 'BIOCPROMISC', {});
    s.bpf.ioctl(a, 'BIOCSETIF', { ifname: 'en1' });
    expect(en0.flags & IFF_PROMISC).toBe(0);
    expect(en1.flags & IFF_PROMISC).toBe(0);
  });

  it('BIOCSBLEN is refused once an interface is attached; before, it is clamped to 32 … 16 MiB', () => {
    const { s } = setup();
    const a = s.bpf.open();
    expect(s.bpf.ioctl(a, 'BIOCSBLEN', { len: 8 })).toEqual({ len: 32 });
    expect(s.bpf.ioctl(a, 'BIOCSBLEN', { len: 4096 })).toEqual({ len: 4096 });
    s.bpf.ioctl(a, 'BIOCSETIF', { ifname: 'en0' });
    expect(s.bpf.ioctl(a, 'BIOCSBLEN', { len: 8192 })).toBe(22);
    expect(s.bpf.ioctl(a, 'BIOCGBLEN', {})).toEqual({ len: 4096 });
    expect(s.bpf.ioctl(a, 'BIOCSETIF', { ifname: 'en7' })).toBe(6); // ENXIO
  });

  it('the snapshot length a filter returns caps bh_caplen; bh_datalen keeps the wire length', () => {
    const { s, en0 } = setup();
    const a = s.bpf.open();
    s.bpf.ioctl(a, 'BIOCSETIF', { ifname: 'en0' });
    s.bpf.ioctl(a, 'BIOCSETF', { insns: [BPF_STMT(BPF_RET | BPF_K, 40)] });
    s.bpf.tap(en0, new Uint8Array(100), false);
    s.bpf.tap(en0, new Uint8Array(30), false);
    const recs = readNow(s, a);
    expect(Array.isArray(recs) && recs.map((r) => [r.caplen, r.datalen, r.hdrlen])).toEqual([[40, 100, 18], [30, 30, 18]]);
  });

  it('the link type is the interface\'s: DLT_EN10MB for Ethernet, DLT_PFLOG with a 20-byte bh_hdrlen for pflog', () => {
    const { s } = setup();
    const pflog = fakeEther('pflog0', '00:00:00:00:00:00');
    pflog.dlt = DLT_PFLOG;
    s.attachInterface(pflog, 'ether');
    const a = s.bpf.open();
    s.bpf.ioctl(a, 'BIOCSETIF', { ifname: 'en0' });
    expect(s.bpf.ioctl(a, 'BIOCGDLT', {})).toEqual({ dlt: DLT_EN10MB });
    s.bpf.ioctl(a, 'BIOCSETIF', { ifname: 'pflog0' });
    expect(s.bpf.ioctl(a, 'BIOCGDLT', {})).toEqual({ dlt: 117 });
    s.bpf.tap(pflog, new Uint8Array(PFLOG_HDRLEN + 20), false);
    const recs = readNow(s, a);
    // bif_hdrlen = BPF_WORDALIGN(48 + 18) - 48 = 68 - 48 = 20: the IP header after the pfloghdr starts at a
    // multiple of 4 in the buffer (20 + 48 = 68).
    expect(Array.isArray(recs) && recs.map((r) => r.hdrlen)).toEqual([20]);
  });

  it('the tap charges the stack per descriptor, per filter instruction executed and per byte copied', () => {
    const { s, en0, env } = setup();
    const a = s.bpf.open();
    s.bpf.ioctl(a, 'BIOCSETIF', { ifname: 'en0' });
    // `icmp` on a 60-byte ARP frame: ldh [12], jeq #0x800 (false) → ret #0: three instructions, nothing copied.
    s.bpf.ioctl(a, 'BIOCSETF', { insns: pcapCompile('icmp', { dlt: DLT_EN10MB, snaplen: 65535 }) });
    const arp = new Uint8Array(60);
    arp.set([0x08, 0x06], 12);
    let before = env.charged;
    s.bpf.tap(en0, arp, false);
    expect(env.charged - before).toBe(BPF_TAP_NS + 3 * BPF_INSN_NS);
    // An ICMP frame of 98 bytes: ldh, jeq, ldb [23], jeq, ret #65535 = five instructions, 98 bytes copied.
    const icmp = new Uint8Array(98);
    icmp.set([0x08, 0x00], 12);
    icmp[23] = 1;
    before = env.charged;
    s.bpf.tap(en0, icmp, false);
    expect(env.charged - before).toBe(BPF_TAP_NS + 5 * BPF_INSN_NS + Math.round(98 * BPF_COPY_PER_BYTE_NS));
  });
});
