/**
 * Option strings of the NE2000 drivers, as libnetdrvr's nic_parse_options reads them: comma-separated
 * `key=value` or bare flags, no spaces (`ioport=0x300,irq=5,mac=00c0f0112233,verbose`). Numbers take C
 * prefixes (0x…, 0…). `lan=`, `unit=` and `name=` belong to io-pkt's dev_attach: they are kept in the raw
 * map that is passed through to it.
 */
import type { DriverOptions } from '../../io-pkt/driver-api';

export interface Ne2000Options {
  ioport?: number;
  irq?: number;
  mac?: Uint8Array;
  /** Index among matching PCI functions (`pci=N`). */
  pci?: number;
  vid: number;
  did: number;
  verbose: number;
  promiscuous: boolean;
  noMulticast: boolean;
  /** Everything as given (dev_attach reads lan=/unit=/name= from it). */
  raw: DriverOptions;
  /** Problems found while parsing (unknown keys are kept, bad values reported). */
  errors: string[];
}

/** Realtek RTL8029(AS): the PCI NE2000 clone QNX's devnp-ne2000 drives. */
export const RTL8029_VENDOR = 0x10ec;
export const RTL8029_DEVICE = 0x8029;

const KNOWN = new Set([
  'ioport', 'irq', 'mac', 'pci', 'vid', 'did', 'verbose', 'promiscuous', 'nomulticast', 'lan', 'unit', 'name',
  'mtu', 'duplex', 'speed', 'media', 'priority',
]);

/** C-style integer (strtoul with base 0). */
export function parseCNumber(s: string): number | undefined {
  const t = s.trim().toLowerCase();
  let n: number;
  if (/^0x[0-9a-f]+$/.test(t)) n = parseInt(t.slice(2), 16);
  else if (/^0[0-7]+$/.test(t)) n = parseInt(t.slice(1), 8);
  else if (/^[0-9]+$/.test(t)) n = parseInt(t, 10);
  else return undefined;
  return Number.isSafeInteger(n) ? n : undefined;
}

/** A numeric option in [min, max]; otherwise "bad value for k: 'v'" is added to `errors` and undefined returned. */
export function optionNumber(errors: string[], k: string, v: string, min: number, max: number): number | undefined {
  const n = parseCNumber(v);
  if (n === undefined || n < min || n > max) {
    errors.push(`bad value for ${k}: '${v}'`);
    return undefined;
  }
  return n;
}

/** `mac=` takes 12 hex digits (QNX form) or six colon/dash-separated octets. */
export function parseMac(s: string): Uint8Array | undefined {
  const hex = s.replace(/[:-]/g, '');
  if (!/^[0-9a-fA-F]{12}$/.test(hex)) return undefined;
  const mac = new Uint8Array(6);
  for (let i = 0; i < 6; i++) mac[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return mac;
}

export function splitOptions(options: string): DriverOptions {
  const raw: DriverOptions = new Map();
  for (const part of options.split(',')) {
    const p = part.trim();
    if (p === '') continue;
    const eq = p.indexOf('=');
    if (eq < 0) raw.set(p, '');
    else raw.set(p.slice(0, eq), p.slice(eq + 1));
  }
  return raw;
}

export function parseNe2000Options(options: string): Ne2000Options {
  const raw = splitOptions(options);
  const o: Ne2000Options = {
    vid: RTL8029_VENDOR, did: RTL8029_DEVICE, verbose: 0, promiscuous: false, noMulticast: false, raw, errors: [],
  };
  const num = (k: string, v: string, max: number): number | undefined => {
    const n = parseCNumber(v);
    if (n === undefined || n > max) {
      o.errors.push(`bad value for ${k}: '${v}'`);
      return undefined;
    }
    return n;
  };
  for (const [k, v] of raw) {
    switch (k) {
      case 'ioport': o.ioport = num(k, v, 0xffff); break;
      case 'irq': o.irq = num(k, v, 255); break;
      case 'pci': o.pci = num(k, v, 255); break;
      case 'vid': o.vid = num(k, v, 0xffff) ?? o.vid; break;
      case 'did': o.did = num(k, v, 0xffff) ?? o.did; break;
      case 'verbose': o.verbose = v === '' ? 1 : num(k, v, 1000) ?? 1; break;
      case 'promiscuous': o.promiscuous = true; break;
      case 'nomulticast': o.noMulticast = true; break;
      case 'mac': {
        o.mac = parseMac(v);
        if (!o.mac) o.errors.push(`bad value for mac: '${v}'`);
        break;
      }
      default:
        if (!KNOWN.has(k)) o.errors.push(`unknown option '${k}' ignored`);
    }
  }
  return o;
}

/** ether_sprintf. */
export { macToString as formatMac } from '../../net/wire/addr';
