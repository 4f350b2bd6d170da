/**
 * The RT2560's versioned snapshot (STYLE.md §8): the CSR file, the EEPROM contents and its Microwire state, the
 * BBP/RF interfaces, the power states, the TSF, the DCF (NAV, backoff in progress, a response due, the ACK wait),
 * the transmit job with its frame, ring indices, the cipher engine's walks (the descriptor in processing with its
 * result), and every pending owned event at its absolute time.
 *
 * Version 2 (issue 10) moved the cipher walks out of tx/rx into `cipher` and added the cipher counters; the upgrade
 * from 1 carries the walk indices and pending interrupts over (a version-1 walk finished at its kick). Version 3
 * (issue 14) keeps the 64-bit TSF exact as a decimal string.
 * `loadRt2560` restores into a freshly built chip of the same configuration and reschedules.
 */
import { readState, stateVersions, type VersionedState } from '../../emulator/machine/sim/snapshot';
import type { BbpRfState } from './bbp-rf';
import type { CipherWalkState } from './cipher';
import type { Rt2560Core } from './core';
import type { DcfState } from './dcf';
import type { Eeprom93c66State } from './eeprom';
import type { RxState } from './rx';
import type { TsfState } from './tsf';
import type { TxState } from './tx';

/** Version 1 → 2: tx.encIdx/encDone and rx.decIdx/decDone become the cipher walks; cipher counters start at 0. */
function upgrade1(old: VersionedState): Omit<VersionedState, 'v'> {
  const { v: _v, ...rest } = old;
  const tx = { ...(old['tx'] as Record<string, unknown>) };
  const rx = { ...(old['rx'] as Record<string, unknown>) };
  const walk = (idx: unknown, irqAt: unknown): CipherWalkState => ({
    idx: typeof idx === 'number' ? idx : 0, walked: 0, rekick: false, ring: false, oneShots: [], job: null, procAt: -1, irqAt: typeof irqAt === 'number' ? irqAt : -1,
  });
  const cipher = { enc: walk(tx['encIdx'], tx['encDone']), dec: walk(rx['decIdx'], rx['decDone']) };
  for (const k of ['encIdx', 'encDone']) delete tx[k];
  for (const k of ['decIdx', 'decDone']) delete rx[k];
  const counters = { cipherEncrypted: 0, cipherDecrypted: 0, cipherIcvErrors: 0, cipherInvalid: 0, ...(old['counters'] as Record<string, unknown>) };
  return { ...rest, tx, rx, cipher, counters };
}

/** Version 2 → 3: the TSF's 64-bit base becomes a decimal string (exact above 2^53; tsf.ts). */
function upgrade2(old: VersionedState): Omit<VersionedState, 'v'> {
  const { v: _v, ...rest } = old;
  const tsf = { ...(old['tsf'] as Record<string, unknown>) };
  tsf['base'] = typeof tsf['base'] === 'number' ? BigInt(Math.max(0, Math.floor(tsf['base']))).toString() : String(tsf['base'] ?? '0');
  return { ...rest, tsf };
}

export const RT2560_STATE = stateVersions('RT2560', 3, { minimum: 1, upgrades: { 1: upgrade1, 2: upgrade2 } });

export interface Rt2560State {
  v: 3;
  regs: number[];
  eeprom: Eeprom93c66State;
  bbprf: BbpRfState;
  power: { bbp: number; rf: number; desired: number; pending: { bbp: number; rf: number }; at: number };
  tsf: TsfState;
  dcf: DcfState;
  tx: TxState;
  rx: RxState;
  cipher: { enc: CipherWalkState; dec: CipherWalkState };
  busFreeAt: number;
  counters: Rt2560Core['counters'];
}

export function saveRt2560(c: Rt2560Core): Rt2560State {
  return {
    v: 3,
    regs: Array.from(c.r),
    eeprom: c.eeprom.saveState(),
    bbprf: c.bbprf.saveState(),
    power: { bbp: c.bbpState, rf: c.rfState, desired: c.desiredState, pending: { ...c.pendingPower }, at: c.powerEv.scheduled ? c.powerEv.when : -1 },
    tsf: c.tsf.saveState(),
    dcf: c.dcf.saveState(),
    tx: c.tx.saveState(),
    rx: c.rx.saveState(),
    cipher: { enc: c.cipher.saveWalk(c.cipher.enc), dec: c.cipher.saveWalk(c.cipher.dec) },
    busFreeAt: c.busFreeAt,
    counters: { ...c.counters },
  };
}

export function loadRt2560(c: Rt2560Core, saved: { v: number }): void {
  const s = readState<Rt2560State>(c.ctx.name, RT2560_STATE, saved);
  c.r.set(s.regs.slice(0, c.r.length));
  c.eeprom.loadState(s.eeprom);
  c.bbprf.loadState(s.bbprf);
  c.bbpState = s.power.bbp;
  c.rfState = s.power.rf;
  c.desiredState = s.power.desired;
  c.pendingPower = { ...s.power.pending };
  c.ctx.queue.deschedule(c.powerEv);
  if (s.power.at >= 0) c.ctx.queue.schedule(c.powerEv, s.power.at);
  c.tsf.loadState(s.tsf);
  c.dcf.loadState(s.dcf);
  c.tx.loadState(s.tx);
  c.rx.loadState(s.rx);
  c.cipher.loadWalk(c.cipher.enc, s.cipher.enc);
  c.cipher.loadWalk(c.cipher.dec, s.cipher.dec);
  c.busFreeAt = s.busFreeAt;
  Object.assign(c.counters, s.counters);
  c.updateIrq();
}
