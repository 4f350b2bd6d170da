/**
 * wpa_supplicant for the simulated QNX node: `wpa_supplicant [-B] [-d] [-D bsd] -i ifname -c config-file`.
 * Reads wpa_supplicant.conf, configures the station through the bsd driver's ioctls (roaming manual: the
 * supplicant picks the BSS; WPA=2, privacy, drop unencrypted, our RSN element for the association request via
 * IEEE80211_IOC_APPIE), scans (the SSID, SIOCS80211SCAN), chooses from the scan results (RTM_IEEE80211_SCAN,
 * SIOCG80211SCAN: SSID and a CCMP/PSK RSN element) and associates with MLME ASSOC, as wpa_supplicant with ap_scan=1
 * does; follows association events from the routing socket, runs the RSN supplicant (supplicant.ts) over
 * /dev/bpf, disables the network for a while after a wrong key (wpas_auth_failed: 10 s, 20 s, 60 s, …), and
 * answers `wpa_cli` on its control interface
 * `<ctrl_interface>/<ifname>`. The real control interface is an AF_UNIX datagram socket; this io-pkt has no
 * AF_UNIX, so wpa_supplicant attaches that path as a resource manager and wpa_cli sends it messages — the same
 * request and reply texts.
 */
import type { Co, ProgramMain, ThreadCtx } from '../../kernel/api';
import {
  IEEE80211_APPIE_WPA, IEEE80211_IOC_APPIE, IEEE80211_IOC_DROPUNENCRYPTED, IEEE80211_IOC_PRIVACY, IEEE80211_IOC_ROAMING,
  IEEE80211_IOC_MLME, IEEE80211_IOC_WPA, IEEE80211_MLME_ASSOC, IEEE80211_ROAMING_MANUAL, RTM_IEEE80211_ASSOC, RTM_IEEE80211_DISASSOC,
  RTM_IEEE80211_LEAVE, RTM_IEEE80211_MICHAEL, RTM_IEEE80211_REASSOC, RTM_IEEE80211_SCAN, type Ieee80211reqMlme,
  type RtIeee80211Msg,
} from '../../include/net80211/ieee80211_ioctl';
import { getopt } from '../../lib/getopt';
import { ioctl } from '../../lib/socket';
import { ipToString } from '../../net/wire/addr';
import { parseSupplicantConf, type NetworkBlock } from './config';
import { pbkdf2Psk } from './crypto';
import { BsdDriver } from './driver-bsd';
import { parseRsnIe, RSN_AKM_PSK, RSN_CIPHER_SUITE_CCMP, RSN_IE_PSK_CCMP } from './eapol';
import { Eloop } from './eloop';
import { PBKDF2_PSK_NS, programHost } from './program-host';
import { macStr, MS, SEC } from './sm-host';
import { Supplicant, type WpaState } from './supplicant';

/** The message wpa_cli sends to the control interface (wpa_ctrl_request), and the reply text. */
export const WPA_CTRL_REQUEST = 'wpa_ctrl_request';
export const WPA_CTRL_DEFAULT_DIR = '/var/run/wpa_supplicant';

/** ctrl_interface=DIR=/var/run/wpa_supplicant GROUP=wheel, or a plain directory. */
export function ctrlDir(v: string): string {
  const m = /DIR=(\S+)/.exec(v);
  return m ? m[1]! : v.trim() || WPA_CTRL_DEFAULT_DIR;
}

