/**
 * The BCM5701's register map assembled from the blocks that own the registers (design §1.3.3, §1.4): config
 * registers 0x64–0xff, mailboxes 0x200–0x3ff, MAC 0x400–0x7ff, the send/receive/DMA/CPU blocks, host coalescing,
 * the flow-through queues and GRC. One table (bar0.ts decodes BAR0 0x200–0x7fff and the mailbox alias into it).
 */
import type { RegisterDef } from '../../emulator/machine/bus/register-table';
import { blockDefs } from './blocks';
import type { Bcm5701Core } from './core';
import { grcDefs } from './grc';
import { macDefs } from './mac-regs';
import { mailboxDefs } from './mailboxes';

export function buildRegisterDefs(c: Bcm5701Core): RegisterDef[] {
  return [
    ...c.config.defs,
    ...mailboxDefs(c.f, {
      interrupt0: (v) => c.irq.mailboxWrite(v),
      stdProducer: (v) => c.recv.stdProducer(v),
      returnConsumer: (v) => c.recv.returnConsumer(v),
      sendProducer: (v) => c.send.producer(v),
    }),
    ...macDefs(c.f, {
      mi: c.phy.mi,
      macModeChanged: (v, old, reset) => c.macModeChanged(v, old, reset),
      attentionChanged: () => c.attentionChanged(),
      txModeChanged: (_v, reset) => {
        if (reset) c.send.reset();
        c.send.kick();
      },
      rxModeChanged: () => {
        c.filterChanged();
        c.recv.kick();
      },
      filterChanged: () => c.filterChanged(),
      phyInterrupt: () => c.phy.interrupt(),
      txPaused: () => c.send.pausedUntil > c.ctx.queue.now,
      linkUp: () => c.phy.link() !== null,
      remoteXoffed: () => c.flow.xoffSent,
      trace: (p, fl) => c.trace(p, 0, fl),
    }),
    ...blockDefs(c.f, {
      modeChanged: (base) => c.blockModeChanged(base),
      statsClear: (g) => c.stats.clear(g),
      sendConsumer: () => c.send.cons,
      stdConsumer: () => c.recv.stdCons,
      stdProducer: () => c.recv.stdProd,
      romFail: () => c.boot.romFail,
    }),
    ...c.hc.defs(),
    ...c.ftq.defs(),
    ...grcDefs(c.f, {
      eeprom: c.eeprom,
      coreReset: () => c.coreReset(),
      intActive: () => c.irq.latch,
      setInt: () => c.irq.setInt(),
      clearInt: () => c.irq.clearInt(),
      now: () => c.ctx.queue.now,
      modeChanged: () => c.send.kick(),
      trace: (p, fl) => c.trace(p, 0, fl),
    }, c.timer),
  ];
}
