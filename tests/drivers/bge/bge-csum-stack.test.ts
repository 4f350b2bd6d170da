/**
 * The stack's side of checksum offload (stack/net/csum-offload.ts), as devnp-bge uses it: the pseudo-header
 * seed the UDP layer leaves for the chip, and the verdicts ip_input / udp_input take from the driver's report
 * only as far as the interface's enabled receive capabilities go.
 */
import { ipRxVerdict, pseudoHeaderSeed, udpRxVerdict, udpTxOffload, ipTxOffload } from '../../../stack/net/csum-offload';
import { IFCAP_CSUM_IPv4_Rx, IFCAP_CSUM_UDPv4_Rx, IFCAP_CSUM_UDPv4_Tx, IFF_LOOPBACK, type Ifnet } from '../../../stack/net/if';
import { M_CSUM_DATA, M_CSUM_IPv4, M_CSUM_IPv4_BAD, M_CSUM_NO_PSEUDOHDR, M_CSUM_UDPv4 } from '../../../stack/net/mbuf';
import { foldComplement, onesSum } from '../../../stack/net/wire/checksum';
import { IpProto } from '../../../stack/net/wire/ipv4';
import { UdpPacket } from '../../../stack/net/wire/udp';

const SRC = 0x0a000101;
const DST = 0x0a000102;

function ifp(capenable: number, flags = 0): Ifnet {
  return { capenable, flags } as unknown as Ifnet;
}

function datagram(payload: number): UdpPacket {
  const u = new UdpPacket(new Uint8Array(8 + payload));
  u.srcPort = 1234;
  u.dstPort = 9000;
  u.length = 8 + payload;
  for (let i = 0; i < payload; i++) u.buf[8 + i] = (i * 37 + 5) & 0xff;
  return u;
}

test('the seed plus the hardware\'s sum over the datagram gives the checksum software would', () => {
  for (const n of [0, 1, 17, 1472]) {
    const soft = datagram(n);
    soft.fillChecksum(SRC, DST);
    const hw = datagram(n);
    hw.checksum = pseudoHeaderSeed(SRC, DST, IpProto.UDP, hw.length);
    // What the chip does with NO_TX_PHDR_CSUM: sum the segment including the seed, fold, complement (0 → 0xffff).
    const c = foldComplement(onesSum(hw.buf, 0, hw.length));
    expect(c === 0 ? 0xffff : c).toBe(soft.checksum);
  }
});

test('transmit offload follows capenable and never applies to loopback', () => {
  expect(udpTxOffload(ifp(IFCAP_CSUM_UDPv4_Tx))).toBe(true);
  expect(udpTxOffload(ifp(0))).toBe(false);
  expect(udpTxOffload(ifp(IFCAP_CSUM_UDPv4_Tx, IFF_LOOPBACK))).toBe(false);
  expect(ipTxOffload(ifp(IFCAP_CSUM_UDPv4_Tx))).toBe(false);
});

test('receive verdicts: trusted only with the capability enabled; BAD flags and sums other than 0xffff are bad', () => {
  const good = { data: new Uint8Array(0), pktId: 0, csumFlags: M_CSUM_IPv4 };
  const bad = { ...good, csumFlags: M_CSUM_IPv4 | M_CSUM_IPv4_BAD };
  expect(ipRxVerdict(ifp(IFCAP_CSUM_IPv4_Rx), good)).toBe(true);
  expect(ipRxVerdict(ifp(IFCAP_CSUM_IPv4_Rx), bad)).toBe(false);
  expect(ipRxVerdict(ifp(0), bad)).toBeNull();
  expect(ipRxVerdict(ifp(IFCAP_CSUM_IPv4_Rx), { data: new Uint8Array(0), pktId: 0 })).toBeNull();

  const caps = ifp(IFCAP_CSUM_UDPv4_Rx);
  const m = (csumData: number, extra = 0) => ({ data: new Uint8Array(0), pktId: 0, csumFlags: M_CSUM_UDPv4 | M_CSUM_DATA | extra, csumData });
  expect(udpRxVerdict(caps, m(0xffff), 0x1234, SRC, DST, 100)).toBe(true);
  expect(udpRxVerdict(caps, m(0xfffe), 0x1234, SRC, DST, 100)).toBe(false);
  expect(udpRxVerdict(ifp(0), m(0xfffe), 0x1234, SRC, DST, 100)).toBeNull();
  // No checksum in the datagram: nothing to verify, whatever the hardware summed.
  expect(udpRxVerdict(caps, m(0x0000), 0, SRC, DST, 100)).toBeNull();
  // Hardware that sums without the pseudo header: the stack adds it before judging.
  const u = datagram(50);
  u.fillChecksum(SRC, DST);
  const noPhdr = ~foldComplement(onesSum(u.buf, 0, u.length)) & 0xffff;
  expect(udpRxVerdict(caps, m(noPhdr, M_CSUM_NO_PSEUDOHDR), u.checksum, SRC, DST, u.length)).toBe(true);
});
