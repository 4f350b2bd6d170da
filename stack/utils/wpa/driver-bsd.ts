/**
 * What hostapd and wpa_supplicant's "bsd" driver (src/drivers/driver_bsd.c) and l2_packet (src/l2_packet/
 * l2_packet_freebsd.c, over /dev/bpf) do against io-pkt: SIOCS80211/SIOCG80211 ioctls from
 * <net80211/ieee80211_ioctl.h> on a datagram socket, RTM_IEEE80211 events read from a routing socket, and EAPOL
 * frames (EtherType 0x888E) read and written through a BPF descriptor bound to the interface with the filter
 * `ether proto 0x888e` in immediate mode. The programs' state machines reach the stack only through these.
 */
import type { Co, ThreadCtx } from '../../kernel/api';
import { AF_INET, AF_ROUTE, SOCK_DGRAM, SOCK_RAW } from '../../include/sys/socket';
import {
  BPF_ABS, BPF_H, BPF_JEQ, BPF_JMP, BPF_JUMP, BPF_K, BPF_LD, BPF_RET, BPF_STMT, bpfRecords, type BpfInsn,
} from '../../include/net/bpf';
import {
  IEEE80211_CIPHER_AES_CCM, IEEE80211_KEY_DEFAULT, IEEE80211_KEY_GROUP, IEEE80211_KEY_RECV, IEEE80211_KEY_XMIT,
  IEEE80211_KEYIX_NONE, IEEE80211_IOC_MLME, IEEE80211_IOC_WPAIE, IEEE80211_IOC_WPAKEY, IEEE80211_MLME_AUTHORIZE,
  IEEE80211_MLME_DEAUTH, IEEE80211_MLME_UNAUTHORIZE, parseRtIeee80211Msg, type Ieee80211reqKey, type Ieee80211reqMlme,
  type Ieee80211reqWpaie, type RtIeee80211Msg,
} from '../../include/net80211/ieee80211_ioctl';
import { bpfIoctl, bpfOpen, bpfRead, bpfWrite } from '../../lib/bpf';
import { errno, ioctl, recvfrom, socket } from '../../lib/socket';
import { strerror } from '../../kernel/api';
import { ETHERTYPE_PAE } from './eapol';
import type { Eloop } from './eloop';
import { PRF_NS, WPA_EVENT_NS } from './program-host';
import type { KeyInstall } from './sm-host';

/** `tcpdump -dd ether proto 0x888e`: what l2_packet_init installs for ETH_P_EAPOL. */
export const EAPOL_FILTER: BpfInsn[] = [
  BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETHERTYPE_PAE, 0, 1),
  BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
  BPF_STMT(BPF_RET | BPF_K, 0),
];

export class BsdDriver {
  /** The datagram socket for ioctls, the routing socket, the BPF descriptor. */
  s = -1;
  route = -1;
  bpf = -1;
  private blen = 0;
  addr = new Uint8Array(6);

  constructor(readonly ifname: string, private readonly print: (t: string) => void) {}

