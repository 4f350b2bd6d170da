/**
 * CPU cost of the packet filter (OpenBSD/NetBSD pf.c as lsm-pf-v4.so runs it), charged through NetEnv.charge to
 * the thread running the pfil hook (the stack context's holder, or the receiving thread on io-pkt's layer-2
 * paths). Same machine as stack/net/costs.ts: a ~1 GHz x86 of the QNX 6.6 era.
 *
 * Derivations (instruction counts read off pf.c's loops, ~1 instruction per ns, plus memory stalls):
 * - pfTest: pf_test's fixed part: pf_pdesc setup, pf_pull_hdr of the transport header (a 20-byte copy), the
 *   protocol switch, the counters at `done:` — about 300 instructions and two cache lines: 400 ns.
 * - ruleEval: one pass of pf_test_rule's `while (r != NULL)` loop: r->evaluations++, up to eight compares
 *   (kif, direction, af, proto, src/dst address and ports) on a struct pf_rule that is ~1 KB and rarely in
 *   cache (one miss, ~60 ns on that memory) plus ~25 instructions: 90 ns per rule looked at. Skip steps jump
 *   over rules that are then neither looked at nor charged, as in pf.
 * - stateLookup: pf_find_state's RB_FIND in a tree of states: ~log2(n) compares of a 40-byte key, each a
 *   pointer chase; for the tens-to-thousands of states of a small router ~10 levels × 25 ns: 250 ns.
 * - stateInsert: pool_get + two RB_INSERTs (lan_ext, ext_gwy) + the state's initialization: 700 ns.
 * - stateUpdate: pf_test_state_*'s peer-state and expiry update after a match: 120 ns.
 * - translate: pf_change_ap / pf_change_a: four to six pf_cksum_fixup calls and the stores: 80 ns.
 * - purgePerState: pf_purge_expired_states' look at one state (pf_state_expires, a compare): 40 ns; an
 *   unlinked state costs stateInsert's tree work again (removal).
 * - pflogHeader: pflog_packet's pfloghdr fill (64 bytes, strlcpy of two names) before bpf_mtap2: 200 ns.
 */
export const PfCost = {
  pfTest: 400,
  ruleEval: 90,
  stateLookup: 250,
  stateInsert: 700,
  stateUpdate: 120,
  translate: 80,
  purgePerState: 40,
  pflogHeader: 200,
} as const;
