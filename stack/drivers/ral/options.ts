/**
 * devnp-ral's option string, read the way libnetdrvr's nic_parse_options reads it (comma-separated
 * `key=value` or bare flags; numbers with C prefixes): `mac=`, `promiscuous`, `verbose[=N]`, `irq=`, `pci=`,
 * `vid=`, `did=`, `priority=` (accepted), `nohwcrypto` (do not register the RT2560's AES engine with the hc
 * stack's crypto API — named after io-pkt's own `nocryptodev`; CCMP then runs in the software provider). `lan=`/`unit=`/`name=` stay in the raw map for io-pkt's dev_attach.
 * Unknown keys are logged and ignored.
 */
import type { DriverOptions } from '../../io-pkt/driver-api';
import { optionNumber, parseMac, splitOptions } from '../ne2000/options';
import { RAL_PRODUCT_RT2560, RAL_VENDOR_RALINK } from './regs';

export interface RalOptions {
  mac?: Uint8Array;
  promiscuous: boolean;
  /** `nohwcrypto`: leave the cipher engine unregistered. */
  nohwcrypto: boolean;
  verbose: number;
  irq?: number;
  pci?: number;
  vid: number;
  did: number;
  raw: DriverOptions;
  errors: string[];
}

const KNOWN = new Set(['lan', 'unit', 'name', 'priority']);

export function parseRalOptions(options: string): RalOptions {
  const raw = splitOptions(options);
  const o: RalOptions = { promiscuous: false, nohwcrypto: false, verbose: 0, vid: RAL_VENDOR_RALINK, did: RAL_PRODUCT_RT2560, raw, errors: [] };
  const num = (k: string, v: string, min: number, max: number): number | undefined => optionNumber(o.errors, k, v, min, max);
  for (const [k, v] of raw) {
    switch (k) {
      case 'mac':
        o.mac = parseMac(v);
        if (!o.mac) o.errors.push(`bad value for mac: '${v}'`);
        break;
      case 'promiscuous': o.promiscuous = true; break;
      case 'nohwcrypto': o.nohwcrypto = true; break;
      case 'verbose': o.verbose = v === '' ? 1 : num(k, v, 0, 1000) ?? 1; break;
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
