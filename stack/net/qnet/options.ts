/**
 * lsm-qnet.so's option string (`io-pkt-v4 -dne2000 -pqnet,bind=en0,auto_add=10`, `mount -Tio-pkt -o
 * do_crc=1 lsm-qnet.so`): comma-separated `key=value` or bare flags, no spaces (lsm-qnet.so utility page,
 * docs/design/qnet-behaviour.md §1.2). `bind=` may repeat. What this model refuses, with a reason the module
 * logs before failing with EINVAL: `bind=ip` and `resolve=dns|file` (Qnet over IP and the DNS/file resolvers
 * are not modelled; the page also calls bind=en with resolve=dns invalid), unknown keys, bad numbers.
 * Tunables land in QnetTunables (defaults.ts), whose comments say where each default comes from.
 */
import { parseCNumber } from '../../drivers/ne2000/options';
import { QNET_DEFAULTS, type QnetTunables } from './defaults';

export interface QnetOptions {
  tun: QnetTunables;
  /** bind=enX interfaces, in the order given; empty = every Ethernet interface (also ones attached later). */
  binds: string[];
  /** host_name= / domain=: override _CS_HOSTNAME / _CS_DOMAIN. */
  hostName: string | null;
  domain: string | null;
}

/** One clear reason per problem ("option 'x=y': …"); any problem means the module does not load. */
export type QnetOptionsResult = { ok: QnetOptions } | { errors: string[] };

/** periodic_ticks= counts system clock ticks; QNX's default clock period is 1 ms (ClockPeriod). */
export const SYSTEM_TICK_NS = 1_000_000;

/** Numeric options: key, field, range. */
const NUMERIC: readonly { key: string; field: keyof QnetTunables; min: number; max: number }[] = [
  { key: 'auto_add', field: 'autoAdd', min: 0, max: 1_000_000 },
  { key: 'tx_retries', field: 'txRetries', min: 1, max: 1000 },
  { key: 'conn_est_timeout', field: 'connEstTimeout', min: 1, max: 1000 },
  { key: 'conn_est_retries', field: 'connEstRetries', min: 0, max: 1000 },
  { key: 'conn_up_idle', field: 'connUpIdle', min: 1, max: 1_000_000 },
  // An LwL4 frame must hold the pad, the 36-byte header and some payload; Ethernet carries at most 1500.
  { key: 'mtu_en', field: 'mtuEn', min: 128, max: 1500 },
  { key: 'max_tx_bufs', field: 'maxTxBufs', min: 1, max: 4096 },
];

/** A node name: no '/' or '.' (user's guide "Conventions for naming nodes"), printable, non-empty. */
export function validNodeName(s: string): boolean {
  return /^[\x21-\x7e]+$/.test(s) && !s.includes('/') && !s.includes('.') && !s.includes('~');
}

function validDomain(s: string): boolean {
  return /^[\x21-\x7e]*$/.test(s) && !s.includes('/') && !s.includes('~');
}

export function parseQnetOptions(options: string): QnetOptionsResult {
  const tun: QnetTunables = { ...QNET_DEFAULTS };
  const o: QnetOptions = { tun, binds: [], hostName: null, domain: null };
  const errors: string[] = [];
  for (const part of options.split(',')) {
    const p = part.trim();
    if (p === '') continue;
    const eq = p.indexOf('=');
    const k = eq < 0 ? p : p.slice(0, eq);
    const v = eq < 0 ? null : p.slice(eq + 1);
    const num = NUMERIC.find((n) => n.key === k);
    if (num) {
      const n = v === null ? undefined : parseCNumber(v);
      if (n === undefined || n < num.min || n > num.max) errors.push(`option '${p}': ${k} takes a number ${num.min}..${num.max}`);
      else (tun[num.field] as number) = n;
      continue;
    }
    switch (k) {
      case 'periodic_ticks': {
        const n = v === null ? undefined : parseCNumber(v);
        if (n === undefined || n < 1 || n > 60_000) errors.push(`option '${p}': periodic_ticks takes a number of clock ticks 1..60000`);
        else tun.tickNs = n * SYSTEM_TICK_NS;
        break;
      }
      case 'do_crc': {
        if (v !== '0' && v !== '1') errors.push(`option '${p}': do_crc takes 0 or 1`);
        else tun.doCrc = v === '1';
        break;
      }
      case 'no_slog':
        if (v !== null) errors.push(`option '${p}': no_slog takes no value`);
        else tun.noSlog = true;
        break;
      case 'bind':
        if (v === 'ip') errors.push(`option '${p}': Qnet over IP (bind=ip, IP protocol 106) is not modelled; use bind=enX`);
        else if (v === null || !/^[a-z]+[0-9]+$/.test(v)) errors.push(`option '${p}': bind takes an interface name (bind=en0)`);
        else if (!o.binds.includes(v)) o.binds.push(v);
        break;
      case 'resolve':
        if (v === 'dns' || v === 'file') errors.push(`option '${p}': the ${v} resolver is not modelled; only resolve=en (the LAN resolver)`);
        else if (v !== 'en') errors.push(`option '${p}': resolve takes en, dns or file`);
        break;
      case 'host_name':
        if (v === null || !validNodeName(v)) errors.push(`option '${p}': host_name takes a node name without '/', '.' or '~'`);
        else o.hostName = v;
        break;
      case 'domain':
        if (v === null || !validDomain(v)) errors.push(`option '${p}': domain takes a name without '/' or '~'`);
        else o.domain = v;
        break;
      default:
        errors.push(`option '${p}': unknown option`);
    }
  }
  return errors.length > 0 ? { errors } : { ok: o };
}
