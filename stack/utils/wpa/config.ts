/**
 * The configuration files of hostapd (hostapd.conf: `name=value` lines, `#` comments; hostapd/config_file.c)
 * and wpa_supplicant (wpa_supplicant.conf: global `name=value` lines and `network={ … }` blocks whose string
 * values are quoted and whose psk is a quoted passphrase or 64 hex digits; wpa_supplicant/config_file.c). Errors
 * carry the line number and the programs' wording. Only what WPA2-PSK with CCMP needs is honoured; other known
 * items are accepted and ignored, unknown ones are errors as in the real programs.
 */

export interface HostapdConf {
  interface: string;
  driver: string;
  ctrlInterface: string;
  ssid: string;
  channel: number;
  /** 0 open, 2 RSN (WPA2). */
  wpa: number;
  passphrase: string | null;
  /** wpa_psk: 64 hex digits. */
  psk: Uint8Array | null;
  keyMgmt: string;
  rsnPairwise: string;
  groupRekey: number;
  eapolVersion: number;
}

/** Items hostapd knows that this build accepts without acting on them. */
const HOSTAPD_IGNORED = new Set([
  'hw_mode', 'auth_algs', 'ignore_broadcast_ssid', 'logger_syslog', 'logger_syslog_level', 'logger_stdout',
  'logger_stdout_level', 'ctrl_interface_group', 'beacon_int', 'dtim_period', 'max_num_sta', 'macaddr_acl', 'wmm_enabled',
  'country_code', 'ieee80211n', 'wpa_strict_rekey', 'wpa_gmk_rekey', 'wpa_ptk_rekey', 'bridge', 'ieee8021x',
  'dump_file', 'preamble', 'rts_threshold', 'fragm_threshold', 'ap_max_inactivity', 'rsn_preauth', 'okc',
]);

function hex(s: string): Uint8Array | null {
  if (!/^[0-9a-fA-F]{64}$/.test(s)) return null;
  return Uint8Array.from(Buffer.from(s, 'hex'));
}

export function parseHostapdConf(text: string): { conf: HostapdConf; errors: string[] } {
  const conf: HostapdConf = {
    interface: '', driver: 'bsd', ctrlInterface: '', ssid: '', channel: 0, wpa: 0, passphrase: null, psk: null,
    keyMgmt: 'WPA-PSK', rsnPairwise: 'CCMP', groupRekey: 86400, eapolVersion: 2,
  };
  const errors: string[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    const buf = raw.replace(/\r$/, '').replace(/^[ \t]+/, '');
    if (buf === '' || buf.startsWith('#')) return;
    const eq = buf.indexOf('=');
    if (eq < 0) {
      errors.push(`Line ${line}: invalid line '${buf}'`);
      return;
    }
    const name = buf.slice(0, eq);
    const value = buf.slice(eq + 1);
    const int = (): number | null => (/^-?\d+$/.test(value.trim()) ? Number(value.trim()) : null);
    switch (name) {
      case 'interface': conf.interface = value.trim(); break;
      case 'driver': conf.driver = value.trim(); break;
      case 'ctrl_interface': conf.ctrlInterface = value.trim(); break;
      case 'ssid':
        if (value.length < 1 || value.length > 32) errors.push(`Line ${line}: invalid SSID '${value}'`);
        else conf.ssid = value;
        break;
      case 'channel': {
        const n = int();
        if (n === null || n < 0 || n > 14) errors.push(`Line ${line}: invalid channel '${value}'`);
        else conf.channel = n;
        break;
      }
      case 'wpa': {
        const n = int();
        if (n === null || n < 0 || n > 3) errors.push(`Line ${line}: invalid wpa '${value}'`);
        else conf.wpa = n;
        break;
      }
      case 'wpa_passphrase':
        // hostapd takes everything after '=' (quotes included) as the passphrase.
        if (value.length < 8 || value.length > 63) errors.push(`Line ${line}: invalid WPA passphrase length ${value.length} (expected 8..63)`);
        else conf.passphrase = value;
        break;
      case 'wpa_psk': {
        const p = hex(value.trim());
        if (!p) errors.push(`Line ${line}: Invalid PSK '${value}'.`);
        else conf.psk = p;
        break;
      }
      case 'wpa_key_mgmt':
        conf.keyMgmt = value.trim();
        if (conf.keyMgmt.split(/\s+/).some((k) => k !== 'WPA-PSK')) errors.push(`Line ${line}: invalid key_mgmt '${value}' (this build: WPA-PSK)`);
        break;
      case 'rsn_pairwise':
      case 'wpa_pairwise':
        conf.rsnPairwise = value.trim();
        if (conf.rsnPairwise.split(/\s+/).some((c) => c !== 'CCMP')) errors.push(`Line ${line}: unsupported pairwise cipher '${value}' (this build: CCMP)`);
        break;
      case 'wpa_group_rekey': {
        const n = int();
        if (n === null || n < 0) errors.push(`Line ${line}: invalid wpa_group_rekey '${value}'`);
        else conf.groupRekey = n;
        break;
      }
      case 'eapol_version': {
        const n = int();
        if (n !== 1 && n !== 2) errors.push(`Line ${line}: invalid EAPOL version (${value}): only versions 1 and 2 are supported`);
        else conf.eapolVersion = n;
        break;
      }
      default:
        if (!HOSTAPD_IGNORED.has(name)) errors.push(`Line ${line}: unknown configuration item '${name}'`);
    }
  });
  if (!conf.interface) errors.push('No interface configured');
  if (!conf.ssid) errors.push('SSID not configured');
  if (conf.wpa && !conf.passphrase && !conf.psk) errors.push('WPA-PSK enabled, but PSK or passphrase is not configured.');
  if (conf.wpa === 1 || conf.wpa === 3) errors.push('WPA (version 1) is not supported by this build: use wpa=2');
  return { conf, errors };
}

