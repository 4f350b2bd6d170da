/**
 * A link partner for the BCM5701 tests: a station at the other end of a cable that auto-negotiates with the
 * chip's PHY (StaticEndpoint: every mode and symmetric PAUSE by default), records what arrives, can echo frames
 * back (swapping addresses) and can send its own.
 */
import type { Simulation } from '../../../emulator/machine/sim';
import { componentContext } from '../../../emulator/machine/sim/context';
import { Cable } from '../../../emulator/machine/net/cable';
import { StaticEndpoint } from '../../../emulator/machine/net/endpoints';
import type { LinkAbilities } from '../../../emulator/machine/net/autoneg';
import type { Frame, NetPort, NetPortListener } from '../../../emulator/machine/net/link';

export const PARTNER_MAC = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02];

export class Partner implements NetPortListener {
  readonly autoneg: StaticEndpoint;
  readonly got: { t: number; frame: Frame }[] = [];
  port: NetPort | null = null;
  echo = false;
  private queue: Frame[] = [];
  private sending = false;

  constructor(private readonly sim: Simulation, abilities: Partial<LinkAbilities> | null = { pause: true }, timeScale = 0.001) {
    this.autoneg = new StaticEndpoint(abilities, { timeScale });
  }

  frameReceived(frame: Frame): void {
    this.got.push({ t: this.sim.queue.now, frame });
    if (this.echo) {
      const d = frame.data.slice();
      d.set(frame.data.subarray(6, 12), 0);
      d.set(PARTNER_MAC, 6);
      this.send(d, frame.pktId);
    }
  }

  transmitDone(): void {
    this.sending = false;
    this.pump();
  }

  collision(): void {
    this.sending = false;
    this.pump();
  }

  send(data: Uint8Array, pktId = 0, badFcs = false): void {
    this.queue.push(badFcs ? { data, pktId, badFcs: true } : { data, pktId });
    this.pump();
  }

  private pump(): void {
    if (this.sending || !this.port || this.queue.length === 0) return;
    this.sending = true;
    this.port.transmit(this.queue.shift()!);
  }
}

/** A 10 m cable in `sim` with a partner at one end; the chip attaches to the other. */
export function cableWithPartner(sim: Simulation, abilities?: Partial<LinkAbilities> | null, timeScale = 0.001): { cable: Cable; partner: Partner } {
  const cable = new Cable(componentContext(sim, '', 'cable0'));
  const partner = new Partner(sim, abilities === undefined ? { pause: true } : abilities, timeScale);
  return { cable, partner };
}

/** Attach the partner (after the chip, so the chip is end 0). */
export function attachPartner(cable: Cable, partner: Partner): void {
  partner.port = cable.attach(partner, 'partner');
}

/** An Ethernet frame (no FCS) from `src` to `dst` with `payload` bytes of `type`. */
export function ethFrame(dst: readonly number[], src: readonly number[], type: number, payload: Uint8Array): Uint8Array {
  const f = new Uint8Array(14 + payload.length);
  f.set(dst, 0);
  f.set(src, 6);
  f[12] = type >> 8;
  f[13] = type & 0xff;
  f.set(payload, 14);
  return f;
}

/** An IPv4/UDP frame (10.0.0.1:5000 → 10.0.0.2:5001) with a correct IP header checksum and no UDP checksum (0). */
export function udpFrame(dst: readonly number[], src: readonly number[], payloadLen: number, seed = 1): Uint8Array {
  const udpLen = 8 + payloadLen;
  const ip = new Uint8Array(20 + udpLen);
  ip[0] = 0x45;
  ip[2] = (20 + udpLen) >> 8;
  ip[3] = (20 + udpLen) & 0xff;
  ip[8] = 64;
  ip[9] = 17;
  ip.set([10, 0, 0, 1], 12);
  ip.set([10, 0, 0, 2], 16);
  ip[20] = 0x13;
  ip[21] = 0x88;
  ip[22] = 0x13;
  ip[23] = 0x89;
  ip[24] = udpLen >> 8;
  ip[25] = udpLen & 0xff;
  for (let i = 0; i < payloadLen; i++) ip[28 + i] = (i * 7 + seed) & 0xff;
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += (ip[i]! << 8) | ip[i + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  const c = ~sum & 0xffff;
  ip[10] = c >> 8;
  ip[11] = c & 0xff;
  return ethFrame(dst, src, 0x0800, ip);
}
