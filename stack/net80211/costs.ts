/**
 * CPU cost of the 802.11 layer in io-pkt, charged to the thread holding the stack context, in the same terms
 * as stack/net/costs.ts (assumptions for a ~1 GHz x86 of the QNX 6.6 era running NetBSD's net80211; the
 * order of magnitude of the C paths, not a measured machine). Change them here only. Only paths that run in
 * the stack context charge here; ieee80211_encap and ieee80211_beacon_update run wherever the driver calls
 * them (its if_start, its beacon interrupt) and belong to the driver's per-frame costs.
 */
export const Net80211Cost = {
  /** ieee80211_input: header checks, node lookup, duplicate check, RSSI average (ns per frame). */
  input: 600,
  /** ieee80211_decap: addresses by direction, LLC/SNAP strip, Ethernet header (ns per data frame). */
  decap: 300,
  /** ieee80211_recv_mgmt: element parse and the state work it triggers (ns per management frame). */
  recvMgmt: 2500,
  /** ieee80211_send_mgmt / send_probereq: build a management frame and queue it on ic_mgtq (ns). */
  sendMgmt: 2000,
  /** Copying frame bytes (decapsulation, relay copies) (ns per byte, as NetCost.copyPerByte). */
  copyPerByte: 0.5,
} as const;
