/**
 * Frames captured with tshark on a Linux veth pair (00:50:c2:00:00:01 = 10.77.0.1, 00:50:c2:00:00:02 =
 * 10.77.0.2): an ARP exchange, a ping of 56 data bytes and its reply, a UDP datagram to a closed port and
 * the ICMP port unreachable it drew. The UDP datagram was sent through a raw socket with its checksum computed
 * in software (the veth's checksum offload leaves a partial sum in frames captured on the sender).
 */
export function hex(s: string): Uint8Array {
  const b = new Uint8Array(s.length / 2);
  for (let i = 0; i < b.length; i++) b[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return b;
}

export const ARP_REQUEST = hex('ffffffffffff0050c2000001080600010800060400010050c20000010a4d00010000000000000a4d0002');
export const ARP_REPLY = hex('0050c20000010050c2000002080600010800060400020050c20000020a4d00020050c20000010a4d0001');
export const ICMP_ECHO_REQUEST = hex(
  '0050c20000020050c200000108004500005457b440004001ce580a4d00010a4d00020800eeb8123400000001020304050607' +
    '08090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637',
);
export const ICMP_ECHO_REPLY = hex(
  '0050c20000010050c2000002080045000054837e00004001e28e0a4d00020a4d00010000f6b8123400000001020304050607' +
    '08090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637',
);
export const UDP_TO_CLOSED_PORT = hex('0050c20000020050c20000010800450000224e3a40004011d7f40a4d00010a4d00029c401388000ee423716e78656d75');
export const ICMP_PORT_UNREACH = hex(
  '0050c20000010050c2000002080045c0003e9eb600004001c6ac0a4d00020a4d0001030311b900000000450000224e3a4000' +
    '4011d7f40a4d00010a4d00029c401388000ee423716e78656d75',
);

/** 10.77.0.1 answering 10.77.0.2's request (frames 7–8 of the same capture). */
export const ARP_REQUEST_FROM_2 = hex('0050c20000010050c2000002080600010800060400010050c20000020a4d00020000000000000a4d0001');
export const ARP_REPLY_TO_2 = hex('0050c20000020050c2000001080600010800060400020050c20000010a4d00010050c20000020a4d0002');
