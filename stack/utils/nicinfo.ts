/**
 * nicinfo (QNX): the driver's configuration and statistics, read with SIOCGDRVCOM (DRVCOM_CONFIG,
 * DRVCOM_STATS), printed with QNX's dotted labels. No operand: every interface that answers.
 */
import type { Co, ProgramMain, ThreadCtx } from '../kernel/api';
import { strerror } from '../lib/errno';
import { close, errno, ioctl } from '../lib/socket';
import type { NicConfig, NicStats } from '../net/hw-nicinfo';
import type { IfInfo } from '../io-pkt/ioctl';
import { ioctlSocket } from './common';
import type { Ieee80211Status } from '../net80211/ioctl';

/** The 802.11 rows nicinfo adds for a wireless interface: network, channel, BSSID, mode, link. */
export function formatWireless(w: Ieee80211Status): string {
  let t = row('Network Name (SSID)', w.ssid === '' ? '(none)' : w.ssid);
  t += row('Channel', w.chan === 0xffff ? 'any' : w.chan);
  t += row('BSSID', w.bssid);
  t += row('Operating Mode', w.opmode === 'hostap' ? 'Access Point' : w.opmode === 'ibss' ? 'Ad-hoc' : w.opmode === 'monitor' ? 'Monitor' : 'Station');
  t += row('802.11 State', w.state);
  if (w.opmode === 'hostap') t += row('Associated Stations', w.stations);
  return `${t}\n`;
}

/** Labels are padded with dots to a fixed column, as nicinfo prints them. */
const LABEL_WIDTH = 44;

function row(label: string, value: string | number): string {
  const dots = Math.max(3, LABEL_WIDTH - label.length - 1);
  return `  ${label} ${'.'.repeat(dots)} ${value}\n`;
}

function nodeId(mac: Uint8Array): string {
  const h = (i: number) => (mac[i] ?? 0).toString(16).toUpperCase().padStart(2, '0');
  return `${h(0)}${h(1)}${h(2)} ${h(3)}${h(4)}${h(5)}`;
}

function rate(kbps: number): string {
  if (kbps >= 1000) return `${(kbps / 1000).toFixed(2)} Mb/s`;
  return `${kbps} Kb/s`;
}

export function formatNicinfo(name: string, c: NicConfig, s: NicStats, info: IfInfo): string {
  let t = `${name}:\n  ${c.description}\n\n`;
  t += row('Physical Node ID', nodeId(c.permanentMac));
  t += row('Current Physical Node ID', nodeId(c.mac));
  t += row('Current Operation Rate', info.media.linkUp ? `${rate(c.mediaRateKbps)} ${c.fullDuplex ? 'full-duplex' : 'half-duplex'}` : 'Unknown');
  t += row('Active Interface Type', c.connector === 'unknown' ? 'Unknown' : c.connector);
  if (c.phyAddress !== undefined) t += row('  Active PHY address', c.phyAddress);
  t += row('Maximum Transmittable data Unit', c.mtu);
  t += row('Maximum Receivable data Unit', c.mtu);
  for (const irq of c.irq) t += row('Hardware Interrupt', `0x${irq.toString(16)}`);
  for (const w of c.ioPorts) t += row('I/O Aperture', `0x${w.base.toString(16)} - 0x${(w.base + w.length - 1).toString(16)}`);
  for (const w of c.memWindows) t += row('Memory Aperture', `0x${w.base.toString(16)} - 0x${(w.base + w.length - 1).toString(16)}`);
  t += row('Promiscuous Mode', c.promiscuous ? 'On' : 'Off');
  t += row('Multicast Support', c.multicast ? 'Enabled' : 'Disabled');
  if (c.crypto) {
    const k = c.crypto;
    t += row('Hardware Crypto Engine', `${k.engine} (${k.algs.join(', ')})`);
    t += row('  Crypto Requests', `${k.requests} (${k.encrypts} encrypt, ${k.decrypts} decrypt)`);
    t += row('  Crypto Bytes', k.bytes);
    t += row('  Crypto Errors', `${k.errors} (${k.micFailures} MIC failures)`);
  }
  t += '\n';
  t += row('Packets Transmitted OK', s.txOk);
  t += row('Bytes Transmitted OK', s.txBytes);
  t += row('Broadcast Packets Transmitted OK', s.txBroadcast);
  t += row('Multicast Packets Transmitted OK', s.txMulticast);
  t += row('Memory Allocation Failures on Transmit', s.txFailedAllocs);
  t += '\n';
  t += row('Packets Received OK', s.rxOk);
  t += row('Bytes Received OK', s.rxBytes);
  t += row('Broadcast Packets Received OK', s.rxBroadcast);
  t += row('Multicast Packets Received OK', s.rxMulticast);
  t += row('Memory Allocation Failures on Receive', s.rxFailedAllocs);
  t += '\n';
  t += row('Single Collisions on Transmit', s.txSingleCollisions);
  t += row('Multiple Collisions on Transmit', s.txMultiCollisions);
  t += row('Deferred Transmits', s.txDeferred);
  t += row('Late Collision on Transmit errors', s.txLateCollisions);
  t += row('Transmits aborted (excessive collisions)', s.txExcessiveCollisions);
  t += row('Transmit Underruns', s.txUnderruns);
  t += row('No Carrier on Transmit', s.txCarrierLost);
  t += row('Receive Alignment errors', s.rxAlignErrors);
  t += row('Received packets with CRC errors', s.rxCrcErrors);
  t += row('Packets Dropped on receive', s.rxMissed);
  t += row('Receive Overruns', s.rxOverruns);
  t += row('Short packets', s.rxRunts);
  return t;
}

export const nicinfo: ProgramMain = function* (ctx: ThreadCtx, argv: string[]): Co<number> {
  const names = argv.slice(1).filter((a) => !a.startsWith('-'));
  const s = yield* ioctlSocket(ctx, 'nicinfo');
  if (s < 0) return 1;
  let status = 0;
  try {
    let targets = names;
    if (targets.length === 0) {
      const r = yield* ioctl(ctx, s, 'SIOCGIFCONF', {});
      targets = r ? (r.data as { ifs: IfInfo[] }).ifs.filter((i) => i.type === 'ether').map((i) => i.name) : [];
    }
    for (const name of targets) {
      const info = yield* ioctl(ctx, s, 'SIOCGIFDATA', { name });
      const cfg = info ? yield* ioctl(ctx, s, 'SIOCGDRVCOM', { name, cmd: 'DRVCOM_CONFIG' }) : null;
      const sts = cfg ? yield* ioctl(ctx, s, 'SIOCGDRVCOM', { name, cmd: 'DRVCOM_STATS' }) : null;
      if (!info || !cfg || !sts) {
        ctx.print(`nicinfo: ${name}: ${strerror(errno(ctx))}\n`);
        status = 1;
        continue;
      }
      const i = info.data as IfInfo;
      const text = formatNicinfo(i.name, cfg.data as NicConfig, sts.data as NicStats, i);
      const w = yield* ioctl(ctx, s, 'SIOCG80211STATUS', { name });
      if (!w) ctx.print(text);
      else {
        // A wireless interface: its 802.11 state after the configuration block.
        const cut = text.indexOf('\n\n', text.indexOf('Multicast Support'));
        ctx.print(`${text.slice(0, cut + 2)}${formatWireless(w.data as Ieee80211Status)}${text.slice(cut + 2)}`);
      }
    }
  } finally {
    yield* close(ctx, s);
  }
  return status;
};