export interface NetworkBlock {
  ssid: string;
  /** Quoted passphrase, or null when a raw PSK was given. */
  passphrase: string | null;
  psk: Uint8Array | null;
  keyMgmt: string;
  proto: string;
  pairwise: string;
  group: string;
  /** key_mgmt=NONE: an open network. */
  open: boolean;
  idStr: string;
}

export interface SupplicantConf {
  ctrlInterface: string;
  apScan: number;
  eapolVersion: number;
  networks: NetworkBlock[];
}

function unquote(v: string): string | null {
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : null;
}

export function parseSupplicantConf(text: string): { conf: SupplicantConf; errors: string[] } {
  const conf: SupplicantConf = { ctrlInterface: '', apScan: 1, eapolVersion: 1, networks: [] };
  const errors: string[] = [];
  let net: (NetworkBlock & { line: number }) | null = null;
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    const buf = raw.replace(/\r$/, '').trim();
    if (buf === '' || buf.startsWith('#')) return;
    if (net) {
      if (buf === '}') {
        if (!net.ssid) errors.push(`Line ${net.line}: network block was missing ssid`);
        else if (!net.open && !net.passphrase && !net.psk) errors.push(`Line ${net.line}: WPA-PSK accepted for key management, but no PSK configured.`);
        else conf.networks.push(net);
        net = null;
        return;
      }
      const eq = buf.indexOf('=');
      if (eq < 0) {
        errors.push(`Line ${line}: Invalid network line '${buf}'.`);
        return;
      }
      const name = buf.slice(0, eq).trim();
      const value = buf.slice(eq + 1).trim();
      switch (name) {
        case 'ssid': {
          const s = unquote(value) ?? (/^([0-9a-fA-F]{2})+$/.test(value) ? Buffer.from(value, 'hex').toString('latin1') : null);
          if (s === null || s.length < 1 || s.length > 32) errors.push(`Line ${line}: failed to parse ssid '${value}'.`);
          else net.ssid = s;
          break;
        }
        case 'psk': {
          const q = unquote(value);
          if (q !== null) {
            if (q.length < 8 || q.length > 63) errors.push(`Line ${line}: Invalid passphrase length ${q.length} (expected: 8..63) '${q}'.`);
            else net.passphrase = q;
          } else {
            const p = hex(value);
            if (!p) errors.push(`Line ${line}: Invalid PSK '${value}'.`);
            else net.psk = p;
          }
          break;
        }
        case 'key_mgmt':
          net.keyMgmt = value;
          net.open = value === 'NONE';
          if (!value.split(/\s+/).every((k) => k === 'WPA-PSK' || k === 'NONE')) errors.push(`Line ${line}: unsupported key_mgmt '${value}' (this build: WPA-PSK, NONE)`);
          break;
        case 'proto':
          net.proto = value;
          if (!value.split(/\s+/).some((p) => p === 'RSN' || p === 'WPA2')) errors.push(`Line ${line}: unsupported proto '${value}' (this build: RSN)`);
          break;
        case 'pairwise':
          net.pairwise = value;
          if (!value.split(/\s+/).includes('CCMP')) errors.push(`Line ${line}: unsupported pairwise '${value}' (this build: CCMP)`);
          break;
        case 'group':
          net.group = value;
          if (!value.split(/\s+/).includes('CCMP')) errors.push(`Line ${line}: unsupported group '${value}' (this build: CCMP)`);
          break;
        case 'id_str':
          net.idStr = unquote(value) ?? value;
          break;
        case 'scan_ssid': case 'priority': case 'disabled': case 'bssid': case 'mode': case 'frequency':
          break;
        default:
          errors.push(`Line ${line}: unknown network field '${name}'.`);
      }
      return;
    }
    if (buf === 'network={') {
      net = { ssid: '', passphrase: null, psk: null, keyMgmt: 'WPA-PSK', proto: 'RSN', pairwise: 'CCMP', group: 'CCMP', open: false, idStr: '', line };
      return;
    }
    const eq = buf.indexOf('=');
    if (eq < 0) {
      errors.push(`Line ${line}: Invalid configuration line '${buf}'.`);
      return;
    }
    const name = buf.slice(0, eq);
    const value = buf.slice(eq + 1);
    switch (name) {
      case 'ctrl_interface': conf.ctrlInterface = value; break;
      case 'ap_scan': conf.apScan = Number(value) || 0; break;
      case 'eapol_version':
        if (value !== '1' && value !== '2') errors.push(`Line ${line}: Invalid EAPOL version (${value}): only versions 1 and 2 are supported.`);
        else conf.eapolVersion = Number(value);
        break;
      case 'ctrl_interface_group': case 'update_config': case 'country': case 'fast_reauth': case 'device_name':
        break;
      default:
        errors.push(`Line ${line}: unknown global field '${name}'.`);
    }
  });
  if (net) errors.push(`Line ${(net as { line: number }).line}: network block was not terminated properly.`);
  return { conf, errors };
}
