/**
 * The mailbox file 0x200–0x3ff (tg3.h MAILBOX_*; design §1.4.1): 64 slots of 64 bits; the low dword (+4)
 * carries the value, the high dword is stored and read back with no effect *(I)*. Writes with side effects:
 * 0x204 interrupt (irq.ts), 0x26c standard receive producer, 0x284 return-ring consumer, 0x304 send
 * producer. Values read back exactly as written; the chip reduces indices modulo the ring size when it uses
 * them and traces `bogus-index` for an out-of-range value. The same mailboxes answer at BAR0 0x5800–0x59ff
 * (GRCMBOX_BASE 0x5600 + offset) and through config-space aliases (config-regs.ts).
 */
import type { RegisterDef } from '../../emulator/machine/bus/register-table';
import type { RegFile } from './reg-file';

export interface MailboxHooks {
  interrupt0(v: number): void;
  stdProducer(v: number): void;
  returnConsumer(v: number): void;
  sendProducer(v: number): void;
}

/** Slot names in offset order from 0x200, 8 bytes apart (tg3.h). */
function slotNames(): string[] {
  const n: string[] = [];
  for (let i = 0; i < 4; i++) n.push(`MAILBOX_INTERRUPT_${i}`);
  for (let i = 0; i < 8; i++) n.push(`MAILBOX_GENERAL_${i}`);
  n.push('MAILBOX_RELOAD_STAT', 'MAILBOX_RCV_STD_PROD_IDX', 'MAILBOX_RCV_JUMBO_PROD_IDX', 'MAILBOX_RCV_MINI_PROD_IDX');
  for (let i = 0; i < 16; i++) n.push(`MAILBOX_RCVRET_CON_IDX_${i}`);
  for (let i = 0; i < 16; i++) n.push(`MAILBOX_SNDHOST_PROD_IDX_${i}`);
  for (let i = 0; i < 16; i++) n.push(`MAILBOX_SNDNIC_PROD_IDX_${i}`);
  return n;
}

export function mailboxDefs(f: RegFile, h: MailboxHooks): RegisterDef[] {
  const effects: Record<number, (v: number) => void> = {
    0x204: (v) => h.interrupt0(v),
    0x26c: (v) => h.stdProducer(v),
    0x284: (v) => h.returnConsumer(v),
    0x304: (v) => h.sendProducer(v),
  };
  const out: RegisterDef[] = [];
  slotNames().forEach((name, i) => {
    const hi = 0x200 + 8 * i;
    const lo = hi + 4;
    f.declare(hi);
    f.declare(lo);
    const effect = effects[lo];
    out.push(
      { offset: hi, name: `${name}_HIGH`, width: 4, access: 'rw', read: () => f.get(hi), write: (v) => f.set(hi, v) },
      {
        offset: lo, name, width: 4, access: 'rw', read: () => f.get(lo),
        write: (v) => {
          f.set(lo, v);
          effect?.(v >>> 0);
        },
      },
    );
  });
  return out;
}
