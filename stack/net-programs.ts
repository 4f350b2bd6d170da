/**
 * The networking programs of a simulated QNX node (io-pkt-v4, ifconfig, ping, nicinfo, …) by program name.
 * Filled in by the io-pkt/utilities side; stack/programs.ts merges it with the shell's programs.
 */
import type { ProgramMain } from './kernel/api';
import { driverModules } from './drivers/index';
import { makeIoPkt } from './io-pkt/main';
import { ifconfig } from './utils/ifconfig';
import { arp } from './utils/arp';
import { mount, umount } from './utils/mount';
import { nc } from './utils/nc';
import { netstat } from './utils/netstat';
import { nicinfo } from './utils/nicinfo';
import { ping } from './utils/ping';
import { route } from './utils/route';
import { ttcp } from './utils/ttcp';
import { udpgen } from './utils/udpgen';
import { udpsink } from './utils/udpsink';
import { wlanctl } from './utils/wlanctl';
import { hostapd } from './utils/wpa/hostapd';
import { wpa_cli } from './utils/wpa/wpa_cli';
import { wpa_supplicant } from './utils/wpa/wpa_supplicant';
import { cryptostat } from './utils/cryptostat';
import { ping6 } from './utils/ping6';
import { ndp } from './utils/ndp';
import { rtadvd } from './utils/rtadvd';
import { sysctl } from './utils/sysctl';
import { tcpdump } from './utils/tcpdump/tcpdump';
import { pfctl } from './utils/pfctl/pfctl';
import { brconfig } from './utils/brconfig';
import { msgecho } from './utils/msgecho';
import { msgping } from './utils/msgping';

const modules = () => driverModules;

export const netPrograms: Record<string, ProgramMain> = {
  'io-pkt-v4': makeIoPkt('io-pkt-v4', modules),
  'io-pkt-v4-hc': makeIoPkt('io-pkt-v4-hc', modules),
  'io-pkt-v6-hc': makeIoPkt('io-pkt-v6-hc', modules),
  ifconfig,
  ping,
  netstat,
  nc,
  ttcp,
  arp,
  route,
  nicinfo,
  mount,
  umount,
  udpgen,
  udpsink,
  wlanctl,
  hostapd,
  wpa_supplicant,
  wpa_cli,
  cryptostat,
  ping6,
  ndp,
  rtadvd,
  sysctl,
  tcpdump,
  pfctl,
  brconfig,
  msgecho,
  msgping,
};