export const wpa_supplicant: ProgramMain = function* (ctx, argv) {
  const g = getopt(argv, 'BdhqstvKLc:i:D:P:f:C:b:p:N');
  const print = (t: string) => ctx.print(t);
  const opt = (c: string) => g.opts.find((o) => o.opt === c)?.arg ?? null;
  const ifname = opt('i');
  const file = opt('c');
  if (g.errors.length > 0 || !ifname || !file) {
    for (const e of g.errors) print(`wpa_supplicant: ${e}\n`);
    print('usage:\n  wpa_supplicant [-BddhKLqqstuvW] [-P<pid file>] [-g<global ctrl>] -i<ifname> -c<config file> [-D<driver>]\n');
    return 1;
  }
  const driver = opt('D') ?? 'bsd';
  if (driver !== 'bsd') {
    print(`Unsupported driver '${driver}'.\n`);
    return 1;
  }
  const text = ctx.fileRead ? yield* ctx.fileRead(file) : null;
  const parsed = text ? parseSupplicantConf(new TextDecoder().decode(text)) : null;
  if (!text) print(`Failed to open config file '${file}', error: No such file or directory\n`);
  for (const e of parsed?.errors ?? []) print(`${e}\n`);
  if (!parsed || parsed.errors.length > 0) {
    print(`Failed to read or parse configuration '${file}'.\n`);
    return 1;
  }
  const conf = parsed.conf;
  const drv = new BsdDriver(ifname, print);
  if (!(yield* drv.init(ctx))) {
    print(`${ifname}: Failed to initialize driver interface\n`);
    return 1;
  }
  const net: NetworkBlock | undefined = conf.networks[0];
  const loop = new Eloop(ctx);
  let supp: Supplicant | null = null;
  let openState: WpaState = 'DISCONNECTED';
  let openBssid: Uint8Array | null = null;
  if (net && !net.open) {
    ctx.charge(net.psk ? 0 : PBKDF2_PSK_NS);
    const pmk = net.psk ?? pbkdf2Psk(net.passphrase!, new TextEncoder().encode(net.ssid))!;
    supp = new Supplicant(
      { ifname, addr: drv.addr, pmk, rsnIe: RSN_IE_PSK_CCMP, ssid: net.ssid, eapolVersion: conf.eapolVersion },
      programHost(ctx, loop, drv, print),
    );
    // wpa_driver_bsd_set_wpa / set_drop_unencrypted / associate: RSN, privacy, our IE, then the SSID.
    if ((yield* drv.set80211(ctx, IEEE80211_IOC_WPA, 2)) !== 0) return 1;
    if ((yield* drv.set80211(ctx, IEEE80211_IOC_PRIVACY, 1)) !== 0) return 1;
    if ((yield* drv.set80211(ctx, IEEE80211_IOC_DROPUNENCRYPTED, 1)) !== 0) return 1;
    if ((yield* drv.set80211(ctx, IEEE80211_IOC_APPIE, IEEE80211_APPIE_WPA, RSN_IE_PSK_CCMP)) !== 0) return 1;
  }
  // wpa_driver_bsd_init: the supplicant, not net80211, chooses and joins the BSS.
  if ((yield* drv.set80211(ctx, IEEE80211_IOC_ROAMING, IEEE80211_ROAMING_MANUAL)) !== 0) return 1;
  print('Successfully initialized wpa_supplicant\n');
  const state = (): WpaState => supp?.state ?? openState;
  const setState = (st: WpaState) => {
    if (supp) supp.state = st;
    else openState = st;
  };
  /** ssid->auth_failures and the end of a temporary disabling (wpas_auth_failed). */
  let authFailures = 0;
  let disabledUntil = -1;
  let scanTimer: { cancel(): void } | null = null;

  /** wpa_supplicant_req_scan: scan after `ns` (the SSID set first, so net80211 probes for it). */
  const reqScan = (ns: number): void => {
    scanTimer?.cancel();
    scanTimer = loop.timeout(ns, () => {
      scanTimer = null;
      if (!net || ctx.now() < disabledUntil) return;
      setState('SCANNING');
      loop.defer(function* () {
        yield* ioctl(ctx, drv.s, 'SIOCS80211NWID', { name: ifname, ssid: net.ssid });
        yield* ioctl(ctx, drv.s, 'SIOCS80211SCAN', { name: ifname });
      });
    });
  };

  /** Scan results (wpa_supplicant_select_bss): the SSID, and for WPA2-PSK an RSN element naming CCMP and PSK. */
  function* scanResults(c: ThreadCtx): Co<void> {
    if (!net || !['SCANNING', 'DISCONNECTED', 'INACTIVE'].includes(state()) || c.now() < disabledUntil) return;
    const r = yield* ioctl(c, drv.s, 'SIOCG80211SCAN', { name: ifname });
    const results = ((r?.data as { results?: { ssid: string; bssid: string; chan: number; freq: number; rssi: number; capinfo: number; ie: Uint8Array }[] } | undefined)?.results ?? [])
      .filter((b) => b.ssid === net.ssid)
      .filter((b) => {
        const privacy = (b.capinfo & 0x0010) !== 0;
        if (net.open) return !privacy;
        const rsn = b.ie.length > 0 && b.ie[0] === 0x30 ? parseRsnIe(b.ie) : 'none';
        return privacy && typeof rsn !== 'string' && rsn.group === RSN_CIPHER_SUITE_CCMP && rsn.pairwise.includes(RSN_CIPHER_SUITE_CCMP) && rsn.akm.includes(RSN_AKM_PSK);
      })
      .sort((a, b) => b.rssi - a.rssi);
    const bss = results[0];
    if (!bss) {
      reqScan(5 * SEC);
      return;
    }
    const bssid = Uint8Array.from(bss.bssid.split(':').map((h) => parseInt(h, 16)));
    print(`${ifname}: Trying to associate with ${bss.bssid} (SSID='${net.ssid}' freq=${bss.freq} MHz)\n`);
    setState('ASSOCIATING');
    // wpa_driver_bsd_associate: MLME ASSOC with the BSSID and SSID.
    const ssid = new TextEncoder().encode(net.ssid);
    const m: Ieee80211reqMlme = { im_op: IEEE80211_MLME_ASSOC, im_macaddr: bssid, im_ssid: ssid, im_ssid_len: ssid.length };
    if ((yield* drv.set80211(c, IEEE80211_IOC_MLME, 0, m, 'ioctl[SIOCS80211, IEEE80211_IOC_MLME]')) !== 0) reqScan(SEC);
  }

  /** After a disconnect: a wrong key disables the network for a while (wpas_auth_failed), then scan again. */
  const disconnected = (fourWayFailed: boolean): void => {
    if (!net) return;
    setState('DISCONNECTED');
    if (fourWayFailed) {
      authFailures++;
      const dur = authFailures > 50 ? 300 : authFailures > 10 ? 120 : authFailures > 5 ? 90 : authFailures > 3 ? 60 : authFailures === 3 ? 30 : authFailures === 2 ? 20 : 10;
      disabledUntil = ctx.now() + dur * SEC;
      print(`${ifname}: CTRL-EVENT-SSID-TEMP-DISABLED id=0 ssid="${net.ssid}" auth_failures=${authFailures} duration=${dur} reason=WRONG_KEY\n`);
      loop.timeout(dur * SEC, () => {
        print(`${ifname}: CTRL-EVENT-SSID-REENABLED id=0 ssid="${net.ssid}"\n`);
        reqScan(0);
      });
      return;
    }
    reqScan(100 * MS);
  };
  if (supp) supp.onDisconnect = disconnected;
  if (net) reqScan(0);
  else openState = 'INACTIVE';

  const dir = ctrlDir(conf.ctrlInterface);
  if (conf.ctrlInterface) ctx.pathAttach(`${dir}/${ifname}`, loop.chid);
  loop.onMessage = function* (c, r) {
    const m = r.msg as { type: string; cmd?: unknown };
    if (m.type !== WPA_CTRL_REQUEST || typeof m.cmd !== 'string') {
      c.MsgError(r.rcvid, 22);
      return;
    }
    const reply = yield* ctrlCommand(c, m.cmd.trim());
    c.MsgReply(r.rcvid, { status: 0, data: reply, bytes: reply.length });
  };

  /** wpa_supplicant_ctrl_iface_process: STATUS, PING, and the connection commands. */
  function* ctrlCommand(c: ThreadCtx, cmd: string): Co<string> {
    switch (cmd.split(' ')[0]) {
      case 'PING':
        return 'PONG\n';
      case 'STATUS': {
        const lines: string[] = [];
        const st = state();
        const bssid = supp?.bssid ?? openBssid;
        if (bssid && ['ASSOCIATED', '4WAY_HANDSHAKE', 'GROUP_HANDSHAKE', 'COMPLETED'].includes(st)) {
          const s = yield* ioctl(c, drv.s, 'SIOCG80211STATUS', { name: ifname });
          const chan = (s?.data as { chan?: number } | undefined)?.chan ?? 0;
          lines.push(`bssid=${macStr(bssid)}`, `freq=${chan === 14 ? 2484 : 2407 + 5 * chan}`, `ssid=${net?.ssid ?? ''}`, 'id=0', 'mode=station');
          if (supp) lines.push('pairwise_cipher=CCMP', 'group_cipher=CCMP', 'key_mgmt=WPA2-PSK');
          else lines.push('pairwise_cipher=NONE', 'group_cipher=NONE', 'key_mgmt=NONE');
        }
        lines.push(`wpa_state=${st}`);
        const a = yield* ioctl(c, drv.s, 'SIOCGIFADDR', { name: ifname });
        const ip = (a?.data as { addr?: number } | undefined)?.addr;
        if (ip !== undefined) lines.push(`ip_address=${ipToString(ip)}`);
        lines.push(`address=${macStr(drv.addr)}`);
        return lines.join('\n') + '\n';
      }
      case 'DISCONNECT': {
        const b = supp?.bssid ?? openBssid;
        if (b) yield* drv.deauth(c, b, 3);
        return 'OK\n';
      }
      case 'REASSOCIATE':
      case 'RECONNECT':
        disabledUntil = -1;
        reqScan(0);
        return 'OK\n';
      default:
        return 'UNKNOWN COMMAND\n';
    }
  }

  const onEvent = (m: RtIeee80211Msg): void => {
    const ev = m.event;
    switch (ev.what) {
      case RTM_IEEE80211_SCAN:
        loop.defer(() => scanResults(ctx));
        return;
      case RTM_IEEE80211_ASSOC:
      case RTM_IEEE80211_REASSOC:
        scanTimer?.cancel();
        if (supp) supp.associated(ev.addr);
        else {
          openBssid = ev.addr.slice(0, 6);
          openState = 'COMPLETED';
          print(`${ifname}: Associated with ${macStr(ev.addr)}\n${ifname}: CTRL-EVENT-CONNECTED - Connection to ${macStr(ev.addr)} completed [id=0 id_str=]\n`);
        }
        return;
      case RTM_IEEE80211_DISASSOC:
      case RTM_IEEE80211_LEAVE:
        // driver_bsd reports no reason code with the event.
        if (supp) supp.disassociated(0);
        else if (openState === 'COMPLETED') {
          print(`${ifname}: CTRL-EVENT-DISCONNECTED bssid=${macStr(openBssid!)} reason=0\n`);
          disconnected(false);
        }
        return;
      case RTM_IEEE80211_MICHAEL:
        supp?.michaelFailure((ev.dst[0]! & 1) !== 0);
        return;
      default:
    }
  };
  drv.startReaders(ctx, loop, (src, frame) => {
    supp?.receive(src, frame);
    if (supp?.state === 'COMPLETED') authFailures = 0;
  }, onEvent);
  ctx.onTerminate(() => {
    loop.terminate = true;
  });
  if (g.opts.some((o) => o.opt === 'B')) ctx.daemonize();
  yield* loop.run();
  return 0;
};
