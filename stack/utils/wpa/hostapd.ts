/**
 * hostapd for the simulated QNX node: `hostapd [-B] [-d] config-file`. Reads hostapd.conf from the node's
 * files (a buildfile inline file or /dev/shmem), configures the BSS through the bsd driver's ioctls (WPA=2,
 * privacy, drop unencrypted, the RSN element for beacons and probe responses through IEEE80211_IOC_APPIE, the
 * SSID), installs the first GTK, then runs the RSN authenticator (authenticator.ts) for every station the
 * routing socket reports associated, with EAPOL over /dev/bpf. Output lines follow hostapd's.
 */
import type { ProgramMain } from '../../kernel/api';
import {
  IEEE80211_APPIE_WPA, IEEE80211_IOC_APPIE, IEEE80211_IOC_DROPUNENCRYPTED, IEEE80211_IOC_PRIVACY, IEEE80211_IOC_WPA,
  RTM_IEEE80211_ASSOC, RTM_IEEE80211_DISASSOC, RTM_IEEE80211_JOIN, RTM_IEEE80211_LEAVE, RTM_IEEE80211_MICHAEL,
  RTM_IEEE80211_REASSOC, RTM_IEEE80211_REJOIN, RTM_IEEE80211_REPLAY, type RtIeee80211Msg,
} from '../../include/net80211/ieee80211_ioctl';
import { getopt } from '../../lib/getopt';
import { ioctl } from '../../lib/socket';
import { Authenticator } from './authenticator';
import { parseHostapdConf } from './config';
import { pbkdf2Psk } from './crypto';
import { BsdDriver } from './driver-bsd';
import { RSN_IE_PSK_CCMP } from './eapol';
import { Eloop } from './eloop';
import { PBKDF2_PSK_NS, programHost } from './program-host';
import { macStr } from './sm-host';

export const hostapd: ProgramMain = function* (ctx, argv) {
  const g = getopt(argv, 'BdhKtvP:e:g:G:');
  const print = (t: string) => ctx.print(t);
  const file = g.operands[0];
  if (g.errors.length > 0 || !file) {
    print('usage: hostapd [-hdBKtv] [-P <PID file>] <configuration file(s)>\n');
    return 1;
  }
  const daemon = g.opts.some((o) => o.opt === 'B');
  print(`Configuration file: ${file}\n`);
  const text = ctx.fileRead ? yield* ctx.fileRead(file) : null;
  if (!text) {
    print(`Could not open configuration file '${file}' for reading.\nFailed to set up interface with ${file}\nFailed to initialize interface\n`);
    return 1;
  }
  const { conf, errors } = parseHostapdConf(new TextDecoder().decode(text));
  if (errors.length > 0) {
    for (const e of errors) print(`${e}\n`);
    print(`${errors.length} errors found in configuration file '${file}'\nFailed to set up interface with ${file}\nFailed to initialize interface\n`);
    return 1;
  }
  const drv = new BsdDriver(conf.interface, print);
  if (!(yield* drv.init(ctx))) {
    print(`${conf.interface}: Unable to setup interface.\n`);
    return 1;
  }
  const ssid = new TextEncoder().encode(conf.ssid);
  let pmk: Uint8Array | null = null;
  if (conf.wpa) {
    ctx.charge(conf.psk ? 0 : PBKDF2_PSK_NS);
    pmk = conf.psk ?? pbkdf2Psk(conf.passphrase!, ssid);
    // hostapd_setup_wpa / bsd_set_ieee8021x: WPA mode, privacy, the RSN IE, drop unencrypted.
    if ((yield* drv.set80211(ctx, IEEE80211_IOC_WPA, conf.wpa)) !== 0) return 1;
    if ((yield* drv.set80211(ctx, IEEE80211_IOC_PRIVACY, 1)) !== 0) return 1;
    if ((yield* drv.set80211(ctx, IEEE80211_IOC_DROPUNENCRYPTED, 1)) !== 0) return 1;
    if ((yield* drv.set80211(ctx, IEEE80211_IOC_APPIE, IEEE80211_APPIE_WPA, RSN_IE_PSK_CCMP)) !== 0) return 1;
  }
  if (conf.channel > 0) yield* ioctl(ctx, drv.s, 'SIOCS80211CHANNEL', { name: conf.interface, chan: conf.channel });
  if (!(yield* ioctl(ctx, drv.s, 'SIOCS80211NWID', { name: conf.interface, ssid: conf.ssid }))) {
    print(`Could not set SSID for kernel driver\n`);
    return 1;
  }
  print(`Using interface ${conf.interface} with hwaddr ${macStr(drv.addr)} and ssid "${conf.ssid}"\n`);
  const loop = new Eloop(ctx);
  const auth = pmk
    ? new Authenticator(
        { ifname: conf.interface, addr: drv.addr, pmk, rsnIe: RSN_IE_PSK_CCMP, groupRekeySec: conf.groupRekey, eapolVersion: conf.eapolVersion },
        programHost(ctx, loop, drv, print),
      )
    : null;
  auth?.start();
  print(`${conf.interface}: interface state UNINITIALIZED->ENABLED\n${conf.interface}: AP-ENABLED\n`);
  const connected = new Set<string>();

  const onEvent = (m: RtIeee80211Msg): void => {
    const ev = m.event;
    const tag = `${conf.interface}: STA`;
    switch (ev.what) {
      // An AP's net80211 announces a station with JOIN/REJOIN (ieee80211_notify_node_join), which
      // driver_bsd's bsd_wireless_event_receive turns into a new station; ASSOC/REASSOC are a station's events.
      case RTM_IEEE80211_JOIN:
      case RTM_IEEE80211_REJOIN:
      case RTM_IEEE80211_ASSOC:
      case RTM_IEEE80211_REASSOC: {
        const addr = ev.addr;
        print(`${tag} ${macStr(addr)} IEEE 802.11: associated\n`);
        if (!auth) {
          print(`${conf.interface}: AP-STA-CONNECTED ${macStr(addr)}\n`);
          return;
        }
        loop.defer(function* () {
          const ie = yield* drv.stationIe(ctx, addr);
          if (!ie) print(`${tag} ${macStr(addr)} WPA: No WPA/RSN IE from (Re)AssocReq\n`);
          if (auth.associated(addr, ie)) connected.add(macStr(addr));
        });
        return;
      }
      case RTM_IEEE80211_DISASSOC:
      case RTM_IEEE80211_LEAVE: {
        const a = macStr(ev.addr);
        print(`${tag} ${a} IEEE 802.11: disassociated\n`);
        if (connected.delete(a) || !auth) print(`${conf.interface}: AP-STA-DISCONNECTED ${a}\n`);
        auth?.disassociated(ev.addr);
        return;
      }
      case RTM_IEEE80211_MICHAEL:
        auth?.michaelFailure(ev.src);
        return;
      case RTM_IEEE80211_REPLAY:
        // driver_bsd ignores replay events; the stack has counted and dropped the frame.
        ctx.trace('wpa', 'replay-event', 0, { src: macStr(ev.src), keyix: ev.keyix });
        return;
      default:
    }
  };
  drv.startReaders(ctx, loop, (src, frame) => {
    if (!auth) return;
    loop.defer(function* () {
      if (auth.txGtkIndex > 0) auth.groupTsc = yield* drv.groupKeyTsc(ctx, auth.txGtkIndex);
      auth.receive(src, frame);
    });
  }, onEvent);
  ctx.onTerminate(() => {
    auth?.stop();
    loop.terminate = true;
  });
  if (daemon) ctx.daemonize();
  yield* loop.run();
  return 0;
};
