/**
 * The TSF timer and the beacon timer (IEEE 802.11-2012 10.1.3): a 64-bit 1 MHz counter (CSR16 low, CSR17 high) that
 * runs while CSR14.TSF_COUNT is set; target beacon transmission times (TBTT) where the TSF is a multiple of the beacon
 * interval (CSR12 BEACON_INTERVAL in 1/16 TU, 64 µs: rt2500pci_config_intf and NetBSD rt2560_enable_tsf_sync write
 * 16 × interval). At each TBTT with CSR14.TBCN the chip raises TBCN_EXPIRE (CSR7 bit 0); with BEACON_GEN it also
 * sends the beacon ring's descriptor (tx.ts `beaconAtTbtt`).
 *
 * TSF_SYNC (CSR14[2:1]): 1 = infrastructure station, adopt the timestamp of every beacon from our BSSID (CSR5/CSR6);
 * 2 = IBSS, adopt it only when later than ours (10.1.3.2, 10.1.3.3); 0 and 3 (Linux writes 3 for an AP) never
 * adopt. The adopted value is the timestamp plus the time from its first bit on the air to now (10.1.3.1).
 * The TBCN preload (CSR14[31:16]) and CFP timers are stored and not modelled *(I)*.
 */
import { SimEvent } from '../../emulator/machine/sim/event';
import { Priority } from '../../emulator/machine/sim/priority';
import type { Time } from '../../emulator/machine/sim/time';
import type { WifiRate } from '../../emulator/machine/net/wireless/radio';
import type { Rt2560Core } from './core';
import { airtimeNs, byteOffsetNs } from './phy';
import { CSR, CSR14_BITS, CSR15_BITS, INT } from './regs';

const TWO64 = 1n << 64n;

export interface TsfState {
  /** The 64-bit TSF at `at`, as a decimal string (a JSON number cannot hold 64 bits exactly). */
  base: string;
  at: Time;
  counting: boolean;
  tbtt: Time;
}

export class Tsf {
  /**
   * TSF value (µs) at time `at` (ns); it advances from there while counting. The counter is 64 bits wide and wraps
   * (802.11-2012 10.1.3.1): kept exact as a bigint. As a float it lost its low bits above 2^53, after a driver
   * loaded a large TSF through CSR17, and the next TBTT then fell on the current instant again and again (found
   * by the fuzzer, nic/rt2560).
   */
  private base = 0n;
  private at: Time = 0;
  private counting = false;
  readonly tbttEv: SimEvent;

  constructor(private readonly c: Rt2560Core) {
    this.tbttEv = new SimEvent(`${c.ctx.name}.tbtt`, () => this.tbtt(), Priority.Device);
  }

  reset(): void {
    this.base = 0n;
    this.at = this.c.now;
    this.counting = false;
    this.c.ctx.queue.deschedule(this.tbttEv);
  }

  /** Microseconds counted since `at` up to `t`. */
  private elapsed(t: Time): bigint {
    return this.counting ? BigInt(Math.floor((t - this.at) / 1000)) : 0n;
  }

  /** The TSF at `t` (default now), µs, modulo 2^64. */
  value(t: Time = this.c.now): bigint {
    return (this.base + this.elapsed(t)) % TWO64;
  }

  readLow(): number {
    return Number(this.value() & 0xffffffffn);
  }

  readHigh(): number {
    return Number(this.value() >> 32n);
  }

  /** A host write of CSR16 (half 0) or CSR17 (half 1) loads that half of the counter. */
  write(half: 0 | 1, v: number): void {
    const cur = this.value();
    const lo = half === 0 ? BigInt(v >>> 0) : cur & 0xffffffffn;
    const hi = half === 1 ? BigInt(v >>> 0) : cur >> 32n;
    this.load((hi << 32n) | lo);
  }

  private load(tsf: bigint): void {
    this.base = tsf;
    this.at = this.c.now;
    this.configChanged();
  }