  /** bsd_init: the sockets and l2_packet_init. False (after a message) when something is missing. */
  *init(ctx: ThreadCtx): Co<boolean> {
    this.s = yield* socket(ctx, AF_INET, SOCK_DGRAM, 0);
    if (this.s < 0) return this.fail(ctx, 'socket[PF_INET,SOCK_DGRAM]');
    this.route = yield* socket(ctx, AF_ROUTE, SOCK_RAW, 0);
    if (this.route < 0) return this.fail(ctx, 'socket(PF_ROUTE,SOCK_RAW)');
    const conf = yield* ioctl(ctx, this.s, 'SIOCGIFCONF', {});
    const ifs = (conf?.data as { ifs?: { name: string; lladdr: Uint8Array }[] } | undefined)?.ifs ?? [];
    const me = ifs.find((i) => i.name === this.ifname);
    if (!me) {
      this.print(`Could not get interface ${this.ifname} flags: ${strerror(6)}\n`);
      return false;
    }
    this.addr = me.lladdr.slice(0, 6);
    this.bpf = yield* bpfOpen(ctx);
    if (this.bpf < 0) return this.fail(ctx, 'l2_packet_init: open /dev/bpf');
    if (!(yield* bpfIoctl(ctx, this.bpf, 'BIOCSETIF', { ifname: this.ifname }))) return this.fail(ctx, 'l2_packet_init: ioctl[BIOCSETIF]');
    if (!(yield* bpfIoctl(ctx, this.bpf, 'BIOCSETF', { insns: EAPOL_FILTER }))) return this.fail(ctx, 'l2_packet_init: ioctl[BIOCSETF]');
    yield* bpfIoctl(ctx, this.bpf, 'BIOCIMMEDIATE', { on: 1 });
    yield* bpfIoctl(ctx, this.bpf, 'BIOCSHDRCMPLT', { on: 1 });
    const bl = yield* bpfIoctl(ctx, this.bpf, 'BIOCGBLEN');
    this.blen = typeof bl?.len === 'number' ? bl.len : 32768;
    return true;
  }

  private fail(ctx: ThreadCtx, what: string): false {
    this.print(`${what}: ${strerror(errno(ctx))}\n`);
    return false;
  }

  /** set80211var / set80211param. Returns 0 or errno (printed as driver_bsd prints it). */
  *set80211(ctx: ThreadCtx, type: number, val: number, data?: unknown, what = `ioctl[SIOCS80211, op ${type}]`): Co<number> {
    const r = yield* ioctl(ctx, this.s, 'SIOCS80211', { name: this.ifname, type, val, len: data instanceof Uint8Array ? data.length : 0, ...(data !== undefined ? { data } : {}) });
    if (r) return 0;
    const e = errno(ctx);
    this.print(`${what} len=${data instanceof Uint8Array ? data.length : 0}: ${strerror(e)}\n`);
    return e;
  }

  /** get80211var: the reply's data (Ieee80211reqReply: { val } for flags, the struct itself for WPAKEY/WPAIE). */
  *get80211(ctx: ThreadCtx, type: number, data?: unknown): Co<unknown> {
    const r = yield* ioctl(ctx, this.s, 'SIOCG80211', { name: this.ifname, type, ...(data !== undefined ? { data } : {}) });
    return r ? r.data : null;
  }

  /** bsd_set_key: ik_flags RECV (+XMIT), GROUP and the index for a group key, DEFAULT for a transmit group key. */
  *setKey(ctx: ThreadCtx, k: KeyInstall): Co<number> {
    let flags = IEEE80211_KEY_RECV | (k.tx ? IEEE80211_KEY_XMIT : 0);
    let keyix = IEEE80211_KEYIX_NONE;
    if (k.kind === 'group') {
      flags |= IEEE80211_KEY_GROUP;
      keyix = k.keyIndex;
      if (k.tx) flags |= IEEE80211_KEY_DEFAULT;
    }
    let rsc = 0n;
    for (let i = 5; i >= 0; i--) rsc = (rsc << 8n) | BigInt(k.rsc[i] ?? 0);
    const key: Ieee80211reqKey = {
      ik_type: IEEE80211_CIPHER_AES_CCM, ik_keyix: keyix, ik_keylen: k.key.length, ik_flags: flags, ik_macaddr: k.addr.slice(0, 6),
      ik_keyrsc: rsc, ik_keytsc: 0n, ik_keydata: k.key.slice(),
    };
    return yield* this.set80211(ctx, IEEE80211_IOC_WPAKEY, 0, key, 'ioctl[SIOCS80211, IEEE80211_IOC_WPAKEY]');
  }

  *mlme(ctx: ThreadCtx, op: number, addr: Uint8Array, reason = 0): Co<number> {
    const m: Ieee80211reqMlme = { im_op: op, im_macaddr: addr.slice(0, 6), im_reason: reason };
    return yield* this.set80211(ctx, IEEE80211_IOC_MLME, 0, m, 'ioctl[SIOCS80211, IEEE80211_IOC_MLME]');
  }

