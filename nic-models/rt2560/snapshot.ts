/**
 * The RT2560's versioned snapshot (STYLE.md §8): the CSR file, the EEPROM contents and its Microwire state, the
 * BBP/RF interfaces, the power states, the TSF, the DCF (NAV, backoff in progress, a response due, the ACK wait),
 * the transmit job with its frame, ring indices, and every pending owned event at its absolute time.
 * `loadRt2560` restores into a freshly built chip of the same configuration and reschedules.
 */
import { readState, stateVersions } from '../../emulator/machine/sim/snapshot';
import type { BbpRfState } from './bbp-rf';
import type { Rt2560Core } from './core';
import type { DcfState } from './dcf';
import type { Eeprom93c66State } from './eeprom';
import type { RxState } from './rx';
import type { TsfState } from './tsf';
import type { TxState } from './tx';

export const RT2560_STATE = stateVersions('RT2560', 1);

export interface Rt2560State {
  v: 1;
  regs: number[];
  eeprom: Eeprom93c66State;
  bbprf: BbpRfState;
  power: { bbp: number; rf: number; desired: number; pending: { bbp: number; rf: number }; at: number };
  tsf: TsfState;
  dcf: DcfState;
  tx: TxState;
  rx: RxState;
  busFreeAt: number;
  counters: Rt2560Core['counters'];
}

export function saveRt2560(c: Rt2560Core): Rt2560State {
  return {
    v: 1,
    regs: Array.from(c.r),
    eeprom: c.eeprom.saveState(),
    bbprf: c.bbprf.saveState(),
    power: { bbp: c.bbpState, rf: c.rfState, desired: c.desiredState, pending: { ...c.pendingPower }, at: c.powerEv.scheduled ? c.powerEv.when : -1 },
    tsf: c.tsf.saveState(),
    dcf: c.dcf.saveState(),
    tx: c.tx.saveState(),
    rx: c.rx.saveState(),
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
  c.busFreeAt = s.busFreeAt;
  Object.assign(c.counters, s.counters);
  c.updateIrq();
}
