/**
 * devnp-bge's option string, read the way libnetdrvr's nic_parse_options reads it (comma-separated
 * `key=value` or bare flags; numbers with C prefixes): `mac=`, `speed=10|100|1000`, `duplex=0|1`,
 * `promiscuous`, `nomulticast`, `mtu=` (≤ 1500), `verbose[=N]`, `receive=` (standard ring buffers posted,
 * default 256 as bge's BGE_SSLOTS), `transmit=` (send descriptors the driver may have outstanding, ≤ 512),
 * `irq=`, `pci=`, `vid=`, `did=`, `priority=` (accepted), `nocsum` (no checksum offload).
 * `lan=`/`unit=`/`name=` stay in the raw map for io-pkt's dev_attach. Unknown keys are logged and ignored.
 */
import type { DriverOptions } from '../../io-pkt/driver-api';
import { optionNumber, parseMac, splitOptions } from '../ne2000/options';
import { BGE_PRODUCT_BCM5701, BGE_SSLOTS, BGE_STD_RX_RING_CNT, BGE_TX_RING_CNT, BGE_VENDOR_BROADCOM } from './regs';

export interface BgeOptions {
  mac?: Uint8Array;
  /** Forced media (brgphy's manual path); undefined = autonegotiation. */
  speed?: 10 | 100 | 1000;
  /** With `speed=`: true full duplex (default), false half. */
  fullDuplex: boolean;
  promiscuous: boolean;
  noMulticast: boolean;
  mtu: number;
  verbose: number;
  rxPosted: number;
  txMax: number;
  irq?: number;
  pci?: number;
  vid: number;
  did: number;
  checksumOffload: boolean;
  raw: DriverOptions;
  errors: string[];
}

const KNOWN = new Set(['lan', 'unit', 'name', 'priority', 'media', 'phy', 'ioport']);

export function parseBgeOptions(options: string): BgeOptions {
  const raw = splitOptions(options);
  const o: BgeOptions = {
    fullDuplex: true, promiscuous: false, noMulticast: false, mtu: 1500, verbose: 0, rxPosted: BGE_SSLOTS,
    txMax: BGE_TX_RING_CNT, vid: BGE_VENDOR_BROADCOM, did: BGE_PRODUCT_BCM5701, checksumOffload: true, raw, errors: [],
  };
  const num = (k: string, v: string, min: number, max: number): number | undefined => optionNumber(o.errors, k, v, min, max);
  for (const [k, v] of raw) {
    switch (k) {
      case 'mac':
        o.mac = parseMac(v);
        if (!o.mac) o.errors.push(`bad value for mac: '${v}'`);
        break;
      case 'speed': {
        const n = num(k, v, 10, 1000);
        if (n === 10 || n === 100 || n === 1000) o.speed = n;
        else if (n !== undefined) o.errors.push(`bad value for speed: '${v}'`);
        break;
      }
      case 'duplex': {
        const n = num(k, v, 0, 1);
        if (n !== undefined) o.fullDuplex = n === 1;
        break;
      }
      case 'promiscuous': o.promiscuous = true; break;
      case 'nomulticast': o.noMulticast = true; break;
      case 'nocsum': o.checksumOffload = false; break;
      case 'mtu': o.mtu = num(k, v, 68, 1500) ?? o.mtu; break;
      case 'verbose': o.verbose = v === '' ? 1 : num(k, v, 0, 1000) ?? 1; break;
      case 'receive': o.rxPosted = num(k, v, 16, BGE_STD_RX_RING_CNT - 1) ?? o.rxPosted; break;
      case 'transmit': o.txMax = num(k, v, 32, BGE_TX_RING_CNT) ?? o.txMax; break;
      case 'irq': o.irq = num(k, v, 0, 255); break;
      case 'pci': o.pci = num(k, v, 0, 255); break;
      case 'vid': o.vid = num(k, v, 0, 0xffff) ?? o.vid; break;
      case 'did': o.did = num(k, v, 0, 0xffff) ?? o.did; break;
      default:
        if (!KNOWN.has(k)) o.errors.push(`unknown option '${k}' ignored`);
    }
  }
  return o;
}