  *authorize(ctx: ThreadCtx, addr: Uint8Array, on: boolean): Co<number> {
    return yield* this.mlme(ctx, on ? IEEE80211_MLME_AUTHORIZE : IEEE80211_MLME_UNAUTHORIZE, addr);
  }

  *deauth(ctx: ThreadCtx, addr: Uint8Array, reason: number): Co<number> {
    return yield* this.mlme(ctx, IEEE80211_MLME_DEAUTH, addr, reason);
  }

  /** bsd_get_seqnum: the transmit sequence counter (PN) of a group key (ik_keytsc), 0 when unknown. */
  *groupKeyTsc(ctx: ThreadCtx, keyix: number): Co<bigint> {
    const k = (yield* this.get80211(ctx, IEEE80211_IOC_WPAKEY, { ik_keyix: keyix, ik_macaddr: Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff) })) as Partial<Ieee80211reqKey> | null;
    return typeof k?.ik_keytsc === 'bigint' ? k.ik_keytsc : 0n;
  }

  /** bsd_get_wpa_ie (hostapd): the RSN (or WPA) IE a station associated with; null if none. */
  *stationIe(ctx: ThreadCtx, addr: Uint8Array): Co<Uint8Array | null> {
    const ie = (yield* this.get80211(ctx, IEEE80211_IOC_WPAIE, { wpa_macaddr: addr.slice(0, 6) })) as Ieee80211reqWpaie | null;
    if (!ie) return null;
    if (ie.rsn_ie && ie.rsn_ie.length > 0) return ie.rsn_ie;
    return ie.wpa_ie && ie.wpa_ie.length > 0 ? ie.wpa_ie : null;
  }

  /** l2_packet_send: Ethernet header (ours as source, BIOCSHDRCMPLT) + the EAPOL frame. */
  *sendEapol(ctx: ThreadCtx, dst: Uint8Array, frame: Uint8Array): Co<void> {
    const f = new Uint8Array(14 + frame.length);
    f.set(dst.subarray(0, 6), 0);
    f.set(this.addr, 6);
    f[12] = ETHERTYPE_PAE >> 8;
    f[13] = ETHERTYPE_PAE & 0xff;
    f.set(frame, 14);
    if ((yield* bpfWrite(ctx, this.bpf, f)) < 0) this.print(`l2_packet_send - write: ${strerror(errno(ctx))}\n`);
  }

  /** Reader threads: EAPOL frames from BPF and events from the routing socket, posted to the loop. */
  startReaders(
    ctx: ThreadCtx,
    loop: Eloop,
    onEapol: (src: Uint8Array, frame: Uint8Array) => void,
    onEvent: (m: RtIeee80211Msg) => void,
  ): void {
    const bpf = this.bpf;
    const blen = this.blen;
    const route = this.route;
    const ifname = this.ifname;
    ctx.ThreadCreate('l2_packet', ctx.getPriority(), function* (t) {
      for (;;) {
        const buf = yield* bpfRead(t, bpf, blen);
        if (!buf) return;
        for (const r of bpfRecords(buf)) {
          if (r.data.length < 14) continue;
          const src = r.data.slice(6, 12);
          const frame = r.data.slice(14);
          // Parsing, PTK derivation or MIC check of one EAPOL-Key frame, on the event-loop thread.
          loop.post(t, () => {
            ctx.charge(WPA_EVENT_NS + PRF_NS);
            onEapol(src, frame);
          });
        }
      }
    });
    ctx.ThreadCreate('rtsock', ctx.getPriority(), function* (t) {
      for (;;) {
        const r = yield* recvfrom(t, route, 2048);
        if (r.n < 0) return;
        const m = parseRtIeee80211Msg(r.data);
        if (m && m.ifname === ifname) loop.post(t, () => onEvent(m));
      }
    });
  }
}