  csr14Written(v: number, old: number): void {
    const run = (v & CSR14_BITS.TSF_COUNT) !== 0;
    if (run !== this.counting) {
      this.base = this.value();
      this.at = this.c.now;
      this.counting = run;
    }
    if ((v ^ old) & (CSR14_BITS.TBCN | CSR14_BITS.BEACON_GEN | CSR14_BITS.TSF_SYNC)) this.c.trace('tsf-mode', { csr14: v });
    this.configChanged();
  }

  /** Beacon interval in µs (0: none programmed). */
  get intervalUs(): number {
    return (this.c.get(CSR.CSR12) & 0xffff) * 64;
  }

  /** Reschedule the next TBTT after any change of TSF, interval or CSR14. */
  configChanged(): void {
    const q = this.c.ctx.queue;
    q.deschedule(this.tbttEv);
    const csr14 = this.c.get(CSR.CSR14);
    const iv = this.intervalUs;
    if (!this.counting || !(csr14 & (CSR14_BITS.TBCN | CSR14_BITS.BEACON_GEN)) || iv === 0) return;
    // The next multiple of the interval (the counter's wrap to 0 is one), in µs from the current count.
    const tsf = this.value();
    const biv = BigInt(iv);
    let next = (tsf / biv + 1n) * biv;
    if (next > TWO64) next = TWO64;
    const us = Number(this.elapsed(this.c.now) + (next - tsf));
    q.schedule(this.tbttEv, Math.max(this.c.now, this.at + us * 1000));
  }

  private tbtt(): void {
    const csr14 = this.c.get(CSR.CSR14);
    this.c.set(CSR.CSR15, this.c.get(CSR.CSR15) & ~CSR15_BITS.BEACON_SENT);
    this.c.trace('tbtt', { tsf: Number(this.value()) });
    if (csr14 & CSR14_BITS.BEACON_GEN) this.c.tx.beaconAtTbtt();
    if (csr14 & CSR14_BITS.TBCN) this.c.raise(INT.TBCN_EXPIRE);
    this.configChanged();
  }

  /**
   * A beacon (or probe response) from `bssid`-matching sender ended now: adopt its timestamp per TSF_SYNC. `mpdu`
   * excludes the FCS; the timestamp's first bit left the sender `airtime − offset(24)` before now.
   */
  beaconReceived(mpdu: Uint8Array, rate: WifiRate, shortPreamble: boolean): void {
    const sync = (this.c.get(CSR.CSR14) & CSR14_BITS.TSF_SYNC) >>> 1;
    if (!this.counting || (sync !== 1 && sync !== 2) || mpdu.length < 32 || !this.c.isBssid(mpdu, 16)) return;
    let ts = 0n;
    for (let i = 7; i >= 0; i--) ts = (ts << 8n) | BigInt(mpdu[24 + i]!);
    const sinceNs = airtimeNs(mpdu.length + 4, rate, shortPreamble) - byteOffsetNs(24, rate, shortPreamble);
    const adopted = (ts + BigInt(Math.max(0, Math.floor(sinceNs / 1000)))) % TWO64;
    if (sync === 2 && adopted <= this.value()) return;
    this.load(adopted);
  }

  /** The TSF the chip writes into a frame whose byte `offset` leaves the antenna `delayNs` from now. */
  stamp(delayNs: number): bigint {
    return this.value(this.c.now + delayNs);
  }

  saveState(): TsfState {
    return { base: this.base.toString(), at: this.at, counting: this.counting, tbtt: this.tbttEv.scheduled ? this.tbttEv.when : -1 };
  }

  loadState(s: TsfState): void {
    this.base = BigInt(s.base) % TWO64;
    this.at = s.at;
    this.counting = s.counting;
    this.c.ctx.queue.deschedule(this.tbttEv);
    if (s.tbtt >= 0) this.c.ctx.queue.schedule(this.tbttEv, s.tbtt);
  }
}
